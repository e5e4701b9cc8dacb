"""The app configuration."""

from django.apps import AppConfig
from django.core import checks


class DjangoMinioBackendConfig(AppConfig):
    name = "django_minio_backend"
    verbose_name = "MinIO storage backend"

    def ready(self) -> None:
        from .staticfiles import check_collectstatic_command

        checks.register(check_collectstatic_command, checks.Tags.staticfiles)
