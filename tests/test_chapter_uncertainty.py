"""The uncertainty chapter's function: ordered, reproducible ranges that follow the parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.chapters import uncertainty
from analysis.chapters.page import Page
from analysis.formatting import usd_sig
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import reconcile
from analysis.model import uncertainty as unc
from tests.conftest import markdown_glue_names

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "uncertainty.ipynb"
DEFAULTS = {n: registry()[n].default for n in uncertainty.PARAMETERS}
FAST = {**DEFAULTS, "mc_samples": 2000}
QUANTILES = ("p10", "p50", "p90")


@pytest.fixture(scope="module")
def page() -> Page:
    return uncertainty.chapter(FAST)



def test_percentiles_are_ordered(page: Page) -> None:
    for key in unc.HEADLINES:
        p10, p50, p90 = (page[f"{key}_{q}"] for q in QUANTILES)
        assert 0 < p10 <= p50 <= p90, key


def test_texts_show_the_numbers(page: Page) -> None:
    assert page["owned_gpu_hour_usd_p50_text"] == f"${page['owned_gpu_hour_usd_p50']:.2f}"
    for key in ("fleet_capex_usd", "fleet_opex_usd", "total_development_cost_usd"):
        for q in QUANTILES:
            assert page[f"{key}_{q}_text"] == usd_sig(page[f"{key}_{q}"])
    assert page.values["fleet_capex_usd_p50"].unit == "USD"
    assert page.values["owned_gpu_hour_usd_p50"].unit == "USD per GPU-hour held"
    assert page.values["owned_gpu_useful_hour_usd_p50"].unit == "USD per useful GPU-hour"


def test_samples_and_seed_are_reported_as_given(page: Page) -> None:
    assert page["mc_samples"] == 2000
    assert page["seed"] == DEFAULTS["seed"]


def test_same_seed_same_values_other_seed_other_values(page: Page) -> None:
    again = uncertainty.chapter(FAST)
    other = uncertainty.chapter({**FAST, "seed": FAST["seed"] + 1})
    numbers = [k for k, v in page.values.items() if isinstance(v.value, float)]
    assert all(again[k] == page[k] for k in numbers)
    assert other["fleet_capex_usd_p50"] != page["fleet_capex_usd_p50"]
    assert other["total_development_cost_usd_p90"] != page["total_development_cost_usd_p90"]


def test_a_longer_horizon_scales_opex_and_leaves_capex(page: Page) -> None:
    # Opex = yearly opex × horizon; the horizon's distribution is rescaled to follow it (4 → 8 years, ×2),
    # and the same seed draws the same uniforms: every opex percentile doubles, capex does not move.
    longer = uncertainty.chapter({**FAST, "horizon_years": 8.0})
    for q in QUANTILES:
        assert longer[f"fleet_opex_usd_{q}"] == pytest.approx(2 * page[f"fleet_opex_usd_{q}"], rel=1e-9)
        assert longer[f"fleet_capex_usd_{q}"] == page[f"fleet_capex_usd_{q}"]
        assert longer[f"owned_gpu_hour_usd_{q}"] == page[f"owned_gpu_hour_usd_{q}"]


def test_the_page_quotes_the_ledger_and_judges_no_claim(page: Page) -> None:
    """One verdict per claim (issue 20): no position or share of its own, only the ledger's words."""
    import nbformat

    assert page["capex_claim_text"] == "$1.6B" and page["opex_claim_text"] == "$944M"
    assert not [k for k in page.values if k.endswith("_claim_position") or k.startswith("p_")]
    prose = "\n".join(c.source for c in nbformat.read(str(NOTEBOOK), as_version=4).cells if c.cell_type == "markdown")
    for claim in ("capex_1_6b", "opex_944m"):
        assert f"claims.ipynb::claim_{claim}_verdict_text" in prose


def test_drivers_are_uncertain_inputs_the_output_depends_on(page: Page) -> None:
    table = data.load_table("uncertainty.csv")
    label_of = dict(zip(table["parameter"], table["label"], strict=True))
    assert page["top_driver_dev"] != page["second_driver_dev"]
    assert {page["top_driver_dev"], page["second_driver_dev"]} <= set(label_of.values())
    # Capex = Σ count × (price + other server parts / 8 + network per GPU): nothing else can move it.
    capex_inputs = {"server_non_gpu_usd", "h20_server_non_gpu_usd", "a100_server_non_gpu_usd", "network_usd_per_gpu",
                    "a100_network_usd_per_gpu"} | {n for n in label_of if n.startswith(("fleet_", "price_"))}
    assert {page["top_driver_capex"], page["second_driver_capex"]} <= {label_of[n] for n in capex_inputs}
    # DeepSeek's published GPU-hours are not uncertain inputs.
    assert "v3_pretrain_gpu_hours" not in label_of


def test_distribution_table_lists_every_uncertain_input_of_the_cost_model(page: Page) -> None:
    frame, formats = page.tables["distributions"]
    table = data.load_table("uncertainty.csv")
    table = table[table["parameter"].isin(reconcile.MODEL_PARAMS)]  # High-Flyer's share is the serving page's, not sampled here
    assert list(frame["Input"]) == list(table["label"])
    assert list(frame.columns) == ["Input", "Shape", "Low", "Median", "High", "Why", "Source"]
    assert set(formats) == {"Low", "Median", "High"}
    # The medians shown are the book's defaults (the headline sits at the centre of each range).
    defaults = registry()
    for parameter, median in zip(table["parameter"], frame["Median"], strict=True):
        assert median == pytest.approx(float(defaults[parameter].default), rel=0.01), parameter


def test_correlations_widen_the_ranges(page: Page) -> None:
    # Positively correlated prices (and headcount with years) can only widen sums of positive terms.
    assert page["correlation_widens_capex"] > 0 and page["correlation_widens_dev"] > 0
    frame, _ = page.tables["correlations"]
    assert len(frame) == len(data.load_table("correlations.csv"))


def test_every_glue_name_of_the_prose_is_produced(page: Page) -> None:
    names = markdown_glue_names(NOTEBOOK)
    assert {"mc_samples", "fig_intervals", "fig_tornado", "top_driver_dev"} <= names
    assert names <= set(page.values) | set(page.figures)


def test_the_distribution_table_shows_the_ranges_a_moved_input_is_drawn_from() -> None:
    """A build that sets an input moves its range with it (uncertainty.centred): the table shows that range, not the
    default's with a moved median inside it (an analyst read Low 2 and High 3 around a median of 6)."""
    table = data.load_indexed("uncertainty.csv")
    name = next(n for n in table.index if n in uncertainty.PARAMETERS and n in reconcile.MODEL_PARAMS
                and float(DEFAULTS[n]) > 0 and n != "mc_samples")
    moved = uncertainty.chapter({**FAST, name: float(DEFAULTS[name]) * 2})
    frame, _ = moved.tables["distributions"]
    row = frame[frame["Input"] == table.loc[name, "label"]].iloc[0]
    assert row["Low"] <= row["Median"] <= row["High"]
    assert row["Low"] == pytest.approx(2 * float(table.loc[name, "low"]), rel=1e-9) or row["High"] == pytest.approx(
        2 * float(table.loc[name, "high"]), rel=1e-9), (name, row.to_dict())  # scaled with the value (within bounds)
