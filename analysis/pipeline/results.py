"""results.json: every value glued into the book, collected from executed notebooks.

Layout (a public contract): {name: {"value", "unit", "notebook"}, ..., "_meta": {...}}.
Because it is read from the same glue records the book renders, the book and the
file cannot disagree.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import nbformat

from analysis.chapters import UNIT_SUFFIX
from analysis.errors import BuildError
from analysis.paths import DATA_DIR, ROOT
from analysis.pipeline.cache import files_digest, tree

RECORD_PREFIX = "application/papermill.record/"
META_KEY = "_meta"
# The version of results.json's meaning: bumped whenever a key changes meaning or goes (CHANGELOG.md).
SCHEMA_VERSION = 3


def glue_records(path: Path) -> dict[str, Any]:
    """name → value for every non-figure glue record in one executed notebook."""
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


def document(
    results: dict[str, dict[str, Any]], meta: dict[str, Any], depends_on: dict[str, dict[str, float | None]] | None = None,
) -> dict[str, Any]:
    """results.json: every value with its unit, page and (a compatible extension) the parameters it
    depends on, {parameter: elasticity}, most influential first; then `_meta`."""
    from analysis.chapters.dependencies import ranked

    if depends_on is not None:
        results = {k: {**v, "depends_on": ranked(depends_on.get(k, {}))} for k, v in results.items()}
    return {**results, META_KEY: meta}


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Write via a temporary file and rename, so readers never see half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(content, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)

