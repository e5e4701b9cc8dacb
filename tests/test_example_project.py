"""The example project's files: migrations, docker-compose.yml, and the ``make demo`` launcher."""

from __future__ import annotations

import os
import re
import runpy
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from examples.site.run_demo import DemoState, ExampleSite, port_is_free

from .s3 import closed_port, http_get

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "examples" / "site"
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
MINIO_NODES = sorted(name for name in SERVICES if re.fullmatch(r"minio\d+", name))


# Migrations


def test_migrations_match_the_models_whatever_the_server(tmp_path: Path):
    """Settings with another endpoint, keys and buckets would change the migration state if
    deconstruct() recorded any of them; ``makemigrations --check`` proves they do not."""
    site = ExampleSite.for_server("s3.elsewhere.example:4242", "AKIAOTHER", "other-secret", tmp_path / "db.sqlite3")
    site.manage("makemigrations", "--check", "--dry-run", quiet=True)


def test_system_checks_find_nothing_to_warn_about(tmp_path: Path):
    """The example is the configuration users copy: not even a warning (no network I/O either)."""
    site = ExampleSite.for_server("127.0.0.1:9", "AKIAEXAMPLE", "example-secret", tmp_path / "db.sqlite3")
    site.manage("check", "--fail-level", "WARNING", quiet=True)


def test_a_missing_key_is_reported_once_per_alias_not_again_per_field(tmp_path: Path):
    """The models' storages are the aliases' own instances: their problems are the aliases'."""
    site = ExampleSite.for_server("127.0.0.1:9", "", "", tmp_path / "db.sqlite3")
    checked = subprocess.run(
        [sys.executable, str(SITE / "manage.py"), "check"], env=site.env, capture_output=True, text=True, check=False
    )
    reported = re.findall(r"\(django_minio_backend\.E002\) .*\((.*)\)\.", checked.stderr)
    assert sorted(reported) == ["STORAGES['default']", "STORAGES['public']", "STORAGES['staticfiles']"], checked.stderr


def test_migrations_name_callables_not_buckets_endpoints_or_keys():
    text = "".join(path.read_text() for path in (SITE / "uploads" / "migrations").glob("0*.py"))
    assert "storage=uploads.storages.private_storage" in text
    assert "storage=uploads.storages.public_storage" in text
    assert "upload_to=django_minio_backend.utils.iso_date_prefix" in text
    for leak in ("example-private", "example-public", "MINIO_", "127.0.0.1", "9000", "bucket_name"):
        assert leak not in text


# docker-compose.yml


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def _published(service: dict[str, Any]) -> dict[int, int]:
    """{container port: host port} of a service's ``ports``."""
    ports = {}
    for entry in service.get("ports", []):
        *_, host, container = str(entry).split(":")
        ports[int(container)] = int(host)
    return ports


def test_compose_images_are_pinned():
    for name, service in SERVICES.items():
        if "build" in service:
            dockerfile = ROOT / service["build"]["context"] / service["build"]["dockerfile"]
            images = re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(), re.MULTILINE)
        else:
            images = [service["image"]]
        for image in images:
            repository, _, tag = image.rpartition(":")
            assert repository and "/" not in tag, f"{name}: {image} has no tag"
            assert tag != "latest" and re.search(r"\d", tag), f"{name}: {image} is not pinned to a release"


def test_compose_minio_is_distributed_behind_the_load_balancer():
    assert len(MINIO_NODES) >= 2
    upstreams = re.findall(r"server\s+(minio\d+):9000;", (ROOT / "examples" / "docker" / "nginx.conf").read_text())
    assert sorted(upstreams) == MINIO_NODES
    for name in MINIO_NODES:
        node = SERVICES[name]
        assert node["image"].startswith("quay.io/minio/minio:RELEASE.")
        assert f"http://minio{{1...{len(MINIO_NODES)}}}/" in node["command"]
        assert SERVICES["minio"]["depends_on"][name] == {"condition": "service_healthy"}
    mount = SERVICES["minio"]["volumes"][0].split(":")[0]
    assert (ROOT / mount).is_file()
    assert "listen 9000;" in (ROOT / mount).read_text()


def test_compose_web_settings_point_at_minio_inside_and_outside(monkeypatch: pytest.MonkeyPatch):
    """The example settings, read with the web service's environment, use the load balancer
    inside the network, sign URLs for its published port, and hold the nodes' credentials."""
    web = SERVICES["web"]
    env = _environment(web)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = runpy.run_path(str(SITE / "exampleproject" / "settings.py"))
    options = settings["STORAGES"]["default"]["OPTIONS"]

    host, port = options["MINIO_ENDPOINT"].split(":")
    assert host in SERVICES and host != "web"
    assert f"listen {port};" in (ROOT / "examples" / "docker" / "nginx.conf").read_text()
    external_host, external_port = options["MINIO_EXTERNAL_ENDPOINT"].split(":")
    assert external_host in ("localhost", "127.0.0.1")
    assert _published(SERVICES[host])[int(port)] == int(external_port)
    assert options["MINIO_USE_HTTPS"] is False and options["MINIO_EXTERNAL_ENDPOINT_USE_HTTPS"] is False
    for name in MINIO_NODES:
        node = _environment(SERVICES[name])
        assert (options["MINIO_ACCESS_KEY"], options["MINIO_SECRET_KEY"]) == (
            node["MINIO_ROOT_USER"],
            node["MINIO_ROOT_PASSWORD"],
        )
    assert settings["DATABASES"]["default"]["NAME"] == env["EXAMPLE_DATABASE"]
    assert "localhost" in settings["ALLOWED_HOSTS"]
    assert web["depends_on"]["minio"] == {"condition": "service_healthy"}
    assert _published(web)[8000] == 8000


def test_compose_web_variables_are_all_read_by_the_site():
    """A misspelt variable in docker-compose.yml would be silently ignored."""
    sources = (SITE / "exampleproject" / "settings.py").read_text() + (
        SITE / "uploads" / "management" / "commands" / "prepare_site.py"
    ).read_text()
    for key in _environment(SERVICES["web"]):
        assert f'"{key}"' in sources, f"{key} is set in docker-compose.yml but the site never reads it"


def test_contribute_documents_the_compose_credentials():
    node = _environment(SERVICES[MINIO_NODES[0]])
    host_port = _published(SERVICES["minio"])[9000]
    text = (ROOT / "CONTRIBUTE.md").read_text()
    assert f"MINIO_TEST_ENDPOINT=127.0.0.1:{host_port}" in text
    assert f"MINIO_TEST_ACCESS_KEY={node['MINIO_ROOT_USER']}" in text
    assert f"MINIO_TEST_SECRET_KEY={node['MINIO_ROOT_PASSWORD']}" in text


# make demo


def test_demo_state_is_made_once_and_kept_private(tmp_path: Path):
    path = tmp_path / "data" / "demo.json"
    first = DemoState.load_or_create(path)
    assert DemoState.load_or_create(path) == first
    assert path.stat().st_mode & 0o077 == 0
    assert first.secret_key not in repr(first) and first.admin_password not in repr(first)


def _processes_mentioning(text: str) -> list[int]:
    """Pids of live processes whose command line contains ``text``."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State:"))
            except (OSError, StopIteration):
                continue
            if text in cmdline and "zombie" not in state:
                pids.append(int(entry.name))
    return pids


def _start_demo(data_dir: Path, port: int) -> subprocess.Popen[str]:
    """``run_demo.py`` in a process group of its own, as a terminal would run it."""
    return subprocess.Popen(
        [sys.executable, str(SITE / "run_demo.py"), "--port", str(port), "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for_banner(demo: subprocess.Popen[str]) -> str:
    assert demo.stdout is not None
    output = []
    for line in demo.stdout:
        output.append(line)
        if "Ctrl-C stops" in line:
            return "".join(output)
    raise AssertionError(f"make demo ended early (exit code {demo.wait()}):\n{''.join(output)}")


def _interrupt(demo: subprocess.Popen[str]) -> str:
    """Ctrl-C, as the terminal sends it: SIGINT to the whole foreground process group."""
    os.killpg(demo.pid, signal.SIGINT)
    rest, _ = demo.communicate(timeout=30)
    return rest


def test_make_demo_serves_the_site_and_ctrl_c_stops_everything(tmp_path: Path):
    data_dir, port = tmp_path / "demo-data", closed_port()
    demo = _start_demo(data_dir, port)
    try:
        banner = _wait_for_banner(demo)
        state = DemoState.load_or_create(data_dir / "demo.json")
        assert f"http://127.0.0.1:{port}/" in banner and repr(state.admin_password) in banner
        assert state.secret_key not in banner
        assert http_get(f"http://127.0.0.1:{port}/")[0] == 200
        assert http_get(f"http://127.0.0.1:{port}/health")[0] == 200
        assert http_get(f"http://127.0.0.1:{state.s3_port}/example-static/uploads/site.css")[0] == 200
        children = [f"-dir={data_dir}", f"runserver 127.0.0.1:{port}"]  # weed, the site
        assert all(_processes_mentioning(child) for child in children)
    finally:
        rest = _interrupt(demo) if demo.poll() is None else ""
    assert demo.returncode == 0, rest
    assert "Stopped the site and the S3 server." in rest
    assert [pid for child in children for pid in _processes_mentioning(child)] == []  # none left behind
    assert port_is_free(port) and port_is_free(state.s3_port)
    assert (data_dir / "db.sqlite3").exists() and any((data_dir / "s3").iterdir())


def test_make_demo_refuses_a_taken_port_before_starting_anything(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        demo = _start_demo(tmp_path, port)
        output, _ = demo.communicate(timeout=30)
    assert demo.returncode == 1
    assert f"Port {port} (the site) is in use" in output
    assert not (tmp_path / "s3").exists()
