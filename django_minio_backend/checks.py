"""System checks (``manage.py check``): every misconfiguration found without any network I/O.

Errors are ``django_minio_backend.E0xx`` and warnings ``W0xx``, each with a hint. A storage's
options are judged by conf's ``RULES``, under the ids and messages ``conf`` raises with; the
checks here add what only the whole project shows: buckets, fields, the app and its commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import STATICFILES_STORAGE_ALIAS, settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import get_commands
from django.utils.module_loading import import_string

from .buckets import plan
from .conf import BUCKET_NAME_HINT, Problem, problems
from .discovery import StorageUse, project_storages
from .names import bucket_name_problem
from .startup import wants_start_check
from .staticfiles import MinioBackendStatic


def _message(problem: Problem, where: str = "") -> checks.CheckMessage:
    """``problem`` as a check message; ``where`` (its options' origin) is added to the message."""
    level = checks.Warning if problem.check_id.startswith("W") else checks.Error
    message = f"{problem.message.removesuffix('.')} ({where})." if where else problem.message
    return level(message, hint=problem.hint, id=f"django_minio_backend.{problem.check_id}")


def _storage_messages(use: StorageUse, origin: str) -> Iterator[checks.CheckMessage]:
    """The problems of a storage's options (conf's rules), then of its bucket when they have none
    and it uses one.

    Settings shared by many storages are reported once; a storage's own options name where
    they are set (a FileField using STORAGES['media'] reports that alias's problems once).
    """
    own = use.storage.storage_name is not None or bool(use.storage.options)
    found = problems(use.storage.option_values())
    yield from (_message(problem, origin if own else "") for problem in found)
    if use.uses_bucket and not any(problem.is_error for problem in found):
        yield from _bucket_messages(use)


def _bucket_messages(use: StorageUse) -> Iterator[checks.CheckMessage]:
    try:
        bucket = use.storage.bucket
    except ImproperlyConfigured as exc:  # the storage has no bucket
        yield checks.Error(
            f"{str(exc).removesuffix('.')} ({use.origin}).",
            hint="Pass bucket_name, or set MINIO_DEFAULT_BUCKET (MINIO_STATIC_FILES_BUCKET for static files).",
            id="django_minio_backend.E021",
        )
        return
    if reason := bucket_name_problem(bucket):
        yield checks.Error(
            f"{use.origin} uses an invalid bucket name {bucket!r}: S3 requires {reason}.",
            hint=BUCKET_NAME_HINT,
            id="django_minio_backend.E005",
        )
    config = use.storage.settings
    public, private = config.public_buckets, config.private_buckets
    if use.storage.is_public and bucket in private and bucket not in public and not config.location:
        yield checks.Warning(
            f"{use.origin} serves static files publicly from bucket {bucket!r}, which MINIO_PRIVATE_BUCKETS "
            "lists; initialize_buckets makes it public.",
            hint="Move it to MINIO_PUBLIC_BUCKETS (or drop it from MINIO_PRIVATE_BUCKETS) to say so.",
            id="django_minio_backend.W005",
        )
    if use.model_field is not None and bucket not in (*private, *public) and not use.storage.is_public:
        yield checks.Warning(
            f"{use.origin} stores files in bucket {bucket!r}, which is in neither MINIO_PRIVATE_BUCKETS "
            "nor MINIO_PUBLIC_BUCKETS.",
            hint="Declare it, so it is clear whether its files are public; initialize_buckets makes it private.",
            obj=use.model_field,
            id="django_minio_backend.W002",
        )
    yield from _url_messages(use, bucket)


def _url_messages(use: StorageUse, bucket: str) -> Iterator[checks.CheckMessage]:
    config = use.storage.settings
    if config.public_url and not use.storage.is_public:
        yield checks.Warning(
            f"{use.origin} has MINIO_PUBLIC_URL, but bucket {bucket!r} is private: its URLs are presigned on "
            "the endpoint, never on that base URL.",
            hint="Set MINIO_PUBLIC_URL in the OPTIONS of the public storage only (the static files' one).",
            id="django_minio_backend.W015",
        )
    external_https = config.external_use_https if config.external_endpoint else config.connection.use_https
    if config.addressing_style == "virtual" and external_https and "." in bucket:
        yield checks.Warning(
            f"{use.origin} puts bucket {bucket!r} in the URLs' host name over HTTPS; with its dots, the name "
            "is no single label, so a wildcard certificate of the endpoint does not match it.",
            hint="Use a bucket name without dots, or MINIO_URL_ADDRESSING_STYLE = 'path'.",
            id="django_minio_backend.W016",
        )


def _start_check_warning(uses: list[StorageUse]) -> Iterator[checks.CheckMessage]:
    config = apps.get_app_config("django_minio_backend")
    if any(map(wants_start_check, uses)) and not getattr(config, "runs_start_check", False):
        yield checks.Warning(
            "MINIO_CONSISTENCY_CHECK_ON_START is True, but the on-start check only runs with "
            "'django_minio_backend.apps.DjangoMinioBackendConfig' in INSTALLED_APPS.",
            hint="Install the app by that path, or remove the setting.",
            id="django_minio_backend.W003",
        )


@checks.register(checks.Tags.files)
def check_configuration(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every problem of every MinioBackend storage of the project, each reported once."""
    uses = project_storages()
    first_origins: dict[int, str] = {}
    for use in uses:
        first_origins.setdefault(id(use.storage), use.origin)
    found = [message for use in uses for message in _storage_messages(use, first_origins[id(use.storage)])]
    if not any(message.is_serious() for message in found):
        found += map(_message, plan(uses)[1])
    found += _start_check_warning(uses)
    messages: list[checks.CheckMessage] = []
    for message in found:
        if message not in messages:
            messages.append(message)
    return messages


@checks.register(checks.Tags.staticfiles)
def check_collectstatic_command(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Warn when the staticfiles storage is ours but ``collectstatic`` would be Django's own."""
    backend = (settings.STORAGES.get(STATICFILES_STORAGE_ALIAS) or {}).get("BACKEND", "")
    try:
        storage_class = import_string(backend)
    except ImportError:
        return []
    if not (isinstance(storage_class, type) and issubclass(storage_class, MinioBackendStatic)):
        return []
    if get_commands().get("collectstatic") == "django_minio_backend":
        return []
    return [
        checks.Warning(
            "collectstatic is Django's own command, which sends requests for every file on every run.",
            hint="List 'django_minio_backend' above 'django.contrib.staticfiles' in INSTALLED_APPS "
            "so that its faster collectstatic is used.",
            obj=backend,
            id="django_minio_backend.W004",
        )
    ]
