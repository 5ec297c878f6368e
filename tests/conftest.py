"""Shared fixtures: real builds through the real CLI, run once per test session."""

from __future__ import annotations

import functools
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """`python -m analysis ARGS` as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def built(out: Path, *args: str) -> Path:
    done = run_cli("build", "--out", str(out), *args)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


# The books the tests share, built once per run: fixture name → (folder name, build arguments).
PANEL_POINT = ("--scenario", "deepseek_floor", "-p", "gpu_price_basis=replacement_2025", "-p", "cost_of_capital=0.065",
               "-p", "utilisation=0.9", "-p", "research_multiplier=10", "-p", "high_flyer_share=0.5", "-p", "gpu_hour_usd=3.42")
OVERRIDES = ("-p", "gpu_hour_usd=3", "-p", "training_tokens=10e12", "-p", "fleet_h20=5000", "-p", "price_h800_usd=40000")


def shipped_scenarios() -> list[str]:
    return sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


def _shared_args() -> dict[str, tuple[str, tuple[str, ...]]]:
    from analysis.pipeline.browser import chromium

    # Every shipped scenario, results only by executing the notebooks, one after another into one folder (the
    # notebooks no scenario changes come from its cache): what the in-process results are checked against.
    scenarios: list[str] = []
    for name in shipped_scenarios():
        scenarios += [*(["::"] if scenarios else []), "--no-html", "--notebooks", "--scenario", name]
    return {
        "default_build": ("default", ("--pdf",) if chromium() else ()),
        "override_build": ("override", OVERRIDES),
        # --notebooks: a real notebook build, which the what-if panel and the in-process results are checked against.
        "panel_point_build": ("panel-point", ("--no-html", "--notebooks", *PANEL_POINT)),
        "scenario_builds": ("scenarios", tuple(scenarios)),
    }


def _shared_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import os

    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base  # the run's folder, common to all workers


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the shared books that the collected tests need, in the background and side by side, so that no worker
    waits for one book while the machine builds another (each is started once per run, whichever worker is first)."""
    import os

    needed = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    shared = {fixture: spec for fixture, spec in _shared_args().items() if fixture in needed}
    if not shared:
        return
    base = _shared_base(session.config._tmp_path_factory)  # type: ignore[attr-defined]
    for folder_name, args in shared.values():
        folder = base / f"shared-{folder_name}"
        folder.mkdir(exist_ok=True)
        try:
            os.close(os.open(folder / ".started", os.O_CREAT | os.O_EXCL))
        except FileExistsError:
            continue  # another worker started it
        subprocess.Popen([sys.executable, str(ROOT / "tests" / "shared_build.py"), str(folder), *args], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def shared_build(tmp_path_factory: pytest.TempPathFactory, fixture: str) -> Path:
    """One build per test run, shared by the pytest-xdist workers: built in the background (see
    pytest_collection_finish) or, if no one has started it, here; either way under the folder's lock."""
    import fcntl

    folder_name, args = _shared_args()[fixture]
    folder = _shared_base(tmp_path_factory) / f"shared-{folder_name}"
    folder.mkdir(exist_ok=True)
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (folder / ".failed").exists():
            pytest.fail(f"the shared {folder_name} build failed:\n" + (folder / ".failed").read_text())
        if not (folder / ".done").exists():
            from tests.shared_build import build_all

            failure = build_all(folder, list(args))
            assert failure is None, failure
            (folder / ".done").write_text("ok")
    return folder / "out"


@pytest.fixture(scope="session")
def default_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full strict build with default parameters (and its PDF, where Debian's chromium can print it)."""
    return shared_build(tmp_path_factory, "default_build")


@pytest.fixture(scope="session")
def override_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full strict build with overrides that several chapters read."""
    return shared_build(tmp_path_factory, "override_build")


@pytest.fixture(scope="session")
def scenario_builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every shipped scenario's results.json from a notebook build (results only), by scenario name."""
    out = shared_build(tmp_path_factory, "scenario_builds")
    return {name: out.parent / f"results-{i}.json" for i, name in enumerate(shipped_scenarios())}


@pytest.fixture(scope="session")
def panel_point_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """results.json at one grid point of the what-if panel away from the defaults on every control."""
    return shared_build(tmp_path_factory, "panel_point_build")


def results_of(out: Path) -> dict:
    return json.loads((out / "results.json").read_text())


def page_text(out: Path, page: str) -> str:
    """Visible text of a built page (tags stripped, whitespace folded)."""
    import html as htmllib
    import re

    markup = (out / "html" / "book" / f"{page}.html").read_text()
    markup = re.sub(r"<script.*?</script>|<style.*?</style>", " ", markup, flags=re.S)
    markup = re.sub(r"</?(?:span|strong|em|b|i|a|code|sup|sub)\b[^>]*>", "", markup)  # inline: no gap
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def fake_published(out: Path) -> Path:
    """An output folder holding a previously published (fake) book."""
    (out / "html").mkdir(parents=True)
    (out / "html" / "index.html").write_text("<p>previous book</p>")
    (out / "results.json").write_text('{"previous": true}\n')
    return out


@pytest.fixture
def published(tmp_path: Path) -> Path:
    return fake_published(tmp_path / "out")


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file below a folder (the lock file aside), to prove nothing changed."""
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".build.lock")
    }


def glue_text_names(markdown: str) -> set[str]:
    """Names a page's prose glues with {glue:text}`name:fmt`; a reference to another page (other.ipynb::name)
    is that page's value, not this one's, and is left out."""
    import re

    return {name for name in re.findall(r"\{glue:text\}`([^`:]+)", markdown) if not name.endswith(".ipynb")}


def chapter_defaults(module: object) -> dict:
    """The registry's default of every parameter a chapter declares."""
    from analysis.inputs.params import registry

    params = registry()
    return {n: params[n].default for n in module.PARAMETERS}  # type: ignore[attr-defined]


def run_chapter(module: object, **overrides: object) -> object:
    """A chapter's page at the defaults with some parameters moved (its figures closed)."""
    import matplotlib.pyplot as plt

    page = module.chapter(chapter_defaults(module) | overrides)  # type: ignore[attr-defined]
    plt.close("all")
    return page


def markdown_glue_names(notebook: Path) -> set[str]:
    """Every name a notebook's prose glues on its own page: {glue:text} values and {glue:figure} figures."""
    import re

    import nbformat

    text = "\n".join(c.source for c in nbformat.read(str(notebook), as_version=4).cells if c.cell_type == "markdown")
    return glue_text_names(text) | set(re.findall(r"\{glue:figure\}\s+(\S+)", text))


# --- the browser tests' fixtures (helpers in tests/browser.py) ---------------------------------------------------

@pytest.fixture(scope="module")
def site(default_build: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(default_build / "html"))
    handler.func.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from tests.browser import browser_or_skip

    binary = browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=binary, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ])
        yield launched
        launched.close()
