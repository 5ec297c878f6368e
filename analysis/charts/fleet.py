"""Charts of the fleet, reconciliation and ledger chapters."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis.charts import style as plots
from analysis.formatting import usd_sig

if TYPE_CHECKING:  # matplotlib loads when a chart is drawn
    from matplotlib.figure import Figure


NODES = "Storage and CPU nodes"  # a fleet_composition row of capex without GPUs


@plots.responsive
def fleet_composition(per_gpu: pd.DataFrame, readings: list[str], basis: str = "as paid") -> Figure:
    """Three panels of stacked bars (GPU counts, peak BF16 PFLOP/s, capex on one price basis) per fleet reading.

    `per_gpu` has columns reading, gpu, count, pflops, capex_usd; rows whose gpu is NODES (the storage and CPU nodes:
    no GPU, no FLOP/s) add their capex in grey.
    """
    plots.use_style()
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(*plots.panels(1, 3), figsize=(9, 8.4) if plots.narrow() else (9, 3.4), sharey=True)
    gpus = list(dict.fromkeys(per_gpu["gpu"]))
    colours = dict(zip([g for g in gpus if g != NODES], plots.PALETTE, strict=False)) | {NODES: "#9a9a9a"}
    y = np.arange(len(readings))[::-1]
    for ax, (column, title, scale, fmt) in zip(axes, [
        ("count", "GPUs (thousands)", 1e3, "{:,.0f}k"),
        ("pflops", "Peak BF16 (EFLOP/s)", 1e3, "{:,.1f}"),
        ("capex_usd", f"Capex, {basis} (USD billions)", 1e9, "${:,.2f}B"),
    ], strict=True):
        left = np.zeros(len(readings))
        for gpu in gpus:
            values = np.array([
                float(per_gpu.loc[(per_gpu["reading"] == r) & (per_gpu["gpu"] == gpu), column].sum()) / scale for r in readings
            ])
            if gpu != NODES or column == "capex_usd":
                ax.barh(y, values, left=left, color=colours[gpu], label=gpu, height=0.6)
            left += values
        for yi, total in zip(y, left, strict=True):
            ax.text(total * 1.02, yi, fmt.format(total), va="center", fontsize=8.5)
        ax.set_xlim(0, left.max() * 1.35)
        ax.set_title(title, fontsize=10.5)
    axes[0].set_yticks(y, readings)
    handles, labels = axes[-1].get_legend_handles_labels()  # the capex panel's: every GPU type, and the nodes
    fig.legend(handles, labels, loc="lower center", ncol=2 if plots.narrow() else len(gpus), bbox_to_anchor=(0.5, -0.04))
    fig.tight_layout(rect=(0, 0.1 if plots.narrow() else 0.08, 1, 1))
    return fig


@plots.responsive
def ownership_vs_rental(bars: dict[str, float], rentals: pd.DataFrame, title: str) -> Figure:
    """$/GPU-hour: ownership cost and the rental assumption beside market rental prices."""
    fig, ax = plots.new(figsize=(7.5, 0.36 * (len(bars) + len(rentals)) + 1.2))
    labels = list(bars) + [f"{r.gpu.upper()} rental: {r.provider} ({r.date})" for r in rentals.itertuples()]
    values = list(bars.values()) + list(rentals["usd_per_gpu_hour"])
    # Owned costs in one colour, DeepSeek's assumption in another, market rentals in a third.
    owned = [label for label in bars if "owned" in label]
    colours = [plots.VERMILION if label in owned else plots.ORANGE for label in bars] + [plots.SKY] * len(rentals)
    y = np.arange(len(labels))[::-1]
    ax.barh(y, values, color=colours[: len(values)], height=0.6)
    for yi, v in zip(y, values, strict=True):
        ax.text(v + 0.1, yi, f"${v:,.2f}", va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.set_xlabel("USD per GPU-hour")
    ax.set_xlim(0, max(values) * 1.2)
    ax.set_title(title)
    return fig


@plots.responsive
def waterfall(steps: list[tuple[str, float]], markers: dict[str, float]) -> Figure:
    """Waterfall from the final-run rental figure to total development spend (on a phone, one row per step)."""
    if plots.narrow():
        return _waterfall_rows(steps, markers)
    fig, ax = plots.new(figsize=(8, 4))
    running = 0.0
    for i, (_label, value) in enumerate(steps):
        colour = plots.BLUE if i == 0 else (plots.ORANGE if value >= 0 else plots.GREEN)
        ax.bar(i, value, bottom=running if i else 0, color=colour, width=0.65)
        running += value
        ax.text(i, running + max(abs(v) for _, v in steps) * 0.02, usd_sig(value), ha="center", fontsize=8.5)
    ax.bar(len(steps), running, color=plots.VERMILION, width=0.65)
    ax.text(len(steps), running * 1.02, usd_sig(running), ha="center", fontsize=9, fontweight="bold")
    ax.set_xticks(range(len(steps) + 1), [s for s, _ in steps] + ["Total development spend"], rotation=25, ha="right", fontsize=8.5)
    plots.usd_axis(ax)
    ax.set_ylabel("USD")
    ax.set_title("V3's development cost, step by step, at the central inputs")
    for label, value in markers.items():
        ax.axhline(value, color=plots.BLACK, ls=":", lw=1)
        ax.text(-0.4, value * 1.02, label, fontsize=8)
    return fig


def _waterfall_rows(steps: list[tuple[str, float]], markers: dict[str, float]) -> Figure:
    """The waterfall on its side for a phone: each step a row, top to bottom, its bar starting where the one above ended
    and its amount beside it (six columns of labels and amounts do not fit a phone's width)."""
    labels = [s for s, _ in steps] + ["Total development spend"]
    fig, ax = plots.new(figsize=(6, 0.62 * len(labels) + 1.4))
    y = np.arange(len(labels))[::-1]
    running, reach = 0.0, 0.0
    for i, (_label, value) in enumerate(steps):
        colour = plots.BLUE if i == 0 else (plots.ORANGE if value >= 0 else plots.GREEN)
        ax.barh(y[i], value, left=running, color=colour, height=0.6)
        end = max(running, running + value)
        running += value
        reach = max(reach, end)
        ax.text(end, y[i], f" {usd_sig(value)}", va="center", fontsize=9)
    ax.barh(y[-1], running, color=plots.VERMILION, height=0.6)
    ax.text(running, y[-1], f" {usd_sig(running)}", va="center", fontsize=9, fontweight="bold")
    for label, value in markers.items():
        ax.axvline(value, color=plots.BLACK, ls=":", lw=1)
        ax.text(value, y[0] + 0.45, f" {label}", fontsize=8, va="bottom")
    ax.set_yticks(y, labels)
    ax.set_xlim(0, max(reach, running, *markers.values()) * 1.3)
    plots.usd_axis(ax, "x")
    ax.set_xlabel("USD")
    ax.set_title("V3's development cost, step by step, at the central inputs")
    return fig


@plots.responsive
def claims_on_their_axes(rows: pd.DataFrame, title: str) -> Figure:
    """One row per quantity: the book's figure at its central inputs (dot) and P10-P90 range (bar), and on the same row the claimed
    figure for that quantity (diamond), on one log dollar axis; the figures are written out to the right.
    Dots, not bars, for the values: a bar's length on a log axis depends on where the axis happens to start
    (a Cleveland dot plot).

    `rows` has columns label, p10, central, p90 (p10 = p90 for a figure the book does not vary), claim (or NaN) and
    claim_label."""
    phone = plots.narrow()  # on a phone the figures in words go under each row, not beside the axes
    height = (1.25 if phone else 0.62) * len(rows) + 1.6
    fig, ax = plots.new(figsize=(9, height))
    y = np.arange(len(rows))[::-1] * (1.6 if phone else 1.0)
    low = float(np.nanmin(np.concatenate([rows["p10"], rows["claim"]])))
    high = float(np.nanmax(np.concatenate([rows["p90"], rows["claim"]])))
    ax.hlines(y, low / 3, high * 3, color="#e6e6e6", lw=1, zorder=1)
    ax.hlines(y, rows["p10"], rows["p90"], color=plots.SKY, lw=7, zorder=2, label="This book: P10–P90")
    ax.scatter(rows["central"], y, color=plots.BLUE, s=44, zorder=3, label="This book: at its central inputs (or DeepSeek's own figure)")
    claimed = rows["claim"].notna().to_numpy()
    ax.scatter(rows["claim"][claimed], y[claimed], color=plots.ORANGE, marker="D", s=48, zorder=4, label="Claimed")
    # The figures in words, in a column right of the axes (x in axes fraction, y in data); on a phone, under the row.
    where = ax.get_yaxis_transform()
    x, book_dy, claim_dy = (0.01, -0.42, -0.78) if phone else (1.03, 0.17, -0.19)
    for yi, row in zip(y, rows.itertuples(index=False), strict=True):
        book = usd_sig(row.central) if row.p10 == row.p90 else f"{usd_sig(row.central)} ({usd_sig(row.p10)}–{usd_sig(row.p90)})"
        ax.text(x, yi + book_dy, f"book: {book}", transform=where, va="center", fontsize=8, color=plots.BLUE, clip_on=False)
        if isinstance(row.claim_label, str) and row.claim_label:
            ax.text(x, yi + claim_dy, f"claim: {usd_sig(row.claim)}, {row.claim_label}", transform=where, va="center", fontsize=8,
                    color="#8a5a00", clip_on=False)
    ax.set_yticks(y, rows["label"], fontsize=8.5)
    ax.set_xscale("log")
    ax.set_xlim(low / 3, high * 3)
    ax.set_ylim(-1.2 if phone else -0.7, y.max() + (0.5 if phone else 0.7))
    ax.grid(axis="y", visible=False)
    plots.usd_axis(ax, "x")
    ax.set_xlabel("USD (log scale)")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.7 / height * 1.6), ncol=1 if phone else 3, fontsize=8, frameon=False)
    ax.set_title(title, loc="left")
    fig.subplots_adjust(left=0.3 if phone else 0.27, right=0.97 if phone else 0.6, top=1 - 0.45 / height, bottom=1.05 / height)
    return fig
