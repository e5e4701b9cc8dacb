"""``DirectUploadField``: a form field for a model ``FileField`` whose file the browser uploads
straight to the bucket, and its widget.

The widget renders a file input without a name (its bytes are never posted to Django), a
progress bar, and a hidden input for the upload token that ``direct-upload.js`` fills in.
``clean()`` trusts none of it: the token must be genuine, unexpired and issued to this
request's user for this field; the object must exist with the announced size, within
``max_size``, and of an allowed type. Only then is it returned, as an ``UploadedObject``, which
the model's save names by ``upload_to`` and moves to a free name (``MinioBackend.adopt``). A
refused upload is deleted; one never submitted waits under ``MINIO_DIRECT_UPLOAD_PREFIX`` for
the cleanup (see the docs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import FileField
from django.http import HttpRequest
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from ..mediatypes import content_type as type_of_name
from ..post_policy import S3_MAX_SINGLE_UPLOAD
from ..uploaded import UploadedObject
from .tickets import FieldTicket, TicketRefused, UploadToken, owner


class DirectUploadWidget(forms.Widget):
    """A file input that uploads to the bucket with progress, and posts only the upload token."""

    template_name = "django_minio_backend/direct_upload_widget.html"

    class Media:
        js = ("django_minio_backend/direct-upload.js",)

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.ticket = ""
        self.accept = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            ticket=self.ticket,
            accept=self.accept,
            views=reverse("minio_direct_uploads:start").removesuffix("start/"),
            token=value if isinstance(value, str) else "",
            current=value if value and not isinstance(value, str) and getattr(value, "url", None) else None,
        )
        return context

    def value_from_datadict(self, data: Mapping[str, Any], files: MultiValueDict[str, Any], name: str) -> Any:
        return data.get(name) or None

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Mapping[str, Any], name: str) -> bool:
        return name not in data


class DirectUploadField(forms.FileField):
    """A form field for ``model_field`` (a ``FileField`` on a ``MinioBackend``) that takes a direct
    upload of at most ``max_size`` bytes, of one of ``content_types`` (types such as
    ``"application/pdf"`` or families such as ``"image/"``; any type if empty).

    ``request`` (set it, or use ``DirectUploadAdminMixin``) says whose uploads are accepted.
    """

    widget = DirectUploadWidget
    default_error_messages = {
        "refused": "%(reason)s",
        "missing": "The upload was not found; upload the file again.",
        "size": "The file must be at most %(max)s bytes, as announced.",
        "type": "Files of type %(type)s are not allowed.",
    }

    def __init__(
        self,
        model_field: FileField,
        *,
        max_size: int = S3_MAX_SINGLE_UPLOAD,
        content_types: Iterable[str] = (),
        request: HttpRequest | None = None,
        **kwargs: Any,
    ):
        if not 0 < max_size <= S3_MAX_SINGLE_UPLOAD:
            raise ValueError("max_size must be between 1 byte and 5 GiB (the largest object S3 copies at once)")
        kwargs.setdefault("required", not model_field.blank)
        kwargs.setdefault("label", model_field.verbose_name.capitalize())
        super().__init__(**kwargs)
        self.model_field = model_field
        self.request = request
        model = model_field.model
        self.ticket = FieldTicket(f"{model._meta.label}.{model_field.name}", max_size, tuple(content_types))
        assert isinstance(self.widget, DirectUploadWidget)
        self.widget.ticket = self.ticket.dumps()
        self.widget.accept = ",".join(kind + "*" if kind.endswith("/") else kind for kind in self.ticket.content_types)

    def to_python(self, data: Any) -> Any:
        return data

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data or initial

    def has_changed(self, initial: Any, data: Any) -> bool:
        return bool(data)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if not data:
            if self.required and not initial:
                raise ValidationError(self.error_messages["required"], code="required")
            return initial
        return self._verified(data)

    def _verified(self, value: str) -> UploadedObject:
        storage = self.ticket.storage()
        if self.request is None:
            raise ImproperlyConfigured(f"{self.ticket.label}: set the DirectUploadField's request to accept uploads")
        try:
            token = UploadToken.loads(
                value, owner=owner(self.request), label=self.ticket.label, max_age=storage.settings.direct_upload_expiry
            )
        except TicketRefused as exc:
            raise ValidationError(self.error_messages["refused"], code="refused", params={"reason": str(exc)}) from None
        try:
            info = storage.bucket_objects.stat(token.name)
        except FileNotFoundError:
            raise ValidationError(self.error_messages["missing"], code="missing") from None
        if info.size != token.size or info.size > self.ticket.max_size:
            storage.delete(token.name)
            raise ValidationError(self.error_messages["size"], code="size", params={"max": self.ticket.max_size})
        by_name = type_of_name(token.name)
        if not (self.ticket.allows(token.content_type) and self.ticket.allows(by_name)):
            storage.delete(token.name)
            raise ValidationError(self.error_messages["type"], code="type", params={"type": by_name})
        return UploadedObject(storage.bucket, token.name, info.size, etag=info.etag)


class DirectUploadAdminMixin:
    """For a ``ModelAdmin``: ``direct_upload_fields = {"file": {"max_size": ..., "content_types": [...]}}``
    gives those ``FileField``\\ s a ``DirectUploadField`` bound to the admin's request."""

    direct_upload_fields: Mapping[str, Mapping[str, Any]] = {}

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        options = self.direct_upload_fields.get(db_field.name)
        if options is not None and isinstance(db_field, FileField):
            return DirectUploadField(db_field, request=request, **options)
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
