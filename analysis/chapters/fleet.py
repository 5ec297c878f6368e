"""Chapter "The GPU fleet": what DeepSeek owns, and what owning it costs."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters.inputs import gpu_catalogue, r1_gpu_hours
from analysis.chapters.page import Page, Value
from analysis.charts import fleet as charts
from analysis.formatting import usd, versus
from analysis.inputs import data
from analysis.model import costs, fleet, reconcile

PARAMETERS = reconcile.MODEL_PARAMS
BOOK = "This book's parameters"


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    gpus = gpu_catalogue()
    r1_hours = r1_gpu_hours()
    book = reconcile.evaluate(p, gpus, r1_hours)  # type: ignore[arg-type]
    readings = data.load_indexed("fleets.csv")
    # GPU counts of the book's fleet and of each published reading of the estimate.
    fleets: dict[str, dict[str, float]] = {BOOK: {g: float(p[f"fleet_{g}"]) for g in fleet.GPU_KEYS}}
    for _key, row in readings.iterrows():
        fleets[row["name"]] = {g: float(row[g]) for g in fleet.GPU_KEYS}
    evaluated = {name: book if name == BOOK else reconcile.evaluate({**p, **{f"fleet_{g}": n for g, n in counts.items()}}, gpus, r1_hours)
                 for name, counts in fleets.items()}  # type: ignore[dict-item]
    all_gpus, hoppers = evaluated[readings.loc["as_reported", "name"]], evaluated[readings.loc["hoppers_only", "name"]]

    _gpus(page, gpus)
    _readings(page, p, gpus, readings, fleets, evaluated)
    _capex(page, p, book, all_gpus, hoppers, evaluated)
    _opex(page, p, book, all_gpus, hoppers)
    _ownership(page, p, book)
    return page


def _gpus(page: Page, gpus: Mapping[str, fleet.Gpu]) -> None:
    h100, h800, h20, a100 = gpus["h100"], gpus["h800"], gpus["h20"], gpus["a100"]
    page.number("h800_nvlink_gb_s", h800.nvlink_gb_s, "GB/s")
    page.number("h100_nvlink_gb_s", h100.nvlink_gb_s, "GB/s")
    page.number("h20_bf16_share_of_h100", h20.bf16_tflops / h100.bf16_tflops, "fraction")
    page.number("h20_hbm_gb", h20.hbm_gb, "GB")
    page.number("h100_hbm_gb", h100.hbm_gb, "GB")
    page.number("a100_tdp_w", a100.tdp_w, "W")
    page.number("h800_server_power_factor", h800.server_power_factor, "times")
    page.number("a100_server_power_factor", a100.server_power_factor, "times")
    gpu_table = data.load_indexed("gpus.csv")
    page.table(
        "gpus",
        gpu_table.reset_index()[["name", "bf16_tflops", "fp8_tflops", "hbm_gb", "hbm_tb_s", "nvlink_gb_s", "tdp_w", "server_power_factor",
                                 "confidence"]]
        .rename(columns={"name": "GPU", "bf16_tflops": "BF16", "fp8_tflops": "FP8", "hbm_gb": "HBM GB",
                         "hbm_tb_s": "HBM TB/s", "nvlink_gb_s": "NVLink", "tdp_w": "TDP W",
                         "server_power_factor": "Server ×", "confidence": "Conf."}),
        {"BF16": "{:,.0f}", "FP8": "{:,.0f}", "HBM GB": "{:,.0f}", "HBM TB/s": "{:.2f}",
         "NVLink": "{:,.0f}", "TDP W": "{:,.0f}", "Server ×": "{:.2f}"},
    )


def _readings(
    page: Page, p: Mapping[str, Value], gpus: Mapping[str, fleet.Gpu], readings: pd.DataFrame,
    fleets: Mapping[str, Mapping[str, float]], evaluated: Mapping[str, Mapping[str, float]],
) -> None:
    """The book's fleet beside the readings of the estimate."""
    book = evaluated[BOOK]
    reported, hoppers = evaluated[readings.loc["as_reported", "name"]], evaluated[readings.loc["hoppers_only", "name"]]
    page.number("reported_a100", float(readings.loc["as_reported", "a100"]), "GPUs")
    page.number("reported_h800", float(readings.loc["as_reported", "h800"]), "GPUs")
    page.number("reported_h100", float(readings.loc["as_reported", "h100"]), "GPUs")
    page.number("reported_h20", float(readings.loc["as_reported", "h20"]), "GPUs")
    page.number("reported_gpus", reported["fleet_gpus"], "GPUs")
    page.number("reported_hopper", reported["fleet_hopper_gpus"], "GPUs")
    # The critique's reading (Luk): the table's 60,000 include the A100s; its Hoppers are the three Hopper columns.
    page.number("critical_hopper", hoppers["fleet_hopper_gpus"], "GPUs")
    page.number("fleet_gpus", book["fleet_gpus"], "GPUs")
    page.number("fleet_hopper_gpus", book["fleet_hopper_gpus"], "GPUs")
    page.number("fleet_h800_equivalent_gpus", book["fleet_h800_equivalent_gpus"], "H800-equivalent GPUs (BF16)")
    page.number("fleet_peak_eflops_bf16", book["fleet_peak_pflops_bf16"] / 1e3, "EFLOP/s")
    page.number("fleet_gpu_power_mw", book["fleet_gpu_power_mw"], "MW")
    page.number("fleet_power_mw", book["fleet_power_mw"], "MW")
    prices, non_gpu = costs.prices_from_params(p), costs.non_gpu_from_params(p)  # type: ignore[arg-type]
    rows = []
    for name, counts in fleets.items():
        capex = costs.capex_by_gpu(counts, prices, non_gpu, p["interconnect_share"])  # type: ignore[arg-type]
        for g, n in counts.items():
            rows.append({"reading": name, "gpu": gpus[g].name, "count": n, "pflops": n * gpus[g].bf16_tflops / 1e3, "capex_usd": capex[g]})
    page.figure("fig_fleet", charts.fleet_composition(pd.DataFrame(rows), list(evaluated)))
    page.table("fleet_readings", pd.DataFrame([
        {"Reading": name, "GPUs": r["fleet_gpus"], "Hopper GPUs": r["fleet_hopper_gpus"], "Peak BF16 (PFLOP/s)": r["fleet_peak_pflops_bf16"],
         "HBM (TB)": r["fleet_hbm_tb"], "Facility power (MW)": r["fleet_power_mw"], "Capex": r["fleet_capex_usd"]}
        for name, r in evaluated.items()
    ]), {"GPUs": "{:,.0f}", "Hopper GPUs": "{:,.0f}", "Peak BF16 (PFLOP/s)": "{:,.0f}", "HBM (TB)": "{:,.0f}",
         "Facility power (MW)": "{:,.1f}", "Capex": usd})


def _capex(
    page: Page, p: Mapping[str, Value], book: Mapping[str, float], all_gpus: Mapping[str, float], hoppers: Mapping[str, float],
    evaluated: Mapping[str, Mapping[str, float]],
) -> None:
    interconnect_share: float = p["interconnect_share"]  # type: ignore[assignment]
    published_capex = data.published("semianalysis_capex_usd")
    page.number("fleet_capex_usd", book["fleet_capex_usd"], "USD")
    page.text("fleet_capex_text", usd(book["fleet_capex_usd"], 2))
    page.text("fleet_gpu_spend_text", usd(book["fleet_gpu_spend_usd"], 2))
    page.number("fleet_gpu_spend_usd", book["fleet_gpu_spend_usd"], "USD")
    page.text("published_capex_text", usd(published_capex))
    page.text("luk_capex_text", usd(data.published("luk_capex_column_sum_usd")))
    page.text("luk_capex_all_text", usd(data.published("luk_capex_all_usd")))
    page.text("luk_capex_hoppers_text", usd(data.published("luk_capex_hoppers_usd")))
    page.text("critical_capex_text", usd(all_gpus["fleet_capex_usd"], 2))
    page.text("hoppers_capex_text", usd(hoppers["fleet_capex_usd"], 2))
    page.number("server_non_gpu_usd", p["server_non_gpu_usd"], "USD per 8-GPU server")  # type: ignore[arg-type]
    page.number("a100_server_non_gpu_usd", p["a100_server_non_gpu_usd"], "USD per 8-GPU server")  # type: ignore[arg-type]
    # Server cost over GPU cost for the whole fleet (the old single multiplier, now an outcome).
    page.number("server_overhead", book["fleet_server_overhead"], "multiplier")
    page.number("cluster_multiplier", book["fleet_capex_usd"] / book["fleet_gpu_spend_usd"], "times")
    page.number("interconnect_share", interconnect_share, "fraction")
    h800_servers = costs.server_price_per_gpu(p["price_h800_usd"], p["server_non_gpu_usd"]) / p["price_h800_usd"]  # type: ignore[operator]
    h20_servers = costs.server_price_per_gpu(p["price_h20_usd"], p["server_non_gpu_usd"]) / p["price_h20_usd"]  # type: ignore[operator]
    page.number("h800_server_over_gpu", h800_servers, "times")
    page.number("h20_server_over_gpu", h20_servers, "times")
    page.number("dgx_h800_server_over_gpu", data.published("dgx_h800_price_per_gpu_usd") / data.published("h800_sxm_price_usd"), "times")
    page.number("dgx_h100_server_over_gpu", data.published("dgx_h100_2025_price_per_gpu_usd") / data.published("h100_sxm_price_usd"), "times")
    page.number("epoch_server_overhead", data.published("epoch_server_overhead_hopper"), "times")
    implied = {name: costs.implied_all_in_price_per_gpu(published_capex, r["fleet_gpus"]) for name, r in evaluated.items()}
    non_gpu_per_gpu = {name: (r["fleet_capex_usd"] * (1 - interconnect_share) - r["fleet_gpu_spend_usd"]) / r["fleet_gpus"]
                       for name, r in evaluated.items()}
    page.number("capex_implied_price_per_gpu_usd", implied[BOOK], "USD per GPU")
    page.text("capex_implied_price_text", usd(implied[BOOK], 1))
    implied_gpu = costs.implied_gpu_price(published_capex, book["fleet_gpus"], non_gpu_per_gpu[BOOK], interconnect_share)
    page.number("capex_implied_gpu_price_usd", implied_gpu, "USD per GPU")
    page.number("fleet_mean_all_in_price_usd", book["fleet_capex_usd"] / book["fleet_gpus"], "USD per GPU")
    page.number("fleet_mean_gpu_price_usd", book["fleet_gpu_spend_usd"] / book["fleet_gpus"], "USD per GPU")
    page.number("capex_over_published", book["fleet_capex_usd"] / published_capex, "times")
    page.table("capex_backsolve", pd.DataFrame([
        {"Reading": name, "GPUs": r["fleet_gpus"], "Book's capex": r["fleet_capex_usd"],
         "All-in per GPU for $1.6B": implied[name],
         "Bare GPU price for it": costs.implied_gpu_price(published_capex, r["fleet_gpus"], non_gpu_per_gpu[name], interconnect_share),
         "Book's average GPU price": r["fleet_gpu_spend_usd"] / r["fleet_gpus"],
         "Book's average all-in": r["fleet_capex_usd"] / r["fleet_gpus"]}
        for name, r in evaluated.items()
    ]), {"GPUs": "{:,.0f}", "Book's capex": usd, "All-in per GPU for $1.6B": "${:,.0f}",
         "Bare GPU price for it": "${:,.0f}", "Book's average GPU price": "${:,.0f}", "Book's average all-in": "${:,.0f}"})


def _opex(page: Page, p: Mapping[str, Value], book: Mapping[str, float], all_gpus: Mapping[str, float], hoppers: Mapping[str, float]) -> None:
    horizon_years: float = p["horizon_years"]  # type: ignore[assignment]
    published_opex = data.published("semianalysis_opex_usd")
    tco_years = data.published("semianalysis_tco_years")
    page.number("fleet_opex_usd", book["fleet_opex_usd"], "USD")
    page.text("fleet_opex_text", usd(book["fleet_opex_usd"]))
    page.number("fleet_opex_per_year_usd", book["fleet_opex_per_year_usd"], "USD per year")
    page.text("fleet_opex_per_year_text", usd(book["fleet_opex_per_year_usd"]))
    page.number("horizon_years", horizon_years, "years")
    page.number("semianalysis_tco_years", tco_years, "years")
    page.text("published_opex_text", usd(published_opex))
    page.text("published_opex_per_year_text", usd(published_opex / tco_years))
    page.number("opex_implied_horizon_years", costs.implied_horizon_years(published_opex, book["fleet_opex_per_year_usd"]), "years")
    page.number("opex_implied_per_gpu_year_usd", costs.implied_opex_per_gpu_year(published_opex, book["fleet_gpus"], horizon_years),
                "USD per GPU-year")
    page.number("fleet_opex_per_gpu_year_usd", book["fleet_opex_per_year_usd"] / book["fleet_gpus"], "USD per GPU-year")
    # Luk's totals set beside the book's, fleet for fleet: yearly TCO = capex / 4 + a year's opex.
    page.number("fleet_tco_per_year_usd", book["fleet_tco_per_year_usd"], "USD per year")
    page.text("all_gpus_tco_text", usd(all_gpus["fleet_tco_per_year_usd"]))
    page.text("hoppers_tco_text", usd(hoppers["fleet_tco_per_year_usd"]))
    page.text("luk_tco_all_text", usd(data.published("luk_tco_all_per_year_usd")))
    page.text("luk_tco_hoppers_text", usd(data.published("luk_tco_hoppers_per_year_usd")))
    page.table("opex_parts", pd.DataFrame([
        {"Component": label, "Per year": book[f"fleet_opex_{key}_per_year_usd"],
         "Over the horizon": book[f"fleet_opex_{key}_per_year_usd"] * horizon_years, "Inputs": inputs}
        for label, key, inputs in [
            ("Power", "power", f"{book['fleet_power_mw']:,.1f} MW: TDP × server factor × {p['power_load_factor']:.2f} draw × "
                               f"PUE {p['pue']:.2f}, at ${p['power_usd_per_kwh']:.2f}/kWh"),
            ("Hosting", "hosting", f"${p['hosting_usd_per_gpu_year']:,.0f} per GPU-year"),
            ("Maintenance", "maintenance", f"{p['maintenance_share_per_year']:.0%} of capex per year"),
            ("Staff", "staff", f"{p['staff_headcount']:,.0f} people × ${p['staff_loaded_cost_usd']:,.0f}"),
        ]
    ]), {"Per year": usd, "Over the horizon": usd})


def _ownership(page: Page, p: Mapping[str, Value], book: Mapping[str, float]) -> None:
    rentals = data.load_table("rental_prices.csv")
    page.number("owned_gpu_hour_usd", book["owned_gpu_hour_usd"], "USD per GPU-hour")
    page.number("gpu_hour_usd", p["gpu_hour_usd"], "USD per GPU-hour")  # type: ignore[arg-type]
    page.number("depreciation_years", p["depreciation_years"], "years")  # type: ignore[arg-type]
    page.number("cost_of_capital", p["cost_of_capital"], "fraction per year")  # type: ignore[arg-type]
    page.number("utilisation", p["utilisation"], "fraction")  # type: ignore[arg-type]
    market = float(rentals.set_index("id").loc["h800_market", "usd_per_gpu_hour"])
    page.number("h800_market_rental_usd", market, "USD per GPU-hour")
    # DeepSeek's assumed price against the book's ownership cost and the market, in words.
    page.text("assumed_vs_owned", versus(float(p["gpu_hour_usd"]), book["owned_gpu_hour_usd"]))  # type: ignore[arg-type]
    page.text("assumed_vs_market", versus(float(p["gpu_hour_usd"]), market))  # type: ignore[arg-type]
    owned_vs_assumed = versus(book["owned_gpu_hour_usd"], float(p["gpu_hour_usd"]))  # type: ignore[arg-type]
    how = {"close to": "about what", "above": "more than", "below": "less than"}[owned_vs_assumed]
    title = f"Owning an H800 costs {how} DeepSeek's assumed rental"
    bars = {"H800 owned (this book)": book["owned_gpu_hour_usd"], "H800 rental assumed by DeepSeek": float(p["gpu_hour_usd"])}  # type: ignore[arg-type]
    page.figure("fig_own_vs_rent", charts.ownership_vs_rental(bars, rentals, title))
    # The same GPU on two other bases: per hour held (as a rental is paid, idle hours included), and
    # Epoch AI's amortisation (straight-line over the life plus energy; no capital charge, hosting or upkeep).
    page.number("owned_gpu_hour_held_usd", book["owned_gpu_hour_usd"] * float(p["utilisation"]), "USD per GPU-hour held")  # type: ignore[arg-type]
    page.number("owned_gpu_hour_epoch_usd", book["owned_gpu_hour_epoch_usd"], "USD per GPU-hour")
    page.text("held_vs_assumed", versus(book["owned_gpu_hour_usd"] * float(p["utilisation"]), float(p["gpu_hour_usd"])))  # type: ignore[arg-type]
    page.text("epoch_vs_assumed", versus(book["owned_gpu_hour_epoch_usd"], float(p["gpu_hour_usd"])))  # type: ignore[arg-type]
    page.number("v3_run_share_of_fleet_year", book["v3_run_share_of_fleet_year"], "fraction")
    page.number("v3_run_share_of_fleet_year_by_count", book["v3_run_share_of_fleet_year_by_count"], "fraction")
    page.number("v3_run_share_of_fleet", book["v3_run_share_of_fleet"], "fraction")
    page.number("v3_run_fleet_days", book["v3_run_share_of_fleet_year"] * 365, "days")
    page.number("training_gpus", p["training_gpus"], "GPUs")  # type: ignore[arg-type]
