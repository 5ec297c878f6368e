"""Verdicts on claims: one symmetric rule on the ratio of the claimed figure to the book's.

r = claimed / book. A claim of a figure ("about $X") is borne out when max(r, 1/r) <= 1 + tolerance:
a claim twice the book's and one half of it are equally far. A claim of a bound ("more than $X") is
borne out when the book reaches it within the same tolerance, r <= 1 + tolerance.

A claim can be compared with several reconstructions, each for a stated scope. The first (the claim's
own scope) decides "consistent"; a later one that matches gives "consistent only with a narrower/broader
scope"; none matching gives "inconsistent"; no number to compare gives "unverifiable". Two verdicts say
what was *not* done: "assumed, not checked" (the book's input is the claim itself) and "unverifiable";
"inaccurate description" marks a qualitative claim that the published configuration or paper contradicts;
"reproduced from the claimant's own figures" marks a claim that matches only when rebuilt from the
claimant's own inputs (arithmetic, not evidence).
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
FORMS = ("figure", "bound", "statement")  # what a claim states: about $X, more than $X, or a description


@dataclass(frozen=True)
class Reconstruction:
    value: float | None
    scope: str
    breadth: str = "same"  # same | narrower | broader: compared with the claim's own scope


@dataclass(frozen=True)
class Verdict:
    verdict: str
    ratio: float | None  # claimed ÷ book, for the deciding reconstruction
    reconstruction: Reconstruction | None


def slug(verdict: str) -> str:
    """A verdict as a key fragment: 'assumed, not checked' → 'assumed_not_checked'."""
    return "_".join("".join(ch if ch.isalnum() else " " for ch in verdict).split())


def ratio(claimed: float | np.ndarray, book: float | np.ndarray) -> float | np.ndarray:
    """claimed ÷ book (1 when both are 0; infinite when only the book is 0)."""
    claimed_a, book_a = np.asarray(claimed, dtype=float), np.asarray(book, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(book_a == 0, np.where(claimed_a == 0, 1.0, np.inf), claimed_a / np.where(book_a == 0, 1.0, book_a))
    return float(r) if r.ndim == 0 else r


def within(r: float | np.ndarray, tolerance: float, bound: bool = False) -> bool | np.ndarray:
    """The one rule: a figure within a factor 1 + tolerance either way; a bound reached within it."""
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore"):
        ok = r <= 1 + tolerance if bound else np.maximum(r, 1 / r) <= 1 + tolerance
    ok = ok & (r > 0) if not bound else ok
    return bool(ok) if ok.ndim == 0 else ok


def judge(claimed: float | None, reconstructions: list[Reconstruction], tolerance: float, bound: bool = False) -> Verdict:
    """Verdict for one claim against reconstructions tried in order."""
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    usable = [r for r in reconstructions if r.value is not None and math.isfinite(r.value)]
    if claimed is None or (isinstance(claimed, float) and math.isnan(claimed)) or not usable:
        return Verdict(UNVERIFIABLE, None, None)
    for r in usable:
        assert r.value is not None
        rr = ratio(claimed, r.value)
        if within(rr, tolerance, bound):
            return Verdict(LABELS[r.breadth], float(rr), r)
    first = usable[0]
    return Verdict(INCONSISTENT, float(ratio(claimed, first.value)), first)  # type: ignore[arg-type]


def judge_samples(claimed: float, values: list[np.ndarray], breadths: list[str], tolerance: float, bound: bool = False) -> np.ndarray:
    """judge() for many samples at once: the verdict label of each sample (arrays of reconstructions)."""
    conditions = [np.atleast_1d(np.asarray(within(ratio(claimed, v), tolerance, bound), dtype=bool)) for v in values]
    size = max((c.size for c in conditions), default=1)
    conditions = [np.broadcast_to(c, (size,)) for c in conditions]
    return np.select(conditions, [LABELS[b] for b in breadths], default=INCONSISTENT)
