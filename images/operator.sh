# shellcheck shell=bash
# operator: what src/main/docker/Dockerfile.jvm describes, on jre-base instead of UBI: Quarkus'
# fast-jar (target/quarkus-app) under /deployments owned by 185, src/main/jvm.options, user 185,
# port 8080, and the JVM started directly (no run-java.sh):
#   java -XX:MaxRAMPercentage=75 @/deployments/jvm.options \
#     -Djava.util.logging.manager=org.jboss.logmanager.LogManager -jar /deployments/quarkus-run.jar
# Nothing is written outside /tmp, so it runs with a read-only root filesystem and /tmp as an
# emptyDir (the chart's and deploy/'s pod spec). Like the Dockerfile, the dependencies (lib/)
# are their own layer: it changes only when pom.xml's dependencies do.

# MODELOPS_OPERATOR_DIR: the checkout to take target/quarkus-app and src/main/jvm.options from
# (default: this one), e.g. a clean `git worktree` while this tree is mid-change.
OPERATOR_DIR=${MODELOPS_OPERATOR_DIR:-$ROOT}
OPERATOR_APP=$OPERATOR_DIR/target/quarkus-app

# operator_image explicit(true|false): with false (a default build), a missing
# target/quarkus-app skips the image; asked for by name, it is built with Maven first.
operator_image() {
  local parent lib
  if [[ ! -f $OPERATOR_APP/quarkus-run.jar ]]; then
    if [[ $1 != true ]]; then
      log "skipping operator: no target/quarkus-app (mvn package, or images/build.sh operator)"
      return 0
    fi
    wait_for_no_maven
    log "operator: target/quarkus-app missing; running mvn -B -q package -DskipTests"
    (cd "$OPERATOR_DIR" && mvn -B -q package -DskipTests) >&2
  fi
  parent=$(jre_base_image)
  lib=$(step operator-lib "$parent" "$(tree_hash "$OPERATOR_APP/lib")" build_operator_lib)
  step operator "$lib" "$(tree_hash "$OPERATOR_APP" -path ./lib -prune -o)
$(sha256sum <"$OPERATOR_DIR/src/main/jvm.options")" build_operator
}

# Two Maven builds in one target/ break each other: wait (bounded) for one that runs.
wait_for_no_maven() {
  local deadline=$((SECONDS + 900))
  while pgrep -f 'org.codehaus.plexus.classworlds.launcher.Launcher' >/dev/null; do
    ((SECONDS < deadline)) || die "a Maven build has been running for 15 min; not starting another"
    log "operator: waiting for the running Maven build to finish"
    sleep 5
  done
}

# stage_deployments DIR: a copy of DIR owned by 185:185 (Dockerfile: COPY --chown=185).
stage_deployments() {
  mkdir -p "$WORK/stage"
  cp -a "$@" "$WORK/stage/"
  chown -R 185:185 "$WORK/stage"
}

build_operator_lib() {
  stage_deployments "$OPERATOR_APP/lib"
  oci_insert "$WORK/stage/lib" /deployments/lib
}

build_operator() {
  stage_deployments "$OPERATOR_APP"/*.jar "$OPERATOR_APP/app" "$OPERATOR_APP/quarkus" "$OPERATOR_DIR/src/main/jvm.options"
  chown 0:0 "$WORK/stage" && chmod 0755 "$WORK/stage"   # /deployments itself stays root's
  oci_insert "$WORK/stage" /deployments
  oci_config --clear=config.entrypoint --clear=config.cmd \
    --config.entrypoint "$JAVA_HOME_DIR/bin/java" --config.entrypoint -XX:MaxRAMPercentage=75 \
    --config.entrypoint @/deployments/jvm.options \
    --config.entrypoint -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    --config.entrypoint -jar --config.entrypoint /deployments/quarkus-run.jar \
    --config.env LANGUAGE=en_US:en --config.user 185:185 --config.workingdir /deployments \
    --config.exposedports 8080/tcp \
    --config.label org.opencontainers.image.source=https://github.com/modelops-dev/modelops-operator
}
