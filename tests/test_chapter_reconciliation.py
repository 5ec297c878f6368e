"""The reconciliation chapter: the waterfall from the final run to V3's development cost, by hand."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

from analysis.chapters import reconciliation
from analysis.inputs import data
from analysis.inputs.params import registry
from tests.conftest import glue_text_names

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "reconciliation.ipynb"
V3_HOURS = 2_664_000 + 119_000 + 5_000  # DeepSeek-V3 report, Table 1


def chapter(**overrides: float):
    params = registry()
    page = reconciliation.chapter({**{n: params[n].default for n in reconciliation.PARAMETERS}, "mc_samples": 2000, **overrides})
    plt.close("all")
    return page


def test_waterfall_by_hand() -> None:
    page = chapter()
    owned = page["owned_gpu_hour_usd"]
    assert page["waterfall_run_rental_usd"] == V3_HOURS * 2.0 == 5_576_000
    assert page["waterfall_ownership_delta_usd"] == pytest.approx(V3_HOURS * (owned - 2.0))
    # Research at 3.464× the final run in all (the median of Epoch AI's per-model and firm-wide readings), at the same cost
    # per hour held.
    assert page["waterfall_research_usd"] == pytest.approx(V3_HOURS * owned * (3.464 - 1))
    assert page["waterfall_r1_usd"] == pytest.approx(data.run_gpu_hours("DeepSeek-R1") * owned)
    # The model builders (the median of their range) at their loaded cost for the 0.64 years between the V2 and V3 reports.
    defaults = {name: p.default for name, p in registry().items()}
    assert page["waterfall_staff_dev_usd"] == pytest.approx(
        defaults["staff_headcount"] * defaults["staff_loaded_cost_usd"] * defaults["development_years"])
    assert defaults["development_years"] == 0.64
    steps = ("run_rental", "ownership_delta", "research", "r1", "staff_dev")
    assert sum(page[f"waterfall_{s}_usd"] for s in steps) == pytest.approx(page["total_development_cost_usd"])
    assert page["total_over_run"] == pytest.approx(page["total_development_cost_usd"] / 5_576_000)


def test_no_research_and_no_staff_leaves_the_run_and_r1() -> None:
    page = chapter(research_multiplier=1, development_years=0)
    owned = page["owned_gpu_hour_usd"]
    assert page["waterfall_research_usd"] == 0 and page["waterfall_staff_dev_usd"] == 0
    assert page["total_development_cost_usd"] == pytest.approx((V3_HOURS + data.run_gpu_hours("DeepSeek-R1")) * owned)


def test_every_glue_name_of_the_prose_is_produced() -> None:
    page = chapter()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    names = glue_text_names(prose) | set(re.findall(r"\{glue:figure\}\s+(\S+)", prose))
    assert names and names <= set(page.values) | set(page.figures)


def test_headline_chart_puts_each_claim_on_its_own_row() -> None:
    """Issue 20: a claim sits on the axis of what it claims: the $6M run claim beside the run, not the development."""
    from analysis.chapters.inputs import cost_model
    from analysis.chapters.uncertainty import simulate
    from analysis.model import reconcile

    params = {n: p.default for n, p in registry().items()}
    p = {**{n: params[n] for n in reconciliation.PARAMETERS}, "mc_samples": 2000}
    rows = reconciliation.headline_rows(p, cost_model({n: p[n] for n in reconcile.MODEL_PARAMS}),
                                        simulate(p, reconciliation.RANGED).ranges, reconciliation.ranges_on_counts(p))
    assert rows["v3_cost_6m"]["label"].startswith("Final V3 run") and rows["v3_cost_6m"]["claim"] == 6e6
    assert rows["v3_cost_6m"]["p10"] == rows["v3_cost_6m"]["p90"] == V3_HOURS * 2.0  # DeepSeek's own figure, not varied
    assert rows["headline_1_6b_develop"]["label"] == "V3's development" and rows["headline_1_6b_develop"]["claim"] == 1.6e9
    dev = rows["headline_1_6b_develop"]
    assert dev["p10"] < dev["central"] < dev["p90"]  # a Monte Carlo range around the value at the central inputs
    assert dev["central"] == cost_model({n: p[n] for n in reconcile.MODEL_PARAMS})["total_development_cost_usd"]
    assert rows["opex_944m"]["claim"] == 944e6 and rows["capex_1_6b"]["claim"] == 1.6e9
    page = chapter()
    assert page.figures["fig_headlines"].axes[0].get_title(loc="left") == reconciliation.CHART_TITLE


def test_each_claim_s_row_shows_the_range_the_ledger_judges_it_on() -> None:
    """A claim resting on the estimate's GPU counts is judged with those counts held: its row draws that range, the
    ledger's claim_<id>_p10/_p90, not the wider one that varies the counts (S1 of the issue 26 review)."""
    from analysis.chapters import claims
    from analysis.chapters.inputs import cost_model
    from analysis.chapters.uncertainty import simulate
    from analysis.model import reconcile

    params = {n: p.default for n, p in registry().items()}
    ledger = claims.chapter({n: params[n] for n in claims.PARAMETERS})
    p = {n: params[n] for n in reconciliation.PARAMETERS}
    r = cost_model({n: p[n] for n in reconcile.MODEL_PARAMS})
    wide = simulate(p, reconciliation.RANGED).ranges
    rows = reconciliation.headline_rows(p, r, wide, reconciliation.ranges_on_counts(p))
    for cid in ("capex_1_6b", "opex_944m", "gpu_spend_500m", "headline_1_6b_develop"):
        assert (rows[cid]["p10"], rows[cid]["p90"]) == (pytest.approx(ledger[f"claim_{cid}_p10"]), pytest.approx(ledger[f"claim_{cid}_p90"])), cid
    assert rows["capex_1_6b"]["p10"] > wide["fleet_capex_usd"]["p10"]  # narrower than the range that varies the counts
