"""Builds say what they are (issue 25): a non-default book carries a notice on every page naming the scenario and
every override, its Parameters page shows the values used and their origin, `_meta` names the scenario file (path,
title, content hash), and the console names the overrides."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from analysis.errors import InputError
from analysis.inputs.params import resolve
from tests.conftest import ROOT, page_text, results_of


def test_default_book_has_no_notice(default_build: Path) -> None:
    pages = list((default_build / "html").rglob("*.html"))
    assert pages and not any('id="build-notice"' in p.read_text() for p in pages)
    assert results_of(default_build)["_meta"]["scenario_file"] is None
    assert results_of(default_build)["_meta"]["overrides"] == {}
    assert "defaults, for every parameter" in page_text(default_build, "reference_parameters")


def test_book_with_overrides_says_so_on_every_page(override_build: Path) -> None:
    book = override_build / "html" / "book"
    pages = sorted(book.glob("*.html"))
    assert pages and all('id="build-notice"' in p.read_text() for p in pages)
    markup = (book / "intro.html").read_text()
    assert markup.index('id="build-notice"') < markup.index("<h1", markup.index('class="bd-article"'))  # above the landing page's title and figures
    intro = page_text(override_build, "intro")
    assert "Built with non-default inputs" in intro
    for shown in ("gpu_hour_usd = 3 USD per GPU-hour (command line; default 2)", "training_tokens = 10,000,000,000,000 tokens",
                  "fleet_h20 = 5,000 GPUs (command line; default 30,000)", "price_h800_usd = 40,000 USD per GPU"):
        assert shown in intro, shown
    parameters = page_text(override_build, "reference_parameters")
    assert "4 were set by a scenario or on the command line" in parameters
    assert "3 USD per GPU-hour, set on the command line (default 2)" in parameters
    meta = results_of(override_build)["_meta"]
    assert meta["overrides"]["gpu_hour_usd"] == {"value": 3.0, "origin": "command line"}


def test_meta_names_the_scenario_file() -> None:
    resolved = resolve("hoppers_only", ["gpu_hour_usd=3"])
    from analysis.pipeline.results import meta

    described = meta(resolved, {})["scenario_file"]
    path = ROOT / "scenarios" / "hoppers_only.yaml"
    assert described == {"name": "hoppers_only", "path": "scenarios/hoppers_only.yaml", "title": "Hoppers only",
                         "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    assert resolved.summary() == "scenario hoppers_only (Hoppers only); -p gpu_hour_usd=3"  # as typed back
    assert resolve().summary() == "default inputs"


def test_console_names_the_overrides(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "analysis", "build", "--no-html", "--out", str(tmp_path / "o"), "-p",
                           "utilisation=0.6"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COST_BOOK_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert "(-p utilisation=0.6)" in done.stdout and "scenario default" not in done.stdout


@pytest.mark.parametrize(("name", "raw"), [("fleet_h20", "5000.5"), ("staff_headcount", "170.5"), ("training_gpus", "2048.5")])
def test_counts_take_whole_numbers(name: str, raw: str) -> None:
    with pytest.raises(InputError, match=f"parameter {name}: expected a whole number"):
        resolve(None, [f"{name}={raw}"])
    assert resolve(None, [f"{name}={raw.split('.')[0]}"]).values[name] == int(raw.split(".")[0])


def test_space_instead_of_equals(capsys: pytest.CaptureFixture[str]) -> None:
    from analysis.cli import main

    for argv in (["build", "-p", "utilisation", "0.6"], ["params", "-p", "gpu_hour_usd", "-2"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        name, value = argv[2], argv[3]
        assert err == [f"error: -p {name} {value}: did you mean -p {name}={value}?"]


def test_panel_rental_prices_include_the_market_below_h800() -> None:
    """The what-if panel's rental control reaches down to the lowest rental price of data/rental_prices.csv and holds
    every one up to the H800 market rate."""
    from analysis.chapters import explore
    from analysis.inputs import data

    rentals = data.load_table("rental_prices.csv")
    ceiling = float(rentals.loc[rentals["id"] == "h800_market", "usd_per_gpu_hour"].iloc[0])
    grid = {float(o.value) for c in explore.controls() if c.param == "gpu_hour_usd" for o in c.options}
    wanted = {float(p) for p in rentals["usd_per_gpu_hour"] if float(p) <= ceiling}
    assert wanted <= grid and min(grid) <= min(float(p) for p in rentals["usd_per_gpu_hour"])


def test_the_notice_lists_what_changed_and_names_apart_what_was_set_to_its_default() -> None:
    """A scenario (or -p) that sets an input to its default changes nothing: the notice, headed "inputs changed from
    the book's defaults", no longer lists it among them (an analyst read "fleet_h800 = 10,000 (default 10,000)")."""
    from analysis.pipeline import notice

    markup = notice.notice_html(resolve(None, ["fleet_h800=10000", "training_gpus=4096"]), "reference_parameters.html")
    listed = markup[markup.index("<ul>"):markup.index("</ul>")]
    assert "training_gpus</code> = 4,096 GPUs (command line; default 2,048)" in listed
    assert "fleet_h800" not in listed
    assert "Also set, at their defaults: <code>fleet_h800</code>." in markup


def test_inputs_set_to_their_defaults_make_the_default_book() -> None:
    """-p gpu_hour_usd=2 (the default) builds the default book: no notice, whose list would be empty."""
    assert resolve(None, ["gpu_hour_usd=2"]).is_default()
    assert not resolve(None, ["gpu_hour_usd=2.5"]).is_default()
