"""The serving-economics chapter against DeepSeek's published figures and hand calculations.

Published figures: DeepSeek, "Day 6, One More Thing: DeepSeek-V3/R1 Inference System Overview"
(open-infra-index, 1 Mar 2025): 226.75 average and 278 peak H800 nodes of 8 GPUs, $87,072 per day at
$2 per GPU-hour, 608B input tokens (342B cache hits), 168B output tokens, 73.7k input tokens/s per
prefill node, 14.8k output tokens/s per decode node, $562,027 theoretical revenue at R1 prices
($0.14 / $0.55 / $2.19 per million), "cost profit margin" 545%. API prices: DeepSeek API news and
pricing pages. V3.2-Exp chart readings: Figure 3 of the V3.2-Exp report, read by the book (B).
Architecture figures (DeepSeek-V3 config): 16,190,969,344 parameters outside the routed experts,
2,554,331,136 per routed expert across its 58 MoE layers, 36,624,736,768 multiplied weights per token,
70,272 bytes of MLA cache per token in BF16 (ISCA 2025 paper, Table 1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest

from analysis.chapters import serving
from analysis.chapters.inputs import cost_model
from analysis.chapters.page import Page
from analysis.formatting import usd
from analysis.inputs.params import registry
from analysis.model import inference as inf
from analysis.model import reconcile
from tests.conftest import markdown_glue_names

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "serving.ipynb"
NODE_USD_PER_S = 8 * 2.0 / 3600  # one H800 node at $2 per GPU-hour
WEIGHTS_GB = (16_190_969_344 + 2 * 2_554_331_136) / 1e9  # FP8: one byte per weight
KV = 70_272  # bytes per token, BF16
STREAMS_PER_GPU = 14_800 / 21 / 8
# The book's fleet at its defaults (the estimate's counts): 10,000 A100, 10,000 H800, 10,000 H100, 30,000 H20,
# weighted by BF16 throughput.
FLEET_H800_EQUIVALENT = 10_000 * 312 / 989 + 20_000 + 30_000 * 148 / 989
RESEARCH_MULTIPLIER = 3.464  # research_multiplier's default: the median of Epoch AI's two readings (1.2x-10x)
OTHER_MODELS = 172_800 * (8.1 + 6.0)  # V2 paper: 172.8K H800-hours per trillion tokens, 8.1T (V2) + 6T (Coder-V2)
HIGH_FLYER = 0.25  # high_flyer_share's default (an assumption: none to half)
IDLE = 0.25  # 1 - utilisation
HOURS = 8760


def defaults() -> dict:
    params = registry()
    return {name: params[name].default for name in serving.PARAMETERS}


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    yield serving.chapter(defaults())
    plt.close("all")



# --- the disclosure -----------------------------------------------------------------------------

def test_parameters_are_registry_names_without_repeats() -> None:
    assert len(set(serving.PARAMETERS)) == len(serving.PARAMETERS)
    assert set(serving.PARAMETERS) <= set(registry())
    assert {"fleet_a100", "fleet_h800", "fleet_h100", "fleet_h20", "gpu_hour_usd", "research_multiplier"} <= set(serving.PARAMETERS)


def test_cost_per_day_is_the_disclosures(page: Page) -> None:
    assert page["inference_cost_per_day_usd"] == 226.75 * 8 * 24 * 2.0 == 87_072  # stated: $87,072
    assert page["inference_stated_cost_per_day_usd"] == 87_072


def test_revenue_from_the_rounded_counts_and_the_rounding_gap(page: Page) -> None:
    by_hand = 342e3 * 0.14 + 266e3 * 0.55 + 168e3 * 2.19  # 47,880 + 146,300 + 367,920 = $562,100
    assert page["inference_revenue_per_day_usd"] == pytest.approx(by_hand) == pytest.approx(562_100)
    assert page["inference_stated_revenue_per_day_usd"] == 562_027
    assert page["inference_revenue_gap_usd"] == pytest.approx(73)
    assert page["inference_output_half_step_usd"] == pytest.approx(0.5e3 * 2.19)  # $1,095
    # DeepSeek's figure lies inside what its rounded counts allow.
    assert page["inference_revenue_low_usd"] < 562_027 < page["inference_revenue_high_usd"]
    # Widest swing: 0.5B more output, 0.5B more input and 0.5B fewer hits (so 1B more misses), and the reverse.
    swing = 0.5e3 * 2.19 + 1e3 * 0.55 - 0.5e3 * 0.14  # $1,575
    assert page["inference_revenue_high_usd"] == pytest.approx(562_100 + swing)
    assert page["inference_revenue_low_usd"] == pytest.approx(562_100 - swing)


def test_cost_profit_margin_is_545_percent(page: Page) -> None:
    assert page["inference_cost_profit_margin"] == pytest.approx((562_100 - 87_072) / 87_072)  # 545.6%
    assert page["inference_stated_margin_from_stated_revenue"] == pytest.approx((562_027 - 87_072) / 87_072)  # 545.5%
    assert round(100 * page["inference_stated_margin_from_stated_revenue"]) == 545  # printed: 545%
    assert abs(page["inference_cost_profit_margin"] - page["inference_stated_cost_profit_margin"]) < 0.01


def test_nodes_implied_by_throughput(page: Page) -> None:
    prefill, decode = 608e9 / 86_400 / 73_700, 168e9 / 86_400 / 14_800  # 95.5 + 131.4
    assert page["inference_prefill_nodes"] == pytest.approx(prefill)
    assert page["inference_decode_nodes"] == pytest.approx(decode)
    assert page["inference_nodes_from_throughput"] == pytest.approx(prefill + decode)
    assert round(page["inference_nodes_from_throughput"], 1) == 226.9  # against 226.75 stated


def test_three_dollar_gpu_hour_moves_cost_and_margin() -> None:
    dearer = serving.chapter({**defaults(), "gpu_hour_usd": 3.0})
    try:
        assert dearer["inference_cost_per_day_usd"] == 130_608  # 226.75 × 8 × 24 × $3
        assert dearer["inference_cost_profit_margin"] == pytest.approx((562_100 - 130_608) / 130_608)  # 330%
        assert dearer["inference_revenue_per_day_usd"] == pytest.approx(562_100)  # prices do not move
        assert dearer["inference_cost_per_m_output_tokens_usd"] == pytest.approx(8 * 3.0 / 3600 / 14_800 * 1e6)
        # The fleet-year is valued at the ownership cost per hour held, which the rental price does not reach.
        assert dearer["fleet_year_cost_text"] == serving.chapter(defaults())["fleet_year_cost_text"]
        assert dearer["inference_cost_per_day_owned_usd"] == serving.chapter(defaults())["inference_cost_per_day_owned_usd"]
    finally:
        plt.close("all")


# --- cost per token and prices ------------------------------------------------------------------

def test_cost_per_million_tokens_by_hand(page: Page) -> None:
    output = NODE_USD_PER_S / 14_800 * 1e6  # $0.300
    blended = NODE_USD_PER_S / 73_700 * 1e6  # $0.0603, hits included
    assert page["inference_cost_per_m_output_tokens_usd"] == pytest.approx(output)
    assert page["inference_cost_per_m_input_blended_usd"] == pytest.approx(blended)
    assert page["inference_cost_per_m_input_miss_usd"] == pytest.approx(blended / (1 - 342 / 608))  # $0.138
    assert page["inference_cost_per_m_input_hit_usd"] == 0


def test_gross_margins_at_each_price_step(page: Page) -> None:
    output = NODE_USD_PER_S / 14_800 * 1e6
    miss = NODE_USD_PER_S / 73_700 * 1e6 / (1 - 342 / 608)
    for key, price in (("r1_launch", 2.19), ("v3_standard", 1.10), ("v3_off_peak", 0.55), ("v31", 1.68)):
        assert page[f"price_{key}_output_margin"] == pytest.approx((price - output) / price)
    # V3.2-Exp's output against its own sparse-attention cost at the average KV length, on the chart and in the text;
    # at V3's dense cost beside it.
    assert page["price_v32_exp_output_margin_at_v3_cost"] == pytest.approx((0.42 - output) / 0.42)
    assert page["price_v32_exp_output_margin"] == pytest.approx((0.42 - page["sparse_decode_sparse_usd_per_m_at_avg"]) / 0.42)
    frame, _ = page.tables["prices"]
    assert frame["Price list"].iloc[-1].endswith("(output at its own cost, the rest at V3's)")
    assert frame["Output margin"].iloc[-1] == page["price_v32_exp_output_margin"]
    assert page["price_v3_off_peak_miss_margin"] == pytest.approx((0.135 - miss) / 0.135)
    assert page["price_v3_off_peak_miss_margin"] < 0  # the off-peak miss price is below cost
    assert page["price_r1_launch_cost_profit_margin"] == pytest.approx(page["inference_cost_profit_margin"])
    assert page["price_v3_standard_day_usd"] == pytest.approx(342e3 * 0.07 + 266e3 * 0.27 + 168e3 * 1.10)  # $280,560
    assert page["price_v32_exp_day_usd"] == pytest.approx(342e3 * 0.028 + 266e3 * 0.28 + 168e3 * 0.42)  # $154,616
    frame, _ = page.tables["prices"]
    assert len(frame) == len(serving.DEEPSEEK_PRICES)  # margins are against DeepSeek's cost: no row for another lab's prices
    assert list(frame["Output margin"]) == pytest.approx([page[f"price_{k}_output_margin"] for k in serving.DEEPSEEK_PRICES])


def test_plausible_revenue_by_hand(page: Page) -> None:
    at_r1, at_v3 = 562_100, 280_560
    at_off_peak = 342e3 * 0.035 + 266e3 * 0.135 + 168e3 * 0.55  # $140,280 (V3 and R1 alike)
    all_paid = 0.5 * (0.83 * at_v3 + 0.17 * at_off_peak) + 0.5 * (0.83 * at_r1 + 0.17 * at_off_peak)
    assert page["inference_all_paid_revenue_per_day_usd"] == pytest.approx(all_paid)
    assert page["inference_plausible_revenue_per_day_usd"] == pytest.approx(0.5 * all_paid) == pytest.approx(186_775.75)
    assert page["inference_plausible_cost_profit_margin"] == pytest.approx(0.5 * all_paid / 87_072 - 1)
    assert page["inference_break_even_paid_share"] == pytest.approx(87_072 / all_paid)  # 23%


# --- rooflines ----------------------------------------------------------------------------------

def test_decode_roofline_by_hand(page: Page) -> None:
    assert page["decode_weight_gb_per_gpu"] == pytest.approx(WEIGHTS_GB)  # 21.3 GB
    assert page["decode_streams_per_gpu"] == pytest.approx(STREAMS_PER_GPU)  # ~88 requests
    kv_gb = STREAMS_PER_GPU * 4_989 * KV / 1e9  # 30.9 GB
    assert page["decode_kv_gb_per_gpu"] == pytest.approx(kv_gb)
    assert page["decode_hbm_bandwidth_utilisation"] == pytest.approx((WEIGHTS_GB + kv_gb) * 1e9 * 21 / 3.35e12)  # 33%
    assert page["decode_hbm_capacity_utilisation"] == pytest.approx((WEIGHTS_GB + kv_gb) / 80)  # 65%
    assert page["decode_hbm_bandwidth_utilisation_mtp"] == pytest.approx(page["decode_hbm_bandwidth_utilisation"] / 1.85)
    mqa = 2 * 61 * 128 * (2 * 512 + 64)  # MLA in MQA mode, per context token
    decode_flops = 2 * 36_624_736_768 + mqa * 4_989
    assert page["decode_flop_utilisation"] == pytest.approx(14_800 * decode_flops / (8 * 1979e12))  # 15%
    # Compute time: the matmuls at the FP8 peak, MLA's attention (BF16, DeepSeek's inference overview) at the BF16 peak.
    assert page["decode_attention_gflop_per_token"] == pytest.approx(mqa * 4_989 / 1e9)  # 85 of 158
    assert page["decode_compute_time_share"] == pytest.approx(
        14_800 * (2 * 36_624_736_768 / 1979e12 + mqa * 4_989 / 989e12) / 8)  # 23%
    assert page["decode_compute_time_share"] > page["decode_flop_utilisation"]
    assert page["decode_hbm_bandwidth_utilisation"] < 1 and page["decode_hbm_capacity_utilisation"] < 1


def test_prefill_roofline_by_hand(page: Page) -> None:
    flops = 2 * 36_624_736_768 + 2 * 128 * (192 + 128) * 61 * 4_989  # matmuls + MHA-mode attention at the average KV length
    assert page["prefill_gflop_per_token"] == pytest.approx(flops / 1e9)  # 98 GFLOP
    computed = 73_700 * (1 - 342 / 608)
    assert page["prefill_flop_utilisation"] == pytest.approx(computed * flops / (8 * 1979e12))  # 20%
    assert page["prefill_flop_utilisation_hits_computed"] == pytest.approx(73_700 * flops / (8 * 1979e12))  # 46%
    attention = 2 * 128 * (192 + 128) * 61 * 4_989
    seconds = 2 * 36_624_736_768 / 1979e12 + attention / 989e12  # per token on one GPU
    assert page["prefill_compute_time_share"] == pytest.approx(computed * seconds / 8)  # 25%
    assert page["prefill_compute_time_share_hits_computed"] == pytest.approx(73_700 * seconds / 8)  # 57%


# --- fleet-time budget --------------------------------------------------------------------------

def test_fleet_time_slices_by_hand(page: Page) -> None:
    fleet_year = FLEET_H800_EQUIVALENT * HOURS  # 242.2M H800-hours
    assert page["fleet_h800_equivalent_gpus"] == pytest.approx(FLEET_H800_EQUIVALENT)
    assert page["fleet_year_h800_hours_m"] == pytest.approx(fleet_year / 1e6)
    assert page["fleet_hours_v3_final_run_m"] == pytest.approx(2.788)
    assert page["fleet_hours_v3_research_m"] == pytest.approx(2.788 * (RESEARCH_MULTIPLIER - 1))
    assert page["fleet_hours_r1_m"] == pytest.approx(0.147)
    assert page["fleet_hours_inference_m"] == pytest.approx(226.75 * 8 * HOURS / 1e6)
    assert page["fleet_share_inference"] == pytest.approx(226.75 * 8 * HOURS / fleet_year)
    # V2's and Coder-V2's runs (2.44M) with their research, counted as V3's is.
    assert page["fleet_hours_other_models_m"] == pytest.approx(OTHER_MODELS * RESEARCH_MULTIPLIER / 1e6)
    assert page["fleet_hours_idle_m"] == pytest.approx(IDLE * fleet_year / 1e6)
    assert page["fleet_hours_high_flyer_m"] == pytest.approx(HIGH_FLYER * fleet_year / 1e6)
    assert page["fleet_night_lent_hours_m"] == pytest.approx((278 - 226.75) * 8 * HOURS / 1e6)
    assert page["fleet_night_lending_share"] == pytest.approx(1 - 226.75 / 278)
    named = (2.788e6 * RESEARCH_MULTIPLIER + 147e3 + 226.75 * 8 * HOURS + OTHER_MODELS * RESEARCH_MULTIPLIER
             + (HIGH_FLYER + IDLE) * fleet_year)
    assert page["fleet_share_unexplained"] == pytest.approx(1 - named / fleet_year)
    # The remainder's own range over the Monte Carlo of the counts, research multiple, High-Flyer's share and utilisation.
    assert page["fleet_share_unexplained_p10"] < page["fleet_share_unexplained"] < page["fleet_share_unexplained_p90"]
    assert page["fleet_overcommitted"] == 0


def test_fleet_time_slices_add_up_to_the_fleet_year(page: Page) -> None:
    names = list(inf.SLICE_LABELS)
    assert sum(page[f"fleet_hours_{n}_m"] for n in names) == pytest.approx(page["fleet_year_h800_hours_m"], rel=1e-12)
    assert sum(page[f"fleet_share_{n}"] for n in names) == pytest.approx(1, rel=1e-12)
    frame, _ = page.tables["fleet_budget"]
    assert frame["H800-hours"].iloc[:-1].sum() == pytest.approx(frame["H800-hours"].iloc[-1], rel=1e-12)
    # The chart's stacked bar: its slices end exactly at the fleet-year.
    top = page.figures["fig_fleet_time"].axes[0]
    assert sum(patch.get_width() for patch in top.patches) == pytest.approx(page["fleet_year_h800_hours_m"], rel=1e-12)


def test_fleet_time_chart_refuses_slices_that_do_not_add_up() -> None:
    from analysis.charts import serving as charts

    with pytest.raises(ValueError, match="add up"):
        charts.fleet_time({"a": 1.0, "b": 2.0}, 4.0, 0.0)


def test_each_slice_has_a_parameter() -> None:
    base = serving.chapter(defaults())
    moved = serving.chapter({**defaults(), "research_multiplier": 8, "other_models_gpu_hours": 2.4e6, "inference_nodes_avg": 200,
                             "fleet_h20": 20_000})
    try:
        assert moved["fleet_hours_v3_research_m"] == pytest.approx(2.788 * 7)
        assert moved["fleet_hours_other_models_m"] == pytest.approx(2.4 * 8)
        assert moved["fleet_hours_inference_m"] == pytest.approx(200 * 8 * HOURS / 1e6)
        assert moved["fleet_year_h800_hours_m"] == pytest.approx(base["fleet_year_h800_hours_m"] - 10_000 * 148 / 989 * HOURS / 1e6)
        names = list(inf.SLICE_LABELS)
        assert sum(moved[f"fleet_hours_{n}_m"] for n in names) == pytest.approx(moved["fleet_year_h800_hours_m"], rel=1e-12)
    finally:
        plt.close("all")


def test_overcommitted_fleet_is_said_not_hidden() -> None:
    tiny = serving.chapter({**defaults(), "fleet_a100": 0, "fleet_h800": 1_000, "fleet_h100": 0, "fleet_h20": 0})
    try:
        assert tiny["fleet_overcommitted"] == 1
        assert tiny["fleet_share_unexplained"] < 0
        assert "overcommit" in tiny["fleet_remainder_verdict"]
    finally:
        plt.close("all")


def test_headlines_on_one_axis(page: Page) -> None:
    assert page["serving_claim_run_text"] == "$6M" and page["serving_claim_capex_text"] == "$1.6B"
    owned = page["owned_gpu_hour_usd"]
    assert page["fleet_final_run_value_text"] == usd(2_788_000 * owned)  # 2,788K H800-hours at the ownership cost per hour held
    fleet_year = FLEET_H800_EQUIVALENT * HOURS
    # The fleet's yearly cost: the capex repaid as an annuity, r / (1 - (1 + r)^-n), plus the opex.
    book = cost_model({name: defaults()[name] for name in reconcile.MODEL_PARAMS})
    r, n = registry()["cost_of_capital"].default, registry()["depreciation_years"].default
    repaid = book["fleet_capex_usd"] * r / (1 - (1 + r) ** -n)
    yearly = repaid + book["fleet_opex_per_year_usd"]
    assert page["fleet_year_cost_text"] == usd(yearly)
    assert page["fleet_cost_per_h800_hour_usd"] == pytest.approx(yearly / fleet_year)
    assert page["fleet_capex_per_year_over_final_run"] == pytest.approx(repaid / (2_788_000 * owned))
    assert page["fleet_final_run_share_of_cost"] == pytest.approx(2_788_000 * owned / yearly)
    # An owned H800-hour costs less than the fleet's average H800-equivalent hour, so the run's share of the
    # cost is below its share of the compute.
    assert page["fleet_final_run_share_of_cost"] < page["fleet_share_v3_final_run"]


# --- sparse attention ---------------------------------------------------------------------------

def test_sparse_attention_terms_by_hand(page: Page) -> None:
    assert page["sparse_top_k"] == 2048
    assert page["sparse_dense_attention_mflop_per_context_token"] == pytest.approx(2 * 128 * (192 + 128) * 61 / 1e6)  # 5.0
    assert page["sparse_indexer_mflop_per_context_token"] == pytest.approx(2 * 61 * 64 * 128 / 1e6)  # 1.0
    assert page["sparse_mqa_attention_mflop_per_selected_token"] == pytest.approx(2 * 61 * 128 * (2 * 512 + 64) / 1e6)  # 17.0
    assert page["sparse_indexer_key_bytes_per_token"] == 61 * (128 + 4)


def test_sparse_attention_at_128k_by_hand(page: Page) -> None:
    t, k = 131_072, 2048
    indexer_params = 851_524_864  # V3.2-Exp's lightning indexers, all 61 layers
    dense = 2 * 36_624_736_768 + 4_997_120 * t
    sparse = 2 * 36_624_736_768 + 2 * indexer_params + 16_990_208 * k + 999_424 * t
    assert page["sparse_prefill_ratio"] == pytest.approx(sparse / dense)  # 0.33
    weights_per_token = WEIGHTS_GB * 1e9 / STREAMS_PER_GPU
    dec_dense = weights_per_token + KV * t
    dec_sparse = weights_per_token + indexer_params / STREAMS_PER_GPU + KV * k + 8_052 * t
    assert page["sparse_decode_ratio"] == pytest.approx(dec_sparse / dec_dense)  # 0.15
    # Both ratios land near DeepSeek's own chart (0.19 / 0.67 = 0.28 prefill; 0.24 / 2.15 = 0.11 decode).
    assert page["v32_chart_prefill_ratio"] == pytest.approx(0.19 / 0.67)
    assert page["v32_chart_decode_ratio"] == pytest.approx(0.24 / 2.15)
    assert abs(page["sparse_prefill_ratio"] - page["v32_chart_prefill_ratio"]) < 0.1
    assert abs(page["sparse_decode_ratio"] - page["v32_chart_decode_ratio"]) < 0.1


def test_dense_costs_at_the_average_kv_length_are_the_disclosures(page: Page) -> None:
    """The sparse-attention costs are anchored on the disclosure: at the average KV length the dense
    prefill cost is the cost per cache miss and the dense decode cost the cost per output token."""
    curve_ratio_at_avg = page["sparse_decode_ratio_at_avg"]
    assert page["sparse_decode_sparse_usd_per_m_at_avg"] == pytest.approx(curve_ratio_at_avg * page["inference_cost_per_m_output_tokens_usd"])
    # Prefill: cost proportional to FLOP at a fixed utilisation, so the ratio of costs is the ratio of FLOP.
    assert page["sparse_prefill_dense_usd_per_m"] == pytest.approx(
        page["inference_cost_per_m_input_miss_usd"] * page["sparse_prefill_dense_gflop"] / page["prefill_gflop_per_token"])
    assert page["price_v32_exp_output_margin"] == pytest.approx((0.42 - page["sparse_decode_sparse_usd_per_m_at_avg"]) / 0.42)


def test_sparse_prefill_crossover(page: Page) -> None:
    # Sparse prefill is dearer until the indexer and MQA-mode attention pay for themselves:
    # 2·P_idx + 16,990,208·2048 + 999,424·t < 4,997,120·t  ⇒  t > 9,125.
    crossover = (2 * 851_524_864 + 16_990_208 * 2048) / (4_997_120 - 999_424)
    assert crossover - serving.CROSSOVER_STEP < page["sparse_prefill_crossover_tokens"] <= crossover + serving.CROSSOVER_STEP


def test_sparse_decode_extra_weights_are_counted() -> None:
    args = dict(matmul_flops_per_token=73e9, dense_attention_flops_per_context_token=5e6, sparse_attention_flops_per_selected_token=17e6,
                indexer_flops_per_context_token=1e6, top_k=2048, weight_bytes_per_token=0.25e9, kv_bytes_per_token=70_272,
                indexer_key_bytes_per_token=8_052)
    without = inf.sparse_attention_comparison(131_072, **args)
    with_weights = inf.sparse_attention_comparison(131_072, **args, sparse_extra_weight_bytes_per_token=1e7)
    assert with_weights.decode_bytes_sparse == pytest.approx(without.decode_bytes_sparse + 1e7)
    assert with_weights.decode_bytes_dense == without.decode_bytes_dense


def test_sparse_curve_is_monotone_and_starts_at_zero(page: Page) -> None:
    lines = page.figures["fig_sparse_attention"].axes[0].get_lines()
    x = np.asarray(lines[0].get_xdata())
    assert x[0] == 0 and x[-1] == pytest.approx(131.072)
    for line in lines[:2]:
        assert np.all(np.diff(np.asarray(line.get_ydata())) >= 0)


# --- the notebook -------------------------------------------------------------------------------

def test_every_glued_name_in_the_notebook_is_produced(page: Page) -> None:
    names = markdown_glue_names(NOTEBOOK)
    assert names, "the notebook glues nothing"
    missing = names - set(page.values) - set(page.figures)
    assert not missing, f"book/serving.ipynb uses glue names the chapter does not produce: {sorted(missing)}"


def test_the_issue_keys_are_glued(page: Page) -> None:
    for key in ("inference_cost_per_day_usd", "inference_revenue_per_day_usd", "inference_cost_profit_margin",
                "inference_nodes_from_throughput", "inference_cost_per_m_output_tokens_usd", "fleet_share_inference"):
        assert isinstance(page[key], float)
    assert set(page.figures) == {"fig_price_timeline", "fig_fleet_time", "fig_sparse_attention"}


def test_notebook_displays_every_table(page: Page) -> None:
    code = "\n".join(c.source for c in nbformat.read(str(NOTEBOOK), as_version=4).cells if c.cell_type == "code")
    shown = set(re.findall(r'page\.show\("([^"]+)"\)', code))
    assert shown == set(page.tables)


# --- the fleet's other users, and serving at the owned cost --------------------------------------

def test_other_models_default_is_the_published_v2_and_coder_v2_compute() -> None:
    """V2 paper: 172.8K H800-hours per trillion tokens on 8.1T tokens; Coder-V2 paper: 6T more tokens."""
    from analysis.inputs import data

    published = data.published("v2_gpu_hours_per_trillion") * (data.published("v2_pretrain_tokens")
                                                                 + data.published("coder_v2_extra_tokens")) / 1e12
    assert registry()["other_models_gpu_hours"].default == pytest.approx(published)


def test_high_flyer_has_its_own_slice() -> None:
    none, third = serving.chapter({**defaults(), "high_flyer_share": 0.0}), serving.chapter({**defaults(), "high_flyer_share": 0.3})
    try:
        assert none["fleet_hours_high_flyer_m"] == 0
        assert third["fleet_share_high_flyer"] == pytest.approx(0.3)
        assert third["fleet_share_unexplained"] == pytest.approx(none["fleet_share_unexplained"] - 0.3)
    finally:
        plt.close("all")


def test_disclosed_day_at_the_owned_cost(page: Page) -> None:
    """The same 226.75 nodes × 8 GPUs × 24 h at the fleet chapter's ownership cost per hour held."""
    from analysis.chapters import fleet

    fleet_page = fleet.chapter({n: registry()[n].default for n in fleet.PARAMETERS})
    plt.close("all")
    owned = fleet_page["owned_gpu_hour_usd"]
    assert page["owned_gpu_hour_usd"] == owned
    assert page["inference_cost_per_day_owned_usd"] == pytest.approx(226.75 * 8 * 24 * owned)
    revenue = page["inference_revenue_per_day_usd"]
    assert page["inference_margin_owned_cost"] == pytest.approx(revenue / (226.75 * 8 * 24 * owned) - 1)


def test_each_workload_is_priced_at_its_own_gpu_s_cost(page: Page) -> None:
    """One basis in the budget's money: work on H800s at an H800's cost per hour held, shares of the whole fleet at its
    average cost per H800-equivalent hour, the remainder the rest of the fleet's yearly cost."""
    frame, _ = page.tables["fleet_budget"]
    rows = frame.set_index("Slice")
    owned, average = page["owned_gpu_hour_usd"], page["fleet_cost_per_h800_hour_usd"]
    assert rows.loc["R1 training", serving.COST_COLUMN] == pytest.approx(147e3 * owned) == page["fleet_cost_r1_usd"]
    assert rows.loc["V3 final training run", serving.COST_COLUMN] == pytest.approx(2.788e6 * owned)
    assert rows.loc["Idle (1 − utilisation)", serving.COST_COLUMN] == pytest.approx(page["fleet_hours_idle_m"] * 1e6 * average)
    assert "per hour held" in rows.loc["R1 training", "Priced at"] and "fleet average" in rows.loc["Idle (1 − utilisation)", "Priced at"]
    assert frame[serving.COST_COLUMN].iloc[:-1].sum() == pytest.approx(frame[serving.COST_COLUMN].iloc[-1])
    # One-off runs are costs placed in the year, not yearly costs; serving is yearly work; the column names its mixed bases.
    for one_off in ("V3 final training run", "V3 research and ablations", "R1 training"):
        assert rows.loc[one_off, "Priced at"].startswith("one-off, placed in the year"), one_off
    assert not rows.loc["Inference (V3 and R1)", "Priced at"].startswith("one-off")
    assert "mixed bases" in serving.COST_COLUMN


def test_serving_v4_rescales_v3s_disclosed_costs(page: Page) -> None:
    """Issue 28: V4's cost per million tokens is V3's at the owned cost per H800-hour held, times V4's work per token over
    V3's (prefill: FLOP; decode: bytes read); margins against DeepSeek's V4 prices in data/api_prices.csv."""
    from analysis.inputs import data

    prices = data.load_indexed("api_prices.csv")
    for key in ("v4_pro", "v4_flash"):
        assert page[f"serving_{key}_output_usd_per_m_owned"] == pytest.approx(
            page["serving_v4_v3_output_usd_per_m_owned"] * page[f"serving_{key}_decode_over_v3"])
        assert page[f"serving_{key}_miss_usd_per_m_owned"] == pytest.approx(
            page["serving_v4_v3_miss_usd_per_m_owned"] * page[f"serving_{key}_prefill_over_v3"])
        price = float(prices.loc[key, "output_usd_per_m"])
        assert page[f"serving_{key}_price_output"] == price
        assert page[f"serving_{key}_output_margin_owned"] == pytest.approx(1 - page[f"serving_{key}_output_usd_per_m_owned"] / price)
    # V4-Flash does less work per token than V3 in both phases; V4-Pro's larger activated weights cost more in prefill.
    assert page["serving_v4_flash_prefill_over_v3"] < 1 and page["serving_v4_flash_decode_over_v3"] < 1
    assert page["serving_v4_pro_prefill_over_v3"] > 1 > page["serving_v4_pro_decode_over_v3"]
    frame = page.tables["v4_prices"][0]
    assert len(frame) == 7 and [label.split(",")[0] for label in frame["Price list"][:2]] == ["DeepSeek-V3", "DeepSeek-V3.2-Exp"]
    # V3 and V4 side by side on one basis at a time: the owned cost per hour held, and the rental price.
    to_owned = page["owned_gpu_hour_usd"] / page["gpu_hour_usd"]
    v3_output_owned = page["inference_cost_per_m_output_tokens_usd"] * to_owned
    assert v3_output_owned == pytest.approx(page["serving_v4_v3_output_usd_per_m_owned"])
    assert page["serving_v3_standard_output_margin_owned"] == pytest.approx(1 - v3_output_owned / page["price_v3_standard_output_usd_per_m"])
    assert frame.iloc[0]["Output margin at $2.00/h rental"] == pytest.approx(page["price_v3_standard_output_margin"])
    assert page["serving_v4_pro_output_margin_rental"] == pytest.approx(
        1 - page["serving_v4_pro_output_usd_per_m_owned"] / to_owned / page["serving_v4_pro_price_output"])


def test_the_miss_margins_basis_follows_the_cache_hit_cost(page: Page) -> None:
    """At 0 (the default) the misses carry the whole prefill cost, which a negative miss margin rests on; a reader who
    moves cache_hit_cost_fraction is no longer told that."""
    assert "puts the whole prefill cost on the misses" in str(page["cache_hit_cost_basis_text"])
    from analysis.chapters.page import values_only

    with values_only():
        moved = serving.chapter({**defaults(), "cache_hit_cost_fraction": 0.1, "mc_samples": 1000})
    plt.close("all")
    assert "the hits carry part of the prefill cost" in str(moved["cache_hit_cost_basis_text"])


def test_the_remainder_is_said_as_shown_in_whole_percent() -> None:
    """A remainder that rounds to 0% is neither overcommitted "by 0%" nor left over; a range's end is said as shown."""
    assert "by 22% of its year" in serving.remainder_sentence(1.22, -0.22)
    assert serving.remainder_sentence(1.004, -0.004).startswith("Everything named takes the whole fleet-year")
    assert "the other 16% of the year" in serving.remainder_sentence(0.84, 0.16)
    assert serving.remainder_range(-0.003, 0.2) == "0% to 20% left over"
    assert serving.remainder_range(-0.8, 0.08) == "from 80% overcommitted to 8% left over"
    assert serving.remainder_range(-0.5, -0.2) == "20% to 50% overcommitted"


def test_the_off_peak_miss_margin_is_said_as_it_is() -> None:
    """Below cost only when negative; resting on free cache hits only where hits are free (at $1 per GPU-hour the margin
    is positive, and the page still called it below cost)."""
    assert serving.off_peak_miss_note(0.49, 0.0) == "which covers its cost at these inputs"
    assert "a cache hit costs no GPU time" in serving.off_peak_miss_note(-0.2, 0.0)
    assert serving.off_peak_miss_note(-0.1, 0.25) == "which is below cost even with a cache hit taking 25% of a miss's GPU time"
