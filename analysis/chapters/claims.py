"""Chapter "The claims ledger": every claim of the article against the book's own range for the quantity it names.

Each verdict is computed on every build, here and only here (`judge`); other pages quote its sentence. A figure claim
is placed in the book's Monte Carlo distribution of its quantity (its percentile); the tally tells verdicts reached by
a check (against something independent of the claim) from those that are assumed, reproduced or unverifiable.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

import pandas as pd

from analysis.chapters import evidence, present
from analysis.chapters import fleet as fleet_chapter
from analysis.chapters.inputs import cost_model, model_config, r1_gpu_hours
from analysis.chapters.page import Page, Value
from analysis.chapters.uncertainty import Simulation, one_at_a_time, simulate
from analysis.formatting import usd, usd_sig, versus
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import architecture as arch
from analysis.model import claims_check, compute, inference, ledger, reconcile
from analysis.model.fleet import HOPPER

INFERENCE_PARAMETERS = (
    "inference_nodes_avg", "gpus_per_node", "inference_input_tokens_per_day", "cache_hit_share", "inference_output_tokens_per_day",
    "prefill_tokens_per_s_per_node", "decode_tokens_per_s_per_node",
)
PARAMETERS = (*reconcile.MODEL_PARAMS, "training_tokens", *INFERENCE_PARAMETERS, "claim_tolerance", "mc_samples", "seed")
# DeepSeek's MTP modules are chained: depth k predicts token t+k+1 from depth k-1's output (V3 report §2.2),
# so its extra tokens are never predicted simultaneously, however deep the config makes it.
MTP_MODULES_RUN_IN_PARALLEL = False
MONTE_CARLO_KEYS = ("run_rental_usd", "total_development_cost_usd", "fleet_capex_usd", "fleet_capex_servers_usd", "fleet_gpu_spend_usd",
                    "fleet_opex_usd", "fleet_opex_with_financing_usd", "cumulative_spend_usd")


@cache
def _r1_launch_prices() -> inference.ApiPrices:
    row = data.load_indexed("api_prices.csv").loc["r1_launch"]
    return inference.ApiPrices(float(row["input_cache_hit_usd_per_m"]), float(row["input_cache_miss_usd_per_m"]),
                               float(row["output_usd_per_m"]))


def claimant_terms() -> dict[str, float]:
    """DeepSeek's own inputs for its own arithmetic (the registry's defaults, sourced to its report and its inference
    overview), whatever a reader sets: a check of the claimant's sums must use the claimant's figures."""
    defaults = {name: float(param.default) for name, param in registry().items() if name in CLAIMANT_INPUTS}  # type: ignore[arg-type]
    return defaults | {name: data.published(key) for name, key in CLAIMANT_PUBLISHED.items()}


# The claimant's inputs: DeepSeek's Table 1 and its $2 (registry defaults, sourced to the V3 report) ...
CLAIMANT_INPUTS = ("gpu_hour_usd", "v3_pretrain_gpu_hours", "v3_context_ext_gpu_hours", "v3_post_training_gpu_hours", "training_tokens")
# ... and the inference overview's own figures (data/published_figures.csv).
CLAIMANT_PUBLISHED = {
    "inference_nodes_avg": "inference_nodes_avg", "gpus_per_node": "inference_gpus_per_node", "inference_gpu_hour_usd": "inference_gpu_hour_usd",
    "inference_input_tokens_per_day": "inference_input_tokens_per_day", "cache_hit_share": "inference_cache_hit_share",
    "inference_output_tokens_per_day": "inference_output_tokens_per_day",
}


def reconstructions(p: Mapping[str, Value]) -> dict[str, float | str]:
    """Every figure a claim can be compared with (claims_check.CHECKS names them), at the inputs p; the claimant's
    arithmetic at the claimant's own inputs."""
    values: dict[str, float | str] = dict(cost_model(p))  # type: ignore[arg-type]
    v3 = model_config("deepseek_v3", "DeepSeek-V3")
    price: float = p["gpu_hour_usd"]  # type: ignore[assignment]
    own = claimant_terms()
    r1_rental = float(compute.cost_usd(r1_gpu_hours(), price))
    # DeepSeek's sums on DeepSeek's figures: Table 1's GPU-hours at its $2; the inference day at its $2.
    claimant_hours = own["v3_pretrain_gpu_hours"] + own["v3_context_ext_gpu_hours"] + own["v3_post_training_gpu_hours"]
    claimant_run = float(compute.cost_usd(claimant_hours, own["gpu_hour_usd"]))
    # A second path to the run: DeepSeek's ISCA-2025 throughput (tokens per day) on the same 2,048 GPUs.
    days_from_throughput = own["training_tokens"] / data.published("isca_v3_tokens_per_day")
    gpus = float(p["training_gpus"])  # type: ignore[arg-type]
    eq = arch.kv_cache_equivalents(v3)
    prices = _r1_launch_prices()
    cost_day = float(inference.cost_per_day_usd(own["inference_nodes_avg"], own["gpus_per_node"], own["inference_gpu_hour_usd"]))
    revenue_day = float(inference.theoretical_revenue_per_day_usd(
        own["inference_input_tokens_per_day"], own["cache_hit_share"], own["inference_output_tokens_per_day"], prices))
    run_here = float(values["run_rental_usd"])
    values |= _beside(p, own, claimant_hours)
    values |= {
        "training_gpus": gpus, "v3_routed_experts": v3.experts.routed, "v3_active_experts": v3.experts.active,  # type: ignore[union-attr]
        "fleet_h800": p["fleet_h800"], "fleet_h100": p["fleet_h100"],  # type: ignore[dict-item]
        "claimant_run_rental_usd": claimant_run, "claimant_gpu_hours": claimant_hours,
        "r1_rental_usd": r1_rental, "r1_with_v3_rental_usd": r1_rental + run_here,
        "gpus_from_throughput": own["v3_pretrain_gpu_hours"] / (days_from_throughput * 24),
        "pretrain_days_from_gpu_hours": float(compute.wall_clock_days(own["v3_pretrain_gpu_hours"], gpus)),
        "pretrain_days_from_throughput": days_from_throughput,
        "run_rental_from_throughput_usd": float(compute.cost_usd(
            days_from_throughput * 24 * gpus + own["v3_context_ext_gpu_hours"] + own["v3_post_training_gpu_hours"], own["gpu_hour_usd"])),
        "table1_pretraining_share": own["v3_pretrain_gpu_hours"] / claimant_hours,
        "table1_other_share": (claimant_hours - own["v3_pretrain_gpu_hours"]) / claimant_hours,
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
        "claimant_inference_cost_usd": cost_day,
        "inference_revenue_per_day_usd": revenue_day,
        "inference_revenue_published_usd": data.published("inference_revenue_per_day_usd"),
        "inference_cost_profit_margin": float(inference.cost_profit_margin(revenue_day, cost_day)),
        "inference_nodes_avg": own["inference_nodes_avg"],
        "inference_nodes_from_throughput": float(inference.nodes_from_throughput(
            own["inference_input_tokens_per_day"], own["inference_output_tokens_per_day"],
            p["prefill_tokens_per_s_per_node"], p["decode_tokens_per_s_per_node"])),  # type: ignore[arg-type]
    }
    return values | _texts(own, price, r1_rental, run_here, claimant_hours, claimant_run)


def _beside(p: Mapping[str, Value], own: Mapping[str, float], claimant_hours: float) -> dict[str, float]:
    """What a verdict quotes beside its comparison: the quantities resting on the estimate's counts on DeepSeek's own
    floor instead, and DeepSeek's run at the H800's market rental beside its assumed price."""
    on_floor = cost_model(fleet_chapter.floor_params(p))  # type: ignore[arg-type]
    market = fleet_chapter.h800_market_rental_usd()
    return {claims_check.on_floor_key(key): float(on_floor[key]) for key in claims_check.ON_COUNTS} | {
        "horizon_years": float(p["horizon_years"]),  # type: ignore[arg-type]
        "h800_market_rental_usd": market, "claimant_gpu_hour_usd": own["gpu_hour_usd"],
        "claimant_run_market_usd": float(compute.cost_usd(claimant_hours, market)),
    }


def _texts(own: Mapping[str, float], price: float, r1_rental: float, run_here: float, claimant_hours: float,
           claimant_run: float) -> dict[str, str]:
    """Money figures for the verdicts' words."""
    texts = {"r1_rental_usd_text": usd(r1_rental, 2), "r1_with_v3_rental_usd_text": usd(r1_rental + run_here, 2),
             "luk_tco_all_text": usd(data.published("luk_tco_all_per_year_usd")), "luk_capex_all_text": usd(data.published("luk_capex_all_usd")),
             "inference_revenue_published_text": f"${data.published('inference_revenue_per_day_usd'):,.0f}",
             "gpt4_epoch_amortised_text": usd_sig(data.published("gpt4_epoch_amortised_usd")),
             "gpt4_epoch_cloud_text": usd_sig(data.published("gpt4_epoch_cloud_usd")),
             "claimant_gpu_hours_text": f"{claimant_hours / 1e6:.2f}M", "claimant_price_text": dollars(own["gpu_hour_usd"]),
             "price_text": dollars(price),
             # The reader's own price gives the book's figure beside DeepSeek's arithmetic (never instead of it).
             "at_price_text": "" if price == own["gpu_hour_usd"] else f"; at {dollars(price)}, {usd_sig(run_here)}",
             "claimant_run_rental_text": usd_sig(claimant_run)}
    return texts


@dataclass(frozen=True)
class Ledger:
    """The ledger at one set of inputs: each claim's record, the book it was judged against, and what moves each
    quantity most."""

    claims: pd.DataFrame
    records: list[ledger.Record]
    book: claims_check.Book
    moved_by: dict[str, str]  # quantity key → the inputs that move the book's figure most, in words
    tolerance: float

    @cached_property
    def claimed_values(self) -> dict[str, float]:
        """Each claim's figure by id (its `value`), read once per ledger."""
        return dict(zip(self.claims["id"], self.claims["value"], strict=True))

    def by_id(self) -> dict[str, ledger.Record]:
        return {r.claim_id: r for r in self.records}

    def table(self) -> pd.DataFrame:
        return claims_check.table(self.claims, self.records, self.book, self.tolerance)


def claim_value(claim_id: str) -> float:
    """One claim's figure (data/claims.csv `value`): read once per loaded table (a reload is noticed)."""
    return float(_claims_data()[0][claim_id])


def claimed_texts_of_data() -> dict[str, str]:
    """claimed_texts of data/claims.csv, computed once per loaded table (a reload is noticed). A copy."""
    return dict(_claims_data()[1])


def _claims_data() -> tuple[dict[str, float], dict[str, str]]:
    """Each claim's figure and its text as quoted, made once per loaded data/claims.csv."""
    return data.derived("claims.csv", _figures_of_claims)


def _figures_of_claims(data_dir: Path) -> tuple[dict[str, float], dict[str, str]]:
    claims = data.load_table("claims.csv", data_dir)
    return dict(zip(claims["id"], claims["value"], strict=True)), claimed_texts(claims)


def claimed_texts(claims: pd.DataFrame) -> dict[str, str]:
    """Each claim as a reader quotes it: $6M, 2,048, 100%, or its words for a statement."""
    return {c.id: (money(c.value) if c.unit.startswith("USD") else f"{c.value:.0%}" if c.unit == "fraction" else f"{c.value:,.0f}")
            if c.value == c.value else f"“{c.claim}”" for c in claims_check.claim_rows(claims)}


def money(value: float) -> str:
    """A claimed sum as the claim states it: $6M, $1.6B, and $87,072 in full below a million."""
    return usd_sig(value) if abs(value) >= 1e6 else f"${value:,.0f}"


def dollars(value: float) -> str:
    """A price per hour: $2, $2.35."""
    return f"${value:,.0f}" if value == round(value) else f"${value:,.2f}"


def _lower(label: str) -> str:
    """An input's label inside a sentence: 'Staff cost per person-year' → 'staff cost per person-year' ('H20 count' stays)."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _moved_by(sim: Simulation, keys: tuple[str, ...]) -> dict[str, str]:
    """For each of `keys`, the two inputs that move it most when moved alone from their P10 to their P90."""
    swings = one_at_a_time(sim)  # shared with the uncertainty chapter's tornados: not mutated here
    out = {}
    for key in keys:
        # The tornado's ranking (unc.tornado), without its table: the dependency pass asks once per parameter it moves.
        moved = [(abs(swings[d.parameter][1][key] - swings[d.parameter][0][key]), d.label or d.parameter) for d in sim.dists]
        top = [_lower(str(label)) for swing, label in sorted(moved, key=lambda m: -m[0]) if swing > 0][:2]
        out[key] = " and ".join(top) if top else "none of the uncertain inputs"
    return out


def judge(p: Mapping[str, Value]) -> Ledger:
    """Every claim judged against the book's own range for the quantity it names (the one place verdicts are made).

    The landing page quotes the same ledger, and the dependency pass moves the same inputs for both pages: one judgement
    per set of inputs serves both (the result is never mutated)."""
    return _judged(tuple(sorted((name, p[name]) for name in PARAMETERS)))


@lru_cache(maxsize=256)
def _judged(items: tuple[tuple[str, Value], ...]) -> Ledger:
    p = dict(items)
    tolerance: float = p["claim_tolerance"]  # type: ignore[assignment]
    values = reconstructions(p)
    floor = fleet_chapter.is_floor(p)
    sim = simulate(p, MONTE_CARLO_KEYS)
    sim_on_counts = simulate(p, MONTE_CARLO_KEYS, counts_given=True)
    book = claims_check.Book(values, sim.samples, usd_sig, floor, sim_on_counts.samples)
    claims = data.load_table("claims.csv")
    records = claims_check.assess(claims, claimed_texts_of_data(), book, tolerance)
    # What moves a quantity judged on the estimate's counts is found with those counts held, as its range is.
    on_counts = tuple(k for k in MONTE_CARLO_KEYS if k in claims_check.ON_COUNTS)
    moved = _moved_by(sim, tuple(k for k in MONTE_CARLO_KEYS if k not in on_counts)) | _moved_by(sim_on_counts, on_counts)
    return Ledger(claims, records, book, moved, tolerance)


def badge(record: ledger.Record) -> str:
    """A verdict's badge: its plain words in a coloured box (book/_static/custom.css), the full verdict as its title; a
    verdict reached with the estimate's own counts held says so ("prices consistent, counts assumed"), and one the counts
    decide, or that depends on the claim's definition, is coloured as such rather than as its label."""
    import html

    verdict, words = record.verdict, ledger.badge(record)
    counts = " verdict-on-counts" if record.on_counts else ""
    if words == ledger.BADGE_COUNTS_DECIDE:
        counts += " verdict-counts-decide"
    elif words == ledger.BADGE_DEFINITION:
        counts += " verdict-depends-on-definition"
    return (f'<span class="verdict-badge verdict-{ledger.slug(verdict).replace("_", "-").lower()}{counts}" title="{html.escape(verdict)}">'
            f"{html.escape(words)}</span>")


def verdict_list_html(book: Ledger, ids: tuple[str, ...], link: str = "claims.html", after: Mapping[str, str] | None = None) -> str:
    """Quoted verdicts with their badges, each linking to its row of the ledger: the landing page's list. `after` adds a
    sentence after a verdict's own (what would change it), by claim id."""
    import html

    found = book.by_id()
    claims = book.claims.set_index("id")
    more = {i: f" {html.escape(text)}" for i, text in (after or {}).items() if text}
    items = "".join(
        f'<li><p class="verdict-claim"><strong>“{html.escape(str(claims.loc[i, "claim"]))}”</strong> '
        f'({html.escape(str(claims.loc[i, "claimant"]))})</p>'
        f'<p>{badge(found[i])} {html.escape(ledger.sentence(found[i]))}{more.get(i, "")} '
        f'<a class="verdict-more" href="{link}#claim-{i.replace("_", "-")}">Why</a></p></li>'
        for i in ids)
    return f'<ul class="verdict-list">{items}</ul>'


def _evidence(rec: ledger.Record, table_row: Mapping[str, object], moved_by: Mapping[str, str]) -> str:
    """What a range verdict rests on, in one phrase: its percentile, the book's band, what moves the book's figure."""
    check = claims_check.CHECKS[rec.claim_id]
    moved = moved_by.get(check.quantity)
    parts = [f"the {ledger.ordinal(rec.percentile)} percentile of the book's samples" if rec.percentile is not None else ""]
    if moved:
        parts.append(f"moved most by {moved}")
    if table_row["rests_on"]:
        parts.append(f"assuming {table_row['rests_on']}")
    return "; ".join(p for p in parts if p)


def chapter(p: Mapping[str, Value]) -> Page:
    """The page's outline: the rule's settings, each claim's record, the tally, GPT-4 like for like, the tables."""
    page = Page()
    book = judge(p)
    rows = book.table()
    page.number("claim_tolerance", book.tolerance, "fraction")
    page.number("claim_tolerance_factor", 1 + book.tolerance, "times")
    page.number("band_low_percentile", ledger.BAND[0], "percentile")
    page.number("band_high_percentile", ledger.BAND[1], "percentile")
    page.number("mc_samples", p["mc_samples"], "samples")  # type: ignore[arg-type]
    page.text("fleet_counts_assumption", claims_check.FLEET_COUNTS)
    _records(page, book, rows)
    _financing(page, book)
    _h100_grey(page, p, book)
    _tally(page, rows)
    _like_for_like(page, book)
    if page.shows_tables:
        _tables(page, book, rows)
    return page


def _records(page: Page, book: Ledger, rows: pd.DataFrame) -> None:
    """Each claim's verdict, its sentence and badge, and for a range verdict the evidence: percentile, band, what moves it."""
    for rec, row in zip(book.records, rows.to_dict("records"), strict=True):
        cid = rec.claim_id
        page.text(f"claim_{cid}_verdict", rec.verdict)
        page.text(f"claim_{cid}_badge", ledger.badge(rec))
        page.text(f"claim_{cid}_verdict_text", ledger.sentence(rec))
        page.text(f"claim_{cid}_rests_on", row["rests_on"] or "nothing assumed")
        if row["ratio"] is not None and not pd.isna(row["ratio"]) and math.isfinite(row["ratio"]):  # no ratio to a book figure of 0
            page.number(f"claim_{cid}_ratio", float(row["ratio"]), "claimed ÷ book")
        if rec.percentile is not None and rec.band is not None:
            unit = str(row["unit"])
            page.number(f"claim_{cid}_percentile", rec.percentile, "percentile of the book's samples")
            page.number(f"claim_{cid}_p10", rec.band.p10, unit)
            page.number(f"claim_{cid}_p90", rec.band.p90, unit)
            page.text(f"claim_{cid}_moved_most_by", book.moved_by.get(claims_check.CHECKS[cid].quantity, "none of the uncertain inputs"))
            page.text(f"claim_{cid}_robustness_text", _evidence(rec, row, book.moved_by))
        if claims_check.judged_on_counts(cid):  # resting on the estimate's counts: the same quantity on DeepSeek's floor
            # (the fleet itself where the book's fleet is that floor, so that every build shows it)
            floor = float(book.book.values[claims_check.on_floor_key(claims_check.CHECKS[cid].quantity)])  # type: ignore[arg-type]
            page.number(f"claim_{cid}_on_floor", floor, str(row["unit"]))
            page.text(f"claim_{cid}_on_floor_text", book.book.shown(claims_check.CHECKS[cid].quantity, floor))


def _tally(page: Page, rows: pd.DataFrame) -> None:
    counts = rows["verdict"].value_counts()
    for verdict in ledger.VERDICTS:
        page.number(f"verdict_count_{ledger.slug(verdict)}", int(counts.get(verdict, 0)), "claims")
    checked = rows["verdict"].isin(ledger.CHECKED)
    page.number("claims_total", len(rows), "claims")
    page.number("claims_checked", int(checked.sum()), "claims")
    on_counts = checked & rows["rests_on"].str.startswith(claims_check.FLEET_COUNTS)
    page.number("claims_checked_assuming_counts", int(on_counts.sum()), "claims")
    page.text("claims_checked_assuming_counts_text", _more(int(on_counts.sum()), "is", "are"))
    # Checked against the estimate's prices and costs, but on its own GPU counts: not an independent check of the claim.
    # Nor is a check against a figure DeepSeek itself published later (R1's GPU-hours): counted apart.
    on_deepseek = checked & rows["rests_on"].str.startswith("DeepSeek's")
    page.number("claims_checked_on_deepseek_figures", int(on_deepseek.sum()), "claims")
    page.text("claims_checked_on_deepseek_figures_text", _more(int(on_deepseek.sum()), "rests", "rest"))
    page.number("claims_checked_independently", int((checked & ~on_counts & ~on_deepseek).sum()), "claims")
    page.number("claims_assumed", int((rows["kind"] == "assumed").sum()), "claims")
    page.number("claims_reproduced", int((rows["verdict"] == ledger.REPRODUCED).sum()), "claims")
    page.number("claims_not_checked", len(rows) - int(checked.sum()), "claims")


def _more(n: int, singular: str, plural: str) -> str:
    """A count with its verb agreeing: '1 more rests', '3 more are'."""
    return f"{n} more {singular if n == 1 else plural}"


def _financing(page: Page, book: Ledger) -> None:
    """'$944M to operate' as the estimate's line reads it, a TCO less capex: the book's opex plus the capital charge over
    the horizon (the annuity at the cost of capital less straight-line depreciation, on the book's capex), its range with
    the estimate's counts held, where the claim sits in it, and the label it would have there."""
    key, claimed = "fleet_opex_with_financing_usd", float(book.claimed_values["opex_944m"])
    band = book.book.band(key, on_counts=True)
    samples = book.book.draws(on_counts=True)[key]
    page.number("fleet_financing_usd", float(book.book.values["fleet_financing_usd"]), "USD")  # type: ignore[arg-type]
    page.text("fleet_financing_text", usd_sig(float(book.book.values["fleet_financing_usd"])))  # type: ignore[arg-type]
    page.number(key, band.central, "USD")
    page.text("fleet_opex_with_financing_text", usd_sig(band.central))
    for q, value in (("p10", band.p10), ("p90", band.p90)):
        page.number(f"{key}_{q}", value, "USD")
        page.text(f"fleet_opex_with_financing_{q}_text", usd_sig(value))
    page.number("claim_opex_944m_percentile_with_financing", ledger.percentile(claimed, samples), "percentile of the book's samples")
    page.text("claim_opex_944m_percentile_with_financing_text", ledger.ordinal(ledger.percentile(claimed, samples)))
    page.text("claim_opex_944m_verdict_with_financing", ledger.place(claimed, band))


@dataclass(frozen=True)
class Regrey:
    """'$1.6B of servers' re-run with the H100 centred on China's grey-market quote: the capex range with the estimate's
    counts held, the claim's percentile in it and the label it would have there."""

    band: ledger.Band
    percentile: float
    verdict: str


def h100_grey(p: Mapping[str, Value]) -> Regrey:
    """The capex claim with the H100 centred on China's grey-market quote instead of the median of its as-paid quotes
    (the evidence page's sensitivity, its grey price). A grey-market quote has no VAT invoice: its price does not depend
    on the VAT rate. The claims page and the landing page quote the same re-run."""
    return _h100_grey_at(tuple(sorted((name, p[name]) for name in PARAMETERS)))


# The capex claim's two readings of "server investment": the fleet's capex (the verdict's basis: GPU servers, their
# cluster network, storage and CPU nodes) and the GPU servers alone. The estimate's sources do not say which it is; the
# verdict keeps the network because SemiAnalysis's GPU-cloud model allocates networking to the server (sources.csv).
CAPEX_BASES = ("fleet_capex_usd", "fleet_capex_servers_usd")


@lru_cache(maxsize=64)
def _h100_grey_at(items: tuple[tuple[str, Value], ...], key: str = "fleet_capex_usd") -> Regrey:
    grey, samples = _grey_samples(items)
    band = ledger.band_of(samples[key], float(cost_model(grey)[key]))  # type: ignore[arg-type]
    claimed = claim_value("capex_1_6b")
    return Regrey(band, ledger.percentile(claimed, samples[key]), ledger.place(claimed, band))


@lru_cache(maxsize=64)
def _grey_samples(items: tuple[tuple[str, Value], ...]) -> tuple[dict[str, Value], Mapping[str, object]]:
    """The inputs with the H100 at its grey-market quote, and both capex bases' samples there, the counts held."""
    p = dict(items)
    vat = float(registry()["vat_rate"].default)  # type: ignore[arg-type]  # a grey quote is not netted: any rate serves
    grey = {**p, "price_h100_usd": _grey_price(vat, float(p["server_non_gpu_usd"]))}  # type: ignore[arg-type]
    return grey, simulate(grey, CAPEX_BASES, counts_given=True).samples


@lru_cache(maxsize=64)
def _grey_price(vat_rate: float, non_gpu_per_server: float) -> float:
    """The H100's grey-market quote among the as-paid quotes at these two inputs (all it reads), once per pair."""
    return evidence.h100_grey_price(evidence.as_paid_quotes(vat_rate, non_gpu_per_server))


def servers_only(p: Mapping[str, Value], book: Ledger) -> tuple[Regrey, Regrey]:
    """The capex claim on the GPU servers alone (no network, storage or CPU nodes), with the counts held as the verdict's
    range holds them: at the book's inputs and with the H100 at its grey-market quote."""
    key = "fleet_capex_servers_usd"
    claimed = float(book.claimed_values["capex_1_6b"])
    band = book.book.band(key, on_counts=True)
    samples = book.book.draws(on_counts=True)[key]
    here = Regrey(band, ledger.percentile(claimed, samples), ledger.place(claimed, band))
    return here, _h100_grey_at(tuple(sorted((name, p[name]) for name in PARAMETERS)), key)


WHERE = {ledger.WITHIN: "within", ledger.ABOVE: "above", ledger.BELOW: "below"}


def servers_only_sentence(p: Mapping[str, Value], book: Ledger) -> str:
    """The servers-only reading beside the capex verdict: that the book does not know which basis the estimate uses, the
    range on the servers alone, where the claim sits and whether the verdict holds or flips there, and the grey re-run."""
    rec = book.by_id()["capex_1_6b"]
    here, grey = servers_only(p, book)
    fleet_grey = h100_grey(p)
    turn = "holds" if here.verdict == rec.verdict else "flips"
    grey_turn = ("as on fleet capex" if grey.verdict == fleet_grey.verdict
                 else f"where on fleet capex it is {WHERE[fleet_grey.verdict]}")
    return (f"The book does not know whether the estimate's {rec.claimed_text} includes the network; the verdict is on fleet "
            f"capex, network included. On the GPU servers alone (no network, storage or CPU nodes; counts held) the range is "
            f"{usd_sig(here.band.p10)}–{usd_sig(here.band.p90)}: {rec.claimed_text}, at its {ledger.ordinal(here.percentile)} "
            f"percentile, is {WHERE[here.verdict]} it, so the verdict {turn}. With the grey-market H100 as well, "
            f"{usd_sig(grey.band.p10)}–{usd_sig(grey.band.p90)}: {WHERE[grey.verdict]} it, {grey_turn}.")


def h100_grey_sentence(p: Mapping[str, Value], book: Ledger) -> str:
    """The re-run in one sentence beside the capex verdict, for a verdict on the estimate's counts ('' otherwise): the
    range with the H100 at its grey-market quote and whether the claim's label changes there."""
    rec = book.by_id()["capex_1_6b"]
    if not rec.on_counts:
        return ""
    grey = h100_grey(p)
    span = f"{usd_sig(grey.band.p10)}–{usd_sig(grey.band.p90)}"
    where = WHERE[grey.verdict]
    verb = "stays" if grey.verdict == rec.verdict else "falls"
    return f"With the H100 at China's grey-market quote the range is {span}, and {rec.claimed_text} {verb} {where} it."


def _h100_grey(page: Page, p: Mapping[str, Value], book: Ledger) -> None:
    """The capex claim's re-run with the H100 at its grey-market quote (h100_grey), as the claims page shows it."""
    grey = h100_grey(p)
    for q, value in (("p10", grey.band.p10), ("p90", grey.band.p90)):
        page.number(f"claim_capex_1_6b_{q}_at_h100_grey", value, "USD")
        page.text(f"claim_capex_1_6b_{q}_at_h100_grey_text", usd_sig(value))
    page.number("claim_capex_1_6b_percentile_at_h100_grey", grey.percentile, "percentile of the book's samples")
    page.text("claim_capex_1_6b_percentile_at_h100_grey_text", ledger.ordinal(grey.percentile))
    page.text("claim_capex_1_6b_verdict_at_h100_grey", grey.verdict)
    page.text("claim_capex_1_6b_at_h100_grey_text", h100_grey_sentence(p, book))
    _servers_only(page, p, book)


def _servers_only(page: Page, p: Mapping[str, Value], book: Ledger) -> None:
    """The capex claim on the GPU servers alone (servers_only), at the book's inputs and at the grey-market H100."""
    for at, placed in zip(("", "_at_h100_grey"), servers_only(p, book), strict=True):
        for q, value in (("p10", placed.band.p10), ("p90", placed.band.p90)):
            page.number(f"claim_capex_1_6b_servers_{q}{at}", value, "USD")
            page.text(f"claim_capex_1_6b_servers_{q}{at}_text", usd_sig(value))
        page.number(f"claim_capex_1_6b_servers_percentile{at}", placed.percentile, "percentile of the book's samples")
        page.text(f"claim_capex_1_6b_servers_percentile{at}_text", ledger.ordinal(placed.percentile))
        page.text(f"claim_capex_1_6b_servers_verdict{at}", placed.verdict)
    page.text("claim_capex_1_6b_servers_only_text", servers_only_sentence(p, book))


def _tables(page: Page, book: Ledger, rows: pd.DataFrame) -> None:
    """The ledger (each row an anchor other pages link to), the evidence of range verdicts, the scopes, the second paths."""
    page.raw_html("ledger", present.table_html(pd.DataFrame({
        "Claim": rows["claim"], "Claimed": [r.claimed_text if r.claimed is not None else "—" for r in book.records],
        "Verdict": [badge(r) for r in book.records], "What the book finds": rows["verdict_text"],
    }), row_ids=[f"claim-{i.replace('_', '-')}" for i in rows["id"]], markup=frozenset({"Verdict"})))
    ranged = rows[rows["percentile"].notna()]
    page.table("evidence", pd.DataFrame({
        "Claim": ranged["claim"], "Claimed": [usd_sig(v) for v in ranged["claimed"]],
        "Book, central": [usd_sig(v) for v in ranged["central"]],
        "Book P10": [usd_sig(v) for v in ranged["p10"]], "Book P90": [usd_sig(v) for v in ranged["p90"]],
        "Percentile": [ledger.ordinal(v) for v in ranged["percentile"]],
        "Moved most by": [book.moved_by.get(claims_check.CHECKS[i].quantity, "—") for i in ranged["id"]],
        "Rests on": [r or "nothing assumed" for r in ranged["rests_on"]],
    }))
    page.table("scopes", pd.DataFrame({"Claim": rows["claim"], "Who": rows["claimant"], "Compared with": rows["scope"],
                                       "Verdict": rows["verdict"]}))
    crossed = rows[rows["cross_check"] != ""]
    page.table("cross_checks", pd.DataFrame({"Claim": crossed["claim"], "Second path (independent unless it says not)": crossed["cross_check"]}))


def _like_for_like(page: Page, book: Ledger) -> None:
    """GPT-4 against V3 on one basis: Epoch AI's GPT-4 final run over V3's final run (the book's, from DeepSeek's
    GPU-hours), at rental (cloud) prices and at ownership cost. The article set a reported total ("more than $100M")
    against one run at a rental price. At rental prices, V3's run is priced at the H800's market rental (Epoch's GPT-4
    side is at market cloud prices too) and at DeepSeek's assumed price, below that market."""
    values = book.book.values
    gpt4_claim = float(book.claimed_values["gpt4_cost_100m"])
    page.number("gpt4_claim_over_epoch_amortised", gpt4_claim / float(values["gpt4_epoch_amortised_usd"]), "times")  # type: ignore[arg-type]
    page.number("gpt4_claim_over_epoch_cloud", gpt4_claim / float(values["gpt4_epoch_cloud_usd"]), "times")  # type: ignore[arg-type]
    rental = float(values["gpt4_epoch_cloud_usd"]) / float(values["claimant_run_rental_usd"])  # type: ignore[arg-type]
    # Epoch's amortised figure is hardware depreciation plus energy: V3's run on Epoch's own method, per H800-hour.
    owned = float(values["gpt4_epoch_amortised_usd"]) / (float(values["owned_gpu_hour_epoch_usd"]) * float(values["v3_gpu_hours"]))  # type: ignore[arg-type]
    page.number("gpt4_over_v3_final_run", rental, "times")
    market = float(values["claimant_run_market_usd"])  # type: ignore[arg-type]
    page.number("v3_final_run_market_usd", market, "USD")
    # The date of that market price (data/rental_prices.csv): Epoch's GPT-4 figure uses earlier (A100) cloud prices.
    row = data.load_indexed("rental_prices.csv").loc["h800_market"]
    dated = pd.Period(str(row["date"]), freq="M")
    page.text("h800_market_rental_date_text", dated.strftime("%B %Y"))
    # Which market: the row's source (data/sources.csv), a table of GPU rental prices collected by its publisher.
    page.text("h800_market_rental_source_text", f"{data.load_indexed('sources.csv').loc[row['source_id'], 'publisher']}'s "
                                                "table of GPU rental prices")
    page.text("v3_final_run_market_text", usd_sig(market))
    page.number("gpt4_over_v3_final_run_market", float(values["gpt4_epoch_cloud_usd"]) / market, "times")  # type: ignore[arg-type]
    page.number("claimant_gpu_hour_usd", float(values["claimant_gpu_hour_usd"]), "USD per GPU-hour")  # type: ignore[arg-type]
    page.text("claimant_price_vs_market", versus(float(values["claimant_gpu_hour_usd"]), float(values["h800_market_rental_usd"])))  # type: ignore[arg-type]
    page.number("gpt4_over_v3_final_run_owned", owned, "times")
    r5 = float(book.claimed_values["r1_cost_5m"])
    page.number("article_gpt4_over_r1", gpt4_claim / r5, "times")
    page.text("like_for_like_text", f"{min(owned, rental):.0f} to {max(owned, rental):.0f} times")
