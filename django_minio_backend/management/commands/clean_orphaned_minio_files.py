"""``manage.py clean_orphaned_minio_files``: report, and on request delete, objects no row references."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from django_minio_backend.discovery import project_storages
from django_minio_backend.orphans import delete_orphans, find_orphans, scopes


class Command(BaseCommand):
    help = (
        "List objects in the buckets of model FileFields that no row references. Nothing is deleted "
        "without --delete; objects younger than --grace-hours are never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--delete", action="store_true", help="Delete the orphans after reporting them.")
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=6.0,
            help="Leave objects younger than this alone (default 6), so in-flight uploads are safe.",
        )
        parser.add_argument("--bucket", help="Only this bucket.")

    def handle(self, *args: Any, delete: bool, grace_hours: float, bucket: str | None, **options: Any) -> None:
        if grace_hours < 0:
            raise CommandError("--grace-hours must not be negative.")
        found = scopes(project_storages(), bucket)
        if not found:
            raise CommandError(f"No model FileField stores into {'bucket ' + repr(bucket) if bucket else 'MinIO'}.")
        failures: list[str] = []
        for scope in found:
            orphans = list(find_orphans(scope, timedelta(hours=grace_hours)))
            total = sum(orphan.size for orphan in orphans)
            for orphan in orphans:
                self.stdout.write(
                    f"{orphan.bucket}/{orphan.key}  {orphan.size} bytes  {orphan.last_modified:%Y-%m-%d %H:%M}"
                )
            self.stdout.write(f"{scope.bucket}: {len(orphans)} orphaned object(s), {filesizeformat(total)}.")
            if delete and orphans:
                errors = delete_orphans(scope.storage, orphans)
                failures += errors
                self.stdout.write(f"{scope.bucket}: deleted {len(orphans) - len(errors)}.")
        if not delete:
            self.stdout.write("Nothing was deleted; run with --delete to delete the orphans listed.")
        if failures:
            raise CommandError("Some orphans could not be deleted: " + "; ".join(failures))
