"""``manage.py clean_orphaned_minio_files``: report, and on request delete, objects no row references
and abandoned multipart uploads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from django_minio_backend.discovery import project_storages
from django_minio_backend.orphans import BucketScope, abort_uploads, delete_orphans, find_orphans, scopes, stale_uploads


class Command(BaseCommand):
    help = (
        "List objects in the buckets of model FileFields that no row references, and multipart uploads "
        "there that were begun and never completed. Nothing is deleted without --delete; objects and "
        "uploads younger than --grace-hours are never touched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--delete", action="store_true", help="Delete the orphans and abort the uploads after reporting them."
        )
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
        grace = timedelta(hours=grace_hours)
        failures: list[str] = []
        for scope in found:
            self._incomplete_uploads(scope, grace, delete)
            orphans = list(find_orphans(scope, grace))
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
            self.stdout.write("Nothing was deleted; run with --delete to delete what is listed.")
        if failures:
            raise CommandError("Some orphans could not be deleted: " + "; ".join(failures))

    def _incomplete_uploads(self, scope: BucketScope, grace: timedelta, delete: bool) -> None:
        uploads = stale_uploads(scope, grace)
        if not uploads:
            return
        for upload in uploads:
            begun = f"begun {upload.initiated:%Y-%m-%d %H:%M}" if upload.initiated else "start time unknown"
            self.stdout.write(f"{scope.bucket}/{upload.key}  incomplete multipart upload, {begun}")
        self.stdout.write(f"{scope.bucket}: {len(uploads)} incomplete upload(s).")
        if delete:
            self.stdout.write(f"{scope.bucket}: aborted {abort_uploads(scope, uploads)} incomplete upload(s).")
