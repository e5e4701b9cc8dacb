"""Buckets as configured: what each bucket should be, and making the server match.

A bucket is private (no policy) or public (anyone may read its objects, and list
them only if it is in ``MINIO_LISTABLE_BUCKETS``); ``MINIO_POLICY_HOOKS`` add
statements to their own bucket's policy. A public storage with a location
(``MINIO_LOCATION``) makes only its prefix public: anyone may read the objects under
it, in a bucket that is otherwise private. ``reconcile`` creates a missing bucket
and replaces a policy that differs from the configured one (drift), in both
directions: a private bucket that became public is made private again.

With ``MINIO_CORS_ORIGINS``, the storage's bucket also gets CORS rules that let browsers at
those origins upload to it directly (``direct_uploads``); without, its CORS rules are left alone.

Each request ``reconcile`` sends is a ``Step`` with the permission (the IAM action on the
bucket) it needs; a request the server refuses fails with a message naming that permission.
Storages need none of these: only ``initialize_buckets``, the start check and
``MINIO_BUCKET_CHECK_ON_SAVE`` do (``docs/security.md`` lists what each feature needs).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from minio import Minio
from minio.error import S3Error

from . import s3api
from .client import get_client
from .conf import ConnectionSettings, MinioSettings, Problem
from .errors import MinioBackendError, translated_errors
from .health import server_status
from .policies import Policy, canonical, combine, hook_problems, public_read, read_only_prefix

ALREADY_EXISTS = ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")
DENIED = "AccessDenied"


@dataclass(frozen=True)
class Step:
    """One request of ``reconcile``: what it does to a bucket, and the permission it needs."""

    action: str  # a verb phrase: "Could not <action> bucket 'name'"
    permission: str


FIND = Step("find", "s3:ListBucket")
CREATE = Step("create", "s3:CreateBucket")
READ_POLICY = Step("read the policy of", "s3:GetBucketPolicy")
SET_POLICY = Step("set the policy of", "s3:PutBucketPolicy")
REMOVE_POLICY = Step("remove the policy of", "s3:DeleteBucketPolicy")
READ_CORS = Step("read the CORS rules of", "s3:GetBucketCORS")
SET_CORS = Step("set the CORS rules of", "s3:PutBucketCORS")
STEPS = (FIND, CREATE, READ_POLICY, SET_POLICY, REMOVE_POLICY, READ_CORS, SET_CORS)
"""Every request of ``reconcile``, in the order it may send them."""


@contextmanager
def _needs(step: Step, endpoint: str, bucket: str) -> Iterator[None]:
    """Run ``step``'s request; refused (AccessDenied), ``MinioBackendError`` naming its permission."""
    try:
        yield
    except S3Error as exc:
        if exc.code != DENIED:
            raise
        raise MinioBackendError(
            f"Could not {step.action} bucket {bucket!r} at {endpoint}: {exc.code}: the access key lacks "
            f"the permission {step.permission} on arn:aws:s3:::{bucket}."
        ) from exc


class BucketUser(Protocol):
    """What planning needs of a storage: its settings and its bucket, and whether that
    bucket counts (False for what only stands for the top-level ``MINIO_*`` settings:
    its bucket lists count, its default bucket does not)."""

    @property
    def config(self) -> MinioSettings: ...

    @property
    def bucket(self) -> str: ...

    @property
    def public(self) -> bool: ...

    @property
    def uses_bucket(self) -> bool: ...


@dataclass(frozen=True)
class BucketUse:
    """A ``BucketUser`` given by its values."""

    config: MinioSettings
    bucket: str
    public: bool
    uses_bucket: bool = True


@dataclass
class BucketSpec:
    """What one bucket should be. ``hooks`` are ``(label, policy)`` pairs from ``MINIO_POLICY_HOOKS``;
    ``public_prefixes`` are the locations of public storages in it, readable by anyone (not
    listable) when the bucket is not public as a whole, and ``private_prefixes`` those of private ones."""

    name: str
    public: bool = False
    listable: bool = False
    hooks: list[tuple[str, Policy]] = field(default_factory=list)
    public_prefixes: list[str] = field(default_factory=list)
    private_prefixes: list[str] = field(default_factory=list)
    cors_origins: tuple[str, ...] = ()  # origins browsers may upload from (MINIO_CORS_ORIGINS)

    def policy(self) -> Policy | None:
        """The bucket's whole policy document; None for a private bucket without hooks or public prefixes."""
        if self.public:
            documents = [public_read(self.name, listable=self.listable)]
        else:
            documents = [read_only_prefix(self.name, prefix) for prefix in self.public_prefixes]
        documents += [document for _, document in self.hooks]
        return combine(documents) if documents else None

    def describe_policy(self) -> str:
        parts = []
        if self.public:
            parts.append("anonymous read" + (" and list" if self.listable else " (not listable)"))
        else:
            parts += [f"anonymous read of {prefix!r} (not listable)" for prefix in self.public_prefixes]
        parts += [label for label, _ in self.hooks]
        return ", ".join(parts) or "private"


@dataclass
class Plan:
    """The buckets of one server connection, and what is wrong with the configuration."""

    connection: ConnectionSettings
    buckets: dict[str, BucketSpec] = field(default_factory=dict)


def plan(uses: Iterable[BucketUser]) -> tuple[list[Plan], list[Problem]]:
    """Group the project's buckets by connection and merge what each storage says of them."""
    plans: dict[ConnectionSettings, Plan] = {}
    problems: list[Problem] = []
    hook_sources: list[tuple[Plan, tuple[str, ...], Any]] = []
    uses = list(uses)
    # Static files are public whatever the lists say (as in 2.x-4.x); checks.py warns (W005).
    # With a location, only their prefix is.
    served_publicly = {
        (use.config.connection, use.bucket)
        for use in uses
        if use.uses_bucket and use.public and use.bucket not in use.config.public_buckets and not use.config.location
    }
    for use in uses:
        config = use.config
        current = plans.setdefault(config.connection, Plan(config.connection))
        wanted = [(name, False) for name in config.private_buckets if (config.connection, name) not in served_publicly]
        wanted += [(name, True) for name in config.public_buckets]
        if use.uses_bucket and not (use.public and config.location):
            wanted.append((use.bucket, use.public))  # a public location is added below: not the whole bucket
        for name, public in wanted:
            spec = current.buckets.setdefault(name, BucketSpec(name, public))
            if spec.public != public:
                problems.append(_conflict(name))
            spec.listable = spec.listable or (spec.public and name in config.listable_buckets)
        hook_sources.append((current, tuple(config.listable_buckets), config.policy_hooks))
    for use in uses:
        if use.uses_bucket:
            own = plans[use.config.connection].buckets.setdefault(use.bucket, BucketSpec(use.bucket))
            _add_location(own, use)
            own.cors_origins = tuple(dict.fromkeys((*own.cors_origins, *use.config.cors_origins)))
    for current, listable, hooks in _unique(hook_sources):
        problems += _listable_problems(current, listable)
        problems += _add_hooks(current, hooks)
    problems += [problem for current in plans.values() for problem in _location_overlaps(current)]
    return list(plans.values()), _unique(problems)


def _add_location(spec: BucketSpec, use: BucketUser) -> None:
    """Note the storage's location (``""`` for the whole bucket) among its bucket's public or private ones."""
    prefixes = spec.public_prefixes if use.public else spec.private_prefixes
    if use.config.location not in prefixes:
        prefixes.append(use.config.location)


def _location_overlaps(current: Plan) -> Iterator[Problem]:
    """A public location inside a private one, or the other way round: the private storage's
    names under the public prefix would be readable by anyone."""
    for spec in current.buckets.values():
        private = spec.private_prefixes if not spec.public else []
        for public in filter(None, spec.public_prefixes):  # "" (the whole bucket) public is E006's conflict
            for hidden in private:
                if public.startswith(hidden) or hidden.startswith(public):
                    yield Problem(
                        "E041",
                        f"In bucket {spec.name!r}, the public location {public!r} and the private location "
                        f"{hidden!r} overlap: some private files would be readable by anyone.",
                        "Give the public and the private storages locations that are not inside each other, "
                        "such as 'static/' and 'media/'.",
                    )


def _unique(items: list[Any]) -> list[Any]:
    """``items`` without repeats (storages sharing settings report the same things), in order."""
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _conflict(name: str) -> Problem:
    return Problem(
        "E006",
        f"Bucket {name!r} is configured both private and public.",
        "List it in only one of MINIO_PRIVATE_BUCKETS and MINIO_PUBLIC_BUCKETS.",
    )


def _listable_problems(current: Plan, listable: tuple[str, ...]) -> list[Problem]:
    return [
        Problem(
            "E010",
            f"MINIO_LISTABLE_BUCKETS names {name!r}, which is not a public bucket.",
            "Only public buckets can be listable: add it to MINIO_PUBLIC_BUCKETS or remove it.",
        )
        for name in listable
        if not (name in current.buckets and current.buckets[name].public)
    ]


_HOOK_HINT = (
    "A hook is (bucket_name, policy) where policy is a bucket policy dict whose resources are in that "
    "bucket; django_minio_backend.policies builds common ones."
)


def _add_hooks(current: Plan, hooks: tuple[Any, ...]) -> list[Problem]:
    problems = []
    for index, hook in enumerate(hooks):
        label = f"MINIO_POLICY_HOOKS[{index}]"
        if not (isinstance(hook, (tuple, list)) and len(hook) == 2 and isinstance(hook[0], str)):
            problems.append(Problem("E008", f"{label} is not a (bucket_name, policy_dict) pair.", _HOOK_HINT))
            continue
        bucket, document = hook
        if bucket not in current.buckets:
            problems.append(
                Problem(
                    "E007",
                    f"{label} is for bucket {bucket!r}, which no storage or bucket list declares.",
                    "Add the bucket to MINIO_PRIVATE_BUCKETS or MINIO_PUBLIC_BUCKETS, or fix the hook's bucket name.",
                )
            )
            continue
        reasons = hook_problems(bucket, document)
        if reasons:
            problems.append(Problem("E008", f"{label} for bucket {bucket!r}: {'; '.join(reasons)}.", _HOOK_HINT))
            continue
        spec = current.buckets[bucket]
        if document not in [known for _, known in spec.hooks]:
            spec.hooks.append((label, document))
    return problems


@dataclass
class Report:
    """What ``reconcile`` did (or, in a dry run, would do) to one bucket."""

    bucket: str
    dry_run: bool
    changes: list[str] = field(default_factory=list)
    created: bool = False

    def note(self, planned: str, done: str, step: Step) -> None:
        """Record a change: in a dry run, what would be done and the permission it needs."""
        self.changes.append(f"would {planned} [needs {step.permission}]" if self.dry_run else done)


def reconcile(client: Minio, spec: BucketSpec, connection: ConnectionSettings, *, dry_run: bool = False) -> Report:
    """Make bucket ``spec.name`` exist with exactly the configured policy.

    Raises ``MinioBackendError`` naming the bucket (and the hooks, when the server
    rejects the policy built from them, or the permission, when it refuses a ``Step``).
    A dry run sends only ``FIND`` and ``READ_POLICY``, and says which permission each change needs.
    """
    report = Report(spec.name, dry_run)
    region = connection.region
    desired = spec.policy()

    def needs(step: Step) -> Any:
        return _needs(step, connection.endpoint, spec.name)

    with translated_errors("configure bucket", connection.endpoint, spec.name):
        with needs(FIND):
            exists = client.bucket_exists(spec.name)
        if not exists:
            report.note(f"create it in region {region}", f"created in region {region}", CREATE)
            if not dry_run:
                with needs(CREATE):
                    report.created = _create(client, spec.name, region)
        if spec.cors_origins:
            _reconcile_cors(client, spec, report, needs, exists=exists)
        with needs(READ_POLICY):
            current = _current_policy(client, spec.name) if exists else None
        if canonical(current) == canonical(desired):
            return report
        if desired is None:
            report.note("remove its policy (make it private)", "policy removed: private again", REMOVE_POLICY)
            if not dry_run:
                with needs(REMOVE_POLICY):
                    client.delete_bucket_policy(spec.name)
            return report
        report.note(f"set its policy: {spec.describe_policy()}", f"policy set: {spec.describe_policy()}", SET_POLICY)
        if not dry_run:
            with needs(SET_POLICY):
                _set_policy(client, spec, desired, connection.endpoint)
    return report


CORS_METHODS = ("GET", "HEAD", "PUT", "POST")
CORS_EXPOSED = ("ETag",)  # the browser reads each part's ETag


def _reconcile_cors(client: Minio, spec: BucketSpec, report: Report, needs: Any, *, exists: bool) -> None:
    """Give the bucket one CORS rule for ``spec.cors_origins``, unless it has exactly that. A server
    without CORS support (``NotImplemented``) is reported: a proxy in front must answer CORS."""
    rule = s3api.CorsRule(spec.cors_origins, CORS_METHODS, CORS_EXPOSED, max_age=3600)
    try:
        with needs(READ_CORS):
            current = s3api.get_bucket_cors(client, spec.name) if exists else None
        if current is not None and _cors_rules(current) == [rule]:
            return
        origins = ", ".join(spec.cors_origins)
        report.note(f"set its CORS rules for {origins}", f"CORS rules set for {origins}", SET_CORS)
        if not report.dry_run:
            with needs(SET_CORS):
                s3api.put_bucket_cors(client, spec.name, [rule])
    except S3Error as exc:
        if exc.code != "NotImplemented":
            raise
        report.changes.append("CORS rules not supported by the server: the proxy in front must answer them")


def _cors_rules(document: str) -> list[s3api.CorsRule]:
    r"""The rules of a CORS configuration document, as ``s3api.CorsRule``\ s."""
    root = ET.fromstring(document)  # noqa: S314 - the configured server's answer
    rules = []
    for element in root.iter():
        if element.tag.rpartition("}")[2] != "CORSRule":
            continue
        values: dict[str, list[str]] = {}
        for child in element:
            values.setdefault(child.tag.rpartition("}")[2], []).append((child.text or "").strip())
        rules.append(
            s3api.CorsRule(
                tuple(values.get("AllowedOrigin", [])),
                tuple(values.get("AllowedMethod", [])),
                tuple(values.get("ExposeHeader", [])),
                max_age=int((values.get("MaxAgeSeconds") or ["0"])[0] or 0),
            )
        )
    return rules


def _create(client: Minio, bucket: str, region: str) -> bool:
    """Create ``bucket``; False if another process created it meanwhile."""
    try:
        client.make_bucket(bucket, location=region)
    except S3Error as exc:
        if exc.code not in ALREADY_EXISTS:
            raise
        return False
    return True


def _current_policy(client: Minio, bucket: str) -> Policy | None:
    try:
        policy: Policy = json.loads(client.get_bucket_policy(bucket))
    except S3Error as exc:
        if exc.code == "NoSuchBucketPolicy":
            return None
        raise
    return policy


def _set_policy(client: Minio, spec: BucketSpec, policy: Policy, endpoint: str) -> None:
    try:
        client.set_bucket_policy(spec.name, json.dumps(policy))
    except S3Error as exc:
        if exc.code not in ("MalformedPolicy", "InvalidPolicyDocument") or not spec.hooks:
            raise
        hooks = ", ".join(label for label, _ in spec.hooks)
        raise MinioBackendError(
            f"{endpoint} rejected the policy of bucket {spec.name!r} built from {hooks}: {exc.code}: {exc.message}"
        ) from None


def server_problem(connection: ConnectionSettings) -> str | None:
    """Why the server cannot be configured now (unreachable, credentials refused), or None.

    One request, no retries, bounded by ``MINIO_CONNECT_TIMEOUT``: a server that is
    down fails fast instead of through every retry of every bucket.
    """
    status = server_status(connection, connection.connect_timeout)
    return None if status else status.details


@dataclass
class Outcome:
    """The result of ``initialize``: a report per bucket reached, and what failed."""

    reports: list[Report] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return sum(len(report.changes) for report in self.reports)


def initialize(uses: Iterable[BucketUser], *, dry_run: bool = False) -> Outcome:
    """Reconcile every configured bucket of every server; the work of ``initialize_buckets``.

    Raises ``ImproperlyConfigured`` (nothing sent) when the configuration is wrong.
    An unreachable server or a failed bucket is recorded in ``failures`` and the
    remaining buckets are still reconciled.
    """
    plans, problems = plan(uses)
    if problems:
        raise ImproperlyConfigured(" ".join(f"{problem.message} {problem.hint}" for problem in problems))
    outcome = Outcome()
    for current in plans:
        unavailable = server_problem(current.connection)
        if unavailable:
            outcome.failures.append(unavailable)
            continue
        client = get_client(current.connection)
        for spec in current.buckets.values():
            try:
                outcome.reports.append(reconcile(client, spec, current.connection, dry_run=dry_run))
            except MinioBackendError as exc:
                outcome.failures.append(str(exc))
    return outcome
