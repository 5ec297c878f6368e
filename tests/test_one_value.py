"""One value per quantity, named bases, sourced prose (issue 24): tests of the class, not of one instance.

- A quantity shown on several pages reads the same on each: the landing page, the chapters and the what-if panel.
- Every R1 cost in the prose names its basis (rental, ownership, fleet), since the book prices R1 three ways.
- A source's note says what the source says; the book's own ranges live in the registry (data/parameters.csv,
  data/uncertainty.csv), from which every page that states them is generated.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from analysis.chapters import explore, fleet, intro, reconciliation, uncertainty
from analysis.chapters.page import Page
from analysis.inputs.params import registry

ROOT = Path(__file__).resolve().parent.parent
FAST = {name: param.default for name, param in registry().items()} | {"mc_samples": 2000}


def _page(module: object) -> Page:
    return module.chapter({n: FAST[n] for n in module.PARAMETERS})  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def pages() -> dict[str, Page]:
    return {m.__name__.rsplit(".", 1)[-1]: _page(m) for m in (intro, fleet, reconciliation, uncertainty)}


# Each quantity → every (page, key) that shows it as text. A new page showing one of them belongs here.
SHOWN = {
    "fleet capex": [("intro", "headline_capex_text"), ("fleet", "fleet_capex_text"), ("reconciliation", "fleet_capex_central_text"),
                    ("uncertainty", "fleet_capex_usd_central_text")],
    "fleet opex a year": [("intro", "headline_opex_text"), ("fleet", "fleet_opex_per_year_text")],
    "fleet opex over the horizon": [("fleet", "fleet_opex_text"), ("uncertainty", "fleet_opex_usd_central_text")],
    "V3's development cost": [("intro", "headline_dev_text"), ("reconciliation", "total_development_cost_text"),
                              ("uncertainty", "total_development_cost_usd_central_text")],
    "owned H800 per hour held": [("intro", "headline_owned_text"), ("uncertainty", "owned_gpu_hour_usd_central_text")],
    "owned H800 per useful hour": [("intro", "headline_owned_useful_text"), ("uncertainty", "owned_gpu_useful_hour_usd_central_text")],
    "V3 run's share of a fleet-year": [("intro", "headline_run_share_text"), ("uncertainty", "v3_run_share_of_fleet_year_central_text")],
}
PANEL = {"fleet capex": "fleet_capex_usd", "fleet opex a year": "fleet_opex_per_year_usd", "V3's development cost": "total_development_cost_usd",
         "owned H800 per hour held": "owned_gpu_hour_usd", "owned H800 per useful hour": "owned_gpu_useful_hour_usd"}


@pytest.mark.parametrize("quantity", sorted(SHOWN))
def test_a_quantity_reads_the_same_on_every_page(pages: dict[str, Page], quantity: str) -> None:
    shown = {f"{page}:{key}": pages[page][key] for page, key in SHOWN[quantity]}
    assert len(set(shown.values())) == 1, shown


def test_the_panel_opens_on_the_same_values(pages: dict[str, Page]) -> None:
    panel = explore.panel_data()
    default = {c["param"]: c["default"] for c in panel["controls"]}  # the index of each control's default option
    outputs = {o["key"]: o for o in panel["outputs"]}
    for quantity, key in PANEL.items():
        page, glued = SHOWN[quantity][0]
        index = explore._index(panel, outputs[key], default)
        assert outputs[key]["texts"][index] == pages[page][glued], quantity


def _sentences_with_r1_costs(prose: str) -> list[str]:
    found = []
    for sentence in re.split(r"(?<=[.;:])\s", prose):
        if re.search(r"\{glue:text\}`[^`]*\br1_\w*(usd|cost)\w*_text", sentence) or "waterfall_r1_usd_text" in sentence:
            found.append(sentence)
    return found


def test_every_r1_cost_in_the_prose_names_its_basis() -> None:
    import nbformat

    basis = re.compile(r"rent|ownership|owned|per hour held|fleet-average|fleet's yearly|at DeepSeek's|gpu_hour_usd")
    checked = 0
    for path in sorted((ROOT / "book").glob("*.ipynb")):
        prose = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        for sentence in _sentences_with_r1_costs(prose):
            checked += 1
            assert basis.search(sentence), f"{path.name}: an R1 cost without its basis: {sentence[:200]}"
    assert checked >= 3


def test_source_notes_describe_their_source_not_the_book_s_choice() -> None:
    """'The book takes 6-14%' in a source's note went stale when the registry moved to 7-15%: the book's choices are
    stated only where the pages are generated from (the registry), never in a note."""
    with open(ROOT / "data" / "sources.csv", newline="") as f:
        for row in csv.DictReader(f):
            assert not re.search(r"\bthe book (takes|uses|assumes)\b", " ".join(row.values()), re.I), row["id"]


def test_the_uncertainty_page_states_ranges_from_the_registry() -> None:
    """Every range the uncertainty page's table states is data/uncertainty.csv's, row for row."""
    page = _page(uncertainty)
    frame, _ = page.tables["distributions"]
    with open(ROOT / "data" / "uncertainty.csv", newline="") as f:
        rows = {row["label"]: row for row in csv.DictReader(f)}
    assert set(frame["Input"]) <= set(rows) and len(frame) >= 20
    for row in frame.itertuples(index=False):
        assert (row.Low, row.High) == (float(rows[row.Input]["low"]), float(rows[row.Input]["high"]))


def test_results_texts_are_rounded_for_people() -> None:
    """No headline text shows more than three significant figures (exact values are in the numeric keys)."""
    page = _page(intro)
    for name, _key, _shown in intro.HEADLINES:
        digits = re.sub(r"\D", "", str(page[name + "_text"])).lstrip("0")
        assert len(digits) <= 3, json.dumps({name: page[name + "_text"]})
