"""Compute formulas pinned to published examples (sources in each test)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputError
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import compute


def defaults() -> dict:
    return {name: p.default for name, p in registry().items()}


def test_v3_table_1_reproduced_exactly() -> None:
    # DeepSeek-V3 report, Table 1: stage GPU-hours × $2 = published dollars.
    p = defaults()
    for stage, published in [
        ("v3_pretrain_gpu_hours", "v3_pretrain_usd"),
        ("v3_context_ext_gpu_hours", "v3_context_ext_usd"),
        ("v3_post_training_gpu_hours", "v3_post_training_usd"),
    ]:
        assert compute.cost_usd(p[stage], p["gpu_hour_usd"]) == data.published(published)
    total = p["v3_pretrain_gpu_hours"] + p["v3_context_ext_gpu_hours"] + p["v3_post_training_gpu_hours"]
    assert total == data.published("v3_total_gpu_hours") == 2_788_000
    assert compute.cost_usd(total, 2.0) == 5_576_000


def test_v3_rate_per_trillion_tokens() -> None:
    # V3 report p.5: 180K H800 GPU-hours per trillion tokens = 3.7 days on 2,048 GPUs.
    rate = compute.gpu_hours_per_trillion_tokens(2_664_000, 14.8e12)
    assert rate == pytest.approx(180_000)
    assert round(compute.wall_clock_days(rate, 2048), 1) == 3.7
    assert compute.wall_clock_days(2_664_000, 2048) == pytest.approx(54.2, abs=0.05)  # "under two months"


def test_r1_cost_table_reproduced_exactly() -> None:
    # DeepSeek-R1 (Nature 2025) supplementary: 101K + 5K + 41K = 147K GPU-hours, $294K at $2.
    runs = data.load_table("training_runs.csv")
    r1 = runs[runs["model"] == "DeepSeek-R1"]
    assert r1["gpu_hours"].sum() == data.published("r1_total_gpu_hours") == 147_000
    for row in r1.itertuples():
        assert compute.cost_usd(row.gpu_hours, 2.0) == row.usd_published
    assert compute.cost_usd(r1["gpu_hours"].sum(), 2.0) == data.published("r1_total_usd") == 294_000


def test_v2_saving_against_67b() -> None:
    # V2 report: 172.8K vs 300.6K GPU-hours per trillion tokens, "42.5% lower training cost".
    saving = 1 - data.published("v2_gpu_hours_per_trillion") / data.published("v2_67b_gpu_hours_per_trillion")
    assert round(saving, 3) == data.published("v2_training_cost_saving") == 0.425


def test_6nd_and_mfu_match_the_derived_reference() -> None:
    # facts.md (derived): 6 × 37e9 × 14.8e12 ≈ 3.29e24 FLOP; ≈343 TFLOP/s per GPU; ≈35% BF16, ≈17% FP8.
    flops = compute.training_flops_6nd(37e9, 14.8e12)
    assert flops == pytest.approx(3.2856e24, rel=1e-4)
    assert compute.achieved_flops_per_gpu(flops, 2_664_000) / 1e12 == pytest.approx(342.6, abs=0.1)
    assert compute.implied_mfu(flops, 2_664_000, 989e12) == pytest.approx(0.3464, abs=1e-3)
    assert compute.implied_mfu(flops, 2_664_000, 1979e12) == pytest.approx(0.1731, abs=1e-3)


def test_gpu_hours_needed_inverts_implied_mfu() -> None:
    hours = compute.gpu_hours_needed(3.8e25, 989e12, 0.4)
    assert compute.implied_mfu(3.8e25, hours, 989e12) == pytest.approx(0.4)


def test_attention_term_is_palms_12LHQT_when_dims_match() -> None:
    # PaLM appendix B: 6N + 12·L·H·Q·T per token.
    assert compute.attention_training_flops_per_token(10, 8, 64, 64, 2048) == 12 * 10 * 8 * 64 * 2048


def test_llama_cost_at_common_price() -> None:
    # Llama 3.1 model card: 30.84M H100 GPU-hours for 405B.
    llama = data.load_indexed("comparators.csv").loc["llama31_405b"]
    assert compute.cost_usd(llama["gpu_hours"], 2.0) == pytest.approx(61.68e6)


def test_causal_attention_is_half_the_pairs() -> None:
    full = compute.attention_training_flops_per_token(61, 128, 192, 128, 4096)
    assert compute.attention_training_flops_per_token(61, 128, 192, 128, 4096, causal=True) == full / 2
    assert full == 6 * 61 * 128 * 320 * 4096  # 61.4 GFLOP per token for DeepSeek-V3 at 4K
    assert compute.training_flops_per_token(10.0, 5.0) == 65.0


def test_isca_throughput_from_batch_and_step_time() -> None:
    # ISCA 2025 Table 4: 19.926 s per step, 272.80B tokens per day; V3 report §4.2: 15,360 sequences of 4,096 tokens.
    assert compute.tokens_per_day(15_360 * 4096, 19.926) == pytest.approx(272.80e9, rel=1e-5)
    per_gpu = compute.tokens_per_gpu_second(15_360 * 4096, 19.926, 2048)
    assert per_gpu == pytest.approx(272.80e9 / 86_400 / 2048, rel=1e-5)
    # 432 TFLOP/s at that rate is 280 GFLOP per token.
    assert compute.model_flops_per_gpu(280.2e9, per_gpu) / 1e12 == pytest.approx(432, rel=1e-3)
    # V3 report Table 1: 14.8T tokens in 2,664K GPU-hours on 2,048 GPUs = 54.2 days.
    assert compute.tokens_per_day_from_gpu_hours(14.8e12, 2_664_000, 2048) == pytest.approx(14.8e12 / 54.199, rel=1e-4)


def test_mfu_band_from_published_runs() -> None:
    # PaLM 540B 46.2% (PaLM §4.1); Llama 3.1 405B 38-43% (Llama 3 paper); GPT-4 is Epoch's estimate.
    runs = pd.DataFrame({"model": ["palm", "llama", "gpt4"], "mfu_low": [0.462, 0.38, 0.34], "mfu_high": [0.462, 0.43, 0.34]})
    assert compute.mfu_band(runs) == (0.34, 0.462)
    assert compute.mfu_band(runs, exclude=["gpt4"]) == (0.38, 0.462)
    with pytest.raises(ValueError):
        compute.mfu_band(runs, exclude=["palm", "llama", "gpt4"])
    # The same FLOP/s is half the MFU against a peak twice as high (H800: 989 BF16, 1,979 FP8).
    assert compute.rebase_mfu(0.4, 989e12, 1979e12) == pytest.approx(0.4 * 989 / 1979)


@pytest.mark.parametrize(("mfu", "label"), [(0.3, "lower than published runs"), (0.42, "plausible"), (0.5, "implausibly high")])
def test_mfu_verdict(mfu: float, label: str) -> None:
    assert compute.mfu_verdict(mfu, 0.38, 0.462).label == label


def test_mfu_verdict_rejects_inverted_band() -> None:
    # An input error (the reader's band), which the dependency pass answers by moving the other way.
    with pytest.raises(InputError, match="mfu_plausible_min .* is above mfu_plausible_max"):
        compute.mfu_verdict(0.3, 0.6, 0.15)
