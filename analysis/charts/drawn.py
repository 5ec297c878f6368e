"""Charts drawn before, kept by what they were drawn from: a what-if that leaves a chart's inputs alone serves its PNGs
again instead of drawing, fitting and rendering it twice more (most of a re-executed notebook's time).

Active only where $COST_BOOK_CHART_CACHE names a folder (a build sets it for its kernels, under the shared cache).
The key is the chart function, its arguments (pickled) and a digest of the chart code, the style sheet and matplotlib's
version; arguments that cannot be pickled are simply not cached. A hit returns a `Drawn`, which glue_chart glues as it
glues a figure; everything else (tests, the dependency pass) gets real figures.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from analysis.paths import CHART_CACHE_ENV as CACHE_ENV


@dataclass(frozen=True)
class Drawn:
    """A chart as glue_chart records it: its PNG and its phone variant's, with each one's smallest text in pixels."""

    png: bytes
    min_font_px: float
    narrow_png: bytes | None
    narrow_min_font_px: float | None


def folder() -> Path | None:
    value = os.environ.get(CACHE_ENV)
    return Path(value) if value else None


@cache
def _code_digest() -> str:
    import matplotlib

    here = Path(__file__).parent
    digest = hashlib.sha256(matplotlib.__version__.encode())
    for path in sorted([*here.glob("*.py"), *here.glob("*.mplstyle")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def key(draw: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str | None:
    """The chart's key, or None when caching is off or its arguments cannot be pickled."""
    if folder() is None:
        return None
    try:
        arguments = pickle.dumps((args, sorted(kwargs.items())), protocol=5)
    except Exception:  # a lambda or an open figure among the arguments: draw it every time
        return None
    name = f"{draw.__module__}.{draw.__qualname__}"
    return hashlib.sha256(name.encode() + _code_digest().encode() + arguments).hexdigest()[:32]


def lookup(chart_key: str | None) -> Drawn | None:
    where = folder()
    if chart_key is None or where is None:
        return None
    try:
        found = pickle.loads((where / f"{chart_key}.pickle").read_bytes())
    except Exception:  # absent, or half-written by a process that died: draw it
        return None
    return found if isinstance(found, Drawn) else None


def remember(chart_key: str | None, drawn: Drawn) -> None:
    where = folder()
    if chart_key is None or where is None:
        return
    try:
        where.mkdir(parents=True, exist_ok=True)
        tmp = where / f".{chart_key}.{os.getpid()}.tmp"
        tmp.write_bytes(pickle.dumps(drawn, protocol=5))
        os.replace(tmp, where / f"{chart_key}.pickle")  # readers in other processes never see half a file
    except OSError:  # a read-only cache costs time, not correctness
        pass
