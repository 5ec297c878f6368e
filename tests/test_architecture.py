"""The config calculator against published headline figures and hand counts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analysis.chapters import inputs
from analysis.errors import InputError
from analysis.model import architecture as arch
from analysis.paths import MODELS_DIR
from tests.conftest import run_cli


def load(name: str) -> arch.ModelConfig:
    return inputs.load_config(MODELS_DIR / f"{name}.json")


def test_deepseek_v3_headline_figures() -> None:
    b = arch.breakdown(load("deepseek_v3"))
    # V3 report §4.2: 671B total, 37B activated per token (to the nearest billion).
    assert round(b.total / 1e9) == 671
    assert round(b.active / 1e9) == 37  # DeepSeek's convention: input embedding not counted
    assert round(b.active_with_embeddings / 1e9) == 38  # ...which is why that convention is needed
    # README_WEIGHTS.md: 685B checkpoint = 671B main + 14B MTP; MTP 11.5B unique.
    # 14B is the difference of two rounded figures, so it is good to about ±0.6B.
    assert abs(b.mtp - 14e9) < 0.6e9
    assert abs(b.total + b.mtp - 685e9) < 0.6e9
    assert round(b.mtp_block / 1e8) == 115  # 11.5B: the MTP transformer block
    # 256 routed experts, 8 active, in 58 of 61 layers; one shared expert.
    cfg = load("deepseek_v3")
    assert len(cfg.moe_layers) == 58 and cfg.moe_layers[0] == 3
    assert cfg.experts is not None and (cfg.experts.routed, cfg.experts.active, cfg.experts.shared) == (256, 8, 1)


@pytest.mark.parametrize(
    ("name", "total", "active", "precision", "with_embeddings"),
    [
        ("deepseek_v2", 236e9, 21e9, 0.5e9, False),  # V2 report abstract
        ("mixtral_8x7b", 46.7e9, 12.9e9, 0.05e9, True),  # Mistral AI announcement
        ("qwen1_5_moe_a2_7b", 14.3e9, 2.7e9, 0.05e9, True),  # Qwen1.5-MoE blog
    ],
)
def test_published_totals_and_activated(name: str, total: float, active: float, precision: float, with_embeddings: bool) -> None:
    b = arch.breakdown(load(name))
    assert abs(b.total - total) <= precision
    measured = b.active_with_embeddings if with_embeddings else b.active
    assert abs(measured - active) <= precision


def test_deepseek_v2_lite() -> None:
    b = arch.breakdown(load("deepseek_v2_lite"))
    assert abs(b.total - 15.7e9) <= 0.05e9  # V2 report, appendix: 15.7B total
    assert 2.4e9 <= b.active < 2.5e9  # published "2.4B": our 2.45B, cut not rounded
    assert load("deepseek_v2_lite").attention.q_lora_rank is None  # no query compression


def test_llama_31_405b_dense() -> None:
    b = arch.breakdown(load("llama_3_1_405b"))
    assert 405e9 <= b.total < 406e9  # "405B"
    assert b.active_with_embeddings == b.total
    assert b.routed_experts == b.shared_experts == 0


def test_mixtral_hand_count() -> None:
    # Independent arithmetic from the Mixtral config: h=4096, L=32, V=32000, 8 KV heads of 128, 8 experts of 14336.
    h, layers, vocab, i = 4096, 32, 32000, 14336
    attention = h * h * 2 + 2 * h * 8 * 128
    experts = 8 * 3 * h * i
    expected = layers * (attention + experts + 8 * h + 2 * h) + h + 2 * vocab * h
    assert arch.breakdown(load("mixtral_8x7b")).total == expected


def test_kv_cache_matches_v2_table_1() -> None:
    cfg = load("deepseek_v3")
    # (d_c + d_h^R)·l = (512 + 64)·61 and MHA 2·n_h·d_h·l = 2·128·128·61 (facts.md, derived).
    assert arch.kv_cache_elements_per_token(cfg) == 35_136
    eq = arch.kv_cache_equivalents(cfg)
    assert eq["mha"] == 1_998_848
    assert arch.kv_cache_bytes_per_token(cfg, 2) == 70_272
    # MLA equals GQA with 2.25 groups when d_c = 4·d_h and d_h^R = d_h/2 (V2 report).
    assert eq["own"] / (2 * 128 * cfg.layers) == pytest.approx(2.25)
    llama = load("llama_3_1_405b")
    assert arch.kv_cache_elements_per_token(llama) == 2 * 8 * 128 * 126


def test_flops_per_token_is_twice_the_multiplied_weights_plus_attention() -> None:
    cfg = load("mixtral_8x7b")
    b = arch.breakdown(cfg)
    matmul = b.active_with_embeddings - b.embeddings - b.norms
    assert arch.flops_per_token(cfg, 0) == 2 * matmul
    assert arch.flops_per_token(cfg, 1000) - arch.flops_per_token(cfg, 0) == 2 * 32 * 32 * (128 + 128) * 1000


def tiny(**overrides) -> dict:
    base = {"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 2, "vocab_size": 10,
            "num_attention_heads": 2, "num_key_value_heads": 1, "intermediate_size": 16, "tie_word_embeddings": True}
    return {**base, **overrides}


def test_tiny_dense_hand_count_tied_and_untied() -> None:
    # per layer: q 8·8, k/v 8·4 each, o 8·8, MLP 3·8·16, norms 2·8; plus final norm and embedding.
    per_layer = 64 + 32 + 32 + 64 + 384 + 16
    tied = arch.breakdown(arch.parse_config(tiny()))
    assert tied.total == 2 * per_layer + 8 + 80
    untied = arch.breakdown(arch.parse_config(tiny(tie_word_embeddings=False)))
    assert untied.total == tied.total + 80


def test_qwen_moe_without_shared_expert() -> None:
    raw = tiny(model_type="qwen3_moe", num_experts=4, num_experts_per_tok=2, moe_intermediate_size=4, head_dim=4)
    b = arch.breakdown(arch.parse_config(raw))
    assert b.shared_experts == 0 and b.routed_experts == 2 * 4 * 3 * 8 * 4
    assert b.routed_experts_active == 2 * 2 * 3 * 8 * 4


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (tiny(model_type="gpt2"), "field 'model_type' is 'gpt2'"),
        ({k: v for k, v in tiny().items() if k != "hidden_size"}, "missing field 'hidden_size'"),
        (tiny(hidden_size=-8), "field 'hidden_size' must be positive"),
        (tiny(num_hidden_layers=2.5), "field 'num_hidden_layers' must be a whole number"),
        (tiny(vocab_size="big"), "field 'vocab_size' must be a number"),
        (tiny(hidden_size=9), "'hidden_size' (9) is not divisible by 'num_attention_heads' (2)"),
        (tiny(num_key_value_heads=3, num_attention_heads=4), "'num_attention_heads' (4) is not a multiple of 'num_key_value_heads' (3)"),
        (tiny(model_type="mixtral", num_local_experts=2, num_experts_per_tok=3), "'num_experts_per_tok' (3) exceeds"),
        (tiny(model_type="deepseek_v3", n_routed_experts=4), "missing field"),
    ],
)
def test_bad_configs_name_the_field(raw: dict, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        arch.parse_config(raw, name="cfg.json")


def test_model_cli_json_and_errors(tmp_path: Path) -> None:
    done = run_cli("model", str(MODELS_DIR / "deepseek_v3.json"), "--json", "--dtype-bytes", "1")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for key in ("total_params", "active_params", "mtp_params", "kv_cache_elements_per_token",
                "kv_cache_bytes_per_token", "flops_per_token"):
        assert key in out
    assert out["kv_cache_bytes_per_token"] == out["kv_cache_elements_per_token"] == 35_136
    table = run_cli("model", str(MODELS_DIR / "mixtral_8x7b.json"))
    assert table.returncode == 0 and "routed_experts" in table.stdout
    bad = tmp_path / "bad.json"
    for content, message in [
        ("not json", "bad.json: not valid JSON"),
        (json.dumps(tiny(hidden_size=-1)), "field 'hidden_size' must be positive"),
        (json.dumps(tiny(hidden_size=9)), "not divisible"),
        ("[1, 2]", "expected a JSON object"),
    ]:
        bad.write_text(content)
        done = run_cli("model", str(bad))
        assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert run_cli("model", str(tmp_path / "none.json")).returncode == 2
    assert run_cli("model", str(MODELS_DIR / "deepseek_v3.json"), "--dtype-bytes", "-1").returncode == 2


# --- the open-model atlas (issue 15) ----------------------------------------------------------
# Each test states the publisher's convention and the tolerance: a headline "32B" is taken to be
# rounded, so it is checked to ±0.5B unless the publisher gives more digits.

ATLAS_NEW = ("kimi_k2", "qwen3_235b_a22b", "glm4_5", "gpt_oss_120b", "llama4_maverick", "deepseek_v3_2_exp", "qwen2_5_72b",
             "deepseek_v4_pro", "deepseek_v4_flash")


def raw_config(name: str) -> dict:
    return json.loads((MODELS_DIR / f"{name}.json").read_text())


def test_atlas_table_lists_parseable_configs() -> None:
    from analysis.inputs import data

    table = data.load_table("atlas.csv")
    assert set(ATLAS_NEW) | {"deepseek_v3", "deepseek_v2", "mixtral_8x7b", "qwen1_5_moe_a2_7b", "llama_3_1_405b"} == set(table["model"])
    for _, row in table.iterrows():
        assert row["config"] == f"{row['model']}.json"
        arch.breakdown(load(row["model"]))


def test_kimi_k2_is_deepseek_v3_shaped() -> None:
    b = arch.breakdown(load("kimi_k2"))
    # Model card: "1T" total (our 1.026T, to the nearest 0.1T), "32B" activated with DeepSeek's
    # convention (input embedding not counted): 31.7B, ±0.5B.
    assert round(b.total / 1e11) == 10 and abs(b.total - 1.026e12) < 0.5e9
    assert abs(b.active - 32e9) <= 0.5e9
    # Same counting as model_type deepseek_v3.
    raw = raw_config("kimi_k2")
    assert arch.breakdown(arch.parse_config({**raw, "model_type": "deepseek_v3"})) == b
    # The GLM-4.5 report's Table 1 gives Kimi K2 1043B: what one gets if layer 0 were MoE too.
    assert round(arch.breakdown(arch.parse_config({**raw, "first_k_dense_replace": 0})).total / 1e9) == 1043


def test_qwen3_235b_a22b() -> None:
    cfg = load("qwen3_235b_a22b")
    b = arch.breakdown(cfg)
    # Model card: 235B total, 22B activated (embedding counted, as Qwen1.5-MoE), 234B non-embedding
    # (embedding and output head both left out); ±0.5B.
    assert abs(b.total - 235e9) <= 0.5e9
    assert abs(b.total - b.embeddings - b.output_head - 234e9) <= 0.5e9
    assert abs(b.active_with_embeddings - 22e9) <= 0.5e9
    # QK-norm (2·head_dim per layer), no QKV bias, head_dim 128 from its field (not 4096/64), no shared expert.
    a = cfg.attention
    assert (a.qk_norm, a.qkv_bias, a.o_bias, a.qk_head_dim) == (True, False, False, 128)
    assert cfg.experts is not None and cfg.experts.shared == 0 and b.shared_experts == 0
    assert arch.attention_params(cfg) == 4096 * 128 * (64 + 2 * 4) + 64 * 128 * 4096 + 2 * 128


def test_glm4_5_with_mtp_without_embeddings() -> None:
    cfg = load("glm4_5")
    b = arch.breakdown(cfg)
    # GLM-4.5 report Table 1: 355B total / 32B activated, counting the MTP layer but not the
    # word embeddings and output layer; ±0.5B.
    assert abs(b.total - b.embeddings - b.output_head + b.mtp_unique - 355e9) <= 0.5e9
    mtp_active = arch.mtp_active_params(cfg) - cfg.vocab_size * cfg.hidden_size  # its output head is the main one
    assert abs(b.active - b.output_head + mtp_active - 32e9) <= 0.5e9
    assert len(cfg.moe_layers) == 89 and cfg.mtp_layers == 1
    a = cfg.attention
    assert (a.qk_norm, a.qkv_bias, a.o_bias) == (True, True, False)


def test_gpt_oss_120b_model_card_table() -> None:
    b = arch.breakdown(load("gpt_oss_120b"))
    # Model card Table 1 (two decimals): total 116.83B; active 5.13B counting the unembedding but
    # not the embedding; MLP 114.71B, attention 0.96B, embedding + unembedding 1.16B. ±0.005B.
    assert abs(b.total - 116.83e9) <= 0.005e9
    assert abs(b.active - 5.13e9) <= 0.005e9
    assert abs(b.routed_experts + b.routers - 114.71e9) <= 0.005e9
    assert abs(b.attention - 0.96e9) <= 0.005e9
    assert abs(b.embeddings + b.output_head - 1.16e9) <= 0.005e9


def test_llama4_maverick_text_decoder() -> None:
    cfg = load("llama4_maverick")
    b = arch.breakdown(cfg)
    # Model card: 400B total, 17B active, all weights of the text decoder counted (embedding too);
    # ±1B for the "400B" (our 400.7B), ±0.5B for the 17B (our 17.2B; 16.2B without the embedding).
    assert abs(b.total - 400e9) <= 1e9
    assert abs(b.active_with_embeddings - 17e9) <= 0.5e9
    assert cfg.moe_layers == tuple(range(1, 48, 2)) and cfg.intermediate_size == 16384
    layout = arch.attention_layout(cfg)
    assert layout["layers"] == {"full_attention": 12, "chunked_attention": 36} and layout["attention_chunk_size"] == 8192
    assert arch.layer_types(cfg)[3::4] == ("full_attention",) * 12  # every 4th layer is NoPE and full


def test_deepseek_v3_2_exp_is_v3_plus_the_indexer() -> None:
    v3, v32 = arch.breakdown(load("deepseek_v3")), arch.breakdown(load("deepseek_v3_2_exp"))
    # DeepSeek-V3.2-Exp inference/model.py, class Indexer: wq_b 1536→64·128, wk 7168→128,
    # k_norm LayerNorm (weight + bias, 128 each), weights_proj 7168→64; no biases.
    per_layer = 1536 * 64 * 128 + 7168 * 128 + 2 * 128 + 7168 * 64
    assert v32.indexer == 61 * per_layer
    assert v32.total - v3.total == 61 * per_layer  # 671B (V3's figure, kept by DeepSeek) + 0.85B of indexers
    assert v32.mtp_block - v3.mtp_block == per_layer  # the MTP block has one as well
    assert abs(v32.total + v32.mtp - 685e9) < 0.6e9  # the 685B checkpoint
    assert round(v32.active / 1e9) == 37  # embedding not counted, as V3
    # Indexer keys: 128 elements per token per layer beside MLA's 576.
    cfg = load("deepseek_v3_2_exp")
    assert arch.kv_cache_indexer_elements_per_token(cfg) == 61 * 128
    assert arch.kv_cache_elements_per_token(cfg) == 35_136 + 7_808


def test_qwen2_5_72b_dense() -> None:
    cfg = load("qwen2_5_72b")
    b = arch.breakdown(cfg)
    # Model card: 72.7B (one decimal: ±0.05B). Its "70.0B non-embedding" is 0.2B below our
    # 70.2B (total less embedding and output head); documented, checked to ±0.25B.
    assert abs(b.total - 72.7e9) <= 0.05e9
    assert abs(b.total - b.embeddings - b.output_head - 70.0e9) <= 0.25e9
    assert (cfg.attention.qkv_bias, cfg.attention.o_bias, cfg.experts) == (True, False, None)


@pytest.mark.parametrize(
    ("name", "kv_bytes"),
    [("deepseek_v3", 70_272), ("qwen2_5_72b", 327_680), ("llama_3_1_405b", 516_096)],
)
def test_kv_cache_matches_isca_2025_table_1(name: str, kv_bytes: int) -> None:
    # DeepSeek ISCA-2025 paper, Table 1: KV cache per token in BF16, KB = 1,000 bytes. Exact.
    assert arch.kv_cache_bytes_per_token(load(name), 2) == kv_bytes


def tiny_gpt_oss(**overrides) -> dict:
    base = {"model_type": "gpt_oss", "hidden_size": 8, "num_hidden_layers": 2, "vocab_size": 10, "num_attention_heads": 2,
            "num_key_value_heads": 1, "head_dim": 4, "intermediate_size": 6, "num_local_experts": 4, "num_experts_per_tok": 2,
            "attention_bias": True, "layer_types": ["sliding_attention", "full_attention"], "sliding_window": 3,
            "tie_word_embeddings": False}
    return {**base, **overrides}


def test_tiny_gpt_oss_hand_count() -> None:
    # modeling_gpt_oss shapes, h=8, 2 heads and 1 KV head of 4, experts of i=6, vocab 10.
    attention = (8 * 8 + 8) + 2 * (8 * 4 + 4) + (8 * 8 + 8) + 2  # q, k, v, o with biases; 2 sinks
    expert = (8 * 12 + 12) + (6 * 8 + 8)  # gate_up [h, 2i] + bias [2i], down [i, h] + bias [h]
    router = 4 * 8 + 4
    per_layer = attention + 4 * expert + router + 2 * 8
    b = arch.breakdown(arch.parse_config(tiny_gpt_oss()))
    assert b.total == 2 * per_layer + 8 + 10 * 8 + 10 * 8
    assert b.active == b.total - 2 * 4 * expert + 2 * 2 * expert - 10 * 8
    assert b.dense_mlp == b.shared_experts == 0


def test_sliding_window_kept_cache() -> None:
    cfg = arch.parse_config(tiny_gpt_oss())  # layer 0 slides over 3 tokens, layer 1 keeps all
    per_layer = 2 * 1 * 4  # K and V, one KV head of 4
    assert arch.kv_cache_elements_per_token(cfg) == 2 * per_layer
    for tokens in (1, 2, 3):  # up to the window everything is kept
        assert arch.kv_cache_elements_kept(cfg, tokens) == 2 * per_layer * tokens
        assert arch.kv_cache_elements_per_token_kept(cfg, tokens) == 2 * per_layer
    assert arch.kv_cache_elements_kept(cfg, 10) == per_layer * 3 + per_layer * 10
    assert arch.kv_cache_elements_per_token_kept(cfg, 10) == pytest.approx(per_layer * 13 / 10)
    assert arch.kv_cache_bytes_per_token_kept(cfg, 10, 2) == pytest.approx(2 * per_layer * 13 / 10)
    assert arch.kv_cache_elements_per_token_kept(cfg, 0) == 2 * per_layer
    # The real gpt-oss-120b at 128K tokens: 18 full layers keep everything, 18 keep 128 tokens.
    real = load("gpt_oss_120b")
    assert arch.kv_cache_bytes_per_token(real, 2) == 36 * 2 * 8 * 64 * 2
    assert arch.kv_cache_bytes_per_token_kept(real, 131_072, 2) == (18 * 2048 * 131_072 + 18 * 2048 * 128) / 131_072
    # Attention FLOPs: a sliding layer attends to at most its window.
    extra = arch.attention_flops_per_token(real, 131_072)
    assert extra == 2 * 64 * (64 + 64) * (18 * 131_072 + 18 * 128)


def test_tiny_llama4_hand_count_and_chunked_cache() -> None:
    text = {"hidden_size": 8, "num_hidden_layers": 4, "vocab_size": 10, "num_attention_heads": 2, "num_key_value_heads": 1,
            "head_dim": 4, "intermediate_size": 6, "intermediate_size_mlp": 12, "num_local_experts": 4, "num_experts_per_tok": 1,
            "interleave_moe_layer_step": 2, "attention_chunk_size": 5, "attention_bias": False}
    cfg = arch.parse_config({"model_type": "llama4", "text_config": text})
    # modeling_llama4: layers 1 and 3 MoE (4 experts of 6 + a shared expert of 6 + bias-free router),
    # layers 0 and 2 dense MLPs of 12; no_rope_layers default: layer 3 full, 0-2 chunked.
    attention = 8 * 8 + 8 * 4 + 8 * 4 + 8 * 8
    moe = 4 * 3 * 8 * 6 + 3 * 8 * 6 + 4 * 8
    dense = 3 * 8 * 12
    b = arch.breakdown(cfg)
    assert b.total == 4 * (attention + 2 * 8) + 2 * dense + 2 * moe + 8 + 2 * 10 * 8
    assert b.active_with_embeddings == b.total - 2 * 4 * 3 * 8 * 6 + 2 * 1 * 3 * 8 * 6
    assert arch.layer_types(cfg) == ("chunked_attention",) * 3 + ("full_attention",)
    assert arch.kv_cache_elements_kept(cfg, 20) == 3 * 8 * 5 + 8 * 20
    assert arch.kv_cache_elements_kept(cfg, 4) == 4 * 8 * 4
    # the same config given as a text-only llama4_text one counts the same
    assert arch.breakdown(arch.parse_config({**text, "model_type": "llama4_text"})) == b


def test_tiny_glm4_moe_hand_count_with_mtp() -> None:
    raw = {"model_type": "glm4_moe", "hidden_size": 8, "num_hidden_layers": 3, "first_k_dense_replace": 1, "vocab_size": 10,
           "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 4, "intermediate_size": 16, "moe_intermediate_size": 2,
           "n_routed_experts": 4, "num_experts_per_tok": 2, "n_shared_experts": 1, "attention_bias": True, "use_qk_norm": True,
           "num_nextn_predict_layers": 1, "tie_word_embeddings": False}
    cfg = arch.parse_config(raw)
    # modeling_glm4_moe: q/k/v biased, o_proj not; q_norm and k_norm of head_dim; router weight
    # plus e_score_correction_bias; shared expert of moe_intermediate_size·n_shared_experts.
    attention = (64 + 8) + (32 + 4) + (32 + 4) + 64 + 2 * 4
    moe = 4 * 3 * 8 * 2 + 3 * 8 * 2 + (4 * 8 + 4)
    b = arch.breakdown(cfg)
    assert b.total == 3 * (attention + 16) + 3 * 8 * 16 + 2 * moe + 8 + 2 * 80
    # MTP layer: enorm, hnorm, eh_proj (2h→h), one MoE block, final norm.
    assert b.mtp_unique == (attention + moe + 16) + 8 + 8 + 2 * 8 * 8 + 8


def test_bias_flags_follow_each_family() -> None:
    llama = arch.parse_config(tiny(attention_bias=True))
    assert llama.attention.qkv_bias and llama.attention.o_bias  # modeling_llama: all four projections
    per_layer_bias = (2 + 2 * 1) * 4 + 8
    assert arch.breakdown(llama).total - arch.breakdown(arch.parse_config(tiny())).total == 2 * per_layer_bias


GPT_OSS_MISSING = ("head_dim", "layer_types", "sliding_window", "attention_bias", "num_local_experts")
LLAMA4_TEXT = raw_config("llama4_maverick")["text_config"]


def _without(raw: dict, key: str) -> dict:
    return {k: v for k, v in raw.items() if k != key}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (tiny(model_type="minimax_m1"), "field 'model_type' is 'minimax_m1'"),
        *[(_without(tiny_gpt_oss(), key), f"missing field {key!r}") for key in GPT_OSS_MISSING],
        (tiny_gpt_oss(layer_types=["sliding_attention"]), "'layer_types' must list one attention type per layer (2)"),
        (tiny_gpt_oss(layer_types=["chunked_attention", "full_attention"]), "field 'layer_types' has ['chunked_attention']"),
        (tiny_gpt_oss(attention_bias="yes"), "field 'attention_bias' must be true or false"),
        ({"model_type": "llama4"}, "missing field 'text_config'"),
        *[({"model_type": "llama4", "text_config": _without(LLAMA4_TEXT, key)}, f"missing field 'text_config.{key}'")
          for key in ("interleave_moe_layer_step", "intermediate_size_mlp", "attention_chunk_size", "num_local_experts", "hidden_size")],
        ({"model_type": "llama4", "text_config": {**LLAMA4_TEXT, "moe_layers": [1, 99]}}, "'text_config.moe_layers' names layer(s) [99]"),
        *[(_without(raw_config("glm4_5"), key), f"missing field {key!r}")
          for key in ("head_dim", "first_k_dense_replace", "use_qk_norm", "attention_bias", "n_shared_experts", "n_routed_experts")],
        *[(_without(raw_config("deepseek_v3_2_exp"), key), f"missing field {key!r}")
          for key in ("index_n_heads", "index_head_dim", "index_topk", "q_lora_rank")],
        (_without(raw_config("qwen3_235b_a22b"), "head_dim"), "missing field 'head_dim'"),
        (_without(raw_config("kimi_k2"), "kv_lora_rank"), "missing field 'kv_lora_rank'"),
        (tiny(model_type="qwen2", use_sliding_window=True, sliding_window=4), "missing field 'max_window_layers'"),
    ],
)
def test_atlas_bad_configs_name_the_field(raw: dict, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        arch.parse_config(raw, name="cfg.json")
    assert str(caught.value).startswith("cfg.json: ")


def test_bad_atlas_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gpt_oss_120b.json"
    path.write_text(json.dumps(_without(raw_config("gpt_oss_120b"), "sliding_window")))
    with pytest.raises(InputError, match=re.escape("gpt_oss_120b.json: missing field 'sliding_window'")):
        inputs.load_config(path)


def test_model_cli_reports_kept_cache_and_layout() -> None:
    done = run_cli("model", str(MODELS_DIR / "llama4_maverick.json"), "--json", "--context-tokens", "131072")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["kv_cache_bytes_per_token"] == 48 * 2 * 8 * 128 * 2  # full context, BF16
    assert out["kv_cache_bytes_per_token_kept"] == (12 * 4096 * 131_072 + 36 * 4096 * 8192) / 131_072
    assert out["kv_cache_bytes_kept"] == 12 * 4096 * 131_072 + 36 * 4096 * 8192
    assert out["attention"]["layers"] == {"full_attention": 12, "chunked_attention": 36}
    assert out["attention"]["attention_chunk_size"] == 8192 and out["attention"]["sliding_window"] is None
    v32 = arch.summary(load("deepseek_v3_2_exp"), dtype_bytes=1, context_tokens=131_072)
    assert v32["kv_cache_indexer_elements_per_token"] == 7_808 and v32["attention"]["indexer"]["topk"] == 2048
    assert v32["kv_cache_bytes_per_token_kept"] == v32["kv_cache_bytes_per_token"] == 42_944  # MLA keeps every token
    # Sparse attention: MLA attends to the indexer's top 2048; the indexer scores every token.
    cfg, tokens = load("deepseek_v3_2_exp"), 100_000
    assert arch.attention_flops_per_token(cfg, tokens) == 2 * 61 * 128 * (192 + 128) * 2048 + 2 * 61 * 64 * 128 * tokens


def test_mla_config_without_expert_count_is_refused_not_counted_dense() -> None:
    raw = json.loads((MODELS_DIR / "kimi_k2.json").read_text())
    del raw["n_routed_experts"]
    with pytest.raises(InputError, match="missing field 'n_routed_experts'"):
        arch.parse_config(raw, name="kimi_k2.json")
