"""Small public helpers: date-prefixed upload paths and the health-check status."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone


def get_iso_date() -> str:
    """Today's date as ``YYYY-MM-DD``, in the project's time zone."""
    today = timezone.localdate() if settings.USE_TZ else datetime.date.today()
    return today.isoformat()


def iso_date_prefix(instance: Any, filename: str) -> str:
    """An ``upload_to`` callable: ``YYYY-MM-DD/filename``."""
    return f"{get_iso_date()}/{filename}"


def as_django_datetime(moment: datetime.datetime) -> datetime.datetime:
    """An aware time as Django compares it: aware UTC with ``USE_TZ=True``, else naive ``TIME_ZONE`` time."""
    if settings.USE_TZ:
        return moment.astimezone(datetime.timezone.utc)
    return timezone.make_naive(moment, timezone.get_default_timezone())


class MinioServerStatus:
    """The answer of ``MinioBackend.is_minio_available()``: truthy when the server is usable.

    ``details`` says what was found in words a person can act on.
    """

    def __init__(self, is_available: bool, details: str):
        self.is_available = is_available
        self.details = details

    def __bool__(self) -> bool:
        return self.is_available

    def __str__(self) -> str:
        return ("available" if self.is_available else "unavailable") + f": {self.details}"

    def __repr__(self) -> str:
        return f"MinioServerStatus(is_available={self.is_available!r}, details={self.details!r})"
