"""Model objects built from the loaded inputs: the bridge between the loader and the models.

The loader (analysis.inputs) reads and validates files; the models take plain values and
frozen dataclasses. This module turns one into the other, once, for every chapter and the CLI.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path

from analysis.inputs import data
from analysis.inputs.params import Param
from analysis.model import architecture as arch
from analysis.model import fleet
from analysis.model import uncertainty as unc
from analysis.paths import DATA_DIR


@cache
def gpu_catalogue(data_dir: Path = DATA_DIR) -> dict[str, fleet.Gpu]:
    """The GPU catalogue (data/gpus.csv) as fleet.Gpu objects by key (read once per process; do not mutate)."""
    return fleet.catalogue(data.load_indexed("gpus.csv", data_dir))


def load_config(path: Path) -> arch.ModelConfig:
    """A config.json file, parsed (errors name the file and the field)."""
    return arch.parse_config(data.load_json(Path(path)), name=Path(path).name)


@cache
def model_config(model: str, name: str | None = None) -> arch.ModelConfig:
    """A model of data/models.csv, parsed; `name` labels it in messages and tables."""
    raw, row = data.model_configs()[model]
    return arch.parse_config(raw, name=name or row["name"])


def distributions(registry: Mapping[str, Param], values: Mapping[str, float] | None = None) -> list[unc.Distribution]:
    """data/uncertainty.csv as distributions, centred on `values` where they moved from the defaults."""
    dists = unc.distributions(data.load_table("uncertainty.csv"), set(registry))
    if values is None:
        return dists
    defaults = {name: p.default for name, p in registry.items() if p.type != "choice"}
    bounds = {name: (-float("inf") if p.min is None else p.min, float("inf") if p.max is None else p.max)
              for name, p in registry.items()}
    return unc.centred(dists, values, defaults, bounds)


def correlations() -> list[unc.Correlation]:
    """data/correlations.csv as copula correlations between uncertain inputs."""
    table = data.load_table("correlations.csv")
    return [unc.Correlation(row.parameter_a, row.parameter_b, float(row.rho)) for row in table.itertuples(index=False)]


def r1_gpu_hours() -> float:
    """DeepSeek-R1's own training stages (data/training_runs.csv)."""
    return data.run_gpu_hours("DeepSeek-R1")


def cost_model(p: Mapping[str, float]) -> dict[str, float]:
    """Every cost figure of the book for one parameter set (reconcile.evaluate on the loaded inputs)."""
    from analysis.model import reconcile

    return reconcile.evaluate(p, gpu_catalogue(), r1_gpu_hours())  # type: ignore[return-value]


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
