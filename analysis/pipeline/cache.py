"""Content keys for executed notebooks and whole builds.

A notebook's key covers everything its output can depend on: its own source, the values
of the parameters it declares, the analysis code, the data files, the scenario files and
the pinned requirements. Any change to any of them gives a new key, so a cached result
is never reused after its inputs changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.paths import DATA_DIR, ROOT, SCENARIOS_DIR


def files_digest(files: Iterable[Path], base: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(files):
        h.update(str(path.relative_to(base)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def tree(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    return [p for pattern in patterns for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts]


@lru_cache(maxsize=1)
def inputs_digest() -> str:
    """Code, data, scenarios and requirements: shared by every notebook's key (one build = one value)."""
    code = tree(ROOT / "analysis", ("*.py", "*.mplstyle"))
    data = tree(DATA_DIR, ("*",))
    scenarios = tree(SCENARIOS_DIR, ("*.yaml",))
    return hashlib.sha256(
        "|".join([
            files_digest(code, ROOT), files_digest(data, DATA_DIR), files_digest(scenarios, ROOT),
            files_digest([ROOT / "requirements.txt"], ROOT), sys.version,
        ]).encode()
    ).hexdigest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """The analysis code and the pinned requirements (what Sphinx's extensions and the page formats depend on)."""
    code = tree(ROOT / "analysis", ("*.py", "*.mplstyle"))
    return hashlib.sha256("|".join([files_digest(code, ROOT), files_digest([ROOT / "requirements.txt"], ROOT),
                                    sys.version]).encode()).hexdigest()


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def notebook_key(notebook: Path, parameters: dict[str, Any]) -> str:
    """Key of one notebook's execution with these (declared) parameter values."""
    payload = json.dumps({
        "source": hashlib.sha256(notebook.read_bytes()).hexdigest(),
        "parameters": {k: parameters[k] for k in sorted(parameters)},
        "inputs": inputs_digest(),
    }, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def book_key(notebook_keys: list[str], root: Path, extra: dict[str, Any]) -> str:
    """Key of a whole published build: every notebook key plus the book's other sources."""
    pages = [p for p in (root / "book").rglob("*") if p.is_file() and p.suffix != ".ipynb" and "__pycache__" not in p.parts]
    config = [root / "_config.yml", root / "_toc.yml"]
    payload = json.dumps({"notebooks": notebook_keys, "pages": files_digest(pages + config, root), **extra},
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


class NotebookCache:
    """Executed notebooks by key, under OUT/.cache/notebooks."""

    KEEP = 8

    def __init__(self, out: Path) -> None:
        self.folder = out / ".cache" / "notebooks"

    def path(self, notebook: Path, key: str) -> Path:
        return self.folder / f"{notebook.stem}.{key}.ipynb"

    def fetch(self, notebook: Path, key: str, target: Path) -> bool:
        cached = self.path(notebook, key)
        if not cached.is_file():
            return False
        shutil.copy2(cached, target)
        return True

    def store(self, notebook: Path, key: str, executed: Path) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Keep a few recent variants per notebook (users alternate scenarios), not an unbounded pile.
        variants = sorted(self.folder.glob(f"{notebook.stem}.*.ipynb"), key=lambda p: p.stat().st_mtime)
        for stale in variants[: max(len(variants) - (self.KEEP - 1), 0)]:  # room for the one stored now
            stale.unlink(missing_ok=True)
        tmp = self.path(notebook, key).with_suffix(".tmp")
        shutil.copy2(executed, tmp)
        tmp.replace(self.path(notebook, key))


def cached_json(out: Path, name: str, key: str, make: Callable[[], Any]) -> Any:
    """A JSON-able value computed once per key under OUT/.cache (the what-if panel's grid); older keys are dropped."""
    folder = out / ".cache"
    path = folder / f"{name}.{key}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    value = make()
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob(f"{name}.*.json"):
        stale.unlink(missing_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value), encoding="utf-8")
    tmp.replace(path)
    return value


# Files of the shared cache (analysis.pipeline.inprocess.cache_dir): read by any process, written by any; a file that is
# absent, half-written or unreadable costs time, never correctness.


def read_json(path: Path) -> Any:
    """A cached JSON value, or None (absent, or half-written by a process that died)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, value: Any) -> None:
    """Write by a temporary file and a rename (readers in other processes never see half a file); a read-only cache
    is left as it is."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value), encoding="utf-8")  # in its order: a chapter's values keep theirs
        os.replace(tmp, path)
    except OSError:
        pass


def read_seconds(path: Path) -> dict[str, float]:
    """Timings kept in the shared cache, by name (empty if none, or unreadable)."""
    found = read_json(path)
    return {str(k): float(v) for k, v in found.items() if isinstance(v, int | float)} if isinstance(found, dict) else {}


def remember_seconds(path: Path, seconds: dict[str, float], digits: int) -> None:
    """These timings, over those kept before under the same names."""
    write_json(path, read_seconds(path) | {name: round(value, digits) for name, value in seconds.items()})
