"""The scenarios page's chapter function: one column per shipped scenario, each with its own changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analysis.chapters import scenarios
from analysis.chapters.page import Page
from analysis.inputs.params import registry
from tests.conftest import markdown_glue_names

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "book" / "scenarios.ipynb"
FILES = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def page() -> Page:
    return scenarios.chapter({})



def test_reads_no_parameters() -> None:
    assert scenarios.PARAMETERS == ()


def test_one_scenario_per_file(page: Page) -> None:
    assert len(FILES) > 0
    assert page["scenario_count"] == len(list((ROOT / "scenarios").iterdir())) == len(FILES)
    headlines, _ = page.tables["headlines"]
    assert list(headlines["Scenario"])[0] == "Book defaults" and len(headlines) == 1 + len(FILES)  # the defaults, one per scenario
    described, _ = page.tables["described"]
    assert list(described["File"]) == [f"scenarios/{f.name}" for f in FILES]


def test_defaults_column_by_hand(page: Page) -> None:
    headlines, _ = page.tables["headlines"]
    defaults = headlines.set_index("Scenario").loc["Book defaults"]
    assert defaults["Final run, rented"] == "$5.58M"  # 2,788K GPU-hours × $2 (V3 report, Table 1)
    assert defaults["Fleet GPUs"] == "60,000"  # the estimate's counts as the medians of their ranges: 10k A100 + 10k H800 + 10k H100 + 30k H20


def test_each_column_lists_what_its_file_changes(page: Page) -> None:
    reg = registry()
    described, _ = page.tables["described"]
    by_scenario = described.set_index("Scenario")
    for path in FILES:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        changed = {f"{k}={v:g}" if not isinstance(v, str) else f"{k}={v}" for k, v in content["parameters"].items()
                   if (v if isinstance(v, str) else float(v)) != reg[k].default}
        shown = by_scenario.loc[content["title"], "Changed parameters"]
        assert (set(shown.split(", ")) if shown != "none" else set()) == changed


def test_scenarios_move_the_figures_they_should(page: Page) -> None:
    rows = page.tables["headlines"][0].set_index("Scenario").T
    # Hoppers only: the table's 50,000 Hopper GPUs without the 10,000 A100s; Luk's correction keeps all 60,000.
    assert rows.loc["Fleet GPUs", "Hoppers only"] == "50,000"
    assert rows.loc["Fleet GPUs", "Luk's correction (all 60,000 GPUs)"] == "60,000"
    # DeepSeek's framing keeps the rental price at $2: the same final run as the defaults.
    assert rows.loc["Final run, rented", "DeepSeek's own framing"] == rows.loc["Final run, rented", "Book defaults"]
    # DeepSeek's own floor: 10,000 A100s and 2,224 H800s.
    assert rows.loc["Fleet GPUs", "DeepSeek's own floor"] == "12,224"
    # More GPUs cost more: the floor < the book's medians < all 60,000.
    def billions(text: str) -> float:
        return float(text.strip("$B")) if text.endswith("B") else float(text.strip("$M")) / 1e3

    capex = rows.loc["Fleet capex"]
    assert billions(capex["DeepSeek's own floor"]) < billions(capex["Hoppers only"]) < billions(capex["Book defaults"])
    # Luk's reading fixes the estimate's counts, which are also the book's medians: the same capex.
    assert capex["Luk's correction (all 60,000 GPUs)"] == capex["Book defaults"]


def test_every_glue_name_of_the_prose_is_produced(page: Page) -> None:
    names = markdown_glue_names(NOTEBOOK)
    assert "scenario_count" in names
    assert names <= set(page.values) | set(page.figures)
