"""Charts of the training-compute chapter."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from analysis.charts import style as plots


def mfu_comparison(implied: dict[str, float], published: pd.DataFrame, band: tuple[float, float]) -> Figure:
    """Implied MFU of V3 (bars) beside published MFUs (ranges), with the plausible band."""
    fig, ax = plots.new(figsize=(7.5, 3.6))
    labels = list(implied) + list(published["name"])
    y = np.arange(len(labels))[::-1]
    ax.axvspan(band[0] * 100, band[1] * 100, color=plots.GREEN, alpha=0.12, label="Plausible band (parameters)")
    for yi, value in zip(y, implied.values(), strict=False):
        ax.barh(yi, value * 100, color=plots.VERMILION, height=0.6)
        ax.text(value * 100 + 0.8, yi, f"{value:.1%}", va="center", fontsize=9)
    for yi, row in zip(y[len(implied):], published.itertuples(), strict=True):
        ax.barh(yi, row.mfu_high * 100, color=plots.BLUE, height=0.6, alpha=0.85)
        if row.mfu_high > row.mfu_low:
            ax.barh(yi, row.mfu_low * 100, color=plots.BLUE, height=0.6)
        text = f"{row.mfu_low:.0%}–{row.mfu_high:.0%}" if row.mfu_high > row.mfu_low else f"{row.mfu_high:.1%}"
        ax.text(row.mfu_high * 100 + 0.8, yi, text, va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.set_xlabel("Model FLOPs utilisation (% of dense peak)")
    ax.set_xlim(0, 100)
    ax.legend(loc="lower right")
    ax.set_title("V3's implied utilisation sits among published large runs")
    return fig


def comparators(frame: pd.DataFrame) -> Figure:
    """Two log-scale panels: training FLOP (with intervals) and cost at the common price."""
    plots.use_style()
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(8.5, 3.6), sharey=True)
    y = np.arange(len(frame))[::-1]
    flops = frame["training_flops"].to_numpy(dtype=float)
    low = frame["flops_low"].fillna(frame["training_flops"]).to_numpy(dtype=float)
    high = frame["flops_high"].fillna(frame["training_flops"]).to_numpy(dtype=float)
    has = ~np.isnan(flops)
    left.barh(y[has], flops[has], color=plots.BLUE, height=0.6)
    ranged = has & (high > low)
    left.errorbar(flops[ranged], y[ranged], xerr=[flops[ranged] - low[ranged], high[ranged] - flops[ranged]],
                  fmt="none", ecolor=plots.BLACK, capsize=3)
    left.set_xscale("log")
    left.set_xlim(1e23, 1e26)
    left.xaxis.set_minor_formatter(NullFormatter())
    left.set_xlabel("Training compute (FLOP, log scale)")
    left.set_yticks(y, frame["name"])
    left.set_title("Compute")
    cost = frame["cost_common_usd"].to_numpy(dtype=float)
    ok = ~np.isnan(cost)
    right.barh(y[ok], cost[ok], color=plots.ORANGE, height=0.6, label="GPU-hours × common price")
    reported = frame["reported_cost_usd"].to_numpy(dtype=float)
    rep = ~np.isnan(reported)
    right.scatter(reported[rep], y[rep], marker="D", color=plots.BLACK, zorder=3, label="Reported or estimated cost")
    right.set_xscale("log")
    plots.usd_axis(right, "x")
    right.set_xlabel("Cost (USD, log scale)")
    right.set_title("Cost")
    right.xaxis.set_minor_formatter(NullFormatter())
    right.legend(loc="upper center", bbox_to_anchor=(0.3, -0.22), fontsize=8, ncol=1)
    fig.tight_layout()
    return fig
