"""The on-start consistency check: ``initialize_buckets`` as Django starts, failing fast."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from .buckets import initialize
from .discovery import StorageUse
from .errors import MinioBackendError

logger = logging.getLogger("django_minio_backend")


class ConsistencyCheckFailed(MinioBackendError):
    """The buckets could not be checked or corrected at start-up."""


def wants_start_check(use: StorageUse) -> bool:
    """Whether ``MINIO_CONSISTENCY_CHECK_ON_START`` is on for this storage. Read without
    validating the other options, so a mistake in them is left to the system checks."""
    return bool(use.storage.option_values()["MINIO_CONSISTENCY_CHECK_ON_START"])


def check_buckets_on_start(uses: Sequence[StorageUse]) -> None:
    """Create and correct every configured bucket, or raise one ``ConsistencyCheckFailed``.

    A server that is down fails within ``MINIO_CONNECT_TIMEOUT`` (one request, no retries).
    """
    outcome = initialize(uses)
    for report in outcome.reports:
        for change in report.changes:
            logger.info("Bucket %r: %s", report.bucket, change)
    if outcome.failures:
        raise ConsistencyCheckFailed(
            f"MINIO_CONSISTENCY_CHECK_ON_START: {'; '.join(outcome.failures)}. Start the server, fix the "
            "settings, or set MINIO_CONSISTENCY_CHECK_ON_START = False."
        )
