"""``manage.py clean_orphaned_minio_files``: report, and on request delete, objects no row references
and abandoned multipart uploads."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from django_minio_backend.discovery import project_storages
from django_minio_backend.orphans import (
    BucketScope,
    Orphan,
    abort_uploads,
    delete_orphans,
    find_orphans,
    scopes,
    stale_uploads,
)
from django_minio_backend.s3api import IncompleteUpload


@dataclass
class Found:
    """What one bucket holds that nothing needs."""

    scope: BucketScope
    uploads: list[IncompleteUpload]
    orphans: list[Orphan]


class Command(BaseCommand):
    help = (
        "List objects in the buckets of model FileFields that no row references, and multipart uploads "
        "there that were begun and never completed. Nothing is deleted without --delete, which asks for "
        "confirmation unless --no-input is given; objects and uploads younger than --grace-hours are never "
        "touched. Exit status 0 on success, 1 when something could not be listed or deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--delete", action="store_true", help="Delete the orphans and abort the uploads after reporting them."
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="With --delete, do not ask for confirmation.",
        )
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=6.0,
            help="Leave objects younger than this alone (default 6), so in-flight uploads are safe.",
        )
        parser.add_argument("--bucket", help="Only this bucket.")

    def handle(
        self,
        *args: Any,
        delete: bool,
        interactive: bool = True,
        grace_hours: float,
        bucket: str | None,
        verbosity: int = 1,
        **options: Any,
    ) -> None:
        if grace_hours < 0:
            raise CommandError("--grace-hours must not be negative.")
        in_scope = scopes(project_storages(), bucket)
        if not in_scope:
            raise CommandError(f"No model FileField stores into {'bucket ' + repr(bucket) if bucket else 'MinIO'}.")
        grace = timedelta(hours=grace_hours)
        found = [Found(scope, stale_uploads(scope, grace), list(find_orphans(scope, grace))) for scope in in_scope]
        if verbosity >= 1:
            for each in found:
                self._report(each)
        if not delete:
            if verbosity >= 1:
                self.stdout.write("Nothing was deleted; run with --delete to delete what is listed.")
            return
        if not any(each.orphans or each.uploads for each in found):
            return
        if interactive:
            self._confirm(found)
        failures: list[str] = []
        for each in found:
            failures += self._delete(each, verbosity)
        if failures:
            raise CommandError("Some orphans could not be deleted: " + "; ".join(failures))

    def _report(self, found: Found) -> None:
        bucket = found.scope.bucket
        for upload in found.uploads:
            begun = f"begun {upload.initiated:%Y-%m-%d %H:%M}" if upload.initiated else "start time unknown"
            key = found.scope.storage.bucket_objects.key(upload.key)  # uploads are named within the location
            self.stdout.write(f"{bucket}/{key}  incomplete multipart upload, {begun}")
        if found.uploads:
            self.stdout.write(f"{bucket}: {len(found.uploads)} incomplete upload(s).")
        for orphan in found.orphans:
            self.stdout.write(
                f"{orphan.bucket}/{orphan.key}  {orphan.size} bytes  {orphan.last_modified:%Y-%m-%d %H:%M}"
            )
        total = sum(orphan.size for orphan in found.orphans)
        self.stdout.write(f"{bucket}: {len(found.orphans)} orphaned object(s), {filesizeformat(total)}.")

    def _confirm(self, found: list[Found]) -> None:
        """Ask on a terminal, as ``flush`` does; refuse without one rather than delete unasked."""
        objects = sum(len(each.orphans) for each in found)
        uploads = sum(len(each.uploads) for each in found)
        if not sys.stdin.isatty():
            raise CommandError("Refusing to delete without confirmation: run on a terminal, or pass --no-input.")
        answer = input(
            f"This deletes {objects} object(s) and aborts {uploads} incomplete upload(s) for good.\n"
            "Type 'yes' to continue, or 'no' to cancel: "
        )
        if answer != "yes":
            raise CommandError("Cancelled; nothing was deleted.")

    def _delete(self, found: Found, verbosity: int) -> list[str]:
        bucket = found.scope.bucket
        if found.uploads:
            aborted = abort_uploads(found.scope, found.uploads)
            if verbosity >= 1:
                self.stdout.write(f"{bucket}: aborted {aborted} incomplete upload(s).")
        if not found.orphans:
            return []
        errors = delete_orphans(found.scope.storage, found.orphans)
        if verbosity >= 1 and not errors:
            self.stdout.write(f"{bucket}: deleted {len(found.orphans)}.")
        return errors
