"""``manage.py prepare_site``: everything the site needs before it serves, safe to repeat.

1. ``migrate``: the database tables;
2. ``initialize_buckets``: the buckets exist, with their policies (public or private);
3. ``collectstatic``: static files into the static bucket (only changed files are sent);
4. with ``DJANGO_SUPERUSER_PASSWORD`` set, a superuser (``DJANGO_SUPERUSER_USERNAME``,
   default ``admin``) with that password, created or updated. The password is read from
   the environment, as ``createsuperuser --noinput`` does, so it never shows in ``ps``.
"""

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, initialize the buckets, collect static files and set up the admin user."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        call_command("initialize_buckets", silenced=verbosity < 1)
        call_command("collectstatic", interactive=False, verbosity=verbosity)
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if password:
            username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "admin")
            user, created = get_user_model().objects.get_or_create(username=username)
            user.is_staff = user.is_superuser = True
            user.set_password(password)
            user.save()
            self.stdout.write(f"{'Created' if created else 'Updated'} the superuser {username!r}.")
