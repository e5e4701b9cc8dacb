"""A scripted tour of django-minio-backend against a local S3 server (``make demo``).

It starts SeaweedFS on 127.0.0.1 (data kept in .demo-data/), configures Django the
way the project's README does, and walks through saving, reading, URLs, overwrite
protection and the health check. The full example site lives in examples/ as it grows.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path

import django
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django_minio_backend.localserver import LocalS3Server  # noqa: E402
from django_minio_backend.policies import public_read  # noqa: E402

PRIVATE, PUBLIC = "django-backend-dev-private", "django-backend-dev-public"


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return f"HTTP {response.status}: {response.read()[:40]!r}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code} (refused)"


def main() -> None:
    with LocalS3Server(data_dir=ROOT / ".demo-data" / "s3") as server:
        print(f"Local S3 server (SeaweedFS) at http://{server.endpoint}")
        settings.configure(
            USE_TZ=True,
            INSTALLED_APPS=["django_minio_backend"],
            MINIO_ENDPOINT=server.endpoint,
            MINIO_ACCESS_KEY=server.access_key,
            MINIO_SECRET_KEY=server.secret_key,
            MINIO_USE_HTTPS=False,
            MINIO_PRIVATE_BUCKETS=[PRIVATE],
            MINIO_PUBLIC_BUCKETS=[PUBLIC],
        )
        django.setup()
        from django.core.files.base import ContentFile

        from django_minio_backend import MinioBackend, iso_date_prefix

        status = MinioBackend("").is_minio_available()
        print(f"1. Health check: {'OK' if status else 'NOK'} ({status.details})")

        private, public = MinioBackend(bucket_name=PRIVATE), MinioBackend(bucket_name=PUBLIC)
        for storage in (private, public):
            if not storage.client.bucket_exists(storage.bucket):
                storage.client.make_bucket(storage.bucket)
        public.client.set_bucket_policy(PUBLIC, json.dumps(public_read(PUBLIC)))
        print(f"2. Buckets ready: {PRIVATE} (private), {PUBLIC} (public: readable, not listable)")

        name = private.save(iso_date_prefix(None, "hello.txt"), ContentFile("Hello from django-minio-backend"))
        again = private.save(name, ContentFile("A second file with the same name"))
        print(f"3. Saved {name!r}; saving the same name again kept both: {again!r}")
        print(f"4. Read back: {private.open(name).read().decode()!r} ({private.size(name)} bytes)")

        url = private.url(name)
        print(f"5. Private URL (presigned): {fetch(url)}; without signature: {fetch(url.split('?')[0])}")
        logo = public.save("logo.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
        print(f"6. Public URL (plain): {public.url(logo)} -> {fetch(public.url(logo))}")

        private.delete(name)
        print(f"7. Deleted {name!r}; exists now: {private.exists(name)}")
        print("Done. The S3 server stops now; its data stays in .demo-data/.")


if __name__ == "__main__":
    main()
