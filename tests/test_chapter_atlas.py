"""The open-model atlas chapter, called directly, against publishers' headline figures and hand counts."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest

from analysis.chapters import atlas as chapter_module
from analysis.chapters.page import Page
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.paths import ROOT
from tests.conftest import chapter_defaults, run_chapter

NOTEBOOK = ROOT / "book" / "atlas.ipynb"
# Names glued on this page; a cross-page reference (other.ipynb::name) is produced by the other chapter.
GLUE = re.compile(r"\{glue:(?:text|figure)\}[`\s]*(?![\w.]+::)([A-Za-z0-9_]+)")
H100_H800_BF16 = 989e12  # dense BF16 FLOP/s of both GPUs (NVIDIA H100 datasheet; the H800 has the same compute)


def defaults() -> dict[str, Any]:
    return chapter_defaults(chapter_module)


def chapter(**overrides: Any) -> Page:
    return run_chapter(chapter_module, **overrides)  # type: ignore[return-value]


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    yield chapter()


def html(page: Page, table: str) -> str:
    return page.show(table).data


def test_parameters_are_registered() -> None:
    assert set(chapter_module.PARAMETERS) <= set(registry())


def test_every_atlas_model_is_counted_and_glued(page: Page) -> None:
    models = data.load_table("atlas.csv")["model"]
    assert page["atlas_model_count"] == len(models) == 14
    for model in models:
        for key in ("total_params", "active_params", "kv_cache_bytes_per_token", "kv_cache_bytes_per_token_kept"):
            assert page[f"atlas_{model}_{key}"] > 0, (model, key)
        assert page[f"atlas_{model}_active_params"] <= page[f"atlas_{model}_total_params"]
    # every model has a row in both tables and a dot in the charts' data
    counts, per_token = page.tables["atlas_counts"][0], page.tables["atlas_per_token"][0]
    assert len(counts) == len(per_token) == len(models)
    assert {"fig_atlas_params", "fig_atlas_per_token", "fig_atlas_runs"} <= set(page.figures)


@pytest.mark.parametrize(
    ("model", "total", "total_tol", "active", "active_tol"),
    [
        # Publisher headlines, each in its own convention where it matches ours (embedding not counted):
        ("deepseek_v3", 671e9, 0.5e9, 37e9, 0.5e9),  # V3 report §4.2
        ("deepseek_v2", 236e9, 0.5e9, 21e9, 0.5e9),  # V2 report abstract
        ("kimi_k2", 1.026e12, 0.5e9, 32e9, 0.5e9),  # model card "1T" (1.026T) / "32B"
        ("gpt_oss_120b", 116.83e9, 0.005e9, 5.13e9, 0.005e9),  # model card Table 1, two decimals
        ("deepseek_v3_2_exp", 671e9 + 0.85e9, 0.05e9, 37e9, 0.5e9),  # 671B + the 0.85B of indexers
    ],
)
def test_counts_match_publishers(page: Page, model: str, total: float, total_tol: float, active: float, active_tol: float) -> None:
    assert abs(page[f"atlas_{model}_total_params"] - total) <= total_tol
    assert abs(page[f"atlas_{model}_active_params"] - active) <= active_tol


def test_counts_in_publishers_other_conventions(page: Page) -> None:
    counts = page.tables["atlas_counts"][0].set_index("Model")
    # Embedding counted: Llama 4 Maverick "17B" / "400B" (model card), Qwen3-235B-A22B "22B", Mixtral "12.9B".
    assert abs(counts.loc["Llama 4 Maverick (text decoder)", "Active + emb."] - 17e9) <= 0.5e9
    assert abs(counts.loc["Llama 4 Maverick (text decoder)", "Total"] - 400e9) <= 1e9
    assert abs(counts.loc["Qwen3-235B-A22B", "Active + emb."] - 22e9) <= 0.5e9
    assert abs(counts.loc["Mixtral 8x7B", "Active + emb."] - 12.9e9) <= 0.05e9
    # Dense models: activated equals total once the embedding is counted; Qwen2.5-72B "72.7B".
    assert counts.loc["Qwen2.5-72B", "Active + emb."] == counts.loc["Qwen2.5-72B", "Total"]
    assert abs(counts.loc["Qwen2.5-72B", "Total"] - 72.7e9) <= 0.05e9
    assert 405e9 <= counts.loc["Llama 3.1 405B", "Total"] < 406e9
    # The published columns come straight from data/atlas.csv.
    assert counts.loc["DeepSeek-V3", "Total, pub."] == 671e9 and counts.loc["Kimi K2", "Active, pub."] == 32e9
    assert math.isnan(counts.loc["Llama 3.1 405B", "Active, pub."])
    conventions = page.tables["atlas_conventions"][0]
    assert len(conventions) == 14 and conventions["What the publisher counts"].str.len().min() > 5


def test_isca_2025_table_1_kv_values_appear_on_the_page(page: Page) -> None:
    # DeepSeek ISCA-2025 paper, Table 1: KV cache per token in BF16 (KB = 1,000 bytes), exact.
    assert page["atlas_deepseek_v3_kv_cache_bytes_per_token"] == 70_272
    assert page["atlas_qwen2_5_72b_kv_cache_bytes_per_token"] == 327_680
    assert page["atlas_llama_3_1_405b_kv_cache_bytes_per_token"] == 516_096
    table = html(page, "atlas_per_token")
    for shown in ("70,272", "327,680", "516,096"):
        assert f">{shown}<" in table


def test_kv_cache_kept_at_128k_by_hand(page: Page) -> None:
    tokens = 131_072
    assert page["atlas_context_tokens"] == tokens
    # gpt-oss-120b: 36 layers of 8 KV heads × 64, half of them sliding over 128 tokens; BF16.
    per_layer = 2 * 8 * 64 * 2
    assert page["atlas_gpt_oss_120b_kv_cache_bytes_per_token"] == 36 * per_layer
    assert page["atlas_gpt_oss_120b_kv_cache_bytes_per_token_kept"] == pytest.approx((18 * per_layer * tokens + 18 * per_layer * 128) / tokens)
    # Llama 4 Maverick: 48 layers of 8 KV heads × 128; 36 chunked at 8,192 tokens, 12 full.
    per_layer = 2 * 8 * 128 * 2
    assert page["atlas_llama4_maverick_kv_cache_bytes_per_token"] == 48 * per_layer
    assert page["atlas_llama4_maverick_kv_cache_bytes_per_token_kept"] == pytest.approx((12 * per_layer * tokens + 36 * per_layer * 8192) / tokens)
    # MLA keeps every token: (512 + 64) × 61 × 2 bytes, full = kept.
    assert page["atlas_deepseek_v3_kv_cache_bytes_per_token_kept"] == page["atlas_deepseek_v3_kv_cache_bytes_per_token"] == 576 * 61 * 2
    assert page["atlas_v3_kv_sequence_gb"] == pytest.approx(576 * 61 * 2 * tokens / 1e9)
    # V3.2-Exp's indexer keys: 128 elements per layer per token, at the page's 2 bytes.
    assert page["atlas_v3_2_exp_indexer_bytes_per_token"] == 128 * 61 * 2
    assert page["atlas_kv_kept_below_v3_text"] == (
        "DeepSeek-V4-Flash, DeepSeek-V4-Pro, gpt-oss-120b, Llama 4 Maverick (text decoder) and DeepSeek-V2")
    # V2: (512 + 64) × 60 layers; V4: compressed entries (below).
    assert page["atlas_kv_full_below_v3_text"] == "DeepSeek-V4-Flash, DeepSeek-V4-Pro and DeepSeek-V2"


def test_v4_in_the_atlas(page: Page) -> None:
    """V4-Pro and V4-Flash counted as the calculator counts them (tests/test_architecture_v4.py), named in the atlas's keys:
    per further token, V4-Pro's 30 CSA layers add (512 + 128) / 4 elements and its 31 HCA layers 512 / 128, at 2 bytes."""
    assert page["atlas_deepseek_v4_pro_kv_cache_bytes_per_token"] == 2 * (30 * (512 + 128) / 4 + 31 * 512 / 128)
    assert page["atlas_deepseek_v4_flash_kv_cache_bytes_per_token"] == 2 * (21 * (512 + 128) / 4 + 20 * 512 / 128)
    assert abs(page["atlas_deepseek_v4_pro_active_params"] - 49e9) <= 0.5e9
    assert abs(page["atlas_deepseek_v4_flash_total_params"] - 284e9) <= 0.5e9
    per_token = page.tables["atlas_per_token"][0].set_index("Model")
    assert per_token.loc["DeepSeek-V4-Pro", "Attention"].startswith("CSA (1 entry per 4 tokens, top 1,024) in 30")


def test_kv_follows_dtype_and_context() -> None:
    fp8 = chapter(kv_dtype_bytes=1, context_tokens=4096)
    assert fp8["atlas_deepseek_v3_kv_cache_bytes_per_token"] == 35_136
    # 4,096 tokens fit inside Maverick's 8,192-token chunks: everything is kept.
    assert fp8["atlas_llama4_maverick_kv_cache_bytes_per_token_kept"] == fp8["atlas_llama4_maverick_kv_cache_bytes_per_token"]


def test_training_flops_per_token_by_hand(page: Page) -> None:
    # Mixtral 8x7B: 6 × multiplied weights + 3 × forward attention (32 layers, 32 heads, d 128 + 128, 4,096 tokens).
    h, layers, vocab, i = 4096, 32, 32000, 14336
    per_layer = (h * h * 2 + 2 * h * 8 * 128) + 2 * 3 * h * i + 8 * h  # attention, 2 of 8 experts, router
    matmul = layers * per_layer + vocab * h  # the output head multiplies; the embedding is a lookup
    attention = 2 * 32 * (128 + 128) * 4096 * layers
    assert page["atlas_mixtral_8x7b_training_flops_per_token"] == 6 * matmul + 3 * attention


def test_training_runs_on_one_basis(page: Page) -> None:
    usd = 2.0
    runs = page.tables["atlas_runs"][0].set_index("Model")
    assert list(runs.index) == ["Llama 3.1 405B", "DeepSeek-V3", "Llama 4 Maverick", "gpt-oss-120b", "DeepSeek-V2"]
    # Published GPU-hours: V3 report Table 1 (2,788K H800); Llama 3.1 card (30.84M H100); Llama 4 card
    # (Maverick 2.38M H100); gpt-oss model card §2.4 (2.1M H100); V2: 172.8K per trillion × 8.1T.
    expected = {"DeepSeek-V3": 2_788_000, "Llama 3.1 405B": 30_840_000, "Llama 4 Maverick": 2_380_000,
                "gpt-oss-120b": 2_100_000, "DeepSeek-V2": 172_800 * 8.1}
    for name, hours in expected.items():
        assert runs.loc[name, "GPU-hours"] == pytest.approx(hours)
        assert runs.loc[name, "At $2.00/h"] == pytest.approx(hours * usd)
    assert page["atlas_run_deepseek_v3_cost_usd"] == 5_576_000  # the report's $5.576M
    assert page["atlas_run_deepseek_v3_cost_text"] == "$5.58M"
    # 6·N·D with N = activated parameters (input embedding not counted), D = published tokens.
    for model, tokens in [("deepseek_v3", 14.8e12), ("llama_3_1_405b", 15.6e12), ("llama4_maverick", 22e12), ("deepseek_v2", 8.1e12)]:
        flops = 6 * page[f"atlas_{model}_active_params"] * tokens
        assert page[f"atlas_run_{model}_flops_6nd"] == pytest.approx(flops, rel=1e-12)
        assert page[f"atlas_run_{model}_mfu"] == pytest.approx(flops / (page[f"atlas_run_{model}_gpu_hours"] * 3600 * H100_H800_BF16))
    # Hand figures: V3 6 × 36.63B × 14.8T ≈ 3.25e24 FLOP, ≈ 33% of BF16 peak over 2.788M hours (35% on
    # the 2.664M pre-training hours alone, as facts.md derives with 37B); Llama 3.1 6 × 403.75B × 15.6T
    # ≈ 3.78e25, close to Meta's 3.8e25 (Llama 3 paper).
    assert page["atlas_run_deepseek_v3_flops_6nd"] == pytest.approx(3.25e24, rel=0.005)
    assert page["atlas_run_deepseek_v3_mfu"] == pytest.approx(0.328, abs=0.001)
    assert page["atlas_v3_mfu_pretrain_only"] == pytest.approx(0.343, abs=0.001)
    assert page["atlas_v3_mfu_other_basis"] == pytest.approx(page["atlas_run_deepseek_v3_mfu"] * 989 / 1979)
    assert page["atlas_run_llama_3_1_405b_flops_6nd"] == pytest.approx(3.8e25, rel=0.01)
    # gpt-oss publishes no token count: no FLOPs, no MFU, never a guess.
    assert math.isnan(runs.loc["gpt-oss-120b", "Tokens"]) and math.isnan(runs.loc["gpt-oss-120b", "MFU (BF16)"])
    assert "atlas_run_gpt_oss_120b_flops_6nd" not in page.values and "atlas_run_gpt_oss_120b_mfu" not in page.values
    assert page["atlas_runs_without_tokens_text"] == "gpt-oss-120b"
    assert "—" in html(page, "atlas_runs")
    assert page["atlas_runs_cheaper_than_v3_text"] == "DeepSeek-V2, gpt-oss-120b and Llama 4 Maverick"


def test_runs_follow_the_registry() -> None:
    moved = chapter(gpu_hour_usd=3.0, training_tokens=10e12, peak_flops_basis="fp8")
    assert moved["atlas_run_deepseek_v3_cost_usd"] == pytest.approx(2_788_000 * 3.0)
    assert moved["atlas_run_llama4_maverick_cost_usd"] == pytest.approx(2_380_000 * 3.0)
    assert moved["atlas_run_deepseek_v3_flops_6nd"] == pytest.approx(6 * moved["atlas_deepseek_v3_active_params"] * 10e12)
    assert moved["atlas_peak_basis_text"] == "FP8" and "MFU (FP8)" in moved.tables["atlas_runs"][0].columns


def test_tables_fit_and_format(page: Page) -> None:
    counts = html(page, "atlas_counts")
    assert ">671.03B<" in counts and ">1,026.41B<" in counts and ">116.83B<" in counts
    runs = html(page, "atlas_runs")
    assert ">2.79M<" in runs and ">$5.58M<" in runs and ">32.8%<" in runs
    # Tables fit a 1280-px page: few columns, short headers for the numbers (they do not wrap).
    for name in ("atlas_counts", "atlas_per_token", "atlas_runs"):
        frame = page.tables[name][0]
        assert len(frame.columns) <= 7
        assert max(len(c) for c in frame.columns[1:] if c != "Attention") <= 14, frame.columns
    sources = page.tables["atlas_run_sources"][0].set_index("Model")
    assert sources.loc["Llama 4 Maverick", "The GPU-hours cover"] == "pre-training"
    assert sources.loc["DeepSeek-V3", "Source"] == "DeepSeek-V3 Technical Report"


def test_notebook_glue_names_are_produced(page: Page) -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    names = set(GLUE.findall(text))
    assert names, "the notebook glues nothing"
    missing = names - set(page.values) - set(page.figures)
    assert not missing, f"glued in the notebook but not produced by the chapter: {sorted(missing)}"
    shown = set(re.findall(r'page\.show\("([a-z_]+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code")))
    assert shown == set(page.tables)
    assert nb.cells[0].source.startswith("# DeepSeek among open models")
