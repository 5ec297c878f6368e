"""Verdicts on claims: where a claimed figure sits in the book's own range for the quantity it names.

A claim of a figure ("about $X") is placed in the book's Monte Carlo distribution of that quantity: its percentile
(0-100). From the 10th to the 90th percentile it is "within the book's range"; outside, "above" or "below" it. A claim
of a bound ("more than $X") "holds across the book's range" when even the book's 10th percentile clears it. Where the
book's fleet is DeepSeek's own floor (what its papers prove, at least), a figure above the floor cannot be refuted by
it: "above DeepSeek's own floor"; one below is contradicted: "below DeepSeek's own floor". Where the book's figure is
DeepSeek's own single figure, not a range (R1's GPU-hours at a price), the claim is "above", "below" or "at DeepSeek's
figure" (within the rounding tolerance).

A claim resting on the estimate's own GPU counts is placed in a range with those counts held: a verdict inside it says
that the estimate's prices check out on its own counts, not that the counts are right, and gives the book's figure on
DeepSeek's own floor beside it. A bound that holds on those counts but not on DeepSeek's floor is no check of anything:
the counts settle it, almost whatever the prices ("more than $500M on GPUs" with 60,000 GPUs held), so its badge and
sentence say it rests on the counts. A figure outside such a range that fits another reading of the claim (opex plus
financing) depends on the definition: its badge says so.

Other verdicts say what was *not* a check against the book's range: "reproduced from the claimant's own figures"
(arithmetic rebuilt from the claimant's inputs, within a rounding tolerance); "confirmed by the published sources" (a
figure of a published configuration or table, within the same tolerance); "assumed, not checked" (the book's input is
the claim); "partly borne out" and "inaccurate description" for qualitative claims; "unverifiable".

A verdict is a record (`Record`), rendered once: `sentence` writes the one plain sentence pages quote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WITHIN = "within the book's range"
ABOVE = "above the book's range"
BELOW = "below the book's range"
HOLDS = "holds across the book's range"
ABOVE_FLOOR = "above DeepSeek's own floor"
BELOW_FLOOR = "below DeepSeek's own floor"
ABOVE_FIGURE = "above DeepSeek's figure"
BELOW_FIGURE = "below DeepSeek's figure"
AT_FIGURE = "at DeepSeek's figure"
CONFIRMED = "confirmed by the published sources"
PARTLY = "partly borne out"
INACCURATE = "inaccurate description"
REPRODUCED = "reproduced from the claimant's own figures"
NOT_REPRODUCED = "not reproduced from the claimant's own figures"
ASSUMED = "assumed, not checked"
UNVERIFIABLE = "unverifiable"
VERDICTS = (WITHIN, ABOVE, BELOW, HOLDS, ABOVE_FLOOR, BELOW_FLOOR, ABOVE_FIGURE, BELOW_FIGURE, AT_FIGURE, CONFIRMED, PARTLY,
            INACCURATE, REPRODUCED, NOT_REPRODUCED, ASSUMED, UNVERIFIABLE)
# Verdicts reached by comparing the claim with something independent of it. Arithmetic rebuilt from the claimant's own
# figures is internal consistency, not an independent check; "assumed" and "unverifiable" are no check at all.
CHECKED = frozenset({WITHIN, ABOVE, BELOW, HOLDS, ABOVE_FLOOR, BELOW_FLOOR, ABOVE_FIGURE, BELOW_FIGURE, AT_FIGURE, CONFIRMED, PARTLY,
                     INACCURATE})
# Verdicts that place a claimed figure against one of the book's figures (a range, a floor or DeepSeek's single figure).
PLACED = (WITHIN, ABOVE, BELOW, HOLDS, ABOVE_FLOOR, BELOW_FLOOR, ABOVE_FIGURE, BELOW_FIGURE, AT_FIGURE)
# The badge a reader sees: the verdict in the fewest plain words (the landing page and the ledger).
BADGES = {
    WITHIN: "within the range", ABOVE: "above the range", BELOW: "below the range", HOLDS: "holds",
    ABOVE_FLOOR: "above the floor", BELOW_FLOOR: "below the floor", ABOVE_FIGURE: "above DeepSeek's figure",
    BELOW_FIGURE: "below DeepSeek's figure", AT_FIGURE: "at DeepSeek's figure", CONFIRMED: "confirmed", PARTLY: "partly true",
    INACCURATE: "inaccurate", REPRODUCED: "DeepSeek's own arithmetic", NOT_REPRODUCED: "arithmetic fails",
    ASSUMED: "taken on trust", UNVERIFIABLE: "unverifiable",
}
# A claim placed with the estimate's own GPU counts held: its badge says the counts were assumed, not checked (inside the
# range only the estimate's prices check out).
BADGES_ON_COUNTS = {WITHIN: "prices consistent, counts assumed", HOLDS: "prices consistent, counts assumed",
                    ABOVE: "above the range, counts assumed", BELOW: "below the range, counts assumed"}
# A bound that holds on the estimate's counts and fails on DeepSeek's floor: the counts decide it, not the prices.
BADGE_COUNTS_DECIDE = "rests on the estimate's counts"
# Outside the range on the estimate's counts, inside the range of another reading of the same claim (opex plus financing).
BADGE_DEFINITION = "depends on definition, counts assumed"
BAND = (10.0, 90.0)  # the book's range: its 10th to its 90th percentile
SENTENCE_LIMIT = 160  # characters: a verdict a reader can quote


def slug(verdict: str) -> str:
    """A verdict as a key fragment: 'assumed, not checked' → 'assumed_not_checked'."""
    return "_".join("".join(ch if ch.isalnum() else " " for ch in verdict).split())


def ratio(claimed: float | np.ndarray, book: float | np.ndarray) -> float | np.ndarray:
    """claimed ÷ book (1 when both are 0; infinite when only the book is 0)."""
    claimed_a, book_a = np.asarray(claimed, dtype=float), np.asarray(book, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(book_a == 0, np.where(claimed_a == 0, 1.0, np.inf), claimed_a / np.where(book_a == 0, 1.0, book_a))
    return float(r) if r.ndim == 0 else r


def within(r: float, tolerance: float) -> bool:
    """The rounding rule of arithmetic and published-figure checks: within a factor 1 + tolerance either way."""
    if tolerance < 0:
        raise ValueError("tolerance must not be negative")
    return bool(r > 0 and max(r, 1 / r) <= 1 + tolerance)


@dataclass(frozen=True)
class Band:
    """The book's figure for a quantity: its value at the central inputs and its P10/P90 (equal for a fixed figure)."""

    central: float
    p10: float
    p90: float

    @property
    def fixed(self) -> bool:
        return self.p10 == self.p90


def band_of(samples: np.ndarray | float, central: float) -> Band:
    values = np.atleast_1d(np.asarray(samples, dtype=float))
    return Band(float(central), float(np.percentile(values, BAND[0])), float(np.percentile(values, BAND[1])))


def percentile(claimed: float, samples: np.ndarray | float) -> float:
    """Where a claimed value sits among the book's samples, 0-100 (ties count half: a claim equal to a fixed figure is
    at the 50th percentile)."""
    values = np.atleast_1d(np.asarray(samples, dtype=float))
    below, equal = float(np.sum(values < claimed)), float(np.sum(values == claimed))
    return 100.0 * (below + equal / 2) / values.size


def place(claimed: float, band: Band, bound: bool = False, floor: bool = False) -> str:
    """The verdict of a figure (or a bound) against the book's range; against DeepSeek's floor when `floor`."""
    if floor:  # a lower bound on the truth: only a claim below even its P10 is contradicted by it
        return BELOW_FLOOR if claimed < band.p10 else ABOVE_FLOOR
    if bound:
        return HOLDS if claimed < band.p10 else ABOVE if claimed > band.p90 else WITHIN
    return BELOW if claimed < band.p10 else ABOVE if claimed > band.p90 else WITHIN


def place_on_figure(claimed: float, figure: float, tolerance: float) -> str:
    """The verdict of a claimed figure against DeepSeek's own single figure (no range): at it within the rounding
    tolerance, else above or below it."""
    if within(float(ratio(claimed, figure)), tolerance):
        return AT_FIGURE
    return ABOVE_FIGURE if claimed > figure else BELOW_FIGURE


@dataclass(frozen=True)
class Match:
    """Another quantity of the book that a claim outside its own range does fit: its words, and the claim's percentile
    in its range (None for a fixed figure, then shown as `figure`)."""

    words: str
    percentile: float | None
    figure: str = ""
    tolerance: float | None = None  # a fixed figure is matched within this factor - 1 (claim_tolerance), not exactly


@dataclass(frozen=True)
class Record:
    """One claim's verdict and its evidence: the ledger's row, and the input of its one sentence."""

    claim_id: str
    verdict: str
    claimed: float | None
    claimed_text: str  # the claim as a reader quotes it: "$944M"
    words: str = ""  # the quantity the claim names, in words: "four years of running the fleet"
    band: Band | None = None
    band_texts: tuple[str, str] = ("", "")  # P10 and P90 as a reader sees them
    percentile: float | None = None
    matches: Match | None = None
    bound: bool = False
    note: str = ""  # for verdicts not placed in a range: the whole sentence, without its full stop
    owner: str = "the book's"  # whose fixed figure it is: "DeepSeek's" where the book takes DeepSeek's disclosure as it is
    # Placed with the estimate's own GPU counts held: a verdict inside the range tests its prices, not its counts ...
    on_counts: bool = False
    floor_text: str = ""  # ... and the book's figure on DeepSeek's own floor, as a reader sees it ("" for none)
    floor_value: float | None = None

    @property
    def counts_decide(self) -> bool:
        """A bound that holds on the estimate's counts but not on DeepSeek's floor: the counts settle it, not the prices."""
        return (self.on_counts and self.verdict == HOLDS and self.floor_value is not None and self.claimed is not None
                and self.floor_value < self.claimed)


def badge(record: Record) -> str:
    """The badge a reader sees beside the sentence: the verdict in the fewest plain words, saying so when the estimate's
    own counts were held, when they decide the verdict, and when a figure outside the range fits another reading."""
    if not record.on_counts:
        return BADGES[record.verdict]
    if record.counts_decide:
        return BADGE_COUNTS_DECIDE
    if record.verdict in (ABOVE, BELOW) and record.matches is not None:
        return BADGE_DEFINITION
    return BADGES_ON_COUNTS.get(record.verdict, BADGES[record.verdict])


def ordinal(n: float) -> str:
    """79 → '79th', 1 → '1st'; rounded to a whole percentile (never 0 or 100: '<1st', '>99th')."""
    if n < 0.5:
        return "<1st"
    if n > 99.5:
        return ">99th"
    k = int(round(n))
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _far(claimed: float, band: Band) -> str:
    """'far ' when the claim is more than twice as far out as the band's own edge (a factor of 2 beyond it)."""
    edge = band.p90 if claimed > band.p90 else band.p10
    return "far " if edge > 0 and max(claimed / edge, edge / claimed) >= 2 else ""


def sentence(record: Record) -> str:
    """The verdict in one plain sentence of at most SENTENCE_LIMIT characters: what the claim says, what the book finds,
    and where the claim sits in the book's range. The evidence behind it is the ledger's table."""
    r, claim = record, record.claimed_text
    if r.band is None or r.verdict not in PLACED:
        return _capital(f"{r.note}." if r.note else f"{claim}: {r.verdict}.")
    if r.on_counts and r.verdict in (WITHIN, HOLDS):
        return _on_counts(r)
    span = r.band_texts[0] if r.band.fixed else f"{r.band_texts[0]}–{r.band_texts[1]}"
    book = f"{r.owner} figure" if r.band.fixed else "the book's range"
    claimed = f"More than {claim}" if r.bound else claim
    if r.verdict == HOLDS:
        return f"{claimed} holds: {book} for {r.words} is above it ({span})."
    if r.verdict == ABOVE_FLOOR:
        return f"{claimed} is above DeepSeek's own floor for {r.words} ({span}), which cannot rule it out."
    if r.verdict == BELOW_FLOOR:
        return f"{claimed} is below DeepSeek's own floor for {r.words} ({span}): the floor rules it out."
    if r.verdict == WITHIN:
        return f"{claimed} is within {book} for {r.words} ({span}; {ordinal(r.percentile or 0)} percentile)."
    if r.verdict == AT_FIGURE:
        return f"{claimed} matches {book} for {r.words} ({span})."
    side = "above" if r.verdict in (ABOVE, ABOVE_FIGURE) else "below"
    far = _far(float(r.claimed), r.band) if r.claimed is not None else ""
    counts = " on the estimate's counts" if r.on_counts else ""
    text = f"{claimed} is {far}{side} {book} for {r.words}{counts} ({span})"
    if r.matches is not None:
        # A fixed figure is matched within the claim tolerance, not exactly: the sentence says by how much.
        where = (f"{r.matches.figure}, {_within(r.matches.tolerance)}" if r.matches.percentile is None
                 else f"{ordinal(r.matches.percentile)} percentile")
        return f"{text}; it fits {r.matches.words} ({where})."
    return text + "."


def _within(tolerance: float | None) -> str:
    """How closely a fixed figure is matched: 'within 25%' (the claim tolerance), 'within rounding' when none is given."""
    return "within rounding" if tolerance is None else f"within {100 * tolerance:g}%"


def _on_counts(r: Record) -> str:
    """A verdict inside a range built on the estimate's own GPU counts: its prices check out, its counts are not tested;
    what DeepSeek's own floor gives for the same quantity is said beside it."""
    span = f"{r.band_texts[0]}–{r.band_texts[1]}"  # type: ignore[union-attr]
    if r.counts_decide:  # the counts settle the bound: no check of the prices, and DeepSeek's floor says otherwise
        return (f"Holds only if the estimate's counts are right ({span} on them); on DeepSeek's floor it is {r.floor_text}, "
                f"below {r.claimed_text}.")
    found = (f"more than {r.claimed_text} holds for {r.words} ({span})" if r.verdict == HOLDS
             else f"{r.claimed_text} is in the book's range for {r.words} ({span}; {ordinal(r.percentile or 0)} percentile)")
    text = f"On the estimate's counts, its prices check out: {found}"
    if r.floor_text and r.floor_value is not None and r.claimed is not None:
        text += (f"; DeepSeek's floor: {r.floor_text}" if r.floor_value < r.claimed else f"; even DeepSeek's floor is {r.floor_text}")
    return text + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
