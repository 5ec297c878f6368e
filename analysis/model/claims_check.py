"""The claims ledger: each claim of the article against the book's own figure for the quantity it names.

What each claim is compared with is the book's reasoning, kept here in one table; the verdicts come from
analysis.model.ledger. One scope rule: a claim is judged as the quantity it names ("$1.6B to develop V3" as V3's
development cost), and where its figure falls outside the book's range for that quantity, the verdict says which
quantity of the book it does fit. Kinds of check:
- "range": the claimed figure (or bound) placed in the book's Monte Carlo distribution of the quantity (a fixed figure
  where the book does not vary it);
- "arithmetic": the claim rebuilt from the claimant's own inputs (DeepSeek's GPU-hours and its $2, whatever price a
  reader sets): a match is "reproduced", internal consistency rather than evidence;
- "fact": a figure of a published configuration or table, within the rounding tolerance;
- "assumed": the book's input is built from the claim (the fleet counts): nothing independent to compare;
- "description": a qualitative claim against a fact of the published config or paper (1 holds, 0 contradicted);
- "evidence": a primary source bears the claim out for part of its scope;
- "unverifiable": nothing public to compare with.
A verdict names what it rests on: the claimant's own figures, or inputs the book assumes without an independent check
(the fleet counts). A cross-check is a second path to the same quantity.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis.model.ledger import (
    ABOVE,
    ABOVE_FIGURE,
    ASSUMED,
    BELOW,
    BELOW_FIGURE,
    CONFIRMED,
    INACCURATE,
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    UNVERIFIABLE,
    WITHIN,
    Band,
    Match,
    Record,
    band_of,
    percentile,
    place,
    place_on_figure,
    ratio,
    sentence,
    within,
)

# The assumed inputs verdicts may rest on, named once so that every claim resting on them says the same.
FLEET_COUNTS = "the fleet counts (ranges around the estimate; no independent count exists)"
FLEET_COUNTS_AND_HORIZON = FLEET_COUNTS + " and the 4 years of the table's last line, 'TCO (4y Ownership)'"
ESTIMATE_FIGURES = "the estimate's own counts"
# A second path that uses DeepSeek's own figures to check DeepSeek's own figures: consistency, not evidence.
NOT_INDEPENDENT = "not independent (DeepSeek's own figures), a check of consistency: "
FORMS = ("figure", "bound", "statement")  # what a claim states: about $X, more than $X, or a description
KINDS = ("range", "arithmetic", "fact", "assumed", "description", "evidence", "unverifiable")


@dataclass(frozen=True)
class Check:
    kind: str
    quantity: str = ""  # key of the book's figure for the quantity the claim names (its samples, where the book varies it)
    words: str = ""  # that quantity in words, for the verdict's sentence
    scope: str = ""  # the same, as the ledger's "compared with" column says it
    rests_on: str = ""  # assumed inputs the comparison rests on ("" for none)
    fits: tuple[tuple[str, str], ...] = ()  # other quantities (key, words) a figure outside its own range may fit
    # (key of the claim's figure by a second path, key compared or "claimed", what, "same" or "floor"):
    # "same" agrees within the tolerance; "floor" asks only whether the claim is at least the proven floor.
    cross_check: tuple[str, str, str, str] | None = None
    fact: str = ""  # description and evidence checks: the key of the deciding fact
    own_figures: str = ""  # arithmetic checks: whose figures the rebuilt value comes from
    # A description loosely right (the mechanism exists, the words overstate it), or a published share that is close but
    # not exact: "partly borne out" rather than "inaccurate" or "confirmed".
    partial: bool = False
    note: str = ""  # the sentence of a verdict not placed in a range ({claim} and the values fill it in)


def _range(key: str, words: str, scope: str, rests_on: str = "", fits: tuple[tuple[str, str], ...] = (),
           cross_check: tuple[str, str, str, str] | None = None) -> Check:
    return Check("range", key, words, scope, rests_on, fits, cross_check)


CHECKS: dict[str, Check] = {
    "v3_cost_6m": Check(
        "arithmetic", "claimant_run_rental_usd", scope="the final V3 run rebuilt from DeepSeek's Table 1: its GPU-hours × its $2",
        own_figures="DeepSeek's GPU-hours and rental price",
        cross_check=("run_rental_from_throughput_usd", "claimant_run_rental_usd",
                     NOT_INDEPENDENT + "the run's cost from DeepSeek's ISCA-2025 throughput (tokens per day) instead of "
                     "Table 1's GPU-hours", "same"),
        note="{claim} is DeepSeek's own arithmetic, reproduced: {claimant_gpu_hours_text} H800 GPU-hours at "
             "{claimant_price_text} an hour is {claimant_run_rental_text}{at_price_text}"),
    "six_m_pretraining_only": Check(
        "fact", "table1_pretraining_share", scope="pre-training's share of Table 1's GPU-hours", partial=True,
        note="Mostly: pre-training is {table1_pretraining_share:.1%} of the run's GPU-hours; context extension and post-training "
             "are the rest"),
    "v3_gpus_2048": Check(
        "arithmetic", "gpus_from_throughput",
        scope="GPUs implied by Table 1's pre-training GPU-hours over the days ISCA-2025's tokens per day take",
        own_figures="DeepSeek's GPU-hours and throughput",
        cross_check=("pretrain_days_from_gpu_hours", "pretrain_days_from_throughput",
                     NOT_INDEPENDENT + "days of pre-training, GPU-hours ÷ {training_gpus:,.0f} GPUs against tokens ÷ tokens "
                     "per day", "same"),
        note="{claim} is DeepSeek's own arithmetic, reproduced: its GPU-hours over its days of pre-training give "
             "{gpus_from_throughput:,.0f} GPUs"),
    "v3_experts_256": Check("fact", "v3_routed_experts", scope="routed experts per MoE layer (config)",
                            note="Confirmed: V3's published config has {v3_routed_experts:.0f} routed experts per MoE layer"),
    "v3_experts_active_8": Check("fact", "v3_active_experts", scope="routed experts per token per MoE layer (config)",
                                 note="Confirmed: the config routes each token to {v3_active_experts:.0f} of them"),
    "mtp_description": Check(
        "description", fact="mtp_is_simultaneous", partial=True,
        scope="config: {v3_mtp_depth:.0f} MTP module, chained after the main model: one extra token per depth, in sequence",
        note="Loosely put: V3 predicts {v3_mtp_depth:.0f} extra token per step, in sequence, from a module chained after the "
             "main model; in serving it drafts a second token"),
    "mla_description": Check(
        "description", fact="mla_keeps_full_keys", partial=True,
        scope="config: keys and values cached as one compressed {v3_kv_lora_rank:.0f}-wide latent (+{v3_qk_rope_head_dim:.0f} RoPE) per layer",
        note="Loosely put: MLA compresses each token's keys and values into one {v3_kv_lora_rank:.0f}-wide latent per layer, "
             "re-expanded inside attention"),
    "fleet_hopper_50k": Check(
        "assumed", "fleet_hopper_gpus", scope="Hopper GPUs in the book's fleet (medians of ranges built around the estimate)",
        cross_check=("fleet_floor_hopper", "claimed", "DeepSeek's own disclosures prove {fleet_floor_hopper:,.0f} Hopper GPUs", "floor"),
        note="Taken on trust: no count is public; DeepSeek's own disclosures prove at least {fleet_floor_hopper:,.0f} Hoppers, a floor"),
    "fleet_h800_10k": Check(
        "assumed", "fleet_h800", scope="H800s in the book's fleet (the median of a range built around the estimate)",
        cross_check=("fleet_floor_h800", "claimed", "DeepSeek's own disclosures prove {fleet_floor_h800:,.0f} H800s", "floor"),
        note="Taken on trust: DeepSeek's own disclosures prove at least {fleet_floor_h800:,.0f} H800s, a floor, not a count"),
    "fleet_h100_10k": Check(
        "assumed", "fleet_h100", scope="H100s in the book's fleet (the median of a range built around the estimate)",
        note="Taken on trust: DeepSeek has disclosed no H100s, and no one has published a count"),
    "fleet_h20": Check("assumed", scope="the book's H20 count is the median of a range around the table's remainder",
                       note="Taken on trust: DeepSeek has disclosed no H20s; the book's count is the table's remainder"),
    # "Server investment" names the servers bought, money spent by the estimate's date: the fleet's capex as paid. Outside
    # its range it may fit the GPUs alone or all spending to date (capex, running costs since each purchase, staff).
    "capex_1_6b": _range("fleet_capex_usd", "fleet capex", "capex of the book's fleet, each GPU type as paid, storage and CPU nodes "
                         "included", FLEET_COUNTS,
                         fits=(("fleet_gpu_spend_usd", "the GPUs alone"), ("cumulative_spend_usd", "all spending to date"))),
    "headline_1_6b_develop": _range("total_development_cost_usd", "developing V3",
                                    "V3's development: run, research, R1 and staff",
                                    fits=(("fleet_capex_usd", "the whole fleet's capex"), ("cumulative_spend_usd", "all spending to date"))),
    # The book's opex has no capital charge; the estimate's line is a TCO, which charges for capital (SemiAnalysis's
    # GPU-cloud model finances owned servers): read so, less capex, the claim may fit opex plus financing. Either
    # reading turns on the maintenance input, the one most uncertain (from none, the most likely, to a vendor contract),
    # which the range varies: the sentence names no single upkeep, and the badge says the verdict depends on the reading.
    "opex_944m": _range("fleet_opex_usd", "{horizon_years:g} years' opex",
                        "4 years of running the clusters: power, rack rental, maintenance, cluster staff", FLEET_COUNTS_AND_HORIZON,
                        fits=(("fleet_opex_with_financing_usd", "opex plus financing"),),
                        cross_check=("luk_opex_4y_usd", "claimed", "not independent (Luk's totals read the same table), a check of how "
                                     "the table reads: {luk_tco_all_text} × {semianalysis_tco_years:g} − {luk_capex_all_text}", "same")),
    # "Spent on GPUs" is spending to date on one item: every GPU of the fleet was bought before the estimate, so the
    # fleet's GPU purchases as paid are that spend. As a bound it holds or not; all spending to date is its wider reading.
    "gpu_spend_500m": _range("fleet_gpu_spend_usd", "the fleet's GPU purchases", "GPU purchases of the book's fleet to the estimate's date, "
                             "as paid", FLEET_COUNTS, fits=(("cumulative_spend_usd", "all spending to date"),)),
    "owns_data_centres": Check(
        "evidence", fact="fire_flyer_gpus",
        scope="its own servers: Fire-Flyer 2's A100s (SC24); the same paper counts rack rental in operating cost",
        note="Partly: DeepSeek's SC24 paper shows its own servers ({fire_flyer_gpus:,.0f} A100s) but pays rent for the racks"),
    "self_funded": Check("unverifiable", scope="no public accounts of DeepSeek or High-Flyer",
                         note="Unverifiable: neither DeepSeek nor High-Flyer publishes accounts"),
    "researcher_pay_1_3m": Check("unverifiable", scope="no public pay data",
                                 note="Unverifiable: no pay data is public beyond the ranges of DeepSeek's job postings"),
    "r1_cost_5m": _range("r1_rental_usd", "R1's own training at {price_text} an hour", "R1's own training stages (Nature) at the rental price",
                         "DeepSeek's R1 GPU-hours (Nature, September 2025, after the article)",
                         fits=(("r1_with_v3_rental_usd", "V3's run and R1's together"),)),
    # "More than $100M" for all of GPT-4's training: the book computes no range for it. The only public estimates are of
    # its final run, a narrower quantity that cannot bound the claim either way.
    "gpt4_cost_100m": Check(
        "unverifiable", scope="only the final run is estimated: Epoch AI puts it at {gpt4_epoch_amortised_text} amortised and "
                              "{gpt4_epoch_cloud_text} at cloud prices; the claim covers more than the final run",
        note="Unverifiable: the book has no range for all of GPT-4's training; Epoch puts its final run at "
             "{gpt4_epoch_amortised_text} amortised and {gpt4_epoch_cloud_text} at cloud prices"),
    "inference_cost_87k": Check(
        "arithmetic", "claimant_inference_cost_usd", scope="DeepSeek's average nodes × 8 GPUs × 24 h × its $2",
        own_figures="DeepSeek's node count and price",
        cross_check=("inference_nodes_from_throughput", "inference_nodes_avg",
                     NOT_INDEPENDENT + "nodes from the day's tokens over per-node throughput, against the stated average", "same"),
        note="{claim} is DeepSeek's own arithmetic, reproduced: {inference_nodes_avg:,.2f} nodes of 8 H800s for 24 hours at "
             "{claimant_price_text}"),
    "inference_margin_545": Check(
        "arithmetic", "inference_cost_profit_margin", scope="(revenue at R1 prices − cost) ÷ cost, from the disclosed tokens",
        own_figures="DeepSeek's tokens, prices and cost",
        cross_check=("inference_revenue_per_day_usd", "inference_revenue_published_usd",
                     NOT_INDEPENDENT + "revenue from the disclosed tokens at R1 prices, against DeepSeek's "
                     "{inference_revenue_published_text}", "same"),
        note="{claim} is DeepSeek's own arithmetic, reproduced, if every token were billed at R1 prices; actual revenue is lower"),
}


def _claimed(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


class _Unknown:
    def __format__(self, _spec: str) -> str:
        return "?"


def fill(text: str, values: Mapping[str, object]) -> str:
    """A template with the values it names filled in ('?' for one not given)."""

    class Lenient(dict):  # type: ignore[type-arg]
        def __missing__(self, _key: str) -> _Unknown:
            return _Unknown()

    return text.format_map(Lenient(values))


@dataclass(frozen=True)
class Book:
    """What the ledger judges against: the book's figures at the central inputs, the Monte Carlo's samples of those it
    varies, how a money figure is shown, and whether the fleet is DeepSeek's own floor (a lower bound)."""

    values: Mapping[str, float | str]
    samples: Mapping[str, np.ndarray]
    money: Callable[[float], str]
    floor: bool = False
    # The same Monte Carlo with the estimate's GPU counts held at their values: a claim resting on those counts is judged
    # on them, so that its verdict tests what the book prices independently, not the spread of the claimant's own counts.
    samples_on_counts: Mapping[str, np.ndarray] | None = None

    def band(self, key: str, on_counts: bool = False) -> Band:
        central = float(self.values[key])  # type: ignore[arg-type]
        return band_of(self.draws(on_counts).get(key, central), central)

    def draws(self, on_counts: bool) -> Mapping[str, np.ndarray]:
        return self.samples_on_counts if on_counts and self.samples_on_counts is not None else self.samples

    def shown(self, key: str, value: float) -> str:
        return self.money(value) if key.endswith("_usd") else f"{value:,.0f}"


def judged_on_counts(claim_id: str) -> bool:
    """A claim placed in a range with the estimate's own GPU counts held (it rests on those counts): every page that
    draws its range draws that one."""
    check = CHECKS[claim_id]
    return check.kind == "range" and check.rests_on.startswith(FLEET_COUNTS)


def on_floor_key(key: str) -> str:
    """The key of a quantity's figure on DeepSeek's own floor (Book.values): what its disclosures prove, at least."""
    return f"{key}_on_floor"


def record(claim_id: str, form: str, claimed: float | None, claimed_text: str, book: Book, tolerance: float) -> Record:
    """One claim's verdict and its evidence."""
    check = CHECKS[claim_id]
    values = book.values
    context = {**values, "claim": claimed_text}
    note = fill(check.note, context)
    if check.kind == "range" and claimed is not None:
        return _placed(claim_id, form, claimed, claimed_text, book, tolerance)
    if check.kind == "arithmetic" and claimed is not None:
        ok = within(float(ratio(claimed, float(values[check.quantity]))), tolerance)  # type: ignore[arg-type]
        return Record(claim_id, REPRODUCED if ok else NOT_REPRODUCED, claimed, claimed_text, note=note if ok else "")
    if check.kind == "fact" and claimed is not None:
        r = float(ratio(claimed, float(values[check.quantity])))  # type: ignore[arg-type]
        if check.partial and within(r, tolerance) and r != 1.0:  # close, not exact: a share the claim rounds up to all
            return Record(claim_id, PARTLY, claimed, claimed_text, note=note)
        ok = within(r, tolerance)
        return Record(claim_id, CONFIRMED if ok else INACCURATE, claimed, claimed_text, note=note if ok else "")
    if check.kind == "assumed":
        return Record(claim_id, ASSUMED, claimed, claimed_text, note=note)
    if check.kind == "description":
        holds = bool(values[check.fact])
        verdict = CONFIRMED if holds else PARTLY if check.partial else INACCURATE
        return Record(claim_id, verdict, claimed, claimed_text, note="" if holds else note)
    if check.kind == "evidence" and float(values[check.fact]) > 0:  # type: ignore[arg-type]
        return Record(claim_id, PARTLY, claimed, claimed_text, note=note)
    return Record(claim_id, UNVERIFIABLE, claimed, claimed_text, note=note)


def _placed(claim_id: str, form: str, claimed: float, claimed_text: str, book: Book, tolerance: float) -> Record:
    """A figure or bound placed in the book's range for its quantity (with the estimate's counts held where it rests on
    them), or against DeepSeek's own single figure where the book takes that figure as it is."""
    check = CHECKS[claim_id]
    on_counts = judged_on_counts(claim_id)
    band = book.band(check.quantity, on_counts)
    owner = "DeepSeek's" if check.rests_on.startswith("DeepSeek's") else "the book's"
    if band.fixed and owner == "DeepSeek's":  # one figure, no range: above, below or at it
        verdict = place_on_figure(claimed, band.central, tolerance)
    else:
        verdict = place(claimed, band, bound=form == "bound", floor=book.floor and on_counts)
    samples = book.draws(on_counts).get(check.quantity, band.central)
    fits = None
    if verdict in (ABOVE, BELOW, ABOVE_FIGURE, BELOW_FIGURE):
        fits = next((_fit(claimed, key, words, book, tolerance, counts_named=on_counts) for key, words in check.fits
                     if _fits(claimed, book.band(key, key in ON_COUNTS), tolerance)), None)
    counted = on_counts and not book.floor
    words = fill(check.words, {**book.values, "claim": claimed_text})
    floor = book.values.get(on_floor_key(check.quantity)) if counted else None
    return Record(claim_id, verdict, claimed, claimed_text, words, band,
                  (book.shown(check.quantity, band.p10), book.shown(check.quantity, band.p90)),
                  None if band.fixed else percentile(claimed, samples), fits, form == "bound", owner=owner, on_counts=counted,
                  floor_text="" if floor is None else book.shown(check.quantity, float(floor)),
                  floor_value=None if floor is None else float(floor))


# The book's quantities built on the fleet's GPU counts: a claim that fits one of them is placed on the estimate's own
# counts, as the claims resting on those counts are, so that one figure has one percentile in one quantity.
ON_COUNTS = frozenset({"fleet_capex_usd", "fleet_capex_servers_usd", "fleet_gpu_spend_usd", "fleet_opex_usd",
                       "fleet_opex_with_financing_usd", "cumulative_spend_usd"})


def _fit(claimed: float, key: str, words: str, book: Book, tolerance: float, counts_named: bool = False) -> Match:
    """What a claim outside its range fits. The counts it is placed on are named once a sentence: not again when the
    claim's own quantity already rests on them (`counts_named`)."""
    on_counts = key in ON_COUNTS
    band = book.band(key, on_counts)
    where = " on the estimate's counts" if on_counts and not book.floor and not counts_named else ""
    if band.fixed:  # matched within the claim tolerance (_fits), which the sentence states
        return Match(words + where, None, book.shown(key, band.central), tolerance)
    return Match(words + where, percentile(claimed, book.draws(on_counts)[key]), book.shown(key, band.central))


def _fits(claimed: float, band: Band, tolerance: float) -> bool:
    """A claim fits another quantity: inside its range, or, for a fixed figure, within the rounding tolerance of it."""
    return within(float(ratio(claimed, band.central)), tolerance) if band.fixed else place(claimed, band) == WITHIN


def rests_on(claim_id: str, verdict: str) -> str:
    """What a verdict rests on without an independent check, in words ('' when nothing)."""
    check = CHECKS[claim_id]
    if verdict in (REPRODUCED, NOT_REPRODUCED):
        return check.own_figures
    if verdict == ASSUMED:
        return ESTIMATE_FIGURES
    return check.rests_on if check.kind == "range" else ""


def cross_check(claim_id: str, claimed: float | None, values: Mapping[str, float | str], tolerance: float) -> str:
    """The second path, in words: 'agrees (1.00×)' or 'disagrees (1.48×)' within the rounding tolerance, or against a
    proven floor 'the claim is above it'; '' when there is none."""
    check = CHECKS[claim_id].cross_check
    if check is None:
        return ""
    key, against, what, mode = check
    other = claimed if against == "claimed" else values[against]
    if other is None:
        return ""
    what = fill(what, values)
    if mode == "floor":
        return f"{what}: the claim is {'above' if float(other) >= float(values[key]) else 'below'} that floor"  # type: ignore[arg-type]
    r = float(ratio(float(other), float(values[key])))  # type: ignore[arg-type]
    return f"{what}: {'agrees' if within(r, tolerance) else 'disagrees'} ({r:.2f}×)"


@lru_cache(maxsize=16)
def _row_type(columns: tuple[str, ...]) -> Any:
    return namedtuple("Claim", columns)  # noqa: PYI024 (the columns are data/claims.csv's)


def claim_rows(claims: pd.DataFrame) -> list[Any]:
    """The claims as named rows, as `itertuples` gives them, without building a new row class on every call (the
    dependency pass reads the ledger's claims a few hundred times)."""
    make = _row_type(tuple(claims.columns))._make
    return [make(values) for values in claims.itertuples(index=False, name=None)]


def check_forms(claims: pd.DataFrame) -> None:
    """Each claim's form (data/claims.csv `kind`) fits its check: figures and bounds have a value, statements none
    unless the book checks them as figures."""
    for line, claim in enumerate(claim_rows(claims), start=2):
        where = f"data/claims.csv:{line}:kind"
        if claim.kind not in FORMS:
            raise ValueError(f"{where}: expected one of {', '.join(FORMS)}, got {claim.kind!r}")
        if claim.id not in CHECKS:
            raise KeyError(f"claim {claim.id!r} has no check in analysis.model.claims_check.CHECKS")
        if claim.kind in ("figure", "bound") and _claimed(claim.value) is None and CHECKS[claim.id].kind in ("range", "arithmetic", "fact"):
            raise ValueError(f"{where}: a {claim.kind} claim needs a value")


def assess(claims: pd.DataFrame, claimed_texts: Mapping[str, str], book: Book, tolerance: float) -> list[Record]:
    """Every claim's record, in the order of data/claims.csv."""
    check_forms(claims)
    return [record(c.id, c.kind, _claimed(c.value), claimed_texts[c.id], book, tolerance) for c in claim_rows(claims)]


def table(claims: pd.DataFrame, records: list[Record], book: Book, tolerance: float) -> pd.DataFrame:
    """The ledger's rows: claim, claimed, the book's figure and range, percentile, verdict, sentence, what it rests on and
    the cross-check."""
    rows = []
    for claim, rec in zip(claim_rows(claims), records, strict=True):
        check = CHECKS[claim.id]
        central = float(book.values[check.quantity]) if check.quantity and check.quantity in book.values else None  # type: ignore[arg-type]
        rows.append({
            "id": claim.id, "claim": claim.claim, "form": claim.kind, "claimed": rec.claimed, "unit": claim.unit,
            "claimant": claim.claimant, "central": central, "p10": rec.band.p10 if rec.band else None,
            "p90": rec.band.p90 if rec.band else None, "percentile": rec.percentile, "scope": fill(check.scope, book.values),
            "verdict": rec.verdict, "kind": check.kind, "rests_on": rests_on(claim.id, rec.verdict),
            "ratio": None if rec.claimed is None or central is None else float(ratio(rec.claimed, central)),
            "verdict_text": sentence(rec), "cross_check": cross_check(claim.id, rec.claimed, book.values, tolerance),
            "fits": rec.matches.words if rec.matches else "",
        })
    return pd.DataFrame(rows)
