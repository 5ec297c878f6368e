"""Compare two results.json files, or two sets of inputs (computed in-process, from the shared cache), key by key."""

from __future__ import annotations

import fnmatch
import math
import re
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.inputs.data import load_json
from analysis.inputs.params import value_text
from analysis.pipeline.results import META_KEY, formatted_number, text_twins

DEFAULT = "default"  # the book's default inputs, as `compare default SCENARIO` names them
SIDES = ("A", "B")  # the two columns; a legend above the table names each side in full

# Units whose change is a difference in points, not a ratio: a percentile moving from 14 to 55 moved 41 points of the
# book's distribution (+290% says nothing); a fraction (a share, a margin, a utilisation) is shown in % and moves in
# percentage points. Unit prefix → what one point is in the stored value.
POINT_UNITS = {"percentile": 1.0, "fraction": 0.01}

# A percentile or rank shown as an ordinal: 4th, 29th, 92nd, >99th, <1st.
_ORDINAL = re.compile(r"^([<>]?)(\d+)(?:st|nd|rd|th)$")


def load(spec: str, echo: Callable[[str], None] = print) -> tuple[str, dict[str, Any]]:
    """A results.json path, or `default`, or a scenario name/path: its results computed in-process (no book, no
    kernel; chapters already computed at the same inputs come from the shared cache). The label is the spec as given."""
    path = Path(spec)
    if path.suffix == ".json":
        return str(path), load_json(path)  # names the file on any failure
    import os

    from analysis.inputs.params import resolve
    from analysis.pipeline import inprocess
    from analysis.pipeline.build import validate_once

    resolved = resolve(None if spec == DEFAULT else spec)  # raises InputError for an unknown or bad scenario
    validate_once(None)
    echo(f"results of {resolved.scenario} (in-process)")
    return resolved.scenario, inprocess.results_document(resolved, jobs=os.cpu_count() or 1)


def _value(entry: Any) -> Any:
    return entry.get("value") if isinstance(entry, dict) else entry


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not (isinstance(v, float) and math.isnan(v))


def point_size(unit: str) -> float | None:
    """One point in the stored value, for a unit whose changes are differences in points (None: a relative change)."""
    return next((size for prefix, size in POINT_UNITS.items() if str(unit or "").startswith(prefix)), None)


def compare(a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    """One row per key: both values, absolute and relative difference (numbers only), and the difference in points
    for percentiles and fractions (pt_diff)."""
    rows = []
    for key in sorted((set(a) | set(b)) - {META_KEY}):
        va, vb = _value(a.get(key)), _value(b.get(key))
        unit = (a.get(key) or b.get(key) or {}).get("unit", "") if isinstance(a.get(key) or b.get(key), dict) else ""
        numeric = isinstance(va, int | float) and isinstance(vb, int | float)
        diff = vb - va if numeric else None
        rel = (diff / abs(va) if va else (0.0 if diff == 0 else math.inf)) if numeric else None
        point = point_size(unit)
        rows.append({"key": key, "unit": unit, "a": va, "b": vb, "abs_diff": diff, "rel_diff": rel, "changed": va != vb,
                     "pt_diff": diff / point if numeric and point else None})
    return pd.DataFrame(rows, columns=["key", "unit", "a", "b", "abs_diff", "rel_diff", "changed", "pt_diff"])


def shown_number(text: Any) -> tuple[float, float, bool] | None:
    """(value, half of the last shown digit, is money) of a figure formatted for people ($1.88B, 52%, 49.1 MW, and
    ordinals: 29th, >99th, read as 29 and as at least 99); None for other text."""
    if not isinstance(text, str):
        return None
    match = _ORDINAL.match(text.strip())
    if not match:
        return formatted_number(text)
    bound, digits = match.groups()
    return float(digits) + {"": 0.0, ">": 0.5, "<": -0.5}[bound], 1.0 if bound else 0.5, False


def _shows(shown: tuple[float, float, bool], number: float, unit: str) -> bool:
    """A figure read back from text (`shown_number`) displays this number, to its last digit, money as money."""
    return abs(number - shown[0]) <= shown[1] * (1 + 1e-9) and shown[2] == str(unit).startswith("USD")


def twins_across(a: dict[str, Any], b: dict[str, Any]) -> dict[str, str]:
    """Text key → a number key whose value the text shows formatted in both builds, though both changed: a text that
    follows a number from one build to the other is that number's twin, whatever their names or pages (results.text_twins
    sees one build, and needs names alike: `fleet_year_cost_text` shows `fleet_cost_per_year_usd`, `4th` a percentile)."""
    common = _entries(a).keys() & _entries(b).keys()
    numbers = [(key, a[key]["value"], b[key]["value"], a[key].get("unit", "")) for key in common
               if _is_number(a[key]["value"]) and _is_number(b[key]["value"]) and a[key]["value"] != b[key]["value"]]
    twins = {}
    for key in sorted(common):
        ta, tb = a[key]["value"], b[key]["value"]
        sa, sb = (None, None) if ta == tb else (shown_number(ta), shown_number(tb))
        if sa is None or sb is None:
            continue
        follows = sorted(number for number, na, nb, unit in numbers if _shows(sa, na, unit) and _shows(sb, nb, unit))
        if follows:
            twins[key] = follows[0]
    return twins


def select(frame: pd.DataFrame, a: dict[str, Any], b: dict[str, Any], *, keys: Sequence[str] | None = None,
           threshold: float = 0.0, everything: bool = False) -> pd.DataFrame:
    """The rows worth reading: changed ones (unless `everything`), without the text twins of numbers (a number's
    formatted copy says nothing its number does not), matching `keys` (globs), moved by more than `threshold` (a
    relative change; for percentiles and fractions a difference in points, 0.05 being 5 points; a formatted figure with
    no number beside it by its relative change; other text that changed always passes)."""
    keep = pd.Series(True, index=frame.index)
    if not everything:
        twins = set(text_twins(_entries(a))) | set(text_twins(_entries(b))) | set(twins_across(a, b))
        keep &= frame["changed"] & ~frame["key"].isin(twins)
    if keys:
        keep &= frame["key"].map(lambda k: any(fnmatch.fnmatchcase(k, p) for p in keys))
    if threshold > 0:
        moved = [_moved(row) for row in frame.itertuples(index=False)]
        keep &= pd.Series([m is None or m > threshold for m in moved], index=frame.index)
    return frame[keep]


def _entries(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in doc.items() if k != META_KEY and isinstance(v, dict) and "value" in v}


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _numbers(row: Any) -> tuple[float, float] | None:
    """A row's two values as numbers: numbers as they are, figures formatted as text read back (None: text)."""
    if _is_number(row.a) and _is_number(row.b):
        return float(row.a), float(row.b)
    sa, sb = shown_number(row.a), shown_number(row.b)
    return (sa[0], sb[0]) if sa and sb else None


def _is_text(row: Any) -> bool:
    """A row for the text section: text on a side, not a figure formatted on both (verdicts, statements)."""
    return any(isinstance(v, str) for v in (row.a, row.b)) and _numbers(row) is None


def _moved(row: Any) -> float | None:
    """How far a row moved, as `--threshold` reads it: points ÷ 100 for percentiles and fractions, else relative."""
    if isinstance(row.pt_diff, int | float) and not _missing(row.pt_diff):
        return abs(row.pt_diff) / 100
    pair = _numbers(row)
    if pair is None:
        return None
    va, vb = pair
    if _percent_texts(row):  # shown in points, filtered in points
        return abs(vb - va)
    return abs(vb - va) / abs(va) if va else (0.0 if vb == va else math.inf)


def _percent_texts(row: Any) -> bool:
    """Both sides a formatted percentage ("52%" → "61%"): a change in points."""
    return all(isinstance(v, str) and v.strip().endswith("%") for v in (row.a, row.b))


def compact(v: Any, digits: int = 4) -> str:
    """A value in a few characters (the CSV of --out keeps every digit): 60K, 1.686B, 3.25×10²⁴, never 3.25e+24."""
    if _missing(v):
        return "—"
    if isinstance(v, bool) or not isinstance(v, int | float):
        return str(v)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    for at_least, scale, suffix in ((1e15, 1.0, ""), (1e12, 1e12, "T"), (1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K")):
        if abs(v) >= at_least:  # thousands from 10,000 (2,224 stays whole)
            return _no_e(f"{v / scale:.{digits}g}") + suffix
    return _no_e(f"{v:.{digits}g}")


def _no_e(text: str) -> str:
    """1.5e+24 → 1.5×10²⁴, 1.2e-05 → 1.2×10⁻⁵ (as the book writes them)."""
    mantissa, e, exponent = text.partition("e")
    return f"{mantissa}×10{str(int(exponent)).translate(str.maketrans('-0123456789', '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'))}" if e else text


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _fitting(candidates: Sequence[str], width: int) -> str:
    """The first (most precise) form that fits `width`; cut only if none does."""
    return next((c for c in candidates if len(c) <= width), _fit(candidates[-1], width))


def _cell(v: Any, unit: str, width: int) -> str:
    """A value for its column: fractions in %, the fewest digits lost to fit, formatted figures as they were shown."""
    if isinstance(v, str):  # a formatted figure: as shown, else without its unit word (0.64 years → 0.64)
        return _fitting([v, v.rsplit(" ", 1)[0]], width)
    if not _is_number(v) or isinstance(v, bool):
        return _fit(compact(v), width)
    if point_size(unit) == 0.01:
        return _fitting([compact(v * 100, d) + "%" for d in (4, 3, 2, 1)], width)
    return _fitting([compact(v, d) for d in (4, 3, 2, 1)], width)


def _change(row: Any, width: int) -> str:
    """+12.9%, +40.7 pt (percentiles and fractions), new≠0 (from zero), changed (a value missing on one side)."""
    if isinstance(row.pt_diff, int | float) and not _missing(row.pt_diff):
        d = row.pt_diff
        forms = [f"{d:+.1f} pt", f"{d:+.0f} pt", f"{'+' if d > 0 else '-'}{compact(abs(d), 2)} pt"]
        return _fitting([f"{d:+.3f} pt", *forms] if 0 < abs(d) < 0.05 else forms, width)
    pair = _numbers(row)
    if pair is None:
        return "changed" if row.changed else ""
    va, vb = pair
    if va == 0:
        return "" if vb == 0 else "new≠0"
    if _percent_texts(row):  # "52%" → "61%": points
        return _fitting([f"{(vb - va) * 100:+.1f} pt", f"{(vb - va) * 100:+.0f} pt"], width)
    rel = (vb - va) / abs(va)
    forms = [f"{rel:+.0%}", f"{'+' if rel > 0 else '-'}{compact(abs(rel) * 100, 3)}%"]  # +29652%: decimals are noise
    return _fitting([f"{rel:+.1%}", *forms] if abs(rel) < 10 else forms, width)


def describe(meta: dict[str, Any] | None) -> str:
    """What a build is, from its `_meta`: its scenario (title, file) and the inputs the command line set."""
    if not meta or "scenario" not in meta:
        return ""
    source, overrides = meta.get("scenario_file") or {}, meta.get("overrides") or {}
    if meta["scenario"] == DEFAULT and not source and not overrides:
        return "default inputs"
    parts = [f"scenario {meta['scenario']}" + (f" ({', '.join(str(x) for x in (source.get('title'), source.get('path')) if x)})"
                                              if source.get("title") or source.get("path") else "")]
    by_hand = [f"{name}={value_text(entry.get('value') if isinstance(entry, dict) else entry)}" for name, entry in overrides.items()
               if not (isinstance(entry, dict) and str(entry.get("origin", "")).startswith("scenario:"))]
    return "; ".join(parts + (["-p " + ", ".join(by_hand)] if by_hand else []))


def legend(label_a: str, label_b: str, meta_a: dict[str, Any] | None = None, meta_b: dict[str, Any] | None = None,
           width: int = 100) -> list[str]:
    """One line (wrapped) per side: its column's letter, what it was given as (in full) and what it is."""
    lines = []
    for side, label, meta in zip(SIDES, (label_a, label_b), (meta_a, meta_b), strict=True):
        about = describe(meta)
        # A path longer than the line stays whole (copied, it must work), on a line of its own.
        lines += textwrap.wrap(f"{side}  {label}" + (f": {about}" if about else ""), width=width, subsequent_indent="   ",
                               break_on_hyphens=False, break_long_words=False)
    return lines


def render(frame: pd.DataFrame, label_a: str, label_b: str, width: int = 100, *, meta_a: dict[str, Any] | None = None,
           meta_b: dict[str, Any] | None = None) -> str:
    """What changed, in `width` columns: a legend naming sides A and B in full, a table of the numbers (key, both values,
    the change, the unit; one line each), then each text that changed with its two versions written out in full."""
    lines = legend(label_a, label_b, meta_a, meta_b, width)
    if frame.empty:
        return "\n".join([*lines, "no differences"])
    texts = [row for row in frame.itertuples(index=False) if _is_text(row)]
    numbers = [row for row in frame.itertuples(index=False) if not _is_text(row)]
    if numbers:
        lines += ["", *_number_table(numbers, width)]
    if texts:
        lines += ["", *_text_section(texts, width)]
    return "\n".join(lines)


def _number_table(rows: list[Any], width: int) -> list[str]:
    """key, A, B, change, unit: one line per key, the key column as wide as the longest key (keys are never cut:
    scripts copy them; one too long for a narrow terminal gets a line of its own)."""
    value_w, change_w, unit_min = 10, 9, 6
    fixed = 2 * (value_w + 1) + change_w + 2
    key_w = min(max(3, *(len(row.key) for row in rows)), max(12, width - fixed - unit_min))
    unit_w = max(4, width - key_w - fixed)
    head = f"{'key':<{key_w}} {SIDES[0]:>{value_w}} {SIDES[1]:>{value_w}} {'change':>{change_w}} unit"
    lines = [head, "-" * min(width, key_w + fixed + unit_w)]
    for row in rows:
        cells = (f"{_cell(row.a, row.unit, value_w):>{value_w}} {_cell(row.b, row.unit, value_w):>{value_w}} "
                 f"{_change(row, change_w):>{change_w}} {_fit(str(row.unit or ''), unit_w)}").rstrip()
        if len(row.key) > key_w:
            lines += [row.key, f"{'':<{key_w}} {cells}"]
        else:
            lines.append(f"{row.key:<{key_w}} {cells}")
    return lines


def _text_section(rows: list[Any], width: int) -> list[str]:
    """Each text on lines of its own: the key, then `  A: …` and `  B: …` wrapped at `width` (one `  A, B: …` if equal)."""
    lines = ["text", "-" * width]
    for row in rows:
        lines.append(row.key)
        sides = [(", ".join(SIDES), row.a)] if row.a == row.b else list(zip(SIDES, (row.a, row.b), strict=True))
        for side, value in sides:
            lead = f"  {side}: "
            shown = compact(value) if not isinstance(value, str) else value
            lines += textwrap.wrap(shown, width=width, initial_indent=lead, subsequent_indent=" " * len(lead),
                                   break_on_hyphens=False, break_long_words=False) or [lead.rstrip()]
    return lines
