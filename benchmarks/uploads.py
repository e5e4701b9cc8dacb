"""Direct upload against an upload through Django, of the same large file, with raw minio-py
(the bytes sent to the bucket by a client, no Django at all) measured in the same run.

For each: the client's wall time, and the Django worker's CPU time and peak RSS growth while it
handled the upload (the worker is its own process, ``benchmarks.upload_site``), with the
requests and bytes Django received. The direct upload is played by a Python client doing what
the browser's script does: start, parts in three parallel PUTs to presigned URLs, complete,
then the form post of the token.

    python -m benchmarks.uploads [--size-mib 128]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import urllib3

from benchmarks.common import ROOT, MiB, Server, format_seconds, local_server, markdown_table

HTTP = urllib3.PoolManager(maxsize=8)


class Django:
    """The worker's base URL, and what the client sent it."""

    def __init__(self, url: str):
        self.url = url
        self.requests = 0
        self.bytes = 0
        self.cookie = ""
        self.csrf = ""

    def send(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**kwargs.pop("headers", {}), "Cookie": f"csrftoken={self.csrf}", "X-CSRFToken": self.csrf}
        if "fields" in kwargs:
            body, content_type = urllib3.encode_multipart_formdata(kwargs.pop("fields"))
            kwargs["body"], headers["Content-Type"] = body, content_type
        self.requests += 1
        self.bytes += len(kwargs.get("body") or b"")
        response = HTTP.request(method, self.url + path, headers=headers, **kwargs)
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}: {response.data[:300]!r}")
        return response

    def json(self, path: str, body: dict[str, Any]) -> Any:
        response = self.send("POST", path, body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        return response.json()

    def stats(self) -> dict[str, float]:
        return dict(HTTP.request("GET", self.url + "/stats/").json())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _through_django(django: Django, data: bytes) -> None:
    django.send("POST", "/through/", fields={"file": ("big.bin", data, "application/octet-stream")})


def _direct(django: Django, data: bytes) -> None:
    ticket = HTTP.request("GET", django.url + "/ticket/")
    django.csrf = ticket.headers["Set-Cookie"].split("csrftoken=")[1].split(";")[0]
    field = ticket.json()["field"]
    start = django.json("/direct-uploads/start/", {"field": field, "name": "big.bin", "size": len(data), "type": ""})
    size = start["part_size"]

    def put(number: int) -> None:
        signed = django.json("/direct-uploads/part/", {"field": field, "token": start["token"], "number": number})
        piece = data[(number - 1) * size : number * size]
        if HTTP.request("PUT", signed["url"], body=piece).status != 200:
            raise RuntimeError(f"part {number} refused")

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(put, range(1, start["parts"] + 1)))
    done = django.json("/direct-uploads/complete/", {"field": field, "token": start["token"]})
    django.send("POST", "/direct/", fields={"file": done["token"]})


def _raw_minio(server: Server, data: bytes) -> None:
    client = server.client()
    client.put_object(
        server.bucket, "raw/big.bin", io.BytesIO(data), len(data), part_size=8 * MiB, num_parallel_uploads=3
    )


def measure(django: Django, upload: Callable[[], None]) -> dict[str, float]:
    django.requests = django.bytes = 0
    before = django.stats()  # resets the worker's peak
    started = time.perf_counter()
    upload()
    wall = time.perf_counter() - started
    after = django.stats()
    return {
        "wall_s": wall,
        "cpu_s": after["cpu_s"] - before["cpu_s"],
        "peak_mib": after["peak_mib"] - before["rss_mib"],
        "requests": django.requests,
        "bytes": django.bytes,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=int, default=128, help="the file's size (default 128)")
    args = parser.parse_args(argv)
    data = os.urandom(args.size_mib * MiB)
    with local_server() as server:
        port = _free_port()
        env = dict(os.environ, **server.environ(), PYTHONPATH=str(ROOT))
        worker = subprocess.Popen(  # noqa: S603 - our own module
            [sys.executable, "-m", "benchmarks.upload_site", str(port)], env=env, cwd=ROOT, stdout=subprocess.PIPE
        )
        try:
            assert worker.stdout is not None
            worker.stdout.readline()  # {"ready": true}
            django = Django(f"http://127.0.0.1:{port}")
            results = {
                "raw minio-py put_object (no Django)": measure(django, lambda: _raw_minio(server, data)),
                "through Django (FileField form)": measure(django, lambda: _through_django(django, data)),
                "direct (DirectUploadField)": measure(django, lambda: _direct(django, data)),
            }
        finally:
            worker.terminate()
            worker.wait(timeout=10)
    rows = [
        [
            name,
            format_seconds(values["wall_s"]),
            format_seconds(values["cpu_s"]),
            f"{values['peak_mib']:.1f} MiB",
            str(values["requests"]),
            f"{values['bytes'] / 1024:.1f} KiB",
        ]
        for name, values in results.items()
    ]
    print(f"Upload of one {args.size_mib} MiB file to a local SeaweedFS\n")
    header = [
        "upload",
        "wall time",
        "Django CPU time",
        "Django peak RSS growth",
        "requests to Django",
        "bytes to Django",
    ]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
