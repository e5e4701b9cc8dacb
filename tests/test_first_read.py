"""A fresh process's first read pays only for what reading needs: importing the package and
reading a file imports neither bucket administration, URLs, the health probe, the static
storages nor ``xml.sax``. ``make bench`` measures the time (``first open+read 1 KiB in a fresh
process``); this pins what it is made of."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from typing import Any

from minio import Minio

from .s3 import Endpoint

NOT_FOR_READING = (
    "django_minio_backend.buckets",
    "django_minio_backend.health",
    "django_minio_backend.object_urls",
    "django_minio_backend.signing",
    "django_minio_backend.staticfiles",
    "django_minio_backend.batch",
    "xml.sax",
)

FIRST_READ = textwrap.dedent(
    """
    import json, sys
    import django
    from django.conf import settings

    settings.configure(USE_TZ=True)
    django.setup()
    from django_minio_backend import MinioBackend

    options = json.loads(sys.argv[1])
    with MinioBackend(options.pop("bucket"), **options).open("doc.txt") as handle:
        content = handle.read()
    print(json.dumps({"content": content.decode(), "modules": sorted(sys.modules)}))
    """
)


def _first_read(s3_endpoint: Endpoint, bucket: str) -> dict[str, Any]:
    options = {"bucket": bucket, **s3_endpoint.settings()}
    done = subprocess.run(
        [sys.executable, "-c", FIRST_READ, json.dumps(options)], capture_output=True, text=True, check=True, timeout=60
    )
    return dict(json.loads(done.stdout.splitlines()[-1]))


def test_a_first_read_imports_only_what_reading_needs(s3_endpoint: Endpoint, s3_client: Minio, bucket: str) -> None:
    s3_client.put_object(bucket, "doc.txt", io.BytesIO(b"hello"), 5)
    result = _first_read(s3_endpoint, bucket)
    assert result["content"] == "hello"
    imported = set(result["modules"])
    assert not [module for module in NOT_FOR_READING if module in imported]
    assert "django_minio_backend.storage" in imported  # the probe does see the package's imports
