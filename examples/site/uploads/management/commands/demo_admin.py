"""``manage.py demo_admin USERNAME``: create the demo's superuser, or reset its password.

The password is read from ``DJANGO_SUPERUSER_PASSWORD`` (as ``createsuperuser --noinput``
does), so it never shows in the process list. Running it again changes nothing else.
"""

import os
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create or update a superuser whose password is in DJANGO_SUPERUSER_PASSWORD."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not password:
            raise CommandError("Set DJANGO_SUPERUSER_PASSWORD.")
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"{'Created' if created else 'Updated'} superuser {username!r}.")
