"""Chapter "The GPU fleet": what DeepSeek owns, and what owning it costs."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters.inputs import gpu_catalogue, r1_gpu_hours
from analysis.chapters.page import Page, Value
from analysis.charts import fleet as charts
from analysis.formatting import usd
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

    _gpus(page, gpus)
    critical = _readings(page, p, gpus, readings, fleets, evaluated)
    _capex(page, book, critical, evaluated, p["server_overhead"], p["interconnect_share"])  # type: ignore[arg-type]
    _opex(page, p, book)
    _ownership(page, p, book)
    return page


def _gpus(page: Page, gpus: Mapping[str, fleet.Gpu]) -> None:
    h100, h800, h20 = gpus["h100"], gpus["h800"], gpus["h20"]
    page.number("h800_nvlink_gb_s", h800.nvlink_gb_s, "GB/s")
    page.number("h100_nvlink_gb_s", h100.nvlink_gb_s, "GB/s")
    page.number("h20_bf16_share_of_h100", h20.bf16_tflops / h100.bf16_tflops, "fraction")
    page.number("h20_hbm_gb", h20.hbm_gb, "GB")
    page.number("h100_hbm_gb", h100.hbm_gb, "GB")
    gpu_table = data.load_indexed("gpus.csv")
    page.table(
        "gpus",
        gpu_table.reset_index()[["name", "bf16_tflops", "fp8_tflops", "hbm_gb", "hbm_tb_s", "nvlink_gb_s", "tdp_w", "confidence"]]
        .rename(columns={"name": "GPU", "bf16_tflops": "BF16 TFLOP/s", "fp8_tflops": "FP8 TFLOP/s", "hbm_gb": "HBM (GB)",
                         "hbm_tb_s": "HBM (TB/s)", "nvlink_gb_s": "NVLink (GB/s)", "tdp_w": "TDP (W)", "confidence": "Confidence"}),
        {"BF16 TFLOP/s": "{:,.0f}", "FP8 TFLOP/s": "{:,.0f}", "HBM (GB)": "{:,.0f}", "HBM (TB/s)": "{:.2f}",
         "NVLink (GB/s)": "{:,.0f}", "TDP (W)": "{:,.0f}"},
    )


def _readings(
    page: Page, p: Mapping[str, Value], gpus: Mapping[str, fleet.Gpu], readings: pd.DataFrame,
    fleets: Mapping[str, Mapping[str, float]], evaluated: Mapping[str, Mapping[str, float]],
) -> Mapping[str, float]:
    """The book's fleet beside the two readings of the estimate; returns the critical reading's figures."""
    book = evaluated[BOOK]
    reported, critical = evaluated[readings.loc["as_reported", "name"]], evaluated[readings.loc["critical", "name"]]
    page.number("reported_a100", float(readings.loc["as_reported", "a100"]), "GPUs")
    page.number("reported_h800", float(readings.loc["as_reported", "h800"]), "GPUs")
    page.number("reported_h100", float(readings.loc["as_reported", "h100"]), "GPUs")
    page.number("reported_hopper", reported["fleet_hopper_gpus"], "GPUs")
    page.number("critical_hopper", critical["fleet_hopper_gpus"], "GPUs")
    page.number("fleet_gpus", book["fleet_gpus"], "GPUs")
    page.number("fleet_hopper_gpus", book["fleet_hopper_gpus"], "GPUs")
    page.number("fleet_peak_eflops_bf16", book["fleet_peak_pflops_bf16"] / 1e3, "EFLOP/s")
    page.number("fleet_gpu_power_mw", book["fleet_gpu_power_mw"], "MW")
    prices = costs.prices_from_params(p)  # type: ignore[arg-type]
    rows = []
    for name, counts in fleets.items():
        capex = costs.capex_by_gpu(counts, prices, p["server_overhead"], p["interconnect_share"])  # type: ignore[arg-type]
        for g, n in counts.items():
            rows.append({"reading": name, "gpu": gpus[g].name, "count": n, "pflops": n * gpus[g].bf16_tflops / 1e3, "capex_usd": capex[g]})
    page.figure("fig_fleet", charts.fleet_composition(pd.DataFrame(rows), list(evaluated)))
    page.table("fleet_readings", pd.DataFrame([
        {"Reading": name, "GPUs": r["fleet_gpus"], "Hopper GPUs": r["fleet_hopper_gpus"], "Peak BF16 (PFLOP/s)": r["fleet_peak_pflops_bf16"],
         "HBM (TB)": r["fleet_hbm_tb"], "GPU power (MW)": r["fleet_gpu_power_mw"], "Capex": r["fleet_capex_usd"]}
        for name, r in evaluated.items()
    ]), {"GPUs": "{:,.0f}", "Hopper GPUs": "{:,.0f}", "Peak BF16 (PFLOP/s)": "{:,.0f}", "HBM (TB)": "{:,.0f}",
         "GPU power (MW)": "{:,.1f}", "Capex": usd})
    return critical


def _capex(
    page: Page, book: Mapping[str, float], critical: Mapping[str, float], evaluated: Mapping[str, Mapping[str, float]],
    server_overhead: float, interconnect_share: float,
) -> None:
    published_capex = data.published("semianalysis_capex_usd")
    luk_capex = data.published("luk_capex_column_sum_usd")
    page.number("fleet_capex_usd", book["fleet_capex_usd"], "USD")
    page.text("fleet_capex_text", usd(book["fleet_capex_usd"], 2))
    page.text("fleet_gpu_spend_text", usd(book["fleet_gpu_spend_usd"], 2))
    page.number("fleet_gpu_spend_usd", book["fleet_gpu_spend_usd"], "USD")
    page.text("published_capex_text", usd(published_capex))
    page.text("luk_capex_text", usd(luk_capex))
    page.text("critical_capex_text", usd(critical["fleet_capex_usd"], 2))
    page.number("cluster_multiplier", costs.cluster_multiplier(server_overhead, interconnect_share), "times")
    page.number("server_overhead", server_overhead, "multiplier")
    page.number("interconnect_share", interconnect_share, "fraction")
    implied = {name: costs.implied_all_in_price_per_gpu(published_capex, r["fleet_gpus"]) for name, r in evaluated.items()}
    page.number("capex_implied_price_per_gpu_usd", implied[BOOK], "USD per GPU")
    page.text("capex_implied_price_text", usd(implied[BOOK], 1))
    page.number("capex_implied_gpu_price_usd", costs.implied_gpu_price(published_capex, book["fleet_gpus"], server_overhead, interconnect_share),
                "USD per GPU")
    page.number("fleet_mean_all_in_price_usd", book["fleet_capex_usd"] / book["fleet_gpus"], "USD per GPU")
    page.table("capex_backsolve", pd.DataFrame([
        {"Reading": name, "GPUs": r["fleet_gpus"], "Book's capex": r["fleet_capex_usd"],
         "All-in price per GPU for the published capex": implied[name],
         "Bare GPU price for it": costs.implied_gpu_price(published_capex, r["fleet_gpus"], server_overhead, interconnect_share),
         "Book's average all-in price": r["fleet_capex_usd"] / r["fleet_gpus"]}
        for name, r in evaluated.items()
    ]), {"GPUs": "{:,.0f}", "Book's capex": usd, "All-in price per GPU for the published capex": "${:,.0f}",
         "Bare GPU price for it": "${:,.0f}", "Book's average all-in price": "${:,.0f}"})


def _opex(page: Page, p: Mapping[str, Value], book: Mapping[str, float]) -> None:
    horizon_years: float = p["horizon_years"]  # type: ignore[assignment]
    published_opex = data.published("semianalysis_opex_usd")
    page.number("fleet_opex_usd", book["fleet_opex_usd"], "USD")
    page.text("fleet_opex_text", usd(book["fleet_opex_usd"]))
    page.number("fleet_opex_per_year_usd", book["fleet_opex_per_year_usd"], "USD per year")
    page.text("fleet_opex_per_year_text", usd(book["fleet_opex_per_year_usd"]))
    page.number("horizon_years", horizon_years, "years")
    page.text("published_opex_text", usd(published_opex))
    page.number("opex_implied_horizon_years", costs.implied_horizon_years(published_opex, book["fleet_opex_per_year_usd"]), "years")
    page.number("opex_implied_per_gpu_year_usd", costs.implied_opex_per_gpu_year(published_opex, book["fleet_gpus"], horizon_years),
                "USD per GPU-year")
    page.number("fleet_opex_per_gpu_year_usd", book["fleet_opex_per_year_usd"] / book["fleet_gpus"], "USD per GPU-year")
    page.table("opex_parts", pd.DataFrame([
        {"Component": label, "Per year": book[f"fleet_opex_{key}_per_year_usd"],
         "Over the horizon": book[f"fleet_opex_{key}_per_year_usd"] * horizon_years, "Inputs": inputs}
        for label, key, inputs in [
            ("Power", "power", f"TDP × {p['power_load_factor']:.2f} load × PUE {p['pue']:.2f} × ${p['power_usd_per_kwh']:.2f}/kWh"),
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
    page.number("utilisation", p["utilisation"], "fraction")  # type: ignore[arg-type]
    page.number("h800_market_rental_usd", float(rentals.set_index("id").loc["h800_market", "usd_per_gpu_hour"]), "USD per GPU-hour")
    page.figure("fig_own_vs_rent", charts.ownership_vs_rental(
        {"H800 owned (this book)": book["owned_gpu_hour_usd"], "H800 rental assumed by DeepSeek": p["gpu_hour_usd"]}, rentals))  # type: ignore[dict-item]
    page.number("v3_run_share_of_fleet_year", book["v3_run_share_of_fleet_year"], "fraction")
    page.number("v3_run_share_of_fleet", book["v3_run_share_of_fleet"], "fraction")
    page.number("v3_run_fleet_days", book["v3_run_share_of_fleet_year"] * 365, "days")
    page.number("training_gpus", p["training_gpus"], "GPUs")  # type: ignore[arg-type]
