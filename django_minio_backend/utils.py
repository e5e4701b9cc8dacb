"""Small public helpers: date-prefixed upload paths, the health-check status, and the 2.x-4.x
names of this module (``get_setting``, ``get_storages_setting``, ``ConfigurationError``,
``PrivatePublicMixedError``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

__all__ = [
    "ConfigurationError",
    "MinioServerStatus",
    "PrivatePublicMixedError",
    "get_iso_date",
    "get_setting",
    "get_storages_setting",
    "iso_date_prefix",
]


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


def get_setting(name: str, default: Any = None) -> Any:
    """The top-level Django setting ``name``, or ``default`` when it is not set (as in 2.x-4.x)."""
    return getattr(settings, name, default)


def get_storages_setting(storage_name: str, name: str, default: Any = None) -> Any:
    """Option ``name`` as the storages of ``STORAGES[storage_name]`` read it: from that alias's
    OPTIONS, else the top-level setting, else ``default``."""
    options = (getattr(settings, "STORAGES", {}).get(storage_name) or {}).get("OPTIONS") or {}
    return options[name] if name in options else get_setting(name, default)


class ConfigurationError(ImproperlyConfigured):
    """The storage's settings are wrong (also Django's ``ImproperlyConfigured``)."""


class PrivatePublicMixedError(ConfigurationError):
    """A bucket is configured both private and public."""


class MinioServerStatus:
    """The answer of ``MinioBackend.is_minio_available()``: truthy when the server is usable.

    ``details`` says what was found in words a person can act on.
    """

    def __init__(self, is_available: bool, details: str = ""):
        self.is_available = bool(is_available)
        self.details = details

    def add_message(self, text: str) -> None:
        """Add a line to ``details`` (2.x-4.x)."""
        self.details = f"{self.details}\n{text}" if self.details else text

    def __bool__(self) -> bool:
        return self.is_available

    def __str__(self) -> str:
        return ("available" if self.is_available else "unavailable") + f": {self.details}"

    def __repr__(self) -> str:
        return f"MinioServerStatus(is_available={self.is_available!r}, details={self.details!r})"
