"""Settings of a project that follows the django-minio-backend 3.x README, step 3."""

import os
from datetime import timedelta
from pathlib import Path
from typing import List, Tuple

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "readme3x-tests-only"
DEBUG = False
ALLOWED_HOSTS: List[str] = []
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django_minio_backend",  # https://github.com/theriverman/django-minio-backend
    "attachments",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PROJECT_DATABASE", BASE_DIR / "db.sqlite3"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "Europe/Budapest"

MINIO_ENDPOINT = os.environ["MINIO_ENDPOINT"]
MINIO_EXTERNAL_ENDPOINT = os.environ["MINIO_ENDPOINT"]  # Default is same as MINIO_ENDPOINT
MINIO_EXTERNAL_ENDPOINT_USE_HTTPS = os.environ.get("MINIO_USE_HTTPS", "true") == "true"
MINIO_ACCESS_KEY = os.environ["MINIO_ACCESS_KEY"]
MINIO_SECRET_KEY = os.environ["MINIO_SECRET_KEY"]
MINIO_USE_HTTPS = os.environ.get("MINIO_USE_HTTPS", "true") == "true"
MINIO_URL_EXPIRY_HOURS = timedelta(days=1)  # Default is 7 days (longest) if not defined
MINIO_PRIVATE_BUCKETS = [
    "django-backend-dev-private",
    "my-media-files-bucket",
]
MINIO_PUBLIC_BUCKETS = [
    "django-backend-dev-public",
    "images-public",
]
MINIO_POLICY_HOOKS: List[Tuple[str, dict]] = []
MINIO_MEDIA_FILES_BUCKET = "my-media-files-bucket"  # replacement for MEDIA_ROOT
MINIO_BUCKET_CHECK_ON_SAVE = True  # Default: True // Creates bucket if missing, then save
