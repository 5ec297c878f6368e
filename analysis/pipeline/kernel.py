"""The kernel a build process executes its notebooks in: started once, reused from notebook to notebook.

Light on purpose (jupyter_client loads in the starting thread): the command line starts a rebuild's kernel before
it imports the rest of the pipeline. Each notebook starts from an empty namespace (RESET), and everything it reads
comes from its own parameters cell, so nothing leaks from one notebook to the next.
"""

from __future__ import annotations

import atexit
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


_warming: threading.Thread | None = None
_starting: Any = None  # the kernel being warmed up, so that a cancel can stop it at once
_cancel = threading.Event()


def warm_kernel_in_background() -> None:
    """Start this process's kernel now, in a thread, so that it is ready when the first notebook needs it (a
    rebuild that re-executes one notebook spends most of its time starting a kernel). Failures surface later,
    when a notebook asks for the kernel; `shutdown_kernel` stops it at once if no notebook needs it."""
    global _warming
    if _warming is None and _kernel is None:
        _cancel.clear()
        _warming = threading.Thread(target=_warm_quietly, name="warm-kernel", daemon=True)
        _warming.start()


def _warm_quietly() -> None:
    try:
        warm_kernel()
    except Exception:  # the notebook's own call starts one again and reports what fails
        pass


def _wait_for_warming() -> None:
    global _warming
    if _warming is not None and _warming is not threading.current_thread():
        _warming.join()
        _warming = None


def warm_kernel() -> Any:
    """This process's kernel, started (and warmed up) on first use or after it died."""
    global _kernel, _starting
    from jupyter_client.manager import KernelManager

    _wait_for_warming()
    if _kernel is not None and _kernel.is_alive():
        return _kernel
    shutdown_kernel()
    environment()
    manager = KernelManager(kernel_name=KERNEL)
    manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=str(ROOT))
    _starting = manager
    try:
        if _cancel.is_set() and threading.current_thread() is _warming:
            raise RuntimeError("kernel warm-up cancelled")
        run_in(manager, WARM_UP + "\n" + RESET)  # left as new: the first notebook needs no reset of its own
    except BaseException:
        manager.shutdown_kernel(now=True)
        raise
    finally:
        _starting = None
    _kernel = manager
    manager.fresh = True  # type: ignore[attr-defined]
    return manager


def run_in(manager: Any, code: str, timeout: float = 120) -> None:
    """Run code in a kernel and wait for it, giving up as soon as the kernel dies or a cancel is asked for."""
    import queue

    client = manager.client()
    client.start_channels()
    deadline = time.monotonic() + timeout

    def reply_to(msg_id: str, resend: Any = None) -> dict[str, Any]:
        asked = time.monotonic()
        while True:
            if _cancel.is_set() and threading.current_thread() is _warming:
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
        reply_to(client.kernel_info(), resend=client.kernel_info)  # ready: it answers
        reply = reply_to(client.execute(code, store_history=False))
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"kernel could not run {code!r}: {reply['content'].get('evalue', '')}")
    finally:
        client.stop_channels()


def reset(manager: Any) -> None:
    """Make the kernel as new for the next notebook (unless nothing has run in it since it was warmed up)."""
    if getattr(manager, "fresh", False):
        manager.fresh = False
        return
    run_in(manager, RESET)


def shutdown_kernel() -> None:
    """Stop this process's kernel (at the end of a sequential run, before replacing a dead one, or when a kernel
    started early is not needed: its warm-up is cancelled rather than waited for)."""
    global _kernel
    if _warming is not None and _warming is not threading.current_thread():
        _cancel.set()
        starting = _starting
        if starting is not None:
            try:
                starting.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass
    _wait_for_warming()
    _cancel.clear()
    if _kernel is not None:
        try:
            _kernel.shutdown_kernel(now=True)
        except Exception:  # already gone: nothing to stop
            pass
    _kernel = None


# A worker process of a parallel build leaves no kernel behind when it exits.
atexit.register(shutdown_kernel)
