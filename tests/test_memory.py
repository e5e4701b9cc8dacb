"""Nothing is buffered whole: saving and reading a file much larger than a memory bound."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .s3 import Endpoint

SIZE_MIB = 256
BOUND_MIB = 64


def test_save_and_read_of_256_mib_stay_under_64_mib_of_growth(s3_endpoint: Endpoint, bucket: str):
    env = dict(
        os.environ,
        MINIO_ENDPOINT=s3_endpoint.endpoint,
        MINIO_ACCESS_KEY=s3_endpoint.access_key,
        MINIO_SECRET_KEY=s3_endpoint.secret_key,
        MINIO_USE_HTTPS="1" if s3_endpoint.use_https else "0",
        MINIO_BUCKET=bucket,
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.memory_probe", str(SIZE_MIB)],
        cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True, timeout=600,
        check=True,
    )  # fmt: skip
    save_growth, read_growth, read_bytes = result.stdout.split()
    print(f"peak RSS growth: save {save_growth} MiB, read {read_growth} MiB for {SIZE_MIB} MiB")
    assert int(read_bytes) == SIZE_MIB * 1024 * 1024
    assert float(save_growth) < BOUND_MIB
    assert float(read_growth) < BOUND_MIB
