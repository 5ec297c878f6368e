"""Notebooks are handed to the workers longest first, by how long each took last time (analysis.pipeline.workers)."""

from __future__ import annotations

from pathlib import Path

from analysis.pipeline import workers
from analysis.pipeline.notebooks import Execution


def _jobs(tmp_path: Path, sizes: dict[str, int]) -> list[workers.Job]:
    jobs = []
    for stem, size in sizes.items():
        path = tmp_path / f"{stem}.ipynb"
        path.write_bytes(b"x" * size)
        jobs.append((path, path, {}))
    return jobs


def test_longest_last_time_first_then_biggest(tmp_path: Path) -> None:
    jobs = _jobs(tmp_path, {"intro": 300, "serving": 900, "claims": 200, "scenarios": 10})
    order = [job[0].stem for job in workers.longest_first(jobs, {"claims": 2.0, "intro": 0.5})]
    assert order == ["serving", "scenarios", "claims", "intro"]  # never timed first (by size), then by time
    assert [job[0].stem for job in workers.longest_first(jobs, {})] == ["serving", "intro", "claims", "scenarios"]


def test_seconds_remembered_and_merged(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert workers.last_seconds(cache) == {}
    workers.remember_seconds(cache, [Execution(Path("a/intro.ipynb"), 1.25), Execution(Path("a/claims.ipynb"), 9.0, "failed")])
    workers.remember_seconds(cache, [Execution(Path("a/serving.ipynb"), 2.5)])
    assert workers.last_seconds(cache) == {"intro": 1.25, "serving": 2.5}  # a failed run is not a timing
    (cache / "notebook-seconds.json").write_text("{not json")
    assert workers.last_seconds(cache) == {}  # unreadable: no order, no error


def _kernel_files() -> tuple[int, list[str]]:
    """In a worker: its kernel's process id and the files it keeps (sockets, connection file)."""
    import glob

    from analysis.pipeline import kernel

    manager = kernel.warm_kernel()
    files = [*glob.glob(f"{glob.escape(manager.ip)}-*"), manager.connection_file]
    return manager.provisioner.process.pid, files


def _gone(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:  # a zombie not yet reaped by its (dead) parent counts as gone
        return stat.read().split()[2] == "Z"


def test_a_stopped_worker_takes_its_kernel_and_its_files_with_it() -> None:
    """An interrupted build stops its workers at once (SIGTERM): each kills its kernel and removes the kernel's
    sockets and connection file on the way out, touching no zmq object (before, they were left in the temp folder)."""
    import os
    import time

    pool = workers.Workers(1)
    pid, files = pool.pool.submit(_kernel_files).result(timeout=120)
    assert files and all(os.path.exists(f) for f in files)
    started = time.monotonic()
    pool.stop()
    assert time.monotonic() - started < 5
    deadline = time.monotonic() + 5
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)
    assert not [f for f in files if os.path.exists(f)]


def test_closed_workers_stop_their_kernels_and_the_close_waits_for_them() -> None:
    import os

    pool = workers.Workers(1)
    pid, files = pool.pool.submit(_kernel_files).result(timeout=120)
    pool.close(wait=False)  # as a build does once its notebooks ran
    pool.close()  # as its end does: waits (bounded) for the workers to have stopped their kernels
    assert not pool.closing.is_alive()
    assert _gone(pid) and not [f for f in files if os.path.exists(f)]
