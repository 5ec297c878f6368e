"""Owning a GPU fleet: capex on three bases, opex, ownership cost per GPU-hour, and back-solving.

Method after Epoch AI (Cottier et al. 2024), with corrections a check against the sources asks for:
- GPUs are priced for when each class was bought ("as paid"), or at 2025 listings ("replacement");
  the depreciated value at the estimate's date is a third basis.
- Servers are their GPUs plus a non-GPU cost per 8-GPU server of each type (HGX H800/H100, HGX H20,
  Fire-Flyer PCIe node), not a multiple of the GPU price: a multiplier would give an 8×H20 server a
  few thousand dollars of everything else.
- The cluster network is a cost per GPU of each cluster (DeepSeek's own fat trees for the Hoppers,
  Fire-Flyer's published network for the A100s), not one share of the whole fleet's cost.
- Power is server power: chip TDP × a chip-to-server factor × the average draw × PUE.
- Owned capacity carries a cost of capital: capex is recovered as an annuity over the server life.
  The ownership cost is per hour *held* (as a rental is paid); per useful hour divides by utilisation.
Every function accepts numpy arrays as well as floats, so the Monte Carlo evaluates the model
without Python loops.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.errors import InputError
from analysis.model.fleet import GPU_KEYS, HOURS_PER_YEAR, Gpu

Number = float | np.ndarray
GPUS_PER_SERVER = 8.0
PRICE_BASES = ("as_paid", "replacement_2025")


def gpu_spend_usd(counts: Mapping[str, Number], prices: Mapping[str, Number]) -> Number:
    """What the GPUs alone cost: Σ count × unit price."""
    return sum(counts[k] * prices[k] for k in counts)


def server_price_per_gpu(price: Number, non_gpu_per_server: Number) -> Number:
    """One GPU's share of its server: the GPU plus an eighth of the server's other parts."""
    return price + non_gpu_per_server / GPUS_PER_SERVER


def all_in_price_per_gpu(price: Number, non_gpu_per_server: Number, network_per_gpu: Number) -> Number:
    """One GPU with its share of the server and of its cluster's network."""
    return server_price_per_gpu(price, non_gpu_per_server) + network_per_gpu


def capex_by_gpu(
    counts: Mapping[str, Number], prices: Mapping[str, Number], non_gpu_per_server: Mapping[str, Number],
    network_per_gpu: Mapping[str, Number],
) -> dict[str, Number]:
    """Cluster capex split by GPU type: each type's GPUs with their servers and their cluster's network."""
    return {k: counts[k] * all_in_price_per_gpu(prices[k], non_gpu_per_server[k], network_per_gpu[k]) for k in counts}


def capex_usd(
    counts: Mapping[str, Number], prices: Mapping[str, Number], non_gpu_per_server: Mapping[str, Number],
    network_per_gpu: Mapping[str, Number],
) -> Number:
    return sum(capex_by_gpu(counts, prices, non_gpu_per_server, network_per_gpu).values())


def server_capex_usd(counts: Mapping[str, Number], prices: Mapping[str, Number], non_gpu_per_server: Mapping[str, Number]) -> Number:
    """Servers with their GPUs, before the network."""
    return sum(counts[k] * server_price_per_gpu(prices[k], non_gpu_per_server[k]) for k in counts)


def network_capex_usd(counts: Mapping[str, Number], network_per_gpu: Mapping[str, Number]) -> Number:
    return sum(counts[k] * network_per_gpu[k] for k in counts)


def remaining_value_share(age_years: Number, life_years: Number) -> Number:
    """Straight-line book value left after `age_years` of a `life_years` life (0 once written off)."""
    return np.clip(1.0 - np.asarray(age_years, dtype=float) / life_years, 0.0, 1.0)


def book_value_usd(capex_by_type: Mapping[str, Number], ages_years: Mapping[str, float], life_years: Number) -> Number:
    """Depreciated value of each GPU type's capex at the valuation date, summed."""
    return sum(capex_by_type[k] * remaining_value_share(ages_years[k], life_years) for k in capex_by_type)


def facility_power_kw(counts: Mapping[str, Number], gpus: Mapping[str, Gpu], load_factor: Number, pue: Number) -> Number:
    """Average facility power: GPU TDP × chip-to-server factor × average draw (share of server TDP) × PUE."""
    server_tdp_kw = sum(counts[k] * gpus[k].tdp_w * gpus[k].server_power_factor for k in counts) / 1e3
    return server_tdp_kw * load_factor * pue


def power_usd_per_year(counts: Mapping[str, Number], gpus: Mapping[str, Gpu], load_factor: Number, pue: Number, usd_per_kwh: Number) -> Number:
    return facility_power_kw(counts, gpus, load_factor, pue) * HOURS_PER_YEAR * usd_per_kwh


def hosting_usd_per_year(counts: Mapping[str, Number], gpus: Mapping[str, Gpu], usd_per_h800_year: Number, reference: str = "h800") -> Number:
    """Rack rental, priced per kW as colocation is: an H800's rate, scaled by each GPU's server power."""
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


def financing_usd(capex: Number, rate: Number, life_years: Number, years: Number) -> Number:
    """The capital charge over `years` beyond straight-line depreciation: capex repaid as an annuity over `life_years` at
    `rate`, less capex ÷ life, a year. What a TCO that charges for capital adds to opex (SemiAnalysis's GPU-cloud model
    finances owned servers with debt); the book's opex has no capital charge."""
    return capex * (annuity_factor(rate, life_years) - 1.0 / np.asarray(life_years, dtype=float)) * years


def opex_usd_per_year(
    counts: Mapping[str, Number], gpus: Mapping[str, Gpu], capex: Number, *, load_factor: Number, pue: Number,
    usd_per_kwh: Number, hosting_usd_per_gpu_year: Number, maintenance_share_per_year: Number,
    ops_staff_headcount: Number, staff_loaded_cost_usd: Number,
) -> dict[str, Number]:
    """Yearly cost of running the clusters by component: power, rack rental (hosting), maintenance and the
    staff who run the clusters. The people who build models are a development cost, not counted here."""
    return {
        "power": power_usd_per_year(counts, gpus, load_factor, pue, usd_per_kwh),
        "hosting": hosting_usd_per_year(counts, gpus, hosting_usd_per_gpu_year),
        "maintenance": capex * maintenance_share_per_year,
        "staff": ops_staff_headcount * staff_loaded_cost_usd,
    }


def owned_gpu_hour_held_usd(
    gpu: Gpu, price: Number, *, non_gpu_per_server: Number, network_per_gpu: Number, depreciation_years: Number,
    cost_of_capital: Number, load_factor: Number, pue: Number, usd_per_kwh: Number, hosting_usd_per_gpu_year: Number,
    maintenance_share_per_year: Number, ops_staff_usd_per_gpu_year: Number,
) -> Number:
    """Cost of one owned GPU-hour *held*, busy or idle, as a rental is paid.

    Yearly: the all-in capex repaid as an annuity over the server life at the cost of capital, plus
    power, rack rental, maintenance and the GPU's share of the cluster staff; over the 8,760 hours of a year.
    The model-building staff are not in it, as they are not in a rental price."""
    all_in = all_in_price_per_gpu(price, non_gpu_per_server, network_per_gpu)
    yearly = (
        all_in * annuity_factor(cost_of_capital, depreciation_years)
        + power_usd_per_year({gpu.key: 1.0}, {gpu.key: gpu}, load_factor, pue, usd_per_kwh)
        + hosting_usd_per_year({gpu.key: 1.0}, {gpu.key: gpu}, hosting_usd_per_gpu_year, reference=gpu.key)
        + all_in * maintenance_share_per_year
        + ops_staff_usd_per_gpu_year
    )
    return yearly / HOURS_PER_YEAR


def per_useful_hour(held_hour_usd: Number, utilisation: Number) -> Number:
    """A GPU-hour held, charged to the hours that do useful work: idle hours are paid for by the busy ones."""
    return held_hour_usd / utilisation


def epoch_gpu_hour_usd(gpu: Gpu, price: Number, *, non_gpu_per_server: Number, network_per_gpu: Number, depreciation_years: Number,
                       load_factor: Number, pue: Number, usd_per_kwh: Number) -> Number:
    """Epoch AI's amortised cost of one GPU-hour: all-in capex straight-line over the life plus energy,
    per hour of the year (no capital charge, rack rental, upkeep or staff)."""
    all_in = all_in_price_per_gpu(price, non_gpu_per_server, network_per_gpu)
    return (all_in / depreciation_years + power_usd_per_year({gpu.key: 1.0}, {gpu.key: gpu}, load_factor, pue, usd_per_kwh)) / HOURS_PER_YEAR


def yearly_tco_usd(capex: Number, opex_per_year: Number, horizon_years: Number) -> Number:
    """Total cost of ownership per year: capex spread evenly over the horizon, plus a year's opex
    (the reading of a "TCO (4y ownership)" line as capex / 4 + yearly operating cost)."""
    return capex / horizon_years + opex_per_year


# --- back-solving: "what you need to believe" --------------------------------------------

def implied_all_in_price_per_gpu(target_capex: Number, gpus: Number) -> Number:
    """All-in (server and network included) price per GPU that makes the fleet cost target_capex."""
    return target_capex / gpus


def implied_gpu_price(target_capex: Number, gpus: Number, other_per_gpu: Number) -> Number:
    """Average bare GPU price that, with the same servers and network (`other_per_gpu`), makes the fleet cost target_capex."""
    return target_capex / gpus - other_per_gpu


def implied_horizon_years(target_opex: Number, opex_per_year: Number) -> Number:
    return target_opex / opex_per_year


def implied_opex_per_gpu_year(target_opex: Number, gpus: Number, horizon_years: Number) -> Number:
    return target_opex / horizon_years / gpus


# --- parameters → per-type inputs -----------------------------------------------------------

def prices_from_params(params: Mapping[str, object], basis: str | None = None) -> dict[str, Number]:
    """GPU prices on one basis: as paid when bought (price_<gpu>_usd) or 2025 listings (replacement_price_<gpu>_usd).
    Without `basis`, the one the parameters choose (gpu_price_basis)."""
    basis = str(params["gpu_price_basis"]) if basis is None else basis
    if basis not in PRICE_BASES:
        raise ValueError(f"price basis {basis!r}: expected one of {', '.join(PRICE_BASES)}")
    prefix = "price" if basis == "as_paid" else "replacement_price"
    return {key: params[f"{prefix}_{key}_usd"] for key in GPU_KEYS}  # type: ignore[misc]


def non_gpu_from_params(params: Mapping[str, Number]) -> dict[str, Number]:
    """Non-GPU cost per 8-GPU server by GPU type: Fire-Flyer PCIe nodes, HGX H20 servers, HGX H800/H100 servers."""
    by_type = {"a100": "a100_server_non_gpu_usd", "h20": "h20_server_non_gpu_usd"}
    return {key: params[by_type.get(key, "server_non_gpu_usd")] for key in GPU_KEYS}


def network_from_params(params: Mapping[str, Number]) -> dict[str, Number]:
    """Cluster network per GPU by type: Fire-Flyer 2's own network for the A100s, InfiniBand fat trees for the Hoppers."""
    return {key: params["a100_network_usd_per_gpu" if key == "a100" else "network_usd_per_gpu"] for key in GPU_KEYS}


# --- storage and CPU nodes ------------------------------------------------------------------

def storage_node_usd(node_parts_usd: Number, ssd_tb: Number, ssd_usd_per_tb: Number) -> Number:
    """One 3FS storage node: its server parts (CPU, memory, NICs) plus its flash."""
    return node_parts_usd + ssd_tb * ssd_usd_per_tb


def storage_capex_usd(gpus: Number, nodes_per_gpu: Number, node_usd: Number) -> Number:
    """The storage a fleet of `gpus` needs at DeepSeek's own ratio of storage nodes to GPUs (Fire-Flyer 2)."""
    return gpus * nodes_per_gpu * node_usd


def node_power_kw(nodes: Number, watts_per_node: Number, load_pue: Number = 1.0) -> Number:
    """Average facility power of nodes drawing `watts_per_node` on average, times the PUE."""
    return nodes * watts_per_node / 1e3 * load_pue


# --- spend to date --------------------------------------------------------------------------

def accrued_usd(per_year: Mapping[str, Number], years: Mapping[str, Number]) -> Number:
    """Yearly costs accrued since each item began: Σ per_year[k] × years[k]."""
    return sum(per_year[k] * years[k] for k in per_year)


# --- prices from the evidence ---------------------------------------------------------------

def net_of_vat(amount: Number, vat_rate: Number) -> Number:
    """A VAT-inclusive price less its VAT (a business that sells taxable services recovers it)."""
    return amount / (1.0 + vat_rate)


def bare_gpu_price(amount_usd: float, gpus: float, non_gpu_per_server: float, server: bool) -> float:
    """One GPU's price from a quote: a GPU quote as it is; a server's, less its other parts, over its GPUs."""
    if server and non_gpu_per_server >= amount_usd:
        raise InputError(f"server_non_gpu_usd: {non_gpu_per_server:,.0f} USD of other parts leaves nothing of a "
                         f"{amount_usd:,.0f} USD server quote for its GPUs")
    return (amount_usd - non_gpu_per_server) / gpus if server else amount_usd / gpus


def evidence_span(values: list[float]) -> tuple[float, float, float]:
    """(median, P5, P95) of a log-normal centred on the median of the quotes, its 90% interval symmetric in log and
    wide enough to reach the farthest quote on either side."""
    xs = np.asarray(values, dtype=float)
    median = float(np.median(xs))
    spread = max(np.log(median / xs.min()), np.log(xs.max() / median))
    return median, median * float(np.exp(-spread)), median * float(np.exp(spread))
