"""Owning a GPU fleet: capex, opex, ownership cost per GPU-hour, and back-solving.

Method after Epoch AI (Cottier et al. 2024), with two corrections a check against the
sources asks for:
- Servers are priced as their GPUs plus a non-GPU cost per 8-GPU server (CPUs, memory,
  NICs, chassis), calibrated on same-date DGX listings, not as a multiple of the GPU price:
  a multiplier would give an 8×H20 server a few thousand dollars of everything else.
- Power is server power: chip TDP × a chip-to-server factor (Epoch: DGX H100 10.2 kW / 8 /
  0.7 kW = 1.82), × the average draw as a share of server TDP, × PUE.
The cluster network is a share of total cluster cost (Epoch: 19%). Owned capacity carries a
cost of capital: capex is recovered as an annuity over the server life.
Every function accepts numpy arrays as well as floats, so the Monte Carlo evaluates the model
without Python loops.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.model.fleet import GPU_KEYS, HOURS_PER_YEAR, Gpu

Number = float | np.ndarray
GPUS_PER_SERVER = 8.0


def gpu_spend_usd(counts: Mapping[str, Number], prices: Mapping[str, Number]) -> Number:
    """What the GPUs alone cost: Σ count × unit price."""
    return sum(counts[k] * prices[k] for k in counts)


def server_price_per_gpu(price: Number, non_gpu_per_server: Number) -> Number:
    """One GPU's share of its server: the GPU plus an eighth of the server's other parts."""
    return price + non_gpu_per_server / GPUS_PER_SERVER


def all_in_price_per_gpu(price: Number, non_gpu_per_server: Number, interconnect_share: Number) -> Number:
    """Server share grossed up so that the cluster network is `interconnect_share` of the total."""
    return server_price_per_gpu(price, non_gpu_per_server) / (1.0 - interconnect_share)


def capex_by_gpu(
    counts: Mapping[str, Number], prices: Mapping[str, Number], non_gpu_per_server: Mapping[str, Number], interconnect_share: Number,
) -> dict[str, Number]:
    """Cluster capex split by GPU type: each type's GPUs with their servers and share of network."""
    return {k: counts[k] * all_in_price_per_gpu(prices[k], non_gpu_per_server[k], interconnect_share) for k in counts}


def capex_usd(
    counts: Mapping[str, Number], prices: Mapping[str, Number], non_gpu_per_server: Mapping[str, Number], interconnect_share: Number,
) -> Number:
    return sum(capex_by_gpu(counts, prices, non_gpu_per_server, interconnect_share).values())


def server_capex_usd(counts: Mapping[str, Number], prices: Mapping[str, Number], non_gpu_per_server: Mapping[str, Number]) -> Number:
    """Servers with their GPUs, before the network."""
    return sum(counts[k] * server_price_per_gpu(prices[k], non_gpu_per_server[k]) for k in counts)


def facility_power_kw(counts: Mapping[str, Number], gpus: Mapping[str, Gpu], load_factor: Number, pue: Number) -> Number:
    """Average facility power: GPU TDP × chip-to-server factor × average draw (share of server TDP) × PUE."""
    server_tdp_kw = sum(counts[k] * gpus[k].tdp_w * gpus[k].server_power_factor for k in counts) / 1e3
    return server_tdp_kw * load_factor * pue


def power_usd_per_year(counts: Mapping[str, Number], gpus: Mapping[str, Gpu], load_factor: Number, pue: Number, usd_per_kwh: Number) -> Number:
    return facility_power_kw(counts, gpus, load_factor, pue) * HOURS_PER_YEAR * usd_per_kwh


def hosting_usd_per_year(counts: Mapping[str, Number], gpus: Mapping[str, Gpu], usd_per_h800_year: Number, reference: str = "h800") -> Number:
    """Space and cooling, priced per kW as colocation is: an H800's rate, scaled by each GPU's server power."""
    if reference not in gpus:  # a catalogue without H800s: its first GPU sets the rate
        reference = next(iter(gpus))
    ref = gpus[reference].tdp_w * gpus[reference].server_power_factor
    return sum(counts[k] * usd_per_h800_year * gpus[k].tdp_w * gpus[k].server_power_factor / ref for k in counts)


def annuity_factor(rate: Number, years: Number) -> Number:
    """Yearly payment per dollar of capex repaid over `years` at `rate` (1/years when rate is 0)."""
    rate, years = np.asarray(rate, dtype=float), np.asarray(years, dtype=float)
    safe = np.where(rate > 0, rate, 1.0)
    factor = np.where(rate > 0, safe / (1.0 - (1.0 + safe) ** -years), 1.0 / years)
    return float(factor) if factor.ndim == 0 else factor


def opex_usd_per_year(
    counts: Mapping[str, Number], gpus: Mapping[str, Gpu], capex: Number, *, load_factor: Number, pue: Number,
    usd_per_kwh: Number, hosting_usd_per_gpu_year: Number, maintenance_share_per_year: Number,
    staff_headcount: Number, staff_loaded_cost_usd: Number,
) -> dict[str, Number]:
    """Yearly operating cost by component (power, hosting, maintenance, staff)."""
    return {
        "power": power_usd_per_year(counts, gpus, load_factor, pue, usd_per_kwh),
        "hosting": hosting_usd_per_year(counts, gpus, hosting_usd_per_gpu_year),
        "maintenance": capex * maintenance_share_per_year,
        "staff": staff_headcount * staff_loaded_cost_usd,
    }


def owned_gpu_hour_usd(
    gpu: Gpu, price: Number, *, non_gpu_per_server: Number, interconnect_share: Number, depreciation_years: Number,
    cost_of_capital: Number, utilisation: Number, load_factor: Number, pue: Number, usd_per_kwh: Number,
    hosting_usd_per_gpu_year: Number, maintenance_share_per_year: Number,
) -> Number:
    """Cost of one useful GPU-hour on owned hardware (staff excluded, as in a rental price).

    Yearly: the all-in capex repaid as an annuity over the server life at the cost of capital,
    plus power, hosting and maintenance; divided by the hours it does useful work.
    """
    all_in = all_in_price_per_gpu(price, non_gpu_per_server, interconnect_share)
    yearly = (
        all_in * annuity_factor(cost_of_capital, depreciation_years)
        + power_usd_per_year({gpu.key: 1.0}, {gpu.key: gpu}, load_factor, pue, usd_per_kwh)
        + hosting_usd_per_year({gpu.key: 1.0}, {gpu.key: gpu}, hosting_usd_per_gpu_year, reference=gpu.key)
        + all_in * maintenance_share_per_year
    )
    return yearly / (HOURS_PER_YEAR * utilisation)


def epoch_gpu_hour_usd(gpu: Gpu, price: Number, *, non_gpu_per_server: Number, interconnect_share: Number, depreciation_years: Number,
                       load_factor: Number, pue: Number, usd_per_kwh: Number) -> Number:
    """Epoch AI's amortised cost of one GPU-hour: all-in capex straight-line over the life plus energy,
    per hour of the year (no capital charge, hosting, upkeep or idle time)."""
    all_in = all_in_price_per_gpu(price, non_gpu_per_server, interconnect_share)
    return (all_in / depreciation_years + power_usd_per_year({gpu.key: 1.0}, {gpu.key: gpu}, load_factor, pue, usd_per_kwh)) / HOURS_PER_YEAR


def yearly_tco_usd(capex: Number, opex_per_year: Number, horizon_years: Number) -> Number:
    """Total cost of ownership per year: capex spread evenly over the horizon, plus a year's opex
    (the reading of a "TCO (4y ownership)" line as capex / 4 + yearly operating cost)."""
    return capex / horizon_years + opex_per_year


# --- back-solving: "what you need to believe" --------------------------------------------

def implied_all_in_price_per_gpu(target_capex: Number, gpus: Number) -> Number:
    """All-in (server and network included) price per GPU that makes the fleet cost target_capex."""
    return target_capex / gpus


def implied_gpu_price(target_capex: Number, gpus: Number, non_gpu_per_gpu: Number, interconnect_share: Number) -> Number:
    """Average bare GPU price that, with the same servers and network, makes the fleet cost target_capex."""
    return target_capex / gpus * (1.0 - interconnect_share) - non_gpu_per_gpu


def implied_horizon_years(target_opex: Number, opex_per_year: Number) -> Number:
    return target_opex / opex_per_year


def implied_opex_per_gpu_year(target_opex: Number, gpus: Number, horizon_years: Number) -> Number:
    return target_opex / horizon_years / gpus


def prices_from_params(params: Mapping[str, Number]) -> dict[str, Number]:
    return {key: params[f"price_{key}_usd"] for key in GPU_KEYS}


def non_gpu_from_params(params: Mapping[str, Number]) -> dict[str, Number]:
    """Non-GPU server cost per 8-GPU server by GPU type: Fire-Flyer 2 nodes for the A100s, Hopper servers for the rest."""
    return {key: params["a100_server_non_gpu_usd"] if key == "a100" else params["server_non_gpu_usd"] for key in GPU_KEYS}
