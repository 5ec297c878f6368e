"""Compare two results.json files, or two sets of inputs (computed in-process, from the shared cache), key by key."""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.inputs.data import load_json
from analysis.pipeline.results import META_KEY, text_twins

DEFAULT = "default"  # the book's default inputs, as `compare default SCENARIO` names them


def load(spec: str, echo: Callable[[str], None] = print) -> tuple[str, dict[str, Any]]:
    """A results.json path, or `default`, or a scenario name/path: its results computed in-process (no book, no
    kernel; chapters already computed at the same inputs come from the shared cache)."""
    path = Path(spec)
    if path.suffix == ".json":
        content = load_json(path)  # names the file on any failure
        return path.stem if path.stem != "results" else str(path), content
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


def compare(a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    """One row per key: both values, absolute and relative difference (numbers only)."""
    rows = []
    for key in sorted((set(a) | set(b)) - {META_KEY}):
        va, vb = _value(a.get(key)), _value(b.get(key))
        unit = (a.get(key) or b.get(key) or {}).get("unit", "") if isinstance(a.get(key) or b.get(key), dict) else ""
        numeric = isinstance(va, int | float) and isinstance(vb, int | float)
        diff = vb - va if numeric else None
        rel = (diff / abs(va) if va else (0.0 if diff == 0 else math.inf)) if numeric else None
        rows.append({"key": key, "unit": unit, "a": va, "b": vb, "abs_diff": diff, "rel_diff": rel,
                     "changed": va != vb})
    return pd.DataFrame(rows, columns=["key", "unit", "a", "b", "abs_diff", "rel_diff", "changed"])


def select(frame: pd.DataFrame, a: dict[str, Any], b: dict[str, Any], *, keys: Sequence[str] | None = None,
           threshold: float = 0.0, everything: bool = False) -> pd.DataFrame:
    """The rows worth reading: changed ones (unless `everything`), without the text twins of numbers (a number's
    formatted copy says nothing its number does not), matching `keys` (globs), numbers moved by more than
    `threshold` (relative; text that changed always passes)."""
    keep = pd.Series(True, index=frame.index)
    if not everything:
        twins = set(text_twins(_entries(a))) | set(text_twins(_entries(b)))
        keep &= frame["changed"] & ~frame["key"].isin(twins)
    if keys:
        keep &= frame["key"].map(lambda k: any(fnmatch.fnmatchcase(k, p) for p in keys))
    if threshold > 0:
        keep &= frame["rel_diff"].map(lambda r: r is None or (isinstance(r, float) and math.isnan(r)) or abs(r) > threshold)
    return frame[keep]


def _entries(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in doc.items() if k != META_KEY and isinstance(v, dict) and "value" in v}


def compact(v: Any) -> str:
    """A value in a few characters (the CSV of --out keeps every digit)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if isinstance(v, bool) or not isinstance(v, int | float):
        return str(v)
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    for at_least, scale, suffix in ((1e12, 1e12, "T"), (1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K")):
        if abs(v) >= at_least:  # thousands from 10,000 (2,224 stays whole)
            return f"{v / scale:.4g}{suffix}"
    return f"{v:.4g}"


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render(frame: pd.DataFrame, label_a: str, label_b: str, width: int = 100) -> str:
    """A table that fits `width` columns: key, both values, the change, the unit. A key too long for its column
    gets a line of its own (keys are never cut: scripts copy them)."""
    if frame.empty:
        return "no differences" + (" above the threshold" if width else "")
    value_w, change_w = 11, 8
    key_w = max(12, width - 2 * (value_w + 1) - (change_w + 1) - 15)
    key_w = min(key_w, max(len(k) for k in frame["key"]))
    unit_w = max(4, width - key_w - 2 * (value_w + 1) - (change_w + 1) - 1)
    head = f"{'key':<{key_w}} {_fit(label_a, value_w):>{value_w}} {_fit(label_b, value_w):>{value_w}} {'change':>{change_w}} unit"
    lines = [head, "-" * min(width, len(head) + unit_w - 4)]
    for row in frame.itertuples(index=False):
        if row.rel_diff is None or (isinstance(row.rel_diff, float) and math.isnan(row.rel_diff)):
            change = "changed" if row.changed else ""
        elif math.isinf(row.rel_diff):
            change = "new≠0"
        else:
            change = f"{row.rel_diff:+.1%}"
        cells = (f"{_fit(compact(row.a), value_w):>{value_w}} {_fit(compact(row.b), value_w):>{value_w}} "
                 f"{_fit(change, change_w):>{change_w}} {_fit(str(row.unit or ''), unit_w)}").rstrip()
        if len(row.key) > key_w:
            lines.append(row.key)
            lines.append(f"{'':<{key_w}} {cells}")
        else:
            lines.append(f"{row.key:<{key_w}} {cells}")
    return "\n".join(lines)
