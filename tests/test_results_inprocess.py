"""A results-only build computes results.json in-process (no papermill, no kernel) from the chapter functions the
notebooks call, and equals the notebook build key by key: values, units, notebook labels, depends_on and _meta.

Checked against the real notebook builds the test run shares: the default book, the book with overrides, DeepSeek's
floor at a what-if grid point, and every shipped scenario (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import OVERRIDES, PANEL_POINT, ROOT, results_of, shipped_scenarios


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shared cache of this module's own: every chapter is computed here once, not found from earlier runs."""
    return tmp_path_factory.mktemp("inprocess-cache")


def in_process(out: Path, cache: Path, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "analysis", "build", "--no-html", "--out", str(out), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, env={**os.environ, "COST_BOOK_CACHE": str(cache)})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "computing results in-process" in done.stdout and "executing" not in done.stdout
    assert not (out / "notebooks").exists()  # nothing was executed
    return json.loads((out / "results.json").read_text())


def assert_same(notebook_build: dict, computed: dict) -> None:
    """Key by key, so that a failure names the key (and the whole entry: value, unit, notebook, depends_on)."""
    assert sorted(computed) == sorted(notebook_build)
    for key in notebook_build:
        if key == "_meta":
            continue
        assert computed[key] == notebook_build[key], key
    meta_nb, meta_ip = notebook_build["_meta"], computed["_meta"]
    assert meta_ip == meta_nb


def test_default(default_build: Path, cache: Path, tmp_path: Path) -> None:
    assert_same(results_of(default_build), in_process(tmp_path / "out", cache))


def test_overrides(override_build: Path, cache: Path, tmp_path: Path) -> None:
    assert_same(results_of(override_build), in_process(tmp_path / "out", cache, *OVERRIDES))


def test_panel_point(panel_point_build: Path, cache: Path, tmp_path: Path) -> None:
    assert_same(results_of(panel_point_build), in_process(tmp_path / "out", cache, *PANEL_POINT))


@pytest.mark.parametrize("scenario", shipped_scenarios())
def test_every_shipped_scenario(scenario_builds: dict[str, Path], cache: Path, tmp_path: Path, scenario: str) -> None:
    notebook_build = json.loads(scenario_builds[scenario].read_text())
    assert notebook_build["_meta"]["scenario"] == scenario
    assert_same(notebook_build, in_process(tmp_path / "out", cache, "--scenario", scenario))


def test_a_notebook_that_does_more_is_executed(tmp_path: Path) -> None:
    """The in-process path is taken only for notebooks that run their chapter and show its tables."""
    from analysis.pipeline import inprocess

    book = ROOT / "book"
    assert all(inprocess.chapter_of(nb) == nb.stem for nb in book.glob("*.ipynb"))
    text = (book / "fleet.ipynb").read_text()
    changed = json.loads(text)
    changed["cells"].append({"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [], "execution_count": None})
    other = tmp_path / "fleet.ipynb"
    other.write_text(json.dumps(changed))
    assert inprocess.chapter_of(other) is None
