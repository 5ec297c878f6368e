"""What notebooks use to put numbers, tables and figures in front of readers.

Values are glued as plain Python floats/ints/strings (numpy scalars break
format specs) together with a `NAME__unit` record that results.json reads.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.chapters import UNIT_SUFFIX
from analysis.formatting import si, usd  # noqa: F401  (re-exported for chapters)


def _glue(name: str, value: Any) -> None:
    from myst_nb import glue  # imported here so the models never need myst-nb

    glue(name, value, display=False)


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


def table(frame: pd.DataFrame, formats: dict[str, Any] | None = None) -> Any:
    """A reader-facing HTML table: formatted columns, no index, deterministic markup.

    `formats` maps a column to a format spec ("{:,.0f}") or a function.
    """
    shown = frame.copy()
    for column, fmt in (formats or {}).items():
        render = fmt if callable(fmt) else fmt.format
        shown[column] = [("—" if _missing(v) else render(v)) for v in shown[column]]
    shown = shown.fillna("—")
    from IPython.display import HTML

    return HTML(shown.to_html(index=False, classes="cost-table", border=0, escape=True))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
