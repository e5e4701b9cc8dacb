"""``manage.py is_minio_available``: the health check as a command (exit code 0 when available)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_minio_backend.storage import MinioBackend


class Command(BaseCommand):
    help = (
        "Ask the S3 server whether it answers and accepts the credentials (a health probe). "
        "Exit status 0 when it does, 1 when not."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=5.0, help="Seconds to wait at most (default 5).")
        parser.add_argument("--storage", help="A STORAGES alias to check (default: the MINIO_* settings).")

    def handle(
        self, *args: Any, timeout: float = 5.0, storage: str | None = None, verbosity: int = 1, **options: Any
    ) -> None:
        status = MinioBackend("", storage_name=storage).is_minio_available(timeout=timeout)
        if not status:
            raise CommandError(str(status))
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(str(status)))
