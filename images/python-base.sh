# shellcheck shell=bash
# python-base: debian-base + Debian's python3 (3.11) and a virtualenv at /opt/venv that the app
# images pip-install their wheels into. User app (1000:1000), HOME=/tmp, so it runs with a
# read-only root filesystem and an emptyDir on /tmp.

PYTHON_PACKAGES="python3 python3-venv"

python_base_image() {
  local parent
  parent=$(debian_base_image)
  step python-base "$parent" "$PYTHON_PACKAGES" build_python_base
}

build_python_base() {
  oci_run "$(apt_install_script "$PYTHON_PACKAGES")
python3 -m venv /opt/venv
groupadd --gid 1000 app
useradd --uid 1000 --gid 1000 --home-dir /tmp --no-create-home --shell /usr/sbin/nologin app
mkdir -p /app"
  oci_config --config.env PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --config.env VIRTUAL_ENV=/opt/venv --config.env PYTHONDONTWRITEBYTECODE=1 \
    --config.env PYTHONUNBUFFERED=1 --config.env HOME=/tmp \
    --config.user 1000:1000 --config.workingdir /app --config.cmd /opt/venv/bin/python
}
