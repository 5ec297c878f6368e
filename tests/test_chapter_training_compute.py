"""The training-compute chapter, called directly, against DeepSeek's published accounting and hand calculations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import matplotlib.pyplot as plt
import nbformat
import pytest

from analysis.chapters import training_compute as chapter_module
from analysis.chapters.page import Page
from analysis.inputs.params import registry
from analysis.model import ledger
from analysis.paths import ROOT

NOTEBOOK = ROOT / "book" / "training_compute.ipynb"
GLUE = re.compile(r"\{glue:(?:text|figure)\}[`\s]*([A-Za-z0-9_]+)")

# DeepSeek-V3 report, Table 1 and p.5.
PRETRAIN, CONTEXT_EXT, POST = 2_664_000, 119_000, 5_000
TOKENS = 14.8e12
H800_BF16, H800_FP8 = 989e12, 1979e12  # dense peak FLOP/s (NVIDIA H800 SXM datasheet)
R1_GPU_HOURS = 101_000 + 5_000 + 41_000  # R1 (Nature 2025) supplementary: R1-Zero RL, SFT data, R1 RL
LLAMA_GPU_HOURS, LLAMA_FLOPS = 30.84e6, 3.8e25  # Llama 3.1 model card and the Llama 3 paper


def defaults() -> dict[str, Any]:
    params = registry()
    return {n: params[n].default for n in chapter_module.PARAMETERS}


def chapter(**overrides: Any) -> Page:
    page = chapter_module.chapter(defaults() | overrides)
    plt.close("all")
    return page


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
    # The refined count adds attention (PaLM's convention) and the MTP module: more FLOP, higher MFU.
    assert page["v3_training_flops_refined"] > page["v3_training_flops"]
    assert page["v3_refined_over_6nd"] == pytest.approx(page["v3_training_flops_refined"] / page["v3_training_flops"] - 1, rel=1e-12)
    attention_per_token = 6 * 61 * 128 * (192 + 128) * 4096  # forward + backward, every query-key pair
    assert page["v3_training_flops_refined"] - page["v3_training_flops"] > attention_per_token * TOKENS
    assert page["v3_implied_mfu_refined_bf16"] / page["v3_implied_mfu_bf16"] == pytest.approx(1 + page["v3_refined_over_6nd"])


def test_mfu_verdict(page: Page) -> None:
    assert page["peak_flops_basis_text"] == "BF16"
    # 6 × 36.63e9 × 14.8e12 / (2,664,000 h × 3600 s × 989e12 FLOP/s) = 0.343: inside the 15–60% band.
    assert page["v3_mfu_verdict"] == "plausible"
    assert page["v3_mfu_verdict_reason"] == "34% lies within 15%–60%"
    assert chapter(mfu_plausible_max=0.30)["v3_mfu_verdict"] == "implausibly high"
    fp8 = chapter(peak_flops_basis="fp8", mfu_plausible_min=0.20)
    assert (fp8["peak_flops_basis_text"], fp8["v3_mfu_verdict"]) == ("FP8", "implausibly low")


def test_r1_and_the_article_claim(page: Page) -> None:
    assert page["r1_training_gpu_hours"] == R1_GPU_HOURS == 147_000
    assert page["r1_training_cost_usd"] == 2 * R1_GPU_HOURS == 294_000
    assert page["r1_training_cost_text"] == page["r1_stage_table_cost_text"] == "$294K"
    assert page["r1_with_v3_cost_usd"] == 5_576_000 + 294_000
    assert page["r1_with_v3_cost_text"] == "$5.87M"
    assert page["r1_claim_text"] == "$5M"
    # |5 − 0.294| / 0.294 ≫ 25% (R1 alone), while |5 − 5.87| / 5.87 = 15% ≤ 25% (R1 plus the V3 run).
    assert page["r1_claim_verdict"] == ledger.BROADER
    assert chapter(claim_tolerance=0.10)["r1_claim_verdict"] == ledger.INCONSISTENT
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
    assert set(page.tables) == {"stages", "comparators", "r1_stages"}
    assert set(page.figures) == {"fig_mfu", "fig_comparators"}


def test_every_glue_name_in_the_notebook_is_produced(page: Page) -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    names = set(GLUE.findall(markdown))
    assert {"v3_mfu_verdict", "fig_mfu", "v3_pretrain_gpu_hours_millions"} <= names  # the regex sees both syntaxes
    assert names - set(page.values) - set(page.figures) == set()


def test_every_show_call_names_a_table(page: Page) -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    shown = re.findall(r'page\.show\("([^"]+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code"))
    assert shown and set(shown) <= set(page.tables) | set(page.html)
