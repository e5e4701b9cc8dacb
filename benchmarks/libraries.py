"""The contenders, each used the way its documentation shows, in its default configuration.

- ``raw``: minio-py's ``Minio`` client alone (the floor: no Django storage around it).
- ``ours``: ``django_minio_backend.MinioBackend``.
- ``django-storages``: ``storages.backends.s3.S3Storage`` (boto3), path-style addressing.
- ``django-minio-storage``: ``minio_storage.storage.MinioStorage``.
- ``upstream``: ``django_minio_backend.models.MinioBackend`` of django-minio-backend 4.5 from
  PyPI, the project this one continues. It has this project's import name and needs Python
  3.12, so it runs in an environment of its own (``ENVIRONMENTS``), configured as its README
  shows: ``STORAGES["default"]["OPTIONS"]``.

Defaults differ in one way that matters: django-storages overwrites an existing name by
default (``file_overwrite=True``), so its save checks nothing; this project and
django-minio-storage never overwrite unless told to, and raw ``put_object`` always does.
``save_overwriting()`` compares saves that may replace an object.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import IO, Any, BinaryIO, cast

from django.core.files.base import File

from .common import Server

CHUNK = 64 * 1024


class Library:
    """One contender: the operations the benchmark times, on one bucket.

    Only ``storage`` is built with the library; the other storages are built when an operation
    first needs them, so a first read in a fresh process builds what a first read needs.
    """

    label = ""
    storage: Any  # the Django storage

    def __init__(self, server: Server):
        self.server = server
        self.bucket = server.bucket

    @cached_property
    def public_storage(self) -> Any:
        """A storage serving the bucket publicly (unsigned URLs)."""
        raise NotImplementedError

    @cached_property
    def overwriting_storage(self) -> Any:
        """A storage whose saves replace existing objects; None if the library has none."""
        return None

    @classmethod
    def django_settings(cls, server: Server) -> dict[str, Any]:
        """Django settings this library reads its configuration from (most take arguments)."""
        return {}

    def save(self, name: str, stream: IO[bytes], size: int) -> str:
        return str(self.storage.save(name, File(stream, name)))

    def save_overwriting(self, name: str, stream: IO[bytes], size: int) -> str | None:
        """A save allowed to replace an existing object; None if the library has none."""
        if self.overwriting_storage is None:
            return None
        return str(self.overwriting_storage.save(name, File(stream, name)))

    def presigned_url(self, name: str) -> str:
        return str(self.storage.url(name))

    def public_url(self, name: str) -> str | None:
        return str(self.public_storage.url(name))

    def presigned_url_temporary(self, name: str) -> str | None:
        """A presigned URL signed with ``TemporaryKeys``; None if the library cannot take a provider."""
        return None

    def read_chunks(self, name: str) -> int:
        """Read the whole object as a Django user streams a file: ``chunks()``."""
        total = 0
        with self.storage.open(name, "rb") as handle:
            for chunk in handle.chunks(CHUNK):
                total += len(chunk)
        return total

    def read_pieces(self, name: str, size: int) -> int:
        """Read the whole object as code that reads a file does: ``read(size)`` until the end."""
        total = 0
        with self.storage.open(name, "rb") as handle:
            while piece := handle.read(size):
                total += len(piece)
        return total

    def open_read(self, name: str) -> bytes:
        with self.storage.open(name, "rb") as handle:
            return bytes(handle.read())

    def exists(self, name: str) -> bool:
        return bool(self.storage.exists(name))

    def size(self, name: str) -> int:
        return int(self.storage.size(name))


def temporary_keys(server: Server) -> Any:
    """A minio credentials provider giving credentials as an STS does: the server's keys with a
    session token (as long as AWS's) and an expiry an hour away. Only signing speed is measured:
    the server does not check the token of a URL that is never fetched."""
    from minio.credentials.credentials import Credentials
    from minio.credentials.providers import Provider

    credentials = Credentials(
        server.access_key,
        server.secret_key,
        "IQoJb3JpZ2luX2VjE" + "x" * 700,
        datetime.now(timezone.utc) + timedelta(hours=1),
    )

    class TemporaryKeys(Provider):
        def retrieve(self) -> Credentials:
            return credentials

    return TemporaryKeys()


class Raw(Library):
    label = "raw minio-py"

    def __init__(self, server: Server):
        super().__init__(server)
        self.client = server.client()

    @cached_property
    def temporary_client(self) -> Any:
        from minio import Minio

        return Minio(self.server.endpoint, credentials=temporary_keys(self.server), secure=False, region="us-east-1")

    def save(self, name: str, stream: IO[bytes], size: int) -> str:
        self.client.put_object(self.bucket, name, cast(BinaryIO, stream), size, content_type="application/octet-stream")
        return name

    def save_overwriting(self, name: str, stream: IO[bytes], size: int) -> str | None:
        return self.save(name, stream, size)  # put_object always overwrites

    def presigned_url(self, name: str) -> str:
        return self.client.presigned_get_object(self.bucket, name)

    def public_url(self, name: str) -> str | None:
        return None  # minio-py has no unsigned URL builder

    def presigned_url_temporary(self, name: str) -> str | None:
        return self.temporary_client.presigned_get_object(self.bucket, name)

    def read_chunks(self, name: str) -> int:
        response = self.client.get_object(self.bucket, name)
        try:
            return sum(len(chunk) for chunk in response.stream(CHUNK))
        finally:
            response.close()
            response.release_conn()

    def read_pieces(self, name: str, size: int) -> int:
        response = self.client.get_object(self.bucket, name)
        try:
            total = 0
            while piece := response.read(size):
                total += len(piece)
            return total
        finally:
            response.close()
            response.release_conn()

    def open_read(self, name: str) -> bytes:
        response = self.client.get_object(self.bucket, name)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def exists(self, name: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, name)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject"):
                return False
            raise
        return True

    def size(self, name: str) -> int:
        return int(self.client.stat_object(self.bucket, name).size or 0)


class Ours(Library):
    label = "django-minio-backend"

    def __init__(self, server: Server):
        super().__init__(server)
        self.options: dict[str, Any] = {
            "MINIO_ENDPOINT": server.endpoint,
            "MINIO_ACCESS_KEY": server.access_key,
            "MINIO_SECRET_KEY": server.secret_key,
            "MINIO_USE_HTTPS": False,
        }
        self.storage = self._storage()

    def _storage(self, **options: Any) -> Any:
        from django_minio_backend import MinioBackend

        return MinioBackend(self.bucket, **{**self.options, **options})

    @cached_property
    def public_storage(self) -> Any:
        return self._storage(MINIO_PUBLIC_BUCKETS=[self.bucket])

    @cached_property
    def overwriting_storage(self) -> Any:
        return self._storage(allow_overwrite=True)

    @cached_property
    def temporary_storage(self) -> Any:
        provider = temporary_keys(self.server)
        return self._storage(MINIO_ACCESS_KEY="", MINIO_SECRET_KEY="", MINIO_CREDENTIALS_PROVIDER=provider)

    def presigned_url_temporary(self, name: str) -> str | None:
        return str(self.temporary_storage.url(name))


class DjangoStorages(Library):
    label = "django-storages (S3)"

    def __init__(self, server: Server):
        super().__init__(server)
        from storages.backends.s3 import S3Storage

        self.options = {
            "access_key": server.access_key,
            "secret_key": server.secret_key,
            "bucket_name": self.bucket,
            "endpoint_url": f"http://{server.endpoint}",
            "region_name": "us-east-1",
            "addressing_style": "path",
        }
        self.storage = S3Storage(**self.options)

    @cached_property
    def overwriting_storage(self) -> Any:
        return self.storage  # file_overwrite=True by default

    @cached_property
    def public_storage(self) -> Any:
        from storages.backends.s3 import S3Storage

        return S3Storage(querystring_auth=False, **self.options)


class DjangoMinioStorage(Library):
    label = "django-minio-storage"

    def __init__(self, server: Server):
        super().__init__(server)
        from minio_storage.storage import MinioStorage

        self.client = server.client()
        self.storage = MinioStorage(self.client, self.bucket, presign_urls=True)

    @cached_property
    def public_storage(self) -> Any:
        from minio_storage.storage import MinioStorage

        return MinioStorage(self.client, self.bucket, presign_urls=False)


class Upstream(Library):
    label = "django-minio-backend 4.5 (upstream)"

    def __init__(self, server: Server):
        super().__init__(server)
        # Fresh lists: upstream appends to the ones it is given.
        self.storage = self._storage(MINIO_PRIVATE_BUCKETS=[self.bucket])

    def _storage(self, **options: Any) -> Any:
        from django_minio_backend.models import MinioBackend  # upstream's, in its own environment

        return MinioBackend(self.bucket, **options)

    @cached_property
    def public_storage(self) -> Any:
        return self._storage(MINIO_PUBLIC_BUCKETS=[self.bucket])

    @cached_property
    def overwriting_storage(self) -> Any:
        return self._storage(MINIO_PRIVATE_BUCKETS=[self.bucket], replace_existing=True)

    @classmethod
    def django_settings(cls, server: Server) -> dict[str, Any]:
        options = {
            "MINIO_ENDPOINT": server.endpoint,
            "MINIO_ACCESS_KEY": server.access_key,
            "MINIO_SECRET_KEY": server.secret_key,
            "MINIO_USE_HTTPS": False,
            "MINIO_PRIVATE_BUCKETS": [],
            "MINIO_PUBLIC_BUCKETS": [],
        }
        return {"STORAGES": {"default": {"BACKEND": "django_minio_backend.models.MinioBackend", "OPTIONS": options}}}


LIBRARIES: dict[str, type[Library]] = {
    "raw": Raw,
    "ours": Ours,
    "upstream": Upstream,
    "django-storages": DjangoStorages,
    "django-minio-storage": DjangoMinioStorage,
}
# The libraries that run in an environment of their own: its name (a .venv-bench-NAME folder).
ENVIRONMENTS = {"upstream": "upstream"}


def small_stream(size: int = 1024) -> io.BytesIO:
    return io.BytesIO(b"x" * size)
