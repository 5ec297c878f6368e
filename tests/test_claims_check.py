"""Every claim has a check; verdicts follow the reconstructions; robustness counts samples."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.inputs import data
from analysis.model import claims_check
from analysis.model.ledger import ASSUMED, BROADER, CONSISTENT, INACCURATE, INCONSISTENT, NARROWER, UNVERIFIABLE


def test_every_claim_has_a_check_and_every_check_a_claim() -> None:
    assert set(data.load_table("claims.csv")["id"]) == set(claims_check.CHECKS)
    assert len(claims_check.CHECKS) >= 20


def test_assess_uses_the_values_given() -> None:
    claims = data.load_table("claims.csv")
    claims = claims[claims["id"].isin(["capex_1_6b", "mtp_description", "fleet_h800_10k"])]
    values = {"fleet_capex_usd": 1.0e9, "fleet_gpu_spend_usd": 1.5e9, "mtp_is_simultaneous": 0.0, "fleet_h800": 10_000.0}
    out = claims_check.assess(claims, values, 0.25).set_index("id")
    assert out.loc["capex_1_6b", "verdict"] == NARROWER  # $1.6B vs $1.0B: 60% off; vs $1.5B: 7% off
    assert out.loc["mtp_description", "verdict"] == INACCURATE
    assert out.loc["fleet_h800_10k", "verdict"] == ASSUMED  # the input is the claim: never "consistent"
    values = {**values, "fleet_capex_usd": 1.7e9, "mtp_is_simultaneous": 1.0}
    out = claims_check.assess(claims, values, 0.25).set_index("id")
    assert out.loc["capex_1_6b", "verdict"] == CONSISTENT and out.loc["mtp_description", "verdict"] == CONSISTENT


def test_unverifiable_and_evidence_kinds() -> None:
    assert claims_check.verdict_of("self_funded", None, {}, 0.25).verdict == UNVERIFIABLE
    assert claims_check.verdict_of("owns_data_centres", None, {"fire_flyer_gpus": 10_000.0}, 0.25).verdict == NARROWER
    assert claims_check.verdict_of("owns_data_centres", None, {"fire_flyer_gpus": 0.0}, 0.25).verdict == UNVERIFIABLE


def test_cross_check_in_words() -> None:
    # 54.3 days from tokens against 54.2 from GPU-hours: 0.2% apart, inside a 25% tolerance.
    text = claims_check.cross_check("v3_gpus_2048", 2048, {"pretrain_days_from_gpu_hours": 54.2, "pretrain_days_from_throughput": 54.3}, 0.25)
    assert "agrees (0.2% apart)" in text
    text = claims_check.cross_check("opex_944m", 944e6, {"luk_opex_4y_usd": 600e6}, 0.25)
    assert "disagrees" in text  # 944 vs 600: 57% apart


def test_verdict_share_counts_samples_by_hand() -> None:
    # $1.6B against capex samples 1.0, 1.5, 1.7, 2.5 ($B) and a fixed GPU spend of $1.5B, tolerance 25%:
    # 1.0 → narrower (spend matches), 1.5 → consistent, 1.7 → consistent, 2.5 → narrower (36% off; spend matches).
    samples = {"fleet_capex_usd": np.array([1.0e9, 1.5e9, 1.7e9, 2.5e9])}
    share = claims_check.verdict_share("capex_1_6b", 1.6e9, CONSISTENT, samples, {"fleet_gpu_spend_usd": 1.5e9}, 0.25)
    assert share == pytest.approx(0.5)
    assert claims_check.verdict_share("fleet_h800_10k", 10_000, ASSUMED, samples, {}, 0.25) is None


def test_easiest_flip_picks_the_input_that_moves_the_reconstruction_most() -> None:
    values = {"fleet_capex_usd": 1.7e9, "fleet_gpu_spend_usd": 1.0e9}
    swings = {
        "price_h20_usd": ({"fleet_capex_usd": 1.6e9}, {"fleet_capex_usd": 1.8e9}),  # still within 25%
        "server_non_gpu_usd": ({"fleet_capex_usd": 1.5e9}, {"fleet_capex_usd": 2.3e9}),  # 2.3: 30% off → flips
        "fleet_h20": ({"fleet_capex_usd": 1.6e9}, {"fleet_capex_usd": 2.2e9}),  # 2.2: 27% off → flips, smaller move
    }
    labels = {"server_non_gpu_usd": "Server cost beside the GPUs", "fleet_h20": "H20 count"}
    flip = claims_check.easiest_flip("capex_1_6b", 1.6e9, CONSISTENT, swings, values, labels, 0.25)
    assert flip == "Server cost beside the GPUs at its P90"


def test_breadth_labels_are_the_verdicts() -> None:
    assert {CONSISTENT, NARROWER, BROADER, INCONSISTENT} <= set(claims_check.assess(
        data.load_table("claims.csv"), _values_for_every_check(), 0.25)["verdict"]) | {NARROWER, BROADER}


def _values_for_every_check() -> dict[str, float]:
    keys = {k for c in claims_check.CHECKS.values() for k, _, _ in c.reconstructions}
    keys |= {c.fact for c in claims_check.CHECKS.values() if c.fact}
    keys |= {k for c in claims_check.CHECKS.values() if c.cross_check for k in c.cross_check[:2] if k != "claimed"}
    return {k: 1.0 for k in keys}
