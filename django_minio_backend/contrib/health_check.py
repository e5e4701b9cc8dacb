"""A check for django-health-check (4.x, and 3.24+) that asks the S3 server if it is usable.

django-health-check 4.x: list it in the view's checks::

    path("ht/", HealthCheckView.as_view(checks=[
        "health_check.checks.Database",
        "django_minio_backend.contrib.health_check.MinioHealthCheck",
        ("django_minio_backend.contrib.health_check.MinioHealthCheck", {"alias": "media"}),
    ]))

django-health-check 3.x: register it in an ``AppConfig.ready()``::

    plugin_dir.register(MinioHealthCheck)
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

from health_check.exceptions import ServiceUnavailable

from ..storage import MinioBackend

try:
    from health_check.base import HealthCheck
except ImportError:  # django-health-check 3.x
    from health_check.backends import HealthCheck


@dataclasses.dataclass
class MinioHealthCheck(HealthCheck):  # type: ignore[misc]
    """Unavailable unless the server answers and accepts the credentials (one request, no retries).

    ``alias`` names a ``STORAGES`` entry whose OPTIONS to use; by default the ``MINIO_*``
    settings. The failure text is ``is_minio_available()``'s details: no credentials.
    """

    alias: str | None = None
    timeout: timedelta = dataclasses.field(default=timedelta(seconds=5), repr=False)

    def run(self) -> None:
        """django-health-check 4.x entry point: raise ``ServiceUnavailable`` when down."""
        status = MinioBackend("", storage_name=self.alias).is_minio_available(self.timeout.total_seconds())
        if not status:
            raise ServiceUnavailable(status.details)

    def check_status(self, subset: Any = None) -> None:
        """django-health-check 3.x entry point."""
        self.run()
