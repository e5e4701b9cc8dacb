"""``manage.py initialize_buckets``: create the configured buckets and correct their policies."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from django_minio_backend.buckets import Outcome, initialize
from django_minio_backend.discovery import project_storages


class Command(BaseCommand):
    help = (
        "Create every configured bucket that is missing and give each exactly its configured policy "
        "(private, public read, MINIO_POLICY_HOOKS). Safe to run again: a second run changes nothing. "
        "Exit status 0 when every bucket is as configured, 1 when the configuration or a bucket failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; change nothing.")
        parser.add_argument(
            "--silenced", action="store_true", help="Print nothing unless something fails (as --verbosity 0)."
        )

    def handle(
        self, *args: Any, verbosity: int = 1, silenced: bool = False, dry_run: bool = False, **options: Any
    ) -> None:
        try:
            outcome = initialize(project_storages(), dry_run=dry_run)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        self._print(outcome, dry_run, 0 if silenced else verbosity)
        if outcome.failures:
            raise CommandError(f"initialize_buckets failed: {'; '.join(outcome.failures)}")

    def _print(self, outcome: Outcome, dry_run: bool, verbosity: int) -> None:
        """Every bucket and a summary; nothing at verbosity 0."""
        if verbosity < 1:
            return
        for report in outcome.reports:
            self.stdout.write(f"{report.bucket}: {'; '.join(report.changes) or 'up to date'}")
        buckets = len(outcome.reports)
        if outcome.changes == 0:
            self.stdout.write(self.style.SUCCESS(f"Nothing to change: {buckets} bucket(s) as configured."))
        elif dry_run:
            self.stdout.write(f"Dry run: {outcome.changes} change(s) would be made; nothing was changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Done: {outcome.changes} change(s) in {buckets} bucket(s)."))
