"""Compare two results.json files (or two scenarios, built on the fly) key by key."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.inputs.data import load_json
from analysis.pipeline.results import META_KEY


def load(spec: str, echo: Callable[[str], None] = print) -> tuple[str, dict[str, Any]]:
    """A results.json path, or a scenario name/path that is built (without HTML) first."""
    path = Path(spec)
    if path.suffix == ".json":
        content = load_json(path)  # names the file on any failure
        return path.stem if path.stem != "results" else str(path), content
    from analysis.inputs.params import resolve
    from analysis.pipeline.build import build

    resolved = resolve(spec)  # raises InputError for an unknown or bad scenario
    with tempfile.TemporaryDirectory(prefix="compare-") as tmp:
        echo(f"building scenario {resolved.scenario} (results only)")
        report = build(resolved, Path(tmp) / "out", html=False, jobs=os.cpu_count() or 1, echo=echo)
        return resolved.scenario, json.loads(report.results_json.read_text(encoding="utf-8"))


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
    return pd.DataFrame(rows)


def render(frame: pd.DataFrame, label_a: str, label_b: str) -> str:
    def fmt(v: Any) -> str:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return "—"
        if isinstance(v, float):
            return f"{v:,.6g}"
        return str(v)

    shown = pd.DataFrame({
        "key": frame["key"], label_a: [fmt(v) for v in frame["a"]], label_b: [fmt(v) for v in frame["b"]],
        "abs diff": [fmt(v) for v in frame["abs_diff"]],
        "rel diff": ["—" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.1%}" for v in frame["rel_diff"]],
        "unit": frame["unit"],
    })
    return shown.to_string(index=False)
