"""Charts of the serving-economics chapter: prices against cost, the fleet-time budget, sparse attention."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.charts import style as plots

if TYPE_CHECKING:  # matplotlib loads when a chart is drawn
    from matplotlib.figure import Figure


TOKEN_KINDS = (  # column of the price table, legend label, colour, marker
    ("Hit", "Input, cache hit", plots.SKY, "o"),
    ("Miss", "Input, cache miss", plots.ORANGE, "s"),
    ("Output", "Output", plots.VERMILION, "D"),
)


def _dollars(value: float, _pos: object = None) -> str:
    return f"${value:,.2f}" if value < 1 else f"${value:,.0f}"


@plots.responsive
def price_timeline(prices: pd.DataFrame, costs: Mapping[str, float]) -> Figure:
    """Each price list (dated, oldest at the top) as three dots on a log axis, with the cost per
    million tokens as vertical lines and the output's implied gross margin written beside each row.

    `prices` has the columns Label, deepseek (bool), Hit, Miss, Output, Output margin and own (bool: the margin is over
    the list's own cost, not the cost lines drawn); other labs' rows
    (deepseek False) go below a rule, without a margin (their costs are not DeepSeek's).
    `costs` has the keys input_cache_miss and output (USD per million tokens)."""
    fig, ax = plots.new(figsize=(8.6, 4.6))
    y = np.arange(len(prices))[::-1].astype(float)
    for column, label, colour, marker in TOKEN_KINDS:
        ax.scatter(prices[column], y, color=colour, marker=marker, s=42, zorder=3, label=f"{label} price")
    for yi, value, margin, own, mine in zip(y, prices["Output"], prices["Output margin"], prices["deepseek"], prices["own"], strict=True):
        ax.plot([prices["Hit"].min() / 1.6, value], [yi, yi], color="#bbbbbb", lw=0.6, zorder=1)
        if own:  # a margin over its own cost is not read against the cost line drawn (V3's)
            ax.text(value * 1.35, yi, f"output margin {margin:.0%}" + (" (own cost)" if mine else ""), va="center", fontsize=8.5)
    for key, label, colour in (("input_cache_miss", "Cost of a cache miss", plots.ORANGE), ("output", "Cost of an output token", plots.VERMILION)):
        ax.axvline(costs[key], color=colour, ls="--", lw=1.2, label=f"{label}: {_dollars(costs[key])}")
    split = int(prices["deepseek"].sum())
    if 0 < split < len(prices):
        ax.axhline(y[split - 1] - 0.5, color=plots.BLACK, lw=0.6)
    ax.set_yticks(y, list(prices["Label"]), fontsize=9)
    plots.log_axis(ax, "x", _dollars)
    ax.set_xlim(prices["Hit"].min() / 1.8, prices["Output"].max() * 12)
    ax.set_xlabel("USD per million tokens (log scale)")
    ax.grid(axis="y", visible=False)
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.16), ncol=3, fontsize=8.5)
    ax.set_title("DeepSeek's prices over time against its cost per token")
    return fig


@plots.responsive
def fleet_time(slices: Mapping[str, float], fleet_hours: float, lent_hours: float) -> Figure:
    """One year of the fleet: a stacked bar of the slices (top) and each slice on its own (bottom),
    in millions of H800-equivalent GPU-hours. The slices must add up to `fleet_hours`."""
    total = float(sum(slices.values()))
    if not math.isclose(total, fleet_hours, rel_tol=1e-9):
        raise ValueError(f"fleet-time slices add up to {total:,.0f} GPU-hours, not the fleet-year's {fleet_hours:,.0f}")
    plots.use_style()
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8.6, 5.0), height_ratios=(1, 3.2))
    # One colour per named slice; the last slice (what nothing public explains) is grey.
    named_colours = [plots.BLUE, plots.SKY, plots.GREEN, plots.ORANGE, plots.PURPLE, plots.YELLOW, plots.VERMILION]
    if len(slices) - 1 > len(named_colours):
        raise ValueError(f"fleet-time chart: {len(slices) - 1} named slices, colours for {len(named_colours)}")
    colours = named_colours[: len(slices) - 1] + ["#cccccc"]
    scale = 1e6
    left = 0.0
    for (label, hours), colour in zip(slices.items(), colours, strict=True):
        width = max(hours, 0.0) / scale  # an overcommitted (negative) remainder has no width; the total line shows it
        top.barh(0, width, left=left, color=colour, height=0.6, label=label)
        left += width
    top.axvline(fleet_hours / scale, color=plots.BLACK, lw=1.2)
    named = sum(v for k, v in list(slices.items())[:-1]) / fleet_hours
    between = "\n" if plots.narrow() else "  |  "  # on a phone one line is wider than the bar
    top.text(fleet_hours / scale * 0.98, 0, f"named slices {named:.1%}{between}the rest {1 - named:.1%}", va="center", ha="right", fontsize=9,
             bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})  # legible on any slice
    top.set_yticks([])
    top.set_xlim(0, max(left, fleet_hours / scale) * 1.02)
    top.set_xlabel("Million H800-equivalent GPU-hours")
    top.grid(axis="y", visible=False)
    top.set_title("One year of the fleet in H800-equivalent GPU-hours, by use")

    labels, values = list(slices), [v / scale for v in slices.values()]
    y = np.arange(len(labels))[::-1]
    bottom.barh(y, values, color=colours[: len(labels)], height=0.6)
    for yi, value in zip(y, values, strict=True):
        share = value * scale / fleet_hours
        shown = f"{share:.1%}" if abs(share) >= 0.01 or share == 0 else f"{share:.2%}"
        bottom.text(max(value, 0) + fleet_hours / scale * 0.01, yi, f"{value:,.2f}M  ({shown})", va="center", fontsize=8.5)
    bottom.barh(-1, lent_hours / scale, color="none", edgecolor=plots.ORANGE, hatch="///", height=0.6)
    bottom.text(lent_hours / scale + fleet_hours / scale * 0.01, -1, f"{lent_hours / scale:,.1f}M  (memo: inside the slices above)",
                va="center", fontsize=8.5)
    bottom.set_yticks([*y, -1], [*labels, "Inference nodes lent at night"], fontsize=9)
    bottom.set_xlim(min(0, min(values) * 1.1), fleet_hours / scale * 1.2)
    bottom.set_xlabel("Million H800-equivalent GPU-hours in the year")
    bottom.grid(axis="y", visible=False)
    fig.tight_layout()
    return fig


@plots.responsive
def sparse_attention(curve: pd.DataFrame, chart: Mapping[str, float], context_tokens: int, anchor_tokens: float) -> Figure:
    """Cost per million tokens against token position, prefill and decode, dense MLA against DSA,
    with DeepSeek's own chart readings as dots. `curve` has position, prefill_dense, prefill_sparse,
    decode_dense, decode_sparse (USD per million tokens); a dotted line marks `anchor_tokens`, the
    position where the dense costs equal the disclosure's."""
    plots.use_style()
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(*plots.panels(1, 2), figsize=(8.8, 7.8) if plots.narrow() else (8.8, 3.8))
    k = curve["position"] / 1e3
    for ax, phase, title in ((axes[0], "prefill", "Prefill"), (axes[1], "decode", "Decode")):
        ax.plot(k, curve[f"{phase}_dense"], color=plots.BLUE, lw=2, label="V3 / V3.1 (dense MLA): this book")
        ax.plot(k, curve[f"{phase}_sparse"], color=plots.VERMILION, lw=2, label="V3.2-Exp (sparse): this book")
        ax.scatter([0, context_tokens / 1e3], [chart[f"{phase}_dense_usd_per_m_0k"], chart[f"{phase}_dense_usd_per_m_128k"]],
                   color=plots.BLUE, edgecolor=plots.BLACK, zorder=4, s=40, label="V3.1-Terminus: DeepSeek's chart (read)")
        ax.scatter([context_tokens / 1e3], [chart[f"{phase}_sparse_usd_per_m_128k"]], color=plots.VERMILION, edgecolor=plots.BLACK,
                   marker="D", zorder=4, s=40, label="V3.2-Exp: DeepSeek's chart (read)")
        ax.axvline(anchor_tokens / 1e3, color=plots.BLACK, ls=":", lw=1)
        ax.set_xlabel("Token position (thousands)")
        ax.set_ylabel("USD per million tokens")
        ax.set_xlim(0, context_tokens / 1e3 * 1.02)
        ax.set_ylim(0, None)
        ax.yaxis.set_major_formatter(plots.ticker().FuncFormatter(lambda v, _p: f"${v:,.2f}"))
        ax.set_title(title)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=1 if plots.narrow() else 2, bbox_to_anchor=(0.5, -0.1), fontsize=8.5)
    title = "Cost per million tokens by position in the context: dense MLA and sparse attention"
    fig.suptitle(textwrap.fill(title, 40) if plots.narrow() else title, x=0.02, ha="left", fontweight="bold", fontsize=12)
    fig.tight_layout(rect=(0, 0.12 if plots.narrow() else 0.06, 1, 1))
    return fig
