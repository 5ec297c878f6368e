"""Sphinx's environment kept between builds of one output folder, so that an unchanged page is not re-read.

Each build stages its sources afresh (analysis.pipeline.build); this module mirrors them into a source tree
that persists under OUT/.cache/sphinx, copying only files whose bytes changed, so Sphinx's own mtime check
re-reads exactly the changed pages. Sphinx cannot know that a page quoting another page's glued value
({glue:text}`other.ipynb::name`) depends on it, so such a page is touched when the page it quotes changed.
The persistent tree is dropped whenever its state could be stale: the analysis code (Sphinx extensions,
formats) or the requirements changed, or the last Sphinx run did not finish.
"""

from __future__ import annotations

import filecmp
import os
import re
import shutil
from pathlib import Path

CROSS_PAGE = re.compile(r"\{glue:[a-z]*\}`(\w+)\.ipynb::")
STATE = "state"  # the code digest the kept environment was built with
RUNNING = "running"  # present while Sphinx runs: an interrupted or failed run leaves it behind


def folder(out: Path) -> Path:
    return out / ".cache" / "sphinx"


def prepare(out: Path, code_digest: str) -> Path:
    """The kept source tree for this output folder, emptied if it cannot be trusted."""
    root = folder(out)
    state = root / STATE
    if (root / RUNNING).exists() or not state.is_file() or state.read_text() != code_digest:
        shutil.rmtree(root, ignore_errors=True)
    (root / "src").mkdir(parents=True, exist_ok=True)
    state.write_text(code_digest)
    return root


def sync(staged: Path, kept: Path) -> set[str]:
    """Make `kept` hold exactly the files of `staged`, copying only those whose bytes differ. Returns the
    relative paths that changed (copied, new or removed)."""
    changed: set[str] = set()
    staged_files = {p.relative_to(staged) for p in staged.rglob("*") if p.is_file()}
    for rel in sorted(staged_files):
        target = kept / rel
        if target.is_file() and filecmp.cmp(staged / rel, target, shallow=False):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(staged / rel, target)
        changed.add(str(rel))
    for path in sorted(p for p in kept.rglob("*") if p.is_file()):
        if path.relative_to(kept) not in staged_files:
            path.unlink()
            changed.add(str(path.relative_to(kept)))
    return changed


def quoted_pages(page: Path) -> set[str]:
    """The notebooks (by stem) whose glued values a page quotes."""
    if page.suffix == ".ipynb":
        import nbformat  # loaded when an HTML build needs it, not by every command

        text = "\n".join(c.source for c in nbformat.read(str(page), as_version=4).cells if c.cell_type == "markdown")
    else:
        text = page.read_text(encoding="utf-8")
    return set(CROSS_PAGE.findall(text))


def touch_dependents(kept: Path, changed: set[str]) -> set[str]:
    """Mark as changed (newer mtime) every page that quotes a changed notebook's values; returns those pages."""
    changed_stems = {Path(rel).stem for rel in changed if rel.endswith(".ipynb")}
    touched = set()
    for page in sorted((kept / "book").glob("*.ipynb")) + sorted((kept / "book").glob("*.md")):
        rel = str(page.relative_to(kept))
        if rel not in changed and quoted_pages(page) & changed_stems:
            os.utime(page)  # Sphinx compares modification times with its environment's
            touched.add(rel)
    return touched


def running(root: Path, on: bool) -> None:
    marker = root / RUNNING
    if on:
        marker.write_text("")
    else:
        marker.unlink(missing_ok=True)
