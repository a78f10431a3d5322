#!/usr/bin/env bash
# Runs the tests of every example (and the contract tests that run them together) in one venv.
#
#   examples/test.sh                 all suites
#   examples/test.sh trainer ...     only these folders
#
# The venv (MODELOPS_EXAMPLES_VENV, default ~/.cache/modelops-examples-venv) is built from Debian's
# /usr/bin/python3 -- the Python the images run -- with exactly the pinned requirements of all folders,
# and rebuilt from scratch whenever a requirements file changes, so that a package missing from the
# pins cannot hide in it. Warm, the script only runs pytest. Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")"
VENV=${MODELOPS_EXAMPLES_VENV:-$HOME/.cache/modelops-examples-venv}
PYTHON=${PYTHON:-/usr/bin/python3}
NICE=${EXAMPLES_NICE:-10}   # other builds share the machine
SUITES=(model-server model-puller trainer load-generator contract-tests)
[ $# -gt 0 ] && SUITES=("$@")

requirements=(model-server/requirements-test.txt model-puller/requirements-test.txt
              trainer/requirements-test.txt load-generator/requirements-test.txt)
stamp=$( { "$PYTHON" --version; cat "${requirements[@]}" */requirements.txt; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$VENV/.requirements-stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "examples: building $VENV from the pinned requirements (first run or requirements changed)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  args=()
  for r in "${requirements[@]}"; do args+=(-r "$r"); done
  nice -n "$NICE" "$VENV/bin/pip" install -q --disable-pip-version-check --only-binary=:all: "${args[@]}"
  echo "$stamp" > "$VENV/.requirements-stamp"
fi

passed=0 failed=0 skipped=0 broken=()
for suite in "${SUITES[@]}"; do
  echo "=== examples/$suite"
  log=$(mktemp)
  set +e
  (cd "$suite" && nice -n "$NICE" "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests) 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  summary=$(tail -n 1 "$log")
  rm -f "$log"
  count() { grep -oE "[0-9]+ $1" <<<"$summary" | cut -d' ' -f1 | head -n 1; }
  passed=$((passed + $(count passed || echo 0)))
  failed=$((failed + $(count failed || echo 0) + $(count error || echo 0)))
  skipped=$((skipped + $(count skipped || echo 0)))
  # pytest exits 5 when it collected nothing: a suite without tests is a failure too
  [ "$status" -ne 0 ] && broken+=("$suite (pytest exit $status)")
done

echo "examples: $passed passed, $failed failed, $skipped skipped"
if [ ${#broken[@]} -gt 0 ]; then
  printf 'examples: failing suites: %s\n' "${broken[*]}" >&2
  exit 1
fi
