"""The whole cost model in one vectorised function: from parameters to every headline.

`evaluate` accepts floats or numpy arrays for every parameter (broadcasting), so the
book's chapters and the Monte Carlo share one model and cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from analysis.model import compute, costs, fleet, inference
from analysis.model.fleet import Gpu

Number = float | np.ndarray

# Steps of the reconciliation waterfall, in order (label, key of evaluate()).
WATERFALL = (
    ("Final V3 run at rental price", "run_rental_usd"),
    ("Same run at ownership cost", "ownership_delta_usd"),
    ("Research and ablation compute", "research_usd"),
    ("R1 post-training", "r1_usd"),
    ("Staff during development", "staff_dev_usd"),
)


# Every parameter evaluate() reads: a notebook that calls it must declare them all,
# so that -p NAME=VALUE always reaches it.
MODEL_PARAMS = (
    "gpu_hour_usd", "v3_pretrain_gpu_hours", "v3_context_ext_gpu_hours", "v3_post_training_gpu_hours", "training_gpus",
    "fleet_a100", "fleet_h800", "fleet_h100", "fleet_h20",
    "price_a100_usd", "price_h800_usd", "price_h100_usd", "price_h20_usd", "gpu_price_basis",
    "replacement_price_a100_usd", "replacement_price_h800_usd", "replacement_price_h100_usd", "replacement_price_h20_usd",
    "server_non_gpu_usd", "h20_server_non_gpu_usd", "a100_server_non_gpu_usd", "network_usd_per_gpu", "a100_network_usd_per_gpu",
    "horizon_years", "power_usd_per_kwh", "pue", "power_load_factor", "hosting_usd_per_gpu_year", "maintenance_share_per_year",
    "staff_headcount", "ops_staff_headcount", "staff_loaded_cost_usd",
    "depreciation_years", "cost_of_capital", "utilisation", "research_multiplier", "development_years",
    "storage_nodes_per_gpu", "storage_node_ssd_tb", "ssd_usd_per_tb", "storage_node_power_w", "cpu_nodes", "cpu_node_usd",
    "staff_years_to_date",
)


def collect(namespace: Mapping[str, object]) -> dict[str, Number]:
    """The model's parameters from a notebook's namespace; all must be declared there."""
    missing = [name for name in MODEL_PARAMS if name not in namespace]
    if missing:
        raise NameError(f"declare these in the notebook's parameters cell: {', '.join(missing)}")
    return {name: namespace[name] for name in MODEL_PARAMS}  # type: ignore[misc]


def v3_gpu_hours(p: Mapping[str, Number]) -> Number:
    return p["v3_pretrain_gpu_hours"] + p["v3_context_ext_gpu_hours"] + p["v3_post_training_gpu_hours"]


def _owned_h800_hour_held(p: Mapping[str, Number], h800: Gpu, price: Number, non_gpu: Number, network: Number,
                          ops_staff_per_gpu: Number) -> Number:
    """The ownership cost of one H800-hour held, at a given GPU price."""
    return costs.owned_gpu_hour_held_usd(
        h800, price, non_gpu_per_server=non_gpu, network_per_gpu=network, depreciation_years=p["depreciation_years"],
        cost_of_capital=p["cost_of_capital"], load_factor=p["power_load_factor"], pue=p["pue"], usd_per_kwh=p["power_usd_per_kwh"],
        hosting_usd_per_gpu_year=p["hosting_usd_per_gpu_year"], maintenance_share_per_year=p["maintenance_share_per_year"],
        ops_staff_usd_per_gpu_year=ops_staff_per_gpu,
    )


def _support(p: Mapping[str, Number], gpus_total: Number) -> dict[str, Number]:
    """The fleet's storage (3FS, at DeepSeek's own ratio of storage nodes to GPUs) and CPU nodes: capex, and their
    average IT power in kW (before the PUE). A storage node is a two-CPU server with its flash: its parts besides the
    flash are priced as a CPU node's (`cpu_node_usd`), not as what is left of a GPU node's price once its GPUs are out."""
    node = costs.storage_node_usd(p["cpu_node_usd"], p["storage_node_ssd_tb"], p["ssd_usd_per_tb"])
    storage_nodes = gpus_total * p["storage_nodes_per_gpu"]
    return {"storage": costs.storage_capex_usd(gpus_total, p["storage_nodes_per_gpu"], node),
            "cpu": p["cpu_nodes"] * p["cpu_node_usd"],
            "kw": costs.node_power_kw(storage_nodes + p["cpu_nodes"], p["storage_node_power_w"])}


def _spend_to_date(p: Mapping[str, Number], counts: Mapping[str, Number], gpus: Mapping[str, Gpu], paid_by_gpu: Mapping[str, Number],
                   support: Mapping[str, Number], support_opex_year: Number, ops_staff_year: Number) -> Number:
    """Money spent by the estimate's date: each GPU type's capex as paid, its power, rack rental and maintenance accrued
    since it was bought (the middle of its purchase period), the storage, CPU nodes and cluster staff over the fleet's
    average age, and the model builders since DeepSeek began."""
    ages = {k: gpus[k].age_years for k in counts}
    total = sum(counts.values())
    mean_age = sum(counts[k] * ages[k] for k in counts) / np.where(np.asarray(total) > 0, total, 1.0)
    per_type = {k: costs.power_usd_per_year({k: counts[k]}, {k: gpus[k]}, p["power_load_factor"], p["pue"], p["power_usd_per_kwh"])
                + costs.hosting_usd_per_year({k: counts[k]}, gpus, p["hosting_usd_per_gpu_year"])
                + paid_by_gpu[k] * p["maintenance_share_per_year"] for k in counts}
    capex = sum(paid_by_gpu.values()) + support["storage"] + support["cpu"]
    accrued = costs.accrued_usd(per_type, ages) + (support_opex_year + ops_staff_year) * mean_age
    return capex + accrued + p["staff_headcount"] * p["staff_loaded_cost_usd"] * p["staff_years_to_date"]


def evaluate(p: Mapping[str, Number], gpus: Mapping[str, Gpu], r1_gpu_hours: float) -> dict[str, Number]:
    """Every cost figure of the book from one parameter set."""
    counts = fleet.counts_from_params(p)
    prices = costs.prices_from_params(p)
    agg = fleet.aggregates(counts, gpus)
    non_gpu, network = costs.non_gpu_from_params(p), costs.network_from_params(p)
    by_gpu = costs.capex_by_gpu(counts, prices, non_gpu, network)
    support = _support(p, agg["gpus"])
    extra = support["storage"] + support["cpu"]
    capex = sum(by_gpu.values()) + extra
    paid_by_gpu = costs.capex_by_gpu(counts, costs.prices_from_params(p, "as_paid"), non_gpu, network)
    as_paid = sum(paid_by_gpu.values()) + extra
    replacement = costs.capex_usd(counts, costs.prices_from_params(p, "replacement_2025"), non_gpu, network) + extra
    # The value left at the estimate's date is what was paid, written down since each type was bought.
    mean_age = sum(counts[k] * gpus[k].age_years for k in counts) / np.where(np.asarray(agg["gpus"]) > 0, agg["gpus"], 1.0)
    book_value = (costs.book_value_usd(paid_by_gpu, {k: gpus[k].age_years for k in counts}, p["depreciation_years"])
                  + extra * costs.remaining_value_share(mean_age, p["depreciation_years"]))
    opex_parts = costs.opex_usd_per_year(
        counts, gpus, capex, load_factor=p["power_load_factor"], pue=p["pue"], usd_per_kwh=p["power_usd_per_kwh"],
        hosting_usd_per_gpu_year=p["hosting_usd_per_gpu_year"], maintenance_share_per_year=p["maintenance_share_per_year"],
        ops_staff_headcount=p["ops_staff_headcount"], staff_loaded_cost_usd=p["staff_loaded_cost_usd"],
    )
    # Storage and CPU nodes draw power and take racks like the GPU servers: rack rental priced per kW of server power.
    h800_kw = gpus["h800"].tdp_w * gpus["h800"].server_power_factor / 1e3 if "h800" in gpus else 1.0
    support_power = support["kw"] * p["pue"] * fleet.HOURS_PER_YEAR * p["power_usd_per_kwh"]
    support_hosting = support["kw"] * p["hosting_usd_per_gpu_year"] / h800_kw
    opex_parts["power"] = opex_parts["power"] + support_power
    opex_parts["hosting"] = opex_parts["hosting"] + support_hosting
    opex_year = sum(opex_parts.values())
    spend_to_date = _spend_to_date(p, counts, gpus, paid_by_gpu, support,
                                   support_power + support_hosting + extra * p["maintenance_share_per_year"], opex_parts["staff"])
    ops_staff_per_gpu = opex_parts["staff"] / agg["gpus"]
    held = _owned_h800_hour_held(p, gpus["h800"], prices["h800"], non_gpu["h800"], network["h800"], ops_staff_per_gpu)
    held_replacement = _owned_h800_hour_held(p, gpus["h800"], costs.prices_from_params(p, "replacement_2025")["h800"], non_gpu["h800"],
                                             network["h800"], ops_staff_per_gpu)
    useful = costs.per_useful_hour(held, p["utilisation"])
    gpu_spend = costs.gpu_spend_usd(counts, prices)
    h800_equivalent = inference.h800_equivalent_gpus(counts, gpus)
    owned_epoch = costs.epoch_gpu_hour_usd(
        gpus["h800"], prices["h800"], non_gpu_per_server=non_gpu["h800"], network_per_gpu=network["h800"],
        depreciation_years=p["depreciation_years"], load_factor=p["power_load_factor"], pue=p["pue"], usd_per_kwh=p["power_usd_per_kwh"],
    )
    hours = v3_gpu_hours(p)
    run_rental = compute.cost_usd(hours, p["gpu_hour_usd"])
    # Every development GPU-hour is priced per hour held, the basis of a rental: the GPU-hours a run or an
    # experiment takes. The fleet's idle hours are the fleet's cost (its opex and capex), not charged to V3.
    run_owned = hours * held
    research = hours * (p["research_multiplier"] - 1.0) * held
    r1 = r1_gpu_hours * held
    staff_dev = p["staff_headcount"] * p["staff_loaded_cost_usd"] * p["development_years"]
    total_dev = run_owned + research + r1 + staff_dev
    network_capex = costs.network_capex_usd(counts, network)
    financing = costs.financing_usd(capex, p["cost_of_capital"], p["depreciation_years"], p["horizon_years"])
    return {
        "fleet_gpus": agg["gpus"], "fleet_hopper_gpus": agg["hopper_gpus"],
        "fleet_peak_pflops_bf16": agg["peak_pflops_bf16"], "fleet_peak_pflops_fp8": agg["peak_pflops_fp8"],
        "fleet_hbm_tb": agg["hbm_tb"], "fleet_gpu_power_mw": agg["gpu_power_mw"],
        "fleet_gpu_spend_usd": gpu_spend,
        "fleet_server_overhead": costs.server_capex_usd(counts, prices, non_gpu) / gpu_spend,
        "fleet_network_capex_usd": network_capex,
        "fleet_network_share": network_capex / capex,
        "fleet_power_mw": costs.facility_power_kw(counts, gpus, p["power_load_factor"], p["pue"]) / 1e3,
        "fleet_h800_equivalent_gpus": h800_equivalent,
        "fleet_tco_per_year_usd": costs.yearly_tco_usd(capex, opex_year, p["horizon_years"]),
        # What holding the fleet costs a year on the basis of owned_gpu_hour_usd: capex as an annuity, plus opex.
        "fleet_cost_per_year_usd": capex * costs.annuity_factor(p["cost_of_capital"], p["depreciation_years"]) + opex_year,
        "fleet_capex_usd": capex,
        # The GPU servers alone, as paid: capex without the cluster network and without the storage and CPU nodes.
        "fleet_capex_servers_usd": costs.server_capex_usd(counts, prices, non_gpu),
        "fleet_capex_storage_usd": support["storage"] + support["cpu"],
        "fleet_capex_storage_only_usd": support["storage"], "fleet_capex_cpu_usd": support["cpu"],
        "cumulative_spend_usd": spend_to_date,
        "fleet_capex_as_paid_usd": as_paid,
        "fleet_capex_replacement_usd": replacement,
        "fleet_book_value_2025_usd": book_value,
        **{f"fleet_capex_{k}_usd": v for k, v in by_gpu.items()},
        "fleet_opex_per_year_usd": opex_year,
        **{f"fleet_opex_{k}_per_year_usd": v for k, v in opex_parts.items()},
        "fleet_opex_usd": opex_year * p["horizon_years"],
        # "Operating the clusters" read narrowly: power, rack rental and upkeep, without the cluster staff.
        "fleet_opex_ex_staff_usd": (opex_year - opex_parts["staff"]) * p["horizon_years"],
        # "Cost to operate" read as a TCO reads it, less capex: opex plus the capital charge over the horizon (annuity at
        # the cost of capital less straight-line depreciation, on the book's capex).
        "fleet_financing_usd": financing,
        "fleet_opex_with_financing_usd": opex_year * p["horizon_years"] + financing,
        "owned_gpu_hour_usd": held,
        "owned_gpu_useful_hour_usd": useful,
        "owned_gpu_hour_replacement_usd": held_replacement,
        "owned_gpu_hour_epoch_usd": owned_epoch,
        "v3_gpu_hours": hours,
        # An A100-hour or H20-hour is not an H800-hour: weigh the fleet by BF16 compute.
        "v3_run_share_of_fleet_year": fleet.share_of_fleet_year(hours, h800_equivalent),
        "v3_run_share_of_fleet_year_by_count": fleet.share_of_fleet_year(hours, agg["gpus"]),
        "v3_run_share_of_fleet": fleet.share_of_fleet(p["training_gpus"], agg["gpus"]),
        "run_rental_usd": run_rental, "run_owned_usd": run_owned, "ownership_delta_usd": run_owned - run_rental,
        "research_usd": research, "r1_usd": r1, "staff_dev_usd": staff_dev,
        "total_development_cost_usd": total_dev,
    }
