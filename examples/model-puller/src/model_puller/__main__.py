"""`python -m model_puller URI DIR`: download a model into DIR with KServe's storage library.

The operator runs this as the serving pod's init container (`<image> URI /mnt/models`). Success leaves
the model's files in DIR and exits 0; any failure exits 1 after one line on stderr (also written to the
termination log, where `kubectl describe pod` shows it) that names the URI but never a credential.
"""

from __future__ import annotations

import logging
import os
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlparse

from .redaction import Redactor, RedactingFilter

USAGE = "usage: python -m model_puller URI DIR"
# What this image is for; kserve_storage also knows hf://, oci://, azure and more, which pass through
# untested here.
BUCKET_SCHEMES = ("s3", "gs")


class PullError(Exception):
    pass


def kserve_s3_environment(env) -> None:
    """KServe's controller turns a Secret's s3-endpoint/s3-usehttps annotations into S3_ENDPOINT and
    S3_USE_HTTPS *and* AWS_ENDPOINT_URL; the storage library reads only the last. Users who copy the
    first two from a KServe setup get the same endpoint here."""
    endpoint = env.get("S3_ENDPOINT")
    if endpoint and not env.get("AWS_ENDPOINT_URL"):
        if "://" not in endpoint:
            endpoint = ("http://" if env.get("S3_USE_HTTPS", "1") == "0" else "https://") + endpoint
        env["AWS_ENDPOINT_URL"] = endpoint


def check_uri(uri: str) -> None:
    parsed = urlparse(uri)
    if parsed.scheme in BUCKET_SCHEMES and not parsed.netloc:
        raise PullError(f"{parsed.scheme}:// needs a bucket, e.g. {parsed.scheme}://models/iris/1")
    if parsed.scheme in ("http", "https") and (not parsed.netloc or not parsed.path.strip("/")):
        raise PullError("an http(s):// URI must name a file (a single model file or a .tar.gz/.zip archive)")
    if not parsed.scheme and not Path(uri).exists():
        raise PullError("no such local path, and not a URI (s3://, gs://, https://)")


def pulled_files(directory: Path) -> tuple[int, int]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def explain(error: Exception) -> str:
    if isinstance(error, TypeError) and "filter" in str(error) and not hasattr(tarfile, "data_filter"):
        # kserve_storage unpacks tar archives with extractall(filter="data"), which Python has only
        # since 3.11.4; Debian bookworm ships 3.11.2 without that backport.
        return (f"this Python ({sys.version.split()[0]}) cannot unpack tar archives safely; "
                "publish the model as a directory of files or a .zip archive")
    return str(error)


def one_line(text: str) -> str:
    return " ".join(text.split())


def report_failure(message: str) -> None:
    print(message, file=sys.stderr)
    path = os.environ.get("TERMINATION_LOG", "/dev/termination-log")
    try:
        with open(path, "w") as f:
            f.write(message)
    except OSError:
        pass  # not in a pod (or a read-only path): stderr has it


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(USAGE, file=sys.stderr)
        return 2
    uri, out_dir = args
    redact = Redactor(os.environ)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter(redact))
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    kserve_s3_environment(os.environ)

    try:
        check_uri(uri)
        # Imported late: it is slow to import, and usage errors should not wait for it.
        from kserve_storage import Storage

        Storage.download(uri, out_dir)
        count, size = pulled_files(Path(out_dir))
        if count == 0:
            raise PullError("nothing was downloaded")
    except Exception as e:  # the storage library raises bare Exception and RuntimeError alike
        report_failure(f"model-puller: cannot pull {redact(uri)}: {redact(one_line(explain(e)))}")
        return 1
    print(f"model-puller: pulled {count} files ({size} bytes) from {redact(uri)} into {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
