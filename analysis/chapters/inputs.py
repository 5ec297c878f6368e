"""Model objects built from the loaded inputs: the bridge between the loader and the models.

The loader (analysis.inputs) reads and validates files; the models take plain values and
frozen dataclasses. This module turns one into the other, once, for every chapter and the CLI.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from analysis.errors import InputError
from analysis.inputs import data
from analysis.inputs.params import Param
from analysis.model import architecture as arch
from analysis.model import fleet
from analysis.model import uncertainty as unc
from analysis.paths import DATA_DIR

BASIS_LABELS = {"as_paid": "as paid", "replacement_2025": "2025 replacement"}  # the GPU price bases, in words
VALUATION_SOURCE = "semianalysis"  # the estimate's own date is the date its fleet is valued at
# How VAT stands in each quote of data/hardware_prices.csv (column `vat`): a formal-channel yuan price with its VAT
# inside, which a general VAT taxpayer credits ("credited", taken out); a grey-market price, with no VAT invoice and so
# nothing to credit ("grey", used as quoted); a dollar price reported from China without saying whether VAT is inside
# ("unstated", used as reported); a US price, outside China's VAT ("us").
VAT_TREATMENTS = ("credited", "grey", "unstated", "us")


def valuation_date(data_dir: Path = DATA_DIR) -> str:
    """The date the fleet's book value is taken at: the date of the estimate it is set against."""
    return str(data.load_indexed("sources.csv", data_dir).loc[VALUATION_SOURCE, "date"])


def purchase_ages(data_dir: Path = DATA_DIR) -> dict[str, float]:
    """Years from the middle of each GPU type's purchase period (data/purchases.csv) to the valuation date."""
    when = valuation_date(data_dir)
    return {gpu: fleet.years_between(fleet.purchase_midpoint(row["bought_from"], row["bought_to"]), when)
            for gpu, row in data.load_indexed("purchases.csv", data_dir).iterrows()}


@cache
def gpu_catalogue(data_dir: Path = DATA_DIR) -> dict[str, fleet.Gpu]:
    """The GPU catalogue (data/gpus.csv, with the purchase ages of data/purchases.csv) as fleet.Gpu objects by key
    (read once per process; do not mutate)."""
    return fleet.catalogue(data.load_indexed("gpus.csv", data_dir), purchase_ages(data_dir))


def load_config(path: Path) -> arch.ModelConfig:
    """A config.json file, parsed (errors name the file and the field)."""
    return arch.parse_config(data.load_json(Path(path)), name=Path(path).name)


@cache
def model_config(model: str, name: str | None = None) -> arch.ModelConfig:
    """A model of data/models.csv, parsed; `name` labels it in messages and tables."""
    raw, row = data.model_configs()[model]
    return arch.parse_config(raw, name=name or row["name"])


def distributions(registry: Mapping[str, Param], values: Mapping[str, float] | None = None) -> list[unc.Distribution]:
    """data/uncertainty.csv as distributions; with `values`, only those of the parameters it holds, centred on
    `values` where they moved from the defaults."""
    limits = tuple((name, p.min, p.max, p.default if p.type != "choice" else None) for name, p in registry.items())
    dists = list(_bounded_distributions(limits))
    if values is None:
        return dists
    dists = [d for d in dists if d.parameter in values]  # the inputs of the model being sampled
    defaults = {name: default for name, _, _, default in limits if default is not None}
    return unc.centred(dists, values, defaults, _bounds(limits))


def _bounds(limits: tuple[tuple[str, Any, Any, Any], ...]) -> dict[str, tuple[float, float]]:
    return {name: (-float("inf") if low is None else low, float("inf") if high is None else high) for name, low, high, _ in limits}


@cache
def _bounded_distributions(limits: tuple[tuple[str, Any, Any, Any], ...]) -> tuple[unc.Distribution, ...]:
    # Parsed once per registry: the Monte Carlo asks for them once per parameter the dependency pass moves.
    bounds = _bounds(limits)
    return tuple(replace(d, bounds=bounds[d.parameter]) for d in unc.distributions(data.load_table("uncertainty.csv"), set(bounds)))


def correlations() -> list[unc.Correlation]:
    """data/correlations.csv as copula correlations between uncertain inputs."""
    return list(_correlations())


@cache
def _correlations() -> tuple[unc.Correlation, ...]:
    table = data.load_table("correlations.csv")
    return tuple(unc.Correlation(row.parameter_a, row.parameter_b, float(row.rho)) for row in table.itertuples(index=False))


def hardware_prices(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """data/hardware_prices.csv with each quote per GPU in dollars: `quoted` as printed (currency, range),
    `usd_per_gpu` formatted ($25,000–30,000), `usd_low`/`usd_high` as numbers, `source` its publisher.
    A yuan price needs its rate (cny_per_usd), and `vat` one of VAT_TREATMENTS (only a yuan price is "credited",
    only a dollar price "us"); errors name the row. A copy: callers may mutate it."""
    return _hardware_prices(Path(data_dir)).copy()


@cache
def _hardware_prices(data_dir: Path) -> pd.DataFrame:
    # Read once per process: the dependency pass asks for it once per parameter it moves.
    table = data.load_table("hardware_prices.csv", data_dir)
    publishers = data.load_indexed("sources.csv", data_dir)["publisher"]
    low, high, quoted, per_gpu = [], [], [], []
    for line, row in enumerate(table.itertuples(index=False), start=2):
        where = f"data/hardware_prices.csv:{line}"
        if row.currency not in ("USD", "CNY"):
            raise InputError(f"{where}:currency: expected USD or CNY, got {row.currency!r}")
        if row.currency == "CNY" and not row.cny_per_usd > 0:
            raise InputError(f"{where}:cny_per_usd: a yuan price needs a positive exchange rate")
        if row.vat not in VAT_TREATMENTS:
            raise InputError(f"{where}:vat: expected one of {', '.join(VAT_TREATMENTS)}, got {row.vat!r}")
        if (row.vat == "credited" and row.currency != "CNY") or (row.vat == "us" and row.currency != "USD"):
            raise InputError(f"{where}:vat: {row.vat!r} does not fit a {row.currency} price")
        if not row.gpus >= 1:
            raise InputError(f"{where}:gpus: expected at least 1 GPU, got {row.gpus:g}")
        top = row.low if pd.isna(row.high) else row.high
        rate = 1.0 if row.currency == "USD" else float(row.cny_per_usd)
        low.append(row.low / rate / row.gpus)
        high.append(top / rate / row.gpus)
        symbol = "$" if row.currency == "USD" else "RMB "
        quoted.append(f"{symbol}{row.low:,.0f}" + ("" if top == row.low else f"–{top:,.0f}"))
        per_gpu.append(f"${low[-1]:,.0f}" + ("" if top == row.low else f"–{high[-1]:,.0f}"))
    return table.assign(usd_low=low, usd_high=high, quoted=quoted, usd_per_gpu=per_gpu,
                        source=[publishers[s] for s in table["source_id"]])


def r1_gpu_hours() -> float:
    """DeepSeek-R1's own training stages (data/training_runs.csv)."""
    return data.run_gpu_hours("DeepSeek-R1")


def typed(value: Any) -> tuple[Any, ...]:
    """A value as part of a cache key: with its type (1 and 1.0 apart) and, for a zero, its sign (0.0 and -0.0 apart),
    so that two keys are equal only for values every computation treats alike."""
    return type(value), value, math.copysign(1.0, value) if isinstance(value, float) and value == 0 else None


def typed_items(values: Mapping[str, Any], names: Iterable[str] | None = None) -> tuple[tuple[Any, ...], ...]:
    """Parameter values (those `names`, in that order; else all) as part of a cache key, each `typed`; `from_typed`
    reads them back."""
    return tuple((name, *typed(values[name])) for name in (values if names is None else names))


def from_typed(items: tuple[tuple[Any, ...], ...]) -> dict[str, Any]:
    return {item[0]: item[2] for item in items}


def cost_model(p: Mapping[str, float]) -> dict[str, float]:
    """Every cost figure of the book for one parameter set (reconcile.evaluate on the loaded inputs). A copy: callers
    may mutate it."""
    from analysis.model import reconcile

    gpus, r1_hours = gpu_catalogue(), r1_gpu_hours()
    # Keyed by exactly what evaluate reads: the model's parameters (each `typed`),
    # the GPU catalogue and R1's GPU-hours. The dependency pass asks for one parameter set from several chapters.
    key = (typed_items(p, reconcile.MODEL_PARAMS), tuple(gpus.items()), r1_hours)
    try:
        hash(key)
    except TypeError:  # arrays: not one parameter set, computed as asked
        return reconcile.evaluate(p, gpus, r1_hours)  # type: ignore[return-value]
    return dict(_cost_model(key))


@lru_cache(maxsize=2048)
def _cost_model(key: tuple[Any, ...]) -> Mapping[str, float]:
    # Everything the result depends on is in `key`. Shared, so read-only: cost_model hands out copies (the values are
    # floats, which cannot be mutated in place).
    from analysis.model import reconcile

    items, gpus, r1_hours = key
    return MappingProxyType(reconcile.evaluate(from_typed(items), dict(gpus), r1_hours))


def validate_model_configs() -> None:
    """Parse every config of data/models.csv and data/atlas.csv (errors name data/models/FILE and the field)."""
    for raw, row in data.model_configs().values():
        arch.parse_config(raw, name=f"data/models/{row['config']}")
    atlas_configs()


def validate_uncertainty(registry: Mapping[str, Param]) -> None:
    """Distributions and correlations together (the correlation matrix must be a valid one)."""
    dists = distributions(registry)
    unc.cholesky_factor([d.parameter for d in dists], correlations())


def atlas_configs() -> dict[str, tuple[arch.ModelConfig, Mapping[str, object]]]:
    """Each model of data/atlas.csv, parsed: (its config, its publisher row). A bad or unsupported
    config raises InputError naming data/models/FILE and the field."""
    table = data.load_indexed("atlas.csv")
    return {
        model: (arch.parse_config(data.load_json(DATA_DIR / "models" / row["config"]), name=f"data/models/{row['config']}"), row)
        for model, row in table.iterrows()
    }
