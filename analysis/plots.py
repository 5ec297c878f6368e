"""The book's one chart style and a few shared chart helpers."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

STYLE = Path(__file__).with_name("book.mplstyle")
# Okabe-Ito, named for the roles charts give them.
BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, BLACK = (
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
)
PALETTE = [BLUE, ORANGE, GREEN, VERMILION, PURPLE, SKY, YELLOW, BLACK]


def use_style() -> None:
    plt.style.use(str(STYLE))


def usd_axis(ax: Axes, axis: str = "y") -> None:
    """Label ticks as $5M / $1.6B."""
    from analysis.present import usd

    formatter = FuncFormatter(lambda v, _pos: usd(v, 2) if v >= 1 else f"${v:g}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def new(**kwargs: object) -> tuple[plt.Figure, Axes]:
    use_style()
    fig, ax = plt.subplots(**kwargs)  # type: ignore[arg-type]
    return fig, ax
