"""The object store the models and traffic batches live in: s3:// URIs through boto3.

Endpoint and credentials are read the way KServe's storage initializer (and so our model puller)
reads them, so one Secret's environment serves the puller, the trainer and the load generator:
AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN and AWS_DEFAULT_REGION (boto3's own),
AWS_ENDPOINT_URL, or KServe's S3_ENDPOINT + S3_USE_HTTPS, and S3_VERIFY_SSL.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlparse

import boto3
from botocore.config import Config


class StoreError(Exception):
    """The store cannot be used: a bad URI, or a request that failed."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # no leading "/", "" or ending with "/"

    @staticmethod
    def parse(uri: str) -> "S3Location":
        parsed = urlparse(uri)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise StoreError(f"{uri!r} is not an s3://BUCKET/PATH URI")
        prefix = parsed.path.lstrip("/")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return S3Location(parsed.netloc, prefix)

    def child(self, name: str) -> "S3Location":
        return S3Location(self.bucket, f"{self.prefix}{name.strip('/')}/")

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"


def endpoint_url_from_env(env=os.environ) -> str | None:
    """AWS_ENDPOINT_URL, else KServe's S3_ENDPOINT (host[:port]) with https unless S3_USE_HTTPS=0."""
    if env.get("AWS_ENDPOINT_URL"):
        return env["AWS_ENDPOINT_URL"]
    endpoint = env.get("S3_ENDPOINT")
    if not endpoint:
        return None
    if "://" in endpoint:
        return endpoint
    scheme = "http" if env.get("S3_USE_HTTPS", "1") == "0" else "https"
    return f"{scheme}://{endpoint}"


def s3_client(env=os.environ):
    verify = env.get("S3_VERIFY_SSL", "1").lower() not in ("0", "false")
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url_from_env(env),
        verify=verify,
        # Few quick retries: a Job that cannot reach the store should fail within seconds, not hang.
        config=Config(connect_timeout=10, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}),
    )


class ObjectStore:
    def __init__(self, client=None):
        self._client = client or s3_client()

    def keys(self, location: S3Location) -> Iterator[str]:
        """Object keys under the location, in the store's (lexicographic) order."""
        try:
            for page in self._client.get_paginator("list_objects_v2").paginate(
                Bucket=location.bucket, Prefix=location.prefix
            ):
                for item in page.get("Contents", []):
                    yield item["Key"]
        except Exception as e:  # botocore raises many unrelated types
            raise StoreError(f"cannot list {location.uri}: {e}") from e

    def exists(self, location: S3Location) -> bool:
        return next(self.keys(location), None) is not None

    def child_names(self, location: S3Location) -> set[str]:
        """The first path segment of every key under the location (its "subdirectories" and files)."""
        return {key[len(location.prefix):].split("/", 1)[0] for key in self.keys(location)}

    def read_json(self, bucket: str, key: str):
        try:
            body = self._client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as e:
            raise StoreError(f"cannot read s3://{bucket}/{key}: {e}") from e
        return json.loads(body)

    def put_bytes(self, location: S3Location, name: str, data: bytes, content_type: str) -> None:
        key = location.prefix + name
        try:
            self._client.put_object(Bucket=location.bucket, Key=key, Body=data, ContentType=content_type)
        except Exception as e:
            raise StoreError(f"cannot write s3://{location.bucket}/{key}: {e}") from e
