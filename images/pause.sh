# shellcheck shell=bash
# pause: the pod sandbox process, Kubernetes' own build/pause/linux/pause.c, compiled static by
# hack/build-tools.sh from the Kubernetes module (same version as the kubelet). containerd's
# pinned sandbox image on the real node (hack/node-up.sh).

pause_image() {
  local bin
  bin=$(tools_bin)/pause
  [[ -x $bin ]] || die "$bin missing: run hack/build-tools.sh"
  step pause "" "$(sha256sum <"$bin")" build_pause "$bin"
}

build_pause() { # pause-binary
  install -D -m 0755 "$1" "$WORK/pause"
  oci_insert "$WORK/pause" /pause
  # 65535: the uid/gid upstream's pause image runs as.
  oci_config --config.entrypoint /pause --config.user 65535:65535
}
