"""The project's own tests, written against django-minio-backend 3.x as its README shows it."""

import io
import urllib.request
from urllib.error import HTTPError

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from minio.error import S3Error
from PIL import Image as PillowImage

from django_minio_backend import MinioBackend
from django_minio_backend.models import get_iso_date

from .models import Document, Image, PrivateAttachment, PublicAttachment


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except HTTPError as error:
        return error.code, b""


def png(color):
    buffer = io.BytesIO()
    PillowImage.new("RGB", (4, 3), color).save(buffer, "PNG")
    return buffer.getvalue()


class AttachmentTestCase(TestCase):
    def setUp(self):
        call_command("initialize_buckets", silenced=True)

    def test_private_and_public_uploads(self):
        private = PrivateAttachment.objects.create(file=SimpleUploadedFile("a.txt", b"private"))
        public = PublicAttachment.objects.create(file=SimpleUploadedFile("b.txt", b"public"))
        self.assertTrue(private.file.name.startswith(get_iso_date()))
        self.assertEqual(http_get(private.file.url), (200, b"private"))
        self.assertEqual(http_get(public.file.url), (200, b"public"))
        self.assertEqual(http_get(private.file.url.split("?")[0])[0], 403)
        storage = private.file.storage
        self.assertTrue(storage.same_endpoints)
        self.assertTrue(private.file.url.startswith(storage.base_url_external))
        private.file.delete()
        public.file.delete()

    def test_a_missing_object_raises_s3_error(self):
        storage = MinioBackend(bucket_name="django-backend-dev-private")
        with self.assertRaises(S3Error) as raised:
            storage.open("no/such/object.txt").read()
        self.assertEqual(raised.exception.code, "NoSuchKey")


class ImageTestCase(TestCase):
    def setUp(self):
        call_command("initialize_buckets", silenced=True)

    def test_replace_existing_keeps_the_name(self):
        first = Image.objects.create(image=SimpleUploadedFile("photo.png", png("red")))
        second = Image.objects.create(image=SimpleUploadedFile("photo.png", png("blue")))
        self.assertEqual(first.image.name, second.image.name)
        self.assertEqual((second.image.width, second.image.height), (4, 3))
        self.assertEqual(http_get(second.image.url), (200, png("blue")))
        second.image.delete()


class DefaultBucketTestCase(TestCase):
    def test_a_storage_without_bucket_name_uses_the_media_files_bucket(self):
        document = Document.objects.create(file=ContentFile(b"minutes", name="minutes.txt"))
        storage = document.file.storage
        self.assertEqual(storage.bucket, "my-media-files-bucket")
        self.assertEqual(storage.stat(document.file.name).size, len(b"minutes"))
        self.assertEqual(storage.size(document.file.name), len(b"minutes"))
        storage.check_bucket_existence()
        document.file.delete()
