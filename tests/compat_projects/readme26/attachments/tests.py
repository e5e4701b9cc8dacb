"""The project's own tests, written against django-minio-backend 2.6 as its README shows it."""

import json
import urllib.request
from urllib.error import HTTPError

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.validators import URLValidator
from django.test import TestCase

from django_minio_backend import MinioBackend, get_iso_date

from .models import PrivateAttachment, PublicAttachment


def http_status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except HTTPError as error:
        return error.code


class PrivateAttachmentTestCase(TestCase):
    def setUp(self):
        call_command("initialize_buckets", silenced=True)

    def test_upload_read_sign_and_delete(self):
        obj = PrivateAttachment.objects.create(file=SimpleUploadedFile("contract.pdf", b"%PDF private"))
        self.assertTrue(obj.file.name.startswith(get_iso_date() + "/"))
        self.assertEqual(obj.file.read(), b"%PDF private")
        URLValidator()(obj.file.url)
        self.assertEqual(http_status(obj.file.url), 200)
        storage = obj.file.storage
        self.assertFalse(storage.is_bucket_public)
        self.assertEqual(storage.stat(obj.file.name).size, len(b"%PDF private"))
        name = obj.file.name
        obj.file.delete()
        self.assertFalse(storage.stat(name))


class PublicAttachmentTestCase(TestCase):
    def setUp(self):
        call_command("initialize_buckets", silenced=True)

    def test_public_url_needs_no_signature(self):
        obj = PublicAttachment.objects.create(file=SimpleUploadedFile("logo.png", b"\x89PNG"))
        self.assertTrue(obj.file.storage.is_bucket_public)
        self.assertNotIn("X-Amz-", obj.file.url)
        self.assertEqual(http_status(obj.file.url), 200)
        obj.file.delete()

    def test_exemplary_policy_of_the_readme(self):
        storage = MinioBackend(bucket_name="django-backend-dev-public")
        storage.set_bucket_to_public()
        policy = json.loads(storage.client.get_bucket_policy(storage.bucket))
        self.assertIn("s3:GetObject", json.dumps(policy))


class HealthCheckTestCase(TestCase):
    def test_minio_is_available(self):
        minio_available = MinioBackend("").is_minio_available()  # An empty string is fine this time
        self.assertTrue(minio_available, minio_available.details)
