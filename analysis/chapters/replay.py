"""A section of a page computed once per set of the inputs it reads, while only values are wanted.

The dependency pass runs a chapter once per parameter it moves, and most sections of a chapter read few of its
parameters: a section that reads none of the moved one computes the same values again. `section` keeps, in values-only
mode (`Page.shows_tables` False), the values a section glues and what it returns, keyed by the parameters it reads (each
value with its type), its other arguments and the data tables it names (a reload of one is noticed), and glues them
again in the same order. The section then runs on those parameters alone, so that one it reads without declaring it
fails at once rather than being served for other inputs. A page that is shown runs every section as always.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from analysis.chapters.inputs import typed, typed_items
from analysis.chapters.page import Glued, Page
from analysis.inputs import data

T = TypeVar("T")
LIMIT = 4096  # sections kept, at most (least recently used dropped first)
_KEPT: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], tuple[tuple[str, Glued], ...], Any]] = OrderedDict()


def section(page: Page, build: Callable[..., T], f: Mapping[str, Any], names: tuple[str, ...], *args: Any,
            tables: tuple[str, ...] = ()) -> T:
    """build(page, f, *args), whose values depend on f's `names`, `args` (hashable, not mutated) and the data `tables`
    alone; what it returns is shared between the runs that ask for it (not to be mutated)."""
    if page.shows_tables:
        return build(page, f, *args)
    loaded = tuple(data.cached_table(name) for name in tables)
    key = (build.__module__, build.__qualname__, typed_items(f, names), tuple(typed(a) for a in args),
           tables)
    hit = _KEPT.get(key)
    if hit is None or any(a is not b for a, b in zip(hit[0], loaded, strict=True)):
        sub = Page()
        result = build(sub, {name: f[name] for name in names}, *args)
        hit = (loaded, tuple(sub.values.items()), result)
        _KEPT[key] = hit
        while len(_KEPT) > LIMIT:
            _KEPT.popitem(last=False)
    else:
        _KEPT.move_to_end(key)
    page.include(Page(values=dict(hit[1])))
    return hit[2]  # type: ignore[no-any-return]
