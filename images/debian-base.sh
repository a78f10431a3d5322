# shellcheck shell=bash
# debian-base: Debian 12 (bookworm) minbase from Debian's own packages (debootstrap from the
# Debian archive), plus ca-certificates, without tzdata. The parent of python-base and jre-base.
# Cached by the suite, mirror and package lists below: edit them to rebuild.

DEBIAN_SUITE=bookworm
DEBIAN_MIRROR=${MODELOPS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_INCLUDE=ca-certificates
DEBIAN_EXCLUDE=tzdata

debian_base_image() {
  command -v debootstrap >/dev/null || die "debootstrap missing (apt-get install debootstrap)"
  step debian-base "" "$DEBIAN_SUITE $DEBIAN_MIRROR include=$DEBIAN_INCLUDE exclude=$DEBIAN_EXCLUDE" build_debian_base
}

build_debian_base() {
  local r=$WORK/rootfs
  mkdir -p "$r" "$CACHE/debs"
  # debootstrap mounts /proc and /sys in the target: a private mount namespace guarantees that
  # nothing stays mounted if it fails half-way. The .debs are kept for the next rebuild.
  if ! unshare --mount --propagation private debootstrap --variant=minbase \
      --include="$DEBIAN_INCLUDE" --exclude="$DEBIAN_EXCLUDE" --cache-dir="$CACHE/debs" \
      "$DEBIAN_SUITE" "$r" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1; then
    tail -n 20 "$WORK/debootstrap.log" >&2
    return 1
  fi
  slim_rootfs "$r"
  log "debian-base: $(chroot "$r" dpkg-query -f '.' -W | wc -c) packages, $(du -sm "$r" | cut -f1) MiB"
  oci_insert "$r" /
  oci_config --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env LANG=C.UTF-8 --config.cmd /bin/bash
}

# slim_rootfs ROOTFS: what a container image does not need (caches, logs, docs but their
# copyright files, man pages, translations), and dpkg/apt settings so that later apt installs
# in derived images stay as small.
slim_rootfs() {
  local r=${1:?}
  cat >"$r/etc/dpkg/dpkg.cfg.d/modelops-slim" <<'CFG'
# Container image: no docs (but licenses), man pages or translations (images/debian-base.sh).
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
CFG
  cat >"$r/etc/apt/apt.conf.d/90modelops-slim" <<'CFG'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
CFG
  find "$r/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$r/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "${r:?}"/usr/share/{man,info,lintian}/* "${r:?}"/var/cache/apt/* "${r:?}"/var/lib/apt/lists/* \
    "${r:?}"/var/cache/debconf/*-old "${r:?}"/var/lib/dpkg/*-old "${r:?}"/var/log/* "${r:?}"/tmp/* \
    "${r:?}"/run/* "${r:?}"/dev/*
  find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  # The runtime provides these (the kubelet mounts resolv.conf, hosts and hostname); they must
  # exist as files, and must not carry the build machine's.
  : >"$r/etc/resolv.conf"
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$r/etc/hosts"
  rm -f "$r/etc/hostname"
  : >"$r/etc/machine-id"
}
