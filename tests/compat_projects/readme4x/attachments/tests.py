"""The project's own tests, written against django-minio-backend 4.x as its README shows it."""

import urllib.request
from urllib.error import HTTPError

from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from minio.error import S3Error

from django_minio_backend.utils import get_storages_setting

from .models import PrivateAttachment, PublicAttachment, Report


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers
    except HTTPError as error:
        return error.code, b"", error.headers


class AttachmentTestCase(TestCase):
    def setUp(self):
        call_command("initialize_buckets", silenced=True)

    def test_uploads_are_stored_with_the_put_object_options(self):
        private = PrivateAttachment.objects.create(file=SimpleUploadedFile("a.pdf", b"%PDF a"))
        storage = private.file.storage
        info = storage.stat(private.file.name)
        self.assertEqual(info.metadata["x-amz-meta-project"], "apollo")
        self.assertEqual(info.metadata["Content-Disposition"], "inline")
        tags = storage.client.get_object_tags(storage.bucket, private.file.name)
        self.assertEqual(dict(tags), {"classification": "internal"})
        self.assertEqual(http_get(private.file.url)[:2], (200, b"%PDF a"))
        private.file.delete()

    def test_public_and_direct_storages(self):
        public = PublicAttachment.objects.create(file=SimpleUploadedFile("b.txt", b"public"))
        self.assertEqual(http_get(public.file.url)[:2], (200, b"public"))
        report = Report.objects.create(file=ContentFile(b"report", name="report.txt"))
        self.assertEqual(report.file.read(), b"report")
        self.assertEqual(get_storages_setting("default", "MINIO_DEFAULT_BUCKET"), "my-media-files-bucket")
        public.file.delete()
        report.file.delete()

    def test_default_storage_and_missing_objects(self):
        name = default_storage.save("notes/today.txt", ContentFile(b"notes"))
        self.assertEqual(default_storage.bucket, "my-media-files-bucket")
        self.assertEqual(default_storage.listdir("notes"), ([], ["today.txt"]))
        default_storage.delete(name)
        with self.assertRaises(S3Error):
            default_storage.get_modified_time(name)


class StaticFilesTestCase(TestCase):
    def test_static_files_are_public(self):
        name = staticfiles_storage.save("site/app.css", ContentFile(b"body{}"))
        status, body, headers = http_get(staticfiles_storage.url(name))
        self.assertEqual((status, body, headers["Content-Type"]), (200, b"body{}", "text/css"))
        staticfiles_storage.delete(name)
