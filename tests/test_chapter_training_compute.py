"""The training-compute chapter, called directly, against DeepSeek's published accounting and hand calculations."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from matplotlib.container import BarContainer

from analysis.chapters import training_compute as chapter_module
from analysis.chapters.page import Page
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import compute
from analysis.paths import ROOT
from tests.conftest import chapter_defaults, markdown_glue_names, run_chapter

NOTEBOOK = ROOT / "book" / "training_compute.ipynb"
GLUE = re.compile(r"\{glue:(?:text|figure)\}[`\s]*([A-Za-z0-9_]+)")

# DeepSeek-V3 report, Table 1 and p.5.
PRETRAIN, CONTEXT_EXT, POST = 2_664_000, 119_000, 5_000
TOKENS = 14.8e12
H800_BF16, H800_FP8 = 989e12, 1979e12  # dense peak FLOP/s (NVIDIA H800 SXM datasheet)
R1_GPU_HOURS = 101_000 + 5_000 + 41_000  # R1 (Nature 2025) supplementary: R1-Zero RL, SFT data, R1 RL
LLAMA_GPU_HOURS, LLAMA_FLOPS = 30.84e6, 3.8e25  # Llama 3.1 model card and the Llama 3 paper
SEQ, BATCH = 4096, 15_360  # V3 report §4.2: 4K-token sequences, batch ramped to 15,360 sequences


def mla_moe_matmul_params(h: int, layers: int, dense: int, ffn: int, expert_ffn: int, shared: int, routed: int, active: int,
                          vocab: int, bias: bool) -> int:
    """Activated weights of a DeepSeek MLA + MoE model, counted by hand from its config.json:
    MLA (q 1536-rank, kv 512-rank + 64 RoPE, 128 heads of 128 + 64 / 128), gated MLPs, routers,
    RMSNorms and the output head; the input embedding (a lookup) is not counted."""
    heads, q_rank, kv_rank, rope, nope, v = 128, 1536, 512, 64, 128, 128
    attention = h * q_rank + q_rank + q_rank * heads * (nope + rope) + h * (kv_rank + rope) + kv_rank \
        + kv_rank * heads * (nope + v) + heads * v * h
    mlp = 3 * h * ffn
    moe = 3 * h * expert_ffn * (shared + active) + routed * h + (routed if bias else 0)
    return layers * attention + dense * mlp + (layers - dense) * moe + (2 * layers + 1) * h + vocab * h


# DeepSeek-V3 and V2 config.json (data/models/).
V3_ACTIVE = mla_moe_matmul_params(7168, 61, 3, 18432, 2048, 1, 256, 8, 129_280, bias=True)
# The counts with attention multiply every activated weight but the RMSNorm scales (two per block, one final).
V3_MULTIPLIED = V3_ACTIVE - (61 * 2 + 1) * 7168
V2_ACTIVE = mla_moe_matmul_params(5120, 60, 1, 12288, 1536, 2, 160, 6, 102_400, bias=False)


def attention_per_token(layers: int, causal: bool) -> float:
    """Training FLOP of scores and context per token: 3 × 2 × L × heads × (192 + 128) × T, halved when causal."""
    full = 6 * layers * 128 * (192 + 128) * SEQ
    return full / 2 if causal else full


def defaults() -> dict[str, Any]:
    return chapter_defaults(chapter_module)


def chapter(**overrides: Any) -> Page:
    return run_chapter(chapter_module, **overrides)  # type: ignore[return-value]


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    yield chapter()


def test_parameters_are_registered() -> None:
    assert set(chapter_module.PARAMETERS) <= set(registry())


def test_table_1_reproduced(page: Page) -> None:
    assert PRETRAIN + CONTEXT_EXT + POST == 2_788_000
    assert page["v3_gpu_hours_total_millions"] == pytest.approx(2.788, rel=1e-12)
    assert page["v3_training_cost_at_price_usd"] == 5_576_000  # $2 × 2,788K
    assert page["v3_training_cost_at_price_text"] == "$5.576M"
    assert page["gpu_hour_usd_text"] == "$2.00"
    stages, _ = page.tables["stages"]
    assert list(stages["Computed (USD)"]) == [5_328_000, 238_000, 10_000, 5_576_000]
    assert list(stages["Computed (USD)"]) == list(stages["Report, Table 1 (USD)"])


def test_rates_per_trillion_tokens(page: Page) -> None:
    # V3 report p.5: 180K GPU-hours per trillion tokens, 3.7 days on 2,048 H800s; "under two months" in all.
    assert page["training_tokens_trillions"] == pytest.approx(14.8)
    assert page["v3_gpu_hours_per_trillion_tokens"] == pytest.approx(180_000, rel=1e-12)
    assert page["published_v3_gpu_hours_per_trillion"] == 180_000
    assert page["v3_days_per_trillion_tokens"] == pytest.approx(180_000 / 2048 / 24, rel=1e-12)
    assert round(page["v3_days_per_trillion_tokens"], 1) == page["published_v3_days_per_trillion"] == 3.7
    assert page["v3_pretrain_days"] == pytest.approx(PRETRAIN / 2048 / 24, rel=1e-12)
    assert page["v3_pretrain_days"] < 61
    # V2 report: 172.8K against 300.6K for the dense 67B, "42.5% lower training cost".
    assert page["v2_saving_vs_67b"] == pytest.approx(1 - 172_800 / 300_600, rel=1e-12)
    assert round(page["v2_saving_vs_67b"], 3) == page["published_v2_training_cost_saving"] == 0.425
    assert page["v3_rate_vs_v2"] == pytest.approx(180_000 / 172_800, rel=1e-12)


def test_hand_count_is_the_books_count(page: Page) -> None:
    assert V3_ACTIVE == pytest.approx(36.63e9, rel=1e-3)  # "37B activated" (V3 report §4.2)
    assert page["v3_active_params_billions"] * 1e9 == pytest.approx(V3_ACTIVE, rel=1e-12)
    assert page["v3_gflop_per_token_6nd"] * 1e9 == pytest.approx(6 * V3_ACTIVE, rel=1e-12)
    assert page["v3_gflop_per_token_causal"] * 1e9 == pytest.approx(6 * V3_MULTIPLIED + attention_per_token(61, True), rel=1e-12)
    assert page["v3_gflop_per_token_full"] * 1e9 == pytest.approx(6 * V3_MULTIPLIED + attention_per_token(61, False), rel=1e-12)


def test_isca_table_4_reproduced_within_1_percent(page: Page) -> None:
    # DeepSeek, "Insights into DeepSeek-V3" (ISCA 2025, arXiv 2505.09343), Table 4, on 2,048 H800s:
    # 272.80B tokens/day, 19.926 s per step; 432 TFLOP/s per GPU (43.73% of BF16 peak) counting full
    # attention, 385 (38.94%) causal. Hand calculation: tokens per GPU-second × FLOP per token, MTP left out.
    per_gpu_second = BATCH * SEQ / 19.926 / 2048
    assert per_gpu_second * 2048 * 86_400 == pytest.approx(272.8e9, rel=1e-4)
    assert page["v3_tokens_per_day_billions"] == pytest.approx(272.8, rel=0.01)
    full = (6 * V3_MULTIPLIED + attention_per_token(61, False)) * per_gpu_second
    causal = (6 * V3_MULTIPLIED + attention_per_token(61, True)) * per_gpu_second
    assert page["v3_tflops_full_attention"] * 1e12 == pytest.approx(full, rel=1e-9)
    assert page["v3_tflops_causal"] * 1e12 == pytest.approx(causal, rel=1e-9)
    assert full / 1e12 == pytest.approx(432, rel=0.01) and causal / 1e12 == pytest.approx(385, rel=0.01)
    assert page["v3_mfu_full_attention_bf16"] == pytest.approx(full / H800_BF16, rel=1e-9)
    assert page["v3_mfu_causal_bf16"] == pytest.approx(causal / H800_BF16, rel=1e-9)
    assert page["v3_mfu_full_attention_bf16"] == pytest.approx(0.4373, rel=0.01)
    assert page["v3_mfu_causal_bf16"] == pytest.approx(0.3894, rel=0.01)
    assert (page["published_isca_tflops_full"], page["published_isca_mfu_causal"]) == (432, 0.3894)
    assert page["isca_max_abs_gap"] < 0.01
    # MTP is not in DeepSeek's count: with it, the causal MFU misses 38.94% by more than 1%.
    assert page["v3_mfu_causal_with_mtp_bf16"] / 0.3894 - 1 > 0.01
    frame, _ = page.tables["isca"]
    assert frame["Gap"].abs().max() < 0.01 and len(frame) == 8


def test_isca_table_2_is_the_causal_count(page: Page) -> None:
    # ISCA 2025, Table 2: training compute per token, V3 250 GFLOP, V2 155 GFLOP (method not stated).
    assert (6 * V3_MULTIPLIED + attention_per_token(61, True)) / 1e9 == pytest.approx(250, rel=0.01)
    assert page["v3_gflop_per_token_causal"] == pytest.approx(250, rel=0.01)
    v2 = 6 * (V2_ACTIVE - (2 * 60 + 1) * 5120) + attention_per_token(60, True)
    assert page["v2_gflop_per_token_causal"] * 1e9 == pytest.approx(v2, rel=1e-9)
    assert v2 / 1e9 == pytest.approx(155, rel=0.01)
    assert page["v3_gflop_per_token_full"] / 250 - 1 > 0.1  # the full count does not match


def test_throughput_and_gpu_hours_agree(page: Page) -> None:
    # 14.8T / 272.8B per day = 54.25 days × 24 h × 2,048 GPUs against Table 1's 2,664K GPU-hours.
    assert page["v3_days_at_isca_rate"] == pytest.approx(14.8e12 / 272.8e9, rel=1e-12)
    assert page["v3_gpu_hours_at_isca_rate_millions"] == pytest.approx(14.8e12 / 272.8e9 * 24 * 2048 / 1e6, rel=1e-12)
    assert page["v3_gpu_hours_at_isca_rate_millions"] == pytest.approx(PRETRAIN / 1e6, rel=0.002)
    assert page["v3_tokens_per_day_from_gpu_hours_billions"] == pytest.approx(TOKENS / (PRETRAIN / 2048 / 24) / 1e9, rel=1e-12)


def test_four_counts_of_the_flop(page: Page) -> None:
    six, causal, full = 6 * V3_ACTIVE, 6 * V3_MULTIPLIED + attention_per_token(61, True), 6 * V3_MULTIPLIED + attention_per_token(61, False)
    assert page["v3_training_flops_causal"] == pytest.approx(causal * TOKENS, rel=1e-12)
    assert page["v3_training_flops_full_attention"] == pytest.approx(full * TOKENS, rel=1e-12)
    # The book's count: causal attention plus the MTP module (its weights and its one attention layer).
    assert page["v3_training_flops_refined"] > page["v3_training_flops_causal"] + attention_per_token(1, True) * TOKENS
    assert 0.03 < page["v3_mtp_share_of_refined"] < 0.05
    assert page["v3_attention_share_causal"] == pytest.approx(1 - six / causal, rel=1e-12)
    seconds = PRETRAIN * 3600
    assert page["v3_implied_mfu_causal_bf16"] == pytest.approx(causal * TOKENS / seconds / H800_BF16, rel=1e-12)
    assert page["v3_implied_mfu_full_attention_bf16"] == pytest.approx(full * TOKENS / seconds / H800_BF16, rel=1e-12)
    frame, _ = page.tables["flop_counts"]
    assert list(frame["GFLOP per token"]) == sorted(frame["GFLOP per token"])


def test_6nd_and_mfu(page: Page) -> None:
    # "37B activated" is rounded to the nearest billion, so 6·N·D is known to ±0.5B × 6 × D.
    assert abs(page["v3_training_flops"] - 6 * 37e9 * TOKENS) <= 6 * 0.5e9 * TOKENS
    assert page["v3_training_flops"] == pytest.approx(6 * 36.63e9 * TOKENS, rel=0.01)  # ≈ 3.25e24
    assert page["v3_active_params_billions"] == pytest.approx(page["v3_training_flops"] / (6 * TOKENS) / 1e9, rel=1e-12)
    assert page["v3_training_flops_text"] == "3.25×10²⁴"
    seconds = PRETRAIN * 3600
    assert page["v3_achieved_tflops_per_gpu"] == pytest.approx(page["v3_training_flops"] / seconds / 1e12, rel=1e-12)
    assert (page["h800_bf16_tflops"], page["h800_fp8_tflops"]) == (989, 1979)
    assert page["v3_implied_mfu_bf16"] == pytest.approx(page["v3_training_flops"] / (seconds * H800_BF16), rel=1e-12)
    assert page["v3_implied_mfu_fp8"] == pytest.approx(page["v3_training_flops"] / (seconds * H800_FP8), rel=1e-12)
    assert 0.33 < page["v3_implied_mfu_bf16"] < 0.36 and 0.16 < page["v3_implied_mfu_fp8"] < 0.18
    # The refined count adds causal attention and the MTP module: more FLOP, higher MFU.
    assert page["v3_training_flops_refined"] > page["v3_training_flops"]
    assert page["v3_refined_over_6nd"] == pytest.approx(page["v3_training_flops_refined"] / page["v3_training_flops"] - 1, rel=1e-12)
    assert page["v3_training_flops_refined"] - page["v3_training_flops"] > attention_per_token(61, True) * TOKENS
    assert page["v3_training_flops_refined"] < page["v3_training_flops_full_attention"]
    assert page["v3_implied_mfu_refined_bf16"] / page["v3_implied_mfu_bf16"] == pytest.approx(1 + page["v3_refined_over_6nd"])


def test_mfu_band_comes_from_published_runs(page: Page) -> None:
    # PaLM 540B 46.2% (PaLM paper §4.1); Llama 3.1 405B 38-43% (Llama 3 paper, Table 4). Epoch's GPT-4
    # figure (an estimate) and DeepSeek's own (the run under test) are left out; DeepSeek's 38.94-43.73%
    # lies inside the band, so including it would change nothing.
    assert (page["mfu_band_published_low"], page["mfu_band_published_high"]) == (0.38, 0.462)
    published = data.load_table("published_mfu.csv")
    assert compute.mfu_band(published, ["gpt4"]) == (0.38, 0.462)  # DeepSeek's own would not move the band
    assert (page["mfu_band_low_run"], page["mfu_band_high_run"]) == ("Llama 3.1 405B", "PaLM 540B")
    params = registry()
    assert (params["mfu_plausible_min"].default, params["mfu_plausible_max"].default) == (0.38, 0.462)
    assert page["mfu_band_note"] == "the range of those runs"
    assert chapter(mfu_plausible_max=0.5)["mfu_band_note"] == "set by parameter; those runs span 38.0%–46.2%"


def test_mfu_verdict(page: Page) -> None:
    assert page["peak_flops_basis_text"] == "BF16"
    # Full-attention count (PaLM's convention) over Table 1's hours: (6N + 6·61·128·320·4096) × 14.8T
    # / (2,664,000 h × 3600 s × 989e12 FLOP/s) = 0.439, inside 38%–46.2%.
    full = (6 * V3_MULTIPLIED + attention_per_token(61, False)) * TOKENS / (PRETRAIN * 3600 * H800_BF16)
    assert full == pytest.approx(0.4387, abs=1e-4)
    assert page["v3_mfu_verdict"] == "plausible"
    assert page["v3_mfu_verdict_reason"] == "43.9% lies within 38.0%–46.2%"
    assert chapter(mfu_plausible_max=0.43)["v3_mfu_verdict"] == "implausibly high"
    assert chapter(mfu_plausible_min=0.45, mfu_plausible_max=0.5)["v3_mfu_verdict"] == "lower than published runs"
    # The FP8 basis divides the same FLOP/s by a peak twice as high; the band is rebased with it, so the verdict holds.
    fp8 = chapter(peak_flops_basis="fp8")
    assert (fp8["peak_flops_basis_text"], fp8["v3_mfu_verdict"]) == ("FP8", "plausible")
    assert fp8["v3_mfu_verdict_reason"] == f"{full * 989 / 1979:.1%} lies within {0.38 * 989 / 1979:.1%}–{0.462 * 989 / 1979:.1%}"
    # At PaLM's 46.2% the full-attention FLOP would take this many GPU-hours; DeepSeek reports 5% more.
    assert page["v3_min_gpu_hours_at_ceiling_millions"] == pytest.approx(full * PRETRAIN / 0.462 / 1e6, rel=1e-9)
    assert 0 < page["v3_gpu_hours_over_min_at_ceiling"] < 0.1


def test_r1_and_the_article_claim(page: Page) -> None:
    assert page["r1_training_gpu_hours"] == R1_GPU_HOURS == 147_000
    assert page["r1_training_cost_usd"] == 2 * R1_GPU_HOURS == 294_000
    assert page["r1_training_cost_text"] == page["r1_stage_table_cost_text"] == "$294K"
    assert page["r1_with_v3_cost_usd"] == 5_576_000 + 294_000
    assert page["r1_with_v3_cost_text"] == "$5.87M"
    assert page["r1_claim_text"] == "$5M"
    # The verdict is the ledger's alone: this page shows the figures and quotes it (issue 20).
    assert "r1_claim_verdict" not in page.values and "claim_tolerance" not in page.values
    r1_stages, _ = page.tables["r1_stages"]
    assert list(r1_stages["At the book's price (USD)"]) == list(r1_stages["Published (USD)"]) == [202_000, 10_000, 82_000]


def test_llama_on_one_basis(page: Page) -> None:
    assert page["llama31_405b_gpu_hours_millions"] == pytest.approx(30.84)
    assert page["llama31_405b_cost_usd"] == pytest.approx(2 * LLAMA_GPU_HOURS)
    assert page["llama31_405b_cost_text"] == "$61.7M"
    assert page["llama31_over_v3_gpu_hours"] == pytest.approx(LLAMA_GPU_HOURS / 2_788_000)
    assert page["llama31_over_v3_flops"] == pytest.approx(LLAMA_FLOPS / page["v3_training_flops"], rel=1e-12)
    assert page["gpt4_claim_text"] == "$100M"
    basis, _ = page.tables["comparators"]
    llama = basis.set_index("Model").loc["Llama 3.1 405B"]
    assert llama["Per 10²⁴ FLOP"] == pytest.approx(2 * LLAMA_GPU_HOURS / 38)
    assert page["llama31_usd_per_1e24_flop"] == pytest.approx(2 * LLAMA_GPU_HOURS / 38)


def test_cost_per_flop_pairs_one_scope(page: Page) -> None:
    # V3: Table 1's pre-training GPU-hours (not the 2,788K total) against the pre-training 6ND FLOP.
    basis, _ = page.tables["comparators"]
    v3 = basis.set_index("Model").loc["DeepSeek-V3 (this book)"]
    assert v3["Per 10²⁴ FLOP"] == pytest.approx(2 * PRETRAIN / (page["v3_training_flops"] / 1e24), rel=1e-12)
    assert page["v3_usd_per_1e24_flop"] == pytest.approx(2 * PRETRAIN / (6 * V3_ACTIVE * TOKENS / 1e24), rel=1e-12)
    assert v3["GPU-hours ÷ FLOP, scope"] == "pre-training ÷ pre-training"
    # GPT-4's A100-hours are not priced at an H800 rate; its cost is Epoch AI's own ($40.6M amortised, $78.6M cloud).
    gpt4 = basis.set_index("Model").loc["GPT-4"]
    assert math.isnan(gpt4["At $2 per GPU-hour"]) and math.isnan(gpt4["Per 10²⁴ FLOP"])
    assert (page["gpt4_epoch_amortised_text"], page["gpt4_epoch_cloud_text"]) == ("$40.6M", "$78.6M")


def test_no_bars_on_log_axes(page: Page) -> None:
    for name, figure in page.figures.items():
        for ax in figure.axes:
            if "log" in (ax.get_xscale(), ax.get_yscale()):
                assert not [c for c in ax.containers if isinstance(c, BarContainer)], f"{name}: bars on a log axis"


def test_gpu_hour_price_moves_every_dollar_figure() -> None:
    at_3 = chapter(gpu_hour_usd=3)
    assert at_3["v3_training_cost_at_price_usd"] == 3 * 2_788_000 == 8_364_000
    assert at_3["v3_training_cost_at_price_text"] == "$8.364M"
    assert at_3["gpu_hour_usd_text"] == "$3.00"
    assert at_3["r1_training_cost_usd"] == 3 * 147_000
    assert at_3["llama31_405b_cost_usd"] == pytest.approx(3 * LLAMA_GPU_HOURS)
    stages, _ = at_3.tables["stages"]
    assert list(stages["Report, Table 1 (USD)"]) == [5_328_000, 238_000, 10_000, 5_576_000]  # the report's own figures do not move
    # Price does not change physics.
    assert at_3["v3_implied_mfu_bf16"] == chapter()["v3_implied_mfu_bf16"]


def test_fewer_tokens_halve_the_compute_and_double_the_rate(page: Page) -> None:
    half = chapter(training_tokens=7.4e12)
    assert half["v3_training_flops"] == pytest.approx(page["v3_training_flops"] / 2, rel=1e-12)
    assert half["v3_gpu_hours_per_trillion_tokens"] == pytest.approx(360_000, rel=1e-12)
    assert half["v3_implied_mfu_bf16"] == pytest.approx(page["v3_implied_mfu_bf16"] / 2, rel=1e-12)


def test_tables_and_figures(page: Page) -> None:
    assert set(page.tables) == {"stages", "flop_counts", "isca", "comparators_compute", "comparators", "r1_stages", "deepseek_models"}
    assert set(page.figures) == {"fig_mfu", "fig_comparators", "fig_deepseek_models"}


def test_every_glue_name_in_the_notebook_is_produced(page: Page) -> None:
    names = markdown_glue_names(NOTEBOOK)  # this page's names; other pages' values are checked where they are made
    assert {"v3_mfu_verdict", "fig_mfu", "v3_pretrain_gpu_hours_millions"} <= names
    assert names - set(page.values) - set(page.figures) == set()


def test_every_show_call_names_a_table(page: Page) -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    shown = re.findall(r'page\.show\("([^"]+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code"))
    assert shown and set(shown) <= set(page.tables) | set(page.html)


def test_deepseek_models_on_one_basis(page: Page) -> None:
    """Issue 28: V2 to V4 on one basis. V4's FLOP are its published tokens × the causal count from its config (6 per
    multiplied weight + attention at half the 4K starting sequence); its GPU-hours an estimate at the MFU band on the
    H800's BF16 peak; disclosed figures stay points (V3: Table 1, R1: the Nature supplement)."""
    from analysis.chapters.inputs import load_config
    from analysis.inputs import data
    from analysis.model import architecture as arch
    from analysis.paths import MODELS_DIR

    pro = load_config(MODELS_DIR / "deepseek_v4_pro.json")
    assert page["v4_pro_training_flops"] == pytest.approx(33e12 * (6 * arch.matmul_params_per_token(pro)
                                                                  + 3 * arch.attention_flops_per_token(pro, 2048)))
    assert 1.0e25 < page["v4_pro_training_flops"] < 1.1e25 and 2.7e24 < page["v4_flash_training_flops"] < 2.9e24
    peak = 989e12 * 3600
    assert page["v4_pro_run_gpu_hours_low"] == pytest.approx(page["v4_pro_training_flops"] / (peak * page["mfu_plausible_max"]))
    assert page["v4_pro_run_gpu_hours_high"] == pytest.approx(page["v4_pro_training_flops"] / (peak * page["mfu_plausible_min"]))
    assert page["v3_run_gpu_hours_low"] == page["v3_run_gpu_hours_high"] == 2_788_000
    assert page["r1_run_gpu_hours_low"] == page["r1_run_gpu_hours_high"] == 147_000
    assert page["v3_2_post_training_share"] == data.published("v32_rl_share_of_pretrain_min") == 0.10
    assert page["v3_2_run_gpu_hours_low"] > page["v3_2_rl_gpu_hours_min"] == pytest.approx(266_400)
    table = page.tables["deepseek_models"][0]
    assert list(table["Model"]) == ["DeepSeek-V2", "DeepSeek-V3", "DeepSeek-V3.2", "DeepSeek-R1", "DeepSeek-V4-Flash",
                                    "DeepSeek-V4-Pro"] or list(table["Released"])[0] == "May 2024"
    fig = page.figures["fig_deepseek_models"]
    assert all(ax.get_xscale() == "log" for ax in fig.axes) and not any(ax.patches for ax in fig.axes)  # dots, not bars


def test_deepseeks_measurements_stay_deepseeks_and_the_prose_follows_the_readers_inputs() -> None:
    """The ISCA-2025 reproduction is on the 2,048 GPUs DeepSeek measured on, whatever training_gpus a reader sets, and the
    sentences around it say when a reader's GPU-hours or GPU count part from DeepSeek's (they said "agree", "Table 1's"
    and "the 'under two months' of the report" at any input)."""
    default, more_gpus, own_hours = chapter(), chapter(training_gpus=512), chapter(v3_pretrain_gpu_hours=2e6)
    assert more_gpus["published_v3_training_gpus"] == default["published_v3_training_gpus"] == 2048
    assert more_gpus["v3_tflops_causal"] == default["v3_tflops_causal"]  # DeepSeek's speed, on its own cluster
    assert more_gpus["v3_pretrain_days"] == pytest.approx(4 * default["v3_pretrain_days"])  # the book's own wall clock
    assert default["isca_match_sentence"].startswith("Every figure matches within")
    assert default["isca_hours_verdict_text"] == "The speed and the GPU-hours agree."
    assert default["isca_hours_source_text"] == "Table 1's"
    assert "under two months" in default["pretrain_days_note_text"] and "2,048" not in default["pretrain_days_note_text"]
    assert "was for 2,048 GPUs" in more_gpus["pretrain_days_note_text"]
    assert own_hours["isca_hours_verdict_text"].endswith("part.") and own_hours["isca_hours_source_text"] != "Table 1's"
    assert "not what" in own_hours["isca_hours_conclusion_text"]
    assert chapter(pretrain_seq_len=8192)["isca_match_sentence"].startswith("At this book's inputs the figures part")
