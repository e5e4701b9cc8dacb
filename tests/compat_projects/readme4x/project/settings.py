"""Settings of a project that follows the django-minio-backend 4.x README and MIGRATIONS.md."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "readme4x-tests-only"
DEBUG = False
ALLOWED_HOSTS: list[str] = []
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.staticfiles",
    "django_minio_backend.apps.DjangoMinioBackendConfig",  # https://github.com/theriverman/django-minio-backend
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
STATIC_URL = "/static/"  # ignored, but Django requires it

MINIO_OPTIONS = {
    "MINIO_ENDPOINT": os.environ["MINIO_ENDPOINT"],
    "MINIO_ACCESS_KEY": os.environ["MINIO_ACCESS_KEY"],
    "MINIO_SECRET_KEY": os.environ["MINIO_SECRET_KEY"],
    "MINIO_USE_HTTPS": os.environ.get("MINIO_USE_HTTPS", "true") == "true",
    "MINIO_REGION": "us-east-1",
}

STORAGES = {  # -- ADDED in Django 4.2
    "default": {
        "BACKEND": "django_minio_backend.models.MinioBackend",
        "OPTIONS": {
            **MINIO_OPTIONS,
            "MINIO_URL_EXPIRY_HOURS": timedelta(days=1),
            "MINIO_CONSISTENCY_CHECK_ON_START": True,
            "MINIO_PRIVATE_BUCKETS": ["django-backend-dev-private", "my-media-files-bucket"],
            "MINIO_PUBLIC_BUCKETS": ["django-backend-dev-public"],
            "MINIO_DEFAULT_BUCKET": "my-media-files-bucket",
            "MINIO_BUCKET_CHECK_ON_SAVE": True,
            "MINIO_MULTIPART_UPLOAD": True,
            "MINIO_MULTIPART_THRESHOLD": 10 * 1024 * 1024,
            "MINIO_MULTIPART_PART_SIZE": 10 * 1024 * 1024,
            # passed on to put_object by 4.x
            "metadata": {"Project": "apollo", "Content-Disposition": "inline"},
            "tags": {"classification": "internal"},
            "num_parallel_uploads": 2,
        },
    },
    "staticfiles": {
        "BACKEND": "django_minio_backend.models.MinioBackendStatic",
        "OPTIONS": {
            **MINIO_OPTIONS,
            "MINIO_STATIC_FILES_BUCKET": "my-static-files-bucket",
            "MINIO_CONSISTENCY_CHECK_ON_START": True,
        },
    },
}
