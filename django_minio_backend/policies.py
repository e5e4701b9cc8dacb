"""Bucket policy documents (AWS IAM policy language, which MinIO and other S3 servers read).

Use them in ``MINIO_POLICY_HOOKS``: ``[("my-bucket", read_only_prefix("my-bucket", "avatars/"))]``.
"""

from __future__ import annotations

import json
from typing import Any

Policy = dict[str, Any]


def _allow_anyone(actions: list[str], resource: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": actions, "Resource": [resource]}


def _document(*statements: dict[str, Any]) -> Policy:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def public_read(bucket: str, *, listable: bool = False) -> Policy:
    """Anyone may read every object; listing the bucket only when ``listable``."""
    statements = [_allow_anyone(["s3:GetObject"], f"arn:aws:s3:::{bucket}/*")]
    if listable:
        statements.append(_allow_anyone(["s3:ListBucket"], f"arn:aws:s3:::{bucket}"))
    return _document(*statements)


def read_only_prefix(bucket: str, prefix: str) -> Policy:
    """Anyone may read the objects under ``prefix`` (e.g. ``"avatars/"``) and nothing else."""
    return _document(_allow_anyone(["s3:GetObject"], f"arn:aws:s3:::{bucket}/{prefix}*"))


def write_only_prefix(bucket: str, prefix: str) -> Policy:
    """Anyone may upload under ``prefix`` but not read or list: a drop box."""
    return _document(_allow_anyone(["s3:PutObject"], f"arn:aws:s3:::{bucket}/{prefix}*"))


def combine(documents: list[Policy]) -> Policy:
    """One document holding the statements of all ``documents`` (a bucket has one policy)."""
    return _document(*(statement for document in documents for statement in _statements(document)))


def _statements(document: Policy) -> list[dict[str, Any]]:
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _as_sorted_list(value: Any) -> list[Any]:
    values = value if isinstance(value, list) else [value]
    return sorted(values, key=json.dumps)


def _sorted_lists(mapping: Any) -> Any:
    """``{key: value}`` with every value as a sorted list; anything else unchanged."""
    if not isinstance(mapping, dict):
        return mapping
    return {key: _as_sorted_list(value) for key, value in mapping.items()}


def _canonical_statement(statement: dict[str, Any]) -> str:
    normal = {key: value for key, value in statement.items() if key != "Sid"}
    if normal.get("Principal") == "*":
        normal["Principal"] = {"AWS": "*"}
    normal["Principal"] = _sorted_lists(normal.get("Principal"))
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in normal:
            normal[key] = _as_sorted_list(normal[key])
    if isinstance(normal.get("Condition"), dict):
        normal["Condition"] = {operator: _sorted_lists(tests) for operator, tests in normal["Condition"].items()}
    return json.dumps(normal, sort_keys=True)


def canonical(document: Policy | None) -> list[str]:
    """A form of ``document`` that is equal for equal policies however a server re-serialises
    them (single values vs one-element lists, order of statements and values, Sids)."""
    return sorted(_canonical_statement(statement) for statement in _statements(document or {}))


def hook_problems(bucket: str, document: Any) -> list[str]:
    """Why ``document`` cannot be a policy hook for ``bucket`` (empty when it can)."""
    if not isinstance(document, dict):
        return [f"the policy must be a dict, got {type(document).__name__}"]
    statements = document.get("Statement")
    if not statements or not isinstance(statements, (dict, list)):
        return ["the policy has no 'Statement' list"]
    problems = []
    own = (f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/")
    for statement in _statements(document):
        if not isinstance(statement, dict) or "Effect" not in statement:
            problems.append(f"statement {statement!r} has no 'Effect'")
            continue
        for resource in _as_sorted_list(statement.get("Resource", [])):
            if not isinstance(resource, str) or not (resource == own[0] or resource.startswith(own[1])):
                problems.append(f"resource {resource!r} is not in bucket {bucket!r}")
    return problems
