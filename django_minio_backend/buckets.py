"""Bucket existence and access policy."""

from __future__ import annotations

import json

from minio import Minio
from minio.error import S3Error

from .policies import public_read


def create_bucket(client: Minio, bucket: str, *, region: str, public: bool) -> None:
    """Create ``bucket`` (a no-op if it already exists) and make it publicly readable if ``public``."""
    try:
        client.make_bucket(bucket, location=region)
    except S3Error as exc:
        if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    if public:
        client.set_bucket_policy(bucket, json.dumps(public_read(bucket)))
