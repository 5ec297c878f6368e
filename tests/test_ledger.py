"""Claim verdicts by one symmetric rule on claimed ÷ book: consistent, narrower/broader scope, inconsistent, unverifiable."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.model import ledger
from analysis.model.ledger import Reconstruction as R


def test_same_scope_match_is_consistent() -> None:
    v = ledger.judge(6e6, [R(5.576e6, "final run")], 0.25)
    assert v.verdict == ledger.CONSISTENT and v.ratio == pytest.approx(6 / 5.576)


def test_only_broader_scope_matches() -> None:
    v = ledger.judge(5e6, [R(0.294e6, "R1 alone"), R(5.87e6, "R1 + V3", "broader")], 0.25)
    assert v.verdict == ledger.BROADER and v.reconstruction.scope == "R1 + V3"


def test_nothing_matches_is_inconsistent() -> None:
    v = ledger.judge(1.6e9, [R(1.0e9, "fleet"), R(0.5e9, "narrower", "narrower")], 0.25)
    assert v.verdict == ledger.INCONSISTENT and v.ratio == pytest.approx(1.6)


def test_missing_values_are_unverifiable() -> None:
    assert ledger.judge(None, [R(1.0, "x")], 0.1).verdict == ledger.UNVERIFIABLE
    assert ledger.judge(math.nan, [R(1.0, "x")], 0.1).verdict == ledger.UNVERIFIABLE
    assert ledger.judge(1.0, [R(None, "x")], 0.1).verdict == ledger.UNVERIFIABLE


def test_the_rule_is_symmetric() -> None:
    """Twice the book's figure and half of it are equally far: both fail at 25%, both pass at 100%."""
    for claimed in (200.0, 50.0):
        assert ledger.judge(claimed, [R(100.0, "x")], 0.25).verdict == ledger.INCONSISTENT
        assert ledger.judge(claimed, [R(100.0, "x")], 1.0).verdict == ledger.CONSISTENT
    # A gap divided by the book's figure was not symmetric: it passed 0.75× (25% off) and failed 1.3× the other way
    # round in ratio terms. The factor rule puts the boundary at 1.25× and at 1/1.25 = 0.8×.
    assert ledger.within(0.8, 0.25) and ledger.within(1.25, 0.25)
    assert not ledger.within(0.79, 0.25) and not ledger.within(1.26, 0.25)


def test_bound_claims() -> None:
    """'More than $X' is borne out when the book reaches X within the tolerance (claimed ÷ book ≤ 1 + tolerance)."""
    assert ledger.judge(500e6, [R(900e6, "GPU spend")], 0.1, bound=True).verdict == ledger.CONSISTENT
    assert ledger.judge(500e6, [R(460e6, "GPU spend")], 0.1, bound=True).verdict == ledger.CONSISTENT  # 1.087 ≤ 1.1
    assert ledger.judge(500e6, [R(300e6, "GPU spend")], 0.1, bound=True).verdict == ledger.INCONSISTENT
    # As a figure instead, the same $900M book figure is far off: bound and figure differ.
    assert ledger.judge(500e6, [R(900e6, "GPU spend")], 0.1).verdict == ledger.INCONSISTENT


def test_tolerance_is_the_boundary() -> None:
    assert ledger.judge(125, [R(100, "x")], 0.25).verdict == ledger.CONSISTENT
    assert ledger.judge(80, [R(100, "x")], 0.25).verdict == ledger.CONSISTENT
    assert ledger.judge(126, [R(100, "x")], 0.25).verdict == ledger.INCONSISTENT
    assert ledger.judge(79, [R(100, "x")], 0.25).verdict == ledger.INCONSISTENT


def test_zero_and_negative_books() -> None:
    assert ledger.ratio(0.0, 0.0) == 1.0 and math.isinf(ledger.ratio(1.0, 0.0))
    assert not ledger.within(-1.0, 0.25)


def test_judge_samples_is_judge_sample_by_sample() -> None:
    capex = np.array([1.0e9, 1.5e9, 1.9e9, 2.5e9])
    spend = np.full(4, 1.5e9)
    for bound in (False, True):
        labels = ledger.judge_samples(1.6e9, [capex, spend], ["same", "narrower"], 0.25, bound)
        for i in range(4):
            scalar = ledger.judge(1.6e9, [R(float(capex[i]), "capex"), R(float(spend[i]), "spend", "narrower")], 0.25, bound)
            assert labels[i] == scalar.verdict


def test_verdict_slugs_are_key_safe() -> None:
    assert ledger.slug(ledger.ASSUMED) == "assumed_not_checked"
    assert ledger.slug(ledger.BROADER) == "consistent_only_with_a_broader_scope"
    assert ledger.CHECKED.isdisjoint({ledger.ASSUMED, ledger.UNVERIFIABLE})
