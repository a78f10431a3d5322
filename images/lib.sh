# shellcheck shell=bash
# Helpers for images/build.sh: a step cache on one OCI layout, umoci/skopeo wrappers and a
# throwaway chroot for RUN-like steps. Sourced, not run.
#
# Every image is a chain of steps. A step is named NAME, has a PARENT (an OCI tag or "") and
# key material (whatever its output depends on: package lists, a requirements file, a tree
# hash of the copied files). Its tag in the layout is NAME_<key>, where the key hashes NAME,
# PARENT, the key material and the text of the function that builds it. A tag that exists
# is never rebuilt, so a warm build is a few lookups; changing a step's inputs rebuilds it
# and every step after it (their keys include its tag), like a Dockerfile's layer cache.

AUTHOR="modelops images/build.sh"
# Part of every step's key: bump it when a helper below changes what steps produce.
CACHE_EPOCH=1
OCI=$CACHE/oci
WORK=$CACHE/work

log() { echo "images: $*" >&2; }
die() { echo "images: ERROR: $*" >&2; exit 1; }

# tree_hash DIR [find-args...]: hash of the names, modes and contents of what is under DIR.
tree_hash() {
  local dir=$1; shift
  (cd "$dir" && { find . "$@" -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
                  find . "$@" -printf '%m %p\n' | LC_ALL=C sort; }) | sha256sum | cut -c1-64
}

oci_has() { umoci ls --layout "$OCI" 2>/dev/null | grep -qxF "$1"; }

# oci_from PARENT TAG: start TAG as a copy of PARENT (or as an empty image).
oci_from() {
  if [[ -n $1 ]]; then
    umoci tag --image "$OCI:$1" "$2"
  else
    umoci new --image "$OCI:$2"
    umoci config --image "$OCI:$2" --no-history --os linux --architecture amd64 --author "$AUTHOR"
  fi
}

# step NAME PARENT KEY-MATERIAL FUNCTION [ARGS...] -> prints the step's tag.
# FUNCTION runs with TAG (a copy of PARENT) and PARENT set and adds layers/config to TAG; its
# output goes to stderr. It builds under a "-wip" tag that gets the real name only once it
# succeeded: any failure ends the script (set -e, inherit_errexit) and leaves nothing that
# looks cached.
step() {
  local name=$1 parent=$2 material=$3 fn=$4 key tag t0=$SECONDS
  shift 4
  key=$({ echo "$CACHE_EPOCH $name $parent"; echo "$material"; declare -f "$fn"; } | sha256sum | cut -c1-16)
  tag=${name}_$key
  if ! oci_has "$tag"; then
    log "building $name ($tag)"
    rm -rf "$WORK"; mkdir -p "$WORK"
    oci_has "$tag-wip" && umoci rm --image "$OCI:$tag-wip"
    oci_from "$parent" "$tag-wip"
    TAG=$tag-wip PARENT=$parent "$fn" "$@" >&2
    umoci tag --image "$OCI:$tag-wip" "$tag"
    umoci rm --image "$OCI:$tag-wip"
    rm -rf "$WORK"
    prune_step "$name" "$tag"
    log "built $name in $((SECONDS - t0))s"
  fi
  echo "$tag"
}

# prune_step NAME KEEP-TAG: drop the older tags of step NAME (their blobs go at the next gc
# unless another tag still uses them). Names never contain "_", so NAME_ is an exact prefix.
prune_step() {
  local t
  for t in $(umoci ls --layout "$OCI"); do
    if [[ $t == "$1"_* && $t != "$2" ]]; then
      umoci rm --image "$OCI:$t"
      touch "$CACHE/.gc-pending"   # umoci gc takes seconds: only run it when there is garbage
    fi
  done
  return 0
}

# chroot_run ROOTFS SCRIPT [FILE...]: runs SCRIPT (bash) as root inside ROOTFS, like a
# Dockerfile RUN. It runs in its own mount and pid namespaces, so every mount it needs goes
# away with it and nothing of them lands in the layer: /proc, the host's /dev, the host's
# resolv.conf and hosts read-only (apt and pip reach the package registries with the
# host's name service), and /run as a tmpfs holding /run/build with the host's CA bundle
# (host-ca.crt, for pip) and the FILEs given.
chroot_run() {
  local rootfs=$1 script=$2
  shift 2
  unshare --mount --pid --fork --propagation private bash -euo pipefail -c '
    r=$1 script=$2; shift 2
    mount -t proc proc "$r/proc"
    mount --rbind /dev "$r/dev"
    for f in resolv.conf hosts; do
      mount --bind "/etc/$f" "$r/etc/$f"
      mount -o remount,bind,ro "$r/etc/$f"
    done
    mount -t tmpfs -o mode=0755 tmpfs "$r/run"
    mkdir "$r/run/build"
    cp /etc/ssl/certs/ca-certificates.crt "$r/run/build/host-ca.crt"
    (($#)) && cp "$@" "$r/run/build/"
    exec chroot "$r" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
      PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -euo pipefail -c "$script"
  ' chroot_run "$rootfs" "$script" "$@"
}

# oci_unpack / oci_repack: TAG as a runtime bundle in $WORK/bundle (rootfs/ inside), and the
# bundle's changes back as one new layer on TAG.
oci_unpack() { umoci unpack --image "$OCI:$TAG" "$WORK/bundle" >/dev/null; }
oci_repack() { # created-by text for the image history
  umoci repack --image "$OCI:$TAG" --history.author "$AUTHOR" --history.created_by "$1" "$WORK/bundle" >/dev/null
  rm -rf "$WORK/bundle"
}

# oci_run SCRIPT [FILE...]: one RUN step on TAG (see chroot_run).
oci_run() {
  oci_unpack
  chroot_run "$WORK/bundle/rootfs" "$@"
  oci_repack "$1"
}

# oci_insert SRC DEST: SRC (a file or a directory's contents) at DEST in a new layer.
oci_insert() {
  umoci insert --image "$OCI:$TAG" --history.author "$AUTHOR" --history.created_by "COPY $(basename "$1") $2" "$1" "$2"
}

oci_config() { umoci config --image "$OCI:$TAG" --no-history "$@"; }

# apt_install PACKAGE...: the RUN step every Debian-based image uses to add packages, cleaned
# up the way the base was (no lists, no logs), so the layer holds only the packages.
apt_install_script() {
  cat <<SH
apt-get update -qq
apt-get install -y -qq --no-install-recommends $* >/dev/null
apt-get clean
rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log /var/cache/debconf/*-old /var/lib/dpkg/*-old
SH
}
