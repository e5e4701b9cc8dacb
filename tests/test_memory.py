"""Nothing is buffered whole: saving and reading a file much larger than the memory bound."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .s3 import Endpoint

SIZE_MIB = 256
# Uploads hold at most MINIO_MULTIPART_PARALLEL (3) parts of 8 MiB; reads hold the piece asked for.
SAVE_BOUND_MIB = 32
READ_BOUND_MIB = 16


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


def test_a_256_mib_save_grows_under_32_mib_and_its_reads_under_16(s3_endpoint: Endpoint, bucket: str):
    save_growth, _ = _probe("save", s3_endpoint, bucket)
    reads = {operation: _probe(operation, s3_endpoint, bucket) for operation in ("chunks", "read-1m")}
    print(f"peak RSS growth for {SIZE_MIB} MiB: save {save_growth} MiB, " + ", ".join(
        f"{operation} {growth} MiB" for operation, (growth, _) in reads.items()
    ))  # fmt: skip
    assert save_growth < SAVE_BOUND_MIB
    for growth, read_bytes in reads.values():
        assert read_bytes == SIZE_MIB * 1024 * 1024
        assert growth < READ_BOUND_MIB
