"""Settings of the example site: django-minio-backend in the 4.x ``STORAGES`` style.

Everything that differs between machines comes from the environment:

- ``MINIO_ENDPOINT`` (``host:port``), ``MINIO_ACCESS_KEY``, ``MINIO_SECRET_KEY``, ``MINIO_USE_HTTPS``;
- ``MINIO_EXTERNAL_ENDPOINT`` and ``MINIO_EXTERNAL_ENDPOINT_USE_HTTPS`` when browsers reach the
  server under another name than Django does (docker-compose.yml);
- ``DJANGO_SECRET_KEY``, ``DJANGO_DEBUG``, ``DJANGO_ALLOWED_HOSTS``, ``EXAMPLE_DATABASE`` (SQLite file);
- ``EXAMPLE_SITE_ORIGINS``: the site's origins, space-separated, for direct uploads' CORS rules.

``make demo`` sets them for a local S3 server; docker-compose.yml sets them for MinIO.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    """A yes/no environment variable: ``1``, ``true``, ``yes`` or ``on`` mean yes."""
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-site-not-secret-set-DJANGO_SECRET_KEY")
DEBUG = env_flag("DJANGO_DEBUG")
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Plain "django_minio_backend" sends nothing at start. To create and correct the buckets
    # as each process starts, install "django_minio_backend.apps.DjangoMinioBackendConfig"
    # and add "MINIO_CONSISTENCY_CHECK_ON_START": True to MINIO below.
    # Above staticfiles, so that its collectstatic (one listing, parallel uploads) is the one run.
    "django_minio_backend",
    "django.contrib.staticfiles",
    "uploads",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "exampleproject.urls"
WSGI_APPLICATION = "exampleproject.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("EXAMPLE_DATABASE", str(BASE_DIR / "db.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LOGIN_URL = "admin:login"

# django-minio-backend. Options shared by the three storages below; the secrets come from the
# environment, never from this file.
PRIVATE_BUCKET = "example-private"  # presigned URLs
PUBLIC_BUCKET = "example-public"  # plain URLs, anyone may read (not list) the objects
STATIC_BUCKET = "example-static"  # collectstatic writes here; MinioBackendStatic makes it public

_USE_HTTPS = env_flag("MINIO_USE_HTTPS")
MINIO = {
    "MINIO_ENDPOINT": os.environ.get("MINIO_ENDPOINT", "127.0.0.1:9000"),
    "MINIO_ACCESS_KEY": os.environ.get("MINIO_ACCESS_KEY", ""),
    "MINIO_SECRET_KEY": os.environ.get("MINIO_SECRET_KEY", ""),
    "MINIO_USE_HTTPS": _USE_HTTPS,
    # The host browsers use, when it is not the one Django uses (e.g. "localhost:9000" outside
    # docker-compose while Django talks to "minio:9000" inside). URLs are signed for it.
    "MINIO_EXTERNAL_ENDPOINT": os.environ.get("MINIO_EXTERNAL_ENDPOINT", ""),
    "MINIO_EXTERNAL_ENDPOINT_USE_HTTPS": env_flag("MINIO_EXTERNAL_ENDPOINT_USE_HTTPS", _USE_HTTPS),
    "MINIO_URL_EXPIRY_HOURS": timedelta(hours=1),  # lifetime of presigned URLs
    "MINIO_PRIVATE_BUCKETS": [PRIVATE_BUCKET],
    "MINIO_PUBLIC_BUCKETS": [PUBLIC_BUCKET],
    "MINIO_STATIC_FILES_BUCKET": STATIC_BUCKET,
    # The site's origins: initialize_buckets lets browsers there upload to the buckets directly.
    "MINIO_CORS_ORIGINS": os.environ.get("EXAMPLE_SITE_ORIGINS", "http://127.0.0.1:8000 http://localhost:8000").split(),
}

# Each alias is one bucket. The models reach them through callables (uploads/storages.py),
# so migrations record the callable, not a bucket name or an endpoint.
STORAGES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django_minio_backend.models.MinioBackend",
        "OPTIONS": {**MINIO, "MINIO_DEFAULT_BUCKET": PRIVATE_BUCKET},
    },
    "public": {
        "BACKEND": "django_minio_backend.models.MinioBackend",
        "OPTIONS": {**MINIO, "MINIO_DEFAULT_BUCKET": PUBLIC_BUCKET},
    },
    "staticfiles": {
        "BACKEND": "django_minio_backend.models.MinioBackendStatic",
        "OPTIONS": MINIO,
    },
}
STATIC_URL = "static/"  # unused for links: static URLs point at the static bucket

# The same configuration in the 2.x/3.x top-level style of the original README:
#
#   MINIO_ENDPOINT = os.environ.get("MINIO_ENDPOINT", "127.0.0.1:9000")
#   MINIO_ACCESS_KEY = os.environ.get("MINIO_ACCESS_KEY", "")
#   MINIO_SECRET_KEY = os.environ.get("MINIO_SECRET_KEY", "")
#   MINIO_USE_HTTPS = env_flag("MINIO_USE_HTTPS")
#   MINIO_EXTERNAL_ENDPOINT = os.environ.get("MINIO_EXTERNAL_ENDPOINT", "")
#   MINIO_EXTERNAL_ENDPOINT_USE_HTTPS = env_flag("MINIO_EXTERNAL_ENDPOINT_USE_HTTPS", MINIO_USE_HTTPS)
#   MINIO_URL_EXPIRY_HOURS = timedelta(hours=1)
#   MINIO_PRIVATE_BUCKETS = ["example-private"]
#   MINIO_PUBLIC_BUCKETS = ["example-public"]
#   MINIO_STATIC_FILES_BUCKET = "example-static"
#   MINIO_DEFAULT_BUCKET = "example-private"
#   STORAGES = {
#       "default": {"BACKEND": "django_minio_backend.models.MinioBackend"},
#       "staticfiles": {"BACKEND": "django_minio_backend.models.MinioBackendStatic"},
#   }
#
# with the bucket named on each field instead of in an alias:
#
#   file = models.FileField(storage=MinioBackend(bucket_name="example-public"), upload_to=iso_date_prefix)
