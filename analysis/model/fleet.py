"""The GPU fleet: catalogue entries and fleet aggregates (counts may be numpy arrays)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

HOURS_PER_YEAR = 8760.0
GPU_KEYS = ("a100", "h800", "h100", "h20")
HOPPER = ("h800", "h100", "h20")
Number = float | np.ndarray


@dataclass(frozen=True)
class Gpu:
    key: str
    name: str
    bf16_tflops: float
    fp8_tflops: float  # 0 where the GPU has no FP8
    hbm_gb: float
    hbm_tb_s: float
    nvlink_gb_s: float
    tdp_w: float
    server_power_factor: float = 1.8  # server TDP per GPU over the GPU's TDP (Epoch's default)
    age_years: float = 0.0  # years from the middle of its purchase period to the valuation date (book value)


def catalogue(table: pd.DataFrame, ages_years: Mapping[str, float] | None = None) -> dict[str, Gpu]:
    """Gpu objects from the validated gpus.csv table (indexed by key), with each type's age at the valuation date."""
    ages = ages_years or {}
    return {
        key: Gpu(key, row["name"], float(row["bf16_tflops"]), float(np.nan_to_num(row["fp8_tflops"])),
                 float(row["hbm_gb"]), float(row["hbm_tb_s"]), float(row["nvlink_gb_s"]), float(row["tdp_w"]),
                 float(row["server_power_factor"]), float(ages.get(key, 0.0)))
        for key, row in table.iterrows()
    }


def years_between(start: str, end: str) -> float:
    """Years from one YYYY[-MM[-DD]] date to another (a bare year is its 1 January; a month its first day)."""
    return (pd.Timestamp(end) - pd.Timestamp(start)).days / 365.25


def purchase_midpoint(bought_from: str, bought_to: str) -> str:
    """The middle of a purchase period, as YYYY-MM-DD (the period's last month counts whole)."""
    start, end = pd.Timestamp(bought_from), pd.Timestamp(bought_to) + pd.offsets.MonthEnd(0)
    return (start + (end - start) / 2).strftime("%Y-%m-%d")


def counts_from_params(params: Mapping[str, Number]) -> dict[str, Number]:
    return {key: params[f"fleet_{key}"] for key in GPU_KEYS}


def aggregates(counts: Mapping[str, Number], gpus: Mapping[str, Gpu]) -> dict[str, Number]:
    """Totals over a fleet: GPUs, Hopper GPUs, peak PFLOP/s, HBM (TB), GPU power (MW at TDP)."""
    total = sum(counts[k] for k in counts)
    return {
        "gpus": total,
        "hopper_gpus": sum(counts[k] for k in counts if k in HOPPER),
        "peak_pflops_bf16": sum(counts[k] * gpus[k].bf16_tflops for k in counts) / 1e3,
        "peak_pflops_fp8": sum(counts[k] * gpus[k].fp8_tflops for k in counts) / 1e3,
        "hbm_tb": sum(counts[k] * gpus[k].hbm_gb for k in counts) / 1e3,
        "gpu_power_mw": sum(counts[k] * gpus[k].tdp_w for k in counts) / 1e6,
    }


def share_of_fleet(run_gpus: Number, fleet_gpus: Number) -> Number:
    return run_gpus / fleet_gpus


def share_of_fleet_year(run_gpu_hours: Number, fleet_gpus: Number) -> Number:
    """The run's GPU-hours as a share of one year of the whole fleet's GPU-hours."""
    return run_gpu_hours / (fleet_gpus * HOURS_PER_YEAR)
