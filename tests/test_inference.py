"""Serving economics (analysis.model.inference) against DeepSeek's disclosure and hand calculations.

Published figures come from DeepSeek's "Day 6: DeepSeek-V3/R1 Inference System Overview"
(open-infra-index, 1 Mar 2025): 226.75 average and 278 peak H800 nodes, $87,072 per day at $2 per
GPU-hour, 608B input tokens (342B cache hits), 168B output, 73.7k / 14.8k tokens/s per prefill / decode
node, $562,027 theoretical revenue at R1 prices ($0.14 / $0.55 / $2.19 per M), 545% cost profit margin.
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.errors import InputError
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import inference as inf
from analysis.model.fleet import Gpu

R1 = inf.ApiPrices(input_cache_hit=0.14, input_cache_miss=0.55, output=2.19)  # the disclosure's footnote
V3 = inf.ApiPrices(input_cache_hit=0.07, input_cache_miss=0.27, output=1.10)
OFF_PEAK = inf.ApiPrices(input_cache_hit=0.035, input_cache_miss=0.135, output=0.55)
HIT_SHARE = 342 / 608


# --- the disclosure ---------------------------------------------------------------------------

def test_cost_per_day_reproduces_the_disclosure() -> None:
    assert inf.cost_per_day_usd(226.75, 8, 2.0) == 87_072  # stated: $87,072
    assert inf.cost_per_day_usd(226.75, 8, 3.0) == 130_608  # 226.75 x 8 x 24 x 3


def test_theoretical_revenue_uses_342b_hits_and_266b_misses() -> None:
    # Hand calculation from the rounded counts: 342B hits, 608B - 342B = 266B misses, 168B output.
    by_hand = 342e9 * 0.14 / 1e6 + 266e9 * 0.55 / 1e6 + 168e9 * 2.19 / 1e6  # 47,880 + 146,300 + 367,920
    assert by_hand == pytest.approx(562_100)
    assert inf.theoretical_revenue_per_day_usd(608e9, HIT_SHARE, 168e9, R1) == pytest.approx(by_hand, abs=1e-6)
    # DeepSeek prints $562,027: $73 (0.013%) less. Its counts are rounded to 1B tokens, and a
    # 0.5B change in the output count alone moves revenue by $1,095, so the stated figure cannot be
    # reproduced to the dollar; it must (and does) lie inside the rounding envelope.
    low, high = inf.revenue_rounding_bounds_usd(608e9, 342e9, 168e9, R1, half_step=0.5e9)
    assert low == pytest.approx(342.5e3 * 0.14 + 265e3 * 0.55 + 167.5e3 * 2.19)  # fewest misses and outputs
    assert high == pytest.approx(341.5e3 * 0.14 + 267e3 * 0.55 + 168.5e3 * 2.19)
    assert low < 562_027 < high
    assert abs(inf.theoretical_revenue_per_day_usd(608e9, HIT_SHARE, 168e9, R1) - 562_027) < 100
    # The printed share (56.3%) gives 342.3B hits: also within $100, also not exact.
    assert abs(inf.theoretical_revenue_per_day_usd(608e9, 0.563, 168e9, R1) - 562_027) < 100


def test_cost_profit_margin_is_545_percent() -> None:
    margin = inf.cost_profit_margin(562_027, inf.cost_per_day_usd(226.75, 8, 2.0))
    assert margin == pytest.approx((562_027 - 87_072) / 87_072)
    assert round(100 * margin) == 545  # DeepSeek prints 545%
    # From the rounded token counts ($562,100) the margin is 545.56%, which rounds to 546%.
    assert round(100 * inf.cost_profit_margin(562_100, 87_072)) == 546


def test_nodes_from_throughput_against_the_stated_average() -> None:
    nodes = inf.nodes_from_throughput(608e9, 168e9, 73.7e3, 14.8e3)
    by_hand = 608e9 / 86_400 / 73_700 + 168e9 / 86_400 / 14_800  # 95.48 prefill + 131.38 decode
    assert nodes == pytest.approx(by_hand)
    assert round(nodes, 1) == 226.9
    assert abs(nodes - 226.75) / 226.75 < 0.001  # stated average: 226.75


def test_published_rows_reproduce_the_disclosure() -> None:
    prices = data.load_indexed("api_prices.csv").loc["r1_launch"]
    r1 = inf.ApiPrices(prices["input_cache_hit_usd_per_m"], prices["input_cache_miss_usd_per_m"], prices["output_usd_per_m"])
    assert r1 == R1
    p = data.published
    cost = inf.cost_per_day_usd(p("inference_nodes_avg"), p("inference_gpus_per_node"), p("inference_gpu_hour_usd"))
    assert cost == p("inference_cost_per_day_usd")
    low, high = inf.revenue_rounding_bounds_usd(
        p("inference_input_tokens_per_day"), p("inference_cache_hit_tokens_per_day"), p("inference_output_tokens_per_day"), r1, 0.5e9,
    )
    assert low < p("inference_revenue_per_day_usd") < high
    assert round(inf.cost_profit_margin(p("inference_revenue_per_day_usd"), cost), 2) == p("inference_cost_profit_margin")


def test_registry_defaults_are_the_disclosure() -> None:
    reg = {name: q.default for name, q in registry().items()}
    assert reg["inference_input_tokens_per_day"] * reg["cache_hit_share"] == pytest.approx(342e9)
    assert inf.cost_per_day_usd(reg["inference_nodes_avg"], reg["gpus_per_node"], reg["gpu_hour_usd"]) == 87_072


def test_blended_revenue_by_hand() -> None:
    everything_at_r1 = inf.blended_revenue_per_day_usd(608e9, HIT_SHARE, 168e9, r1_prices=R1, v3_prices=V3, v3_token_share=0, paid_share=1)
    assert everything_at_r1 == pytest.approx(562_100)
    mixed = inf.blended_revenue_per_day_usd(
        608e9, HIT_SHARE, 168e9, r1_prices=R1, v3_prices=V3, v3_token_share=0.5, paid_share=0.5,
        off_peak_token_share=0.17, r1_off_peak_prices=OFF_PEAK, v3_off_peak_prices=OFF_PEAK,
    )
    at_v3 = 342e3 * 0.07 + 266e3 * 0.27 + 168e3 * 1.10  # 280,560
    at_off_peak = 342e3 * 0.035 + 266e3 * 0.135 + 168e3 * 0.55  # 140,280
    by_hand = 0.5 * (0.5 * (0.83 * at_v3 + 0.17 * at_off_peak) + 0.5 * (0.83 * 562_100 + 0.17 * at_off_peak))
    assert mixed == pytest.approx(by_hand)
    assert mixed == pytest.approx(186_775.75)


# --- cost per million tokens ------------------------------------------------------------------

def test_token_costs_by_hand() -> None:
    costs = inf.token_costs(8, 2.0, 73_700, 14_800, cache_hit_share=0.5625)
    node_per_s = 8 * 2.0 / 3600  # $0.00444 per node-second
    blended = node_per_s / 73_700 * 1e6  # $0.0603 per M input tokens, hits included
    assert costs.input_blended == pytest.approx(blended)
    assert costs.input_cache_hit == 0  # a hit skips prefill compute
    assert costs.input_cache_miss == pytest.approx(blended / (1 - 0.5625))  # $0.138: misses carry the node time
    assert costs.output == pytest.approx(node_per_s / 14_800 * 1e6)  # $0.300 per M output tokens
    margins = inf.gross_margins(V3, costs)
    assert margins["output"] == pytest.approx((1.10 - 0.3003003) / 1.10, rel=1e-6)
    assert margins["input_cache_hit"] == 1


def test_hit_cost_fraction_keeps_the_blended_cost() -> None:
    h, f = 0.5625, 0.3
    costs = inf.token_costs(8, 2.0, 73_700, 14_800, cache_hit_share=h, hit_cost_fraction=f)
    assert costs.input_cache_hit == pytest.approx(f * costs.input_cache_miss)
    assert h * costs.input_cache_hit + (1 - h) * costs.input_cache_miss == pytest.approx(costs.input_blended)
    same = inf.token_costs(8, 2.0, 73_700, 14_800, cache_hit_share=h, hit_cost_fraction=1)
    assert same.input_cache_hit == pytest.approx(same.input_blended) == pytest.approx(same.input_cache_miss)


def test_token_costs_rebuild_the_daily_cost() -> None:
    costs = inf.token_costs(8, 2.0, 73_700, 14_800, cache_hit_share=0.5625)
    daily = (342e9 * costs.input_cache_hit + 266e9 * costs.input_cache_miss + 168e9 * costs.output) / 1e6
    assert daily == pytest.approx(inf.cost_per_day_usd(inf.nodes_from_throughput(608e9, 168e9, 73_700, 14_800), 8, 2.0))


def test_implied_gross_margin() -> None:
    assert inf.implied_gross_margin(2.19, 0.30) == pytest.approx(1.89 / 2.19)
    assert inf.implied_gross_margin(0.20, 0.30) < 0  # priced below cost
    with pytest.raises(InputError, match="price"):
        inf.implied_gross_margin(0, 0.3)


# --- rooflines --------------------------------------------------------------------------------

def test_ep_weight_bytes_by_hand() -> None:
    assert inf.ep_weight_bytes_per_gpu(16e9, 2.5e9, 2, 1) == 21e9
    assert inf.ep_weight_bytes_per_gpu(16e9, 2.5e9, 2, 2) == 42e9


def test_decode_roofline_by_hand() -> None:
    r = inf.decode_roofline(
        output_tokens_per_s_per_node=14_800, tokens_per_s_per_stream=21, gpus_per_node=8, weight_bytes_per_gpu=20e9,
        kv_bytes_per_token=70_272, avg_kv_tokens=4_989, hbm_bandwidth_bytes_per_s=3.35e12, hbm_bytes=80e9,
    )
    streams = 14_800 / 21  # ~705 concurrent requests per node
    assert r.streams_per_node == pytest.approx(streams)
    assert 690 < r.streams_per_node < 720
    kv = streams / 8 * 4_989 * 70_272  # 30.9 GB of KV cache per GPU per step
    assert r.kv_bytes_per_gpu_per_step == pytest.approx(kv)
    assert r.hbm_bytes_per_s_per_gpu == pytest.approx((20e9 + kv) * 21)
    assert r.hbm_bandwidth_utilisation == pytest.approx((20e9 + kv) * 21 / 3.35e12)
    assert r.hbm_capacity_utilisation == pytest.approx((20e9 + kv) / 80e9)
    mtp = inf.decode_roofline(
        output_tokens_per_s_per_node=14_800, tokens_per_s_per_stream=21, gpus_per_node=8, weight_bytes_per_gpu=20e9,
        kv_bytes_per_token=70_272, avg_kv_tokens=4_989, hbm_bandwidth_bytes_per_s=3.35e12, hbm_bytes=80e9, tokens_per_step=2,
    )
    assert mtp.hbm_bandwidth_utilisation == pytest.approx(r.hbm_bandwidth_utilisation / 2)
    with pytest.raises(InputError, match="tokens_per_step"):
        inf.decode_roofline(
            output_tokens_per_s_per_node=14_800, tokens_per_s_per_stream=21, gpus_per_node=8, weight_bytes_per_gpu=20e9,
            kv_bytes_per_token=70_272, avg_kv_tokens=4_989, hbm_bandwidth_bytes_per_s=3.35e12, hbm_bytes=80e9, tokens_per_step=0.5,
        )


def test_prefill_roofline_by_hand() -> None:
    r = inf.prefill_roofline(input_tokens_per_s_per_node=73_700, cache_hit_share=0.5625, flops_per_token=74e9,
                             gpus_per_node=8, peak_flops_per_gpu=1979e12)
    assert r.computed_tokens_per_s_per_node == pytest.approx(73_700 * 0.4375)
    assert r.utilisation_hits_skipped == pytest.approx(73_700 * 0.4375 * 74e9 / (8 * 1979e12))  # ~15%
    assert r.utilisation_hits_computed == pytest.approx(73_700 * 74e9 / (8 * 1979e12))  # ~34%


def test_compute_time_share_weighs_each_kind_at_its_peak() -> None:
    # 10 tokens/s on one GPU, 1 TFLOP of matmuls at 2 TFLOP/s and 1 TFLOP of attention at 1 TFLOP/s: 10 × 1.5 s.
    assert inf.compute_time_share(10, 1e12, 1e12, 1, 2e12, 1e12) == pytest.approx(15.0)
    # At one peak it is the FLOP utilisation.
    assert inf.compute_time_share(73_700, 50e9, 24e9, 8, 1979e12, 1979e12) == pytest.approx(
        inf.flop_utilisation(73_700, 74e9, 8, 1979e12))
    with pytest.raises(InputError, match="attention_peak_flops_per_gpu"):
        inf.compute_time_share(1, 1, 1, 1, 1, 0)


# --- fleet-time budget ------------------------------------------------------------------------

CATALOGUE = {
    "a100": Gpu("a100", "A100", 312, 0, 80, 2.04, 600, 400),
    "h800": Gpu("h800", "H800", 989, 1979, 80, 3.35, 400, 700),
    "h100": Gpu("h100", "H100", 989, 1979, 80, 3.35, 900, 700),
    "h20": Gpu("h20", "H20", 148, 296, 96, 4.0, 900, 400),
}
BUDGET_ARGS = dict(v3_final_run_gpu_hours=2.788e6, research_multiplier=4, r1_gpu_hours=147e3,
                   inference_nodes_peak=278, night_lending_share=0.18435)


def test_h800_equivalents_weight_by_bf16_throughput() -> None:
    counts = {"a100": 10_000, "h800": 10_000, "h100": 10_000, "h20": 30_000}
    assert inf.h800_equivalent_gpus(counts, CATALOGUE) == pytest.approx(10_000 * 312 / 989 + 20_000 + 30_000 * 148 / 989)
    with pytest.raises(InputError, match="b200"):
        inf.h800_equivalent_gpus({"b200": 1}, CATALOGUE)


def test_fleet_time_budget_slices_add_up_to_the_fleet_year() -> None:
    gpus = 10_000 * 312 / 989 + 20_000 + 30_000 * 148 / 989
    b = inf.fleet_time_budget(gpus, **BUDGET_ARGS)
    assert b.fleet_gpu_hours == pytest.approx(gpus * 8760)
    assert b.v3_research == pytest.approx(2.788e6 * 3)
    assert b.inference == pytest.approx(278 * (1 - 0.18435) * 8 * 8760)  # = 226.75 average nodes all year
    assert b.night_lent_gpu_hours == pytest.approx(278 * 0.18435 * 8 * 8760)
    slices = b.slices()
    assert list(slices) == list(inf.SLICE_LABELS)
    assert sum(slices.values()) == pytest.approx(b.fleet_gpu_hours, rel=1e-12)  # the memo is not a slice
    assert sum(b.shares().values()) == pytest.approx(1.0, rel=1e-12)
    assert b.unexplained > 0 and not b.overcommitted
    assert inf.fleet_share_inference(b) == pytest.approx(b.inference / (gpus * 8760))


def test_night_lending_moves_hours_without_double_counting() -> None:
    a = inf.fleet_time_budget(27_000, **{**BUDGET_ARGS, "night_lending_share": 0.0})
    b = inf.fleet_time_budget(27_000, **BUDGET_ARGS)
    moved = a.inference - b.inference
    assert moved == pytest.approx(b.night_lent_gpu_hours)
    assert b.unexplained - a.unexplained == pytest.approx(moved)  # lent hours land in the remainder, once


def test_negative_remainder_is_reported_not_clipped() -> None:
    b = inf.fleet_time_budget(100, **BUDGET_ARGS)  # 876,000 GPU-hours: less than the V3 run alone
    assert b.unexplained < 0 and b.overcommitted
    assert b.unexplained == pytest.approx(100 * 8760 - 2.788e6 * 4 - 147e3 - 278 * (1 - 0.18435) * 8 * 8760)
    assert sum(b.slices().values()) == pytest.approx(b.fleet_gpu_hours, rel=1e-9)


def test_fleet_time_budget_takes_arrays() -> None:
    b = inf.fleet_time_budget(np.array([100.0, 27_000.0]), **BUDGET_ARGS)
    assert b.unexplained.shape == (2,) and b.overcommitted


def test_fleet_time_budget_rejects_bad_inputs() -> None:
    with pytest.raises(InputError, match="research_multiplier"):
        inf.fleet_time_budget(27_000, **{**BUDGET_ARGS, "research_multiplier": 0.5})
    with pytest.raises(InputError, match="night_lending_share"):
        inf.fleet_time_budget(27_000, **{**BUDGET_ARGS, "night_lending_share": 1.5})


def test_node_chart_reading_averages_to_the_stated_226_75() -> None:
    # Steps read from the disclosure's "H800 Node Count For Inference Service" chart, 12:00 to 12:00.
    nodes = (278, 218, 188, 158, 128, 98, 68, 98, 128, 188, 218, 278)
    hours = (12, 1.25, 0.75, 0.75, 0.25, 0.5, 3, 0.5, 0.5, 0.5, 0.5, 3.5)
    assert sum(hours) == 24
    average = inf.average_nodes_from_profile(nodes, hours)
    assert average == pytest.approx(226.75, abs=1e-9)
    assert inf.night_lending_share(278, average) == pytest.approx(1230 / 6672)
    with pytest.raises(InputError, match="node profile"):
        inf.average_nodes_from_profile((278,), (12, 12))


# --- sparse attention -------------------------------------------------------------------------

def test_indexer_and_mla_terms_by_hand() -> None:
    assert inf.indexer_flops_per_context_token(61, 64, 128) == 2 * 61 * 64 * 128  # 999,424
    assert inf.indexer_key_bytes_per_token(61, 128) == 61 * (128 + 4)  # FP8 key + one FP32 scale
    assert inf.mla_mqa_attention_flops_per_context_token(61, 128, 512, 64) == 2 * 61 * 128 * (512 + 64 + 512)


@pytest.mark.parametrize("t", [0, 1, 100, 2047, 2048])
def test_sparse_equals_dense_up_to_top_k_but_for_the_indexer(t: int) -> None:
    per_key, indexer = 4_997_120.0, 999_424.0
    dense = inf.dense_attention_flops(t, per_key)
    sparse = inf.sparse_attention_flops(t, per_key, indexer, top_k=2048)
    assert sparse - dense == pytest.approx(indexer * t)


def test_sparse_attention_caps_main_attention_at_top_k() -> None:
    per_key, indexer = 4_997_120.0, 999_424.0
    assert inf.sparse_attention_flops(131_072, per_key, indexer, 2048) == pytest.approx(per_key * 2048 + indexer * 131_072)
    positions = np.array([1_000, 131_072])
    assert np.allclose(inf.sparse_attention_flops(positions, per_key, indexer, 2048), per_key * np.minimum(positions, 2048) + indexer * positions)


def test_sparse_attention_comparison_by_hand() -> None:
    t, k = 131_072, 2048
    c = inf.sparse_attention_comparison(
        t, matmul_flops_per_token=73e9, dense_attention_flops_per_context_token=5e6, sparse_attention_flops_per_selected_token=17e6,
        indexer_flops_per_context_token=1e6, top_k=k, weight_bytes_per_token=0.25e9, kv_bytes_per_token=70_272,
        indexer_key_bytes_per_token=8_052, sparse_extra_matmul_flops_per_token=1.7e9,
    )
    assert c.prefill_flops_dense == pytest.approx(73e9 + 5e6 * t)
    assert c.prefill_flops_sparse == pytest.approx(73e9 + 1.7e9 + 17e6 * k + 1e6 * t)
    assert c.prefill_cost_ratio == pytest.approx((73e9 + 1.7e9 + 17e6 * k + 1e6 * t) / (73e9 + 5e6 * t))
    assert c.decode_bytes_dense == pytest.approx(0.25e9 + 70_272 * t)
    assert c.decode_bytes_sparse == pytest.approx(0.25e9 + 70_272 * k + 8_052 * t)
    assert 0 < c.decode_cost_ratio < c.prefill_cost_ratio < 1
    short = inf.sparse_attention_comparison(
        1_000, matmul_flops_per_token=73e9, dense_attention_flops_per_context_token=5e6, sparse_attention_flops_per_selected_token=5e6,
        indexer_flops_per_context_token=1e6, top_k=k, weight_bytes_per_token=0.25e9, kv_bytes_per_token=70_272, indexer_key_bytes_per_token=8_052,
    )
    assert short.prefill_cost_ratio > 1  # below top-k the indexer is pure overhead


def test_usd_per_million_tokens_by_hand() -> None:
    node_per_s = 8 * 2.0 / 3600
    assert inf.usd_per_million_tokens(74e9, 8 * 1979e12, node_per_s, utilisation=0.5) == pytest.approx(74e9 * 1e6 / (8 * 1979e12 * 0.5) * node_per_s)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: inf.theoretical_revenue_per_day_usd(608e9, 1.2, 168e9, R1), "cache_hit_share"),
        (lambda: inf.cost_per_day_usd(-1, 8, 2), "nodes"),
        (lambda: inf.nodes_from_throughput(608e9, 168e9, 0, 14_800), "tokens_per_s_per_node"),
        (lambda: inf.cost_profit_margin(1, 0), "cost"),
        (lambda: inf.blended_revenue_per_day_usd(1, 0.5, 1, r1_prices=R1, v3_prices=V3, v3_token_share=0.5, paid_share=2), "paid_share"),
        (lambda: inf.token_costs(8, 2, 73_700, 14_800, cache_hit_share=1.0), "cache_hit_share"),
        (lambda: inf.token_costs(8, 2, 73_700, 14_800, cache_hit_share=float("nan")), "cache_hit_share"),
    ],
)
def test_bad_inputs_name_the_argument(call, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()
