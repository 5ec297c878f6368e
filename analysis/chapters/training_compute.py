"""Chapter "Training compute": DeepSeek's figure rebuilt, checked against physics, set beside other models."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters.inputs import gpu_catalogue, model_config, r1_gpu_hours
from analysis.chapters.page import Page, Value
from analysis.charts import compute as charts
from analysis.formatting import si, usd
from analysis.inputs import data
from analysis.model import architecture as arch
from analysis.model import compute, ledger

PARAMETERS = (
    "gpu_hour_usd", "v3_pretrain_gpu_hours", "v3_context_ext_gpu_hours", "v3_post_training_gpu_hours", "training_tokens",
    "training_gpus", "pretrain_seq_len", "peak_flops_basis", "mfu_plausible_min", "mfu_plausible_max", "claim_tolerance",
)


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    gpu_hour_usd = float(p["gpu_hour_usd"])
    v3_pretrain_gpu_hours = float(p["v3_pretrain_gpu_hours"])
    v3_context_ext_gpu_hours = float(p["v3_context_ext_gpu_hours"])
    v3_post_training_gpu_hours = float(p["v3_post_training_gpu_hours"])
    training_tokens = float(p["training_tokens"])
    training_gpus = int(p["training_gpus"])
    pretrain_seq_len = int(p["pretrain_seq_len"])
    peak_flops_basis = str(p["peak_flops_basis"])
    mfu_plausible_min = float(p["mfu_plausible_min"])
    mfu_plausible_max = float(p["mfu_plausible_max"])
    claim_tolerance = float(p["claim_tolerance"])

    h800 = gpu_catalogue()["h800"]
    peak = {"bf16": h800.bf16_tflops * 1e12, "fp8": h800.fp8_tflops * 1e12}
    v3 = model_config("deepseek_v3", "DeepSeek-V3")
    active = arch.breakdown(v3).active

    # Does the compute add up?
    v3_gpu_hours_total = v3_pretrain_gpu_hours + v3_context_ext_gpu_hours + v3_post_training_gpu_hours
    flops_6nd = compute.training_flops_6nd(active, training_tokens)
    a = v3.attention
    attn = compute.attention_training_flops_per_token(v3.layers, a.heads, a.qk_head_dim, a.v_head_dim, pretrain_seq_len)
    flops_refined = compute.refined_training_flops(active, training_tokens, attn, arch.mtp_active_params(v3))
    mfu = {basis: compute.implied_mfu(flops_6nd, v3_pretrain_gpu_hours, peak_flops) for basis, peak_flops in peak.items()}
    mfu_refined = {basis: compute.implied_mfu(flops_refined, v3_pretrain_gpu_hours, peak_flops) for basis, peak_flops in peak.items()}
    verdict = compute.mfu_verdict(mfu[peak_flops_basis], mfu_plausible_min, mfu_plausible_max)

    page.number("v3_gpu_hours_total_millions", v3_gpu_hours_total / 1e6, "million GPU-hours")
    page.number("v3_active_params_billions", active / 1e9, "billion parameters")
    page.number("training_tokens_trillions", training_tokens / 1e12, "trillion tokens")
    page.number("v3_training_flops", flops_6nd, "FLOP")
    page.text("v3_training_flops_text", si(flops_6nd, 2))
    page.number("v3_training_flops_refined", flops_refined, "FLOP")
    page.text("v3_training_flops_refined_text", si(flops_refined, 2))
    page.number("v3_refined_over_6nd", flops_refined / flops_6nd - 1, "fraction")
    page.number("v3_achieved_tflops_per_gpu", compute.achieved_flops_per_gpu(flops_6nd, v3_pretrain_gpu_hours) / 1e12, "TFLOP/s per GPU")
    page.number("h800_bf16_tflops", h800.bf16_tflops, "TFLOP/s")
    page.number("h800_fp8_tflops", h800.fp8_tflops, "TFLOP/s")
    page.number("v3_implied_mfu_bf16", mfu["bf16"], "fraction of peak")
    page.number("v3_implied_mfu_fp8", mfu["fp8"], "fraction of peak")
    page.number("v3_implied_mfu_refined_bf16", mfu_refined["bf16"], "fraction of peak")
    page.number("v3_implied_mfu_refined_fp8", mfu_refined["fp8"], "fraction of peak")
    page.text("peak_flops_basis_text", peak_flops_basis.upper())
    page.text("v3_mfu_verdict", verdict.label)
    page.text("v3_mfu_verdict_reason", verdict.reason)
    page.number("mfu_plausible_min", mfu_plausible_min, "fraction of peak")
    page.number("mfu_plausible_max", mfu_plausible_max, "fraction of peak")

    # DeepSeek's own accounting, reproduced
    stages = pd.DataFrame({
        "Stage": ["Pre-training", "Context extension", "Post-training", "Total"],
        "gpu_hours": [v3_pretrain_gpu_hours, v3_context_ext_gpu_hours, v3_post_training_gpu_hours, v3_gpu_hours_total],
        "published": [data.published(k) for k in ("v3_pretrain_usd", "v3_context_ext_usd", "v3_post_training_usd", "v3_total_usd")],
    })
    stages["computed"] = compute.cost_usd(stages["gpu_hours"], gpu_hour_usd)
    page.text("gpu_hour_usd_text", f"${gpu_hour_usd:,.2f}")
    page.number("v3_training_cost_at_price_usd", float(stages["computed"].iloc[-1]), "USD")
    page.text("v3_training_cost_at_price_text", usd(float(stages["computed"].iloc[-1]), 3))
    page.table(
        "stages",
        stages.rename(columns={"gpu_hours": "H800 GPU-hours", "computed": "Computed (USD)", "published": "Report, Table 1 (USD)"}),
        {"H800 GPU-hours": "{:,.0f}", "Computed (USD)": "${:,.0f}", "Report, Table 1 (USD)": "${:,.0f}"},
    )

    # Rates per trillion tokens
    per_trillion = compute.gpu_hours_per_trillion_tokens(v3_pretrain_gpu_hours, training_tokens)
    page.number("v3_gpu_hours_per_trillion_tokens", per_trillion, "GPU-hours per trillion tokens")
    page.number("v3_days_per_trillion_tokens", compute.wall_clock_days(per_trillion, training_gpus), "days")
    page.number("v3_pretrain_days", compute.wall_clock_days(v3_pretrain_gpu_hours, training_gpus), "days")
    page.number("training_gpus", training_gpus, "GPUs")
    page.number("published_v3_gpu_hours_per_trillion", data.published("v3_gpu_hours_per_trillion"), "GPU-hours per trillion tokens")
    page.number("published_v3_days_per_trillion", data.published("v3_days_per_trillion"), "days")
    v2_rate, v67_rate = data.published("v2_gpu_hours_per_trillion"), data.published("v2_67b_gpu_hours_per_trillion")
    page.number("v2_gpu_hours_per_trillion", v2_rate, "GPU-hours per trillion tokens")
    page.number("v2_67b_gpu_hours_per_trillion", v67_rate, "GPU-hours per trillion tokens")
    page.number("v2_saving_vs_67b", 1 - v2_rate / v67_rate, "fraction")
    page.number("published_v2_training_cost_saving", data.published("v2_training_cost_saving"), "fraction")
    page.number("v3_rate_vs_v2", per_trillion / v2_rate, "times")

    # MFU beside published runs
    page.number("pretrain_seq_len", pretrain_seq_len, "tokens")
    page.number("v3_pretrain_gpu_hours_millions", v3_pretrain_gpu_hours / 1e6, "million GPU-hours")
    page.figure("fig_mfu", charts.mfu_comparison(
        {"DeepSeek-V3, BF16 basis": mfu["bf16"], "DeepSeek-V3, FP8 basis": mfu["fp8"]},
        data.load_table("published_mfu.csv"), (mfu_plausible_min, mfu_plausible_max),
    ))

    # Beside other models, on one basis
    r1_hours = r1_gpu_hours()
    r1_cost = float(compute.cost_usd(r1_hours, gpu_hour_usd))
    v3_row = {"model": "deepseek_v3", "name": "DeepSeek-V3 (this book)", "training_flops": flops_6nd, "flops_low": None,
              "flops_high": None, "gpu": "h800", "gpu_hours": v3_gpu_hours_total, "reported_cost_usd": data.published("v3_total_usd"),
              "estimate": "computed from DeepSeek's report"}
    r1_row = {"model": "deepseek_r1", "name": "DeepSeek-R1 (RL stages only)", "training_flops": None, "flops_low": None,
              "flops_high": None, "gpu": "h800", "gpu_hours": r1_hours, "reported_cost_usd": data.published("r1_total_usd"),
              "estimate": "DeepSeek's own accounting"}
    basis = pd.concat([pd.DataFrame([v3_row, r1_row]), data.load_table("comparators.csv")], ignore_index=True)
    basis["cost_common_usd"] = compute.cost_usd(basis["gpu_hours"], gpu_hour_usd)
    basis["usd_per_1e24_flop"] = compute.cost_per_1e24_flop(basis["cost_common_usd"], basis["training_flops"])
    llama = basis.set_index("model").loc["llama31_405b"]
    page.number("r1_training_gpu_hours", r1_hours, "GPU-hours")
    page.number("r1_training_cost_usd", r1_cost, "USD")
    page.text("r1_training_cost_text", usd(r1_cost))
    page.number("llama31_405b_cost_usd", float(llama["cost_common_usd"]), "USD")
    page.text("llama31_405b_cost_text", usd(float(llama["cost_common_usd"])))
    page.number("llama31_405b_gpu_hours_millions", float(llama["gpu_hours"]) / 1e6, "million GPU-hours")
    page.number("llama31_over_v3_gpu_hours", float(llama["gpu_hours"]) / v3_gpu_hours_total, "times")
    page.number("llama31_over_v3_flops", float(llama["training_flops"]) / flops_6nd, "times")
    page.figure("fig_comparators", charts.comparators(basis))
    claims = data.load_indexed("claims.csv")
    page.text("gpt4_claim_text", usd(float(claims.loc["gpt4_cost_100m", "value"])))
    page.table(
        "comparators",
        basis[["name", "training_flops", "gpu", "gpu_hours", "cost_common_usd", "usd_per_1e24_flop", "reported_cost_usd", "estimate"]]
        .rename(columns={
            "name": "Model", "training_flops": "Training FLOP", "gpu": "GPU", "gpu_hours": "GPU-hours",
            "cost_common_usd": "At common price", "usd_per_1e24_flop": "Per 10²⁴ FLOP", "reported_cost_usd": "Reported cost",
            "estimate": "Status",
        }),
        {"Training FLOP": lambda v: si(v, 2), "GPU": str.upper, "GPU-hours": "{:,.0f}", "At common price": usd,
         "Per 10²⁴ FLOP": usd, "Reported cost": usd},
    )

    # The article's figure for R1
    r1_claim = float(claims.loc["r1_cost_5m", "value"])
    v3_cost = float(compute.cost_usd(v3_gpu_hours_total, gpu_hour_usd))
    r1_verdict = ledger.judge(r1_claim, [
        ledger.Reconstruction(r1_cost, "R1's own training stages", "same"),
        ledger.Reconstruction(r1_cost + v3_cost, "R1's stages plus the V3 base run it starts from", "broader"),
    ], claim_tolerance)
    page.text("r1_claim_text", usd(r1_claim))
    page.number("r1_with_v3_cost_usd", r1_cost + v3_cost, "USD")
    page.text("r1_with_v3_cost_text", usd(r1_cost + v3_cost, 2))
    page.text("r1_claim_verdict", r1_verdict.verdict)
    page.number("claim_tolerance", claim_tolerance, "fraction")
    page.text("r1_stage_table_cost_text", usd(data.published("r1_total_usd")))
    runs = data.load_table("training_runs.csv")
    r1_runs = runs[runs["model"] == "DeepSeek-R1"]
    page.table(
        "r1_stages",
        r1_runs[["stage", "gpu_hours", "usd_published"]].assign(at_price=lambda f: compute.cost_usd(f["gpu_hours"], gpu_hour_usd))
        .rename(columns={"stage": "R1 stage", "gpu_hours": "H800 GPU-hours", "usd_published": "Published (USD)",
                         "at_price": "At the book's price (USD)"}),
        {"H800 GPU-hours": "{:,.0f}", "Published (USD)": "${:,.0f}", "At the book's price (USD)": "${:,.0f}"},
    )
    return page
