"""Nothing is buffered whole: saving and reading a file much larger than the memory bound."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .s3 import Endpoint

SIZE_MIB = 256
# Uploads hold at most MINIO_MULTIPART_PARALLEL (3) parts of 8 MiB; reads a 32 MiB window at most.
BOUND_MIB = 32


def _probe(operation: str, s3_endpoint: Endpoint, bucket: str) -> tuple[float, int]:
    env = dict(
        os.environ,
        MINIO_ENDPOINT=s3_endpoint.endpoint,
        MINIO_ACCESS_KEY=s3_endpoint.access_key,
        MINIO_SECRET_KEY=s3_endpoint.secret_key,
        MINIO_USE_HTTPS="1" if s3_endpoint.use_https else "0",
        MINIO_BUCKET=bucket,
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.memory_probe", operation, str(SIZE_MIB)],
        cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True, timeout=600,
        check=True,
    )  # fmt: skip
    growth, read_bytes = result.stdout.split()
    return float(growth), int(read_bytes)


def test_save_and_read_of_256_mib_each_stay_under_32_mib_of_growth(s3_endpoint: Endpoint, bucket: str):
    save_growth, _ = _probe("save", s3_endpoint, bucket)
    read_growth, read_bytes = _probe("read", s3_endpoint, bucket)
    print(f"peak RSS growth: save {save_growth} MiB, read {read_growth} MiB for {SIZE_MIB} MiB")
    assert read_bytes == SIZE_MIB * 1024 * 1024
    assert save_growth < BOUND_MIB
    assert read_growth < BOUND_MIB
