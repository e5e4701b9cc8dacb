"""The signed tokens of direct uploads (``django.core.signing``, salted per kind).

A *field ticket* is rendered in a form: the model field (``app_label.Model.field``) and the
limits the browser may not change. An *upload token* is issued by the start view for one
upload: the name it is uploaded under, the multipart upload id, the declared size and type, the field, and whom it
was issued to; it expires after ``MINIO_DIRECT_UPLOAD_EXPIRY``. Nothing else the browser
sends is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core import signing
from django.db.models import FileField
from django.http import HttpRequest

from ..mediatypes import mime_essence
from ..storage import MinioBackend

_FIELD_SALT = "django_minio_backend.direct_uploads.field"
_UPLOAD_SALT = "django_minio_backend.direct_uploads.upload"


class TicketRefused(Exception):
    """A ticket or token that is forged, expired, for another user or for another field."""


@dataclass(frozen=True)
class FieldTicket:
    """Which model field an upload is for, and its limits: at most ``max_size`` bytes, of one of
    ``content_types`` (any type if empty)."""

    label: str  # app_label.Model.field
    max_size: int
    content_types: tuple[str, ...]

    def dumps(self) -> str:
        return signing.dumps([self.label, self.max_size, list(self.content_types)], salt=_FIELD_SALT)

    @classmethod
    def loads(cls, value: object) -> FieldTicket:
        try:
            label, max_size, content_types = signing.loads(str(value), salt=_FIELD_SALT)
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise TicketRefused("invalid field ticket") from exc
        return cls(label, int(max_size), tuple(content_types))

    def allows(self, content_type: str) -> bool:
        """Whether ``content_type`` is one type these limits allow (exactly, or by its family)."""
        essence = mime_essence(content_type)
        if essence is None:
            return False
        kinds = self.content_types
        return not kinds or any(essence == kind or (kind.endswith("/") and essence.startswith(kind)) for kind in kinds)

    def model_field(self) -> FileField:
        """The model ``FileField`` this ticket names."""
        app_label, model, name = self.label.split(".")
        field = apps.get_model(app_label, model)._meta.get_field(name)
        if not isinstance(field, FileField):
            raise TicketRefused(f"{self.label} is not a FileField")
        return field

    def storage(self) -> MinioBackend:
        """The field's storage; ``TicketRefused`` unless it is a ``MinioBackend``."""
        storage = self.model_field().storage
        if not isinstance(storage, MinioBackend):
            raise TicketRefused(f"the storage of {self.label} is not a MinioBackend")
        return storage


def owner(request: HttpRequest) -> str:
    """Whom a token is issued to: the signed-in user, else the session (created if needed)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    if session is None:
        return "anonymous"
    if session.session_key is None:
        session.save()
    return f"session:{session.session_key}"


@dataclass(frozen=True)
class UploadToken:
    """One upload that the start view allowed: where the browser puts it, and for whom."""

    label: str
    name: str  # a name of the storage (under its location), in MINIO_DIRECT_UPLOAD_PREFIX
    size: int
    content_type: str
    owner: str
    upload_id: str = ""  # a multipart upload's id; "" for a form (POST) upload

    def dumps(self) -> str:
        fields: list[Any] = [self.label, self.name, self.size, self.content_type, self.owner, self.upload_id]
        return signing.dumps(fields, salt=_UPLOAD_SALT)

    @classmethod
    def loads(cls, value: object, *, owner: str, label: str, max_age: timedelta) -> UploadToken:
        """The token in ``value`` if it is genuine, younger than ``max_age``, issued to ``owner`` for
        the field ``label``; else ``TicketRefused``."""
        try:
            fields = signing.loads(str(value), salt=_UPLOAD_SALT, max_age=max_age)
            token = cls(*fields)
        except signing.SignatureExpired as exc:
            raise TicketRefused("the upload expired; upload the file again") from exc
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise TicketRefused("invalid upload token") from exc
        if token.owner != owner or token.label != label:
            raise TicketRefused("this upload was not issued to you for this field")
        return token
