"""Chapter "DeepSeek among open models": every model of data/atlas.csv counted by one calculator,
and the training runs with published GPU-hours priced on one basis.

Counting conventions, the same for every model (whatever its publisher uses):
- activated parameters leave out the input embedding (a lookup), as DeepSeek counts them;
- the KV cache is counted per token in `kv_dtype_bytes` per element, with the whole context kept
  (`full`) and as a sequence of `context_tokens` really keeps it (`kept`: windowed layers hold at
  most their window);
- training FLOPs per token are 3 × the forward FLOPs at `pretrain_seq_len` (6 per activated
  weight plus the attention term, PaLM's convention, no causal halving);
- a run's FLOPs are 6·N·D with N the activated parameters above and D its published tokens; where
  no token count is published, FLOPs and MFU stay empty rather than guessed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import pandas as pd

from analysis.chapters.inputs import atlas_configs, gpu_catalogue
from analysis.chapters.page import Page, Value
from analysis.charts import atlas as charts
from analysis.formatting import si, usd
from analysis.inputs import data
from analysis.model import architecture as arch
from analysis.model import compute

PARAMETERS = (
    "gpu_hour_usd", "context_tokens", "kv_dtype_bytes", "pretrain_seq_len", "peak_flops_basis",
    "v3_pretrain_gpu_hours", "v3_context_ext_gpu_hours", "v3_post_training_gpu_hours", "training_tokens",
)

V3 = "deepseek_v3"
# Atlas models whose training run is already recorded in data/comparators.csv (its home), by that table's key.
COMPARATOR_RUNS = {"llama_3_1_405b": "llama31_405b"}


def _billions(digits: int) -> Callable[[float], str]:
    return lambda v: f"{v / 1e9:,.{digits}f}B"


def _listing(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'; 'none' for an empty list."""
    if not names:
        return "none"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def attention_text(cfg: arch.ModelConfig) -> str:
    """The attention layout in a few words: kind, KV heads, windowed layers."""
    if cfg.hybrid:
        return hybrid_attention_text(cfg)
    a = cfg.attention
    text = "MLA" if a.kind == "mla" else f"GQA, {a.kv_heads} KV heads"
    if cfg.indexer:
        text += f" + indexer (top {cfg.indexer.topk:,})"
    layout = arch.attention_layout(cfg)
    layers = layout["layers"]
    if layout["sliding_window"]:
        text += f"; {layers[arch.SLIDING]} of {cfg.layers} layers see the last {layout['sliding_window']:,} tokens"
    if layout["attention_chunk_size"]:
        text += f"; {layers[arch.CHUNKED]} of {cfg.layers} layers see {layout['attention_chunk_size']:,}-token chunks"
    return text


def hybrid_attention_text(cfg: arch.ModelConfig) -> str:
    """DeepSeek-V4's layout in a few words: compressed layers by ratio, the indexer's top-k, the window."""
    layout = arch.attention_layout(cfg)
    layers, ratios = layout["layers"], layout["compress_ratios"]
    assert cfg.indexer is not None  # a V4 config has its CSA indexer
    return (f"CSA (1 entry per {ratios[0]} tokens, top {cfg.indexer.topk:,}) in {layers.get('compressed_sparse', 0)} and "
            f"HCA (1 per {ratios[-1]}) in {layers.get('heavily_compressed', 0)} of {cfg.layers} layers; "
            f"all see the last {layout['sliding_window']:,} tokens")


def model_table(context_tokens: int, kv_dtype_bytes: int, pretrain_seq_len: int) -> pd.DataFrame:
    """One row per atlas model: counts, KV cache (full and kept) and training FLOPs per token."""
    rows = []
    for model, (cfg, row) in atlas_configs().items():
        b = arch.breakdown(cfg)
        rows.append({
            "model": model, "name": row["name"], "total_params": b.total, "active_params": b.active,
            "active_with_embeddings": b.active_with_embeddings,
            "published_total": row["publisher_total_params"], "published_active": row["publisher_active_params"],
            "convention": row["convention"], "attention": attention_text(cfg), "moe": cfg.experts is not None,
            "kv_full": arch.kv_cache_bytes_per_token(cfg, kv_dtype_bytes),
            "kv_kept": arch.kv_cache_bytes_per_token_kept(cfg, context_tokens, kv_dtype_bytes),
            "kv_sequence_gb": arch.kv_cache_elements_kept(cfg, context_tokens) * kv_dtype_bytes / 1e9,
            "training_flops_per_token": 3.0 * arch.flops_per_token(cfg, pretrain_seq_len),
        })
    models = pd.DataFrame(rows).set_index("model", drop=False)
    models["active_fraction"] = models["active_params"] / models["total_params"]
    return models


def run_table(p: Mapping[str, Value], models: pd.DataFrame) -> pd.DataFrame:
    """Training runs of atlas models with published GPU-hours: V3 (registry), V2 (its published rate
    × tokens), runs in data/comparators.csv and data/training_runs.csv. Tokens may be missing."""
    v3_hours = float(p["v3_pretrain_gpu_hours"]) + float(p["v3_context_ext_gpu_hours"]) + float(p["v3_post_training_gpu_hours"])
    v2_tokens = data.published("v2_pretrain_tokens")
    rows = [
        {"model": V3, "gpu": "h800", "gpu_hours": v3_hours, "tokens": float(p["training_tokens"]),
         "covers": "all stages", "source_id": "v3_report"},
        {"model": "deepseek_v2", "gpu": "h800", "gpu_hours": data.published("v2_gpu_hours_per_trillion") * v2_tokens / 1e12,
         "tokens": v2_tokens, "covers": "pre-training (rate × tokens)", "source_id": "v2_report"},
    ]
    comparators = data.load_indexed("comparators.csv")
    for model, key in COMPARATOR_RUNS.items():
        c = comparators.loc[key]
        rows.append({"model": model, "gpu": c["gpu"], "gpu_hours": c["gpu_hours"], "tokens": c["tokens"],
                     "covers": "all stages", "source_id": c["source_id"]})
    runs = data.load_table("training_runs.csv")
    for _, r in runs[runs["model"].isin(models.index)].iterrows():
        rows.append({"model": r["model"], "gpu": r["gpu"], "gpu_hours": r["gpu_hours"], "tokens": r["tokens"],
                     "covers": r["stage"], "source_id": r["source_id"]})
    frame = pd.DataFrame(rows).set_index("model", drop=False)
    titles = data.load_indexed("sources.csv")["title"]
    frame["source"] = [titles[s].split(" (")[0] for s in frame["source_id"]]
    # A run trained the whole model: "Llama 4 Maverick", not its "(text decoder)" that the counts describe.
    frame["name"] = [name.split(" (")[0] for name in models.loc[frame.index, "name"]]
    frame["active_params"] = models.loc[frame.index, "active_params"]
    return frame


def chapter(p: Mapping[str, Value]) -> Page:
    """The page's outline: the models counted, their counts against the publishers', what one token costs,
    and the training runs priced on one basis."""
    page = Page()
    gpu_hour_usd = float(p["gpu_hour_usd"])
    context_tokens = int(p["context_tokens"])
    kv_dtype_bytes = int(p["kv_dtype_bytes"])
    pretrain_seq_len = int(p["pretrain_seq_len"])
    basis = str(p["peak_flops_basis"])

    models = model_table(context_tokens, kv_dtype_bytes, pretrain_seq_len)
    models_counted(page, models, context_tokens, kv_dtype_bytes, pretrain_seq_len)
    counts_against_headlines(page, models)
    per_token_costs(page, models, context_tokens, pretrain_seq_len)
    runs = priced_runs(p, models, gpu_hour_usd, basis)
    run_numbers(page, runs, gpu_hour_usd, basis)
    run_comparisons(page, runs, float(p["v3_pretrain_gpu_hours"]), basis)
    run_tables(page, runs, gpu_hour_usd, basis)
    return page


def models_counted(page: Page, models: pd.DataFrame, context_tokens: int, kv_dtype_bytes: int, pretrain_seq_len: int) -> None:
    """How many models, on what conventions; each model's counts for results.json."""
    page.number("atlas_model_count", len(models), "models")
    page.number("atlas_moe_count", int(models["moe"].sum()), "models")
    page.number("atlas_dense_count", int((~models["moe"]).sum()), "models")
    page.number("atlas_context_tokens", context_tokens, "tokens")
    page.number("atlas_kv_dtype_bytes", kv_dtype_bytes, "bytes per element")
    page.number("atlas_pretrain_seq_len", pretrain_seq_len, "tokens")
    for model, m in models.iterrows():
        page.number(f"atlas_{model}_total_params", m["total_params"], "parameters")
        page.number(f"atlas_{model}_active_params", m["active_params"], "parameters (input embedding not counted)")
        page.number(f"atlas_{model}_kv_cache_bytes_per_token", m["kv_full"], "bytes per token (whole context kept)")
        page.number(f"atlas_{model}_kv_cache_bytes_per_token_kept", m["kv_kept"], f"bytes per token (kept at {context_tokens:,} tokens)")
        page.number(f"atlas_{model}_training_flops_per_token", m["training_flops_per_token"], "FLOP per token (training)")


def counts_against_headlines(page: Page, models: pd.DataFrame) -> None:
    """Counts against the publishers' headlines, and how sparse each MoE is beside V3."""
    v3 = models.loc[V3]
    by_total = models.sort_values("total_params", ascending=False)
    page.table(
        "atlas_counts",
        by_total[["name", "total_params", "published_total", "active_params", "active_with_embeddings", "published_active"]]
        .rename(columns={
            "name": "Model", "total_params": "Total", "published_total": "Total, pub.", "active_params": "Active",
            "active_with_embeddings": "Active + emb.", "published_active": "Active, pub.",
        }),
        {c: _billions(2) for c in ["Total", "Active", "Active + emb."]} | {c: _billions(1) for c in ["Total, pub.", "Active, pub."]},
    )
    page.table("atlas_conventions", by_total[["name", "convention"]].rename(columns={"name": "Model", "convention": "What the publisher counts"}))
    page.figure("fig_atlas_params", charts.total_vs_active(models, V3))
    moe = models[models["moe"]]
    page.number("atlas_v3_active_fraction", v3["active_fraction"], "fraction")
    sparser = moe[moe["active_fraction"] < v3["active_fraction"]].sort_values("active_fraction")
    page.text("atlas_sparser_than_v3_text", _listing(list(sparser["name"])))
    sparsest = moe.sort_values("active_fraction").iloc[0]
    page.text("atlas_sparsest_name", sparsest["name"])
    page.number("atlas_sparsest_active_fraction", sparsest["active_fraction"], "fraction")
    page.number("atlas_kimi_k2_active_fraction", models.loc["kimi_k2", "active_fraction"], "fraction")
    page.number("atlas_kimi_k2_total_params_trillions", models.loc["kimi_k2", "total_params"] / 1e12, "trillion parameters")
    page.number("atlas_v4_pro_total_params_trillions", models.loc["deepseek_v4_pro", "total_params"] / 1e12, "trillion parameters")
    page.number("atlas_v4_pro_active_params_billions", models.loc["deepseek_v4_pro", "active_params"] / 1e9, "billion parameters")
    page.number("atlas_v4_flash_total_params_billions", models.loc["deepseek_v4_flash", "total_params"] / 1e9, "billion parameters")
    page.number("atlas_v4_flash_active_params_billions", models.loc["deepseek_v4_flash", "active_params"] / 1e9, "billion parameters")
    page.number("atlas_v3_total_params_billions", v3["total_params"] / 1e9, "billion parameters")
    page.number("atlas_v3_active_params_billions", v3["active_params"] / 1e9, "billion parameters")


def per_token_costs(page: Page, models: pd.DataFrame, context_tokens: int, pretrain_seq_len: int) -> None:
    """What one token costs: KV cache to serve it, FLOPs to train on it."""
    v3 = models.loc[V3]
    by_kept = models.sort_values("kv_kept")
    page.table(
        "atlas_per_token",
        by_kept[["name", "attention", "kv_full", "kv_kept", "kv_sequence_gb", "training_flops_per_token"]]
        .rename(columns={
            "name": "Model", "attention": "Attention", "kv_full": "KV, full", "kv_kept": "KV, kept",
            "kv_sequence_gb": "GB/sequence", "training_flops_per_token": "GFLOP/token",
        }),
        {"KV, full": "{:,.0f}", "KV, kept": "{:,.0f}", "GB/sequence": "{:,.1f}", "GFLOP/token": lambda v: f"{v / 1e9:,.0f}"},
    )
    page.figure("fig_atlas_per_token", charts.per_token(models, V3, context_tokens, pretrain_seq_len))
    page.text("atlas_kv_full_below_v3_text", _listing(list(models[models["kv_full"] < v3["kv_full"]].sort_values("kv_full")["name"])))
    page.text("atlas_kv_kept_below_v3_text", _listing(list(by_kept[by_kept["kv_kept"] < v3["kv_kept"]]["name"])))
    for model in ("qwen2_5_72b", "llama_3_1_405b", "gpt_oss_120b", "llama4_maverick"):
        page.number(f"atlas_{model}_kv_over_v3", models.loc[model, "kv_full"] / v3["kv_full"], "times")
        page.number(f"atlas_{model}_kv_kept_over_v3", models.loc[model, "kv_kept"] / v3["kv_kept"], "times")
    page.number("atlas_v3_kv_sequence_gb", v3["kv_sequence_gb"], "GB")
    page.number("atlas_v3_2_exp_indexer_bytes_per_token",
                models.loc["deepseek_v3_2_exp", "kv_full"] - v3["kv_full"], "bytes per token")
    page.number("atlas_v3_training_gflop_per_token", v3["training_flops_per_token"] / 1e9, "GFLOP per token")
    page.number("atlas_llama_3_1_405b_training_flops_over_v3",
                models.loc["llama_3_1_405b", "training_flops_per_token"] / v3["training_flops_per_token"], "times")


def _peaks(basis: str) -> tuple[dict[str, float], dict[str, float]]:
    """Each GPU's peak FLOP/s on `basis` and on the other basis."""
    gpus = gpu_catalogue()
    peak = {key: (g.bf16_tflops if basis == "bf16" else g.fp8_tflops) * 1e12 for key, g in gpus.items()}
    peak_other = {key: (g.fp8_tflops if basis == "bf16" else g.bf16_tflops) * 1e12 for key, g in gpus.items()}
    return peak, peak_other


def priced_runs(p: Mapping[str, Value], models: pd.DataFrame, gpu_hour_usd: float, basis: str) -> pd.DataFrame:
    """Training runs with published GPU-hours, on one price and one peak: cost, 6ND FLOPs, MFU, cost per 10²⁴ FLOP."""
    peak, _ = _peaks(basis)
    runs = run_table(p, models)
    runs["cost_usd"] = compute.cost_usd(runs["gpu_hours"], gpu_hour_usd)
    runs["flops_6nd"] = [compute.training_flops_6nd(n, d) if not math.isnan(d) else math.nan
                         for n, d in zip(runs["active_params"], runs["tokens"], strict=True)]
    runs["mfu"] = [compute.implied_mfu(f, h, peak[g]) if not math.isnan(f) else math.nan
                   for f, h, g in zip(runs["flops_6nd"], runs["gpu_hours"], runs["gpu"], strict=True)]
    runs["usd_per_1e24_flop"] = [compute.cost_per_1e24_flop(c, f) if not math.isnan(f) else math.nan
                                 for c, f in zip(runs["cost_usd"], runs["flops_6nd"], strict=True)]
    return runs


def run_numbers(page: Page, runs: pd.DataFrame, gpu_hour_usd: float, basis: str) -> None:
    """Each run's hours, cost, tokens, FLOPs and MFU for results.json and the prose."""
    other_basis = "fp8" if basis == "bf16" else "bf16"
    page.text("atlas_gpu_hour_usd_text", f"${gpu_hour_usd:,.2f}")
    page.text("atlas_peak_basis_text", basis.upper())
    page.text("atlas_other_basis_text", other_basis.upper())
    page.number("atlas_run_count", len(runs), "runs")
    for model, r in runs.iterrows():
        page.number(f"atlas_run_{model}_gpu_hours", r["gpu_hours"], "GPU-hours")
        page.number(f"atlas_run_{model}_gpu_hours_millions", r["gpu_hours"] / 1e6, "million GPU-hours")
        page.number(f"atlas_run_{model}_cost_usd", r["cost_usd"], "USD")
        page.text(f"atlas_run_{model}_cost_text", usd(r["cost_usd"], 2))
        if not math.isnan(r["tokens"]):
            page.number(f"atlas_run_{model}_tokens_trillions", r["tokens"] / 1e12, "trillion tokens")
            page.number(f"atlas_run_{model}_flops_6nd", r["flops_6nd"], "FLOP")
            page.text(f"atlas_run_{model}_flops_6nd_text", si(r["flops_6nd"], 2))
            page.number(f"atlas_run_{model}_mfu", r["mfu"], f"fraction of {basis.upper()} peak (6ND ÷ all the run's published GPU-hours)")


def run_comparisons(page: Page, runs: pd.DataFrame, v3_pretrain_gpu_hours: float, basis: str) -> None:
    """The runs beside V3's: cheaper, higher MFU, cheaper per FLOP; V3's MFU on other scopes and peaks; Maverick."""
    peak, peak_other = _peaks(basis)
    no_tokens = runs[runs["tokens"].isna()]
    page.text("atlas_runs_without_tokens_text", _listing(list(no_tokens["name"])))
    r3 = runs.loc[V3]
    page.text("atlas_runs_cheaper_than_v3_text", _listing(list(runs[runs["cost_usd"] < r3["cost_usd"]].sort_values("cost_usd")["name"])))
    page.text("atlas_runs_higher_mfu_than_v3_text", _listing(list(runs[runs["mfu"] > r3["mfu"]].sort_values("mfu")["name"])))
    timed = runs.dropna(subset=["flops_6nd"])
    page.text("atlas_runs_cheaper_per_flop_than_v3_text",
              _listing(list(timed[timed["usd_per_1e24_flop"] < r3["usd_per_1e24_flop"]].sort_values("usd_per_1e24_flop")["name"])))
    page.number("atlas_v3_mfu_pretrain_only", compute.implied_mfu(r3["flops_6nd"], v3_pretrain_gpu_hours, peak["h800"]),
                f"fraction of {basis.upper()} peak (6ND ÷ pre-training GPU-hours)")
    page.number("atlas_v3_mfu_other_basis", compute.implied_mfu(r3["flops_6nd"], r3["gpu_hours"], peak_other["h800"]),
                f"fraction of {'FP8' if basis == 'bf16' else 'BF16'} peak (6ND ÷ all the run's published GPU-hours)")
    maverick = runs.loc["llama4_maverick"]
    page.number("atlas_v3_over_maverick_gpu_hours", r3["gpu_hours"] / maverick["gpu_hours"], "times")
    page.number("atlas_v3_over_maverick_flops", r3["flops_6nd"] / maverick["flops_6nd"], "times")


def run_tables(page: Page, runs: pd.DataFrame, gpu_hour_usd: float, basis: str) -> None:
    """The runs as a table (by GPU-hours), their sources, and the chart."""
    by_hours = runs.sort_values("gpu_hours", ascending=False)
    page.table(
        "atlas_runs",
        by_hours[["name", "gpu", "gpu_hours", "tokens", "flops_6nd", "mfu", "cost_usd"]]
        .rename(columns={
            "name": "Model", "gpu": "GPU", "gpu_hours": "GPU-hours", "tokens": "Tokens", "flops_6nd": "6ND FLOP",
            "mfu": f"MFU ({basis.upper()})", "cost_usd": f"At ${gpu_hour_usd:,.2f}/h",
        }),
        {"GPU": str.upper, "GPU-hours": lambda v: f"{v / 1e6:,.2f}M", "Tokens": lambda v: f"{v / 1e12:,.1f}T",
         "6ND FLOP": lambda v: si(v, 2), f"MFU ({basis.upper()})": "{:.1%}", f"At ${gpu_hour_usd:,.2f}/h": lambda v: usd(v, 2)},
    )
    page.table("atlas_run_sources", by_hours[["name", "covers", "source"]].rename(
        columns={"name": "Model", "covers": "The GPU-hours cover", "source": "Source"}))
    page.figure("fig_atlas_runs", charts.runs(runs, V3, gpu_hour_usd, basis.upper()))
