"""Verdicts on claims: compare a claimed figure with the book's reconstructions.

A claim can be compared with several reconstructions, each for a stated scope.
The first (the claim's own scope) decides "consistent"; a later one that matches
gives "consistent only with a narrower/broader scope"; none matching gives
"inconsistent"; no number to compare gives "unverifiable".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

CONSISTENT = "consistent"
NARROWER = "consistent only with a narrower scope"
BROADER = "consistent only with a broader scope"
INCONSISTENT = "inconsistent"
UNVERIFIABLE = "unverifiable"
VERDICTS = (CONSISTENT, NARROWER, BROADER, INCONSISTENT, UNVERIFIABLE)


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


def relative_gap(claimed: float, reconstructed: float) -> float:
    """|claimed − reconstructed| relative to the reconstruction."""
    if reconstructed == 0:
        return math.inf if claimed else 0.0
    return abs(claimed - reconstructed) / abs(reconstructed)


def judge(claimed: float | None, reconstructions: list[Reconstruction], tolerance: float, at_least: bool = False) -> Verdict:
    """Verdict for one claim. `at_least`: the claim is a lower bound ("more than $X")."""
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    usable = [r for r in reconstructions if r.value is not None and math.isfinite(r.value)]
    if claimed is None or (isinstance(claimed, float) and math.isnan(claimed)) or not usable:
        return Verdict(UNVERIFIABLE, None, None)

    def matches(r: Reconstruction) -> bool:
        assert r.value is not None and claimed is not None
        if at_least:
            return r.value >= claimed * (1 - tolerance)
        return relative_gap(claimed, r.value) <= tolerance

    for r in usable:
        if matches(r):
            label = {"same": CONSISTENT, "narrower": NARROWER, "broader": BROADER}[r.breadth]
            return Verdict(label, relative_gap(claimed, r.value), r)  # type: ignore[arg-type]
    first = usable[0]
    return Verdict(INCONSISTENT, relative_gap(claimed, first.value), first)  # type: ignore[arg-type]
