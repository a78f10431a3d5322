# shellcheck shell=bash
# jre-base: debian-base + Debian's openjdk-17-jre-headless, and user java (185:185, the uid the
# operator's pod runs as).

JRE_PACKAGES="openjdk-17-jre-headless"
JAVA_HOME_DIR=/usr/lib/jvm/java-17-openjdk-amd64

jre_base_image() {
  local parent
  parent=$(debian_base_image)
  step jre-base "$parent" "$JRE_PACKAGES" build_jre_base
}

build_jre_base() {
  # The JRE's postinst registers man pages with update-alternatives, which fails when the
  # directory is missing (debian-base has none).
  oci_run "mkdir -p /usr/share/man/man1
$(apt_install_script "$JRE_PACKAGES")
rm -rf /usr/share/man/*
groupadd --gid 185 java
useradd --uid 185 --gid 185 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin java"
  oci_config --config.env JAVA_HOME=$JAVA_HOME_DIR \
    --config.env PATH=$JAVA_HOME_DIR/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env HOME=/tmp --config.user 185:185 --config.cmd $JAVA_HOME_DIR/bin/java
}
