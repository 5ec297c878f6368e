"""What notebooks use to put numbers, tables and figures in front of readers.

Values are glued as plain Python floats/ints/strings (numpy scalars break
format specs) together with a `NAME__unit` record that results.json reads.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from analysis.chapters import UNIT_SUFFIX
from analysis.formatting import si, usd  # noqa: F401  (re-exported for chapters)

if TYPE_CHECKING:  # matplotlib loads only where a figure is drawn
    from matplotlib.figure import Figure


def _glue(name: str, value: Any) -> None:
    from myst_nb import glue  # imported here so the models never need myst-nb

    glue(name, value, display=False)


def glue_raw(name: str, text: str) -> None:
    """A record for the pipeline, not the prose (no unit record)."""
    _glue(name, text)


def glue_number(name: str, value: float, unit: str) -> float:
    """Glue a number for the prose ({glue:text}`name:,.0f`) and results.json."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"glue {name!r}: value {value!r} is not finite")
    _glue(name, number)
    _glue(name + UNIT_SUFFIX, unit)
    return number


def glue_text(name: str, text: str, unit: str = "text") -> str:
    """Glue a pre-formatted string (a verdict, a formatted money figure)."""
    _glue(name, str(text))
    _glue(name + UNIT_SUFFIX, unit)
    return str(text)


def figure_png(figure: Figure) -> bytes:
    """PNG bytes with no timestamp or version metadata, so reruns are byte-identical."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def glue_figure(name: str, figure: Figure) -> None:
    """Glue a figure (as PNG) for a {glue:figure} directive, then close it."""
    import matplotlib.pyplot as plt
    from IPython.display import Image

    _glue(name, Image(data=figure_png(figure), format="png"))
    plt.close(figure)


# A figure already formatted for people: $5.58M, 2,048, 43.7%, −0.12, 3.3×10²⁴, $26.7K, — (missing).
_FORMATTED_NUMBER = re.compile(r"^(—|[-−+]?\$?[\d,]*\.?\d+(×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?\s?[KMBT%×]?)$")


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """Columns of numbers, or of numbers already formatted as text: right-aligned, header included."""
    out = []
    for column in frame.columns:
        values = [v for v in frame[column] if not _missing(v)]
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        formatted = all(isinstance(v, str) and _FORMATTED_NUMBER.match(v.strip()) for v in values)
        if values and (numbers or (formatted and any(v.strip() != "—" for v in values))):
            out.append(column)
    return out


def table_html(frame: pd.DataFrame, formats: dict[str, Any] | None = None, row_ids: list[str] | None = None,
               markup: frozenset[str] = frozenset()) -> str:
    """A reader-facing HTML table: formatted columns, no index, deterministic markup; numbers and
    their headers right-aligned, text and its headers left-aligned.

    `formats` maps a column to a format spec ("{:,.0f}") or a function; `row_ids` gives each row an anchor (a link can
    land on it); the columns in `markup` hold HTML the book made itself (a verdict's badge), shown as it is.
    """
    import html

    numeric = set(numeric_columns(frame))
    shown = frame.copy()
    for column, fmt in (formats or {}).items():
        render = fmt if callable(fmt) else fmt.format
        shown[column] = [("—" if _missing(v) else render(v)) for v in shown[column]]

    def cell(tag: str, column: str, value: Any) -> str:
        text = "—" if _missing(value) else str(value)
        # data-label: on a narrow screen each row becomes a block of "label: value" lines (book/_static/custom.css).
        label = f' data-label="{html.escape(str(column))}"' if tag == "td" else ""
        body = text if tag == "td" and column in markup else html.escape(text)
        return f'<{tag} class="{"num" if column in numeric else "text"}"{label}>{body}</{tag}>'

    head = "".join(cell("th", c, c) for c in shown.columns)
    ids = [f' id="{html.escape(i)}"' for i in row_ids] if row_ids is not None else [""] * len(shown)
    rows = "".join(f"<tr{anchor}>" + "".join(cell("td", c, v) for c, v in zip(shown.columns, row, strict=True)) + "</tr>"
                   for anchor, row in zip(ids, shown.itertuples(index=False), strict=True))
    return f'<table class="cost-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def table(frame: pd.DataFrame, formats: dict[str, Any] | None = None) -> Any:
    """table_html() for a notebook's display cell."""
    from IPython.display import HTML

    return HTML(table_html(frame, formats))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
