"""The ledger's rule: a claim placed in the book's own distribution of the quantity it names; one sentence per verdict."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.model import ledger
from analysis.model.ledger import ABOVE, ABOVE_FLOOR, BELOW, BELOW_FLOOR, HOLDS, WITHIN, Band, Match, Record

SAMPLES = np.arange(1.0, 101.0)  # 1..100: the percentile of x is about x


def test_percentile_counts_samples_below_and_half_the_ties() -> None:
    assert ledger.percentile(50.5, SAMPLES) == pytest.approx(50.0)
    assert ledger.percentile(0.0, SAMPLES) == 0.0
    assert ledger.percentile(1000.0, SAMPLES) == 100.0
    assert ledger.percentile(7.0, np.array([7.0])) == 50.0  # a claim equal to a fixed figure sits at its middle
    assert ledger.percentile(8.0, 7.0) == 100.0


def test_band_is_the_p10_to_p90_of_the_samples_with_the_central_value_apart() -> None:
    band = ledger.band_of(SAMPLES, central=42.0)
    assert (band.p10, band.p90) == (pytest.approx(np.percentile(SAMPLES, 10)), pytest.approx(np.percentile(SAMPLES, 90)))
    assert band.central == 42.0 and not band.fixed
    assert ledger.band_of(3.0, 3.0).fixed


@pytest.mark.parametrize(("claimed", "verdict"), [(5.0, BELOW), (10.95, WITHIN), (50.0, WITHIN), (90.05, WITHIN), (95.0, ABOVE)])
def test_a_figure_is_within_from_p10_to_p90(claimed: float, verdict: str) -> None:
    assert ledger.place(claimed, ledger.band_of(SAMPLES, 50.0)) == verdict


def test_a_bound_holds_only_when_the_whole_range_clears_it() -> None:
    band = ledger.band_of(SAMPLES, 50.0)
    assert ledger.place(5.0, band, bound=True) == HOLDS
    assert ledger.place(50.0, band, bound=True) == WITHIN
    assert ledger.place(95.0, band, bound=True) == ABOVE


def test_a_floor_cannot_refute_a_higher_figure() -> None:
    band = ledger.band_of(SAMPLES, 50.0)
    assert ledger.place(1e6, band, floor=True) == ABOVE_FLOOR  # far above the floor: not refuted
    assert ledger.place(50.0, band, floor=True) == ABOVE_FLOOR
    assert ledger.place(5.0, band, floor=True) == BELOW_FLOOR  # below what DeepSeek's papers prove: contradicted


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
                                          (79.4, "79th"), (0.2, "<1st"), (99.9, ">99th")])
def test_ordinals(n: float, text: str) -> None:
    assert ledger.ordinal(n) == text


def _record(verdict: str, claimed: float, band: Band, percentile: float | None = None, fits: Match | None = None,
            bound: bool = False) -> Record:
    return Record("x", verdict, claimed, f"${claimed:g}", "the quantity", band, (f"${band.p10:g}", f"${band.p90:g}"),
                  percentile, fits, bound)


def test_sentences_say_what_the_book_finds_and_where_the_claim_sits() -> None:
    band = Band(50.0, 10.0, 90.0)
    within = ledger.sentence(_record(WITHIN, 79.0, band, 79.0))
    assert within == "$79 is within the book's range for the quantity ($10–$90; 79th percentile)."
    above = ledger.sentence(_record(ABOVE, 1000.0, band, 100.0, Match("another quantity", 33.0)))
    assert above == "$1000 is far above the book's range for the quantity ($10–$90); it fits another quantity (33rd percentile)."
    near = ledger.sentence(_record(ABOVE, 100.0, band, 95.0))
    assert "far" not in near and near.endswith("($10–$90).")
    fixed = ledger.sentence(_record(ABOVE, 100.0, Band(5.0, 5.0, 5.0), 100.0, Match("a fixed one", None, "$99")))
    assert "the book's figure for the quantity ($5)" in fixed and fixed.endswith("it fits a fixed one ($99, within rounding).")
    holds = ledger.sentence(_record(HOLDS, 5.0, band, 0.0, bound=True))
    assert holds.startswith("More than $5 holds")
    assert "cannot rule it out" in ledger.sentence(_record(ABOVE_FLOOR, 500.0, band, 100.0))
    assert "rules it out" in ledger.sentence(_record(BELOW_FLOOR, 5.0, band, 0.0))


def test_a_verdict_without_a_range_is_its_note() -> None:
    rec = Record("x", ledger.ASSUMED, None, "“a claim”", note="Taken on trust: nothing to compare")
    assert ledger.sentence(rec) == "Taken on trust: nothing to compare."
    assert ledger.sentence(Record("x", ledger.UNVERIFIABLE, None, "“c”")) == "“c”: unverifiable."


def test_every_verdict_has_a_badge_and_a_key_safe_slug() -> None:
    assert set(ledger.BADGES) == set(ledger.VERDICTS)
    assert ledger.CHECKED < set(ledger.VERDICTS)
    assert ledger.REPRODUCED not in ledger.CHECKED and ledger.ASSUMED not in ledger.CHECKED
    for verdict in ledger.VERDICTS:
        assert ledger.slug(verdict).replace("_", "").isalnum()
    assert ledger.slug("assumed, not checked") == "assumed_not_checked"


def test_a_badge_on_the_estimate_s_counts_says_the_counts_were_assumed() -> None:
    band = ledger.Band(1.7e9, 1.5e9, 1.9e9)
    held = Record("x", ledger.WITHIN, 1.6e9, "$1.6B", "fleet capex", band, on_counts=True)
    assert ledger.badge(held) == "prices consistent, counts assumed"  # not a plain "within the range"
    assert ledger.badge(Record("x", ledger.HOLDS, 5e8, "$500M", bound=True, on_counts=True)) == "prices consistent, counts assumed"
    assert "counts assumed" in ledger.badge(Record("x", ledger.ABOVE, 9e8, "$944M", on_counts=True))
    assert ledger.badge(Record("x", ledger.WITHIN, 1.6e9, "$1.6B", "fleet capex", band)) == ledger.BADGES[ledger.WITHIN]


def test_a_bound_the_estimate_s_counts_decide_is_not_presented_as_a_check() -> None:
    """A bound holding on the estimate's counts that DeepSeek's floor contradicts: the counts settle it, not the prices."""
    band = ledger.Band(1.1e9, 9.9e8, 1.2e9)
    decided = Record("x", ledger.HOLDS, 5e8, "$500M", "GPU purchases", band, ("$993M", "$1.2B"), 0.0, bound=True,
                     on_counts=True, floor_text="$195M", floor_value=1.95e8)
    assert decided.counts_decide and ledger.badge(decided) == "rests on the estimate's counts"
    assert ledger.sentence(decided) == ("Holds only if the estimate's counts are right ($993M–$1.2B on them); on DeepSeek's "
                                        "floor it is $195M, below $500M.")
    # Where even DeepSeek's floor clears the bound, the counts do not decide it.
    cleared = Record("x", ledger.HOLDS, 1e8, "$100M", "GPU purchases", band, ("$993M", "$1.2B"), 0.0, bound=True,
                     on_counts=True, floor_text="$195M", floor_value=1.95e8)
    assert not cleared.counts_decide and "check out" in ledger.sentence(cleared)


def test_a_figure_outside_its_range_that_fits_another_reading_depends_on_the_definition() -> None:
    band = ledger.Band(5.5e8, 3.5e8, 7.5e8)
    fits = Record("x", ledger.ABOVE, 9.44e8, "$944M", "opex", band, ("$349M", "$751M"), 99.0, Match("opex plus financing", 87.0),
                  on_counts=True)
    assert ledger.badge(fits) == "depends on definition, counts assumed"
    alone = Record("x", ledger.ABOVE, 9.44e8, "$944M", "opex", band, ("$349M", "$751M"), 99.0, on_counts=True)
    assert ledger.badge(alone) == "above the range, counts assumed"


def test_a_fixed_figure_is_matched_within_the_stated_tolerance() -> None:
    fixed = ledger.sentence(_record(ABOVE, 100.0, Band(5.0, 5.0, 5.0), 100.0, Match("a fixed one", None, "$99", 0.25)))
    assert fixed.endswith("it fits a fixed one ($99, within 25%).")


def test_rounding_rule_of_arithmetic_checks() -> None:
    assert ledger.within(1.25, 0.25) and ledger.within(0.8, 0.25)
    assert not ledger.within(1.26, 0.25) and not ledger.within(0.0, 0.25)
    with pytest.raises(ValueError):
        ledger.within(1.0, -0.1)


def test_a_figure_of_deepseek_s_own_is_placed_against_that_figure_not_a_range() -> None:
    from analysis.model.ledger import ABOVE_FIGURE, AT_FIGURE, BELOW_FIGURE, place_on_figure

    assert place_on_figure(5e6, 294e3, 0.25) == ABOVE_FIGURE
    assert place_on_figure(1e5, 294e3, 0.25) == BELOW_FIGURE
    assert place_on_figure(300e3, 294e3, 0.25) == AT_FIGURE
    assert "range" not in ABOVE_FIGURE + ledger.BADGES[ABOVE_FIGURE]
