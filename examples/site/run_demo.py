"""``make demo [PORT=8000]``: the example site on http://127.0.0.1:8000 against a local S3 server.

It starts SeaweedFS (``LocalS3Server``) with its data in ``.demo-data/`` at the top of the
repository, runs ``manage.py prepare_site`` (``migrate``, ``initialize_buckets``,
``collectstatic`` and the demo admin user) and serves the site with ``runserver``. The S3
port, the credentials and the admin password are made once and kept in
``.demo-data/demo.json``, so uploads survive restarts.
Ctrl-C (or SIGTERM) stops the site and the S3 server. ``make clean`` deletes the data.

``ExampleSite`` runs the site's commands in child processes; the test suite uses it too.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType

try:
    from django_minio_backend.localserver import LocalS3Server, ServerStartError
except ImportError:  # started with a Python that does not have the project installed
    sys.exit(
        "run_demo.py needs the project's environment. From the repository's top directory run\n"
        "    make demo PORT=8000\n"
        "or, once `make demo` (or `make .venv/.installed`) has created .venv:\n"
        "    .venv/bin/python examples/site/run_demo.py --port 8000"
    )

SITE_DIR = Path(__file__).resolve().parent
DATA_DIR = SITE_DIR.parent.parent / ".demo-data"
ADMIN_USER = "admin"


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port``."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@dataclass
class ExampleSite:
    """The example Django project, driven through ``manage.py`` in child processes.

    ``env`` is what its settings read: the ``MINIO_*`` connection and the ``DJANGO_*``
    and ``EXAMPLE_DATABASE`` variables (see exampleproject/settings.py).
    """

    env: dict[str, str] = field(repr=False)

    @classmethod
    def for_server(
        cls, endpoint: str, access_key: str, secret_key: str, database: Path, *, use_https: bool = False, **extra: str
    ) -> ExampleSite:
        """A site whose storages use the S3 server at ``endpoint`` and whose SQLite file is ``database``."""
        env = dict(
            os.environ,
            MINIO_ENDPOINT=endpoint,
            MINIO_ACCESS_KEY=access_key,
            MINIO_SECRET_KEY=secret_key,
            MINIO_USE_HTTPS="1" if use_https else "0",
            EXAMPLE_DATABASE=str(database),
            PYTHONUNBUFFERED="1",
        )
        env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py names the example's settings
        env.update(extra)
        return cls(env)

    def manage(self, *args: str, quiet: bool = False, **extra_env: str) -> None:
        """Run ``manage.py`` with ``args`` (output hidden if ``quiet``); raise if it fails."""
        subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, str(SITE_DIR / "manage.py"), *args],
            env={**self.env, **extra_env},
            cwd=SITE_DIR,
            stdout=subprocess.DEVNULL if quiet else None,
            check=True,
        )

    def prepare(self, admin_password: str, *, quiet: bool = False) -> None:
        """Tables, buckets, static files and the admin user (``manage.py prepare_site``)."""
        self.manage(
            "prepare_site",
            *(["--verbosity=0"] if quiet else []),
            quiet=quiet,
            DJANGO_SUPERUSER_USERNAME=ADMIN_USER,
            DJANGO_SUPERUSER_PASSWORD=admin_password,
        )

    def serve(self, port: int, *, timeout: float = 30.0) -> subprocess.Popen[bytes]:
        """Start ``runserver`` on 127.0.0.1:``port`` and return once it accepts connections."""
        process = subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, str(SITE_DIR / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=self.env,
            cwd=SITE_DIR,
        )
        deadline = time.monotonic() + timeout
        while port_is_free(port):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"The example site did not start on port {port} (exit code {process.poll()}).")
            time.sleep(0.1)
        return process


@dataclass
class DemoState:
    """What must stay the same across restarts: the S3 port, credentials, keys, admin password."""

    s3_port: int
    access_key: str
    secret_key: str = field(repr=False)
    django_secret_key: str = field(repr=False)
    admin_password: str = field(repr=False)

    @classmethod
    def load_or_create(cls, path: Path) -> DemoState:
        if path.exists():
            return cls(**json.loads(path.read_text()))
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            s3_port = int(sock.getsockname()[1])
        state = cls(
            s3_port=s3_port,
            access_key="demo-" + secrets.token_hex(4),
            secret_key=secrets.token_urlsafe(24),
            django_secret_key=secrets.token_urlsafe(40),
            admin_password=secrets.token_urlsafe(9),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(json.dumps(asdict(state), indent=2))
        return state


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Turn Ctrl-C or SIGTERM into KeyboardInterrupt, once: a second one must not cut the clean-up short."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _banner(site_port: int, server: LocalS3Server, state: DemoState, data_dir: Path) -> str:
    base = f"http://127.0.0.1:{site_port}"
    return (
        f"\n  The example site:  {base}/   (uploads with their URLs; log in to upload and delete)"
        f"\n  The admin:         {base}/admin/   user {ADMIN_USER!r}, password {state.admin_password!r}"
        f"\n  Health check:      {base}/health"
        f"\n  S3 API:            http://{server.endpoint}   access key {state.access_key!r}"
        f" (secret key in {data_dir / 'demo.json'})"
        "\n\n  Ctrl-C stops the site and the S3 server; the data stays for the next `make demo`.\n"
    )


def run(site_port: int, data_dir: Path, state: DemoState) -> int:
    """Start the S3 server and the site, wait for Ctrl-C, stop both. Returns the exit code."""
    server = LocalS3Server(
        data_dir=data_dir / "s3", port=state.s3_port, access_key=state.access_key, secret_key=state.secret_key
    )
    with server:
        print(f"Local S3 server (SeaweedFS) at http://{server.endpoint}, data in {data_dir}")
        site = ExampleSite.for_server(
            server.endpoint,
            server.access_key,
            server.secret_key,
            data_dir / "db.sqlite3",
            DJANGO_SECRET_KEY=state.django_secret_key,
            DJANGO_DEBUG="1",
        )
        site.prepare(state.admin_password)
        process = site.serve(site_port)
        print(_banner(site_port, server, state, data_dir), flush=True)
        try:
            return process.wait()  # runserver ends by itself only on an error
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8000, help="port of the site on 127.0.0.1 (default 8000)")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help=f"where data lives (default {DATA_DIR})")
    args = parser.parse_args(argv)
    data_dir: Path = args.data_dir.resolve()
    state = DemoState.load_or_create(data_dir / "demo.json")
    for port, what in ((args.port, "the site"), (state.s3_port, "the demo's S3 server")):
        if not port_is_free(port):
            print(f"Port {port} ({what}) is in use. Is another `make demo` running?", file=sys.stderr)
            return 1
    # Ctrl-C and SIGTERM both end in run()'s clean-up, even if SIGINT was ignored when we started.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        exit_code = run(args.port, data_dir, state)
    except KeyboardInterrupt:
        exit_code = 0
    except (ServerStartError, subprocess.CalledProcessError, RuntimeError) as exc:
        print(f"make demo failed: {exc}", file=sys.stderr)
        return 1
    print("Stopped the site and the S3 server.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
