"""Robustness: interrupted builds, concurrent builds, determinism, cache invalidation."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT, fake_published, run_cli, snapshot


def _popen(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "analysis", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, **(env or {})})


def test_sigterm_mid_build_keeps_the_published_book(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fake_published(out)
    before = snapshot(out)
    build = _popen("build", "--out", str(out), "--no-cache", "--jobs", "2")
    deadline = time.monotonic() + 120
    while not list(out.glob(".staging-*/src/book")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # let notebooks start executing
    assert build.poll() is None, "the build finished before it could be interrupted"
    build.send_signal(signal.SIGTERM)
    output, _ = build.communicate(timeout=120)
    assert build.returncode != 0
    assert "interrupted: nothing was published" in output
    after = {k: v for k, v in snapshot(out).items() if not k.startswith(".cache/")}
    assert after == before
    assert not list(out.glob(".staging-*")), "staging left behind"


def test_interrupted_publish_is_recovered(tmp_path: Path) -> None:
    """A crash between the two renames leaves .html-old-*; the next build puts it back first."""
    from analysis.pipeline.build import recover

    out = tmp_path / "out"
    fake_published(out)
    os.rename(out / "html", out / ".html-old-abc")
    (out / ".staging-1-x").mkdir()
    recover(out)
    assert (out / "html" / "index.html").read_text() == "<p>previous book</p>"
    assert not list(out.glob(".staging-*")) and not list(out.glob(".html-old-*"))


def _text_outputs(notebook: Path) -> list[str]:
    nb = nbformat.read(str(notebook), as_version=4)
    texts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            for mime, value in output.get("data", {}).items():
                if "image" not in mime:
                    texts.append(f"{mime}:{value}")
    return texts


def _wait_until_locked(lock: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    """Until `process` holds the build lock (a sleep would race a loaded machine)."""
    import fcntl

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if lock.exists():
            with lock.open("a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(handle, fcntl.LOCK_UN)
                except BlockingIOError:
                    return
        time.sleep(0.05)
    raise AssertionError(f"the first build never held {lock}")


def test_concurrent_builds(tmp_path: Path, default_build: Path) -> None:
    """Same --out: the second waits for the first. Different --out: side by side. A cold build gives the same
    bytes and text outputs as the shared default build (determinism)."""
    same, other = tmp_path / "same", tmp_path / "other"
    shutil.copytree(default_build / ".cache", other / ".cache")  # a cached build beside a cold one
    first = _popen("build", "--no-html", "--notebooks", "--no-cache", "--jobs", "1", "--out", str(same))
    beside = _popen("build", "--no-html", "--notebooks", "--jobs", "1", "--out", str(other))
    _wait_until_locked(same / ".build.lock", first)  # the first holds the folder before the second asks for it
    second = _popen("build", "--no-html", "--notebooks", "--jobs", "1", "--out", str(same))
    out1, _ = first.communicate(timeout=600)
    out2, _ = second.communicate(timeout=600)
    out3, _ = beside.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0 and beside.returncode == 0, out1[-2000:] + out2[-2000:] + out3[-2000:]
    assert "waiting: another build is writing into" in out1 + out2
    assert "waiting" not in out3
    # The second waited its turn and found the first's result: nothing left to do.
    assert "up to date" in out2
    # Determinism: a cold build and the shared default build (same inputs) give the same bytes and text outputs.
    a, b = same, default_build
    assert (a / "results.json").read_bytes() == (b / "results.json").read_bytes()
    assert (other / "results.json").read_bytes() == (b / "results.json").read_bytes()
    notebooks = sorted(p.name for p in (a / "notebooks").glob("*.ipynb"))
    assert notebooks and notebooks == sorted(p.name for p in (b / "notebooks").glob("*.ipynb"))
    for name in notebooks:
        assert _text_outputs(a / "notebooks" / name) == _text_outputs(b / "notebooks" / name), name


def test_cache_reuses_unchanged_notebooks_and_never_a_stale_one(tmp_path: Path, default_build: Path) -> None:
    data_copy = tmp_path / "data"
    shutil.copytree(ROOT / "data", data_copy)
    env = {"COST_BOOK_DATA": str(data_copy)}
    out = tmp_path / "out"
    # Start from the shared default build's notebook cache: the data copy has the same content, so the same keys.
    shutil.copytree(default_build / ".cache", out / ".cache")

    def build(*extra: str) -> tuple[str, dict]:
        proc = _popen("build", "--no-html", "--notebooks", "--out", str(out), *extra, env=env)
        output, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, output[-3000:]
        return output, json.loads((out / "results.json").read_text())

    output, cold = build()
    assert "executing 0 of" in output  # every notebook came from the cache of an identical build
    output, again = build()
    assert "up to date" in output and again == cold
    # One parameter that only the architecture chapter declares: only that notebook runs again.
    output, _ = build("-p", "serving_gpus=64")
    assert "executing 1 of" in output and "architecture.ipynb: cached" not in output
    assert "fleet.ipynb: cached" in output
    # Edit a data value: every notebook that could read it must run again, and the number must move.
    gpus = data_copy / "gpus.csv"
    gpus.write_text(gpus.read_text().replace("H800 SXM,989,1979,80,3.35,400,700", "H800 SXM,989,1979,80,3.35,400,900"))
    output, edited = build()
    assert "fleet.ipynb: cached" not in output and "up to date" not in output
    assert edited["owned_gpu_hour_usd"]["value"] > cold["owned_gpu_hour_usd"]["value"]


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_bad_jobs(jobs: str) -> None:
    done = run_cli("build", "--jobs", jobs, "--no-html")
    assert done.returncode == 2 and "--jobs" in done.stderr


def test_one_at_a_time_rebuild_prints_one_line_per_notebook(tmp_path: Path, default_build: Path) -> None:
    """An HTML rebuild with --jobs 1 runs papermill in the build's own process, beside the Sphinx modules it preloads
    (one of which gives the root logger a handler): papermill's and jupyter_client's log lines must not reach the
    console."""
    out = tmp_path / "out"
    shutil.copytree(default_build, out, symlinks=True)
    build = _popen("build", "--jobs", "1", "--out", str(out), "-p", "high_flyer_share=0.2")
    output, _ = build.communicate(timeout=600)
    assert build.returncode == 0, output[-3000:]
    assert "serving.ipynb:" in output
    assert "INFO" not in output and "WARNING" not in output and "zmq" not in output, output[-3000:]
