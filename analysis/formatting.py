"""Numbers for people: money and powers of ten (used by chapters and charts alike)."""

from __future__ import annotations

import math
import re


def usd(value: float, digits: int = 1) -> str:
    """$5.6M, $1.6B, $294K: money for people (trailing zeros dropped: $944M)."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            shown = f"{value / scale:,.{digits}f}"
            if "." in shown:
                shown = shown.rstrip("0").rstrip(".")
            return f"{sign}${shown}{suffix}"
    return f"{sign}${value:,.0f}"


def si(value: float, digits: int = 1) -> str:
    """3.3e24 → '3.3×10²⁴' for FLOP counts in prose and tables."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent
    return f"{mantissa:.{digits}f}×10{superscript(exponent)}"


def superscript(power: int) -> str:
    """24 → '²⁴': a power of ten as print writes it."""
    return str(power).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def versus(value: float, reference: float, close: float = 0.15) -> str:
    """'close to', 'above' or 'below' a reference, in words (within ±15% counts as close)."""
    if abs(value / reference - 1) <= close:
        return "close to"
    return "above" if value > reference else "below"


def plain(value: float) -> str:
    """A number for a reference page, never in e-notation: 2,664,000; 5.576; 0.0133; 3.286×10²⁴ beyond a trillion."""
    number = float(value)
    if number == 0 or not math.isfinite(number):
        return f"{number:g}"
    size = abs(number)
    if size >= 1e12 or size < 1e-4:
        return si(number, 3)
    if size >= 1000:
        return f"{number:,.0f}" if number == round(number) or size >= 1e5 else f"{number:,.1f}"
    return f"{number:.4g}"


def number_label(key: str) -> str:
    """The Sphinx label of a value's entry on the Every-number page, which every glued number links to
    (Sphinx lower-cases labels)."""
    return f"num-{key}".lower()


def number_anchor(label: str) -> str:
    """The HTML id of that entry, as docutils would make it from the label (num-v3-training-cost-usd)."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def usd_sig(value: float, digits: int = 3) -> str:
    """Money to `digits` significant figures, for headlines and verdicts: $1.88B, $33.4M, $944M, $294K, $1.85."""
    if value == 0 or not math.isfinite(value):
        return usd(value)
    rounded = float(f"{value:.{digits}g}")  # round first: $999.6M becomes $1B, not $1000M
    scale = next((s for s in (1e12, 1e9, 1e6, 1e3) if abs(rounded) >= s), 1.0)
    whole = len(str(int(abs(rounded) // scale)))
    if scale == 1.0:  # dollars and cents: $1.85, $0.50
        return f"{'-' if rounded < 0 else ''}${abs(rounded):,.{max(0, digits - whole)}f}"
    return usd(rounded, max(0, digits - whole))
