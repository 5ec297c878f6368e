"""Charts of the architecture chapter."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.charts import style as plots

if TYPE_CHECKING:  # matplotlib loads when a chart is drawn
    from matplotlib.figure import Figure


@plots.responsive
def total_vs_active(models: pd.DataFrame) -> Figure:
    """A dot plot on a log axis: total and activated parameters per model (billions), joined by a line.

    Dots, not bars: on a log axis a bar's length depends on where the axis starts.
    """
    fig, ax = plots.new(figsize=(7.5, 3.8))
    order = models.sort_values("total_params")
    y = np.arange(len(order))
    total, active = order["total_params"] / 1e9, order["active_params"] / 1e9
    ax.hlines(y, active, total, color=plots.BLACK, lw=1, alpha=0.5)
    ax.plot(total, y, "o", color=plots.BLUE, ms=7, label="Total parameters")
    ax.plot(active, y, "o", color=plots.ORANGE, ms=7, label="Activated per token")
    ax.set_yticks(y, order["name"])
    ax.set_xscale("log")
    ax.set_xlabel("Parameters (billions, log scale)")
    ax.xaxis.set_major_formatter(plots.ticker().FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    for yi, (t, a) in enumerate(zip(total, active, strict=True)):
        ax.annotate(f"{t:,.1f}B", (t, yi), xytext=(7, 0), textcoords="offset points", va="center", fontsize=8.5)
        if t / a > 1.01:  # a dense model's two dots coincide: one label
            ax.annotate(f"{a:,.1f}B", (a, yi), xytext=(-7, 0), textcoords="offset points", va="center", ha="right", fontsize=8.5)
    ax.set_xlim(active.min() / 8, total.max() * 3)  # room for the smallest model's label left of its dot
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)  # below: clear of the dots
    ax.set_title("Parameters activated per token as a share of all parameters")
    return fig


@plots.responsive
def v3_breakdown(parts: dict[str, float]) -> Figure:
    """One stacked bar: where DeepSeek-V3's parameters sit (billions)."""
    fig, ax = plots.new(figsize=(7.5, 2.6))
    left = 0.0
    for (label, value), colour in zip(parts.items(), plots.PALETTE, strict=False):
        ax.barh(0, value / 1e9, left=left, color=colour, label=f"{label} ({value / 1e9:,.1f}B)")
        left += value / 1e9
    ax.set_yticks([])
    ax.set_xlabel("Parameters (billions)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=3, fontsize=8.5)
    ax.set_title("DeepSeek-V3's parameters by component")
    return fig


@plots.responsive
def kv_cache_vs_context(per_token: dict[str, float], hbm_gb: float, max_tokens: int, gpu_name: str) -> Figure:
    """KV-cache memory of one sequence against context length, with one GPU's HBM marked."""
    fig, ax = plots.new()
    tokens = np.linspace(0, max_tokens, 200)
    for (label, bytes_per_token), colour in zip(per_token.items(), plots.PALETTE, strict=False):
        ax.plot(tokens / 1024, tokens * bytes_per_token / 1e9, label=label, color=colour, lw=2)
    ax.axhline(hbm_gb, color=plots.BLACK, ls="--", lw=1)
    ax.text(1, hbm_gb * 1.08, f"HBM of one {gpu_name} ({hbm_gb:.0f} GB)", fontsize=9)
    plots.log_axis(ax, "y")
    ax.set_xlabel("Context length (thousands of tokens)")
    ax.set_ylabel("KV cache of one sequence (GB, log scale)")
    ax.legend(loc="lower right")
    ax.set_title("KV cache of one sequence against context length, by attention layout")
    return fig


def _tokens_label(tokens: float) -> str:
    """8K, 128K, 1M: a context length as readers say it (powers of two: K = 1,024 tokens, M = 1,048,576)."""
    return f"{tokens / 2**20:g}M" if tokens >= 2**20 else f"{tokens / 2**10:g}K"


@plots.responsive
def since_v3(contexts: np.ndarray, kv_bytes: dict[str, list[float]], flops: dict[str, list[float]], marked: list[int]) -> Figure:
    """Two log-log panels against context length: the KV cache one sequence keeps (GB) and the forward FLOP of one
    token at that position (GFLOP), one line per model, with dots at the context lengths the text quotes."""
    import matplotlib.pyplot as plt

    plots.use_style()
    phone = plots.narrow()
    fig, (left, right) = plt.subplots(*plots.panels(1, 2), figsize=(8.2, 8.2) if phone else (8.2, 3.9))
    styles = ("-", "--", "-", ":")
    for (name, kv), fl, colour, ls in zip(kv_bytes.items(), flops.values(), plots.PALETTE, styles, strict=False):
        left.plot(contexts, np.asarray(kv) / 1e9, ls, color=colour, lw=2, label=name)
        right.plot(contexts, np.asarray(fl) / 1e9, ls, color=colour, lw=2)
        for ax, values in ((left, np.asarray(kv) / 1e9), (right, np.asarray(fl) / 1e9)):
            ax.plot(marked, np.interp(marked, contexts, values), "o", color=colour, ms=4.5)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(marked, [_tokens_label(t) for t in marked])
        ax.xaxis.set_minor_formatter(plots.ticker().FuncFormatter(lambda _v, _p: ""))
        ax.set_xlabel("Context length (tokens, log scale)")
    left.yaxis.set_major_formatter(plots.ticker().FuncFormatter(lambda v, _p: f"{v:g}"))
    right.yaxis.set_major_formatter(plots.ticker().FuncFormatter(lambda v, _p: f"{v:,.0f}"))
    left.set_ylabel("KV cache of one sequence (GB, log scale)")
    right.set_ylabel("Forward GFLOP per token (log scale)")
    left.set_title("Memory: KV cache kept", fontsize=10.5)
    right.set_title("Compute: one token at that position", fontsize=10.5)
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8.5, frameon=False)
    fig.suptitle("DeepSeek's attention since V3: KV cache and FLOP per token against context length", fontsize=11)
    if phone:  # stacked: each panel the page's width, the legend below both
        fig.subplots_adjust(left=0.12, right=0.98, top=0.87, bottom=0.17, hspace=0.4)
    else:
        fig.subplots_adjust(left=0.09, right=0.98, top=0.86, bottom=0.3, wspace=0.32)
    return fig
