#!/usr/bin/env bash
# Builds the local cluster's container images without Docker and without pulling anything from
# a registry: Debian packages (debootstrap, apt), PyPI wheels (pip) and this repo's build
# output, assembled with umoci into one OCI layout and exported with skopeo as docker-archive
# tars that hack/load-images.sh imports into the real node's containerd. Root (debootstrap
# and the RUN steps use chroot).
#
# Usage: images/build.sh [NAME...]        default: every image whose inputs exist
#   stdout, one line per image:  NAME TAR REF...   (REF: the version tag, then the content tag)
#   stderr: progress
#
# Images (recipes in images/<recipe>.sh):
#   pause           localhost/modelops/pause:<kubernetes version>   pause.sh
#   python-base     localhost/modelops/python-base:0.1.0            python-base.sh (on debian-base.sh)
#   operator        ghcr.io/modelops-dev/modelops-operator:0.1.0    operator.sh (on jre-base.sh)
#   sklearn-server  ghcr.io/modelops-dev/sklearn-server:0.1.0       python-app.sh, examples/model-server
#   model-puller    ghcr.io/modelops-dev/model-puller:0.1.0         python-app.sh, examples/model-puller
#   trainer         ghcr.io/modelops-dev/trainer:0.1.0              python-app.sh, examples/trainer
#   load-generator  ghcr.io/modelops-dev/load-generator:0.1.0       python-app.sh, examples/load-generator
#   (debian-base and jre-base can be named too: localhost/modelops/NAME:0.1.0)
# Every image also gets the tag content-<12 hex>: a hash of everything it was built from.
#
# Cache: $MODELOPS_IMAGES_CACHE (default ~/.cache/modelops-images): oci/ (one layout, shared
# blobs), archives/ (the tars), debs/ (debootstrap's packages). See images/lib.sh for the keys.
# Env: MODELOPS_EXAMPLES_DIR (default <repo>/examples), MODELOPS_OPERATOR_DIR (default <repo>),
# MODELOPS_TOOLS_BIN (skip build-tools.sh),
# MODELOPS_DEBIAN_MIRROR.
set -euo pipefail
shopt -s inherit_errexit   # set -e inside $(...) too: a failed step must end the build

IMAGES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$IMAGES")
CACHE=${MODELOPS_IMAGES_CACHE:-$HOME/.cache/modelops-images}
EXAMPLES=${MODELOPS_EXAMPLES_DIR:-$ROOT/examples}
VERSION=0.1.0
REPO=ghcr.io/modelops-dev

# shellcheck source=images/lib.sh
source "$IMAGES/lib.sh"
for recipe in pause debian-base python-base jre-base operator python-app; do
  # shellcheck source=/dev/null
  source "$IMAGES/$recipe.sh"
done

# name -> "folder module" of the example workloads (python-app.sh).
declare -A APP=(
  [sklearn-server]="model-server sklearn_server"
  [model-puller]="model-puller model_puller"
  [trainer]="trainer trainer"
  [load-generator]="load-generator load_generator"
)
ALL=(pause python-base operator sklearn-server model-puller trainer load-generator)

tools_bin() {
  if [[ -n ${MODELOPS_TOOLS_BIN:-} ]]; then echo "$MODELOPS_TOOLS_BIN"; else "$ROOT/hack/build-tools.sh" | tail -1; fi
}

# image_tag NAME EXPLICIT -> the OCI tag of NAME's final step ("" = skipped)
image_tag() {
  case $1 in
    pause) pause_image ;;
    debian-base) debian_base_image ;;
    python-base) python_base_image ;;
    jre-base) jre_base_image ;;
    operator) operator_image "$2" ;;
    *)
      [[ -n ${APP[$1]:-} ]] || die "unknown image $1 (known: ${ALL[*]} debian-base jre-base)"
      local folder module
      read -r folder module <<<"${APP[$1]}"
      python_app_image "$1" "$EXAMPLES/$folder" "$module"
      ;;
  esac
}

repo_of() {
  case $1 in
    pause | debian-base | python-base | jre-base) echo "localhost/modelops/$1" ;;
    operator) echo "$REPO/modelops-operator" ;;
    *) echo "$REPO/$1" ;;
  esac
}

version_of() {
  if [[ $1 == pause ]]; then
    # The Kubernetes version pause.c was built from.
    sed -n 's/^kubernetes=//p' "$(dirname "$(tools_bin)")/versions" | head -n 1
  else
    echo "$VERSION"
  fi
}

# export_image NAME TAG: TAG as a docker-archive tar (written once per tag), printed as a line.
export_image() {
  local name=$1 tag=$2 key=${2##*_} repo tar refs
  repo=$(repo_of "$name")
  refs=("$repo:$(version_of "$name")" "$repo:content-${key:0:12}")
  tar=$CACHE/archives/${name}_$key.tar
  if [[ ! -f $tar ]]; then
    mkdir -p "$CACHE/archives"
    rm -f "$CACHE/archives/${name}"_*.tar             # the previous build of this image
    skopeo copy -q "oci:$OCI:$tag" "docker-archive:$tar.tmp:${refs[0]}" --additional-tag "${refs[1]}" >&2
    mv "$tar.tmp" "$tar"
    log "exported $name: ${refs[*]} ($(du -m "$tar" | cut -f1) MiB)"
  fi
  echo "$name $tar ${refs[*]}"
}

main() {
  local explicit=true names=("$@") name tag t0=$SECONDS
  if ((${#names[@]} == 0)); then explicit=false; names=("${ALL[@]}"); fi
  ((EUID == 0)) || die "needs root (debootstrap and chroot): sudo $0 $*"
  for t in umoci skopeo unshare; do command -v "$t" >/dev/null || die "$t missing (apt-get install umoci skopeo)"; done
  mkdir -p "$CACHE"
  exec 8>"$CACHE/.lock"
  flock 8                                         # one build at a time per cache
  [[ -d $OCI ]] || umoci init --layout "$OCI"
  for name in "${names[@]}"; do
    tag=$(image_tag "$name" "$explicit")
    [[ -n $tag ]] && export_image "$name" "$tag"
  done
  if [[ -f $CACHE/.gc-pending ]]; then            # blobs of pruned tags
    umoci gc --layout "$OCI"
    rm -f "$CACHE/.gc-pending"
  fi
  log "done in $((SECONDS - t0))s"
}

main "$@"
