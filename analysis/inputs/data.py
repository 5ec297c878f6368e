"""Load and validate every input table under data/ (the only module that reads it).

Each table has a schema: column names, kinds and whether a cell may be empty.
Every row of every table except sources.csv names a `source_id` that must exist
in sources.csv. Errors name file:line:column and what was expected.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from analysis.errors import InputError
from analysis.paths import DATA_DIR, ROOT

CONFIDENCE_LEVELS = ("A", "B", "C", "D")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "str"  # str | float | int | date | confidence | source | id
    required: bool = True


def _cols(spec: str) -> tuple[Column, ...]:
    """Parse a compact schema: 'name:kind' with a trailing '?' for optional cells."""
    out = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        optional = kind.endswith("?") or name.endswith("?")
        out.append(Column(name.rstrip("?"), (kind or "str").rstrip("?"), not optional))
    return tuple(out)


# The first column of each table is its key (unique, non-empty).
SCHEMAS: dict[str, tuple[Column, ...]] = {
    "sources.csv": _cols(
        "id:id title publisher url:str? date:date confidence:confidence note:str?"
    ),
    "parameters.csv": _cols(
        "name:id type default unit:str? min:float? max:float? choices:str? help source_id:source"
    ),
    "claims.csv": _cols(
        "id:id claim kind value:float? unit claimant scope source_id:source"
    ),
    "published_figures.csv": _cols(
        "id:id description value:float unit where source_id:source"
    ),
    "training_runs.csv": _cols(
        "run:id model stage gpu gpu_hours:float tokens:float? usd_published:float? "
        "source_id:source note:str?"
    ),
    "gpus.csv": _cols(
        "gpu:id name bf16_tflops:float fp8_tflops:float? hbm_gb:float hbm_tb_s:float "
        "nvlink_gb_s:float tdp_w:float server_power_factor:float "
        "confidence:confidence source_id:source note:str?"
    ),
    "comparators.csv": _cols(
        "model:id name training_flops:float? flops_low:float? flops_high:float? "
        "gpu:str? gpu_hours:float? tokens:float? active_params:float? "
        "reported_cost_usd:float? estimate:str source_id:source note:str?"
    ),
    "published_mfu.csv": _cols("model:id name mfu_low:float mfu_high:float source_id:source"),
    "fleets.csv": _cols(
        "fleet:id name a100:float h800:float h100:float h20:float description source_id:source"
    ),
    "cost_constants.csv": _cols("name:id value:float unit source_id:source note:str?"),
    "hardware_prices.csv": _cols(
        "id:id gpu item date:date low:float high:float? currency cny_per_usd:float? gpus:float source_id:source note:str? role vat"
    ),
    "purchases.csv": _cols("gpu:id bought_from:date bought_to:date source_id:source note:str?"),
    "evidence.csv": _cols(
        "id:id date:date claimant what source_id:source shows effect parameter:str? bound:str? value:float?"
    ),
    "v3_ablations.csv": _cols(
        "run:id section total_params:float activated_params:float tokens:float source_id:source note:str?"
    ),
    "rental_prices.csv": _cols(
        "id:id gpu provider usd_per_gpu_hour:float date:date source_id:source"
    ),
    "uncertainty.csv": _cols(
        "parameter:id label distribution low:float mode:float? high:float rationale source_id:source"
    ),
    "glossary.csv": _cols("term:id definition"),
    "explore.csv": _cols("control:id label values rationale source_id:source"),
    "correlations.csv": _cols("pair:id parameter_a parameter_b rho:float rationale source_id:source"),
    "models.csv": _cols(
        "model:id name config config_source_id:source publisher_total_params:float publisher_active_params:float? "
        "precision_params:float convention source_id:source"
    ),
    "atlas.csv": _cols(
        "model:id name config config_source_id:source publisher_total_params:float publisher_active_params:float? "
        "convention source_id:source"
    ),
    "api_prices.csv": _cols(
        "id:id model date:date input_cache_hit_usd_per_m:float input_cache_miss_usd_per_m:float "
        "output_usd_per_m:float note:str? source_id:source"
    ),
}


def _convert(value: str, column: Column, where: str, source_ids: frozenset[str]) -> Any:
    if value == "":
        if column.required:
            raise InputError(f"{where}: empty cell; expected a {column.kind} value")
        return math.nan if column.kind in ("float", "int") else ""
    if column.kind in ("float", "int"):
        try:
            number = float(value.replace("_", ""))
        except ValueError:
            raise InputError(f"{where}: expected a number, got {value!r}") from None
        if not math.isfinite(number):
            raise InputError(f"{where}: expected a finite number, got {value!r}")
        return number
    if column.kind == "date" and not _DATE.match(value):
        raise InputError(f"{where}: expected a date YYYY[-MM[-DD]], got {value!r}")
    if column.kind == "confidence" and value not in CONFIDENCE_LEVELS:
        raise InputError(f"{where}: expected confidence A, B, C or D, got {value!r}")
    if column.kind == "source" and value not in source_ids:
        raise InputError(f"{where}: unknown source id {value!r}; add it to data/sources.csv")
    return value


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def read_table(path: Path, schema: tuple[Column, ...], source_ids: frozenset[str]) -> pd.DataFrame:
    """Read one CSV against its schema; raise InputError naming file:line:column."""
    shown = _display(path)
    if not path.is_file():
        raise InputError(f"{shown}: file not found")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c.name for c in schema if c.name not in header]
        if missing:
            raise InputError(f"{shown}:1: missing column(s) {', '.join(missing)}; expected {', '.join(c.name for c in schema)}")
        extra = [h for h in header if h not in {c.name for c in schema}]
        if extra:
            raise InputError(f"{shown}:1: unexpected column(s) {', '.join(extra)}")
        rows: list[dict[str, Any]] = []
        seen: dict[str, int] = {}
        key = schema[0].name
        for record in reader:
            line = reader.line_num
            if None in record:
                raise InputError(f"{shown}:{line}: more cells than columns")
            row = {}
            for column in schema:
                raw = (record.get(column.name) or "").strip()
                row[column.name] = _convert(raw, column, f"{shown}:{line}:{column.name}", source_ids)
            if row[key] in seen:
                raise InputError(f"{shown}:{line}:{key}: duplicate key {row[key]!r} (first on line {seen[row[key]]})")
            seen[row[key]] = line
            rows.append(row)
    return pd.DataFrame(rows, columns=[c.name for c in schema])


@cache
def _load(name: str, data_dir: Path) -> pd.DataFrame:
    if name not in SCHEMAS:
        raise InputError(f"data/{name}: no schema for this table")
    sources = frozenset()
    if name != "sources.csv":
        sources = frozenset(_load("sources.csv", data_dir)["id"])
    return read_table(data_dir / name, SCHEMAS[name], sources)


def as_path(data_dir: Path | str) -> Path:
    """The folder as a Path (a Path as it is: building one again parses it, and tables are asked for by the thousand)."""
    return data_dir if isinstance(data_dir, Path) else Path(data_dir)


def load_table(name: str, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """A validated copy of data/<name>, indexed 0..n-1 (callers may mutate it)."""
    return _load(name, as_path(data_dir)).copy()


def load_indexed(name: str, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The table indexed by its key column (a copy: callers may mutate it)."""
    return _indexed(name, as_path(data_dir)).copy()


@cache
def _indexed(name: str, data_dir: Path) -> pd.DataFrame:
    table = _load(name, data_dir)
    return table.set_index(table.columns[0])


def cached_table(name: str, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """The validated table itself, shared (do not mutate): for caches that must notice a reload."""
    return _load(name, as_path(data_dir))


_DERIVED: dict[tuple[str, Callable[[Path], Any], Path], tuple[pd.DataFrame, Any]] = {}


def derived(name: str, build: Callable[[Path], T], data_dir: Path = DATA_DIR) -> T:
    """What `build(data_dir)` makes from the table `name`, made once per loaded table (a reload, as validate_all
    does, is noticed: the kept result goes with the table it was made from). Shared: do not mutate it."""
    folder = as_path(data_dir)
    table = _load(name, folder)
    key = (name, build, folder)  # the function itself: two of one name (lambdas) are two
    kept = _DERIVED.get(key)
    if kept is None or kept[0] is not table:
        _DERIVED[key] = kept = (table, build(folder))
    return kept[1]  # type: ignore[no-any-return]


def validate_all(data_dir: Path = DATA_DIR) -> None:
    """Load every table (used before any notebook runs, so bad data fails fast)."""
    _load.cache_clear()
    _indexed.cache_clear()
    _published.cache_clear()
    _run_gpu_hours.cache_clear()
    folder = as_path(data_dir)
    for name in SCHEMAS:
        if (folder / name).exists() or name in ("sources.csv", "parameters.csv"):
            _load(name, folder)


JSON_MAX_BYTES = 1_000_000  # a config.json is a few kB


def _not_a_number(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def load_json(path: Path) -> dict[str, Any]:
    """Read a JSON object, naming the file on failure."""
    shown = _display(path)
    if not path.is_file():
        raise InputError(f"{shown}: file not found")
    if path.stat().st_size > JSON_MAX_BYTES:
        raise InputError(f"{shown}: {path.stat().st_size:,} bytes; a model config is at most {JSON_MAX_BYTES:,}")
    try:
        value = json.loads(path.read_text(encoding="utf-8"), parse_constant=_not_a_number)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{shown}: not valid JSON ({exc})") from None
    except ValueError as exc:  # NaN or Infinity: Python's json reads them, JSON does not have them
        raise InputError(f"{shown}: not valid JSON ({exc})") from None
    except RecursionError:
        raise InputError(f"{shown}: nested too deeply to be a config") from None
    if not isinstance(value, dict):
        raise InputError(f"{shown}: expected a JSON object at the top level")
    return value


@cache
def _published(data_dir: Path) -> dict[str, float]:
    table = _load("published_figures.csv", data_dir)
    return {str(k): float(v) for k, v in zip(table["id"], table["value"], strict=True)}


def published(figure_id: str, data_dir: Path = DATA_DIR) -> float:
    """One published figure by id (data/published_figures.csv)."""
    figures = _published(as_path(data_dir))
    if figure_id not in figures:
        raise InputError(f"data/published_figures.csv: no figure {figure_id!r}")
    return figures[figure_id]


def model_configs(data_dir: Path = DATA_DIR) -> dict[str, tuple[dict[str, Any], pd.Series]]:
    """Each model of data/models.csv: (its config.json content, its publisher row)."""
    table = load_indexed("models.csv", data_dir)
    return {
        model: (load_json(as_path(data_dir) / "models" / row["config"]), row)
        for model, row in table.iterrows()
    }


def run_gpu_hours(model: str, data_dir: Path = DATA_DIR) -> float:
    """Total GPU-hours of a model's stages in training_runs.csv."""
    return _run_gpu_hours(model, as_path(data_dir))


@cache
def _run_gpu_hours(model: str, data_dir: Path) -> float:
    runs = _load("training_runs.csv", data_dir)
    selected = runs[runs["model"] == model]
    if selected.empty:
        raise InputError(f"data/training_runs.csv: no rows for model {model!r}")
    return float(selected["gpu_hours"].sum())
