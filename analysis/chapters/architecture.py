"""Chapter "The architecture": what MoE, MLA and MTP are, and what each one saves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.chapters.inputs import gpu_catalogue, load_config, model_config
from analysis.chapters.page import Page, Value
from analysis.charts import architecture as charts
from analysis.formatting import si
from analysis.inputs import data
from analysis.model import architecture as arch
from analysis.model import serving
from analysis.paths import MODELS_DIR

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PARAMETERS = ("context_tokens", "kv_dtype_bytes", "weight_dtype_bytes", "serving_gpus", "pretrain_seq_len")

GQA_GROUPS = 8  # as in Llama 3.1 405B, for comparison

# DeepSeek since V3 (issue 28): key, name on the page, config in data/models/ (V3's from data/models.csv).
SINCE_V3 = (
    ("v3", "DeepSeek-V3 (MLA)", "deepseek_v3.json"),
    ("v3_2", "DeepSeek-V3.2 (MLA + sparse attention)", "deepseek_v3_2_exp.json"),
    ("v4_pro", "DeepSeek-V4-Pro (compressed attention)", "deepseek_v4_pro.json"),
    ("v4_flash", "DeepSeek-V4-Flash (compressed attention)", "deepseek_v4_flash.json"),
)
# Context lengths the page quotes: 8K, 128K (V3's and V3.2's context) and 1M (2^20, V4's max_position_embeddings).
SINCE_V3_CONTEXTS = {"8k": 8_192, "128k": 131_072, "1m": 1_048_576}
SINCE_V3_CHART_POINTS = 61  # log-spaced context lengths from 8K to 1M


def _billions(digits: int) -> Callable[[float], str]:
    """A table formatter: parameters in billions."""
    return lambda v: f"{v / 1e9:,.{digits}f}B"


def model_table() -> pd.DataFrame:
    """Every model of data/models.csv: computed and published totals, activated parameters, KV cache."""
    rows = []
    for model, (raw, published) in data.model_configs().items():
        cfg = arch.parse_config(raw, name=published["name"])
        b = arch.breakdown(cfg)
        rows.append({
            "model": model, "name": published["name"], "total_params": b.total, "active_params": b.active,
            "active_with_embeddings": b.active_with_embeddings,
            "published_total": published["publisher_total_params"], "published_active": published["publisher_active_params"],
            "convention": published["convention"], "kv_elements": arch.kv_cache_elements_per_token(cfg),
        })
    models = pd.DataFrame(rows)
    models["active_fraction"] = models["active_params"] / models["total_params"]
    return models


def chapter(p: Mapping[str, Value]) -> Page:
    """The page's outline: V3's parameters, what MoE saves, MLA's cache, serving, MTP, the article's words."""
    page = Page()
    context_tokens = int(p["context_tokens"])
    kv_dtype_bytes = int(p["kv_dtype_bytes"])
    weight_dtype_bytes = float(p["weight_dtype_bytes"])
    serving_gpus = int(p["serving_gpus"])
    pretrain_seq_len = int(p["pretrain_seq_len"])

    models = model_table()
    v3 = model_config("deepseek_v3", "DeepSeek-V3")
    v3b = arch.breakdown(v3)
    claims = data.load_indexed("claims.csv")
    mixture_of_experts(page, v3, v3b, claims)
    parameter_charts(page, v3b, models)
    moe_compute_saving(page, v3, v3b, context_tokens, pretrain_seq_len)
    kv = latent_attention(page, v3, kv_dtype_bytes, context_tokens)
    serving_fit(page, v3b, kv, weight_dtype_bytes, serving_gpus, context_tokens)
    multi_token_prediction(page, v3, v3b)
    corrections(page, v3, v3b, kv, claims)
    since_v3(page, kv_dtype_bytes)
    return page


def _experts(cfg: arch.ModelConfig) -> arch.Experts:
    assert cfg.experts is not None  # V3 is an MoE model
    return cfg.experts


def mixture_of_experts(page: Page, v3: arch.ModelConfig, v3b: arch.Breakdown, claims: pd.DataFrame) -> None:
    """V3's counts: total, active, MTP, layers and experts; the article's expert figures."""
    experts = _experts(v3)
    page.number("v3_total_params", v3b.total, "parameters")
    page.number("v3_active_params", v3b.active, "parameters")
    page.number("v3_active_params_with_embeddings", v3b.active_with_embeddings, "parameters")
    page.number("v3_mtp_params", v3b.mtp, "parameters")
    page.number("v3_mtp_unique_params", v3b.mtp_unique, "parameters")
    page.number("v3_mtp_block_params", v3b.mtp_block, "parameters")
    page.number("v3_active_fraction", v3b.active / v3b.total, "fraction")
    page.number("v3_routed_share", v3b.routed_experts / v3b.total, "fraction")
    page.number("v3_layers", v3.layers, "layers")
    page.number("v3_moe_layers", len(v3.moe_layers), "layers")
    page.number("v3_dense_layers", v3.layers - len(v3.moe_layers), "layers")
    page.number("v3_routed_experts", experts.routed, "experts")
    page.number("v3_active_experts", experts.active, "experts")
    page.number("v3_shared_experts", experts.shared, "experts")
    page.number("v3_expert_params", arch.mlp_params(v3.hidden_size, experts.expert_intermediate), "parameters")
    page.number("v3_routed_experts_active_params", v3b.routed_experts_active, "parameters")
    page.number("v3_attention_params", v3b.attention, "parameters")
    for key in ("total", "active", "mtp", "mtp_unique", "mtp_block"):
        page.number(f"v3_{key}_params_billions", getattr(v3b, key) / 1e9, "billion parameters")
    page.number("v3_attention_heads", v3.attention.heads, "heads")
    page.number("v3_mtp_depth", v3.mtp_layers, "modules")
    page.text("claim_experts", f"{claims.loc['v3_experts_256', 'value']:,.0f}")
    page.text("claim_experts_active", f"{claims.loc['v3_experts_active_8', 'value']:,.0f}")


def parameter_charts(page: Page, v3b: arch.Breakdown, models: pd.DataFrame) -> None:
    """Where V3's parameters sit, total against active for every model, and the models table."""
    parts = {
        "Routed experts": v3b.routed_experts, "Attention (MLA)": v3b.attention, "Shared experts": v3b.shared_experts,
        "Dense MLPs": v3b.dense_mlp, "Embedding + head": v3b.embeddings + v3b.output_head,
        "Routers + norms": v3b.routers + v3b.norms,
    }
    page.figure("fig_v3_breakdown", charts.v3_breakdown(parts))
    page.figure("fig_total_vs_active", charts.total_vs_active(models))
    page.table(
        "models",
        models[["name", "total_params", "published_total", "active_params", "active_with_embeddings", "published_active", "convention"]]
        .rename(columns={
            "name": "Model", "total_params": "Total", "published_total": "Published",
            "active_params": "Active", "active_with_embeddings": "Active + emb.",
            "published_active": "Published active", "convention": "Publisher's convention",
        }),
        {c: _billions(2) for c in ["Total", "Active", "Active + emb."]} | {c: _billions(1) for c in ["Published", "Published active"]},
    )


def moe_compute_saving(page: Page, v3: arch.ModelConfig, v3b: arch.Breakdown, context_tokens: int, pretrain_seq_len: int) -> None:
    """What MoE saves in compute: forward FLOP per token, V3 against the same model with every expert active.

    The embedding is a lookup in both; only the routed experts left idle differ. First at the pre-training
    context (a causal sequence of pretrain_seq_len tokens: each token attends to half of it on average),
    then for one token at the end of a long context, where attention (the same for both) dominates."""
    idle_experts = v3b.routed_experts - v3b.routed_experts_active
    pretrain_attended = pretrain_seq_len / 2
    flops_pretrain = arch.flops_per_token(v3, pretrain_attended)
    flops_pretrain_dense = flops_pretrain + 2.0 * idle_experts
    flops_pretrain_full = arch.flops_per_token(v3, pretrain_seq_len)
    flops_v3 = arch.flops_per_token(v3, context_tokens)
    flops_dense_equal = flops_v3 + 2.0 * idle_experts
    page.number("pretrain_seq_len", pretrain_seq_len, "tokens")
    page.number("v3_pretrain_flops_per_token", flops_pretrain, "FLOP per token (forward, causal)")
    page.number("v3_pretrain_dense_equal_flops_per_token", flops_pretrain_dense, "FLOP per token (forward, causal)")
    page.text("v3_pretrain_flops_per_token_text", si(flops_pretrain, 2))
    page.text("v3_pretrain_dense_equal_flops_per_token_text", si(flops_pretrain_dense, 2))
    page.number("v3_moe_compute_saving", flops_pretrain_dense / flops_pretrain, "times (pre-training context, causal attention)")
    page.number("v3_moe_compute_saving_full_attention", (flops_pretrain_full + 2.0 * idle_experts) / flops_pretrain_full,
                "times (pre-training context, every query-key pair)")
    page.number("v3_pretrain_attention_share", 1 - 2.0 * arch.matmul_params_per_token(v3) / flops_pretrain, "fraction of forward FLOP")
    page.number("v3_flops_per_token", flops_v3, "FLOP per token (forward)")
    page.number("v3_dense_equal_flops_per_token", flops_dense_equal, "FLOP per token (forward)")
    page.number("v3_moe_compute_saving_long_context", flops_dense_equal / flops_v3, "times (one token at the end of context_tokens)")
    page.number("v3_long_context_attention_share", 1 - 2.0 * arch.matmul_params_per_token(v3) / flops_v3, "fraction of forward FLOP")
    page.text("v3_flops_per_token_text", si(flops_v3, 2))
    page.text("v3_dense_equal_flops_per_token_text", si(flops_dense_equal, 2))
    page.number("context_tokens", context_tokens, "tokens")


def latent_attention(page: Page, v3: arch.ModelConfig, kv_dtype_bytes: int, context_tokens: int) -> dict[str, dict[str, int]]:
    """Multi-head Latent Attention: V3's KV cache per token against MHA, GQA and MQA equivalents.
    Returns the elements (`elements`) and bytes (`bytes`) per token of each, for the sections after."""
    eq = arch.kv_cache_equivalents(v3, gqa_groups=GQA_GROUPS)
    kv_bytes = {name: elements * kv_dtype_bytes for name, elements in eq.items()}
    page.number("kv_dtype_bytes", kv_dtype_bytes, "bytes per element")
    page.number("v3_kv_cache_elements_per_token", eq["own"], "elements per token")
    page.number("v3_kv_cache_bytes_per_token", kv_bytes["own"], "bytes per token")
    page.number("v3_mha_equiv_kv_cache_bytes_per_token", kv_bytes["mha"], "bytes per token")
    page.number("v3_gqa8_equiv_kv_cache_bytes_per_token", kv_bytes["gqa"], "bytes per token")
    page.number("v3_kv_cache_reduction_vs_mha", 1 - eq["own"] / eq["mha"], "fraction")
    page.number("v3_kv_cache_ratio_mha", eq["mha"] / eq["own"], "times")
    page.number("v3_kv_equiv_gqa_groups", eq["own"] / (2 * v3.attention.v_head_dim * v3.layers), "groups")
    kv_table = pd.DataFrame({
        "Attention": ["MLA (DeepSeek-V3 as built)", f"MHA, {v3.attention.heads} heads", f"GQA, {GQA_GROUPS} groups", "MQA, 1 group"],
        "elements": [eq["own"], eq["mha"], eq["gqa"], eq["mqa"]],
    })
    kv_table["bytes"] = kv_table["elements"] * kv_dtype_bytes
    kv_table["context_gb"] = kv_table["bytes"] * context_tokens / 1e9
    page.table(
        "kv_cache",
        kv_table.rename(columns={"elements": "Elements per token", "bytes": "Bytes per token", "context_gb": "GB for one full context"}),
        {"Elements per token": "{:,.0f}", "Bytes per token": "{:,.0f}", "GB for one full context": "{:,.1f}"},
    )
    return {"elements": eq, "bytes": kv_bytes}


def serving_fit(page: Page, v3b: arch.Breakdown, kv: Mapping[str, Mapping[str, int]], weight_dtype_bytes: float,
                serving_gpus: int, context_tokens: int) -> None:
    """Serving: weights first, then full contexts, on H800s."""
    kv_bytes = kv["bytes"]
    h800 = gpu_catalogue()["h800"]
    curves = {"MHA equivalent": kv_bytes["mha"], f"GQA, {GQA_GROUPS} groups": kv_bytes["gqa"], "MLA (V3)": kv_bytes["own"]}
    page.figure("fig_kv_cache", charts.kv_cache_vs_context(curves, h800.hbm_gb, max(context_tokens, 1024), "H800"))
    weights = v3b.total + v3b.mtp_unique
    cap = serving.serving_capacity(weights, weight_dtype_bytes, serving_gpus, h800.hbm_gb, kv_bytes["own"], context_tokens)
    cap_mha = serving.serving_capacity(weights, weight_dtype_bytes, serving_gpus, h800.hbm_gb, kv_bytes["mha"], context_tokens)
    page.number("serving_gpus", serving_gpus, "GPUs")
    page.number("serving_hbm_gb", cap.hbm_bytes / 1e9, "GB")
    page.number("serving_weights_gb", cap.weight_bytes / 1e9, "GB")
    page.number("serving_free_gb", cap.free_bytes / 1e9, "GB")
    page.number("serving_contexts_mla", cap.contexts, "contexts")
    page.number("serving_contexts_mha", cap_mha.contexts, "contexts")
    page.number("v3_context_kv_gb", cap.kv_bytes_per_context / 1e9, "GB")
    page.number("weight_dtype_bytes", weight_dtype_bytes, "bytes per parameter")
    page.text("serving_weights_fit", "fit" if cap.weights_fit else "do not fit")


def multi_token_prediction(page: Page, v3: arch.ModelConfig, v3b: arch.Breakdown) -> None:
    """Multi-Token Prediction: its share of training compute and of the checkpoint; DeepSeek's figures."""
    page.number("v3_mtp_training_flops_share", arch.mtp_active_params(v3) / arch.matmul_params_per_token(v3), "fraction")
    page.number("v3_mtp_share_of_checkpoint", v3b.mtp / (v3b.total + v3b.mtp), "fraction")
    page.text("published_mtp_unique_text", f"{data.published('v3_mtp_unique_params') / 1e9:.1f}B")
    figures = data.load_indexed("published_figures.csv")
    for key in ("v3_mtp_acceptance_low", "v3_mtp_acceptance_high", "v3_mtp_speedup"):
        page.number(f"published_{key}", data.published(key), str(figures.loc[key, "unit"]))


def corrections(page: Page, v3: arch.ModelConfig, v3b: arch.Breakdown, kv: Mapping[str, Mapping[str, int]],
                claims: pd.DataFrame) -> None:
    """What the article says, and what it is."""
    experts, eq = _experts(v3), kv["elements"]
    page.table("corrections", pd.DataFrame([
        {"The article says": claims.loc["v3_experts_256", "claim"] + "; " + claims.loc["v3_experts_active_8", "claim"].lower(),
         "What it is": f"Per MoE layer: {experts.active} of {experts.routed} routed experts plus {experts.shared} shared, "
                       f"in {len(v3.moe_layers)} of {v3.layers} layers; {v3b.active / 1e9:.1f}B of {v3b.total / 1e9:.0f}B weights used per token",
         "Source": "V3 config.json; V3 report §4.2"},
        {"The article says": claims.loc["mtp_description", "claim"],
         "What it is": f"{v3.mtp_layers} extra sequential module (depth {v3.mtp_layers}) predicting one more token during training; "
                       f"{v3b.mtp_unique / 1e9:.1f}B own parameters; optional speculative decoding at inference",
         "Source": "V3 report §2.2, §5.4.3; README_WEIGHTS.md"},
        {"The article says": claims.loc["mla_description", "claim"],
         "What it is": f"Keys and values compressed into one {v3.attention.kv_lora_rank}-wide latent (+{v3.attention.qk_rope_head_dim} RoPE dims) "
                       f"per layer: {eq['mha'] / eq['own']:.0f}× smaller KV cache than MHA",
         "Source": "V2 report Table 1; V3 config.json"},
    ]))


def since_v3_configs() -> dict[str, arch.ModelConfig]:
    """V3, V3.2 and V4's two models, each parsed from its config in data/models/."""
    return {key: load_config(MODELS_DIR / config) for key, _, config in SINCE_V3}


def since_v3(page: Page, kv_dtype_bytes: int) -> None:
    """Since V3: what V3.2's sparse attention and V4's compressed attention change in KV cache and FLOP per token,
    at 8K, 128K and 1M tokens, every figure from the calculator over the published configs."""
    configs = since_v3_configs()
    kv = {key: {c: arch.kv_cache_elements_kept(cfg, n) * kv_dtype_bytes for c, n in SINCE_V3_CONTEXTS.items()}
          for key, cfg in configs.items()}
    flops = {key: {c: arch.flops_per_token(cfg, n) for c, n in SINCE_V3_CONTEXTS.items()} for key, cfg in configs.items()}
    since_v3_numbers(page, kv, flops)
    since_v3_layout(page, configs)
    since_v3_tables(page, kv, flops)
    since_v3_settings(page, configs)
    if page.shows_tables:  # the chart's curves (257 contexts per model) are only drawn, never values
        page.figure("fig_since_v3", since_v3_chart(configs, kv_dtype_bytes))


def since_v3_numbers(page: Page, kv: Mapping[str, Mapping[str, float]], flops: Mapping[str, Mapping[str, float]]) -> None:
    """Each model's KV cache of one sequence and forward FLOP of one token at each context, and the ratios to V3
    and V3.2 (the later model over the earlier one)."""
    for c, n in SINCE_V3_CONTEXTS.items():
        page.number(f"since_v3_context_{c}", n, "tokens")
    for key, _, _ in SINCE_V3:
        for c in SINCE_V3_CONTEXTS:
            page.number(f"{key}_kv_gb_at_{c}", kv[key][c] / 1e9, "GB for one sequence (kv_dtype_bytes per element)")
            page.number(f"{key}_gflop_per_token_at_{c}", flops[key][c] / 1e9, "GFLOP, forward, one token at that position")
    for key, base in (("v3_2", "v3"), ("v4_pro", "v3"), ("v4_flash", "v3"), ("v4_pro", "v3_2"), ("v4_flash", "v3_2")):
        for c in SINCE_V3_CONTEXTS:
            page.number(f"{key}_over_{base}_kv_at_{c}", kv[key][c] / kv[base][c], "fraction (same element size)")
            page.number(f"{key}_over_{base}_flops_at_{c}", flops[key][c] / flops[base][c], "fraction")
    page.number("v4_pro_kv_share_of_v3_2_1m_claim", data.published("v4_pro_kv_share_of_v32_1m"), "fraction (DeepSeek's model card)")
    page.number("v4_pro_flops_share_of_v3_2_1m_claim", data.published("v4_pro_flops_share_of_v32_1m"), "fraction (DeepSeek's model card)")
    page.number("v4_pro_kv_gib_1m_vllm", data.published("v4_pro_kv_gib_1m_bf16"), "GiB (vLLM's launch post, BF16)")


def since_v3_layout(page: Page, configs: Mapping[str, arch.ModelConfig]) -> None:
    """The attention settings the prose names: V3.2's indexer; V4's window, compression ratios and layer counts."""
    v32, pro, flash = configs["v3_2"], configs["v4_pro"], configs["v4_flash"]
    assert v32.indexer is not None and pro.indexer is not None and pro.hybrid is not None and flash.indexer is not None
    page.number("v3_2_index_topk", v32.indexer.topk, "tokens")
    page.number("v3_2_index_heads", v32.indexer.heads, "heads")
    page.number("v4_window_tokens", pro.hybrid.window, "tokens")
    ratios = sorted({r for r in pro.hybrid.compress_ratios[: pro.layers] if r})
    page.number("v4_csa_ratio", ratios[0], "tokens per compressed entry")
    page.number("v4_hca_ratio", ratios[-1], "tokens per compressed entry")
    page.number("v4_pro_index_topk", pro.indexer.topk, "compressed entries")
    page.number("v4_flash_index_topk", flash.indexer.topk, "compressed entries")
    page.number("v4_head_dim", pro.attention.qk_head_dim, "elements per entry")
    for key, cfg in (("v4_pro", pro), ("v4_flash", flash)):
        layers = arch.attention_layout(cfg)["layers"]
        page.number(f"{key}_csa_layers", layers.get("compressed_sparse", 0), "layers")
        page.number(f"{key}_hca_layers", layers.get("heavily_compressed", 0), "layers")
        page.number(f"{key}_layers", cfg.layers, "layers")


def since_v3_settings(page: Page, configs: Mapping[str, arch.ModelConfig]) -> None:
    """Every config value the KV and FLOP counts of this section use, per model, so a reader can redo them by hand."""
    rows = []
    for key, name, config in SINCE_V3:
        cfg = configs[key]
        a, x = cfg.attention, cfg.indexer
        layout = arch.attention_layout(cfg)["layers"] if cfg.hybrid is not None else {}
        ratios = sorted({r for r in cfg.hybrid.compress_ratios[: cfg.layers] if r}) if cfg.hybrid is not None else []
        rows.append({
            "Model": name, "Config": config, "Layers": cfg.layers, "Query heads": a.heads,
            "Cached per token and layer": (f"one {a.kv_lora_rank}-wide latent + {a.qk_rope_head_dim} RoPE" if a.kind == "mla"
                                           else f"one {a.qk_head_dim}-wide entry, used as key and as value"),
            "Indexer": "—" if x is None else f"{x.heads} heads × {x.head_dim}, top {x.topk:,}",
            "Window, compression": "—" if cfg.hybrid is None else
            f"{cfg.hybrid.window} tokens; 1 entry per {' or '.join(str(r) for r in ratios)}",
            "Layers by kind": "—" if not layout else ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(layout.items())),
        })
    page.table("since_v3_settings", pd.DataFrame(rows))


def since_v3_tables(page: Page, kv: Mapping[str, Mapping[str, float]], flops: Mapping[str, Mapping[str, float]]) -> None:
    """KV cache of one sequence (GB) and forward GFLOP of one token, by model and context length."""
    names = [name for _, name, _ in SINCE_V3]
    headers = {c: f"{c.upper()} tokens" for c in SINCE_V3_CONTEXTS}
    page.table("since_v3_kv", pd.DataFrame(
        {"Model": names} | {headers[c]: [kv[key][c] / 1e9 for key, _, _ in SINCE_V3] for c in SINCE_V3_CONTEXTS}),
        dict.fromkeys(headers.values(), "{:,.2f}"))
    page.table("since_v3_flops", pd.DataFrame(
        {"Model": names} | {headers[c]: [flops[key][c] / 1e9 for key, _, _ in SINCE_V3] for c in SINCE_V3_CONTEXTS}),
        dict.fromkeys(headers.values(), "{:,.0f}"))


def since_v3_chart(configs: Mapping[str, arch.ModelConfig], kv_dtype_bytes: int) -> Figure:
    """KV cache of one sequence and forward FLOP of one token against context length, 8K to 1M, per model."""
    lo, hi = min(SINCE_V3_CONTEXTS.values()), max(SINCE_V3_CONTEXTS.values())
    contexts = np.geomspace(lo, hi, SINCE_V3_CHART_POINTS)
    names = {key: name for key, name, _ in SINCE_V3}
    kv = {names[k]: [arch.kv_cache_elements_kept(cfg, n) * kv_dtype_bytes for n in contexts] for k, cfg in configs.items()}
    flops = {names[k]: [arch.flops_per_token(cfg, n) for n in contexts] for k, cfg in configs.items()}
    return charts.since_v3(contexts, kv, flops, list(SINCE_V3_CONTEXTS.values()))
