"""App configurations.

``'django_minio_backend'`` registers the system checks and does no network I/O at
start. ``'django_minio_backend.apps.DjangoMinioBackendConfig'`` does the same and,
with ``MINIO_CONSISTENCY_CHECK_ON_START = True``, runs ``initialize_buckets`` once
as Django starts.
"""

from __future__ import annotations

import logging

from django.apps import AppConfig

logger = logging.getLogger("django_minio_backend")


class MinioBackendConfig(AppConfig):
    name = "django_minio_backend"
    verbose_name = "MinIO storage backend"
    default = True

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the checks)


class DjangoMinioBackendConfig(MinioBackendConfig):
    """Adds the on-start consistency check (``MINIO_CONSISTENCY_CHECK_ON_START``)."""

    default = False

    def ready(self) -> None:
        super().ready()
        from .discovery import project_storages
        from .startup import check_buckets_on_start, wants_start_check

        uses = project_storages()
        if any(map(wants_start_check, uses)):
            check_buckets_on_start(uses)
