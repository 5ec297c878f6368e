"""Charts of the uncertainty chapter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.charts import style as plots
from analysis.formatting import usd_sig

if TYPE_CHECKING:  # matplotlib loads when a chart is drawn
    from matplotlib.figure import Figure


@plots.responsive
def intervals(samples: dict[str, np.ndarray], panels: list[tuple[str, str, float | None, str]], central: Mapping[str, float]) -> Figure:
    """One panel per output: distribution (violin), P10–P90 bar, a dot at the value at the central inputs (the one value
    every page shows), published figure marked.

    `panels`: (key, title, published value or None, published label); `central`: each key's value at the central inputs.
    """
    plots.use_style()
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(panels), 1, figsize=(7.5, 1.7 * len(panels) + 0.7))
    for ax, (key, title, published, label) in zip(np.atleast_1d(axes), panels, strict=True):
        values = np.asarray(samples[key])
        p10, p90 = np.percentile(values, [10, 90])
        mid = float(central[key])
        lo, hi = np.percentile(values, [1, 99])
        parts = ax.violinplot(values[(values >= lo) & (values <= hi)], orientation="horizontal", showextrema=False, widths=0.9)
        for body in parts["bodies"]:
            body.set_facecolor(plots.SKY)
            body.set_alpha(0.45)
        ax.hlines(1, p10, p90, color=plots.BLUE, lw=6)
        ax.plot([mid], [1], "o", color="white", mec=plots.BLUE, mew=2, ms=8)
        ax.set_ylim(0.5, 1.85)  # a band above the violin for the published figure's label
        if published is not None:
            ax.axvline(published, color=plots.VERMILION, ls="--", lw=1.5)
            right = published > sum(ax.get_xlim()) / 2  # the label on the side of the line with more room
            ax.text(published, 0.97, f" {label} " if not right else f"{label} ", transform=ax.get_xaxis_transform(),
                    ha="right" if right else "left", va="top", color=plots.VERMILION, fontsize=8.5)
        fmt = usd_sig if published is None or published > 100 else (lambda v: f"${v:.2f}")
        ax.set_title(f"{title}: {fmt(mid)} (P10 {fmt(p10)} – P90 {fmt(p90)})", fontsize=10)
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        if published is None or published > 100:
            plots.usd_axis(ax, "x")
        else:
            ax.xaxis.set_major_formatter(lambda v, _p: f"${v:.2f}")
    # One key for every panel, below them: inside a panel it covered the distribution.
    handles = [plt.Line2D([], [], color=plots.BLUE, lw=6, label="P10–P90"),
               plt.Line2D([], [], marker="o", ls="", color="white", mec=plots.BLUE, mew=2, ms=8, label="Central inputs"),
               plt.Line2D([], [], color=plots.VERMILION, ls="--", lw=1.5, label="Published figure")]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8.5, frameon=False)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


@plots.responsive
def tornado(frame: pd.DataFrame, output_label: str, top: int = 10) -> Figure:
    """Ranked swings of one output as each input moves from its P10 to its P90, the others at their medians."""
    rows = frame.head(top).iloc[::-1]
    fig, ax = plots.new(figsize=(7.5, 0.38 * len(rows) + 1.2))
    base = float(rows["base"].iloc[0])
    y = np.arange(len(rows))
    ax.barh(y, rows["output_at_low"] - base, left=base, color=plots.BLUE, height=0.6, label="Input at its P10")
    ax.barh(y, rows["output_at_high"] - base, left=base, color=plots.ORANGE, height=0.6, label="Input at its P90")
    ax.axvline(base, color=plots.BLACK, lw=1)
    ax.set_yticks(y, rows["label"], fontsize=8.5)
    plots.usd_axis(ax, "x")
    ax.set_xlabel(output_label)
    # The key between the title and the bars: inside the axes it covered the shortest bars on a phone.
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8, frameon=False, borderaxespad=0.2)
    ax.set_title("Each input moved alone from its P10 to its P90, the others at their medians", pad=26)
    return fig
