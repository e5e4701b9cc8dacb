"""The app configuration."""

from django.apps import AppConfig


class DjangoMinioBackendConfig(AppConfig):
    name = "django_minio_backend"
    verbose_name = "MinIO storage backend"
