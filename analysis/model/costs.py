"""Owning a GPU fleet: capex, opex, ownership cost per GPU-hour, and back-solving.

Method after Epoch AI (Cottier et al. 2024): cluster capex = GPU prices × a server
overhead multiplier, grossed up so that cluster interconnect is a given share of the
total; energy = TDP × load factor × PUE × hours × price. Every function accepts numpy
arrays as well as floats, so the Monte Carlo evaluates the model without Python loops.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.model.fleet import GPU_KEYS, HOURS_PER_YEAR, Gpu

Number = float | np.ndarray


def gpu_spend_usd(counts: Mapping[str, Number], prices: Mapping[str, Number]) -> Number:
    """What the GPUs alone cost: Σ count × unit price."""
    return sum(counts[k] * prices[k] for k in counts)


def cluster_multiplier(server_overhead: Number, interconnect_share: Number) -> Number:
    """All-in cluster cost per dollar of GPUs: servers, then interconnect as a share of the total."""
    return server_overhead / (1.0 - interconnect_share)


def capex_usd(counts: Mapping[str, Number], prices: Mapping[str, Number], server_overhead: Number, interconnect_share: Number) -> Number:
    return gpu_spend_usd(counts, prices) * cluster_multiplier(server_overhead, interconnect_share)


def capex_by_gpu(
    counts: Mapping[str, Number], prices: Mapping[str, Number], server_overhead: Number, interconnect_share: Number,
) -> dict[str, Number]:
    """capex_usd split by GPU type: each type's GPUs with their share of servers and network."""
    return {k: capex_usd({k: counts[k]}, prices, server_overhead, interconnect_share) for k in counts}


def power_usd_per_year(counts: Mapping[str, Number], gpus: Mapping[str, Gpu], load_factor: Number, pue: Number, usd_per_kwh: Number) -> Number:
    kw = sum(counts[k] * gpus[k].tdp_w for k in counts) / 1e3
    return kw * load_factor * pue * HOURS_PER_YEAR * usd_per_kwh


def opex_usd_per_year(
    counts: Mapping[str, Number], gpus: Mapping[str, Gpu], capex: Number, *, load_factor: Number, pue: Number,
    usd_per_kwh: Number, hosting_usd_per_gpu_year: Number, maintenance_share_per_year: Number,
    staff_headcount: Number, staff_loaded_cost_usd: Number,
) -> dict[str, Number]:
    """Yearly operating cost by component (power, hosting, maintenance, staff)."""
    return {
        "power": power_usd_per_year(counts, gpus, load_factor, pue, usd_per_kwh),
        "hosting": sum(counts.values()) * hosting_usd_per_gpu_year,
        "maintenance": capex * maintenance_share_per_year,
        "staff": staff_headcount * staff_loaded_cost_usd,
    }


def owned_gpu_hour_usd(
    gpu: Gpu, price: Number, *, server_overhead: Number, interconnect_share: Number, depreciation_years: Number,
    utilisation: Number, load_factor: Number, pue: Number, usd_per_kwh: Number, hosting_usd_per_gpu_year: Number,
    maintenance_share_per_year: Number,
) -> Number:
    """Cost of one useful GPU-hour on owned hardware (staff excluded, as in a rental price).

    Yearly: straight-line depreciation of the GPU's all-in capex + its power, hosting and
    maintenance; divided by the hours it does useful work.
    """
    all_in = price * cluster_multiplier(server_overhead, interconnect_share)
    yearly = (
        all_in / depreciation_years
        + power_usd_per_year({gpu.key: 1.0}, {gpu.key: gpu}, load_factor, pue, usd_per_kwh)
        + hosting_usd_per_gpu_year
        + all_in * maintenance_share_per_year
    )
    return yearly / (HOURS_PER_YEAR * utilisation)


# --- back-solving: "what you need to believe" --------------------------------------------

def implied_all_in_price_per_gpu(target_capex: Number, gpus: Number) -> Number:
    """All-in (server and network included) price per GPU that makes the fleet cost target_capex."""
    return target_capex / gpus


def implied_gpu_price(target_capex: Number, gpus: Number, server_overhead: Number, interconnect_share: Number) -> Number:
    """Bare GPU price that, with the same overheads, makes the fleet cost target_capex."""
    return target_capex / gpus / cluster_multiplier(server_overhead, interconnect_share)


def implied_horizon_years(target_opex: Number, opex_per_year: Number) -> Number:
    return target_opex / opex_per_year


def implied_opex_per_gpu_year(target_opex: Number, gpus: Number, horizon_years: Number) -> Number:
    return target_opex / horizon_years / gpus


def prices_from_params(params: Mapping[str, Number]) -> dict[str, Number]:
    return {key: params[f"price_{key}_usd"] for key in GPU_KEYS}
