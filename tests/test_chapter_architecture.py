"""The architecture chapter, called directly, against DeepSeek's published figures and hand counts."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from matplotlib.container import BarContainer

from analysis.chapters import architecture as chapter_module
from analysis.chapters.page import Page
from analysis.inputs.params import registry
from analysis.paths import ROOT
from tests.conftest import chapter_defaults, run_chapter

NOTEBOOK = ROOT / "book" / "architecture.ipynb"
GLUE = re.compile(r"\{glue:(?:text|figure)\}[`\s]*([A-Za-z0-9_]+)")

# DeepSeek-V3 as published (config.json and the V2/V3 reports).
LAYERS, DENSE_LAYERS, HEADS = 61, 3, 128
KV_LORA_RANK, ROPE_DIM, QK_HEAD_DIM, V_HEAD_DIM = 512, 64, 192, 128
HIDDEN, EXPERT_INTERMEDIATE = 7168, 2048
H800_HBM_GB = 80


def defaults() -> dict[str, Any]:
    return chapter_defaults(chapter_module)


def chapter(**overrides: Any) -> Page:
    return run_chapter(chapter_module, **overrides)  # type: ignore[return-value]


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    yield chapter()


def test_parameters_are_registered() -> None:
    assert set(chapter_module.PARAMETERS) <= set(registry())


def test_headline_parameter_counts(page: Page) -> None:
    # V3 report §4.2: 671B total, 37B activated per token (each to the nearest billion).
    assert abs(page["v3_total_params"] - 671e9) <= 0.5e9
    assert abs(page["v3_active_params"] - 37e9) <= 0.5e9
    assert page["v3_total_params_billions"] == pytest.approx(page["v3_total_params"] / 1e9, rel=1e-12)
    assert page["v3_active_fraction"] == pytest.approx(page["v3_active_params"] / page["v3_total_params"], rel=1e-12)
    assert 0.05 < page["v3_active_fraction"] < 0.06  # 37/671 = 5.5%
    # README_WEIGHTS.md: 685B checkpoint = 671B + 14B MTP, of which 11.5B unique.
    assert abs(page["v3_mtp_params_billions"] - 14) <= 0.6
    assert round(page["v3_mtp_block_params_billions"], 1) == 11.5
    assert page["v3_mtp_share_of_checkpoint"] == pytest.approx(14 / 685, abs=0.001)
    assert page["published_mtp_unique_text"] == "11.5B"


def test_moe_structure(page: Page) -> None:
    assert page["v3_layers"] == LAYERS
    assert page["v3_dense_layers"] == DENSE_LAYERS
    assert page["v3_moe_layers"] == LAYERS - DENSE_LAYERS == 58
    assert (page["v3_routed_experts"], page["v3_active_experts"], page["v3_shared_experts"]) == (256, 8, 1)
    assert (page["claim_experts"], page["claim_experts_active"]) == ("256", "8")
    # A gated MLP has three matrices: gate and up (hidden × intermediate), down (intermediate × hidden).
    assert page["v3_expert_params"] == 3 * HIDDEN * EXPERT_INTERMEDIATE == 44_040_192
    # 256 experts in 58 layers hold most of the model.
    routed = 58 * 256 * 3 * HIDDEN * EXPERT_INTERMEDIATE
    assert page["v3_routed_share"] == pytest.approx(routed / page["v3_total_params"], rel=1e-12)
    assert page["v3_attention_heads"] == HEADS
    assert page["v3_mtp_depth"] == 1


def test_moe_compute_saving(page: Page) -> None:
    # Forward FLOP per token: 2 × multiplied weights + 2 × 61 × 128 × (192 + 128) × tokens attended.
    # The same model with every expert active multiplies the 248 idle routed experts of each of the 58 MoE layers too.
    idle = 58 * (256 - 8) * 3 * HIDDEN * EXPERT_INTERMEDIATE
    weights = 2 * page["v3_active_params"]  # (the norms, inside `active`, are not multiplied: 0.9M of 36.6B)

    def attention(tokens: float) -> float:
        return 2.0 * LAYERS * HEADS * (QK_HEAD_DIM + V_HEAD_DIM) * tokens

    # Pre-training: 4,096-token sequences, causal mask, so a token attends to 2,048 tokens on average.
    assert page["pretrain_seq_len"] == 4096
    assert page["v3_pretrain_flops_per_token"] == pytest.approx(weights + attention(2048), rel=1e-4)
    assert page["v3_pretrain_dense_equal_flops_per_token"] == pytest.approx(weights + 2 * idle + attention(2048), rel=1e-4)
    saving = (weights + 2 * idle + attention(2048)) / (weights + attention(2048))
    assert page["v3_moe_compute_saving"] == pytest.approx(saving, rel=1e-4)
    assert 15 < page["v3_moe_compute_saving"] < 17  # 16.2×
    full = (weights + 2 * idle + attention(4096)) / (weights + attention(4096))
    assert page["v3_moe_compute_saving_full_attention"] == pytest.approx(full, rel=1e-4)
    assert 14 < full < 15
    # One token at the end of a 128K context: attention, which MoE does not touch, dominates.
    context = 131_072
    assert page["context_tokens"] == context
    assert page["v3_flops_per_token"] == pytest.approx(weights + attention(context), rel=1e-4)
    assert page["v3_dense_equal_flops_per_token"] == pytest.approx(weights + 2 * idle + attention(context), rel=1e-4)
    assert page["v3_moe_compute_saving_long_context"] == pytest.approx(
        page["v3_dense_equal_flops_per_token"] / page["v3_flops_per_token"], rel=1e-12)
    assert 2.5 < page["v3_moe_compute_saving_long_context"] < 3
    assert page["v3_long_context_attention_share"] > 0.85
    assert page["v3_flops_per_token_text"].endswith("×10¹¹")


def test_total_vs_active_is_a_dot_plot(page: Page) -> None:
    ax = page.figures["fig_total_vs_active"].axes[0]
    assert ax.get_xscale() == "log"
    assert not [c for c in ax.containers if isinstance(c, BarContainer)]  # no bars on a log axis


def test_kv_cache_against_the_published_formula(page: Page) -> None:
    # MLA caches one 512-wide latent + a 64-dim RoPE key per layer: (512 + 64) × 61 elements per token.
    own = (KV_LORA_RANK + ROPE_DIM) * LAYERS
    mha = 2 * HEADS * V_HEAD_DIM * LAYERS
    assert own == 35_136 and mha == 1_998_848
    assert page["v3_kv_cache_elements_per_token"] == own
    assert page["kv_dtype_bytes"] == 2
    assert page["v3_kv_cache_bytes_per_token"] == own * 2 == 70_272
    assert page["v3_mha_equiv_kv_cache_bytes_per_token"] == mha * 2
    assert page["v3_gqa8_equiv_kv_cache_bytes_per_token"] == 2 * 8 * V_HEAD_DIM * LAYERS * 2
    assert page["v3_kv_cache_ratio_mha"] == pytest.approx(mha / own, rel=1e-12)
    assert round(page["v3_kv_cache_ratio_mha"]) == 57
    assert page["v3_kv_cache_reduction_vs_mha"] == pytest.approx(1 - own / mha, rel=1e-12)
    assert page["v3_kv_equiv_gqa_groups"] == pytest.approx(own / (2 * V_HEAD_DIM * LAYERS)) == 2.25
    frame, _formats = page.tables["kv_cache"]
    assert list(frame["Elements per token"]) == [own, mha, 2 * 8 * V_HEAD_DIM * LAYERS, 2 * V_HEAD_DIM * LAYERS]
    assert frame["GB for one full context"].iloc[0] == pytest.approx(70_272 * 131_072 / 1e9)


def test_serving_capacity(page: Page) -> None:
    hbm_gb = 32 * H800_HBM_GB
    assert page["serving_gpus"] == 32
    assert page["serving_hbm_gb"] == pytest.approx(hbm_gb)
    # FP8 weights, 1 byte each: the 671B main model plus the MTP module's own weights (under the 685B checkpoint).
    assert 671 + 11 < page["serving_weights_gb"] < 685
    assert page["serving_weights_fit"] == "fit"
    assert page["serving_free_gb"] == pytest.approx(hbm_gb - page["serving_weights_gb"])
    per_context_bytes = 70_272 * 131_072
    assert page["v3_context_kv_gb"] == pytest.approx(per_context_bytes / 1e9)
    assert page["serving_contexts_mla"] == math.floor(page["serving_free_gb"] * 1e9 / per_context_bytes)
    assert page["serving_contexts_mha"] == math.floor(page["serving_free_gb"] * 1e9 / (1_998_848 * 2 * 131_072))
    assert page["serving_contexts_mla"] > 50 * page["serving_contexts_mha"]


def test_published_mtp_decoding_figures(page: Page) -> None:
    # V3 report §5.4.3: second token accepted 85–90% of the time, 1.8× tokens per second.
    assert (page["published_v3_mtp_acceptance_low"], page["published_v3_mtp_acceptance_high"]) == (0.85, 0.90)
    assert page["published_v3_mtp_speedup"] == 1.8
    assert 0 < page["v3_mtp_training_flops_share"] < 0.1


def test_parameters_move_the_values() -> None:
    short = chapter(context_tokens=32_768)
    assert short["v3_context_kv_gb"] == pytest.approx(70_272 * 32_768 / 1e9)
    assert short["context_tokens"] == 32_768
    fp32_cache = chapter(kv_dtype_bytes=4)
    assert fp32_cache["v3_kv_cache_bytes_per_token"] == 35_136 * 4
    assert fp32_cache["v3_context_kv_gb"] == pytest.approx(35_136 * 4 * 131_072 / 1e9)
    bf16_weights = chapter(weight_dtype_bytes=2, serving_gpus=8)
    assert bf16_weights["serving_hbm_gb"] == pytest.approx(8 * H800_HBM_GB)
    assert bf16_weights["serving_weights_gb"] > 8 * H800_HBM_GB  # 1.36 TB of BF16 weights on 640 GB
    assert bf16_weights["serving_weights_fit"] == "do not fit"
    assert bf16_weights["serving_contexts_mla"] == 0


def test_tables_and_figures(page: Page) -> None:
    assert set(page.tables) == {"models", "kv_cache", "corrections", "since_v3_kv", "since_v3_flops", "since_v3_settings"}
    models, _ = page.tables["models"]
    assert "DeepSeek-V3" in set(models["Model"])
    corrections, _ = page.tables["corrections"]
    assert "8 of 256 routed experts" in corrections["What it is"].iloc[0]
    assert "57× smaller KV cache" in corrections["What it is"].iloc[2]


def test_every_glue_name_in_the_notebook_is_produced(page: Page) -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    names = set(GLUE.findall(markdown))
    assert {"v3_total_params_billions", "fig_kv_cache", "serving_weights_fit"} <= names  # the regex sees both syntaxes
    assert names - set(page.values) - set(page.figures) == set()


def test_every_show_call_names_a_table(page: Page) -> None:
    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    shown = re.findall(r'page\.show\("([^"]+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code"))
    assert shown and set(shown) <= set(page.tables) | set(page.html)


def test_since_v3_against_published_figures(page: Page) -> None:
    """V3.2 and V4 against V3 (issue 28), each from its config. V4-Pro at 1M tokens: DeepSeek's model card says 27% of
    V3.2's single-token FLOPs (the book: within a point) and 10% of its KV cache (the book, at equal element size:
    11.5%, vLLM's "8.7x smaller"); V4-Pro's own cache at 1M is vLLM's 9.62 GiB (to the rounding)."""
    assert abs(page["v4_pro_over_v3_2_flops_at_1m"] - page["v4_pro_flops_share_of_v3_2_1m_claim"]) <= 0.01
    assert 0.114 < page["v4_pro_over_v3_2_kv_at_1m"] < 0.116
    assert page["v4_pro_kv_gb_at_1m"] * 1e9 / 2**30 == pytest.approx(page["v4_pro_kv_gib_1m_vllm"], abs=0.005)
    # V3.2 keeps V3's latent plus an indexer key of 128 per layer: (576 + 128) / 576 of V3's cache at any length.
    for c in ("8k", "128k", "1m"):
        assert page[f"v3_2_over_v3_kv_at_{c}"] == pytest.approx((576 + 128) / 576)
    # The later designs save more the longer the context.
    assert page["v4_pro_over_v3_flops_at_8k"] > page["v4_pro_over_v3_flops_at_128k"] > page["v4_pro_over_v3_flops_at_1m"]
    assert page["v4_flash_over_v3_2_flops_at_1m"] < page["v4_pro_over_v3_2_flops_at_1m"]
    assert page["since_v3_context_1m"] == 2**20
    fig = page.figures["fig_since_v3"]
    labels = [ax.get_xlabel() + ax.get_ylabel() for ax in fig.axes]
    assert all("tokens" in text for text in labels) and "GB" in labels[0] and "GFLOP" in labels[1]


def test_since_v3_settings_name_every_input_of_the_counts() -> None:
    """An expert could not redo V4's KV and FLOP figures without the indexer's heads, the query heads and the layer
    kinds: the table states each, from the configs (issue 28's second expert read)."""
    from analysis.chapters import architecture as chapter
    from analysis.chapters.page import Page

    page = Page()
    chapter.since_v3_settings(page, chapter.since_v3_configs())
    rows = page.tables["since_v3_settings"][0].set_index("Config")
    assert rows.loc["deepseek_v4_pro.json", "Query heads"] == 128 and rows.loc["deepseek_v4_flash.json", "Query heads"] == 64
    assert rows.loc["deepseek_v4_pro.json", "Indexer"].startswith("64 heads × 128")
    assert "2 sliding window" in rows.loc["deepseek_v4_flash.json", "Layers by kind"]
    assert rows.loc["deepseek_v3.json", "Indexer"] == "—"
