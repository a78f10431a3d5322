# shellcheck shell=bash
# A "python app" image, one recipe for every example workload: python-base, then
#   1. pip install -r requirements.txt into /opt/venv  (its own layer, keyed by that file)
#   2. src/ copied to /app                              (keyed by src/'s contents)
# run as: python -m MODULE [args]   (PYTHONPATH=/app, user 1000:1000, HOME=/tmp)
# The folder must hold requirements.txt (pinned) and src/MODULE/ (a package with __main__.py).

python_app_image() { # name folder module
  local name=$1 dir=$2 module=$3 parent deps
  if [[ ! -f $dir/requirements.txt || ! -d $dir/src ]]; then
    log "skipping $name: $dir has no requirements.txt and src/"
    return 0
  fi
  parent=$(python_base_image)
  deps=$(step "$name-deps" "$parent" "$(sha256sum <"$dir/requirements.txt")" build_python_deps "$dir/requirements.txt")
  step "$name" "$deps" "module=$module
$(tree_hash "$dir/src" -name __pycache__ -prune -o -name '*.pyc' -prune -o)" build_python_app "$dir/src" "$module"
}

build_python_deps() { # requirements.txt
  # PIP_CERT: the host's CA bundle, only for this run (see chroot_run); pip's cache stays out
  # of the layer. The wheels' byte code is compiled here: PYTHONDONTWRITEBYTECODE=1 at run time.
  oci_run "PIP_CERT=/run/build/host-ca.crt /opt/venv/bin/pip install -q --progress-bar off --no-cache-dir --no-input \
--disable-pip-version-check --root-user-action=ignore -r /run/build/requirements.txt" "$1"
}

build_python_app() { # src-dir module
  # A plain copy (no unpack of the big parent): root-owned, world-readable. Not byte-compiled:
  # an app's own modules compile in milliseconds at start (read-only root filesystem, so the
  # result is not written), unlike its dependencies, which pip compiled in their layer.
  mkdir -p "$WORK/app"
  tar -C "$1" --exclude=__pycache__ --exclude='*.pyc' --owner=0 --group=0 -cf - . | tar -C "$WORK/app" -xf -
  chown -R 0:0 "$WORK/app"
  chmod -R a+rX,go-w "$WORK/app"
  oci_insert "$WORK/app" /app
  oci_config --clear=config.cmd --clear=config.entrypoint --config.entrypoint /opt/venv/bin/python \
    --config.entrypoint -m --config.entrypoint "$2" --config.env PYTHONPATH=/app \
    --config.workingdir /app --config.user 1000:1000
}
