"""A small SeaweedFS cluster on loopback: one master, two volume servers, a filer and two S3
gateways, each its own process, so one gateway can be lost while the data stays reachable."""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from minio.error import MinioException
from urllib3.exceptions import HTTPError

from django_minio_backend.localserver import _free_ports, _weed_binary  # the same binary and port picking

from ..s3 import Endpoint


@dataclass
class Cluster:
    """The S3 gateways' endpoints, and the processes by name (``master``, ``volume-1``, ``s3-a``...)."""

    gateways: list[Endpoint]
    processes: dict[str, subprocess.Popen[bytes]] = field(repr=False)

    def kill(self, name: str) -> None:
        self.processes[name].kill()
        self.processes[name].wait()


def _wait_until_writable(endpoint: Endpoint, deadline: float) -> None:
    """Until a bucket can be made and written through ``endpoint`` (volumes have registered)."""
    client = endpoint.client()
    bucket = "cluster-ready-" + secrets.token_hex(4)
    while True:
        try:
            if not client.bucket_exists(bucket):
                client.make_bucket(bucket)
            client.put_object(bucket, "ready", io.BytesIO(b"1"), 1)
            client.remove_object(bucket, "ready")
            client.remove_bucket(bucket)
            return
        except (MinioException, HTTPError, OSError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextmanager
def seaweedfs_cluster(directory: Path, *, startup_timeout: float = 60.0) -> Iterator[Cluster]:
    """Start the cluster with its data under ``directory``; kill it on exit."""
    access_key, secret_key = "cluster-" + secrets.token_hex(6), secrets.token_urlsafe(24)
    env = dict(os.environ, AWS_ACCESS_KEY_ID=access_key, AWS_SECRET_ACCESS_KEY=secret_key)
    ports = _free_ports(12)
    http, grpc = ports[:6], ports[6:]
    master = f"127.0.0.1:{http[0]}.{grpc[0]}"
    filer = f"127.0.0.1:{http[3]}.{grpc[3]}"
    loopback = ["-ip=127.0.0.1", "-ip.bind=127.0.0.1"]
    no_extras = ["-port.iceberg=0", "-port.lance=0"]  # S3 only: no catalogue listeners on fixed ports
    commands = {
        "master": ["master", f"-mdir={directory / 'master'}", f"-port={http[0]}", f"-port.grpc={grpc[0]}",
                   "-volumeSizeLimitMB=64"],
        "volume-1": ["volume", f"-dir={directory / 'volume-1'}", f"-port={http[1]}", f"-port.grpc={grpc[1]}",
                     f"-master={master}", "-max=20"],
        "volume-2": ["volume", f"-dir={directory / 'volume-2'}", f"-port={http[2]}", f"-port.grpc={grpc[2]}",
                     f"-master={master}", "-max=20"],
        "filer": ["filer", f"-defaultStoreDir={directory / 'filer'}", f"-port={http[3]}", f"-port.grpc={grpc[3]}",
                  f"-master={master}"],
        "s3-a": ["s3", f"-port={http[4]}", f"-port.grpc={grpc[4]}", f"-filer={filer}", *no_extras],
        "s3-b": ["s3", f"-port={http[5]}", f"-port.grpc={grpc[5]}", f"-filer={filer}", *no_extras],
    }  # fmt: skip
    with ExitStack() as stack:
        processes: dict[str, subprocess.Popen[bytes]] = {}
        for name, arguments in commands.items():
            for argument in arguments:
                if argument.startswith(("-mdir=", "-dir=", "-defaultStoreDir=")):
                    Path(argument.split("=", 1)[1]).mkdir(parents=True, exist_ok=True)
            log = stack.enter_context(open(directory / f"{name}.log", "wb"))
            processes[name] = subprocess.Popen(
                [_weed_binary(), *arguments, *loopback], env=env, stdout=log, stderr=subprocess.STDOUT
            )
            stack.callback(_kill, processes[name])
        gateways = [Endpoint(f"127.0.0.1:{port}", access_key, secret_key) for port in http[4:]]
        deadline = time.monotonic() + startup_timeout
        for gateway in gateways:
            _wait_until_writable(gateway, deadline)
        yield Cluster(gateways, processes)


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()
