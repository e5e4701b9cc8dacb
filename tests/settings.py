"""Django settings for the test suite. The MINIO_* connection is set by tests/conftest.py."""

SECRET_KEY = "tests-only-not-secret"
USE_TZ = True
TIME_ZONE = "UTC"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django_minio_backend",  # above staticfiles, so that its collectstatic is the one that runs
    "django.contrib.staticfiles",
    "tests.testapp",
]
STATIC_URL = "/static/"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Seed-README style settings; the endpoint and keys come from the test session.
MINIO_ENDPOINT = ""
MINIO_ACCESS_KEY = ""
MINIO_SECRET_KEY = ""
MINIO_USE_HTTPS = False
MINIO_PRIVATE_BUCKETS = ["django-backend-dev-private"]
MINIO_PUBLIC_BUCKETS = ["django-backend-dev-public"]
MINIO_POLICY_HOOKS: list[tuple[str, dict[str, object]]] = []
