"""A server reachable only through an HTTP forward proxy, given as MINIO_HTTP_CLIENT (a
urllib3.ProxyManager): storage calls and the health check both go through the proxy."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import urllib3
from django.core.files.base import ContentFile

from ..s3 import Endpoint, closed_port
from .conftest import FAST, storage_at
from .proxy import Proxy, Request


@dataclass
class ForwardProxy:
    """A forward proxy whose only route is the S3 server: it takes proxy requests (absolute-form
    targets) for any host and forwards them in origin form. ``targets`` lists what it was asked."""

    url: str
    targets: list[str] = field(default_factory=list)


@pytest.fixture
def forward_proxy(s3_endpoint: Endpoint) -> Iterator[ForwardProxy]:
    targets: list[str] = []

    def to_origin_form(request: Request) -> None:
        targets.append(request.target)
        url = urllib.parse.urlsplit(request.target)
        request.target = url.path + (f"?{url.query}" if url.query else "")

    with Proxy(s3_endpoint.endpoint, tamper=to_origin_form) as proxy:
        yield ForwardProxy(f"http://{proxy.endpoint}", targets)


def test_storage_and_health_check_reach_the_server_only_through_the_users_proxy(
    s3_endpoint: Endpoint, bucket: str, forward_proxy: ForwardProxy
):
    direct = f"127.0.0.1:{closed_port()}"  # nothing answers there; the proxy's route does
    user_pool = urllib3.ProxyManager(forward_proxy.url, timeout=urllib3.Timeout(connect=5, read=30))
    storage = storage_at(direct, s3_endpoint, bucket, MINIO_HTTP_CLIENT=user_pool, **FAST)

    name = storage.save("via-proxy.txt", ContentFile(b"proxied"))
    assert storage.open(name).read() == b"proxied"
    status = storage.is_minio_available()

    assert status.is_available, status.details
    assert f"http://{direct}/" in forward_proxy.targets  # the probe's ListBuckets
    assert all(target.startswith(f"http://{direct}/") for target in forward_proxy.targets)
    assert user_pool.connection_pool_kw["timeout"].read_timeout == 30  # the user's pool is unchanged


def test_health_check_through_a_proxy_that_is_down_is_unavailable(s3_endpoint: Endpoint):
    user_pool = urllib3.ProxyManager(f"http://127.0.0.1:{closed_port()}")
    storage = storage_at(s3_endpoint.endpoint, s3_endpoint, MINIO_HTTP_CLIENT=user_pool, **FAST)
    status = storage.is_minio_available()
    assert not status.is_available
    assert "is unreachable" in status.details
