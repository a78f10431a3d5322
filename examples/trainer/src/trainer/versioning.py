"""Version names of retrained models: `<root>-r<N>`.

The root is the serving version without its own `-r<N>` suffix, N is one more than the serving
version's, skipping any N already in the store (a version that was produced before and rolled back,
or the upload of a Job attempt that died before reporting). So serving `1.4.0` retrains to
`1.4.0-r1`, then `1.4.0-r2`, ...: deterministic given the store's contents, never overwriting an
uploaded version, and always a valid Kubernetes label value (what spec.model.version must be).
"""

from __future__ import annotations

import re

MAX_LABEL_LENGTH = 63
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_RETRAIN_SUFFIX = re.compile(r"^(?P<root>.+)-r(?P<n>[0-9]+)$")


def is_label_value(text: str) -> bool:
    return len(text) <= MAX_LABEL_LENGTH and bool(_LABEL_VALUE.match(text))


def split(version: str) -> tuple[str, int]:
    """("1.4.0-r2") -> ("1.4.0", 2); a version without the suffix is retrain 0 of itself."""
    match = _RETRAIN_SUFFIX.match(version)
    if match:
        return match.group("root"), int(match.group("n"))
    return version, 0


def next_version(serving: str, taken: set[str]) -> str:
    if not is_label_value(serving):
        raise ValueError(f"MODEL_VERSION {serving!r} is not a label value")
    root, n = split(serving)
    while True:
        n += 1
        suffix = f"-r{n}"
        # Shorten the root, not the counter, if the name would be too long for a label value.
        candidate = root[: MAX_LABEL_LENGTH - len(suffix)].rstrip("-_.") + suffix
        if candidate not in taken:
            return candidate
