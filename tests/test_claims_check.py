"""Every claim has a check; each is judged as the quantity it names, against the book's samples of it."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.formatting import usd_sig
from analysis.inputs import data
from analysis.model import claims_check
from analysis.model.ledger import (
    ABOVE,
    ABOVE_FIGURE,
    ABOVE_FLOOR,
    ASSUMED,
    BELOW,
    BELOW_FLOOR,
    CONFIRMED,
    HOLDS,
    INACCURATE,
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    SENTENCE_LIMIT,
    UNVERIFIABLE,
    WITHIN,
    sentence,
)

RNG = np.random.default_rng(0)
CAPEX = RNG.uniform(1.0e9, 3.0e9, 10_000)  # the book's capex samples: P10 ≈ $1.2B, P90 ≈ $2.8B
DEV = RNG.uniform(20e6, 60e6, 10_000)


def _book(floor: bool = False, **values: float) -> claims_check.Book:
    base = {"fleet_capex_usd": 2.0e9, "total_development_cost_usd": 33e6, "fleet_opex_usd": 7e8, "fleet_gpu_spend_usd": 1.2e9,
            "cumulative_spend_usd": 2.4e9, "claimant_run_rental_usd": 5.576e6, "r1_rental_usd": 294e3, "r1_with_v3_rental_usd": 5.87e6,
            "fleet_floor_hopper": 2224.0, "fire_flyer_gpus": 1e4, "mtp_is_simultaneous": 0.0, "v3_routed_experts": 256.0}
    samples = {"fleet_capex_usd": CAPEX, "total_development_cost_usd": DEV, "fleet_opex_usd": CAPEX * 0.35, "fleet_gpu_spend_usd": CAPEX * 0.6,
               "cumulative_spend_usd": CAPEX * 1.2}
    return claims_check.Book(base | values, samples, usd_sig, floor)


def test_every_claim_has_a_check_and_every_check_a_claim() -> None:
    assert set(data.load_table("claims.csv")["id"]) == set(claims_check.CHECKS)
    assert {c.kind for c in claims_check.CHECKS.values()} <= set(claims_check.KINDS)


def test_claim_forms_are_checked() -> None:
    claims = data.load_table("claims.csv")
    claims_check.check_forms(claims)  # the shipped table is well formed
    bad = claims.assign(kind=["guess"] + list(claims["kind"][1:]))
    with pytest.raises(ValueError, match=r"claims.csv:2:kind: expected one of figure, bound, statement"):
        claims_check.check_forms(bad)
    valueless = claims.copy()
    valueless.loc[valueless["id"] == "capex_1_6b", "value"] = np.nan
    with pytest.raises(ValueError, match="a figure claim needs a value"):
        claims_check.check_forms(valueless)


def test_a_claim_resting_on_the_estimate_s_counts_is_judged_on_those_counts() -> None:
    """The spread of the claimant's own counts cannot make its figure 'within range': the ledger uses the Monte Carlo with
    the counts held (samples_on_counts) for claims resting on them, and the full one for others."""
    narrow = {"fleet_capex_usd": RNG.uniform(1.8e9, 2.2e9, 10_000), "fleet_opex_usd": CAPEX * 0.35, "fleet_gpu_spend_usd": CAPEX * 0.6,
              "total_development_cost_usd": DEV}
    book = claims_check.Book(_book().values, _book().samples, usd_sig, False, narrow)
    rec = claims_check.record("capex_1_6b", "figure", 1.6e9, "$1.6B", book, 0.25)
    assert rec.verdict == "below the book's range" and "on the estimate's counts" in sentence(rec)
    # The development cost does not rest on the counts, but the fleet's capex it may fit does: one figure, one percentile
    # in one quantity, so the fit is tried on the estimate's counts too (here $1.6B is below that range: no fit).
    headline = claims_check.record("headline_1_6b_develop", "figure", 1.6e9, "$1.6B", book, 0.25)
    assert headline.verdict == "above the book's range" and headline.matches is None
    assert claims_check.record("headline_1_6b_develop", "figure", 2.0e9, "$2B", book, 0.25).matches.words.endswith("on the estimate's counts")


def test_a_figure_is_placed_in_the_book_s_samples_not_against_a_point() -> None:
    rec = claims_check.record("capex_1_6b", "figure", 1.6e9, "$1.6B", _book(), 0.25)
    assert rec.verdict == WITHIN
    assert rec.percentile == pytest.approx(30.0, abs=1.5)  # (1.6 - 1.0) / 2.0 of a uniform
    # The same claim against a book whose central value is far off but whose samples straddle it: still within.
    assert claims_check.record("capex_1_6b", "figure", 1.6e9, "$1.6B", _book(fleet_capex_usd=3.5e9), 0.25).verdict == WITHIN


def test_a_claim_is_judged_as_the_quantity_it_names_and_told_what_it_fits() -> None:
    rec = claims_check.record("headline_1_6b_develop", "figure", 1.6e9, "$1.6B", _book(), 0.25)
    assert rec.verdict == ABOVE  # as a development cost, far above
    assert rec.matches is not None and rec.matches.words == "the whole fleet's capex on the estimate's counts"
    assert "far above the book's range for developing V3" in sentence(rec)
    far_off = claims_check.record("headline_1_6b_develop", "figure", 9e9, "$9B", _book(), 0.25)
    assert far_off.verdict == ABOVE and far_off.matches is None  # it fits nothing the book computes either
    # Above the fleet's capex but within all spending to date: the second quantity it may name.
    spent = claims_check.record("headline_1_6b_develop", "figure", 3.2e9, "$3.2B", _book(), 0.25)
    assert spent.matches is not None and spent.matches.words == "all spending to date on the estimate's counts"


def test_the_counts_are_named_once_in_a_sentence() -> None:
    """A claim on the estimate's counts that fits another quantity on the same counts names them once."""
    rec = claims_check.record("capex_1_6b", "figure", 1.0e9, "$1B", _book(), 0.25)  # below the capex, within the GPUs' range
    assert rec.verdict == BELOW and rec.matches is not None and rec.matches.words == "the GPUs alone"
    assert sentence(rec).count("estimate's") == 1, sentence(rec)


def test_a_fixed_figure_fits_within_the_rounding_tolerance() -> None:
    rec = claims_check.record("r1_cost_5m", "figure", 5e6, "$5M", _book(), 0.25)
    assert rec.verdict == ABOVE_FIGURE and rec.band is not None and rec.band.fixed
    assert rec.matches is not None and rec.matches.percentile is None and rec.matches.figure == "$5.87M"
    assert claims_check.record("r1_cost_5m", "figure", 5e6, "$5M", _book(), 0.1).matches is None  # 5.87 / 5 > 1.1


def test_bounds_are_judged_as_bounds() -> None:
    assert claims_check.record("gpu_spend_500m", "bound", 5e8, "$500M", _book(), 0.25).verdict == HOLDS
    assert claims_check.record("gpu_spend_500m", "bound", 1.2e9, "$1.2B", _book(), 0.25).verdict == WITHIN


def test_the_floor_is_a_lower_bound_only_for_claims_resting_on_the_counts() -> None:
    floor = _book(floor=True)
    assert claims_check.record("capex_1_6b", "figure", 1.6e9, "$1.6B", floor, 0.25).verdict == ABOVE_FLOOR
    assert claims_check.record("capex_1_6b", "figure", 1e8, "$100M", floor, 0.25).verdict == BELOW_FLOOR
    # V3's development cost does not rest on the counts: still judged against its range.
    assert claims_check.record("headline_1_6b_develop", "figure", 1.6e9, "$1.6B", floor, 0.25).verdict == ABOVE


def test_the_claimant_s_arithmetic_is_reproduced_or_not() -> None:
    assert claims_check.record("v3_cost_6m", "figure", 6e6, "$6M", _book(), 0.25).verdict == REPRODUCED
    assert claims_check.record("v3_cost_6m", "figure", 9e6, "$9M", _book(), 0.25).verdict == NOT_REPRODUCED
    assert claims_check.rests_on("v3_cost_6m", REPRODUCED) == "DeepSeek's GPU-hours and rental price"


def test_other_kinds() -> None:
    book = _book()
    assert claims_check.record("fleet_hopper_50k", "figure", 5e4, "50,000", book, 0.25).verdict == ASSUMED
    assert claims_check.record("mtp_description", "statement", None, "“MTP”", book, 0.25).verdict == PARTLY  # loosely put
    assert claims_check.record("owns_data_centres", "statement", None, "“owns”", book, 0.25).verdict == PARTLY
    assert claims_check.record("gpt4_cost_100m", "bound", 1e8, "$100M", book, 0.25).verdict == UNVERIFIABLE
    assert claims_check.record("v3_experts_256", "figure", 256, "256", book, 0.25).verdict == CONFIRMED
    assert claims_check.record("v3_experts_256", "figure", 512, "512", book, 0.25).verdict == INACCURATE
    # A share the claim rounds up to all of it is partly borne out, not confirmed; the exact share is confirmed.
    shares = _book(table1_pretraining_share=0.956)
    assert claims_check.record("six_m_pretraining_only", "figure", 1.0, "100%", shares, 0.25).verdict == PARTLY
    assert claims_check.record("six_m_pretraining_only", "figure", 0.956, "95.6%", shares, 0.25).verdict == CONFIRMED
    assert claims_check.record("six_m_pretraining_only", "figure", 0.5, "50%", shares, 0.25).verdict == INACCURATE


def test_floor_cross_check_asks_only_whether_the_claim_is_above_the_floor() -> None:
    values = {"fleet_floor_hopper": 2224.0}
    assert claims_check.cross_check("fleet_hopper_50k", 50_000, values, 0.25).endswith("the claim is above that floor")
    assert claims_check.cross_check("fleet_hopper_50k", 1_000, values, 0.25).endswith("the claim is below that floor")


def test_every_shipped_sentence_fits_the_limit_and_names_the_claim() -> None:
    """Every claim, at several placements, reads in one sentence of at most SENTENCE_LIMIT characters."""
    from analysis.chapters import claims as claims_chapter
    from analysis.inputs.params import registry

    claims = data.load_table("claims.csv")
    book = claims_chapter.judge({name: param.default for name, param in registry().items()}).book  # the book's own figures
    for claim in claims.itertuples(index=False):
        value = None if claim.value != claim.value else float(claim.value)
        for scale in (1.0, 0.01, 100.0):
            rec = claims_check.record(claim.id, claim.kind, None if value is None else value * scale, "$1.23B", book, 0.25)
            text = sentence(rec)
            assert len(text) <= SENTENCE_LIMIT, (claim.id, text)
            assert text.endswith(".") and "{" not in text and "?" not in text, (claim.id, text)
