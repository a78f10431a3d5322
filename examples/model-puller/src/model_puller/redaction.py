"""Keeping credentials out of everything the puller prints.

Library messages are not written with secrets in mind (a URI may carry user:password@ or a presigned
query string; an error may echo a header), so every log record and the final error line pass through
one Redactor that knows the secret values present in the environment.
"""

from __future__ import annotations

import json
import logging
import re

# Variables whose values are secrets for the storage backends kserve_storage supports.
SECRET_VARIABLES = (
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID",
    "AZURE_CLIENT_SECRET", "AZ_CLIENT_SECRET", "AZURE_STORAGE_ACCESS_KEY",
    "HF_TOKEN", "MODELSCOPE_API_TOKEN", "GIT_PASSWORD", "STORAGE_CONFIG", "STORAGE_OVERRIDE_CONFIG",
)
MASK = "***"

_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
_QUERY = re.compile(r"(?P<url>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?'\"]+)\?[^\s'\"]+")


class Redactor:
    def __init__(self, env):
        values = [env[name] for name in SECRET_VARIABLES if env.get(name)]
        # HTTP headers for https:// downloads come as "<host>-headers" variables (often a bearer token).
        for name, value in env.items():
            if name.endswith("-headers") and value:
                values.append(value)
                values += _header_values(value)
        # Longest first, so a secret that contains another is masked whole. Very short values would
        # mask innocent text and cannot be secrets worth the name.
        self._secrets = sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        text = _USERINFO.sub(lambda m: m.group("scheme") + MASK + "@", text)
        # A query string can be a presigned URL's signature.
        return _QUERY.sub(lambda m: m.group("url") + "?" + MASK, text)


def _header_values(document: str) -> list[str]:
    try:
        headers = json.loads(document)
    except ValueError:
        return []
    if not isinstance(headers, dict):
        return []
    # "Bearer abc" is masked whole and as "abc", however a library chooses to print it.
    values = [str(v) for v in headers.values()]
    return values + [v.split(" ", 1)[1] for v in values if " " in v]


class RedactingFilter(logging.Filter):
    def __init__(self, redact: Redactor):
        super().__init__()
        self._redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self._redact(record.getMessage())
        record.args = None
        if record.exc_info:
            # The traceback text would bypass the message: keep its last line only, redacted.
            record.msg += f" ({self._redact(repr(record.exc_info[1]))})"
            record.exc_info = None
            record.exc_text = None
        return True
