"""Chapter "The claims ledger": every claim of the article beside the book's reconstruction.

Each verdict is computed on every build. The tally tells verdicts reached by a check (against
something independent of the claim) from those that are assumed or unverifiable; for figure
claims, a Monte Carlo gives the share of samples in which the verdict holds and the uncertain
input that flips it most easily.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

import pandas as pd

from analysis.chapters import fleet as fleet_chapter
from analysis.chapters.inputs import cost_model, gpu_catalogue, model_config, r1_gpu_hours
from analysis.chapters.page import Page, Value
from analysis.chapters.uncertainty import simulate
from analysis.formatting import usd
from analysis.inputs import data
from analysis.model import architecture as arch
from analysis.model import claims_check, compute, inference, reconcile
from analysis.model import uncertainty as unc
from analysis.model.fleet import HOPPER
from analysis.model.ledger import CHECKED, REPRODUCED, VERDICTS, slug

INFERENCE_PARAMETERS = (
    "inference_nodes_avg", "gpus_per_node", "inference_input_tokens_per_day", "cache_hit_share", "inference_output_tokens_per_day",
    "prefill_tokens_per_s_per_node", "decode_tokens_per_s_per_node",
)
PARAMETERS = (*reconcile.MODEL_PARAMS, "training_tokens", *INFERENCE_PARAMETERS, "claim_tolerance", "mc_samples", "seed")
# DeepSeek's MTP modules are chained: depth k predicts token t+k+1 from depth k-1's output (V3 report §2.2),
# so its extra tokens are never predicted simultaneously, however deep the config makes it.
MTP_MODULES_RUN_IN_PARALLEL = False
BORDERLINE_SHARE = 2 / 3  # a verdict reached in fewer of the Monte Carlo samples is called borderline
MONTE_CARLO_KEYS = ("run_rental_usd", "total_development_cost_usd", "fleet_capex_usd", "fleet_gpu_spend_usd", "fleet_opex_usd")


def shown(value: float | None, unit: str) -> str:
    """A claimed or reconstructed figure for the ledger: money as $1.6B, counts as 10,000, missing as —."""
    if value is None or pd.isna(value):
        return "—"
    if unit.startswith("USD"):
        return usd(value, 2)
    return f"{value:.0%}" if unit == "fraction" else f"{value:,.0f}"


@cache
def _r1_launch_prices() -> inference.ApiPrices:
    row = data.load_indexed("api_prices.csv").loc["r1_launch"]
    return inference.ApiPrices(float(row["input_cache_hit_usd_per_m"]), float(row["input_cache_miss_usd_per_m"]),
                               float(row["output_usd_per_m"]))


def reconstructions(p: Mapping[str, Value]) -> dict[str, float]:
    """Every figure a claim can be compared with (claims_check.CHECKS names them)."""
    values: dict[str, float] = dict(cost_model(p))  # type: ignore[arg-type]
    v3 = model_config("deepseek_v3", "DeepSeek-V3")
    price: float = p["gpu_hour_usd"]  # type: ignore[assignment]
    r1_rental = float(compute.cost_usd(r1_gpu_hours(), price))
    # A second path to the run: DeepSeek's ISCA-2025 throughput (tokens per day) on the same 2,048 GPUs.
    days_from_throughput = float(p["training_tokens"]) / data.published("isca_v3_tokens_per_day")  # type: ignore[arg-type]
    gpus, ctx, post = float(p["training_gpus"]), float(p["v3_context_ext_gpu_hours"]), float(p["v3_post_training_gpu_hours"])  # type: ignore[arg-type]
    pretrain = float(p["v3_pretrain_gpu_hours"])  # type: ignore[arg-type]
    eq = arch.kv_cache_equivalents(v3)
    prices = _r1_launch_prices()
    cost_day = float(inference.cost_per_day_usd(p["inference_nodes_avg"], p["gpus_per_node"], price))  # type: ignore[arg-type]
    revenue_day = float(inference.theoretical_revenue_per_day_usd(
        p["inference_input_tokens_per_day"], p["cache_hit_share"], p["inference_output_tokens_per_day"], prices))  # type: ignore[arg-type]
    values |= {
        "training_gpus": gpus, "v3_routed_experts": v3.experts.routed, "v3_active_experts": v3.experts.active,  # type: ignore[union-attr]
        "fleet_h800": p["fleet_h800"], "fleet_h100": p["fleet_h100"],  # type: ignore[dict-item]
        "r1_rental_usd": r1_rental, "r1_with_v3_rental_usd": r1_rental + values["run_rental_usd"],
        "gpus_from_throughput": pretrain / (days_from_throughput * 24),
        "pretrain_days_from_gpu_hours": float(compute.wall_clock_days(pretrain, gpus)),
        "pretrain_days_from_throughput": days_from_throughput,
        "run_rental_from_throughput_usd": float(compute.cost_usd(days_from_throughput * 24 * gpus + ctx + post, price)),
        "table1_pretraining_share": pretrain / (pretrain + ctx + post),
        "table1_other_share": (ctx + post) / (pretrain + ctx + post),
        "v3_mtp_depth": float(v3.mtp_layers),
        "v3_kv_lora_rank": float(v3.attention.kv_lora_rank or 0),
        "v3_qk_rope_head_dim": float(v3.attention.qk_rope_head_dim),
        "mtp_is_simultaneous": float(v3.mtp_layers > 1 and MTP_MODULES_RUN_IN_PARALLEL),
        "mla_keeps_full_keys": float(eq["own"] >= eq["mha"]),
        "luk_opex_4y_usd": data.published("luk_tco_all_per_year_usd") * data.published("semianalysis_tco_years")
        - data.published("luk_capex_all_usd"),
        "semianalysis_tco_years": data.published("semianalysis_tco_years"),
        "fire_flyer_gpus": data.published("fire_flyer_a100_gpus"),
        # DeepSeek's own floor (the fleet chapter's): the peak serving day's H800s are the only Hoppers it has disclosed.
        "fleet_floor_h800": fleet_chapter.floor_counts()["h800"],
        "fleet_floor_hopper": sum(v for k, v in fleet_chapter.floor_counts().items() if k in HOPPER),
        "gpt4_epoch_amortised_usd": data.published("gpt4_epoch_amortised_usd"),
        "gpt4_epoch_cloud_usd": data.published("gpt4_epoch_cloud_usd"),
        "inference_cost_per_day_usd": cost_day,
        "inference_revenue_per_day_usd": revenue_day,
        "inference_revenue_published_usd": data.published("inference_revenue_per_day_usd"),
        "inference_cost_profit_margin": float(inference.cost_profit_margin(revenue_day, cost_day)),
        "inference_nodes_avg": p["inference_nodes_avg"],  # type: ignore[dict-item]
        "inference_nodes_from_throughput": float(inference.nodes_from_throughput(
            p["inference_input_tokens_per_day"], p["inference_output_tokens_per_day"],  # type: ignore[arg-type]
            p["prefill_tokens_per_s_per_node"], p["decode_tokens_per_s_per_node"])),  # type: ignore[arg-type]
    }
    # Money figures for the verdicts' words.
    texts = {"r1_rental_usd_text": usd(r1_rental, 2), "r1_with_v3_rental_usd_text": usd(r1_rental + values["run_rental_usd"], 2),
             "luk_tco_all_text": usd(data.published("luk_tco_all_per_year_usd")), "luk_capex_all_text": usd(data.published("luk_capex_all_usd")),
             "inference_revenue_published_text": f"${data.published('inference_revenue_per_day_usd'):,.0f}",
             "gpt4_epoch_amortised_text": usd(data.published("gpt4_epoch_amortised_usd")),
             "gpt4_epoch_cloud_text": usd(data.published("gpt4_epoch_cloud_usd"))}
    return values | texts  # type: ignore[operator]


def robustness(p: Mapping[str, Value], ledger: pd.DataFrame, values: Mapping[str, float], tolerance: float) -> pd.DataFrame:
    """For each figure claim: the share of Monte Carlo samples giving the same verdict, and the input that flips it
    when moved alone to its P10 or P90 ("none" when no single input does)."""
    sim = simulate(p, MONTE_CARLO_KEYS)  # the uncertainty chapter's Monte Carlo: same distributions, correlations, seed
    swings = unc.one_at_a_time(sim.values, sim.dists, gpu_catalogue(), r1_gpu_hours())
    labels = {d.parameter: d.label for d in sim.dists}
    rows = []
    for row in ledger.itertuples(index=False):
        bound = row.form == "bound"
        share = claims_check.verdict_share(row.id, row.claimed, row.verdict, sim.samples, values, tolerance, bound)
        flip = claims_check.flipped_by(row.id, row.claimed, row.verdict, swings, values, labels, tolerance, bound)
        rows.append({"id": row.id, "share": share, "flip": flip})
    return pd.DataFrame(rows)


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    tolerance: float = p["claim_tolerance"]  # type: ignore[assignment]
    values = reconstructions(p)
    ledger = claims_check.assess(data.load_table("claims.csv"), values, tolerance)
    robust = robustness(p, ledger, values, tolerance)
    share_of, flip_of = dict(zip(robust["id"], robust["share"], strict=True)), dict(zip(robust["id"], robust["flip"], strict=True))
    page.number("claim_tolerance", tolerance, "fraction")
    page.number("claim_tolerance_factor", 1 + tolerance, "times")
    for row in ledger.itertuples():
        page.text(f"claim_{row.id}_verdict", row.verdict)
        page.text(f"claim_{row.id}_verdict_text", row.verdict_text)
        page.text(f"claim_{row.id}_rests_on", row.rests_on or "nothing assumed")
        if row.ratio is not None and not pd.isna(row.ratio) and math.isfinite(row.ratio):  # no ratio to a book figure of 0
            page.number(f"claim_{row.id}_ratio", float(row.ratio), "claimed ÷ book")
        share, flip = share_of[row.id], flip_of[row.id]
        if share is not None and not pd.isna(share):
            page.number(f"claim_{row.id}_verdict_share", float(share), "fraction of Monte Carlo samples")
            page.text(f"claim_{row.id}_verdict_share_text", f"{float(share):.0%}")
            page.text(f"claim_{row.id}_flipped_by", str(flip))
            flips = ("no single input at its P10 or P90 flips it" if flip == claims_check.NO_FLIP
                     else f"{flip} flips it, moved alone" if ";" not in flip else f"moved alone, each of these flips it: {flip}")
            # Below two samples in three the verdict is close to a coin flip over the inputs' ranges: say so.
            borderline = " (borderline: the other verdict comes out nearly as often)" if float(share) < BORDERLINE_SHARE else ""
            page.text(f"claim_{row.id}_robustness_text",
                      f"the same verdict in {float(share):.0%} of the Monte Carlo samples{borderline}; {flips}")
    counts = ledger["verdict"].value_counts()
    for verdict in VERDICTS:
        page.number(f"verdict_count_{slug(verdict)}", int(counts.get(verdict, 0)), "claims")
    checked = ledger["verdict"].isin(CHECKED)
    page.number("claims_total", len(ledger), "claims")
    page.number("claims_checked", int(checked.sum()), "claims")
    on_counts = checked & ledger["rests_on"].str.startswith(claims_check.FLEET_COUNTS)
    page.number("claims_checked_assuming_counts", int(on_counts.sum()), "claims")
    # Checked against the estimate's prices and costs, but on its own GPU counts: not an independent check of the claim.
    page.number("claims_checked_independently", int((checked & ~on_counts).sum()), "claims")
    page.number("claims_assumed", int((ledger["kind"] == "assumed").sum()), "claims")
    page.number("claims_reproduced", int((ledger["verdict"] == REPRODUCED).sum()), "claims")
    page.number("claims_not_checked", len(ledger) - int(checked.sum()), "claims")
    page.number("mc_samples", p["mc_samples"], "samples")  # type: ignore[arg-type]
    page.text("fleet_counts_assumption", claims_check.FLEET_COUNTS)
    # What "over $100M" would have to cover beyond GPT-4's final run: multiples of Epoch's estimates of that run.
    gpt4_claim = float(ledger.set_index("id").loc["gpt4_cost_100m", "claimed"])
    page.number("gpt4_claim_over_epoch_amortised", gpt4_claim / values["gpt4_epoch_amortised_usd"], "times")
    page.number("gpt4_claim_over_epoch_cloud", gpt4_claim / values["gpt4_epoch_cloud_usd"], "times")

    page.table("ledger", ledger.assign(
        claimed=[shown(v, u) for v, u in zip(ledger["claimed"], ledger["unit"], strict=True)],
        reconstruction=[shown(v, u) for v, u in zip(ledger["reconstruction"], ledger["unit"], strict=True)],
    )[["claim", "claimant", "claimed", "reconstruction", "scope", "verdict_text"]].rename(columns={
        "claim": "Claim", "claimant": "Who", "claimed": "Claimed", "reconstruction": "Book", "scope": "Compared with",
        "verdict_text": "Verdict"}).rename(columns={"Book": "Book (default inputs)"}))
    shared = ledger[[share_of[i] is not None and not pd.isna(share_of[i]) for i in ledger["id"]]].set_index("id")
    page.table("robustness", pd.DataFrame({
        "Claim": shared["claim"], "Verdict": shared["verdict"], "Claimed ÷ book": shared["ratio"],
        "Same verdict in": [share_of[i] for i in shared.index],
        "Flipped by, moved alone": [flip_of[i] for i in shared.index],
    }), {"Claimed ÷ book": lambda v: f"{v:.2f}×" if math.isfinite(v) else "the book's figure is 0", "Same verdict in": "{:.0%}"})
    crossed = ledger[ledger["cross_check"] != ""]
    page.table("cross_checks", pd.DataFrame({"Claim": crossed["claim"], "Second path (independent unless it says not)": crossed["cross_check"]}))
    return page
