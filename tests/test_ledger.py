"""Claim verdicts: consistent, narrower/broader scope, inconsistent, unverifiable."""

from __future__ import annotations

import math

import pytest

from analysis.model import ledger
from analysis.model.ledger import Reconstruction as R


def test_same_scope_match_is_consistent() -> None:
    v = ledger.judge(6e6, [R(5.576e6, "final run")], 0.25)
    assert v.verdict == ledger.CONSISTENT and v.gap == pytest.approx(0.076, abs=1e-3)


def test_only_broader_scope_matches() -> None:
    v = ledger.judge(5e6, [R(0.294e6, "R1 alone"), R(5.87e6, "R1 + V3", "broader")], 0.25)
    assert v.verdict == ledger.BROADER and v.reconstruction.scope == "R1 + V3"


def test_nothing_matches_is_inconsistent() -> None:
    v = ledger.judge(1.6e9, [R(1.0e9, "fleet"), R(0.5e9, "narrower", "narrower")], 0.25)
    assert v.verdict == ledger.INCONSISTENT and v.gap == pytest.approx(0.6)


def test_missing_values_are_unverifiable() -> None:
    assert ledger.judge(None, [R(1.0, "x")], 0.1).verdict == ledger.UNVERIFIABLE
    assert ledger.judge(math.nan, [R(1.0, "x")], 0.1).verdict == ledger.UNVERIFIABLE
    assert ledger.judge(1.0, [R(None, "x")], 0.1).verdict == ledger.UNVERIFIABLE


def test_lower_bound_claims() -> None:
    assert ledger.judge(500e6, [R(900e6, "GPU spend")], 0.1, at_least=True).verdict == ledger.CONSISTENT
    assert ledger.judge(500e6, [R(300e6, "GPU spend")], 0.1, at_least=True).verdict == ledger.INCONSISTENT


def test_tolerance_is_the_boundary() -> None:
    assert ledger.judge(125, [R(100, "x")], 0.25).verdict == ledger.CONSISTENT
    assert ledger.judge(126, [R(100, "x")], 0.25).verdict == ledger.INCONSISTENT


def test_judge_samples_is_judge_sample_by_sample() -> None:
    import numpy as np

    capex = np.array([1.0e9, 1.5e9, 1.9e9, 2.5e9])
    spend = np.full(4, 1.5e9)
    labels = ledger.judge_samples(1.6e9, [capex, spend], ["same", "narrower"], 0.25)
    for i in range(4):
        scalar = ledger.judge(1.6e9, [R(float(capex[i]), "capex"), R(float(spend[i]), "spend", "narrower")], 0.25)
        assert labels[i] == scalar.verdict


def test_verdict_slugs_are_key_safe() -> None:
    assert ledger.slug(ledger.ASSUMED) == "assumed_not_checked"
    assert ledger.slug(ledger.BROADER) == "consistent_only_with_a_broader_scope"
    assert ledger.CHECKED.isdisjoint({ledger.ASSUMED, ledger.UNVERIFIABLE})
