"""Chapter "Uncertainty": Monte Carlo ranges of the headlines, and which assumptions matter."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.chapters import fleet as fleet_chapter
from analysis.chapters.inputs import correlations, cost_model, distributions, from_typed, gpu_catalogue, r1_gpu_hours, typed_items
from analysis.chapters.page import Page, Value
from analysis.charts import uncertainty as charts
from analysis.formatting import usd, usd_sig
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import reconcile
from analysis.model import uncertainty as unc

PARAMETERS = (*reconcile.MODEL_PARAMS, "mc_samples", "seed")

UNITS = {"fleet_capex_usd": "USD", "fleet_opex_usd": "USD", "fleet_power_mw": "MW", "owned_gpu_hour_usd": "USD per GPU-hour held",
         "owned_gpu_useful_hour_usd": "USD per useful GPU-hour",
         "v3_run_share_of_fleet_year": "fraction", "total_development_cost_usd": "USD", "cumulative_spend_usd": "USD"}


def _shown(key: str, value: float) -> str:
    unit = UNITS[key]
    if unit == "USD":
        return usd_sig(value)
    if unit.startswith("USD per"):
        return f"${value:.2f}"
    if unit == "fraction":
        return f"{value:.1%}"
    return f"{value:,.1f} {unit}"


@dataclass(frozen=True)
class Simulation:
    """One Monte Carlo of the cost model: its inputs, distributions, samples of the headlines and their P10/P50/P90."""

    values: dict[str, float]
    dists: list[unc.Distribution]
    samples: dict[str, np.ndarray]
    ranges: dict[str, dict[str, float]]
    correlations: list[unc.Correlation]


def simulate(p: Mapping[str, Value], keys: tuple[str, ...] = unc.HEADLINES, counts_given: bool = False) -> Simulation:
    """The book's Monte Carlo (p["mc_samples"] samples, p["seed"]), centred on p, of the model outputs `keys`:
    shared by the landing page, this chapter and the claims ledger. With `counts_given`, the GPU counts are held at
    their values (the ledger's check of an estimate on its own counts: only what the book prices independently varies)."""
    values: dict[str, float] = {name: p[name] for name in reconcile.MODEL_PARAMS}  # type: ignore[misc]
    dists = distributions(registry(), values)
    pairs = correlations()
    # DeepSeek's floor is what its disclosures prove: its counts are known, not sampled.
    if counts_given or fleet_chapter.is_floor(p):
        counts = {f"fleet_{gpu}" for gpu in fleet_chapter.floor_counts()}
        dists = [d for d in dists if d.parameter not in counts]
        pairs = [c for c in pairs if c.a not in counts and c.b not in counts]
    drawn = _drawn(values, dists, int(p["mc_samples"]), int(p["seed"]), pairs, keys)
    return Simulation(values, dists, {k: drawn.samples[k] for k in keys}, {k: dict(drawn.ranges(k)) for k in keys}, pairs)


class _Drawn:
    """One Monte Carlo's samples of the outputs asked for so far (read-only arrays: shared by every caller), and their
    P10/P50/P90, each computed once."""

    def __init__(self, samples: dict[str, np.ndarray]) -> None:
        for array in samples.values():
            array.setflags(write=False)
        self.samples = samples
        self.nbytes = sum(a.nbytes for a in samples.values())
        self._ranges: dict[str, dict[str, float]] = {}

    def ranges(self, key: str) -> dict[str, float]:
        if key not in self._ranges:
            self._ranges[key] = unc.percentiles(self.samples, (key,))[key]
        return self._ranges[key]


# Monte Carlos already run, most recently used last. The dependency pass runs the same one (the same inputs, samples and
# seed) from several chapters, for different outputs: each is run once for every output any caller has asked for (the
# outputs are computed together, each from the same draws, so an output's samples do not depend on which others are).
_DRAWN: OrderedDict[tuple[object, ...], _Drawn] = OrderedDict()
_ASKED: dict[str, None] = {}  # every output asked for, in the order first asked
_DRAWN_BYTES = 256 * 2**20  # the samples kept, at most
_KEPT = [0]  # the bytes of samples in _DRAWN


def _drawn(values: Mapping[str, Value], dists: list[unc.Distribution], n: int, seed: int, pairs: list[unc.Correlation],
           keys: tuple[str, ...]) -> _Drawn:
    """unc.monte_carlo's samples of `keys`, from the cache when the same Monte Carlo has been run before. Keyed by all it
    reads: the inputs (each value with its type), the distributions, samples, seed, correlations, GPUs and R1's hours."""
    gpus, r1_hours = gpu_catalogue(), r1_gpu_hours()
    key = (typed_items(values), tuple(dists), n, seed, tuple(pairs), tuple(gpus.items()), r1_hours)
    _ASKED.update(dict.fromkeys(keys))
    hit = _DRAWN.get(key)
    if hit is None or any(k not in hit.samples for k in keys):
        if hit is not None:
            _KEPT[0] -= _DRAWN.pop(key).nbytes
        hit = _Drawn(unc.monte_carlo(values, dists, gpus, r1_hours, n, seed, keys=tuple(_ASKED), correlations=pairs))  # type: ignore[arg-type]
        _DRAWN[key] = hit
        _KEPT[0] += hit.nbytes
        while len(_DRAWN) > 1 and _KEPT[0] > _DRAWN_BYTES:
            _KEPT[0] -= _DRAWN.popitem(last=False)[1].nbytes
    else:
        _DRAWN.move_to_end(key)
    return hit


def chapter(p: Mapping[str, Value]) -> Page:
    """The page's outline: ranges, the claims on their axes, what the correlations do, which inputs matter, the inputs."""
    page = Page()
    sim = simulate(p)
    central = cost_model(sim.values)  # each quantity's one value, at the central inputs, shown beside its range
    _ranges(page, p, sim, central)
    _claims_on_their_axes(page, p, sim, central)
    _correlations(page, p, sim)
    _sensitivity(page, sim)
    _distributions(page, sim)
    return page


def _ranges(page: Page, p: Mapping[str, Value], sim: Simulation, central: Mapping[str, float]) -> None:
    for key, qs in sim.ranges.items():
        for q, v in qs.items():
            page.number(f"{key}_{q}", v, UNITS[key])
            page.text(f"{key}_{q}_text", _shown(key, v))
        page.text(f"{key}_central_text", _shown(key, float(central[key])))
    page.number("mc_samples", p["mc_samples"], "samples")  # type: ignore[arg-type]
    page.number("seed", p["seed"], "")  # type: ignore[arg-type]


def _claims_on_their_axes(page: Page, p: Mapping[str, Value], sim: Simulation, central: Mapping[str, float]) -> None:
    """The claims are judged once, by the ledger (claims chapter); this page only draws them on their own axes."""
    claims = data.load_indexed("claims.csv")
    capex_claim, opex_claim = float(claims.loc["capex_1_6b", "value"]), float(claims.loc["opex_944m", "value"])
    page.text("capex_claim_text", usd(capex_claim))
    page.text("opex_claim_text", usd(opex_claim))
    gpu_hour_usd = float(p["gpu_hour_usd"])  # type: ignore[arg-type]
    page.figure("fig_intervals", charts.intervals(sim.samples, [
        ("fleet_capex_usd", "Fleet capex, as paid", capex_claim, "Estimate: " + usd(capex_claim)),
        ("fleet_opex_usd", f"Fleet opex over {float(p['horizon_years']):g} years", opex_claim, "Estimate: " + usd(opex_claim)),  # type: ignore[arg-type]
        ("owned_gpu_hour_usd", "Owned H800, per hour held", gpu_hour_usd, f"DeepSeek's assumed rental: ${gpu_hour_usd:.2f}"),
        ("total_development_cost_usd", "V3 development cost", None, ""),
    ], {k: float(v) for k, v in central.items() if k in UNITS}))


def _correlations(page: Page, p: Mapping[str, Value], sim: Simulation) -> None:
    """What the correlations do: the same draws without them, P10-P90 widths compared; and the pairs, with their reasons."""
    drawn = _drawn(sim.values, sim.dists, int(p["mc_samples"]), int(p["seed"]), [], unc.HEADLINES)
    independent = {key: drawn.ranges(key) for key in unc.HEADLINES}
    for key, label in (("fleet_capex_usd", "capex"), ("total_development_cost_usd", "dev")):
        width = sim.ranges[key]["p90"] - sim.ranges[key]["p10"]
        width_independent = independent[key]["p90"] - independent[key]["p10"]
        page.number(f"correlation_widens_{label}", width / width_independent - 1, "fraction")
        page.text(f"{key}_independent_p10_text", _shown(key, independent[key]["p10"]))
        page.text(f"{key}_independent_p90_text", _shown(key, independent[key]["p90"]))
    if not page.shows_tables:  # the pairs' table is only shown: no value reads it
        return
    used = {(c.a, c.b) for c in sim.correlations}  # on DeepSeek's floor the counts are known: their pairs drop out
    page.table("correlations", pd.DataFrame([
        {"Inputs": f"{_label(sim.dists, row.parameter_a)} and {_label(sim.dists, row.parameter_b)}", "Correlation": row.rho,
         "Why": row.rationale, "Source": row.source_id}
        for row in data.load_table("correlations.csv").itertuples(index=False) if (row.parameter_a, row.parameter_b) in used
    ]), {"Correlation": "{:.1f}"})


def one_at_a_time(sim: Simulation) -> Mapping[str, tuple[dict[str, float], dict[str, float]]]:
    """unc.one_at_a_time at a simulation's inputs and distributions (each input alone at its P10 and P90): computed
    once per set of inputs, which this chapter's tornados and the claims ledger's "moved most by" both rank. Keyed by
    all it reads (inputs with their types, distributions, GPUs, R1's hours). Shared: not to be mutated."""
    gpus, r1_hours = gpu_catalogue(), r1_gpu_hours()
    key = (typed_items(sim.values), tuple(sim.dists), tuple(gpus.items()), r1_hours)
    return _one_at_a_time(key)


@lru_cache(maxsize=512)
def _one_at_a_time(key: tuple[object, ...]) -> Mapping[str, tuple[dict[str, float], dict[str, float]]]:
    items, dists, gpus, r1_hours = key
    return unc.one_at_a_time(from_typed(items), list(dists), dict(gpus), r1_hours)  # type: ignore[misc, arg-type]


def _sensitivity(page: Page, sim: Simulation) -> None:
    gpus, r1_hours = gpu_catalogue(), r1_gpu_hours()
    moves = one_at_a_time(sim)  # one batch of swings serves both tornados
    swings = unc.tornado(sim.values, sim.dists, gpus, r1_hours, "total_development_cost_usd", swings=moves)
    swings_capex = unc.tornado(sim.values, sim.dists, gpus, r1_hours, "fleet_capex_usd", swings=moves)
    page.figure("fig_tornado", charts.tornado(swings, "V3 total development cost (USD)"))
    page.figure("fig_tornado_capex", charts.tornado(swings_capex, "Fleet capex (USD)"))
    page.text("top_driver_dev", swings.loc[0, "label"])
    page.text("second_driver_dev", swings.loc[1, "label"])
    page.text("top_driver_capex", swings_capex.loc[0, "label"])
    page.text("second_driver_capex", swings_capex.loc[1, "label"])


# What a row's Low and High are: a triangular or uniform range's own ends, a log-normal's 5th and 95th percentiles.
SHAPES = {"triangular": "triangular (Low, High: its ends)", "uniform": "uniform (Low, High: its ends)",
          "lognormal": "log-normal (Low, High: P5, P95)"}


def _distributions(page: Page, sim: Simulation) -> None:
    """The cost model's uncertain inputs; the registry's others (in uncertainty.csv, not costs) named."""
    ranges = data.load_indexed("uncertainty.csv")
    page.number("median_defaults_checked", len(ranges), "inputs")  # every row of uncertainty.csv: a test checks each
    page.number("mc_inputs", len(sim.dists), "inputs")
    outside = [str(label) for name, label in ranges["label"].items() if name not in reconcile.MODEL_PARAMS]
    page.number("inputs_outside_cost_mc", len(outside), "inputs")
    page.text("inputs_outside_cost_mc_text", " and ".join(_lower_first(label) for label in outside))
    if not page.shows_tables:  # the distributions' table is only shown: no value reads it
        return
    page.table(
        "distributions",
        ranges.loc[[d.parameter for d in sim.dists]].reset_index()
        # The ranges the Monte Carlo draws from: in a build that moved an input, its range moved with it.
        .assign(low=[d.low for d in sim.dists], median=[d.median() for d in sim.dists], high=[d.high for d in sim.dists],
                distribution=lambda t: t["distribution"].map(SHAPES))
        [["label", "distribution", "low", "median", "high", "rationale", "source_id"]]
        .rename(columns={"label": "Input", "distribution": "Shape", "low": "Low", "median": "Median", "high": "High",
                         "rationale": "Why", "source_id": "Source"}),
        {"Low": "{:,.6g}", "Median": "{:,.6g}", "High": "{:,.6g}"},
    )


def _lower_first(label: str) -> str:
    """'Paid share of served tokens' → 'paid share ...' inside a sentence; a name ('High-Flyer's share') kept as it is."""
    first = label.split(" ")[0]
    return label if any(c.isupper() for c in first[1:]) else label[0].lower() + label[1:]


def _label(dists: list[unc.Distribution], parameter: str) -> str:
    return next(d.label for d in dists if d.parameter == parameter)
