"""The processes that execute notebooks in parallel, each reusing one kernel, and the order they take them in.

Started before they are needed: each worker starts its kernel as soon as it exists, while the build stages the book
(a kernel takes about a second to start and import the analysis stack). Notebooks are handed out longest first, by
how long each took last time on this machine (kept in the shared cache), so that the slowest one does not start
last while the other worker sits idle.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from analysis.pipeline import cache, notebooks

Echo = Callable[[str], None]
Job = tuple[Path, Path, dict[str, Any]]  # (source, target, parameters)


def _start_kernel() -> None:
    """Each worker's first act: its kernel, started in a thread (analysis.pipeline.kernel). A Ctrl-C reaches the build,
    which stops the workers (SIGTERM); stopped, a worker kills its kernel and removes the kernel's sockets and
    connection file before it exits."""
    import signal

    from analysis.pipeline import kernel

    def stopped(signum: int, _frame: Any) -> None:  # no zmq teardown on the way out: it is what could block
        kernel.abandon()
        os._exit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stopped)
    notebooks.warm_kernel_in_background()


def _ready() -> int:
    return os.getpid()


class Workers:
    """`count` worker processes (spawned: each starts clean, with no inherited threads, sockets or zmq contexts)."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.stopped = False
        self.closing: threading.Thread | None = None
        self.pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_start_kernel)
        # A spawn pool starts a process per task submitted while none is idle: one small task each starts them all.
        self.started = [self.pool.submit(_ready) for _ in range(count)]

    def run(self, jobs: Sequence[Job], echo: Echo) -> list[notebooks.Execution]:
        futures: list[Future[notebooks.Execution]] = [
            self.pool.submit(notebooks.execute, source, target, params, i) for i, (source, target, params) in enumerate(jobs)]
        executions = []
        try:
            for future in futures:
                run = future.result()
                echo(run.line())
                executions.append(run)
        except BaseException:
            self.stop()
            raise
        return executions

    def _processes(self) -> list[Any]:
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def stop(self) -> None:
        """Now, without waiting for running notebooks (interrupted): each worker stops its kernel as it exits."""
        self.stopped = True
        processes, manager = self._processes(), getattr(self.pool, "_executor_manager_thread", None)
        for process in processes:
            process.terminate()
        self.pool.shutdown(wait=False, cancel_futures=True)
        # Briefly, for the pool to see them gone and close its queues (a build leaves by os._exit: queues still open
        # then are reported as leaked by multiprocessing's resource tracker).
        for waited in [*processes, manager]:
            if waited is not None:
                waited.join(STOP_WAIT)

    def close(self, wait: bool = True) -> None:
        """Done, or not needed after all: the pool shut down in a thread of its own, each worker stopping its kernel as
        it exits (analysis.pipeline.kernel, atexit, bounded). With `wait`, wait for that, at most EXIT_WAIT seconds,
        then stop any worker still there. A no-op once stopped."""
        if self.stopped:
            return
        if self.closing is None:
            processes = self._processes()
            self.closing = threading.Thread(target=self.pool.shutdown, kwargs={"cancel_futures": True}, name="workers-close",
                                            daemon=True)
            self.closing.start()
            self.closing_processes = processes
        if wait:
            self.closing.join(EXIT_WAIT)
            if self.closing.is_alive():  # a worker that does not exit: stopped, not waited for
                for process in self.closing_processes:
                    process.terminate()
                self.closing.join(1.0)


EXIT_WAIT = 10.0  # seconds for the workers to exit once done (each stops its kernel within kernel.STOP_WAIT)
STOP_WAIT = 1.0  # seconds for a stopped worker to be gone (it kills its kernel and exits at once)


def longest_first(jobs: Sequence[Job], seconds: Mapping[str, float]) -> list[Job]:
    """The jobs, those that took longest last time first (those never timed before them, by their notebook's size:
    charts make both big). With two workers, the last to start is then one of the shortest."""
    def expected(job: Job) -> tuple[float, float]:
        source = job[0]
        size = source.stat().st_size if source.exists() else 0
        return (seconds.get(source.stem, float("inf")), size)  # never timed: it may be long, so early

    return sorted(jobs, key=expected, reverse=True)


def _history(cache_folder: Path) -> Path:
    return cache_folder / "notebook-seconds.json"


def last_seconds(cache_folder: Path) -> dict[str, float]:
    """How long each notebook took when it last ran on this machine (empty if never, or unreadable)."""
    return cache.read_seconds(_history(cache_folder))


def remember_seconds(cache_folder: Path, executions: Sequence[notebooks.Execution]) -> None:
    """How long each notebook that ran took (a failed run is not a timing)."""
    cache.remember_seconds(_history(cache_folder), {run.notebook.stem: run.seconds for run in executions if not run.error}, 3)
