"""Every claim has a check; verdicts follow the reconstructions by the ledger's one rule; robustness counts samples."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.inputs import data
from analysis.model import claims_check
from analysis.model.ledger import (
    ASSUMED,
    BROADER,
    CONSISTENT,
    INACCURATE,
    INCONSISTENT,
    NARROWER,
    REPRODUCED,
    UNVERIFIABLE,
)


def test_every_claim_has_a_check_and_every_check_a_claim() -> None:
    assert set(data.load_table("claims.csv")["id"]) == set(claims_check.CHECKS)
    assert len(claims_check.CHECKS) >= 20


def test_claim_forms_are_checked() -> None:
    claims = data.load_table("claims.csv")
    claims_check.check_forms(claims)  # the shipped table is well formed
    assert set(claims.loc[claims["kind"] == "bound", "id"]) == {"gpu_spend_500m", "researcher_pay_1_3m", "gpt4_cost_100m"}
    assert claims_check.CHECKS["gpt4_cost_100m"].kind == "unverifiable"  # a final-run estimate cannot bound all of training
    bad = claims.assign(kind=["guess"] + list(claims["kind"][1:]))
    with pytest.raises(ValueError, match=r"claims.csv:2:kind: expected one of figure, bound, statement"):
        claims_check.check_forms(bad)
    valueless = claims.copy()
    valueless.loc[valueless["id"] == "capex_1_6b", "value"] = np.nan
    with pytest.raises(ValueError, match="a figure claim needs a value"):
        claims_check.check_forms(valueless)


def test_assess_uses_the_values_given() -> None:
    claims = data.load_table("claims.csv")
    claims = claims[claims["id"].isin(["capex_1_6b", "mtp_description", "fleet_h800_10k"])]
    values = {"fleet_capex_usd": 1.0e9, "fleet_gpu_spend_usd": 1.5e9, "mtp_is_simultaneous": 0.0, "fleet_h800": 10_000.0,
              "fleet_floor_h800": 2_224.0}
    out = claims_check.assess(claims, values, 0.25).set_index("id")
    assert out.loc["capex_1_6b", "verdict"] == NARROWER  # 1.6 ÷ 1.0 = 1.6 > 1.25; 1.6 ÷ 1.5 = 1.07
    assert out.loc["capex_1_6b", "ratio"] == pytest.approx(1.6 / 1.5)
    assert out.loc["mtp_description", "verdict"] == INACCURATE
    assert out.loc["fleet_h800_10k", "verdict"] == ASSUMED  # the input is built from the claim: never "consistent"
    values = {**values, "fleet_capex_usd": 1.7e9, "mtp_is_simultaneous": 1.0}
    out = claims_check.assess(claims, values, 0.25).set_index("id")
    assert out.loc["capex_1_6b", "verdict"] == CONSISTENT and out.loc["mtp_description", "verdict"] == CONSISTENT
    assert out.loc["capex_1_6b", "verdict_text"] == f"consistent, assuming {claims_check.FLEET_COUNTS}"


def test_a_claimants_own_figures_only_reproduce() -> None:
    values = {"run_rental_usd": 5.576e6, "total_development_cost_usd": 50e6}
    v = claims_check.verdict_of("v3_cost_6m", 6e6, values, 0.25)
    assert v.verdict == REPRODUCED
    assert claims_check.verdict_text("v3_cost_6m", v, values).endswith("(DeepSeek's GPU-hours and rental price)")


def test_unverifiable_and_evidence_kinds() -> None:
    assert claims_check.verdict_of("self_funded", None, {}, 0.25).verdict == UNVERIFIABLE
    assert claims_check.verdict_of("owns_data_centres", None, {"fire_flyer_gpus": 10_000.0}, 0.25).verdict == NARROWER
    assert claims_check.verdict_of("owns_data_centres", None, {"fire_flyer_gpus": 0.0}, 0.25).verdict == UNVERIFIABLE
    # Owning the servers is not owning the buildings: the scope says so.
    scope = claims_check.CHECKS["owns_data_centres"].reconstructions[0][1]
    assert "rack rental" in scope and "buildings" in scope


def test_cross_check_by_the_same_rule() -> None:
    # 54.3 days from tokens against 54.2 from GPU-hours: 1.00×, inside the factor 1.25.
    values = {"pretrain_days_from_gpu_hours": 54.2, "pretrain_days_from_throughput": 54.3, "training_gpus": 2048.0}
    text = claims_check.cross_check("v3_gpus_2048", 2048, values, 0.25)
    assert "agrees (1.00×)" in text and "2,048 GPUs" in text
    values = {"luk_opex_4y_usd": 600e6, "luk_tco_all_text": "$640M", "semianalysis_tco_years": 4.0, "luk_capex_all_text": "$1.6B"}
    text = claims_check.cross_check("opex_944m", 944e6, values, 0.25)
    assert "disagrees (1.57×)" in text and "$640M × 4 − $1.6B" in text
    # A floor: the claim only has to be above what DeepSeek's papers prove.
    assert "above that floor" in claims_check.cross_check("fleet_h800_10k", 10_000, {"fleet_floor_h800": 2_224.0}, 0.25)
    assert "below that floor" in claims_check.cross_check("fleet_h800_10k", 1_000, {"fleet_floor_h800": 2_224.0}, 0.25)


def test_verdict_share_counts_samples_by_hand() -> None:
    # $1.6B against capex samples 1.0, 1.5, 1.7, 2.5 ($B) and a fixed GPU spend of $1.5B, factor 1.25:
    # 1.0 → narrower (1.6; the spend matches), 1.5 → consistent, 1.7 → consistent, 2.5 → narrower (0.64).
    samples = {"fleet_capex_usd": np.array([1.0e9, 1.5e9, 1.7e9, 2.5e9])}
    share = claims_check.verdict_share("capex_1_6b", 1.6e9, CONSISTENT, samples, {"fleet_gpu_spend_usd": 1.5e9}, 0.25)
    assert share == pytest.approx(0.5)
    assert claims_check.verdict_share("fleet_h800_10k", 10_000, ASSUMED, samples, {}, 0.25) is None


def test_flipped_by_names_every_input_that_flips_the_verdict_alone() -> None:
    values = {"fleet_capex_usd": 1.7e9, "fleet_gpu_spend_usd": 1.0e9}
    swings = {
        "price_h20_usd": ({"fleet_capex_usd": 1.6e9}, {"fleet_capex_usd": 1.8e9}),  # still within the factor 1.25
        "server_non_gpu_usd": ({"fleet_capex_usd": 1.5e9}, {"fleet_capex_usd": 2.3e9}),  # 1.6 ÷ 2.3 = 0.70 → flips
        "fleet_h20": ({"fleet_capex_usd": 1.6e9}, {"fleet_capex_usd": 2.2e9}),  # 0.73 → flips, a smaller move
    }
    labels = {"server_non_gpu_usd": "Server cost beside the GPUs", "fleet_h20": "H20 count"}
    flip = claims_check.flipped_by("capex_1_6b", 1.6e9, CONSISTENT, swings, values, labels, 0.25)
    # One rule for every claim: all the inputs that flip it, in the inputs' order (not one chosen by its move).
    assert flip == "Server cost beside the GPUs at its P90; H20 count at its P90"


def test_nothing_flips_a_verdict_that_no_input_reaches() -> None:
    """The reproduced $6M: no uncertain input moves Table 1's rental figure, so nothing flips it ("none"), whatever
    the swings do to other outputs (issue 20: the robustness table named "A100 count at its P10")."""
    values = {"run_rental_usd": 5.576e6, "total_development_cost_usd": 50e6}
    swings = {"fleet_a100": ({"fleet_capex_usd": 1.0e9}, {"fleet_capex_usd": 2.0e9})}
    flip = claims_check.flipped_by("v3_cost_6m", 6e6, REPRODUCED, swings, values, {"fleet_a100": "A100 count"}, 0.25)
    assert flip == claims_check.NO_FLIP == "none"
    assert claims_check.flipped_by("fleet_h800_10k", 10_000, ASSUMED, swings, {}, {}, 0.25) is None  # no share, no flip


def test_bound_claims_are_judged_as_bounds() -> None:
    values = {"fleet_gpu_spend_usd": 1.2e9}
    assert claims_check.verdict_of("gpu_spend_500m", 5e8, values, 0.25, bound=True).verdict == CONSISTENT
    assert claims_check.verdict_of("gpu_spend_500m", 5e8, values, 0.25, bound=False).verdict == INCONSISTENT


def test_breadth_labels_are_the_verdicts() -> None:
    assert {CONSISTENT, NARROWER, BROADER, INCONSISTENT} <= set(claims_check.assess(
        data.load_table("claims.csv"), _values_for_every_check(), 0.25)["verdict"]) | {NARROWER, BROADER, INCONSISTENT}


def _values_for_every_check() -> dict[str, float]:
    keys = {k for c in claims_check.CHECKS.values() for k, _, _, _ in c.reconstructions}
    keys |= {c.fact for c in claims_check.CHECKS.values() if c.fact}
    keys |= {k for c in claims_check.CHECKS.values() if c.cross_check for k in c.cross_check[:2] if k != "claimed"}
    return {k: 1.0 for k in keys}
