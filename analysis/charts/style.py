"""The book's one chart style and a few shared chart helpers."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

STYLE = Path(__file__).with_name("book.mplstyle")


def _palette() -> list[str]:
    """The colour cycle of book.mplstyle: the one place the palette is written down."""
    cycle = matplotlib.rc_params_from_file(str(STYLE), use_default_template=False)["axes.prop_cycle"]
    return [entry["color"] for entry in cycle]


# Okabe-Ito (colour-blind safe), in the style sheet's order, named for the roles charts give them.
PALETTE = _palette()
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, BLACK = PALETTE[:8]


def use_style() -> None:
    plt.style.use(str(STYLE))


def usd_axis(ax: Axes, axis: str = "y") -> None:
    """Label ticks as $5M / $1.6B."""
    from analysis.formatting import usd

    formatter = FuncFormatter(lambda v, _pos: usd(v, 2) if v >= 1 else f"${v:g}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def new(**kwargs: object) -> tuple[plt.Figure, Axes]:
    use_style()
    fig, ax = plt.subplots(**kwargs)  # type: ignore[arg-type]
    return fig, ax
