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
