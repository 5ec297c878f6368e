"""Charts of the training-compute chapter.

Dots, not bars: on the log axes of `comparators` a bar's length would depend on where the
axis starts, and the MFU chart compares positions, not lengths.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.charts import style as plots

if TYPE_CHECKING:  # matplotlib loads when a chart is drawn
    from matplotlib.figure import Figure


@plots.responsive
def mfu_comparison(implied: Mapping[str, float], published: pd.DataFrame, band: tuple[float, float], highlight: str | None = None) -> Figure:
    """V3's implied MFU, counted several ways (dots), beside published MFUs (a dot or a range), with the band.

    Every value is a fraction of the dense BF16 peak: the caller must not mix in FP8-basis figures.
    """
    fig, ax = plots.new(figsize=(7.5, 3.9))
    labels = list(implied) + list(published["name"])
    y = np.arange(len(labels))[::-1]
    ax.axvspan(band[0] * 100, band[1] * 100, color=plots.GREEN, alpha=0.14, lw=0, label="Band of published runs")
    for yi, (label, value) in zip(y, implied.items(), strict=False):
        strong = label == highlight
        ax.plot(value * 100, yi, "o", color=plots.VERMILION, ms=8 if strong else 6, mfc=plots.VERMILION if strong else "white", mew=1.6)
        ax.annotate(f"{value:.1%}", (value * 100, yi), xytext=(7, 0), textcoords="offset points", va="center", fontsize=9,
                    fontweight="bold" if strong else "normal")
    for yi, row in zip(y[len(implied):], published.itertuples(), strict=True):
        ranged = row.mfu_high > row.mfu_low
        if ranged:
            ax.plot([row.mfu_low * 100, row.mfu_high * 100], [yi, yi], color=plots.BLUE, lw=2.2, solid_capstyle="butt")
        ax.plot([row.mfu_low * 100, row.mfu_high * 100] if ranged else [row.mfu_high * 100], [yi] * (2 if ranged else 1), "o",
                color=plots.BLUE, ms=6)
        text = f"{row.mfu_low:.1%}–{row.mfu_high:.1%}" if ranged else f"{row.mfu_high:.1%}"
        ax.annotate(text, (row.mfu_high * 100, yi), xytext=(7, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(y, labels)
    values = [v * 100 for v in implied.values()] + list(published["mfu_low"] * 100) + list(published["mfu_high"] * 100) + [b * 100 for b in band]
    ax.set_xlim(5 * np.floor(min(values) / 5 - 0.5), 5 * np.ceil(max(values) / 5 + 1))
    ax.xaxis.set_major_formatter(plots.ticker().PercentFormatter(decimals=0))
    ax.set_xlabel("Model FLOPs utilisation (% of dense BF16 peak)")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=1, fontsize=8.5)
    ax.axhline(y[len(implied) - 1] - 0.5, color=plots.BLACK, lw=0.6)
    ax.set_title("V3's implied utilisation beside published runs (BF16 peak)", pad=24)
    return fig


@plots.responsive
def comparators(frame: pd.DataFrame, estimates: Mapping[str, tuple[float, float]] | None = None) -> Figure:
    """Two log-scale dot panels: training FLOP (with intervals) and cost, each model on its own basis.

    `frame` has name, training_flops, flops_low, flops_high, cost_common_usd (NaN where the common
    price does not apply) and reported_cost_usd; `estimates` maps a model name to a (low, high)
    cost estimated by a third party (GPT-4: Epoch AI's amortised and cloud-price figures).
    """
    plots.use_style()
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(*plots.panels(1, 2), figsize=(8.5, 7.6) if plots.narrow() else (8.5, 3.8), sharey=True)
    y = np.arange(len(frame))[::-1]
    flops = frame["training_flops"].to_numpy(dtype=float)
    low = frame["flops_low"].fillna(frame["training_flops"]).to_numpy(dtype=float)
    high = frame["flops_high"].fillna(frame["training_flops"]).to_numpy(dtype=float)
    has = ~np.isnan(flops)
    ranged = has & (high > low)
    left.errorbar(flops[ranged], y[ranged], xerr=[flops[ranged] - low[ranged], high[ranged] - flops[ranged]],
                  fmt="none", ecolor=plots.BLUE, elinewidth=1.5, capsize=3, label="Epoch AI's 90% interval")
    left.plot(flops[has], y[has], "o", color=plots.BLUE, ms=7)
    plots.log_axis(left, "x")
    left.set_xlim(1e24, 1e26)
    left.set_xlabel("Training compute (FLOP, log scale)")
    left.set_yticks(y, frame["name"])
    left.set_title("Compute")
    if ranged.any():
        left.legend(loc="upper center", bbox_to_anchor=(0.4, -0.22), fontsize=8)
    cost = frame["cost_common_usd"].to_numpy(dtype=float)
    ok = ~np.isnan(cost)
    right.plot(cost[ok], y[ok], "o", color=plots.ORANGE, ms=7, label="GPU-hours × common price (H800-class GPUs)")
    reported = frame["reported_cost_usd"].to_numpy(dtype=float)
    rep = ~np.isnan(reported)
    right.plot(reported[rep], y[rep], "D", color=plots.BLACK, ms=5, mfc="none", mew=1.3, label="Reported or estimated cost")
    names = list(frame["name"])
    for i, (name, (lo, hi)) in enumerate((estimates or {}).items()):
        yi = y[names.index(name)]
        right.plot([lo, hi], [yi, yi], color=plots.PURPLE, lw=1.5)
        right.plot([lo, hi], [yi, yi], "s", color=plots.PURPLE, ms=5, label="Epoch AI: amortised to cloud price" if i == 0 else None)
    right.set_xscale("log")
    shown = np.concatenate([cost[ok], reported[rep], np.ravel(list((estimates or {}).values()))])
    right.set_xlim(shown.min() / 2, shown.max() * 2)
    plots.usd_axis(right, "x")
    right.set_xlabel("Cost (USD, log scale)")
    right.set_title("Cost")
    right.legend(loc="upper center", bbox_to_anchor=(0.4, -0.22), fontsize=8, ncol=1)
    fig.tight_layout()
    return fig


@plots.responsive
def deepseek_models(rows: list[tuple[str, tuple[float, float], tuple[float, float], tuple[bool, bool]]], usd_per_gpu_hour: float) -> Figure:
    """A Cleveland dot plot of DeepSeek's models in release order (oldest at the top): training compute (FLOP) and cost
    at one price per GPU-hour, both on log axes. Each row is (label, (FLOP low, high), (USD low, high), (FLOP estimated,
    cost estimated)): a figure from DeepSeek's disclosures is a filled dot; an estimate is an open dot, or a line between
    two open dots for a range."""
    import matplotlib.pyplot as plt

    from analysis.formatting import si

    plots.use_style()
    phone = plots.narrow()
    fig, (left, right) = plt.subplots(*plots.panels(1, 2), figsize=(8.4, 7.6) if phone else (8.4, 3.9), sharey=True)
    y = np.arange(len(rows))[::-1]
    for yi, (_label, flops, cost, estimated) in zip(y, rows, strict=True):
        for ax, (lo, hi), colour, est in ((left, flops, plots.BLUE, estimated[0]), (right, cost, plots.ORANGE, estimated[1])):
            if hi > lo:
                ax.plot([lo, hi], [yi, yi], color=colour, lw=2, solid_capstyle="butt", zorder=2)
            ax.plot([lo, hi] if hi > lo else [lo], [yi] * (2 if hi > lo else 1), "o", color=colour, mfc="white" if est else colour,
                    mew=1.6, ms=7, zorder=3)
        flop_text = si(flops[0], 1) if flops[0] == flops[1] else f"{si(flops[0], 1)}–{si(flops[1], 1)}"
        left.annotate(flop_text, (flops[1], yi), xytext=(7, 0), textcoords="offset points", va="center", fontsize=8)
        right.annotate(_money(cost), (cost[1], yi), xytext=(7, 0), textcoords="offset points", va="center", fontsize=8.5)
    left.set_yticks(y, [row[0] for row in rows])
    for ax, values in ((left, [f for row in rows for f in row[1]]), (right, [c for row in rows for c in row[2]])):
        plots.log_axis(ax, "x")
        ax.set_xlim(min(values) / 2, max(values) * 12)
    left.set_xlabel("Training compute (FLOP, log scale)")
    left.set_title("Compute", fontsize=10.5)
    plots.usd_axis(right, "x")
    right.set_xlabel(f"USD at ${usd_per_gpu_hour:,.2f} per H800-hour (log scale)")
    right.set_title("Cost of the GPU-hours", fontsize=10.5)
    handles = [plt.Line2D([], [], marker="o", ls="", color=plots.BLACK, ms=7, label="From DeepSeek's disclosures"),
               plt.Line2D([], [], marker="o", ls="-", color=plots.BLACK, mfc="white", ms=7, label="Estimate: range at the book's MFU band")]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=8.5, frameon=False)
    fig.suptitle("Training compute and cost of DeepSeek's models, by release", fontsize=11)
    if phone:  # stacked: each panel the page's width, the legend below both
        fig.subplots_adjust(left=0.24, right=0.98, top=0.9, bottom=0.12, hspace=0.45)
    else:
        fig.subplots_adjust(left=0.24, right=0.98, top=0.86, bottom=0.25, wspace=0.08)
    return fig


def _money(cost: tuple[float, float]) -> str:
    from analysis.formatting import usd

    return usd(cost[0], 2) if cost[0] == cost[1] else f"{usd(cost[0], 2)}–{usd(cost[1], 2)}"
