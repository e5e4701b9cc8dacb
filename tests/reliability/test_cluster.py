"""Many servers: storages pointed at two S3 gateways of one SeaweedFS cluster see each other's
objects, and when one gateway is lost, the other still serves everything."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from django_minio_backend import MinioBackend, MinioBackendError

from .cluster import seaweedfs_cluster
from .conftest import FAST, SMALL_PARTS, MiB


def test_two_gateways_share_one_store_and_either_can_be_lost(tmp_path: Path):
    started = time.monotonic()
    with seaweedfs_cluster(tmp_path) as cluster:
        print(f"\ncluster of 6 processes ready after {time.monotonic() - started:.1f}s")
        gateway_a, gateway_b = cluster.gateways
        gateway_a.client().make_bucket("shared")
        via_a = MinioBackend("shared", **gateway_a.settings(), **FAST, **SMALL_PARTS)
        via_b = MinioBackend("shared", **gateway_b.settings(), **FAST, **SMALL_PARTS)

        small = via_a.save("from-a.txt", ContentFile(b"written through a"))
        large_data = os.urandom(6 * MiB)
        large = via_b.save("from-b.bin", ContentFile(large_data))
        assert via_b.open(small).read() == b"written through a"
        assert via_a.open(large).read() == large_data
        assert via_b.save("from-a.txt", ContentFile(b"same name, other gateway")) != small  # conditions hold across

        cluster.kill("s3-a")
        with pytest.raises(MinioBackendError):
            via_a.exists(small)
        assert not via_a.is_minio_available(timeout=1.0)
        assert via_b.is_minio_available()
        assert via_b.open(small).read() == b"written through a"
        assert via_b.open(via_b.save("after.txt", ContentFile(b"after"))).read() == b"after"
