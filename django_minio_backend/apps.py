"""App configurations.

``'django_minio_backend'`` registers the system checks and does no network I/O at
start. ``'django_minio_backend.apps.DjangoMinioBackendConfig'`` does the same and,
with ``MINIO_CONSISTENCY_CHECK_ON_START = True``, runs ``initialize_buckets`` once
as Django starts.
"""

from __future__ import annotations

from django.apps import AppConfig


class MinioBackendConfig(AppConfig):
    name = "django_minio_backend"
    verbose_name = "MinIO storage backend"
    default = True
    runs_start_check = False
    """Whether ``ready()`` runs the check ``MINIO_CONSISTENCY_CHECK_ON_START`` asks for (W003 reads it)."""

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)

        if self.runs_start_check:
            from .discovery import project_storages
            from .startup import check_buckets_on_start, wants_start_check

            uses = project_storages()
            if any(map(wants_start_check, uses)):
                check_buckets_on_start(uses)


class DjangoMinioBackendConfig(MinioBackendConfig):
    """Adds the on-start consistency check (``MINIO_CONSISTENCY_CHECK_ON_START``)."""

    default = False
    runs_start_check = True
