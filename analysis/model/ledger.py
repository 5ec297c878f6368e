"""Verdicts on claims: compare a claimed figure with the book's reconstructions.

A claim can be compared with several reconstructions, each for a stated scope.
The first (the claim's own scope) decides "consistent"; a later one that matches
gives "consistent only with a narrower/broader scope"; none matching gives
"inconsistent"; no number to compare gives "unverifiable". Two verdicts say what
was *not* done: "assumed, not checked" (the book's input is the claim itself) and
"unverifiable"; "inaccurate description" marks a qualitative claim that the
published configuration or paper contradicts; "reproduced from the claimant's own figures" marks a
claim that matches only when rebuilt from the claimant's own inputs (arithmetic, not evidence).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

CONSISTENT = "consistent"
NARROWER = "consistent only with a narrower scope"
BROADER = "consistent only with a broader scope"
INCONSISTENT = "inconsistent"
INACCURATE = "inaccurate description"
REPRODUCED = "reproduced from the claimant's own figures"
ASSUMED = "assumed, not checked"
UNVERIFIABLE = "unverifiable"
VERDICTS = (CONSISTENT, NARROWER, BROADER, INCONSISTENT, INACCURATE, REPRODUCED, ASSUMED, UNVERIFIABLE)
# Verdicts reached by comparing the claim with something independent of it. A claim that only the
# claimant's own figures bear out is REPRODUCED: internal consistency, not an independent check.
CHECKED = frozenset({CONSISTENT, NARROWER, BROADER, INCONSISTENT, INACCURATE})
LABELS = {"same": CONSISTENT, "narrower": NARROWER, "broader": BROADER}


@dataclass(frozen=True)
class Reconstruction:
    value: float | None
    scope: str
    breadth: str = "same"  # same | narrower | broader: compared with the claim's own scope


@dataclass(frozen=True)
class Verdict:
    verdict: str
    gap: float | None  # relative gap to the deciding reconstruction
    reconstruction: Reconstruction | None


def slug(verdict: str) -> str:
    """A verdict as a key fragment: 'assumed, not checked' → 'assumed_not_checked'."""
    return "_".join("".join(ch if ch.isalnum() else " " for ch in verdict).split())


def relative_gap(claimed: float, reconstructed: float) -> float:
    """|claimed − reconstructed| relative to the reconstruction."""
    if reconstructed == 0:
        return math.inf if claimed else 0.0
    return abs(claimed - reconstructed) / abs(reconstructed)


def matches(claimed: float, reconstructed: float | np.ndarray, tolerance: float, at_least: bool = False) -> bool | np.ndarray:
    """Does a reconstruction bear the claim out? `at_least`: the claim is a lower bound ("more than $X")."""
    if isinstance(reconstructed, int | float):  # the common scalar case, without numpy's overhead
        if at_least:
            return reconstructed >= claimed * (1 - tolerance)
        return claimed == 0 if reconstructed == 0 else abs(claimed - reconstructed) / abs(reconstructed) <= tolerance
    reconstructed = np.asarray(reconstructed, dtype=float)
    if at_least:
        result = reconstructed >= claimed * (1 - tolerance)
    else:
        scale = np.where(reconstructed == 0, np.nan, np.abs(reconstructed))
        result = np.abs(claimed - reconstructed) / scale <= tolerance
        result = np.where(reconstructed == 0, claimed == 0, result)
    return bool(result) if result.ndim == 0 else result


def judge(claimed: float | None, reconstructions: list[Reconstruction], tolerance: float, at_least: bool = False) -> Verdict:
    """Verdict for one claim against reconstructions tried in order."""
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    usable = [r for r in reconstructions if r.value is not None and math.isfinite(r.value)]
    if claimed is None or (isinstance(claimed, float) and math.isnan(claimed)) or not usable:
        return Verdict(UNVERIFIABLE, None, None)
    for r in usable:
        assert r.value is not None
        if matches(claimed, r.value, tolerance, at_least):
            return Verdict(LABELS[r.breadth], relative_gap(claimed, r.value), r)
    first = usable[0]
    return Verdict(INCONSISTENT, relative_gap(claimed, first.value), first)  # type: ignore[arg-type]


def judge_samples(
    claimed: float, values: list[np.ndarray], breadths: list[str], tolerance: float, at_least: bool = False,
) -> np.ndarray:
    """judge() for many samples at once: the verdict label of each sample (arrays of reconstructions)."""
    conditions = [np.asarray(matches(claimed, v, tolerance, at_least), dtype=bool) for v in values]
    size = max((c.size for c in conditions), default=1)
    conditions = [np.broadcast_to(c, (size,)) for c in conditions]
    return np.select(conditions, [LABELS[b] for b in breadths], default=INCONSISTENT)
