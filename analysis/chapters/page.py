"""A chapter's page: every value, table and figure one notebook shows, built without papermill.

A chapter function returns a `Page`; the notebook calls `run(chapter_module, globals())`,
which picks the chapter's declared parameters from the notebook's namespace, calls the
chapter, and glues every value (with its unit, for results.json) and every figure. Display
cells then call `page.show(name)`. Tests call the chapter function directly.
"""

from __future__ import annotations

import contextvars
import math
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.chapters import present

if TYPE_CHECKING:  # matplotlib loads only where a figure is drawn
    from matplotlib.figure import Figure

Value = float | int | str
Formats = dict[str, Any]


@dataclass(frozen=True)
class Glued:
    value: float | str
    unit: str


# True while only a page's values are wanted (the dependency pass, results computed in-process): a chapter may then
# skip building what is only shown (`Page.shows_tables`). Values never depend on it.
_VALUES_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("values_only", default=False)


@contextmanager
def values_only() -> Iterator[None]:
    token = _VALUES_ONLY.set(True)
    try:
        yield
    finally:
        _VALUES_ONLY.reset(token)


@dataclass
class Page:
    """Everything one notebook shows: glued values, tables (with their formats) and figures."""

    values: dict[str, Glued] = field(default_factory=dict)
    tables: dict[str, tuple[pd.DataFrame, Formats]] = field(default_factory=dict)
    html: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)

    @property
    def shows_tables(self) -> bool:
        """False while only values are wanted: tables and HTML built only to be shown may be skipped."""
        return not _VALUES_ONLY.get()

    def number(self, name: str, value: float, unit: str) -> float:
        """A number for the prose ({glue:text}`name:,.0f`) and results.json."""
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"value {name!r}: {value!r} is not finite")
        self._add(name, Glued(number, unit))
        return number

    def text(self, name: str, text: str, unit: str = "text") -> str:
        """A pre-formatted string (a verdict, a money figure)."""
        self._add(name, Glued(str(text), unit))
        return str(text)

    def table(self, name: str, frame: pd.DataFrame, formats: Formats | None = None) -> pd.DataFrame:
        self.tables[name] = (frame, formats or {})
        return frame

    def raw_html(self, name: str, markup: str) -> None:
        self.html[name] = markup

    def figure(self, name: str, figure: Figure) -> None:
        self.figures[name] = figure

    def include(self, other: Page) -> None:
        """Another page's values, tables, HTML and figures, as if this page had made them."""
        for name, glued in other.values.items():
            self._add(name, glued)
        self.tables |= other.tables
        self.html |= other.html
        self.figures |= other.figures

    def _add(self, name: str, glued: Glued) -> None:
        # One name, one value: a page that glued two values under one name is a bug.
        if name in self.values and self.values[name] != glued:
            raise ValueError(f"value {name!r} set twice with different values: {self.values[name]} and {glued}")
        self.values[name] = glued

    def __getitem__(self, name: str) -> float | str:
        return self.values[name].value

    def show(self, name: str) -> Any:
        """The HTML of one table, for a display cell."""
        from IPython.display import HTML

        if name in self.html:
            return HTML(self.html[name])
        frame, formats = self.tables[name]
        return present.table(frame, formats)

    def glue_all(self) -> None:
        """Glue every value (and its unit) and every figure into the executing notebook."""
        for name, glued in self.values.items():
            if isinstance(glued.value, str):
                present.glue_text(name, glued.value, glued.unit)
            else:
                present.glue_number(name, glued.value, glued.unit)
        for name, figure in self.figures.items():
            glue_chart(name, figure)


CHART_METADATA = "cost_book_chart"  # the glue record's metadata key for a chart's phone variant (sphinx_charts reads it)


def glue_chart(name: str, figure: Figure) -> None:
    """Glue a chart as present.glue_figure does (its PNG for {glue:figure}), with its phone variant (drawn by
    analysis.charts.style.responsive) and both images' smallest text in pixels in the record's metadata, which
    analysis.pipeline.sphinx_charts serves by width. Metadata, so that nbval compares the record as before."""
    import base64

    from IPython.core.formatters import format_display_data
    from IPython.display import Image
    from IPython.display import display as ipy_display
    from myst_nb.ext.glue import GLUE_PREFIX

    from analysis.charts import drawn

    rendered = figure if isinstance(figure, drawn.Drawn) else _render(figure)
    chart: dict[str, Any] = {"min_font_px": rendered.min_font_px}
    if rendered.narrow_png is not None:
        chart |= {"narrow_png": base64.b64encode(rendered.narrow_png).decode("ascii"), "narrow_min_font_px": rendered.narrow_min_font_px}
    bundle, metadata = format_display_data(Image(data=rendered.png, format="png"))
    metadata = dict(metadata) | {"scrapbook": {"name": name, "mime_prefix": GLUE_PREFIX}, CHART_METADATA: chart}
    ipy_display({GLUE_PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


def _render(figure: Figure) -> Any:
    """A figure (and its phone variant) as PNGs, kept for the next build drawing it from the same inputs; closed."""
    import matplotlib.pyplot as plt

    from analysis.charts import drawn, style

    phone = getattr(figure, "narrow_variant", None)
    png = present.figure_png(figure)  # each measured just after it is saved: laid out as its PNG shows it
    narrow_png = None if phone is None else present.figure_png(phone)
    rendered = drawn.Drawn(png, style.min_font_px(figure, saved=True), narrow_png,
                           None if phone is None else style.min_font_px(phone, saved=True))
    drawn.remember(getattr(figure, "chart_key", None), rendered)
    for each in (phone, figure):
        if each is not None:
            plt.close(each)
    return rendered


def parameters_from(module: ModuleType, namespace: Mapping[str, Any]) -> dict[str, Value]:
    """The chapter's declared parameters, from a notebook's namespace (all must be there)."""
    names: tuple[str, ...] = module.PARAMETERS
    missing = [n for n in names if n not in namespace]
    if missing:
        raise NameError(f"{module.__name__}: parameters cell lacks {', '.join(missing)} (run `python -m analysis refresh`)")
    return {n: namespace[n] for n in names}


def call(module: ModuleType, params: Mapping[str, Value], moved: str | None = None) -> Page:
    """module.chapter(params). A chapter may refuse inputs each valid alone that it cannot use together (more serving
    demand than the nodes can carry): its error then names the chapter and the inputs away from their defaults, which
    the reader set (the chapter's own message names what it computed from them). `moved`: the parameter a dependency
    pass moved by 1% for this run."""
    from analysis.errors import InputError

    try:
        return module.chapter(params)  # type: ignore[no-any-return]
    except InputError as exc:
        from analysis.inputs.params import away_from_defaults, value_text

        changed = [f"{name}={value_text(value)}" for name, value in away_from_defaults(params).items() if name != "mc_samples"]
        stem = module.__name__.rsplit(".", 1)[-1]
        at = f"; inputs set: {', '.join(changed)}" if changed else ""
        during = f" (measuring what {moved} moves, with {moved} moved a step)" if moved else ""
        raise InputError(f"{stem} chapter: {'these inputs do not go together' if len(changed) > 1 else 'refused'}{during}: "
                         f"{exc}{at}") from None


DEPENDS_ON_RECORD = "__depends_on__"  # the glue record that carries the page's measured dependencies


def run(module: ModuleType, namespace: Mapping[str, Any]) -> Page:
    """What a notebook's one code cell does: parameters → chapter → glue, then the dependencies of every
    value (analysis.chapters.dependencies), glued as one JSON record for results.json."""
    import json

    from analysis.chapters import dependencies

    params = parameters_from(module, namespace)
    page = call(module, params)
    page.glue_all()
    stem = module.__name__.rsplit(".", 1)[-1]
    # COST_BOOK_DEPENDENCIES=0 skips the measurement (to time the pass); a pass already made at these values is taken.
    measuring = os.environ.get("COST_BOOK_DEPENDENCIES", "1") != "0"
    measured = (dependencies.supplied(stem, params) or dependencies.chapter_dependencies(stem, params)) if measuring else {}
    present.glue_raw(DEPENDS_ON_RECORD, json.dumps(measured, sort_keys=True))
    return page
