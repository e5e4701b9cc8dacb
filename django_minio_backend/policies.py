"""Bucket policy documents (AWS IAM policy language, which MinIO and other S3 servers read).

Use them in ``MINIO_POLICY_HOOKS``: ``[("my-bucket", read_only_prefix("my-bucket", "avatars/"))]``.
"""

from __future__ import annotations

from typing import Any

Policy = dict[str, Any]


def _statement(actions: list[str], resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": actions, "Resource": [resource]}


def _document(*statements: dict[str, Any]) -> Policy:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def public_read(bucket: str, *, listable: bool = False) -> Policy:
    """Anyone may read every object; listing the bucket only when ``listable``."""
    statements = [_statement(["s3:GetObject"], f"arn:aws:s3:::{bucket}/*")]
    if listable:
        statements.append(_statement(["s3:ListBucket"], f"arn:aws:s3:::{bucket}"))
    return _document(*statements)


def read_only_prefix(bucket: str, prefix: str) -> Policy:
    """Anyone may read the objects under ``prefix`` (e.g. ``"avatars/"``) and nothing else."""
    return _document(_statement(["s3:GetObject"], f"arn:aws:s3:::{bucket}/{prefix}*"))


def write_only_prefix(bucket: str, prefix: str) -> Policy:
    """Anyone may upload under ``prefix`` but not read or list: a drop box."""
    return _document(_statement(["s3:PutObject"], f"arn:aws:s3:::{bucket}/{prefix}*"))
