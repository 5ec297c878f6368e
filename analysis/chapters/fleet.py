"""Chapter "The GPU fleet": what DeepSeek owns, what it paid, and what owning it costs."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters.inputs import BASIS_LABELS, gpu_catalogue, hardware_prices, r1_gpu_hours, valuation_date
from analysis.chapters.page import Page, Value
from analysis.charts import fleet as charts
from analysis.formatting import usd, usd_sig, versus
from analysis.inputs import data
from analysis.model import compute, costs, fleet, reconcile

PARAMETERS = reconcile.MODEL_PARAMS
BOOK = "This book's fleet (medians)"
FLOOR = "DeepSeek's own disclosures (the floor)"
# The quotes as printed, per GPU: yuan converted with their VAT in, a server's price over its GPUs (its other parts in).
GROSS_COLUMN = "Per GPU, gross (USD; VAT and server parts in)"


def floor_counts() -> dict[str, float]:
    """The GPUs DeepSeek's own papers prove: Fire-Flyer 2's A100s and the H800s of the peak serving day
    (the training run's 2,048 H800s may be the same cards, so they are not added)."""
    peak_h800 = data.published("inference_nodes_peak") * data.published("inference_gpus_per_node")
    return {"a100": data.published("fire_flyer_a100_gpus"), "h800": peak_h800, "h100": 0.0, "h20": 0.0}


def floor_params(p: Mapping[str, Value]) -> dict[str, Value]:
    """The inputs p with the fleet's counts set to DeepSeek's own floor (scenario deepseek_floor's counts)."""
    return {**p, **{f"fleet_{gpu}": count for gpu, count in floor_counts().items()}}


def h800_market_rental_usd() -> float:
    """The H800's market rental, USD per GPU-hour (data/rental_prices.csv), against which DeepSeek's assumed price sits."""
    return float(data.load_indexed("rental_prices.csv").loc["h800_market", "usd_per_gpu_hour"])


def is_floor(p: Mapping[str, Value]) -> bool:
    """The book's fleet is DeepSeek's own floor (scenario deepseek_floor): what its papers prove, a lower bound on the
    truth rather than an estimate of it. Its counts are then known, not uncertain."""
    return all(float(p[f"fleet_{gpu}"]) == float(count) for gpu, count in floor_counts().items())  # type: ignore[arg-type]


def readings(p: Mapping[str, Value]) -> dict[str, dict[str, float]]:
    """GPU counts of the book's fleet, of each published reading of the estimate and of DeepSeek's floor.
    A reading the build's own counts equal is shown once, marked as this build's."""
    book = {g: float(p[f"fleet_{g}"]) for g in fleet.GPU_KEYS}  # type: ignore[arg-type]
    fleets: dict[str, dict[str, float]] = {}
    for _key, row in data.load_indexed("fleets.csv").iterrows():
        fleets[row["name"]] = {g: float(row[g]) for g in fleet.GPU_KEYS}
    fleets[FLOOR] = floor_counts()
    same = [name for name, counts in fleets.items() if counts == book]
    if same:
        return {(f"{name} (this build)" if name in same else name): counts for name, counts in fleets.items()}
    return {BOOK: book, **fleets}


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    gpus = gpu_catalogue()
    r1_hours = r1_gpu_hours()
    book = reconcile.evaluate(p, gpus, r1_hours)  # type: ignore[arg-type]
    fleets = readings(p)
    evaluated = {name: reconcile.evaluate({**p, **{f"fleet_{g}": n for g, n in counts.items()}}, gpus, r1_hours)  # type: ignore[dict-item]
                 for name, counts in fleets.items()}
    named = {key: next(n for n in evaluated if n.startswith(label)) for key, label in
             (("all", data.load_indexed("fleets.csv").loc["as_reported", "name"]),
              ("hoppers", data.load_indexed("fleets.csv").loc["hoppers_only", "name"]), ("floor", FLOOR))}

    _gpus(page, gpus)
    _readings(page, p, book, gpus, fleets, evaluated, named)
    _capex(page, p, book, evaluated, named)
    _prices(page, p)
    _opex(page, p, book, evaluated, named)
    _maintenance_sensitivity(page, p, gpus, r1_hours, fleets[named["all"]])
    _ownership(page, p, book)
    return page


def _usd2(value: float) -> str:
    """Money in a fleet table: three significant figures, as the prose gives them ($1.79B, not $1.8B)."""
    return usd(value, 2)


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
    if not page.shows_tables:  # the GPUs' table is only shown: no value reads it
        return
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
    page: Page, p: Mapping[str, Value], book: Mapping[str, float], gpus: Mapping[str, fleet.Gpu],
    fleets: Mapping[str, Mapping[str, float]], evaluated: Mapping[str, Mapping[str, float]], named: Mapping[str, str],
) -> None:
    """The book's fleet beside the readings of the estimate and DeepSeek's own floor."""
    reported, hoppers, floor = (evaluated[named[k]] for k in ("all", "hoppers", "floor"))
    as_reported = fleets[named["all"]]
    page.number("reported_a100", as_reported["a100"], "GPUs")
    page.number("reported_h800", as_reported["h800"], "GPUs")
    page.number("reported_h100", as_reported["h100"], "GPUs")
    page.number("reported_h20", as_reported["h20"], "GPUs")
    page.number("reported_gpus", reported["fleet_gpus"], "GPUs")
    page.number("reported_hopper", reported["fleet_hopper_gpus"], "GPUs")
    # The critique's reading (Luk): the table's 60,000 include the A100s; its Hoppers are the three Hopper columns.
    page.number("critical_hopper", hoppers["fleet_hopper_gpus"], "GPUs")
    page.number("fleet_floor_gpus", floor["fleet_gpus"], "GPUs")
    page.number("fleet_floor_h800", fleets[named["floor"]]["h800"], "GPUs")
    page.number("fleet_floor_a100", fleets[named["floor"]]["a100"], "GPUs")
    page.number("inference_peak_nodes_published", data.published("inference_nodes_peak"), "nodes")
    page.number("inference_gpus_per_node_published", data.published("inference_gpus_per_node"), "GPUs")
    page.number("fleet_floor_capex_usd", floor["fleet_capex_usd"], "USD")
    page.text("fleet_floor_capex_text", usd_sig(floor["fleet_capex_usd"]))
    page.number("fleet_gpus", book["fleet_gpus"], "GPUs")
    page.number("fleet_hopper_gpus", book["fleet_hopper_gpus"], "GPUs")
    for g in fleet.GPU_KEYS:
        page.number(f"fleet_{g}", float(p[f"fleet_{g}"]), "GPUs")  # type: ignore[arg-type]
    page.number("fleet_h800_equivalent_gpus", book["fleet_h800_equivalent_gpus"], "H800-equivalent GPUs (BF16)")
    page.number("fleet_peak_eflops_bf16", book["fleet_peak_pflops_bf16"] / 1e3, "EFLOP/s")
    page.number("fleet_gpu_power_mw", book["fleet_gpu_power_mw"], "MW")
    page.number("fleet_power_mw", book["fleet_power_mw"], "MW")
    prices, non_gpu, network = costs.prices_from_params(p), costs.non_gpu_from_params(p), costs.network_from_params(p)  # type: ignore[arg-type]
    rows = []
    for name, counts in fleets.items():
        capex = costs.capex_by_gpu(counts, prices, non_gpu, network)
        for g, n in counts.items():
            rows.append({"reading": name, "gpu": gpus[g].name, "count": n, "pflops": n * gpus[g].bf16_tflops / 1e3, "capex_usd": capex[g]})
        # The capex panel adds up to the table's capex: the storage and CPU nodes are the rest of it.
        rows.append({"reading": name, "gpu": charts.NODES, "count": 0.0, "pflops": 0.0, "capex_usd": evaluated[name]["fleet_capex_storage_usd"]})
    page.figure("fig_fleet", charts.fleet_composition(pd.DataFrame(rows), list(evaluated), BASIS_LABELS[str(p["gpu_price_basis"])]))
    page.table("fleet_readings", pd.DataFrame([
        {"Reading": name, "GPUs": r["fleet_gpus"], "Hopper GPUs": r["fleet_hopper_gpus"], "Peak BF16 (PFLOP/s)": r["fleet_peak_pflops_bf16"],
         "HBM (TB)": r["fleet_hbm_tb"], "Facility power (MW)": r["fleet_power_mw"], "Capex": r["fleet_capex_usd"]}
        for name, r in evaluated.items()
    ]), {"GPUs": "{:,.0f}", "Hopper GPUs": "{:,.0f}", "Peak BF16 (PFLOP/s)": "{:,.0f}", "HBM (TB)": "{:,.0f}",
         "Facility power (MW)": "{:,.1f}", "Capex": _usd2})


def _capex(
    page: Page, p: Mapping[str, Value], book: Mapping[str, float], evaluated: Mapping[str, Mapping[str, float]], named: Mapping[str, str],
) -> None:
    """Capex on its three bases, the readings' texts, the server and network inputs, and what you need to believe."""
    published_capex = data.published("semianalysis_capex_usd")
    _capex_bases(page, p, book, published_capex)
    _capex_readings(page, book, evaluated, named, published_capex)
    _server_and_network(page, p, book)
    _capex_backsolve(page, book, evaluated, named, published_capex)


def _capex_bases(page: Page, p: Mapping[str, Value], book: Mapping[str, float], published_capex: float) -> None:
    basis = str(p["gpu_price_basis"])
    page.text("gpu_price_basis_text", BASIS_LABELS[basis])
    page.number("fleet_capex_usd", book["fleet_capex_usd"], "USD")
    page.text("fleet_capex_text", usd_sig(book["fleet_capex_usd"]))
    # The three bases side by side, each answering its own question.
    bases = (
        ("fleet_capex_as_paid_usd", "As paid", "What did the servers cost when DeepSeek bought them? Each GPU type at market prices of its "
                                               "purchase years (2021-2024); DeepSeek's invoices are not public."),
        ("fleet_capex_replacement_usd", "2025 replacement", "What would the same fleet cost to buy at early-2025 listings?"),
        ("fleet_book_value_2025_usd", "Book value, " + valuation_date(),
         f"What is it worth at the estimate's date? As paid, written down straight-line over {float(p['depreciation_years']):g} years."),
    )
    for key, _label, _question in bases:
        page.number(key, book[key], "USD")
        page.text(f"{key.removesuffix('_usd')}_text", usd_sig(book[key]))
        page.number(f"{key.removesuffix('_usd')}_over_published", book[key] / published_capex, "times")
    page.table("capex_bases", pd.DataFrame([
        {"Basis": label, "Answers": question, "This book": book[key], "$1.6B ÷ book": published_capex / book[key]}
        for key, label, question in bases
    ]).rename(columns={"$1.6B ÷ book": f"{usd(published_capex)} ÷ book"}),
        {"This book": _usd2, f"{usd(published_capex)} ÷ book": "{:.2f}"})


def _capex_readings(page: Page, book: Mapping[str, float], evaluated: Mapping[str, Mapping[str, float]], named: Mapping[str, str],
                    published_capex: float) -> None:
    all_gpus, hoppers = evaluated[named["all"]], evaluated[named["hoppers"]]
    page.text("fleet_gpu_spend_text", usd_sig(book["fleet_gpu_spend_usd"]))
    page.number("fleet_gpu_spend_usd", book["fleet_gpu_spend_usd"], "USD")
    page.text("published_capex_text", usd(published_capex))
    page.text("luk_capex_text", usd(data.published("luk_capex_column_sum_usd")))
    page.text("luk_capex_all_text", usd(data.published("luk_capex_all_usd")))
    page.text("luk_capex_hoppers_text", usd(data.published("luk_capex_hoppers_usd")))
    page.text("critical_capex_text", usd_sig(all_gpus["fleet_capex_usd"]))
    page.text("hoppers_capex_text", usd_sig(hoppers["fleet_capex_usd"]))


def _server_and_network(page: Page, p: Mapping[str, Value], book: Mapping[str, float]) -> None:
    page.number("server_non_gpu_usd", p["server_non_gpu_usd"], "USD per 8-GPU server")  # type: ignore[arg-type]
    page.number("h20_server_non_gpu_usd", p["h20_server_non_gpu_usd"], "USD per 8-GPU server")  # type: ignore[arg-type]
    page.number("a100_server_non_gpu_usd", p["a100_server_non_gpu_usd"], "USD per 8-GPU server")  # type: ignore[arg-type]
    page.number("network_usd_per_gpu", p["network_usd_per_gpu"], "USD per GPU")  # type: ignore[arg-type]
    page.number("a100_network_usd_per_gpu", p["a100_network_usd_per_gpu"], "USD per GPU")  # type: ignore[arg-type]
    page.number("dgx_non_gpu_bom_usd", data.published("dgx_non_gpu_bom_usd"), "USD per 8-GPU server")
    ranges = data.load_indexed("uncertainty.csv")
    page.number("server_non_gpu_high_usd", float(ranges.loc["server_non_gpu_usd", "high"]), "USD per 8-GPU server")
    page.number("epoch_interconnect_share", data.published("epoch_interconnect_share"), "fraction of cluster cost")
    page.number("vendor_maintenance_low", data.published("vendor_maintenance_low"), "fraction of purchase price per year")
    page.number("vendor_maintenance_high", data.published("vendor_maintenance_high"), "fraction of purchase price per year")
    page.number("isca_network_usd_per_endpoint_mpft", data.published("isca_network_usd_per_endpoint_mpft"), "USD per GPU")
    page.number("isca_network_usd_per_endpoint_ft3", data.published("isca_network_usd_per_endpoint_ft3"), "USD per GPU")
    page.number("fire_flyer_network_share_of_servers",
                data.published("fire_flyer_network_price") / data.published("fire_flyer_server_price"), "fraction")
    # Server cost over GPU cost for the whole fleet (the old single multiplier, now an outcome).
    page.number("server_overhead", book["fleet_server_overhead"], "multiplier")
    page.number("cluster_multiplier", book["fleet_capex_usd"] / book["fleet_gpu_spend_usd"], "times")
    # Schema 2: the network's share of the fleet's capex, an outcome of the per-cluster network costs.
    page.number("interconnect_share", book["fleet_network_share"], "fraction of capex")
    prices = costs.prices_from_params(p)  # type: ignore[arg-type]
    page.number("h800_server_over_gpu", costs.server_price_per_gpu(prices["h800"], p["server_non_gpu_usd"]) / prices["h800"], "times")  # type: ignore[arg-type]
    page.number("h20_server_over_gpu", costs.server_price_per_gpu(prices["h20"], p["h20_server_non_gpu_usd"]) / prices["h20"], "times")  # type: ignore[arg-type]
    page.number("dgx_h800_server_over_gpu", data.published("dgx_h800_price_per_gpu_usd") / data.published("h800_sxm_price_usd"), "times")
    page.number("dgx_h100_server_over_gpu", data.published("dgx_h100_2025_price_per_gpu_usd") / data.published("h100_sxm_price_usd"), "times")
    page.number("epoch_server_overhead", data.published("epoch_server_overhead_hopper"), "times")


def _capex_backsolve(page: Page, book: Mapping[str, float], evaluated: Mapping[str, Mapping[str, float]], named: Mapping[str, str],
                     published_capex: float) -> None:
    # What you need to believe: the all-in and the bare GPU price per GPU that reproduce the estimate's capex for each
    # reading of it (Luk: $1.6B for all 60,000 GPUs, $1.4B for the Hoppers alone; no estimate for the floor).
    targets = {named["all"]: published_capex, named["hoppers"]: data.published("luk_capex_hoppers_usd")}
    implied = {name: costs.implied_all_in_price_per_gpu(targets.get(name, published_capex), r["fleet_gpus"]) for name, r in evaluated.items()}
    other = {name: (r["fleet_capex_usd"] - r["fleet_gpu_spend_usd"]) / r["fleet_gpus"] for name, r in evaluated.items()}
    page.number("capex_implied_price_per_gpu_usd", costs.implied_all_in_price_per_gpu(published_capex, book["fleet_gpus"]), "USD per GPU")
    page.text("capex_implied_price_text", usd(costs.implied_all_in_price_per_gpu(published_capex, book["fleet_gpus"]), 1))
    page.number("capex_implied_gpu_price_usd", costs.implied_gpu_price(published_capex, book["fleet_gpus"],
                                                                       (book["fleet_capex_usd"] - book["fleet_gpu_spend_usd"]) / book["fleet_gpus"]),
                "USD per GPU")
    page.number("fleet_mean_all_in_price_usd", book["fleet_capex_usd"] / book["fleet_gpus"], "USD per GPU")
    page.number("fleet_mean_gpu_price_usd", book["fleet_gpu_spend_usd"] / book["fleet_gpus"], "USD per GPU")
    page.number("capex_over_published", book["fleet_capex_usd"] / published_capex, "times")
    rows = []
    for name, r in evaluated.items():
        target = targets.get(name, published_capex if name.startswith(BOOK) else None)
        rows.append({"Reading": name, "GPUs": r["fleet_gpus"], "Book's capex": r["fleet_capex_usd"], "Estimate for it": target,
                     "All-in per GPU for it": None if target is None else implied[name],
                     "Bare GPU price for it": None if target is None else costs.implied_gpu_price(target, r["fleet_gpus"], other[name]),
                     "Book's average GPU price": r["fleet_gpu_spend_usd"] / r["fleet_gpus"],
                     "Book's average all-in": r["fleet_capex_usd"] / r["fleet_gpus"]})
    page.table("capex_backsolve", pd.DataFrame(rows), {
        "GPUs": "{:,.0f}", "Book's capex": _usd2, "Estimate for it": _usd2, "All-in per GPU for it": "${:,.0f}",
        "Bare GPU price for it": "${:,.0f}", "Book's average GPU price": "${:,.0f}", "Book's average all-in": "${:,.0f}"})


def _prices(page: Page, p: Mapping[str, Value]) -> None:
    """Each GPU type: when it was bought, what it cost then (with the evidence), and its 2025 listing."""
    gpus = gpu_catalogue()
    bought = data.load_indexed("purchases.csv")
    evidence = hardware_prices()
    # The 2023 H800 servers the as-paid H800 price rests on (bought before the October rule), in yuan as printed.
    servers = evidence[(evidence["gpu"] == "h800") & (evidence["item"] == "8-GPU server") & (evidence["role"] == "as_paid")]
    page.text("h800_server_2023_text", f"RMB {servers['low'].min() / 1e6:.1f}–{servers['low'].max() / 1e6:.1f} million")
    rows = []
    for g in fleet.GPU_KEYS:
        page.number(f"price_{g}_usd", float(p[f"price_{g}_usd"]), "USD per GPU")  # type: ignore[arg-type]
        page.number(f"replacement_price_{g}_usd", float(p[f"replacement_price_{g}_usd"]), "USD per GPU")  # type: ignore[arg-type]
        page.number(f"age_{g}_years", gpus[g].age_years, "years")
        if page.shows_tables:  # the tables are only shown: no value reads them
            rows.append({"GPU": gpus[g].name, "Bought": f"{bought.loc[g, 'bought_from']} to {bought.loc[g, 'bought_to']}",
                         "As paid (book)": float(p[f"price_{g}_usd"]), "2025 listing": float(p[f"replacement_price_{g}_usd"]),  # type: ignore[arg-type]
                         "Age at " + valuation_date(): gpus[g].age_years})
    if not page.shows_tables:
        return
    page.table("gpu_prices", pd.DataFrame(rows), {"As paid (book)": "${:,.0f}", "2025 listing": "${:,.0f}",
                                                   "Age at " + valuation_date(): "{:.1f} years"})
    page.table("price_evidence", evidence.assign(GPU=[gpus[g].name for g in evidence["gpu"]])[
        ["GPU", "item", "date", "quoted", "usd_per_gpu", "source"]].rename(columns={
            "item": "What", "date": "Date", "quoted": "As quoted", "usd_per_gpu": GROSS_COLUMN, "source": "Source"}),
        {GROSS_COLUMN: str})


def _opex(
    page: Page, p: Mapping[str, Value], book: Mapping[str, float], evaluated: Mapping[str, Mapping[str, float]], named: Mapping[str, str],
) -> None:
    horizon_years: float = p["horizon_years"]  # type: ignore[assignment]
    published_opex = data.published("semianalysis_opex_usd")
    tco_years = data.published("semianalysis_tco_years")
    all_gpus, hoppers = evaluated[named["all"]], evaluated[named["hoppers"]]
    page.number("fleet_opex_usd", book["fleet_opex_usd"], "USD")
    page.text("fleet_opex_text", usd_sig(book["fleet_opex_usd"]))
    page.number("fleet_opex_per_year_usd", book["fleet_opex_per_year_usd"], "USD per year")
    page.text("fleet_opex_per_year_text", usd_sig(book["fleet_opex_per_year_usd"]))
    page.number("horizon_years", horizon_years, "years")
    page.number("semianalysis_tco_years", tco_years, "years")
    page.number("ops_staff_headcount", p["ops_staff_headcount"], "people")  # type: ignore[arg-type]
    page.number("maintenance_share_per_year", p["maintenance_share_per_year"], "fraction of capex per year")  # type: ignore[arg-type]
    page.number("hosting_usd_per_gpu_year", p["hosting_usd_per_gpu_year"], "USD per H800-year")  # type: ignore[arg-type]
    page.number("fleet_opex_maintenance_over_power",
                book["fleet_opex_maintenance_per_year_usd"] / book["fleet_opex_power_per_year_usd"], "times")
    page.text("published_opex_text", usd(published_opex))
    page.text("published_opex_per_year_text", usd(published_opex / tco_years))
    # The published figure read against the book's cost of running the same (the estimate's) fleet.
    page.number("opex_implied_horizon_years", costs.implied_horizon_years(published_opex, all_gpus["fleet_opex_per_year_usd"]), "years")
    page.number("opex_implied_per_gpu_year_usd", costs.implied_opex_per_gpu_year(published_opex, all_gpus["fleet_gpus"], tco_years),
                "USD per GPU-year")
    page.number("fleet_opex_per_gpu_year_usd", all_gpus["fleet_opex_per_year_usd"] / all_gpus["fleet_gpus"], "USD per GPU-year")
    # Luk's totals set beside the book's, fleet for fleet: yearly TCO = capex / 4 + a year's opex.
    page.number("fleet_tco_per_year_usd", book["fleet_tco_per_year_usd"], "USD per year")
    # On the basis of the ownership cost per hour held: capex as an annuity at the cost of capital, plus opex.
    page.number("fleet_cost_per_year_usd", book["fleet_cost_per_year_usd"], "USD per year")
    page.text("all_gpus_tco_text", usd_sig(all_gpus["fleet_tco_per_year_usd"]))
    page.text("hoppers_tco_text", usd_sig(hoppers["fleet_tco_per_year_usd"]))
    page.text("luk_tco_all_text", usd(data.published("luk_tco_all_per_year_usd")))
    page.text("luk_tco_hoppers_text", usd(data.published("luk_tco_hoppers_per_year_usd")))
    page.text("all_gpus_opex_text", usd_sig(all_gpus["fleet_opex_usd"]))
    _opex_parts(page, p, book, horizon_years)
    _like_for_like(page, p, all_gpus, hoppers)


def _like_for_like(page: Page, p: Mapping[str, Value], all_gpus: Mapping[str, float], hoppers: Mapping[str, float]) -> None:
    """Each published figure beside the book's for the same fleet, without a capital charge and, for SemiAnalysis's
    "TCO (4y Ownership)", with one (opex plus financing: the annuity at the cost of capital less straight-line depreciation)."""
    horizon_years: float = p["horizon_years"]  # type: ignore[assignment]
    published_opex, tco_years = data.published("semianalysis_opex_usd"), data.published("semianalysis_tco_years")
    page.number("opex_with_financing_estimate_fleet_usd", all_gpus["fleet_opex_with_financing_usd"], "USD")
    page.text("opex_with_financing_estimate_fleet_text", usd_sig(all_gpus["fleet_opex_with_financing_usd"]))
    page.text("financing_estimate_fleet_text", usd_sig(all_gpus["fleet_financing_usd"]))
    bare, charged = "Book, same fleet (no capital charge)", "Book, same fleet (with the capital charge)"
    page.table("opex_like_for_like", pd.DataFrame([
        {"Figure": "SemiAnalysis: cost to operate", "Published": usd(published_opex),
         bare: usd(all_gpus["fleet_opex_usd"], 2), charged: usd(all_gpus["fleet_opex_with_financing_usd"], 2),
         "Basis": f"{tco_years:g} years of power, rack rental, maintenance and cluster staff (from the table's last line, capex plus "
         "opex, 'TCO (4y Ownership)'; the ledger reads an ownership TCO as including financing); no model builders"},
        {"Figure": "Luk: yearly TCO, all GPUs", "Published": usd(data.published("luk_tco_all_per_year_usd")),
         bare: usd(all_gpus["fleet_tco_per_year_usd"], 2), charged: "—",
         "Basis": f"capex ÷ {horizon_years:g} + a year of operation; the book's capex as paid, Luk's on SemiAnalysis's prices"},
        {"Figure": "Luk: yearly TCO, Hoppers only", "Published": usd(data.published("luk_tco_hoppers_per_year_usd")),
         bare: usd(hoppers["fleet_tco_per_year_usd"], 2), charged: "—",
         "Basis": "the same, without the A100s"},
    ]))


def _opex_parts(page: Page, p: Mapping[str, Value], book: Mapping[str, float], horizon_years: float) -> None:
    """A year's opex by component. Power is split as computed: the GPU servers' facility power at the power price, and
    the storage and CPU nodes' (added in analysis/model/reconcile.py), the rest of the power line."""
    gpu_servers = book["fleet_power_mw"] * 1e3 * fleet.HOURS_PER_YEAR * float(p["power_usd_per_kwh"])  # type: ignore[arg-type]
    support = book["fleet_opex_power_per_year_usd"] - gpu_servers
    page.number("fleet_opex_power_gpu_servers_per_year_usd", gpu_servers, "USD per year")
    page.number("fleet_opex_power_storage_cpu_per_year_usd", support, "USD per year")
    page.table("opex_parts", pd.DataFrame([
        {"Component": label, "Per year": book[f"fleet_opex_{key}_per_year_usd"],
         "Over the horizon": book[f"fleet_opex_{key}_per_year_usd"] * horizon_years, "Inputs": inputs}
        for label, key, inputs in [
            ("Power", "power", f"GPU servers {usd(gpu_servers, 2)}: {book['fleet_power_mw']:,.1f} MW, TDP × server factor × "
                               f"{p['power_load_factor']:.2f} draw × PUE {p['pue']:.2f}, at ${p['power_usd_per_kwh']:.3f}/kWh; storage and "
                               f"CPU nodes {usd_sig(support)} (computed split)"),
            ("Rack rental", "hosting", f"${p['hosting_usd_per_gpu_year']:,.0f} per H800-year, other GPUs by server power"),
            ("Maintenance", "maintenance", f"{p['maintenance_share_per_year']:.1%} of capex per year"),
            ("Cluster staff", "staff", f"{p['ops_staff_headcount']:,.0f} people × ${p['staff_loaded_cost_usd']:,.0f}"),
        ]
    ]), {"Per year": _usd2, "Over the horizon": _usd2})


def _maintenance_sensitivity(page: Page, p: Mapping[str, Value], gpus: Mapping[str, fleet.Gpu], r1_hours: float,
                              counts: Mapping[str, float]) -> None:
    """The claim's "$944M to operate" read on the estimate's own fleet with no maintenance (the range's low end),
    at the book's median, at the top of the book's range and at an enterprise list contract (beyond it)."""
    ranges = data.load_indexed("uncertainty.csv").loc["maintenance_share_per_year"]
    shares = {"none": 0.0, "median": float(p["maintenance_share_per_year"]), "high": float(ranges["high"]),  # type: ignore[arg-type]
              "list": data.published("dgx_h100_support_usd_per_year") / data.published("dgx_h100_base_price_usd")}
    fleet_p = {**p, **{f"fleet_{g}": n for g, n in counts.items()}}
    for name, share in shares.items():
        opex = reconcile.evaluate({**fleet_p, "maintenance_share_per_year": share}, gpus, r1_hours)["fleet_opex_usd"]  # type: ignore[dict-item]
        page.number(f"opex_estimate_fleet_maintenance_{name}_usd", opex, "USD")
        page.text(f"opex_estimate_fleet_maintenance_{name}_text", usd_sig(opex))
    # Opex is linear in the share: the share at which the book's cost for the estimate's fleet reaches the published figure.
    none, high = page["opex_estimate_fleet_maintenance_none_usd"], page["opex_estimate_fleet_maintenance_high_usd"]
    page.number("maintenance_share_for_published_opex",
                (data.published("semianalysis_opex_usd") - none) / (high - none) * shares["high"], "fraction of capex per year")
    # Read as TCO less capex, the published figure also holds a capital charge (which no maintenance share moves).
    financing = float(reconcile.evaluate(fleet_p, gpus, r1_hours)["fleet_financing_usd"])  # type: ignore[arg-type]
    with_financing = (data.published("semianalysis_opex_usd") - financing - none) / (high - none) * shares["high"]
    page.number("maintenance_share_for_published_opex_with_financing", with_financing, "fraction of capex per year")
    page.text("maintenance_share_with_financing_position", "within" if with_financing <= shares["high"] else "above")
    page.number("maintenance_share_list", shares["list"], "fraction of capex per year")
    page.number("maintenance_share_range_high", shares["high"], "fraction of capex per year")


def _ownership(page: Page, p: Mapping[str, Value], book: Mapping[str, float]) -> None:
    """What owning an H800 costs per hour held and per useful hour, against rentals and other owners' figures."""
    rentals = data.load_table("rental_prices.csv")
    assumed = float(p["gpu_hour_usd"])  # type: ignore[arg-type]
    held, useful, epoch = book["owned_gpu_hour_usd"], book["owned_gpu_useful_hour_usd"], book["owned_gpu_hour_epoch_usd"]
    page.number("owned_gpu_hour_usd", held, "USD per GPU-hour held")
    page.number("owned_gpu_useful_hour_usd", useful, "USD per useful GPU-hour")
    page.number("gpu_hour_usd", assumed, "USD per GPU-hour")
    page.number("depreciation_years", p["depreciation_years"], "years")  # type: ignore[arg-type]
    page.number("cost_of_capital", p["cost_of_capital"], "fraction per year")  # type: ignore[arg-type]
    page.number("utilisation", p["utilisation"], "fraction")  # type: ignore[arg-type]
    by_id = rentals.set_index("id")["usd_per_gpu_hour"]
    market = h800_market_rental_usd()
    page.number("h800_market_rental_usd", market, "USD per GPU-hour")
    # DeepSeek's assumed price against the book's ownership cost (both per hour held) and the market, in words.
    page.text("assumed_vs_owned", versus(assumed, held))
    page.text("assumed_vs_market", versus(assumed, market))
    # Per useful hour on both sides: a renter whose GPUs are as busy pays its price over the same useful share.
    rental_useful = assumed / float(p["utilisation"])  # type: ignore[arg-type]
    page.number("rental_per_useful_hour_usd", rental_useful, "USD per useful GPU-hour")
    page.text("useful_vs_rental_useful", versus(useful, rental_useful))
    page.number("owned_gpu_hour_epoch_usd", epoch, "USD per GPU-hour")
    page.text("epoch_vs_assumed", versus(epoch, assumed))
    semianalysis = _rental_benchmarks(page, book, by_id)
    _benchmark_table(page, p, book, rentals, semianalysis)
    _fleet_share(page, p, book)


def _rental_benchmarks(page: Page, book: Mapping[str, float], by_id: pd.Series) -> float:
    """The V3 run at contract and neocloud rental prices, and SemiAnalysis's owned H100, for comparison."""
    semianalysis = data.published("semianalysis_h100_tco_usd_per_gpu_hour")
    page.number("semianalysis_h100_tco_usd_per_gpu_hour", semianalysis, "USD per GPU-hour held")
    neocloud = (float(by_id["h100_neocloud_low"]), float(by_id["h100_neocloud_high"]))
    contract = (float(by_id["h100_contract_low"]), float(by_id["h100_contract_high"]))
    page.text("v3_run_cost_contract_low_text", usd_sig(compute.cost_usd(book["v3_gpu_hours"], contract[0])))
    page.text("v3_run_cost_contract_high_text", usd_sig(compute.cost_usd(book["v3_gpu_hours"], contract[1])))
    page.number("h100_contract_low_usd", contract[0], "USD per GPU-hour")
    page.number("h100_contract_high_usd", contract[1], "USD per GPU-hour")
    page.number("owned_gpu_hour_replacement_usd", book["owned_gpu_hour_replacement_usd"], "USD per GPU-hour held")
    page.number("h100_neocloud_low_usd", neocloud[0], "USD per GPU-hour")
    page.number("h100_neocloud_high_usd", neocloud[1], "USD per GPU-hour")
    hours = book["v3_gpu_hours"]
    neocloud_mid = sum(neocloud) / 2
    page.number("v3_run_cost_neocloud_usd", compute.cost_usd(hours, neocloud_mid), "USD")
    page.text("v3_run_cost_neocloud_text", usd_sig(compute.cost_usd(hours, neocloud_mid)))
    page.text("v3_run_cost_neocloud_low_text", usd_sig(compute.cost_usd(hours, neocloud[0])))
    page.text("v3_run_cost_neocloud_high_text", usd_sig(compute.cost_usd(hours, neocloud[1])))
    page.number("v3_run_owned_usd", book["run_owned_usd"], "USD")
    page.text("v3_run_owned_text", usd_sig(book["run_owned_usd"]))
    return semianalysis


def _benchmark_table(page: Page, p: Mapping[str, Value], book: Mapping[str, float], rentals: pd.DataFrame, semianalysis: float) -> None:
    """Every cost of a GPU-hour side by side (table), and those on the per-hour-held basis on one axis (chart)."""
    held, useful, epoch = book["owned_gpu_hour_usd"], book["owned_gpu_useful_hour_usd"], book["owned_gpu_hour_epoch_usd"]
    assumed = float(p["gpu_hour_usd"])  # type: ignore[arg-type]
    page.table("gpu_hour_benchmarks", pd.DataFrame([
        {"Figure": "This book: owned H800, per hour held", "Per GPU-hour": held, "Date": valuation_date()[:7],
         "Basis": f"{BASIS_LABELS[str(p['gpu_price_basis'])]} prices, capital at {p['cost_of_capital']:.2%} over "
                  f"{p['depreciation_years']:g} years, power, rack rental, maintenance, cluster staff (the book's inputs)"},
        {"Figure": "This book: owned H800, per useful hour", "Per GPU-hour": useful, "Date": valuation_date()[:7],
         "Basis": f"the same over the {p['utilisation']:.0%} of hours that do useful work"},
        {"Figure": "This book: owned H800 at 2025 prices, per hour held", "Per GPU-hour": book["owned_gpu_hour_replacement_usd"],
         "Date": valuation_date()[:7], "Basis": "the same with the H800 at its 2025 listing"},
        {"Figure": "Epoch AI's method, the book's inputs", "Per GPU-hour": epoch, "Date": valuation_date()[:7],
         "Basis": "capex straight-line over the life plus energy; no capital charge, rack rental, upkeep or staff"},
        {"Figure": "SemiAnalysis: owned HGX H100", "Per GPU-hour": semianalysis, "Date": "2023-12",
         "Basis": f"OEM prices, network included, {data.published('semianalysis_debt_rate'):.0%} debt, hosting; per hour held"},
        {"Figure": "DeepSeek's assumed H800 rental", "Per GPU-hour": assumed, "Date": "2024-12", "Basis": "V3 report, Table 1"},
    ] + [
        {"Figure": f"{r.gpu.upper()} rental: {r.provider}", "Per GPU-hour": float(r.usd_per_gpu_hour), "Date": r.date,
         "Basis": "a reserved block's price (a survey)" if "contract" in r.provider else "list price, margin included: a ceiling for an owner"}
        for r in rentals.itertuples()
    ]), {"Per GPU-hour": "${:.2f}"})
    # One basis on one axis: every bar is per hour held, as rentals are paid (the useful-hour cost is in the table).
    bars = {"H800 owned, per hour held (this book)": held,
            "H100 owned, per hour held (SemiAnalysis, Dec 2023)": semianalysis, "H800 rental assumed by DeepSeek": assumed}
    page.figure("fig_own_vs_rent", charts.ownership_vs_rental(bars, rentals, "Cost of one GPU-hour held: owned and rented"))


def _fleet_share(page: Page, p: Mapping[str, Value], book: Mapping[str, float]) -> None:
    page.number("v3_run_share_of_fleet_year", book["v3_run_share_of_fleet_year"], "fraction")
    page.number("v3_run_share_of_fleet_year_by_count", book["v3_run_share_of_fleet_year_by_count"], "fraction")
    page.number("v3_run_share_of_fleet", book["v3_run_share_of_fleet"], "fraction")
    page.number("v3_run_fleet_days", book["v3_run_share_of_fleet_year"] * 365, "days")
    page.number("training_gpus", p["training_gpus"], "GPUs")  # type: ignore[arg-type]
