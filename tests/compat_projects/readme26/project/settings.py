"""Settings of a project that follows the seed README (django-minio-backend 2.6), steps 2 and 3."""

import os
from datetime import timedelta
from pathlib import Path
from typing import List, Tuple

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "readme26-tests-only"
DEBUG = False
ALLOWED_HOSTS: List[str] = []
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django_minio_backend.apps.DjangoMinioBackendConfig",  # https://github.com/theriverman/django-minio-backend
    "attachments",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PROJECT_DATABASE", BASE_DIR / "db.sqlite3"),
    }
}
USE_TZ = True
TIME_ZONE = "UTC"

MINIO_ENDPOINT = os.environ["MINIO_ENDPOINT"]
MINIO_ACCESS_KEY = os.environ["MINIO_ACCESS_KEY"]
MINIO_SECRET_KEY = os.environ["MINIO_SECRET_KEY"]
MINIO_USE_HTTPS = os.environ.get("MINIO_USE_HTTPS", "true") == "true"
MINIO_URL_EXPIRY_HOURS = timedelta(days=1)  # Default is 7 days (longest) if not defined
MINIO_CONSISTENCY_CHECK_ON_START = True
MINIO_PRIVATE_BUCKETS = [
    "django-backend-dev-private",
]
MINIO_PUBLIC_BUCKETS = [
    "django-backend-dev-public",
]
MINIO_POLICY_HOOKS: List[Tuple[str, dict]] = []

# Django 6.0 made BigAutoField the default; a 2.6-era project names the AutoField its migrations use.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
