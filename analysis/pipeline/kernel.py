"""The kernel a build process executes its notebooks in: started once, reused from notebook to notebook.

Light on purpose (jupyter_client loads in the starting thread): the command line starts a rebuild's kernel before
it imports the rest of the pipeline. Each notebook starts from an empty namespace (RESET), and everything it reads
comes from its own parameters cell, so nothing leaks from one notebook to the next.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import Any

from analysis.paths import ROOT, pythonpath_with_root

KERNEL = "python3"

# This process's kernel: starting one and importing the analysis stack costs more than most chapters do.
_kernel: Any = None
# No history database: cells are renumbered from 1 for every notebook (RESET), which a history database refuses.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]
# Run once in a fresh kernel, while the build does other work: the imports every chapter needs.
WARM_UP = "import analysis.chapters.page, analysis.chapters.inputs, matplotlib.pyplot, pandas, numpy"
# ... and as if new: no open figures, an empty namespace, cells numbered from 1 (executed notebooks are committed).
RESET = "import matplotlib.pyplot\nmatplotlib.pyplot.close('all')\n%reset -f\nget_ipython().execution_count = 1"


def environment() -> None:
    os.environ["PYTHONPATH"] = pythonpath_with_root()  # the kernel imports `analysis`, whatever its cwd
    os.environ.setdefault("MPLBACKEND", "Agg")
    # The build prints one line per notebook. papermill's progress notes and jupyter_client's notice that a finished
    # client's zmq context was left to the garbage collector are not the reader's business (a Sphinx extension loaded
    # in this process, as a rebuild preloads them, gives the root logger a handler that would print them).
    logging.getLogger("papermill").setLevel(logging.WARNING)
    logging.getLogger("traitlets").setLevel(logging.ERROR)


class _Warmup:
    """One kernel being started in a background thread. Only that thread touches its manager's zmq objects (sockets
    are not thread-safe, and destroying a context while another thread polls one of its sockets can abort or block
    for good); other threads may only ask it to stop (`cancel`) and kill the kernel's process by its id."""

    def __init__(self) -> None:
        self.cancel = threading.Event()
        self.manager: Any = None  # set by the thread as soon as the kernel is being started
        self.thread = threading.Thread(target=self._run, name="warm-kernel", daemon=True)

    def _run(self) -> None:
        try:
            warm_kernel(self)
        except Exception:  # the notebook's own call starts one again and reports what fails
            pass


_warming: _Warmup | None = None
STOP_WAIT = 3.0  # seconds to wait for a cancelled warm-up to stop itself before leaving it behind


def warm_kernel_in_background() -> None:
    """Start this process's kernel now, in a thread, so that it is ready when the first notebook needs it (a
    rebuild that re-executes one notebook spends most of its time starting a kernel). Failures surface later,
    when a notebook asks for the kernel; `shutdown_kernel` stops it at once if no notebook needs it. Call it only
    once the inputs are known good: bad input never waits on a kernel."""
    global _warming
    if _warming is None and _kernel is None:
        _warming = _Warmup()
        _warming.thread.start()


def _wait_for_warming() -> None:
    global _warming
    warming = _warming
    if warming is not None and warming.thread is not threading.current_thread():
        warming.thread.join()
        _warming = None


def _kill(manager: Any) -> None:
    """Kill a kernel's process by its id: a signal, no zmq object touched (safe from any thread)."""
    import signal

    process = getattr(getattr(manager, "provisioner", None), "process", None)
    pid = getattr(process, "pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:  # already gone
            pass


def warm_kernel(warmup: _Warmup | None = None) -> Any:
    """This process's kernel, started (and warmed up) on first use or after it died. With `warmup`, the call runs
    in that warm-up's own thread and publishes the kernel only if it was not cancelled meanwhile."""
    global _kernel
    from jupyter_client.manager import KernelManager

    if warmup is None:
        _wait_for_warming()
        if _kernel is not None and _kernel.is_alive():
            return _kernel
        shutdown_kernel()
    environment()
    # Unix sockets under a name of its own, not TCP ports: two workers starting kernels at once could both be handed
    # the same free port (it is free until a kernel binds it), and one kernel then fails to start.
    manager = KernelManager(kernel_name=KERNEL, transport="ipc", ip=_socket_prefix())
    if warmup is not None:
        warmup.manager = manager
    try:
        manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=str(ROOT))
        if warmup is not None and warmup.cancel.is_set():
            raise RuntimeError("kernel warm-up cancelled")
        run_in(manager, WARM_UP + "\n" + RESET, cancel=warmup.cancel if warmup else None)  # left as new
        if warmup is not None and warmup.cancel.is_set():
            raise RuntimeError("kernel warm-up cancelled")
    except BaseException:
        _stop(manager)  # in the thread that made it
        raise
    _kernel = manager
    manager.fresh = True  # type: ignore[attr-defined]
    return manager


def abandon() -> None:
    """For a process about to exit at once (a worker stopped by the build): kill its kernel, or the one being started,
    by process id, and remove their sockets and connection files. No zmq object is touched (safe in a signal handler)."""
    import glob

    for manager in (_kernel, getattr(_warming, "manager", None)):
        if manager is None:
            continue
        _kill(manager)
        leftovers = glob.glob(f"{glob.escape(manager.ip)}-*") if manager.transport == "ipc" else []
        for path in [*leftovers, manager.connection_file]:
            try:
                if path:
                    os.remove(path)
            except OSError:  # not written yet, or already removed
                pass


def _socket_prefix() -> str:
    import tempfile
    import uuid

    return os.path.join(tempfile.gettempdir(), f"cost-book-kernel-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def _stop(manager: Any) -> None:
    kept = getattr(manager, "kept_client", None)
    if kept is not None:
        manager.kept_client = None
        try:
            kept.stop_channels()
        except Exception:  # closing failed: the kernel is stopped all the same
            pass
    try:
        manager.shutdown_kernel(now=True)
    except Exception:  # already gone: nothing to stop
        pass


def run_in(manager: Any, code: str, timeout: float = 120, cancel: threading.Event | None = None, kept: Any = None) -> None:
    """Run code in a kernel and wait for it, giving up as soon as the kernel dies or `cancel` is set. On a client of
    its own, opened and closed here, unless `kept` (the kernel's kept client, see `client`) is given."""
    import queue

    client = kept if kept is not None else manager.client()
    if kept is None:
        client.start_channels()
    deadline = time.monotonic() + timeout

    def reply_to(msg_id: str, resend: Any = None) -> dict[str, Any]:
        asked = time.monotonic()
        while True:
            if cancel is not None and cancel.is_set():
                raise RuntimeError("kernel warm-up cancelled")
            try:
                reply = client.get_shell_msg(timeout=0.1)
            except queue.Empty:
                if not manager.is_alive():
                    raise RuntimeError("Kernel died before replying") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"kernel did not run {code!r} within {timeout:g} s") from None
                if resend is not None and time.monotonic() - asked > 1:  # a kernel still starting may miss a request
                    msg_id, asked = resend(), time.monotonic()
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    try:
        if kept is None:
            reply_to(client.kernel_info(), resend=client.kernel_info)  # ready: it answers
        msg_id = client.execute(code, store_history=False)
        reply = reply_to(msg_id)
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"kernel could not run {code!r}: {reply['content'].get('evalue', '')}")
        if kept is not None:
            _drain_until_idle(manager, client, msg_id, deadline)
    finally:
        if kept is None:
            client.stop_channels()


def _drain_until_idle(manager: Any, client: Any, msg_id: str, deadline: float) -> None:
    """Read IOPub up to the kernel's `idle` after the request `msg_id`: whatever the kernel published before it (a
    previous notebook's late output) is read here, not taken into the next notebook's first cell."""
    import queue

    while time.monotonic() < deadline:
        try:
            message = client.get_iopub_msg(timeout=0.1)
        except queue.Empty:
            if not manager.is_alive():  # the next notebook reports it
                return
            continue
        if (message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "status"
                and message["content"].get("execution_state") == "idle"):
            return


def client(manager: Any, timeout: float = 60) -> Any:
    """The kernel's kept client, for every notebook it runs (papermill is handed it: analysis.pipeline.notebooks).
    A new client per notebook, as nbclient makes one, waits for the kernel to be ready and then for IOPub to stay
    silent for 0.2 s, every notebook; this one is checked once, when opened, in the thread that uses it. Its channels
    close with the kernel (`_stop`)."""
    import queue

    kept = getattr(manager, "kept_client", None)
    if kept is not None:
        return kept
    kept = manager.client()
    kept.start_channels()
    kept.allow_stdin = False
    deadline = time.monotonic() + timeout
    try:
        # Ready when IOPub carries the status of a request of ours: a subscriber drops what was published before it
        # connected, so a notebook's first outputs could otherwise be lost.
        while True:
            msg_id, asked = kept.kernel_info(), time.monotonic()
            while time.monotonic() - asked < 0.5:
                try:
                    message = kept.get_iopub_msg(timeout=0.05)
                except queue.Empty:
                    if not manager.is_alive():
                        raise RuntimeError("Kernel died before replying") from None
                    continue
                if message["parent_header"].get("msg_id") == msg_id:
                    manager.kept_client = kept
                    return kept
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel did not answer on IOPub within {timeout:g} s")
    except BaseException:
        kept.stop_channels()
        raise


def reset(manager: Any) -> None:
    """Make the kernel as new for the next notebook (unless nothing has run in it since it was warmed up)."""
    if getattr(manager, "fresh", False):
        manager.fresh = False
        return
    run_in(manager, RESET, kept=client(manager))


def shutdown_kernel() -> None:
    """Stop this process's kernel (at the end of a sequential run, before replacing a dead one, or when a kernel
    started early is not needed). Bounded: a warm-up still running is cancelled and its kernel killed by process id
    from here; the warm-up's thread closes its own zmq objects, and is left behind (a daemon) if it has not done so
    within STOP_WAIT seconds, rather than blocking the user's message in zmq's teardown."""
    global _kernel, _warming
    warming = _warming
    if warming is not None and warming.thread is not threading.current_thread():
        warming.cancel.set()
        _kill(warming.manager)
        warming.thread.join(STOP_WAIT)
        _warming = None
        if warming.thread.is_alive():  # still inside zmq: never touch its objects from here
            return
    if _kernel is not None:
        _stop(_kernel)
    _kernel = None


# A worker process of a parallel build leaves no kernel behind when it exits.
atexit.register(shutdown_kernel)
