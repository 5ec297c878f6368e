"""A results-only build computes results.json in-process (no papermill, no kernel) from the chapter functions the
notebooks call, and equals the notebook build key by key: values, units, notebook labels, depends_on and _meta.

Checked against the real notebook builds the test run shares: the default book, the book with overrides, DeepSeek's
floor at a what-if grid point, and every shipped scenario (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import shutil
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


def test_an_html_build_takes_the_pass_a_results_only_build_made(tmp_path: Path) -> None:
    """An analyst's usual order: numbers first (`--no-html`), then the book at the same inputs. The book's kernels take
    each chapter's dependency pass from the shared cache instead of measuring it again, and the book equals the
    numbers. Proven by a pass planted in the cache: the book shows it."""
    cache, move = tmp_path / "cache", ("-p", "utilisation=0.7")
    numbers = in_process(tmp_path / "numbers", cache, *move)
    key = "fleet_opex_usd"
    stem = numbers[key]["notebook"]
    env = {**os.environ, "COST_BOOK_CACHE": str(cache)}
    entries = sorted((cache / "chapters").glob(f"{stem}.*.json"))
    planted = False
    for path in entries:
        entry = json.loads(path.read_text())
        if entry["depends_on"] is not None and key in entry["depends_on"]:
            entry["depends_on"][key] = {"utilisation": 123.0}
            path.write_text(json.dumps(entry))
            planted = True
    assert planted
    done = subprocess.run([sys.executable, "-m", "analysis", "build", "--out", str(tmp_path / "book"), *move], cwd=ROOT,
                          capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "as a results-only build at these inputs measured them" in done.stdout
    book = json.loads((tmp_path / "book" / "results.json").read_text())
    assert book[key]["depends_on"] == {"utilisation": 123.0}  # taken, not measured
    assert sorted(book) == sorted(numbers)
    differing = [k for k in book if k != "_meta" and book[k] != numbers[k]]
    assert key in differing
    for name in differing:  # the planted key and the texts that show it (they carry its depends_on): nothing else
        assert {**book[name], "depends_on": None} == {**numbers[name], "depends_on": None}, name
        assert book[name]["depends_on"].get("utilisation") == 123.0, name


def test_a_pass_made_at_other_values_is_not_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from analysis.chapters import dependencies
    from analysis.inputs.params import resolve

    values = resolve().values
    monkeypatch.setenv(dependencies.SUPPLIED_ENV, str(tmp_path))
    params = {name: values[name] for name in __import__("analysis.chapters.fleet", fromlist=["x"]).PARAMETERS}
    (tmp_path / "fleet.json").write_text(json.dumps({"parameters": params, "depends_on": {"x": {"utilisation": 1.0}}}))
    assert dependencies.supplied("fleet", values) == {"x": {"utilisation": 1.0}}
    assert dependencies.supplied("fleet", {**values, "utilisation": values["utilisation"] + 0.01}) is None
    assert dependencies.supplied("reconciliation", values) is None  # none made for it
    monkeypatch.delenv(dependencies.SUPPLIED_ENV)
    assert dependencies.supplied("fleet", values) is None


def test_a_results_only_build_says_when_the_book_beside_it_is_another_builds(tmp_path: Path, cache: Path) -> None:
    """A book left in OUT/html by an earlier build now disagrees with results.json: the console says so (an analyst
    opened the old book as the new numbers). Not when the book's own copy of results.json is these numbers."""
    out = tmp_path / "out"
    in_process(out, cache)
    (out / "html" / "downloads").mkdir(parents=True)
    (out / "html" / "index.html").write_text("<html></html>")
    shutil.copy2(out / "results.json", out / "html" / "downloads" / "results.json")  # the book of these very inputs
    (out / ".book-key").unlink()  # published again, not "up to date"

    def build(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "analysis", "build", "--no-html", "--out", str(out), *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=600, env={**os.environ, "COST_BOOK_CACHE": str(cache)})
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert "note: the book" not in build()
    assert f"note: the book in {out / 'html'} is an earlier build's" in build("-p", "utilisation=0.6")
