"""What notebooks use to put numbers, tables and figures in front of readers.

Values are glued as plain Python floats/ints/strings (numpy scalars break
format specs) together with a `NAME__unit` record that results.json reads.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.results import UNIT_SUFFIX


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


def usd(value: float, digits: int = 1) -> str:
    """$5.6M, $1.6B, $294K: money for people (trailing zeros dropped: $944M)."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            shown = f"{value / scale:,.{digits}f}"
            if "." in shown:
                shown = shown.rstrip("0").rstrip(".")
            return f"{sign}${shown}{suffix}"
    return f"{sign}${value:,.0f}"


def si(value: float, digits: int = 1) -> str:
    """3.3e24 → '3.3×10²⁴' for FLOP counts in prose and tables."""
    if value == 0:
        return "0"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = value / 10**exponent
    sup = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return f"{mantissa:.{digits}f}×10{sup}"


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


def link_table(frame: pd.DataFrame, url_column: str, title_column: str, columns: dict[str, str]) -> str:
    """HTML table whose title column links to the URL column (escaped; no link when empty)."""
    import html

    head = "".join(f"<th>{html.escape(label)}</th>" for label in ["Title", *columns.values()])
    rows = []
    for row in frame.to_dict("records"):
        title = html.escape(str(row[title_column]))
        url = str(row[url_column] or "")
        cell = f'<a href="{html.escape(url)}">{title}</a>' if url.startswith("https://") else title
        rest = "".join(f"<td>{html.escape(str(row[c]))}</td>" for c in columns)
        rows.append(f"<tr><td>{cell}</td>{rest}</tr>")
    return f'<table class="cost-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def download_table(files: pd.DataFrame) -> str:
    """Links to the files the build copies into html/downloads/ (see analysis.build)."""
    import html

    rows = "".join(
        f'<tr><td><a href="../downloads/{html.escape(f)}" download>{html.escape(f)}</a></td><td>{html.escape(w)}</td></tr>'
        for f, w in zip(files["file"], files["what"], strict=True)
    )
    return f'<table class="cost-table"><thead><tr><th>File</th><th>Contents</th></tr></thead><tbody>{rows}</tbody></table>'
