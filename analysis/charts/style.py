"""The book's one chart style and a few shared chart helpers, and each chart's phone variant.

On a phone a chart is redrawn, not shrunk: every public chart function is wrapped with `responsive`, which draws it a
second time at phone proportions (narrow() is true meanwhile, so a chart of side-by-side panels stacks them) and
attaches that figure to the wide one (`narrow_variant`). The phone figure is fitted to PHONE_WIDTH_PX, its long tick
labels are wrapped onto stacked lines, its legends take at most two columns, and no text is smaller than
PHONE_MIN_FONT_PT. The page serves it by width (analysis.pipeline.sphinx_charts); the PDF keeps the wide one.
"""

from __future__ import annotations

import contextvars
import functools
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from analysis.charts import drawn

if TYPE_CHECKING:  # matplotlib loads when a chart is drawn, not when a chapter is imported (results only draw none)
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

STYLE = Path(__file__).with_name("book.mplstyle")


def _palette() -> list[str]:
    """The colour cycle of book.mplstyle: the one place the palette is written down (read without matplotlib;
    tests/test_drawn.py checks it against matplotlib's own reading)."""
    line = next(ln for ln in STYLE.read_text().splitlines() if ln.startswith("axes.prop_cycle"))
    return ["#" + hex_colour for hex_colour in re.findall(r"'([0-9A-Fa-f]{6})'", line)]


def pyplot() -> Any:
    """pyplot on the Agg backend, loaded on first use."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    return pyplot


def ticker() -> Any:
    """matplotlib.ticker, loaded on first use."""
    import matplotlib.ticker

    return matplotlib.ticker


# Okabe-Ito (colour-blind safe), in the style sheet's order, named for the roles charts give them.
PALETTE = _palette()
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, BLACK = PALETTE[:8]


def use_style() -> None:
    pyplot().style.use(str(STYLE))


def usd_axis(ax: Axes, axis: str = "y") -> None:
    """Label ticks as $5M / $1.6B."""
    from matplotlib.ticker import FuncFormatter

    from analysis.formatting import usd

    formatter = FuncFormatter(lambda v, _pos: usd(v, 2) if v >= 1 else f"${v:g}")
    scaled = ax.yaxis if axis == "y" else ax.xaxis
    scaled.set_major_formatter(formatter)
    if scaled.get_scale() == "log":  # its minor labels would be mathtext, shown raw (the style sheet turns it off)
        scaled.set_minor_formatter(ticker().NullFormatter())


def log_axis(ax: Axes, axis: str = "x", label: Callable[[float], str] | None = None) -> None:
    """A log scale with its ticks labelled by `label` (by default 0.01, 1, 1,000, then 10⁴, 10²⁴) and no minor labels.
    matplotlib's own log labels are mathtext, which the style sheet turns off (a $ is a dollar sign), so they would show
    as raw markup."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    scaled = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    written = label or power_of_ten
    scaled.set_major_formatter(FuncFormatter(lambda value, _pos: written(value)))
    scaled.set_minor_formatter(NullFormatter())


def power_of_ten(value: float) -> str:
    """A log axis's tick: plain from 0.001 to 1,000, else 10 with a superscript power."""
    if value <= 0:
        return f"{value:g}"
    exponent = round(math.log10(value))
    if -3 <= exponent <= 3:
        return f"{value:,g}"
    if not math.isclose(value, 10.0**exponent, rel_tol=1e-6):
        return f"{value:.1e}"
    from analysis.formatting import superscript

    return "10" + superscript(exponent)


def new(**kwargs: object) -> tuple[plt.Figure, Axes]:
    use_style()
    fig, ax = pyplot().subplots(**kwargs)
    return fig, ax


# --- phone variants ---------------------------------------------------------------------------------------------

# A 400 px phone shows a chart 352 CSS px wide; a chart drawn at most PHONE_WIDTH_PX wide is shrunk at most
# 540/352 = 1.53 times, and its smallest text, PHONE_MIN_FONT_PT at savefig.dpi (110), is 9.5 * 110 / 72 = 14.5 px
# drawn, 9.5 CSS px shown. tests/test_phone.py measures both in Chromium (at most 1.6 times, at least 9 px).
PHONE_WIDTH_PX = 540
PHONE_MIN_FONT_PT = 9.5
PHONE_LABEL_CHARS = 24  # tick labels longer than this wrap onto stacked lines on a phone
PHONE_TITLE_CHARS = 40  # and titles longer than this
PHONE_MIN_WIDTH_IN = 3.4  # the figure narrows no further; its texts wrap instead
_NARROW: contextvars.ContextVar[bool] = contextvars.ContextVar("narrow_chart", default=False)
F = TypeVar("F", bound=Callable[..., Any])


def narrow() -> bool:
    """True while a chart is being drawn at phone proportions."""
    return _NARROW.get()


def panels(rows: int, cols: int) -> tuple[int, int]:
    """Side-by-side panels on a wide page, stacked on a phone."""
    return (cols, rows) if narrow() and rows == 1 and cols > 1 else (rows, cols)


def responsive(draw: F) -> F:
    """Draw the chart, then again at phone proportions; the phone figure rides on the wide one as `narrow_variant`."""

    @functools.wraps(draw)
    def both(*args: Any, **kwargs: Any) -> Any:
        chart_key = drawn.key(draw, args, kwargs)
        before = drawn.lookup(chart_key)
        if before is not None:  # drawn before from the same inputs (analysis.charts.drawn)
            return before
        figure = draw(*args, **kwargs)
        token = _NARROW.set(True)
        try:
            phone = draw(*args, **kwargs)
        finally:
            _NARROW.reset(token)
        fit_for_phone(phone)
        figure.narrow_variant = phone
        figure.chart_key = chart_key
        return figure

    return both  # type: ignore[return-value]


def savefig_dpi(figure: plt.Figure) -> float:
    import matplotlib

    dpi = matplotlib.rcParams["savefig.dpi"]
    return float(figure.dpi if dpi == "figure" else dpi)


def _texts(figure: plt.Figure, laid_out: bool = False) -> list[Any]:
    """Every piece of text the saved image shows (tick labels of the ticks drawn, not matplotlib's spare ones).
    `laid_out`: the figure was laid out since it last changed (no need to lay it out again)."""
    from matplotlib.text import Text

    if not laid_out:
        figure.draw_without_rendering()  # lays out every text (ticks included) without rasterising: a tenth of a draw
    tick_labels = {id(label) for ax in figure.axes for axis in (ax.xaxis, ax.yaxis)
                   for tick in axis.get_major_ticks() + axis.get_minor_ticks() for label in (tick.label1, tick.label2)}
    shown = [t for t in figure.findobj(Text, include_self=False) if id(t) not in tick_labels]
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            shown += list(axis.get_ticklabels()) + list(axis.get_ticklabels(minor=True))
    return [t for t in shown if t.get_visible() and t.get_text().strip()]


def min_font_px(figure: plt.Figure, saved: bool = False) -> float:
    """The smallest text of the figure, in pixels of its saved PNG. `saved`: just saved, so laid out as its PNG shows
    it (no layout pass needed; tests/test_drawn.py checks that the two readings agree)."""
    sizes = [t.get_fontsize() for t in _texts(figure, laid_out=saved)]
    return round(min(sizes) * savefig_dpi(figure) / 72, 2) if sizes else 0.0


def saved_width_px(figure: plt.Figure) -> float:
    """The width of the PNG savefig writes (bbox tight: every text included)."""
    figure.draw_without_rendering()  # as savefig's tight box does: layout, no pixels
    box = figure.get_tightbbox(figure.canvas.get_renderer())
    import matplotlib

    pad = matplotlib.rcParams["savefig.pad_inches"]
    return (box.width + 2 * pad) * savefig_dpi(figure)


def fit_for_phone(figure: plt.Figure) -> None:
    """Phone proportions: text at least PHONE_MIN_FONT_PT, long tick labels stacked, legends in one or two columns,
    and the figure narrowed until its saved image is at most PHONE_WIDTH_PX wide."""
    for text in _texts(figure):
        if text.get_fontsize() < PHONE_MIN_FONT_PT:
            text.set_fontsize(PHONE_MIN_FONT_PT)
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = axis.get_ticklabels()
            if any(len(t.get_text()) > PHONE_LABEL_CHARS for t in labels):
                _relabel(axis, [_wrap(t.get_text(), PHONE_LABEL_CHARS) for t in labels])
    titles = [t for ax in figure.axes for t in (ax.title, ax._left_title, ax._right_title)] + [figure._suptitle]
    for title in titles:
        if title is not None and len(title.get_text()) > PHONE_TITLE_CHARS:
            title.set_text(_wrap(title.get_text(), PHONE_TITLE_CHARS))
    for legend in [ax.get_legend() for ax in figure.axes] + list(figure.legends):
        if legend is not None and getattr(legend, "_ncols", 1) > 2:
            legend.set_ncols(2)
    _fit_width(figure)
    _narrow_x_labels(figure)
    _fit_height(figure)


def _relabel(axis: Any, texts: list[str], level: bool = True) -> None:
    """New tick labels for a phone: at least PHONE_MIN_FONT_PT and, with `level`, level on the x axis (stacked lines
    read level)."""
    axis.set_ticks(axis.get_ticklocs(), texts)
    for t in axis.get_ticklabels():
        t.set_fontsize(max(t.get_fontsize(), PHONE_MIN_FONT_PT))
        if level and axis.axis_name == "x":
            t.set_rotation(0)
            t.set_ha("center")


def crowded_x_labels(figure: plt.Figure) -> list[Any]:
    """The x axes whose neighbouring level tick labels overlap side by side. Lays the figure out."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    crowded = []
    for ax in figure.axes:
        boxes = _label_boxes(ax, "x", renderer)
        if any(left.x1 + TICK_GAP_PX > right.x0 for left, right in zip(boxes, boxes[1:], strict=False)):
            crowded.append(ax.xaxis)
    return crowded


def _label_boxes(ax: Axes, axis: str, renderer: Any) -> list[Any]:
    """The boxes of an axis's shown tick labels centred within the axes, in order along it; on x only the level ones
    (slanted labels are set apart by their slant, though their boxes overlap)."""
    labels = (ax.xaxis if axis == "x" else ax.yaxis).get_ticklabels()
    boxes = [label.get_window_extent(renderer) for label in labels
             if label.get_visible() and label.get_text().strip() and (axis == "y" or label.get_rotation() == 0)]
    if axis == "x":
        return sorted((b for b in boxes if ax.bbox.x0 - 1 <= (b.x0 + b.x1) / 2 <= ax.bbox.x1 + 1), key=lambda b: b.x0)
    return sorted((b for b in boxes if ax.bbox.y0 - 1 <= (b.y0 + b.y1) / 2 <= ax.bbox.y1 + 1), key=lambda b: b.y0)


def _narrow_x_labels(figure: plt.Figure) -> None:
    """Stack x tick labels onto shorter lines while neighbours overlap (a phone gives each bar a few words' width)."""
    for _ in range(4):
        crowded = crowded_x_labels(figure)
        if not crowded:
            return
        for axis in crowded:
            labels = axis.get_ticklabels()
            limit = max(6, int(max(_longest_line(t) for t in labels) * 0.7))
            _relabel(axis, [_wrap(t.get_text(), limit) for t in labels])


TICK_GAP_PX = 2.0  # the least space between two tick labels of one axis


def crowded_ticks(figure: plt.Figure) -> float:
    """How many times taller the figure's axes must be for no two of an axis's y tick labels to overlap (1.0: none
    do). Row labels stacked onto several lines on a phone need more room than the rows had. Lays the figure out."""
    figure.draw_without_rendering()
    renderer = figure.canvas.get_renderer()
    need = 1.0
    for ax in figure.axes:
        boxes = _label_boxes(ax, "y", renderer)
        for low, high in zip(boxes, boxes[1:], strict=False):
            apart = (high.y0 + high.y1 - low.y0 - low.y1) / 2
            if apart > 0:
                need = max(need, ((low.height + high.height) / 2 + TICK_GAP_PX) / apart)
    return need


def _fit_height(figure: plt.Figure) -> None:
    """Make the phone figure taller until its row labels stop overlapping (the axes grow with the figure)."""
    for _ in range(4):
        need = crowded_ticks(figure)
        if need <= 1.0:
            return
        width, height = figure.get_size_inches()
        figure.set_size_inches(width, height * min(need * 1.05, 3.0))


def _fit_width(figure: plt.Figure) -> None:
    """Narrow the figure until its saved image is at most PHONE_WIDTH_PX wide; where text outside the plot sets the
    width (a legend, a note beside the axes), stack that text onto shorter lines instead."""
    dpi = savefig_dpi(figure)
    target = PHONE_WIDTH_PX - 20  # savefig's tight box is measured a few pixels short of the PNG it writes
    height = figure.get_size_inches()[1] * 1.15
    figure.set_size_inches(PHONE_WIDTH_PX / dpi, height)
    before = None
    for _ in range(60):
        saved = saved_width_px(figure)
        if saved <= target:
            return
        width = figure.get_size_inches()[0]
        if (before is not None and saved >= before - 2) or width <= PHONE_MIN_WIDTH_IN + 0.01:
            if not _wrap_overflowing(figure):
                return
            before = None
            continue
        before = saved
        figure.set_size_inches(max(PHONE_MIN_WIDTH_IN, width - (saved - target) / dpi - 0.05), height)


def _overflow(extent: Any, figure_width: float) -> float:
    return max(_reach(extent, figure_width), 0.0)


def _reach(extent: Any, figure_width: float) -> float:
    """How far a text reaches past the figure's nearer side (negative: how far inside it stays)."""
    return max(extent.x1 - figure_width, -extent.x0)


def _wrap_overflowing(figure: plt.Figure) -> bool:
    """Stack the text reaching furthest outside the figure onto shorter lines (a legend first loses columns; a legend
    reaching furthest has its longest entry stacked). Called just after saved_width_px laid the figure out."""
    renderer = figure.canvas.get_renderer()
    figure_width = figure.bbox.width
    legends = [legend for legend in [ax.get_legend() for ax in figure.axes] + list(figure.legends) if legend is not None]
    for legend in sorted(legends, key=lambda lg: -_overflow(lg.get_window_extent(renderer), figure_width)):
        if getattr(legend, "_ncols", 1) > 1 and _overflow(legend.get_window_extent(renderer), figure_width) > 0:
            legend.set_ncols(getattr(legend, "_ncols", 2) - 1)
            return True
    texts = [t for t in _texts(figure, laid_out=True) if _longest_line(t) > 10]
    # The artist that sets the saved image's width is the one reaching furthest out (wrapping any other gains nothing):
    # a text, or a legend, whose longest entry is then the one to stack.
    reach = {id(t): _reach(t.get_window_extent(renderer), figure_width) for t in texts}
    for legend in legends:
        entries = [t for t in legend.get_texts() if _longest_line(t) > 10]
        if entries:
            widest = max(entries, key=lambda t: (_longest_line(t), t.get_window_extent(renderer).width))
            reach[id(widest)] = max(reach.get(id(widest), -np.inf), _reach(legend.get_window_extent(renderer), figure_width))
            texts.append(widest)
    if not texts:
        return False
    text = max(texts, key=lambda t: (reach[id(t)], t.get_window_extent(renderer).width))
    longest = _longest_line(text)
    limit = max(10, int(longest * 0.8))
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = axis.get_ticklabels()
            if any(label is text for label in labels):  # a fifth at a time: every label of the axis wraps alike
                _relabel(axis, [_wrap(t.get_text(), limit) for t in labels], level=False)
                return True
    # A note or a legend entry: shorten its lines by the share of its width that lies outside, in one step, not many.
    outside = max(reach[id(text)], 0.0) / max(text.get_window_extent(renderer).width, 1.0)
    text.set_text(_wrap(text.get_text(), max(10, min(limit, int(longest * (1 - outside))))))
    return True


def _wrap(text: str, width: int) -> str:
    """Text onto lines of at most `width` characters, broken between words or after a word's hyphen, as print breaks
    them, never elsewhere inside a word ("V3.1" stays whole; a word longer than `width` with no hyphen keeps its line).
    Lines broken before are joined first, a hyphen's without a space ("off-peak", never "off- peak")."""
    lines: list[str] = []
    line = ""
    for word in " ".join(re.sub(r"-\n", "-", text).split()).split(" "):
        for i, piece in enumerate(re.split(r"(?<=[^\s-]-)(?=[^\s-])", word)):
            joint = "" if i else " "  # a piece after a hyphen continues its word
            if line and len(line) + len(joint) + len(piece) > width:
                lines.append(line)
                line = piece
            else:
                line = f"{line}{joint}{piece}" if line else piece
    return "\n".join([*lines, line])


def _longest_line(text: Any) -> int:
    return max(len(line) for line in text.get_text().split("\n"))
