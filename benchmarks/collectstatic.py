"""collectstatic of about 1,000 static files: this package's static storages beside django-storages' S3 ones.

    make bench-static                        # or, in a venv with django-storages[s3]:
    python benchmarks/collectstatic.py [--files 1000] [--rounds 3]

One local SeaweedFS serves every storage in the same run. A static tree of realistic
sizes (scripts, source maps, stylesheets that reference images and fonts, icons, fonts)
is generated once. For each storage and round, in a fresh bucket and a fresh process:

1. ``first``: collectstatic into the empty bucket;
2. ``unchanged``: collectstatic again, nothing changed;
3. ``touched``: every file's modification time moved past the upload, content the same
   (what a fresh checkout or a new container image looks like to collectstatic).

It prints the median wall time of each run and the HTTP requests it sent, counted at
urllib3's connection pool (both minio and boto3 send through it), by method, beside raw
minio-py uploading every file once (8 threads, the first run only), and then the first
manifest runs as multiples of the plain static storage's. Each bucket
gets one small write before timing: SeaweedFS makes the first concurrent writes into a
new bucket wait while it allocates storage.
"""

from __future__ import annotations

import argparse
import base64
import collections
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNS = ("first", "unchanged", "touched")

RAW = "raw"
# name: (label, STORAGES["staticfiles"], whether this package's collectstatic runs); RAW runs no Django
STORAGES: dict[str, tuple[str, dict[str, Any], bool]] = {
    RAW: ("raw minio-py: put_object of every file, 8 threads", {}, False),
    "ours": ("django-minio-backend MinioBackendStatic", {"BACKEND": "django_minio_backend.MinioBackendStatic"}, True),
    "ours-manifest": (
        "django-minio-backend MinioManifestStaticStorage",
        {"BACKEND": "django_minio_backend.MinioManifestStaticStorage"},
        True,
    ),
    "ours-hashed-only": (
        "MinioManifestStaticStorage, MINIO_STATIC_KEEP_ONLY_HASHED_FILES",
        {
            "BACKEND": "django_minio_backend.MinioManifestStaticStorage",
            "OPTIONS": {"MINIO_STATIC_KEEP_ONLY_HASHED_FILES": True},
        },
        True,
    ),
    "s3": ("django-storages S3StaticStorage", {"BACKEND": "storages.backends.s3.S3StaticStorage"}, False),
    "s3-manifest": (
        "django-storages S3ManifestStaticStorage",
        {"BACKEND": "storages.backends.s3.S3ManifestStaticStorage"},
        False,
    ),
    "ours-django-command": (
        "MinioBackendStatic with Django's own collectstatic",
        {"BACKEND": "django_minio_backend.MinioBackendStatic"},
        False,
    ),
}


# The static tree


def _text(rng: random.Random, size: int) -> bytes:
    """Printable filler of ``size`` bytes (UTF-8, so manifest storages can rewrite it)."""
    return base64.b64encode(rng.randbytes(size))[:size]


def _size(rng: random.Random, low: int, high: int) -> int:
    """Sizes spread log-uniformly between ``low`` and ``high`` bytes: many small files, a few large."""
    return int(low * (high / low) ** rng.random())


def generate_tree(root: Path, files: int, seed: int = 4) -> tuple[int, int]:
    """Write about ``files`` static files under ``root``; return (count, total bytes)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    scale = files / 1000
    plan: list[tuple[str, int, int, int, str]] = [
        # (directory pattern, count, min size, max size, extension)
        ("app{}/img", 120, 2_000, 250_000, ".png"),
        ("fonts{}", 40, 15_000, 160_000, ".woff2"),
        ("app{}/css", 120, 1_000, 60_000, ".css"),  # each refers to three images and a font
        ("app{}/img/icons", 250, 300, 4_000, ".svg"),
        ("app{}/js", 200, 1_000, 120_000, ".js"),  # each with its source map
        ("vendor{}/js", 10, 300_000, 900_000, ".js"),
        ("app{}/data", 20, 500, 20_000, ".json"),
    ]
    images: list[str] = []
    fonts: list[str] = []
    written = total = 0
    for directory, count, low, high, extension in plan:
        for number in range(max(1, round(count * scale))):
            name = f"{directory.format(number % 8)}/{extension[1:]}{number}{extension}"
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            size = _size(rng, low, high)
            if extension in (".png", ".woff2"):
                content = rng.randbytes(size)
                (images if extension == ".png" else fonts).append(name)
            elif extension == ".css":
                refs = [rng.choice(images) for _ in range(3)] + [rng.choice(fonts)]
                rules = "".join(f'.r{i} {{ background: url("/static/{ref}"); }}\n' for i, ref in enumerate(refs))
                content = rules.encode() + _text(rng, size)
            elif extension == ".js":
                content = _text(rng, size) + f"\n//# sourceMappingURL=js{number}.js.map\n".encode()
                source_map = path.with_name(f"js{number}.js.map")
                map_content = b'{"version":3,"mappings":"' + _text(rng, size * 2) + b'"}'
                source_map.write_bytes(map_content)
                written, total = written + 1, total + len(map_content)
            else:
                content = _text(rng, size)
            path.write_bytes(content)
            written, total = written + 1, total + len(content)
    return written, total


def touch_all(root: Path) -> None:
    """Move every file's modification time a little past now (a fresh checkout)."""
    later = time.time() + 2  # collectstatic compares whole seconds
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (later, later))


# One storage, one round, in its own process


def _count_requests() -> collections.Counter[str]:
    """Count every HTTP request sent through urllib3, by method."""
    import urllib3.connectionpool

    counts: collections.Counter[str] = collections.Counter()
    original = urllib3.connectionpool.HTTPConnectionPool.urlopen

    def counting(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        counts[method] += 1
        return original(self, method, url, *args, **kwargs)

    urllib3.connectionpool.HTTPConnectionPool.urlopen = counting  # type: ignore[method-assign]
    return counts


def raw_upload(bucket: str, source: Path) -> None:
    """What the first run must do at least: one put_object per file, 8 at once (as collectstatic's pool)."""
    from concurrent.futures import ThreadPoolExecutor

    from minio import Minio

    endpoint, access_key, secret_key = os.environ["BENCH_ENDPOINT"], os.environ["BENCH_KEY"], os.environ["BENCH_SECRET"]
    client = Minio(endpoint, access_key, secret_key, secure=False, region="us-east-1")

    def put(path: Path) -> None:
        with path.open("rb") as body:
            client.put_object(bucket, path.relative_to(source).as_posix(), body, path.stat().st_size)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, [path for path in source.rglob("*") if path.is_file()]))


def child(storage: str, bucket: str, source: Path) -> None:
    if storage == RAW:
        counts = _count_requests()
        started = time.perf_counter()
        raw_upload(bucket, source)
        print(json.dumps({"first": {"seconds": time.perf_counter() - started, "requests": dict(counts)}}))
        return
    import django
    from django.conf import settings
    from django.core.management import call_command

    _, backend, ours_command = STORAGES[storage]
    endpoint, access_key, secret_key = os.environ["BENCH_ENDPOINT"], os.environ["BENCH_KEY"], os.environ["BENCH_SECRET"]
    apps = ["django_minio_backend", "django.contrib.staticfiles"]
    settings.configure(
        DEBUG=False,
        USE_TZ=True,
        SECRET_KEY="benchmark-only",  # noqa: S106
        INSTALLED_APPS=apps if ours_command else apps[::-1],
        STATIC_URL="/static/",
        STATICFILES_DIRS=[str(source)],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],  # the tree only
        STORAGES={"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}, "staticfiles": backend},
        MINIO_ENDPOINT=endpoint,
        MINIO_ACCESS_KEY=access_key,
        MINIO_SECRET_KEY=secret_key,
        MINIO_USE_HTTPS=False,
        MINIO_STATIC_FILES_BUCKET=bucket,
        AWS_ACCESS_KEY_ID=access_key,
        AWS_SECRET_ACCESS_KEY=secret_key,
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=f"http://{endpoint}",
        AWS_S3_REGION_NAME="us-east-1",
        AWS_S3_ADDRESSING_STYLE="path",
        AWS_DEFAULT_ACL=None,
    )
    django.setup()
    counts = _count_requests()
    results = {}
    for run in RUNS:
        if run == "touched":
            touch_all(source)
        counts.clear()
        started = time.perf_counter()
        call_command("collectstatic", "--noinput", verbosity=0, stdout=io.StringIO())
        results[run] = {"seconds": time.perf_counter() - started, "requests": dict(counts)}
    print(json.dumps(results))


# The parent: server, buckets, table


def run_round(server: Any, client: Any, storage: str, source: Path, number: int) -> dict[str, Any]:
    from django_minio_backend.policies import public_read

    bucket = f"bench-{storage}-{number}-{os.getpid()}"
    client.make_bucket(bucket, location="us-east-1")
    client.set_bucket_policy(bucket, json.dumps(public_read(bucket)))
    client.put_object(bucket, "warm-up", io.BytesIO(b"1"), 1)
    client.remove_object(bucket, "warm-up")
    env = {**os.environ, "BENCH_ENDPOINT": server.endpoint, "BENCH_KEY": server.access_key}
    env["BENCH_SECRET"] = server.secret_key
    command = [sys.executable, __file__, "--child", storage, "--bucket", bucket, "--source", str(source)]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if output.returncode:
        raise SystemExit(f"{storage} failed:\n{output.stderr[-3000:]}")
    from minio.deleteobjects import DeleteObject

    names = [DeleteObject(str(o.object_name)) for o in client.list_objects(bucket, recursive=True)]
    list(client.remove_objects(bucket, names))
    client.remove_bucket(bucket)
    return dict(json.loads(output.stdout.strip().splitlines()[-1]))


def _requests(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    detail = " · ".join(f"{method} {count:,}" for method, count in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{total:,}" + (f" ({detail})" if len(counts) > 1 else f" {detail.split()[0]}" if counts else "")


def _cell(rounds: list[dict[str, Any]], run: str) -> str:
    if run not in rounds[0]:
        return "—"
    seconds = statistics.median(r[run]["seconds"] for r in rounds)
    return f"{seconds:.2f} s, {_requests(rounds[0][run]['requests'])}"


def _ratio(results: dict[str, list[dict[str, Any]]], storage: str, baseline: str) -> str:
    """``storage``'s first run beside ``baseline``'s: requests and median time, as multiples."""

    def first(name: str) -> tuple[int, float]:
        rounds = results[name]
        return sum(rounds[0]["first"]["requests"].values()), statistics.median(r["first"]["seconds"] for r in rounds)

    (requests, seconds), (base_requests, base_seconds) = first(storage), first(baseline)
    return (
        f"First run, {STORAGES[storage][0]} against {STORAGES[baseline][0]}: "
        f"requests x{requests / base_requests:.2f}, time x{seconds / base_seconds:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=list(STORAGES), default=list(STORAGES))
    parser.add_argument("--child")
    parser.add_argument("--bucket")
    parser.add_argument("--source", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.bucket, args.source)
        return

    from minio import Minio

    from django_minio_backend.localserver import LocalS3Server

    with tempfile.TemporaryDirectory() as scratch, LocalS3Server(data_dir=Path(scratch) / "s3") as server:
        source = Path(scratch) / "static"
        count, size = generate_tree(source, args.files)
        print(f"{count:,} files, {size / 1e6:.1f} MB; {args.rounds} round(s); SeaweedFS on {server.endpoint}\n")
        client = Minio(server.endpoint, server.access_key, server.secret_key, secure=False, region="us-east-1")
        rows = []
        results: dict[str, list[dict[str, Any]]] = {}
        for storage in args.only:
            results[storage] = [run_round(server, client, storage, source, number) for number in range(args.rounds)]
            cells = " | ".join(_cell(results[storage], run) for run in RUNS)
            rows.append(f"| {STORAGES[storage][0]} | {cells} |")
            print(rows[-1], flush=True)
        print("\n| storage | first run | unchanged second run | touched, same content |\n|---|---|---|---|")
        print("\n".join(rows))
        for storage, baseline in (("ours-hashed-only", "ours"), ("ours-manifest", "ours"), ("ours", RAW)):
            if storage in results and baseline in results:
                print(_ratio(results, storage, baseline))


if __name__ == "__main__":
    main()
