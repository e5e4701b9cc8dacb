"""The JSON views a direct upload runs through: start, part, complete, abort.

Each is a CSRF-protected POST of a small JSON body, allowed only if
``MINIO_DIRECT_UPLOAD_PERMISSION`` (default: signed-in users) says so. The browser sends the
field ticket to start and the upload token afterwards; every limit comes from them, signed,
never from the request. ``start`` answers with a POST policy for small files, or a multipart
upload for files above ``MINIO_MULTIPART_THRESHOLD`` whose parts ``part`` signs one by one.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import secrets
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.text import get_valid_filename
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from .. import s3api
from ..errors import translated_errors
from ..mediatypes import extract_mime_type
from ..post_policy import UPLOAD_HEADERS
from ..storage import MinioBackend
from .tickets import FieldTicket, TicketRefused, UploadToken, owner

MAX_PARTS = 10_000  # S3's limit for one multipart upload
MAX_BODY = 4096  # every request body here is a few hundred bytes

Handler = Callable[[HttpRequest, dict[str, Any]], dict[str, Any]]


class Refused(Exception):
    """The request is not allowed: answered with ``status`` and the message."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _json_view(handler: Handler) -> Callable[[HttpRequest], JsonResponse]:
    @csrf_protect
    @require_POST
    def view(request: HttpRequest) -> JsonResponse:
        try:
            if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:  # refused before it is read
                raise Refused("request too large", 413)
            try:
                data = json.loads(request.body)
            except ValueError:
                raise Refused("the body must be JSON") from None
            if not isinstance(data, dict):
                raise Refused("the body must be a JSON object")
            return JsonResponse(handler(request, data))
        except TicketRefused as exc:
            return JsonResponse({"error": str(exc)}, status=403)
        except Refused as exc:
            return JsonResponse({"error": str(exc)}, status=exc.status)

    view.__name__ = view.__qualname__ = handler.__name__
    view.__doc__ = handler.__doc__
    return view


def _field(request: HttpRequest, data: dict[str, Any]) -> tuple[FieldTicket, MinioBackend]:
    """The field the request's ticket names, and its storage, if the permission hook allows."""
    ticket = FieldTicket.loads(data.get("field"))
    storage = ticket.storage()
    permission = storage.settings.direct_upload_permission
    user = getattr(request, "user", None)
    allowed = permission(request, ticket.label) if permission else bool(user and user.is_authenticated)
    if not allowed:
        raise Refused("you may not upload here", 403)
    return ticket, storage


def _token(request: HttpRequest, data: dict[str, Any]) -> tuple[UploadToken, MinioBackend]:
    ticket, storage = _field(request, data)
    max_age = storage.settings.direct_upload_expiry
    token = UploadToken.loads(data.get("token"), owner=owner(request), label=ticket.label, max_age=max_age)
    return token, storage


@_json_view
def start(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Begin an upload of ``{"field", "name", "size", "type"}``: a form upload or a multipart one."""
    ticket, storage = _field(request, data)
    size, declared = data.get("size"), str(data.get("type") or "application/octet-stream")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise Refused("size must be a whole number of bytes")
    if size > ticket.max_size:
        raise Refused(f"the file is larger than {ticket.max_size} bytes")
    # Checked and stored as the type a browser reads from it (a list's last valid type), nothing more.
    content_type = extract_mime_type(declared)
    if content_type is None or not ticket.allows(content_type):
        raise Refused(f"files of type {declared!r} are not allowed")
    filename = get_valid_filename(os.path.basename(str(data.get("name") or "upload"))) or "upload"
    name = f"{storage.settings.direct_upload_prefix}{secrets.token_urlsafe(18)}/{filename}"
    issued = UploadToken(ticket.label, name, size, content_type, owner(request))
    if size <= storage.settings.multipart_threshold:
        post = storage.presigned_post(name, min_size=size, max_size=size, content_type=content_type)
        return {"mode": "post", "url": post.url, "fields": post.fields, "token": issued.dumps()}
    part_size = _part_size(storage, size)
    key = storage.bucket_objects.key(name)
    with translated_errors("start an upload to", storage.settings.connection.endpoint, storage.bucket, key):
        headers: s3api.Fields = {"Content-Type": content_type, **UPLOAD_HEADERS}
        upload_id = s3api.create_multipart_upload(storage.client, storage.bucket, key, headers)
    token = dataclasses.replace(issued, upload_id=upload_id)
    return {"mode": "multipart", "part_size": part_size, "parts": math.ceil(size / part_size), "token": token.dumps()}


def _part_size(storage: MinioBackend, size: int) -> int:
    """The size of each part but the last of a multipart upload of ``size`` bytes."""
    return max(storage.settings.multipart_part_size, math.ceil(size / MAX_PARTS))


@_json_view
def part(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """A presigned PUT for part ``{"number"}`` of the multipart upload ``{"token"}``: one of the
    parts the file announced, signed for exactly that part's length."""
    token, storage = _token(request, data)
    number = data.get("number")
    part_size = _part_size(storage, token.size)
    parts = math.ceil(token.size / part_size)
    if not token.upload_id or not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= parts:
        raise Refused(f"number must be a part number of this multipart upload (1 to {parts})")
    length = min(part_size, token.size - (number - 1) * part_size)
    return {"url": storage.presigned_put(token.name, part=(token.upload_id, number), content_length=length).url}


@_json_view
def complete(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Complete the multipart upload ``{"token"}`` from the parts the server holds (the browser's
    word on them is not asked), if they add up to the declared size; else abort it."""
    token, storage = _token(request, data)
    if not token.upload_id:
        raise Refused("this is not a multipart upload")
    client, bucket, key = storage.client, storage.bucket, storage.bucket_objects.key(token.name)
    with translated_errors("complete", storage.settings.connection.endpoint, bucket, key):
        parts = s3api.list_parts(client, bucket, key, token.upload_id)
        numbers = [number for number, _, _ in parts]
        if numbers != list(range(1, len(parts) + 1)) or sum(size for _, _, size in parts) != token.size:
            s3api.abort_multipart_upload(client, bucket, key, token.upload_id)
            raise Refused("the parts uploaded are not the file announced; the upload was aborted")
        s3api.complete_multipart_upload(client, bucket, key, token.upload_id, [etag for _, etag, _ in parts], {})
    return {"token": token.dumps()}


@_json_view
def abort(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Give up the upload ``{"token"}``: its parts, or its object, are deleted."""
    token, storage = _token(request, data)
    if token.upload_id:
        key = storage.bucket_objects.key(token.name)
        with translated_errors("abort", storage.settings.connection.endpoint, storage.bucket, key):
            s3api.abort_multipart_upload(storage.client, storage.bucket, key, token.upload_id)
    storage.delete(token.name)
    return {}
