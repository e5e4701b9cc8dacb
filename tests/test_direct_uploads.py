"""Direct uploads through their views and form field, against the real server: the browser's
part is played by HTTP requests to the URLs the views sign."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import urllib3
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.base import ContentFile
from django.forms import ModelForm
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from django_minio_backend import MinioBackend, orphans
from django_minio_backend.direct_uploads import DirectUploadField, views
from django_minio_backend.direct_uploads.tickets import FieldTicket, UploadToken
from django_minio_backend.discovery import project_storages
from django_minio_backend.errors import ObjectChangedError
from tests.testapp.models import DirectAttachment

from .s3 import make_bucket, stored_keys

HTTP = urllib3.PoolManager()
BUCKET = "django-backend-dev-public"
MiB = 1024 * 1024
FIELD = DirectAttachment._meta.get_field("file")


@pytest.fixture
def direct_bucket(s3_client) -> Iterator[str]:
    """The model field's bucket (a seed bucket the test plugin creates), without these tests' objects after."""
    if not s3_client.bucket_exists(BUCKET):
        make_bucket(s3_client, BUCKET)
    yield BUCKET
    FIELD.storage.abort_incomplete_uploads(older_than=timedelta(0))
    for key in _ours(s3_client):
        s3_client.remove_object(BUCKET, key)


def _ours(s3_client) -> list[str]:
    """The keys these tests store: uploads and the names they are moved to."""
    return [key for key in stored_keys(s3_client, BUCKET) if key.startswith(("direct/", "direct-uploads/"))]


def _user(pk: int) -> User:
    return User(pk=pk, username=f"user{pk}")


def _call(view: Any, body: dict[str, Any], user: Any, *, csrf: bool = False) -> tuple[int, dict[str, Any]]:
    request = RequestFactory().post("/", json.dumps(body), content_type="application/json")
    request.user = user
    request._dont_enforce_csrf_checks = not csrf  # type: ignore[attr-defined]
    response = view(request)
    is_json = response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content) if is_json else {}


def _field(**limits: Any) -> DirectUploadField:
    return DirectUploadField(FIELD, **{"max_size": 10 * MiB, **limits})


def _upload(user: Any, data: bytes, name: str = "report.pdf", content_type: str = "application/pdf", **limits: Any):
    """Start an upload as the browser would, and send the bytes to the bucket; the upload token."""
    field = _field(**limits)
    status, start = _call(
        views.start, {"field": field.widget.ticket, "name": name, "size": len(data), "type": content_type}, user
    )
    assert status == 200, start
    if start["mode"] == "post":
        fields = {**start["fields"], "file": (name, data, content_type)}
        assert HTTP.request("POST", start["url"], fields=fields).status == 204
        return field, start["token"]
    for number in range(1, start["parts"] + 1):
        _, signed = _call(views.part, {"field": field.widget.ticket, "token": start["token"], "number": number}, user)
        piece = data[(number - 1) * start["part_size"] : number * start["part_size"]]
        assert HTTP.request("PUT", signed["url"], body=piece).status == 200
    status, done = _call(views.complete, {"field": field.widget.ticket, "token": start["token"]}, user)
    assert status == 200, done
    return field, done["token"]


class AttachmentForm(ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = DirectAttachment
        fields = ["file"]


def _form(field: DirectUploadField, token: str, user: Any) -> AttachmentForm:
    request = HttpRequest()
    request.user = user
    field.request = request
    form = AttachmentForm({"file": token})
    form.fields["file"] = field
    return form


@pytest.mark.django_db
def test_small_upload_is_verified_and_named_by_upload_to(direct_bucket, s3_client):
    user = _user(1)
    field, token = _upload(user, b"%PDF-1.7 small")
    form = _form(field, token, user)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.file.name == "direct/report.pdf"
    assert saved.file.read() == b"%PDF-1.7 small"
    assert _ours(s3_client) == ["direct/report.pdf"]  # the upload itself is gone
    assert s3_client.stat_object(BUCKET, "direct/report.pdf").content_type == "application/pdf"


@pytest.mark.django_db
def test_large_upload_goes_in_parts_and_never_overwrites(direct_bucket, s3_client):
    storage = FIELD.storage
    storage.save("direct/big.bin", ContentFile(b"already here"))
    user = _user(1)
    data = bytes(range(256)) * (72 * 1024 + 7)  # 18 MiB and a bit: above the 8 MiB threshold
    field, token = _upload(user, data, name="big.bin", content_type="application/octet-stream", max_size=64 * MiB)
    form = _form(field, token, user)
    assert form.is_valid(), form.errors
    saved = form.save()
    assert saved.file.name != "direct/big.bin" and saved.file.name.startswith("direct/big_")
    assert storage.open(saved.file.name).read() == data
    assert storage.open("direct/big.bin").read() == b"already here"


@pytest.mark.django_db
def test_another_users_upload_is_refused_and_nothing_is_named(direct_bucket, s3_client):
    field, token = _upload(_user(1), b"%PDF mine")
    form = _form(field, token, _user(2))
    assert not form.is_valid()
    assert "not issued to you" in str(form.errors)
    assert not any(key.startswith("direct/") for key in _ours(s3_client))


@pytest.mark.django_db
def test_forged_token_for_someone_elses_key_is_refused(direct_bucket, s3_client):
    user = _user(1)
    field, token = _upload(user, b"%PDF theirs")
    real = UploadToken.loads(token, owner="user:1", label=field.ticket.label, max_age=timedelta(hours=1))
    forged = token.replace(token.split(":")[0], json.dumps([real.label, real.name]))  # tampered payload
    for value in (forged, real.name, "direct-uploads/x/report.pdf"):
        form = _form(field, value, user)
        assert not form.is_valid() and "invalid upload token" in str(form.errors)
    assert not any(key.startswith("direct/") for key in _ours(s3_client))


def test_start_refuses_oversize_and_disallowed_types_before_anything_is_signed(direct_bucket, s3_client):
    field = _field(max_size=1000, content_types=["image/", "application/pdf"])
    base = {"field": field.widget.ticket, "name": "a.png"}
    assert _call(views.start, {**base, "size": 1001, "type": "image/png"}, _user(1))[0] == 400
    assert _call(views.start, {**base, "size": 10, "type": "text/html"}, _user(1))[0] == 400
    assert _call(views.start, {**base, "size": 10, "type": "image/png, text/html"}, _user(1))[0] == 400
    assert _call(views.start, {**base, "size": 10, "type": "image/png"}, _user(1))[0] == 200
    assert _ours(s3_client) == []


@pytest.mark.parametrize("size", [100, 9 * MiB], ids=["form upload", "multipart upload"])
def test_a_declared_type_is_checked_and_stored_as_a_browser_reads_it(direct_bucket, s3_client, size):
    """A browser reads the last type of a comma list: ``image/png;a=b, text/html`` is HTML,
    so an ``image/`` limit refuses it; an allowed type is stored as its type alone."""
    user, field = _user(1), _field(content_types=["image/"])
    ticket = field.widget.ticket
    refused = {"field": ticket, "name": "a.png", "size": size, "type": "image/png;a=b, text/html"}
    status, answer = _call(views.start, refused, user)
    assert status == 400 and "not allowed" in answer["error"]
    status, start = _call(views.start, {**refused, "type": "text/html, image/png;q=1"}, user)
    assert status == 200
    token = UploadToken.loads(start["token"], owner="user:1", label=field.ticket.label, max_age=timedelta(hours=1))
    assert token.content_type == "image/png"
    if start["mode"] == "post":
        assert start["fields"]["Content-Type"] == "image/png"
    _call(views.abort, {"field": ticket, "token": start["token"]}, user)
    assert _ours(s3_client) == []


@pytest.mark.django_db
def test_upload_larger_than_announced_is_refused_by_the_server(direct_bucket, s3_client):
    field = _field()
    ticket = field.widget.ticket
    _, start = _call(views.start, {"field": ticket, "name": "a.pdf", "size": 10, "type": "application/pdf"}, _user(1))
    fields = {**start["fields"], "file": ("a.pdf", b"x" * 5000, "application/pdf")}
    assert HTTP.request("POST", start["url"], fields=fields).status == 400
    assert _ours(s3_client) == []


@pytest.mark.django_db
def test_an_upload_replaced_after_its_check_is_not_named(direct_bucket, s3_client):
    """The browser may send the policy's form again, with other bytes of the same size and type,
    between the form's check and the model's save: the checked version is moved, or nothing."""
    user = _user(1)
    field, token = _upload(user, b"%PDF-checked")
    form = _form(field, token, user)
    assert form.is_valid(), form.errors
    key = UploadToken.loads(token, owner="user:1", label=field.ticket.label, max_age=timedelta(hours=1)).name
    FIELD.storage.delete(key)
    FIELD.storage.save(key, ContentFile(b"%PDF-swapped"))
    with pytest.raises(ObjectChangedError, match="changed after it was checked"):
        form.save()
    assert _ours(s3_client) == [key]  # nothing named; the replacement left for the orphan cleanup


@pytest.mark.django_db
def test_object_over_the_field_limit_is_refused_and_deleted(direct_bucket, s3_client):
    # The browser announced 10 bytes; someone with the token put 20 there by other means.
    user = _user(1)
    field, token = _upload(user, b"0123456789")
    key = UploadToken.loads(token, owner="user:1", label=field.ticket.label, max_age=timedelta(hours=1)).name
    FIELD.storage.delete(key)
    FIELD.storage.save(key, ContentFile(b"x" * 20))
    form = _form(field, token, user)
    assert not form.is_valid() and "at most" in str(form.errors)
    assert _ours(s3_client) == []


@pytest.mark.django_db
def test_disallowed_type_by_name_is_refused_and_deleted(direct_bucket, s3_client):
    # The browser declared an allowed type; the name says text/html, which the object would be served as.
    user = _user(1)
    allowed = ["application/octet-stream"]
    field, token = _upload(user, b"<script>", name="page.html", content_type=allowed[0], content_types=allowed)
    form = _form(field, token, user)
    assert not form.is_valid() and "text/html" in str(form.errors)
    assert _ours(s3_client) == []


@pytest.mark.django_db
def test_expired_upload_token_is_refused(direct_bucket, s3_client):
    user = _user(1)
    with override_settings(MINIO_DIRECT_UPLOAD_EXPIRY=timedelta(seconds=1)):
        field, token = _upload(user, b"%PDF late")
        time.sleep(2.5)
        form = _form(field, token, user)
        assert not form.is_valid() and "expired" in str(form.errors)
    assert not any(key.startswith("direct/") for key in _ours(s3_client))


def test_views_need_permission_and_csrf(direct_bucket):
    ticket = _field().widget.ticket
    body = {"field": ticket, "name": "a.pdf", "size": 1, "type": "application/pdf"}
    assert _call(views.start, body, AnonymousUser())[0] == 403  # default: signed-in users only
    assert _call(views.start, body, _user(1), csrf=True)[0] == 403  # no CSRF token
    assert _call(views.start, {**body, "field": ticket + "x"}, _user(1))[0] == 403  # forged field ticket
    assert _call(views.start, {**body, "name": "x" * 5000}, _user(1))[0] == 413  # no view takes a large body


def allow_everyone(request: HttpRequest, label: str) -> bool:
    return True


def test_permission_hook_decides(direct_bucket, settings):
    settings.MINIO_DIRECT_UPLOAD_PERMISSION = "tests.test_direct_uploads.allow_everyone"
    body = {"field": _field().widget.ticket, "name": "a.pdf", "size": 1, "type": "application/pdf"}
    assert _call(views.start, body, AnonymousUser())[0] == 200


def test_part_urls_are_for_the_announced_parts_and_their_lengths_only(direct_bucket, s3_client):
    """A 9 MiB upload in 8 MiB parts has two: no third part is signed, and each part's URL
    stores exactly that part's length."""
    user, field = _user(1), _field()
    size = 9 * MiB
    _, start = _call(views.start, {"field": field.widget.ticket, "name": "big.bin", "size": size, "type": ""}, user)
    assert (start["mode"], start["parts"], start["part_size"]) == ("multipart", 2, 8 * MiB)

    def signed(number: int) -> tuple[int, dict[str, Any]]:
        return _call(views.part, {"field": field.widget.ticket, "token": start["token"], "number": number}, user)

    assert signed(3)[0] == 400 and signed(0)[0] == 400
    status, last = signed(2)
    assert status == 200
    assert HTTP.request("PUT", last["url"], body=b"x" * (20 * MiB)).status == 403  # not the part's length
    assert HTTP.request("PUT", last["url"], body=b"x" * MiB).status == 200
    assert _call(views.complete, {"field": field.widget.ticket, "token": start["token"]}, user)[0] == 400
    # part 1 is missing: aborted, nothing stored
    assert _ours(s3_client) == []


def test_abort_removes_the_parts(direct_bucket, s3_client):
    field = _field(max_size=100 * MiB)
    body = {"field": field.widget.ticket, "name": "big.bin", "size": 20 * MiB, "type": "application/octet-stream"}
    _, start = _call(views.start, body, _user(1))
    assert start["mode"] == "multipart"
    _, signed = _call(views.part, {"field": field.widget.ticket, "token": start["token"], "number": 1}, _user(1))
    assert HTTP.request("PUT", signed["url"], body=b"x" * (8 * MiB)).status == 200
    assert _call(views.abort, {"field": field.widget.ticket, "token": start["token"]}, _user(1))[0] == 200
    assert FIELD.storage.abort_incomplete_uploads(older_than=timedelta(0)) == []
    assert _ours(s3_client) == []


def test_completing_with_missing_parts_is_refused_and_aborted(direct_bucket, s3_client):
    field = _field(max_size=100 * MiB)
    body = {"field": field.widget.ticket, "name": "big.bin", "size": 20 * MiB, "type": "application/octet-stream"}
    _, start = _call(views.start, body, _user(1))
    _, signed = _call(views.part, {"field": field.widget.ticket, "token": start["token"], "number": 1}, _user(1))
    HTTP.request("PUT", signed["url"], body=b"x" * (8 * MiB))
    assert _call(views.complete, {"field": field.widget.ticket, "token": start["token"]}, _user(1))[0] == 400
    assert _ours(s3_client) == []


def test_field_ticket_limits_cannot_be_changed():
    ticket = FieldTicket("testapp.DirectAttachment.file", 10, ())
    value = ticket.dumps()
    assert FieldTicket.loads(value) == ticket
    tampered = FieldTicket("testapp.DirectAttachment.file", 10**9, ()).dumps().split(":")[0] + value[value.index(":") :]
    with pytest.raises(Exception, match="invalid field ticket"):
        FieldTicket.loads(tampered)


def test_upload_storage_is_a_minio_backend():
    assert isinstance(FIELD.storage, MinioBackend)


@pytest.mark.django_db
def test_an_abandoned_upload_is_an_orphan_the_cleanup_removes(direct_bucket, s3_client):
    field, token = _upload(_user(1), b"%PDF never submitted")
    key = UploadToken.loads(token, owner="user:1", label=field.ticket.label, max_age=timedelta(hours=1)).name
    (scope,) = [scope for scope in orphans.scopes(project_storages()) if scope.bucket == BUCKET]
    assert key not in [orphan.key for orphan in orphans.find_orphans(scope, grace=timedelta(hours=1))]
    found = [orphan for orphan in orphans.find_orphans(scope, grace=timedelta(0)) if orphan.key == key]
    assert found and orphans.delete_orphans(scope.storage, found) == []
    assert key not in _ours(s3_client)


@pytest.mark.parametrize("size", [100, 9 * MiB], ids=["form upload", "multipart upload"])
def test_an_upload_is_never_served_as_a_page_before_it_is_named(direct_bucket, s3_client, size):
    """With no type limit, a browser may upload HTML; on the public bucket the pending object is
    served as a download, so its script never runs on the storage's origin."""
    page = b"<script>document.title='ran'</script>".ljust(size, b" ")
    _upload(_user(1), page, name="page.html", content_type="text/html", max_size=16 * MiB)
    (pending,) = [key for key in _ours(s3_client) if key.startswith("direct-uploads/")]
    response = HTTP.request("GET", FIELD.storage.url(pending))  # anonymous: the bucket is public
    assert response.status == 200 and response.data == page
    assert response.headers["Content-Disposition"] == "attachment"
