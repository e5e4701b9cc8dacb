"""System checks (``manage.py check``): every misconfiguration found without any network I/O.

Errors are ``django_minio_backend.E0xx`` and warnings ``W0xx``, each with a hint.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.conf import STATICFILES_STORAGE_ALIAS, settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import get_commands
from django.utils.module_loading import import_string

from .buckets import Problem, plan
from .conf import S3_MAX_PRESIGN_EXPIRY, endpoint_problem
from .discovery import StorageUse, project_storages
from .names import bucket_name_problem
from .startup import wants_start_check
from .staticfiles import MinioBackendStatic

_BUCKET_SETTINGS = ("MINIO_PRIVATE_BUCKETS", "MINIO_PUBLIC_BUCKETS", "MINIO_LISTABLE_BUCKETS")


def _option_problems(options: Mapping[str, Any], where: str) -> Iterator[Problem]:
    """Problems in one storage's raw options (``where`` says whose they are, or is empty)."""
    if not options["MINIO_ENDPOINT"]:
        yield Problem("E001", "MINIO_ENDPOINT is not set" + where + ".", "Set it to the server's host[:port].")
    elif bad := endpoint_problem("MINIO_ENDPOINT", options["MINIO_ENDPOINT"]):
        yield Problem("E003", bad[:-1] + where + ".", "Drop the scheme (use MINIO_USE_HTTPS) and any path.")
    if not options["MINIO_ACCESS_KEY"] or not options["MINIO_SECRET_KEY"]:
        yield Problem(
            "E002",
            "MINIO_ACCESS_KEY and MINIO_SECRET_KEY must both be set" + where + ".",
            "Read them from the environment rather than writing them into settings files.",
        )
    external = options["MINIO_EXTERNAL_ENDPOINT"]
    if external and (bad := endpoint_problem("MINIO_EXTERNAL_ENDPOINT", external)):
        yield Problem("E003", bad[:-1] + where + ".", "Drop the scheme (use MINIO_EXTERNAL_ENDPOINT_USE_HTTPS).")
    expiry = options["MINIO_URL_EXPIRY_HOURS"]
    if not isinstance(expiry, timedelta) or not timedelta(seconds=1) <= expiry <= S3_MAX_PRESIGN_EXPIRY:
        yield Problem(
            "E004",
            f"MINIO_URL_EXPIRY_HOURS must be a timedelta of at most 7 days, got {expiry!r}{where}.",
            "For example MINIO_URL_EXPIRY_HOURS = timedelta(hours=24).",
        )
    for setting in _BUCKET_SETTINGS:
        for name in options[setting] if isinstance(options[setting], (list, tuple)) else ():
            if reason := bucket_name_problem(name):
                message = f"{setting} has an invalid bucket name {name!r}{where}."
                yield Problem("E005", message, f"S3 requires {reason}.")


def _warnings(options: Mapping[str, Any], where: str) -> Iterator[checks.CheckMessage]:
    if options["MINIO_EXTERNAL_ENDPOINT"] and options["MINIO_EXTERNAL_ENDPOINT_USE_HTTPS"] is None:
        yield checks.Warning(
            f"MINIO_EXTERNAL_ENDPOINT is set without MINIO_EXTERNAL_ENDPOINT_USE_HTTPS{where}.",
            hint="URLs then use MINIO_USE_HTTPS's scheme; set the flag to say which scheme browsers must use.",
            id="django_minio_backend.W001",
        )


def _storage_problems(use: StorageUse, options_origin: str) -> Iterator[checks.CheckMessage | Problem]:
    # Settings shared by many storages are reported once; a storage's own options name where
    # they are set (a FileField using STORAGES['media'] reports that alias's problems once).
    where = f" ({options_origin})" if use.storage.storage_name or use.storage.options else ""
    try:
        options = use.storage.option_values()
    except ImproperlyConfigured as exc:
        yield Problem("E009", f"{exc}{where}", "Fix or remove the option.")
        return
    problems = list(_option_problems(options, where))
    yield from problems
    yield from _warnings(options, where)
    if problems:
        return
    try:
        bucket = use.storage.bucket
        public = use.storage.settings.public_buckets
    except ImproperlyConfigured as exc:
        yield Problem("E009", f"{exc}{where}", "Fix the setting it names.")
        return
    if reason := bucket_name_problem(bucket):
        yield Problem("E005", f"{use.origin} uses an invalid bucket name {bucket!r}.", f"S3 requires {reason}.")
    private = use.storage.settings.private_buckets
    if use.storage.is_public and bucket in private and bucket not in public:
        yield checks.Warning(
            f"{use.origin} serves static files publicly from bucket {bucket!r}, which MINIO_PRIVATE_BUCKETS "
            "lists; initialize_buckets makes it public.",
            hint="Move it to MINIO_PUBLIC_BUCKETS (or drop it from MINIO_PRIVATE_BUCKETS) to say so.",
            id="django_minio_backend.W005",
        )
    declared = (*private, *public)
    if use.model_field is not None and bucket not in declared and not use.storage.is_public:
        yield checks.Warning(
            f"{use.origin} stores files in bucket {bucket!r}, which is in neither MINIO_PRIVATE_BUCKETS "
            "nor MINIO_PUBLIC_BUCKETS.",
            hint="Declare it, so it is clear whether its files are public; initialize_buckets makes it private.",
            obj=use.model_field,
            id="django_minio_backend.W002",
        )


def _start_check_warning(uses: list[StorageUse]) -> Iterator[checks.CheckMessage]:
    from .apps import DjangoMinioBackendConfig

    config = apps.get_app_config("django_minio_backend")
    if any(map(wants_start_check, uses)) and not isinstance(config, DjangoMinioBackendConfig):
        yield checks.Warning(
            "MINIO_CONSISTENCY_CHECK_ON_START is True, but the on-start check only runs with "
            "'django_minio_backend.apps.DjangoMinioBackendConfig' in INSTALLED_APPS.",
            hint="Install the app by that path, or remove the setting.",
            id="django_minio_backend.W003",
        )


def _as_message(item: checks.CheckMessage | Problem) -> checks.CheckMessage:
    if isinstance(item, Problem):
        return checks.Error(item.message, hint=item.hint, id=f"django_minio_backend.{item.check_id}")
    return item


@checks.register(checks.Tags.files)
def check_configuration(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Every problem of every MinioBackend storage of the project, each reported once."""
    uses = project_storages()
    first_origins: dict[int, str] = {}
    for use in uses:
        first_origins.setdefault(id(use.storage), use.origin)
    found: list[checks.CheckMessage | Problem] = [
        item for use in uses for item in _storage_problems(use, first_origins[id(use.storage)])
    ]
    if not any(isinstance(item, Problem) for item in found):
        found += plan(uses)[1]
    found += _start_check_warning(uses)
    messages: list[checks.CheckMessage] = []
    for message in map(_as_message, found):
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
