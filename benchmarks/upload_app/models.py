from django.db import models

from django_minio_backend import MinioBackend


class BenchFile(models.Model):
    file = models.FileField(storage=MinioBackend(), upload_to="bench/")
