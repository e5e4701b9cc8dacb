"""Storage operations side by side: raw minio-py, this project, upstream 4.5, django-storages, django-minio-storage.

    make bench                                            # everything (a few minutes)
    make bench BENCH_ARGS=--quick                         # fewer rounds, no 1 GiB save
    python -m benchmarks.operations --only raw,ours --ops save_1k,presigned_url

Starts its own SeaweedFS on loopback and prints one Markdown table. The machine is
shared with the server, so the libraries take turns: every round runs each library
once, and medians are taken over rounds.

- Small operations (1 KiB saves and reads, ``exists()``, ``size()``, URLs): one process
  per operation holds all libraries; a round is 40 calls (2,000 for URLs) per library.
- Large operations (256 MiB and 1 GiB saves, a 128 MiB read by ``chunks()`` and by 1 MiB
  ``read()`` calls): one fresh process per library and round, doing only that operation, so
  its peak RSS is that operation's.
- The first read in a fresh process: one process per library and round, Django set up,
  timed from importing the library to the 1 KiB read (a management command's or a new
  worker's first read).

A library with an environment of its own (``libraries.ENVIRONMENTS``: upstream 4.5 needs
Python 3.12 and has this project's import name) runs in ``.venv-bench-NAME``, if that exists,
beside raw minio-py run there too: its ratio is to that raw minio-py.

See ``common.py`` for how requests, memory and time are measured.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import (
    ROOT,
    MiB,
    RequestCounter,
    Server,
    benchmarks_only,
    compile_sources,
    configure_django,
    empty_bucket,
    format_seconds,
    generated_file,
    local_server,
    markdown_table,
    peak_rss_mib,
    report,
    reset_peak,
    run_worker,
)
from .libraries import ENVIRONMENTS, LIBRARIES, Library, small_stream

SMALL_OBJECT = "fixtures/read-1k.bin"
LARGE_READ_MIB = 128
LARGE_OBJECT = f"fixtures/read-{LARGE_READ_MIB}m.bin"
URL_NAMES = [f"media/2025-01-01/photo {i}.jpg" for i in range(1000)]
SMALL_CALLS, URL_CALLS = 40, 2000

# Worker side


def _small_operation(library: Library, operation: str) -> Callable[[int], object] | None:
    """``call(i)`` doing the operation once; None if the library does not have it."""
    if operation == "save_1k":
        prefix = f"small/{uuid.uuid4().hex}"
        return lambda i: library.save(f"{prefix}-{i}.bin", small_stream(), 1024)
    if operation == "save_1k_overwriting":
        prefix = f"small/{uuid.uuid4().hex}"
        if library.save_overwriting(f"{prefix}-probe.bin", small_stream(), 1024) is None:
            return None
        return lambda i: library.save_overwriting(f"{prefix}-{i}.bin", small_stream(), 1024)
    if operation == "open_read_1k":
        return lambda i: library.open_read(SMALL_OBJECT)
    if operation == "exists":
        return lambda i: library.exists(SMALL_OBJECT)
    if operation == "size":
        return lambda i: library.size(SMALL_OBJECT)
    url = {
        "presigned_url": library.presigned_url,
        "presigned_url_temporary": library.presigned_url_temporary,
        "public_url": library.public_url,
    }[operation]
    if url(URL_NAMES[0]) is None:
        return None
    return lambda i: url(URL_NAMES[i % len(URL_NAMES)])


def _configure_for(names: list[str], server: Server) -> None:
    configure_django(**{key: value for name in names for key, value in LIBRARIES[name].django_settings(server).items()})


def measure_small(names: list[str], operation: str, rounds: int) -> dict[str, dict[str, float]]:
    """All libraries in this process, taking turns each round: seconds and requests per call."""
    server = Server.from_environ()
    _configure_for(names, server)
    counter = RequestCounter()
    calls = {name: _small_operation(LIBRARIES[name](server), operation) for name in names}
    per_round = URL_CALLS if operation.endswith("_url") else SMALL_CALLS
    samples: dict[str, list[float]] = {name: [] for name in calls}
    requests = dict.fromkeys(calls, 0)
    for call in calls.values():
        for index in range(3):  # warm-up: connections, one-time probes, lazy imports
            if call is not None:
                call(-1 - index)
    for round_number in range(rounds):
        for name, call in calls.items():
            if call is None:
                continue
            before = counter.count
            start = time.perf_counter()
            for index in range(round_number * per_round, (round_number + 1) * per_round):
                call(index)
            samples[name].append((time.perf_counter() - start) / per_round)
            requests[name] += counter.count - before
    return {
        name: {"seconds": statistics.median(samples[name]), "requests": requests[name] / (rounds * per_round)}
        for name in calls
        if samples[name]
    }


def measure_first_read(name: str) -> dict[str, float]:
    """The first open + read of 1 KiB in this fresh process, from importing the library on
    (Django and urllib3, which every contender sends through, are imported already)."""
    server = Server.from_environ()
    _configure_for([name], server)
    counter = RequestCounter()
    start = time.perf_counter()
    library = LIBRARIES[name](server)  # each library imports its modules when it is built
    built = time.perf_counter()
    assert len(library.open_read(SMALL_OBJECT)) == 1024
    end = time.perf_counter()
    return {"seconds": end - start, "import": built - start, "requests": counter.count}


def measure_large(name: str, operation: str, size_mib: int) -> dict[str, float]:
    """One large save or read in this process: its time, requests and peak RSS."""
    server = Server.from_environ()
    _configure_for([name], server)
    library = LIBRARIES[name](server)
    counter = RequestCounter()
    library.open_read(SMALL_OBJECT)  # warm-up: connections, lazy imports, one-time probes
    if operation == "save_large":
        library.save(f"large/{uuid.uuid4().hex}.bin", small_stream(), 1024)
    size = size_mib * MiB
    requests = counter.count
    baseline = reset_peak()
    start = time.perf_counter()
    if operation == "save_large":
        library.save(f"large/{uuid.uuid4().hex}.bin", generated_file(size), size)
    else:
        pieces = operation == "read_large_pieces"
        moved = library.read_pieces(LARGE_OBJECT, MiB) if pieces else library.read_chunks(LARGE_OBJECT)
        assert moved == size, moved
    seconds = time.perf_counter() - start
    peak = peak_rss_mib()
    return {
        "seconds": seconds,
        "throughput": size_mib / seconds,
        "requests": counter.count - requests,
        "peak": peak,
        "growth": peak - baseline,
    }


# Orchestrator side: the server, fixtures, workers, the table

Results = dict[tuple[str, str], dict[str, Any]]  # (job, library, or "raw@ENVIRONMENT") -> values


@dataclass(frozen=True)
class Job:
    """An operation; ``kind`` says how it runs: ``small`` (every library in one process, taking
    turns), ``large`` or ``fresh`` (a fresh process per library and round)."""

    operation: str
    kind: str = "small"
    size_mib: int = 0
    libraries: tuple[str, ...] = tuple(LIBRARIES)


JOBS = {
    "save_1k": Job("save_1k"),
    "save_1k_overwriting": Job("save_1k_overwriting"),
    "presigned_url": Job("presigned_url"),
    # Signed with a credentials provider's temporary credentials (a session token, an expiry).
    "presigned_url_temporary": Job("presigned_url_temporary", libraries=("raw", "ours")),
    "public_url": Job("public_url"),
    "open_read_1k": Job("open_read_1k"),
    "first_read_1k": Job("first_read", "fresh"),
    "exists": Job("exists"),
    "size": Job("size"),
    "save_256m": Job("save_large", "large", 256),
    # Only the raw client and this project save 1 GiB: the memory goal is ours.
    "save_1g": Job("save_large", "large", 1024, ("raw", "ours")),
    "read_128m_1m": Job("read_large_pieces", "large", LARGE_READ_MIB),
    "read_128m": Job("read_large", "large", LARGE_READ_MIB),
}


def _interpreter(environment: str) -> Path:
    return ROOT / f".venv-bench-{environment}" / "bin" / "python"


def _python(environment: str | None) -> str | None:
    """The interpreter of an environment of its own (None: this one)."""
    return None if environment is None else str(_interpreter(environment))


def _groups(names: list[str]) -> dict[str | None, list[str]]:
    """The libraries by environment; raw minio-py runs in each other environment too, as its baseline."""
    groups: dict[str | None, list[str]] = {None: [name for name in names if name not in ENVIRONMENTS]}
    for name in names:
        if name in ENVIRONMENTS:
            groups.setdefault(ENVIRONMENTS[name], ["raw"]).append(name)
    return groups


def _key(name: str, environment: str | None) -> str:
    return f"raw@{environment}" if name == "raw" and environment is not None else name


def run_small(job_name: str, job: Job, names: list[str], rounds: int, server: Server) -> Results:
    results: Results = {}
    for environment, group in _groups(names).items():
        args = ["--worker", "small", job.operation, "--only", ",".join(group), "--rounds", str(rounds)]
        result = run_worker("benchmarks.operations", args, server, _python(environment))
        for name in group:
            if "error" in result or name in result:  # a library without the operation has no result
                results[(job_name, _key(name, environment))] = result if "error" in result else result[name]
    return results


def run_per_process(job_name: str, job: Job, names: list[str], rounds: int, server: Server) -> Results:
    samples: dict[str, list[dict[str, Any]]] = {}
    client = server.client()
    for _ in range(rounds):
        for environment, group in _groups(names).items():
            for name in group:
                args = ["--worker", job.kind, job.operation, "--only", name, "--size-mib", str(job.size_mib)]
                samples.setdefault(_key(name, environment), []).append(
                    run_worker("benchmarks.operations", args, server, _python(environment))
                )
                empty_bucket(client, server.bucket, "large/")
    results: Results = {}
    for name, runs in samples.items():
        failed = [run for run in runs if "error" in run]
        results[(job_name, name)] = (
            failed[0] if failed else {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        )
    return results


@dataclass
class Row:
    """One line of the table: which job, which value of its results, how to show it."""

    title: str
    job: str
    key: str
    show: Callable[[float], str]
    ratio: bool = True


def _requests(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.2f}"


def _mib(value: float) -> str:
    return f"{value:.0f} MiB"


def _throughput(value: float) -> str:
    return f"{value:.0f} MiB/s"


def _large_rows(title: str, job: str, *, throughput: bool = False) -> list[Row]:
    """A large operation's rows: its speed (time, or throughput), requests, peak RSS and RSS growth."""
    speed = (
        Row(f"{title}: throughput", job, "throughput", _throughput)
        if throughput
        else Row(f"{title}: time", job, "seconds", format_seconds)
    )
    return [
        speed,
        Row(f"{title}: requests", job, "requests", _requests, ratio=False),
        Row(f"{title}: peak RSS", job, "peak", _mib, ratio=False),
        Row(f"{title}: RSS growth", job, "growth", _mib, ratio=False),
    ]


ROWS = [
    Row("save 1 KiB: time", "save_1k", "seconds", format_seconds),
    Row("save 1 KiB: requests", "save_1k", "requests", _requests, ratio=False),
    Row("save 1 KiB, overwriting allowed: time", "save_1k_overwriting", "seconds", format_seconds),
    Row("presigned `url()`: time", "presigned_url", "seconds", format_seconds),
    Row("presigned `url()`: requests", "presigned_url", "requests", _requests, ratio=False),
    Row("presigned `url()`, temporary credentials: time", "presigned_url_temporary", "seconds", format_seconds),
    Row("public `url()`: time", "public_url", "seconds", format_seconds),
    Row("open+read 1 KiB: time", "open_read_1k", "seconds", format_seconds),
    Row("open+read 1 KiB: requests", "open_read_1k", "requests", _requests, ratio=False),
    Row("first open+read 1 KiB in a fresh process: time", "first_read_1k", "seconds", format_seconds),
    Row("… of which importing and building the storage", "first_read_1k", "import", format_seconds),
    Row("first open+read 1 KiB in a fresh process: requests", "first_read_1k", "requests", _requests, ratio=False),
    Row("`exists()`: time", "exists", "seconds", format_seconds),
    Row("`exists()`: requests", "exists", "requests", _requests, ratio=False),
    Row("`size()`: time", "size", "seconds", format_seconds),
    Row("`size()`: requests", "size", "requests", _requests, ratio=False),
    *_large_rows("save 256 MiB", "save_256m", throughput=True),
    *_large_rows("save 1 GiB", "save_1g", throughput=True),
    *_large_rows("read 128 MiB in 1 MiB reads", "read_128m_1m"),
    *_large_rows("read 128 MiB by `chunks()`", "read_128m"),
]


def _cell(row: Row, results: Results, library: str) -> str:
    result = results.get((row.job, library), {})
    if "error" in result:
        return "failed: " + str(result["error"])[:60]
    if row.key not in result:
        return "—"
    value = float(result[row.key])
    text = row.show(value)
    raw = results.get((row.job, _key("raw", ENVIRONMENTS.get(library))), {}).get(row.key)
    if row.ratio and library != "raw" and raw:
        text += f" (x{value / float(raw):.2f})"
    return text


def table(results: Results, libraries: list[str]) -> str:
    header = ["operation", *(LIBRARIES[name].label for name in libraries)]
    rows = [
        [row.title, *(_cell(row, results, name) for name in libraries)]
        for row in ROWS
        if any((row.job, name) in results for name in libraries)
    ]
    return markdown_table(header, rows)


PACKAGES = ["minio", "django", "django-storages", "boto3", "django-minio-storage", "django-minio-backend"]


def versions() -> str:
    """This environment's Python and the versions of the packages compared, for the record."""
    found = []
    for package in PACKAGES:
        try:
            found.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    return f"Python {'.'.join(map(str, sys.version_info[:3]))}, {', '.join(found)}"


def _versions_in(environment: str) -> str:
    """``versions()`` of another environment, where only ``benchmarks`` is importable beside its packages."""
    with benchmarks_only() as folder:
        command = [str(_interpreter(environment)), "-c", "import benchmarks.operations as o; print(o.versions())"]
        env = dict(os.environ, PYTHONPATH=str(folder))
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=True, env=env)  # noqa: S603
    return result.stdout.strip()


def environment(libraries: list[str]) -> str:
    """Versions and machine, for the record: this environment's, then each other one's."""
    lines = [f"{versions()}; {os.cpu_count()} CPUs shared with the server."]
    for name in libraries:
        if name in ENVIRONMENTS:
            lines.append(
                f"{LIBRARIES[name].label}, with raw minio-py as its baseline: {_versions_in(ENVIRONMENTS[name])}."
            )
    return "\n".join(lines)


def _available(libraries: list[str]) -> list[str]:
    """The libraries whose environment is there (``make bench`` builds them where it can)."""
    missing = [name for name in libraries if name in ENVIRONMENTS and not _interpreter(ENVIRONMENTS[name]).exists()]
    for name in missing:
        print(f"{LIBRARIES[name].label} left out: {_interpreter(ENVIRONMENTS[name])} does not exist.", file=sys.stderr)
    return [name for name in libraries if name not in missing]


def _prepare(server: Server) -> None:
    client = server.client()
    client.put_object(server.bucket, SMALL_OBJECT, small_stream(), 1024)
    size = LARGE_READ_MIB * MiB
    client.put_object(server.bucket, LARGE_OBJECT, generated_file(size), size, part_size=16 * MiB)


def orchestrate(libraries: list[str], jobs: list[str], rounds: int, large_rounds: int) -> None:
    started = time.monotonic()
    libraries = _available(libraries)
    compile_sources()
    results: Results = {}
    with local_server() as server:
        _prepare(server)
        for job_name in jobs:
            job = JOBS[job_name]
            names = [name for name in libraries if name in job.libraries]
            print(f"[{time.monotonic() - started:4.0f}s] {job_name}: {', '.join(names)}", file=sys.stderr, flush=True)
            if job.kind == "small":
                results.update(run_small(job_name, job, names, rounds, server))
                empty_bucket(server.client(), server.bucket, "small/")
            else:
                job_rounds = large_rounds if job.kind == "large" else rounds
                results.update(run_per_process(job_name, job, names, job_rounds, server))
    took = time.monotonic() - started
    print(f"\n{environment(libraries)}\nMedians of {rounds} rounds (small operations, first reads) and "
          f"{large_rounds} (large ones); ratio to raw minio-py in parentheses. Took {took:.0f} s.\n")  # fmt: skip
    print(table(results, libraries))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "OPERATION"), help=argparse.SUPPRESS)
    parser.add_argument("--size-mib", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=9, help="rounds of small operations (default 9)")
    parser.add_argument("--large-rounds", type=int, default=5, help="rounds of large operations (default 5)")
    parser.add_argument("--only", default=",".join(LIBRARIES), help="libraries, comma-separated")
    parser.add_argument("--ops", default=",".join(JOBS), help="operations, comma-separated")
    parser.add_argument("--quick", action="store_true", help="3 rounds, 1 large round, no 1 GiB save")
    args = parser.parse_args(argv)
    libraries = args.only.split(",")
    if args.worker:
        kind, operation = args.worker
        if kind == "small":
            report(measure_small(libraries, operation, args.rounds))
        elif kind == "fresh":
            report(measure_first_read(libraries[0]))
        else:
            report(measure_large(libraries[0], operation, args.size_mib))
        return
    jobs = args.ops.split(",")
    if args.quick:
        args.rounds, args.large_rounds = 3, 1
        jobs = [job for job in jobs if job != "save_1g"]
    orchestrate(libraries, jobs, args.rounds, args.large_rounds)


if __name__ == "__main__":
    main()
