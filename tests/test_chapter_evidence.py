"""The evidence page (analysis/chapters/evidence.py): the dated items, the ranges drawn from them, the research multiple
and its floor from V3's own ablations, the as-paid prices at the median of their quotes net of VAT, the spend to date."""

from __future__ import annotations

import math

import pytest

from analysis.chapters import evidence
from analysis.chapters.inputs import hardware_prices
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import costs

REG = registry()
DEFAULTS = {name: p.default for name, p in REG.items()}


@pytest.fixture(scope="module")
def page():
    return evidence.chapter({n: DEFAULTS[n] for n in evidence.PARAMETERS})


def test_every_bound_drawn_from_an_item_is_the_range_s_own() -> None:
    """A count's low, centre or high named in data/evidence.csv is the value data/uncertainty.csv uses; a claim 'beyond'
    lies outside the range."""
    ranges = data.load_indexed("uncertainty.csv")
    items = data.load_table("evidence.csv")
    bound = items[items["bound"].notna() & (items["bound"] != "")]
    assert len(bound) >= 8
    for row in bound.itertuples():
        if row.bound == "beyond":
            assert row.value > ranges.loc[row.parameter, "high"], row.id
        elif row.parameter in ranges.index:
            assert float(ranges.loc[row.parameter, evidence.BOUND_COLUMN[row.bound]]) == pytest.approx(row.value), row.id
        else:  # a fixed input drawn from the item: the registry's default
            assert float(REG[row.parameter].default) == pytest.approx(row.value), row.id


def test_items_are_dated_sourced_and_cover_2025_and_2026() -> None:
    items = data.load_table("evidence.csv")
    assert items["date"].max() >= "2026-04" and items["date"].min() <= "2022-12"
    sources = data.load_indexed("sources.csv")
    assert set(items["source_id"]) <= set(sources.index)
    assert (items["shows"].str.len() > 0).all() and (items["effect"].str.len() > 0).all()


def test_as_paid_prices_are_the_medians_of_their_quotes_net_of_vat() -> None:
    quotes = evidence.as_paid_quotes(DEFAULTS["vat_rate"], DEFAULTS["server_non_gpu_usd"])
    ranges = data.load_indexed("uncertainty.csv")
    for gpu in evidence.PRICED:
        median, low, high = costs.evidence_span(list(quotes.loc[quotes["gpu"] == gpu, "bare_usd"]))
        assert REG[f"price_{gpu}_usd"].default == pytest.approx(median, rel=1e-4), gpu
        if ranges.loc[f"price_{gpu}_usd", "distribution"] == "lognormal":  # its 90% interval reaches the farthest quote
            assert (ranges.loc[f"price_{gpu}_usd", "low"], ranges.loc[f"price_{gpu}_usd", "high"]) == pytest.approx((low, high), rel=1e-4)


def test_vat_comes_out_of_yuan_quotes_only() -> None:
    net = evidence.as_paid_quotes(0.13, 53_700).set_index("id")
    gross = evidence.as_paid_quotes(0.0, 53_700).set_index("id")
    assert net.loc["h100_us_2023", "bare_usd"] == gross.loc["h100_us_2023", "bare_usd"] == 27_500
    # RMB 2.1M server: 2.1M / 1.13 / 7.1 - 53,700 over 8 GPUs
    assert net.loc["h800_server_h3c", "bare_usd"] == pytest.approx((2.1e6 / 1.13 / 7.1 - 53_700) / 8)
    assert gross.loc["h800_server_h3c", "bare_usd"] > net.loc["h800_server_h3c", "bare_usd"]
    # A grey-market purchase has no VAT invoice: nothing to credit, so its yuan price is used as quoted.
    assert net.loc["h100_grey_server_2024", "bare_usd"] == gross.loc["h100_grey_server_2024", "bare_usd"] == pytest.approx(
        (2.7e6 / 7.2 - 53_700) / 8)
    # A dollar price reported from China is used as reported.
    assert net.loc["h20_distributors_2024", "bare_usd"] == gross.loc["h20_distributors_2024", "bare_usd"] == 13_500


def test_every_quote_says_how_vat_stands_in_it() -> None:
    from analysis.chapters.inputs import VAT_TREATMENTS

    quotes = hardware_prices()
    assert set(quotes["vat"]) <= set(VAT_TREATMENTS)
    assert (quotes.loc[quotes["vat"] == "credited", "currency"] == "CNY").all()
    assert quotes.set_index("id").loc["h100_grey_server_2024", "vat"] == "grey"


def test_h20_board_replacement_price_is_net_of_vat() -> None:
    board = hardware_prices().set_index("id").loc["h20_board_2025"]
    middle_cny = (board["low"] + board["high"]) / 2
    assert REG["replacement_price_h20_usd"].default == pytest.approx(middle_cny / 1.13 / board["cny_per_usd"] / 8, rel=1e-4)


def test_hosting_is_the_geometric_middle_of_its_sourced_ends() -> None:
    ranges = data.load_indexed("uncertainty.csv").loc["hosting_usd_per_gpu_year"]
    h800_kw = 0.7 * 1.82
    owned = 7_000 * costs.annuity_factor(0.016, 20) * h800_kw  # a Chinese hall at $7M per MW over 20 years at 1.6%
    rented = 130 * 12 * h800_kw  # SemiAnalysis's US colocation, per kW-month
    assert (ranges["low"], ranges["high"]) == pytest.approx((owned, rented), rel=2e-3)
    assert REG["hosting_usd_per_gpu_year"].default == pytest.approx(math.sqrt(owned * rented), rel=1e-3)


def test_research_multiple_spans_both_readings_with_the_ablation_floor_at_its_low_end(page) -> None:
    assert page["research_floor_multiplier"] == pytest.approx(1.18, abs=0.01)  # 13 runs, 6.25e23 FLOP, 19% of the run
    assert page["ablation_share_of_final_run"] == pytest.approx(0.19, abs=0.005)
    assert page["research_multiplier_low"] == pytest.approx(page["research_floor_multiplier"], abs=0.05)
    assert page["research_multiplier_high"] == data.published("epoch_firm_wide_factor_high")
    assert page["research_multiplier"] == pytest.approx(math.sqrt(1.2 * 10), rel=1e-3)


def test_spend_to_date_adds_running_costs_and_staff_to_capex(page) -> None:
    from analysis.chapters.inputs import cost_model

    book = cost_model(DEFAULTS)
    assert page["cumulative_spend_usd"] == book["cumulative_spend_usd"] > book["fleet_capex_as_paid_usd"]
    staff = DEFAULTS["staff_headcount"] * DEFAULTS["staff_loaded_cost_usd"] * DEFAULTS["staff_years_to_date"]
    assert book["cumulative_spend_usd"] - book["fleet_capex_as_paid_usd"] > staff
    assert 0 < book["fleet_capex_storage_usd"] < 0.05 * book["fleet_capex_usd"]


def test_thin_inputs_have_sourced_ends_and_defaults_at_their_medians(page) -> None:
    """Cost of capital, maintenance, network and the storage node: each range's ends are the sourced figures the page
    names, and each default is its range's median (tests/test_uncertainty.py checks the medians for every input)."""
    assert (page["cost_of_capital_low"], page["cost_of_capital_mode"], page["cost_of_capital_high"]) == (
        data.published("china_10y_yield_jan_2025"), data.published("china_lpr_5y_2025"), data.published("baidu_cost_of_equity"))
    # Maintenance: none (the book's reading of DeepSeek's accounting) to the top of CTWatch's dated HPC rate averaged over
    # the server life with its free first year (8% × 3.5 ÷ 4.5); the DGX list contract lies beyond the range.
    assert page["maintenance_ctwatch_life_average"] == pytest.approx(data.published("vendor_maintenance_high") * 3.5 / 4.5)
    assert page["maintenance_share_low"] == 0
    assert page["maintenance_share_high"] == pytest.approx(page["maintenance_ctwatch_life_average"], rel=1e-3)
    assert page["maintenance_share_high"] < page["dgx_h100_support_share"]
    assert page["dgx_h100_support_share"] == pytest.approx(39_800 / 199_000)
    fat_tree = data.published("isca_network_usd_per_endpoint_mpft")
    assert page["network_usd_per_gpu_p5"] == pytest.approx(fat_tree * (1 - data.published("rail_only_cost_cut_low")), rel=1e-4)
    assert REG["network_usd_per_gpu"].default == pytest.approx(math.sqrt(page["network_usd_per_gpu_p5"] * page["network_usd_per_gpu_p95"]),
                                                                rel=1e-4)
    assert page["storage_node_usd"] == DEFAULTS["cpu_node_usd"] + DEFAULTS["storage_node_ssd_tb"] * DEFAULTS["ssd_usd_per_tb"]


def test_the_cabinet_rent_found_is_shown_not_used(page) -> None:
    """Read per kW, the translated 2023 cabinet rents would lie above the rack-rental range: they are context, and the
    range's ends stay the hall's cost and the US colocation rate."""
    assert page["cabinet_rent_now_usd_per_h800_year"] > page["hosting_usd_per_gpu_year_p95"]
    assert page["cabinet_rent_now_usd_per_h800_year"] == pytest.approx(1_300 * 12 / 7.1 * 0.7 * 1.82)



def test_every_count_bound_names_its_item_or_is_labelled_an_assumption() -> None:
    """The count table credits each low and high to a dated item that gives it, or labels it an assumption; a low of
    none is credited to no item (an export filing shows no lawful purchases, not none), only to DeepSeek having
    disclosed none."""
    frame, _ = evidence._from_data_alone().tables["count_ranges"]
    for _, row in frame.iterrows():
        for said in (row["Low from"], row["High from"]):
            assert said.startswith(("an assumption", "held at")) or "(20" in said, row["GPU count"]
        if row["Low"] == 0:
            assert row["Low from"] == evidence.NONE_DISCLOSED, row["GPU count"]
    lows = frame.set_index("GPU count")["Low from"]
    assert lows["H100 count"] == lows["H20 count"] == evidence.NONE_DISCLOSED
