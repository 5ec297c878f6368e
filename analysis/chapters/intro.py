"""Landing page "What did DeepSeek-V3 really cost?": the final run, the headlines, the claims."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters import claims as claims_chapter
from analysis.chapters import reconciliation
from analysis.chapters.inputs import cost_model
from analysis.chapters.page import Page, Value
from analysis.chapters.uncertainty import simulate
from analysis.charts import fleet as charts
from analysis.formatting import usd_sig, versus
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import compute, reconcile
from analysis.model import uncertainty as unc

# The cost model, the Monte Carlo behind the headline ranges (the uncertainty chapter's) and the ledger's inputs: the
# landing page quotes the ledger's verdicts, made by the ledger's own function.
PARAMETERS = claims_chapter.PARAMETERS
# The Monte Carlo outputs the landing page shows (the answer's ranges and the chart's).
RANGED = (*unc.HEADLINES, "fleet_opex_per_year_usd", "fleet_gpu_spend_usd")
# The verdicts the landing page quotes, in the order a reader of the article meets the claims.
LANDING_VERDICTS = ("v3_cost_6m", "headline_1_6b_develop", "capex_1_6b", "opex_944m", "fleet_hopper_50k", "r1_cost_5m", "gpt4_cost_100m")
# The landing page's headlines: (results key, the cost model's key, how a reader sees it). Each is the quantity's one
# value, at the book's central inputs, with the Monte Carlo's P10-P90 beside it; never the Monte Carlo's median.
HEADLINES = (
    ("headline_dev", "total_development_cost_usd", usd_sig),
    ("headline_capex", "fleet_capex_usd", usd_sig),
    ("headline_opex", "fleet_opex_per_year_usd", usd_sig),
    ("headline_owned", "owned_gpu_hour_usd", lambda v: f"${v:.2f}"),
    ("headline_owned_useful", "owned_gpu_useful_hour_usd", lambda v: f"${v:.2f}"),
    ("headline_run_share", "v3_run_share_of_fleet_year", lambda v: f"{v:.1%}"),
)
# The headlines that rest on the estimate's GPU counts, also with those counts held: the range the ledger judges the
# estimate's own figures on ("$1.6B of servers"), quoted beside the range that lets the counts vary.
ON_COUNTS = ("headline_capex", "headline_opex")
ON_COUNTS_KEYS = (*reconciliation.RANGED_ON_COUNTS, "fleet_opex_per_year_usd")

# The numeric twin of each headline text (results.json: scripts read numbers, not "$1.88B").
HEADLINE_NUMBERS = {"headline_dev": ("headline_dev_usd", "USD"), "headline_capex": ("headline_capex_usd", "USD"),
                    "headline_opex": ("headline_opex_per_year_usd", "USD per year"),
                    "headline_owned": ("headline_owned_gpu_hour_usd", "USD per GPU-hour held"),
                    "headline_owned_useful": ("headline_owned_useful_gpu_hour_usd", "USD per useful GPU-hour"),
                    "headline_run_share": ("headline_run_share", "fraction")}

STAGE_KEYS = {"Pre-training": "pretrain", "Context extension": "context_ext", "Post-training": "post_training"}


# Each headline's texts and the numbers they show (results.text_twins: a script reads the number, `compare` leaves the
# text out): declared, because "headline_opex_text" and "headline_opex_per_year_usd" are too unlike to be matched by name.
TEXT_TWINS = {f"{name}{suffix}_text": f"{number}{suffix}" for name, (number, _) in HEADLINE_NUMBERS.items()
              for suffix in ("", "_p10", "_p90")} | {
    f"{name}_on_counts{suffix}_text": f"{HEADLINE_NUMBERS[name][0]}_on_counts{suffix}" for name in ON_COUNTS for suffix in ("_p10", "_p90")}


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    values: dict[str, float] = {name: p[name] for name in reconcile.MODEL_PARAMS}  # type: ignore[misc]
    r = cost_model(values)
    ranges = simulate(p, RANGED).ranges
    on_counts = reconciliation.ranges_on_counts(p, ON_COUNTS_KEYS)
    gpu_hour_usd = p["gpu_hour_usd"]

    stages = pd.DataFrame({
        "stage": list(STAGE_KEYS),
        "gpu_hours": [p["v3_pretrain_gpu_hours"], p["v3_context_ext_gpu_hours"], p["v3_post_training_gpu_hours"]],
    })
    stages["cost_usd"] = compute.cost_usd(stages["gpu_hours"], gpu_hour_usd)
    v3_gpu_hours_total = float(stages["gpu_hours"].sum())
    v3_training_cost_usd = float(compute.cost_usd(v3_gpu_hours_total, gpu_hour_usd))  # type: ignore[arg-type]

    page.number("gpu_hour_usd", gpu_hour_usd, "USD per GPU-hour")  # type: ignore[arg-type]
    page.number("v3_gpu_hours_total", v3_gpu_hours_total, "GPU-hours")
    page.number("v3_training_cost_usd", v3_training_cost_usd, "USD")
    page.text("v3_training_cost_text", usd_sig(v3_training_cost_usd))
    page.number("v3_gpu_hours_total_millions", v3_gpu_hours_total / 1e6, "million GPU-hours")
    for row in stages.itertuples():
        page.number(f"v3_{STAGE_KEYS[row.stage]}_cost_usd", row.cost_usd, "USD")
    for claim_id, shown in claims_chapter.claimed_texts_of_data().items():
        if not shown.startswith("“"):  # a claim with a number
            page.text(f"claim_{claim_id}_text", shown)

    _headlines(page, r, ranges, on_counts)
    page.text("headline_owned_vs_rental", versus(float(r["owned_gpu_hour_usd"]), float(gpu_hour_usd)))  # type: ignore[arg-type]
    page.number("headline_horizon_years", p["horizon_years"], "years")  # type: ignore[arg-type]
    # The model builders' pay within V3's development cost (the reconciliation's staff step over its total).
    page.number("headline_dev_staff_share", float(r["staff_dev_usd"]) / float(r["total_development_cost_usd"]), "fraction")
    page.number("headline_fleet_gpus", r["fleet_gpus"], "GPUs")
    page.number("headline_hopper_gpus", r["fleet_hopper_gpus"], "GPUs")
    page.number("headline_a100_gpus", r["fleet_gpus"] - r["fleet_hopper_gpus"], "GPUs")
    counts = ("fleet_a100", "fleet_h800", "fleet_h100", "fleet_h20")
    defaults = registry()
    page.text("headline_fleet_sentence", fleet_sentence(float(r["fleet_gpus"]), float(r["fleet_hopper_gpus"]),
                                                        claims_chapter.claim_value("fleet_hopper_50k"),
                                                        all(p[n] == defaults[n].default for n in counts)))
    if page.shows_tables:
        # "$1.6B of servers" turns on the H100's price and on whether it includes the network: the re-run at the H100's
        # grey-market quote and the reading on the GPU servers alone are said beside the verdict.
        judged = claims_chapter.judge(p)
        page.raw_html("verdicts", claims_chapter.verdict_list_html(
            judged, LANDING_VERDICTS, after={"capex_1_6b": " ".join(t for t in (claims_chapter.h100_grey_sentence(p, judged),
                                                            claims_chapter.servers_only_sentence(p, judged)) if t)}))
    page.number("landing_verdict_count", len(LANDING_VERDICTS), "claims")
    page.number("mc_samples", p["mc_samples"], "samples")  # type: ignore[arg-type]

    # The landing chart: the five claims a reader meets first, each on the row of what it claims.
    rows = reconciliation.headline_rows(p, r, ranges, on_counts)
    landing = ("v3_cost_6m", "r1_cost_5m", "headline_1_6b_develop", "opex_944m", "capex_1_6b")
    page.figure("fig_landing", charts.claims_on_their_axes(pd.DataFrame([rows[c] for c in landing]), reconciliation.CHART_TITLE))

    if page.shows_tables:
        _tables(page, stages, v3_gpu_hours_total, v3_training_cost_usd, data.load_table("claims.csv"))
    return page


def fleet_sentence(gpus: float, hoppers: float, article_hoppers: float, estimate_counts: bool) -> str:
    """What the fleet counted is: the estimate's whole table at its own counts (`estimate_counts`), or the counts this
    build set (a scenario without A100s is not "the article's 50,000 Hoppers plus the 0 A100s")."""
    a100 = gpus - hoppers
    if estimate_counts:
        return (f"The fleet is the estimate's whole table, {gpus:,.0f} GPUs: the article's {hoppers:,.0f} Hoppers plus the "
                f"{a100:,.0f} A100s that DeepSeek's parent, High-Flyer, bought in 2021, which DeepSeek's own cluster paper "
                "describes")
    besides = f" and {a100:,.0f} A100{'s' if a100 != 1 else ''}" if a100 > 0 else ", no A100s"
    return (f"The fleet counted here is {gpus:,.0f} GPUs: {hoppers:,.0f} Hoppers{besides} (the article says "
            f"{article_hoppers:,.0f} Hoppers)")


def _headlines(page: Page, r: Mapping[str, float], ranges: Mapping[str, Mapping[str, float]],
               on_counts: Mapping[str, Mapping[str, float]]) -> None:
    """Each headline at the central inputs, with its P10-P90, as text (rounded for the first screen) and as numbers; those
    resting on the estimate's GPU counts also with the counts held."""
    for name, key, shown in HEADLINES:
        number, unit = HEADLINE_NUMBERS[name]
        if name in ON_COUNTS:
            for q in ("p10", "p90"):
                page.text(f"{name}_on_counts_{q}_text", shown(on_counts[key][q]))
                page.number(f"{number}_on_counts_{q}", on_counts[key][q], unit)
        central, p10, p90 = float(r[key]), ranges[key]["p10"], ranges[key]["p90"]
        page.text(f"{name}_text", shown(central))
        page.text(f"{name}_p10_text", shown(p10))
        page.text(f"{name}_p90_text", shown(p90))
        page.number(number, central, unit)
        page.number(f"{number}_p10", p10, unit)
        page.number(f"{number}_p90", p90, unit)


def _tables(page: Page, stages: pd.DataFrame, v3_gpu_hours_total: float, v3_training_cost_usd: float, claims: pd.DataFrame) -> None:
    page.table(
        "stages",
        pd.concat(
            [stages, pd.DataFrame({"stage": ["Total"], "gpu_hours": [v3_gpu_hours_total], "cost_usd": [v3_training_cost_usd]})]
        ).rename(columns={"stage": "Stage", "gpu_hours": "H800 GPU-hours", "cost_usd": "Cost (USD)"}),
        {"H800 GPU-hours": "{:,.0f}", "Cost (USD)": "${:,.0f}"},
    )
    sources = data.load_indexed("sources.csv")
    claims["source"] = [sources.loc[s, "publisher"] for s in claims["source_id"]]
    # Each claim's figure as the ledger quotes it ($87,072, $1.6B, 2,048), or — for a statement.
    claims["value"] = [text if not text.startswith("“") else "—" for text in claims_chapter.claimed_texts(claims).values()]
    page.table("claims", claims[["claim", "value", "unit", "claimant", "scope", "source"]].rename(columns=str.capitalize))


