"""Charts of the open-model atlas: Cleveland dot plots (log axes carry dots, never bars)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.charts import style as plots

if TYPE_CHECKING:  # matplotlib loads when a chart is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _compact(value: float) -> str:
    """70.3K, 1.03T, 401B: three significant figures, for dots and ticks."""
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def _rows(ax: Axes, names: list[str], highlight: list[bool]) -> np.ndarray:
    """Model names down the y axis (first at the top, without a parenthesis such as "(text decoder)"
    that the captions explain), the highlighted one in bold."""
    y = np.arange(len(names))[::-1]
    ax.set_yticks(y, [name.split(" (")[0] for name in names])
    for label, bold in zip(ax.get_yticklabels(), highlight, strict=True):
        if bold:
            label.set_fontweight("bold")
            label.set_color(plots.VERMILION)
    ax.set_ylim(-0.6, len(names) - 0.4)
    ax.grid(axis="y", color="#eeeeee")
    return y


@plots.responsive
def total_vs_active(models: pd.DataFrame, highlight: str) -> Figure:
    """Dumbbells on a log axis: activated (filled) and total (open) parameters of each model."""
    order = models.sort_values("total_params", ascending=False)
    fig, ax = plots.new(figsize=(6.9, 4.4))
    y = _rows(ax, list(order["name"]), [m == highlight for m in order["model"]])
    ax.hlines(y, order["active_params"], order["total_params"], color="#bbbbbb", lw=1.5, zorder=1)
    ax.scatter(order["total_params"], y, s=46, facecolor="white", edgecolor=plots.BLUE, lw=1.6, zorder=3, label="Total parameters")
    ax.scatter(order["active_params"], y, s=46, color=plots.ORANGE, zorder=3, label="Activated per token (no embedding)")
    for yi, total, active in zip(y, order["total_params"], order["active_params"], strict=True):
        ax.text(total * 1.18, yi, _compact(total), va="center", fontsize=8.5)
        if total / active > 1.5:
            ax.text(active / 1.18, yi, _compact(active), va="center", ha="right", fontsize=8.5)
    plots.log_axis(ax, "x", _compact)
    ax.set_xlim(order["active_params"].min() / 3, order["total_params"].max() * 2.2)
    ax.set_xlabel("Parameters (log scale)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.13), ncol=2, fontsize=9)
    ax.set_title("Total and activated parameters, one calculator")
    return fig


@plots.responsive
def per_token(models: pd.DataFrame, highlight: str, context_tokens: int, seq_len: int) -> Figure:
    """Two dot panels per model: KV cache per token (whole context, and as kept at `context_tokens`)
    and training FLOP per token."""
    plots.use_style()
    order = models.sort_values("kv_kept")
    fig, (left, right) = plots.pyplot().subplots(*plots.panels(1, 2), figsize=(7.0, 9.6) if plots.narrow() else (7.0, 5.0), sharey=True,
                                      gridspec_kw={} if plots.narrow() else {"width_ratios": [1.35, 1]})
    y = _rows(left, list(order["name"]), [m == highlight for m in order["model"]])
    windowed = order["kv_kept"] < order["kv_full"]
    left.hlines(y[windowed], order["kv_kept"][windowed], order["kv_full"][windowed], color="#bbbbbb", lw=1.5, zorder=1)
    left.scatter(order["kv_full"], y, s=46, facecolor="white", edgecolor=plots.BLUE, lw=1.6, zorder=3, label="Whole context kept")
    left.scatter(order["kv_kept"], y, s=30, color=plots.BLUE, zorder=4, label=f"As kept at {context_tokens:,} tokens")
    for yi, kept in zip(y, order["kv_kept"], strict=True):
        left.text(kept / 1.2, yi, _compact(kept), va="center", ha="right", fontsize=8.5)
    plots.log_axis(left, "x", _compact)
    left.xaxis.set_major_locator(plots.ticker().LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    left.set_xlim(order["kv_kept"].min() / 2.6, order["kv_full"].max() * 1.6)
    left.set_xlabel("Bytes per token (log scale)")
    left.set_title("KV cache (to serve)", fontsize=10.5)
    left.legend(loc="upper left", bbox_to_anchor=(-0.05, -0.12 if not plots.narrow() else -0.16), ncol=1 if plots.narrow() else 2, fontsize=9)

    flops = order["training_flops_per_token"]
    right.scatter(flops, y, s=46, color=plots.GREEN, zorder=3)
    for yi, value in zip(y, flops, strict=True):
        right.text(value * 1.2, yi, f"{value / 1e9:,.0f}", va="center", fontsize=8.5)
    plots.log_axis(right, "x", lambda v: f"{v / 1e9:,.0f}")
    right.set_xlim(flops.min() / 1.8, flops.max() * 3.5)
    right.set_xlabel("GFLOP per token (log scale)")
    right.set_title(f"Training ({seq_len:,}-token seq.)", fontsize=10.5)
    fig.subplots_adjust(hspace=0.62) if plots.narrow() else fig.subplots_adjust(wspace=0.08)
    return fig


@plots.responsive
def runs(frame: pd.DataFrame, highlight: str, usd_per_gpu_hour: float, basis: str) -> Figure:
    """Runs with published GPU-hours: cost at one price (log axis, dots) and implied MFU (linear)."""
    plots.use_style()
    order = frame.sort_values("gpu_hours", ascending=False)
    fig, (left, right) = plots.pyplot().subplots(*plots.panels(1, 2), figsize=(7.0, 6.2) if plots.narrow() else (7.0, 3.3), sharey=True,
                                      gridspec_kw={} if plots.narrow() else {"width_ratios": [1.45, 1]})
    y = _rows(left, list(order["name"]), [m == highlight for m in order["model"]])
    colours = [plots.VERMILION if m == highlight else plots.BLUE for m in order["model"]]
    left.scatter(order["cost_usd"], y, s=52, color=colours, zorder=3)
    for yi, cost, hours in zip(y, order["cost_usd"], order["gpu_hours"], strict=True):
        left.text(cost * 1.25, yi, f"${_compact(cost)} ({hours / 1e6:,.2f}M h)", va="center", fontsize=8.5)
    left.set_xscale("log")
    plots.usd_axis(left, "x")  # with no minor labels on a log axis
    left.set_xlim(order["cost_usd"].min() / 2, order["cost_usd"].max() * 14)
    left.set_xlabel(f"USD at ${usd_per_gpu_hour:,.2f} per GPU-hour (log scale)")
    left.set_title("Published GPU-hours, one price", fontsize=10.5)

    for yi, mfu, colour in zip(y, order["mfu"], colours, strict=True):
        if math.isnan(mfu):
            right.text(2, yi, "no token count", va="center", fontsize=8.5, color="#666666", style="italic")
            continue
        right.scatter(mfu * 100, yi, s=52, color=colour, zorder=3)
        right.text(mfu * 100 + 1.5, yi, f"{mfu:.0%}", va="center", fontsize=8.5)
    right.set_xlim(0, max(60.0, float(np.nanmax(order["mfu"].to_numpy(dtype=float))) * 100 + 10))
    right.set_xlabel(f"Implied MFU, % of {basis} peak")
    right.set_title("Utilisation: 6ND ÷ all GPU-hours", fontsize=10.5)
    fig.subplots_adjust(hspace=0.5) if plots.narrow() else fig.subplots_adjust(wspace=0.08)
    return fig
