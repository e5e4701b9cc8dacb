"""The uploads app: deleting a row deletes its object from the bucket."""

from typing import Any

from django.apps import AppConfig
from django.db import models, transaction


def delete_stored_file(sender: type[models.Model], instance: Any, **kwargs: Any) -> None:
    """Remove the row's object once the deletion is committed (Django keeps files by default)."""
    if instance.file:
        file = instance.file
        transaction.on_commit(lambda: file.delete(save=False))


class UploadsConfig(AppConfig):
    name = "uploads"

    def ready(self) -> None:
        from .models import UPLOAD_MODELS

        for model in UPLOAD_MODELS.values():
            models.signals.post_delete.connect(delete_stored_file, sender=model)
