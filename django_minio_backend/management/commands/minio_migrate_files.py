"""``manage.py minio_migrate_files``: copy existing files (e.g. MEDIA_ROOT) into a MinioBackend storage."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from django_minio_backend.discovery import file_fields, referenced_names
from django_minio_backend.filecopy import Result, all_names, copy_files
from django_minio_backend.storage import MinioBackend


class Command(BaseCommand):
    help = (
        "Copy files from another storage (default: FileSystemStorage at MEDIA_ROOT) into a MinioBackend "
        "storage, under the same names. Streamed, parallel, verified, resumable; the source is only read."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--source-dir", help="Copy from this directory (default: MEDIA_ROOT).")
        source.add_argument("--source", help="Copy from this STORAGES alias.")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--target", default="default", help="The MinioBackend STORAGES alias to copy into.")
        target.add_argument("--bucket", help="Copy into this bucket (a MinioBackend with the MINIO_* settings).")
        parser.add_argument("--referenced", action="store_true", help="Only files that model FileFields refer to.")
        parser.add_argument("--jobs", type=int, default=4, help="Files copied at once (default 4).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would be copied; copy nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["jobs"] < 1:
            raise CommandError("--jobs must be at least 1.")
        source, target = self._source(options), self._target(options)
        names = list(referenced_names(file_fields()) if options["referenced"] else all_names(source))
        if options["referenced"]:
            present = [name for name in names if source.exists(name)]
            if len(present) < len(names):
                self.stderr.write(f"{len(names) - len(present)} referenced file(s) are not in the source; skipped.")
            names = present
        self.stdout.write(f"{len(names)} file(s) to consider, into bucket {target.bucket!r}.")
        progress = Progress(self, len(names))
        results = copy_files(
            source, target, names, jobs=options["jobs"], dry_run=options["dry_run"], on_result=progress.update
        )
        progress.finish(results)
        failed = [result for result in results if result.status == "failed"]
        if failed:
            raise CommandError(f"{len(failed)} file(s) failed; run again to retry them.")

    def _source(self, options: dict[str, Any]) -> Storage:
        if options["source"]:
            return storages[options["source"]]
        location = options["source_dir"] or settings.MEDIA_ROOT
        if not location:
            raise CommandError("MEDIA_ROOT is not set: pass --source-dir or --source.")
        return FileSystemStorage(location=location)

    def _target(self, options: dict[str, Any]) -> MinioBackend:
        target = MinioBackend(options["bucket"]) if options["bucket"] else storages[options["target"]]
        if not isinstance(target, MinioBackend):
            raise CommandError(f"STORAGES[{options['target']!r}] is not a MinioBackend; pass --target or --bucket.")
        return target


class Progress:
    """A one-line progress display on a terminal; failures are always printed."""

    def __init__(self, command: BaseCommand, total: int):
        self.command, self.total, self.done, self.bytes = command, total, 0, 0
        self.started = time.monotonic()
        self.interactive = command.stdout.isatty()

    def update(self, result: Result) -> None:
        self.done += 1
        self.bytes += result.size if result.status == "copied" else 0
        if result.status == "failed":
            self.command.stderr.write(f"failed: {result.name}: {result.reason}")
        if self.interactive:
            self.command.stdout.write(f"\r{self.done}/{self.total} files, {filesizeformat(self.bytes)}", ending="")

    def finish(self, results: list[Result]) -> None:
        if self.interactive:
            self.command.stdout.write("")
        elapsed = max(time.monotonic() - self.started, 1e-6)
        counts = {
            status: sum(r.status == status for r in results) for status in ("copied", "would-copy", "skipped", "failed")
        }
        summary = ", ".join(f"{count} {status}" for status, count in counts.items() if count or status != "would-copy")
        rate = filesizeformat(self.bytes / elapsed)
        self.command.stdout.write(f"{summary}; {filesizeformat(self.bytes)} in {elapsed:.1f}s ({rate}/s).")
