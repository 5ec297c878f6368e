"""results.json: every value glued into the book, collected from executed notebooks.

Layout (a public contract): {name: {"value", "unit", "notebook"}, ..., "_meta": {...}}.
Because it is read from the same glue records the book renders, the book and the
file cannot disagree.
"""

from __future__ import annotations

import ast
import difflib
import json
import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.chapters import UNIT_SUFFIX
from analysis.errors import BuildError
from analysis.paths import DATA_DIR, ROOT
from analysis.pipeline.cache import files_digest, tree

if TYPE_CHECKING:
    from analysis.inputs.params import Resolved

RECORD_PREFIX = "application/papermill.record/"
META_KEY = "_meta"
# The version of results.json's meaning: bumped whenever a key changes meaning or goes (CHANGELOG.md).
SCHEMA_VERSION = 3


def glue_records(path: Path) -> dict[str, Any]:
    """name → value for every non-figure glue record in one executed notebook."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    records: dict[str, Any] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook")
            data = output.get("data", {})
            if not meta or f"{RECORD_PREFIX}image/png" in data:
                continue
            text = data.get(f"{RECORD_PREFIX}text/plain")
            if text is None:
                continue
            try:
                records[meta["name"]] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                records[meta["name"]] = text
    return records


def read_records(notebooks: dict[str, Path]) -> dict[str, dict[str, Any]]:
    """Each executed notebook's glue records, by page label (read once, for collect() and depends_on())."""
    return {label: glue_records(path) for label, path in notebooks.items()}


def collect(records: dict[str, dict[str, Any]], generated: dict[str, dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Merge the notebooks' glue records (read_records()) and the values of generated pages (by page label:
    {label: {name: value, name__unit: unit}}); units come from the NAME__unit records."""
    results: dict[str, dict[str, Any]] = {}
    pages = list(records.items()) + list((generated or {}).items())
    for label, records in pages:
        records = {k: v for k, v in records.items() if not k.startswith("__")}  # pipeline records, not values
        for name, value in records.items():
            if name.endswith(UNIT_SUFFIX):
                continue
            if name in results:
                # One name, one quantity: the same value may be shown on two pages, never two values.
                if results[name]["value"] != value:
                    raise BuildError(
                        f"glue name {name!r} has different values in {results[name]['notebook']} "
                        f"({results[name]['value']!r}) and {label} ({value!r})"
                    )
                continue
            results[name] = {"value": value, "unit": records.get(name + UNIT_SUFFIX, ""), "notebook": label}
    return dict(sorted(results.items()))


def depends_on(records: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """The dependencies each executed notebook measured (its __depends_on__ record), merged by value name."""
    from analysis.chapters.page import DEPENDS_ON_RECORD

    merged: dict[str, dict[str, float | None]] = {}
    for label, glued in records.items():
        record = glued.get(DEPENDS_ON_RECORD)
        if record is None:
            raise BuildError(f"{label}.ipynb: no {DEPENDS_ON_RECORD} record; was it executed with page.run()?")
        for name, deps in json.loads(record).items():
            merged.setdefault(name, {}).update(deps)
    return merged


def versions() -> dict[str, str]:
    """Code and data versions: git describe plus content hashes (valid without git)."""
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"], cwd=ROOT,
            capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        described = "unknown"
    try:
        date = subprocess.run(["git", "log", "-1", "--format=%cs"], cwd=ROOT, capture_output=True, text=True, timeout=10,
                              check=True).stdout.strip() or "undated"
    except (OSError, subprocess.SubprocessError):
        date = "undated"
    code = tree(ROOT / "analysis", ("*.py", "*.mplstyle")) + tree(ROOT / "book", ("*",))
    return {"git": described, "date": date, "code_sha256": files_digest(code, ROOT)[:16],
            "data_sha256": files_digest(tree(DATA_DIR, ("*",)), DATA_DIR)[:16]}


def meta(resolved: Resolved, versions_: dict[str, str]) -> dict[str, Any]:
    """`_meta`: what this build is. The scenario by name (as before) and, for a scenario file, its path, title and
    content hash (a file edited since is then visible); every parameter with its value and origin; the overrides."""
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": resolved.scenario,
        "scenario_file": resolved.source.describe() if resolved.source is not None else None,
        "overrides": {name: {"value": value, "origin": resolved.origins[name]} for name, value in resolved.overrides().items()},
        "parameters": {name: {"value": value, "origin": resolved.origins[name]} for name, value in resolved.values.items()},
        "versions": versions_,
    }


# A figure formatted for people: $1.88B, -$405.9K, 52%, 3.25×10²⁴, 10,000, 0.64 years, 32.7 MW.
_SHOWN = re.compile(r"^([-−]?)\$?(\d[\d,]*(?:\.\d+)?)(?:×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?\s?([KMBT%])?(?:\s+[A-Za-z][\w-]*)?$")
_SCALE = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12, "%": 1e-2, None: 1.0}
_SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
TWIN_NAME_SIMILARITY = 0.8  # two quantities can display alike ($1.34B); the names must agree too


def formatted_number(text: str) -> tuple[float, float, bool] | None:
    """(value, half of the last shown digit, is money) of a formatted figure; None for other text."""
    match = _SHOWN.match(text.strip())
    if not match:
        return None
    sign, digits, exponent, suffix = match.groups()
    scale = _SCALE[suffix] * (10.0 ** int(exponent.translate(_SUPERSCRIPTS)) if exponent else 1.0)
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    value = float(digits.replace(",", "")) * scale * (-1 if sign else 1)
    return value, 0.5 * 10.0 ** -decimals * scale, "$" in text


def text_twins(results: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Text key → the number it shows formatted (its twin): a number of the same page whose value the text
    displays (to its last digit), in money if the text is, with a name of the same quantity."""
    numbers: dict[str, list[tuple[str, float, str]]] = {}
    for key, entry in results.items():
        if isinstance(entry.get("value"), int | float) and not isinstance(entry.get("value"), bool):
            numbers.setdefault(entry.get("notebook", ""), []).append((key, float(entry["value"]), str(entry.get("unit", ""))))
    twins: dict[str, str] = {}
    for key, entry in results.items():
        if not isinstance(entry.get("value"), str):
            continue
        shown = formatted_number(entry["value"])
        if shown is None:
            continue
        value, half, money = shown
        name = key.removesuffix("_text")
        candidates = [
            (difflib.SequenceMatcher(None, name, other).ratio(), other)
            for other, number, unit in numbers.get(entry.get("notebook", ""), [])
            if abs(number - value) <= half * (1 + 1e-9) and money == unit.startswith("USD")
        ]
        best = max(candidates, default=None)
        if best is not None and best[0] >= TWIN_NAME_SIMILARITY:
            twins[key] = best[1]
    return twins | {text: number for text, number in declared_twins().items() if text in results and number in results}


def declared_twins() -> dict[str, str]:
    """Text key → number key, as chapters declare them (a module's TEXT_TWINS) where names alone cannot tell."""
    import importlib
    import pkgutil

    import analysis.chapters as chapters

    out: dict[str, str] = {}
    for info in pkgutil.iter_modules(chapters.__path__):
        out |= getattr(importlib.import_module(f"analysis.chapters.{info.name}"), "TEXT_TWINS", {})
    return out


def verdict_numbers(results: dict[str, dict[str, Any]]) -> dict[str, str]:
    """A claim's verdict (and its sentence) → the ratio it is judged on (claim_<id>_ratio)."""
    out = {}
    for key in results:
        match = re.fullmatch(r"(claim_\w+?)_verdict(_text)?", key)
        if match and f"{match.group(1)}_ratio" in results:
            out[key] = f"{match.group(1)}_ratio"
    return out


def document(
    results: dict[str, dict[str, Any]], meta: dict[str, Any], depends_on: dict[str, dict[str, float | None]] | None = None,
) -> dict[str, Any]:
    """results.json: every value with its unit, page and (a compatible extension) the parameters it
    depends on, {parameter: elasticity}, most influential first; then `_meta`.

    A text that shows a number formatted carries that number's dependencies (rounding would hide most of them
    from a 1% move); a verdict carries its ratio's, without elasticities (it flips, it does not scale)."""
    from analysis.chapters.dependencies import ranked

    if depends_on is not None:
        merged = {k: dict(depends_on.get(k, {})) for k in results}
        for text, number in text_twins(results).items():
            merged[text] = {**merged[text], **depends_on.get(number, {})}
        for verdict, ratio in verdict_numbers(results).items():
            merged[verdict] = {**{name: None for name in depends_on.get(ratio, {})}, **merged[verdict]}
        results = {k: {**v, "depends_on": ranked(merged[k])} for k, v in results.items()}
    return {**results, META_KEY: meta}


def dumps(content: dict[str, Any]) -> str:
    return json.dumps(content, indent=2, sort_keys=False) + "\n"


def write_json(path: Path, content: dict[str, Any], text: str | None = None) -> None:
    """Write via a temporary file and rename, so readers never see half a file (`text`: `dumps(content)`, if made)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(dumps(content) if text is None else text, encoding="utf-8")
    os.replace(tmp, path)

