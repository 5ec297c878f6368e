"""The parameter registry: one definition per tunable input (data/parameters.csv).

Defaults, units, bounds, help and source ids live in the CSV; this module turns
them into `Param` objects, loads scenario files and resolves `-p NAME=VALUE`
overrides (registry default < scenario < command line), validating every value.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import InputError
from analysis.inputs.data import derived, load_table
from analysis.paths import DATA_DIR, ROOT, SCENARIOS_DIR

Value = float | int | str
SCENARIO_KEYS = {"title", "description", "parameters"}
SCENARIO_MAX_BYTES = 64_000  # a scenario sets a few dozen numbers; anything far larger is not one
# Units of things counted one by one: a float parameter in these units still takes whole numbers only (its notebook
# cell stays a float, so the committed notebooks do not change; 5000.5 GPUs is refused).
COUNT_UNITS = frozenset({"GPUs", "people"})


def value_text(value: Value, thousands: bool = False) -> str:
    """A parameter's value as a reader types it back: whole numbers whole (20250131, 2048, 10000000, not 2.02501e+07 or
    2048.0; `thousands`: 20,250,131 for reading), others with every digit (0.016, 2664000.5)."""
    if isinstance(value, str) or isinstance(value, bool):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e16:
        return f"{int(value):,}" if thousands else str(int(value))
    return repr(float(value))


def away_from_defaults(values: Mapping[str, Value]) -> dict[str, Value]:
    """The parameters among `values` that differ from their defaults (names the registry does not know are left out)."""
    defaults = registry()
    return {name: value for name, value in values.items() if name in defaults and value != defaults[name].default}


def shown(raw: Any, limit: int = 60) -> str:
    """A value as a message quotes it: its repr, cut short (a scenario can hold a long list)."""
    text = repr(raw)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that a scenario file may not use."""


class _ScenarioLoader(yaml.SafeLoader):
    """YAML for scenario files: no aliases (they can expand a small file enormously) and no duplicate keys
    (PyYAML keeps the last one silently)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(problem="aliases (*name) are not allowed in a scenario file", problem_mark=event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key: let the constructor say so
                break
            if first is not None:
                raise _Refused(problem=f"duplicate key {shown(key)} (first on line {first})",
                                           problem_mark=key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # float | int | choice
    default: Value
    unit: str
    min: float | None
    max: float | None
    choices: tuple[str, ...]
    help: str
    source_id: str

    def bounds_text(self) -> str:
        if self.type == "choice":
            return " | ".join(self.choices)
        low = "-inf" if self.min is None else value_text(self.min)
        high = "inf" if self.max is None else value_text(self.max)
        return f"[{low}, {high}]"

    def coerce(self, raw: Any, origin: str) -> Value:
        """Validate one value for this parameter; `origin` says where it came from."""
        where = f"{origin}: parameter {self.name}"
        if self.type == "choice":
            text = str(raw).strip()
            if not isinstance(raw, str) or text not in self.choices:
                raise InputError(f"{where}: expected one of {', '.join(self.choices)}, got {shown(raw)}")
            return text
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise InputError(f"{where}: expected a number ({self.unit}), got {shown(raw)}")
        try:
            number = float(raw.replace("_", "")) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            raise InputError(f"{where}: expected a number ({self.unit}), got {shown(raw)}") from None
        except OverflowError:  # an integer too large for a float
            raise InputError(f"{where}: expected a finite number, got {shown(raw)}") from None
        if not math.isfinite(number):
            raise InputError(f"{where}: expected a finite number, got {shown(raw)}")
        if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
            raise InputError(f"{where}: {number:g} is outside its bounds {self.bounds_text()} ({self.unit})")
        if self.type == "int" or self.unit in COUNT_UNITS:
            if number != int(number):
                raise InputError(f"{where}: expected a whole number ({self.unit}), got {shown(raw)}")
            return int(number) if self.type == "int" else number
        return number


def _blank(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def registry(data_dir: Path = DATA_DIR) -> dict[str, Param]:
    """Every tunable parameter by name, validated (defaults inside their bounds). Built once per loaded
    parameters.csv (a reload of the data builds it again)."""
    return dict(derived("parameters.csv", _build_registry, data_dir))


def _build_registry(data_dir: Path) -> dict[str, Param]:
    table = load_table("parameters.csv", data_dir)
    params: dict[str, Param] = {}
    for line, row in enumerate(table.itertuples(index=False), start=2):
        where = f"data/parameters.csv:{line}"
        if row.type not in ("float", "int", "choice"):
            raise InputError(f"{where}:type: expected float, int or choice, got {row.type!r}")
        choices = tuple(c.strip() for c in row.choices.split("|") if c.strip()) if row.choices else ()
        if row.type == "choice" and not choices:
            raise InputError(f"{where}:choices: a choice parameter needs choices a|b|c")
        param = Param(
            name=row.name, type=row.type, default=row.default, unit=row.unit,
            min=None if _blank(row.min) else float(row.min),
            max=None if _blank(row.max) else float(row.max),
            choices=choices, help=row.help, source_id=row.source_id,
        )
        default = param.coerce(row.default, f"{where}:default")
        params[param.name] = Param(**{**param.__dict__, "default": default})
    return params


# Names that are not (or no longer) inputs, and what to set instead (CHANGELOG.md): a scenario written for an older
# book, or a reader who set a derived quantity, is told that instead of "unknown parameter".
RETIRED = {
    "interconnect_share": "was retired in results schema 2; use network_usd_per_gpu and a100_network_usd_per_gpu (a network "
                          "cost per GPU of each cluster)",
    # Listed, but never read: the serving chapter derives the share from the two node counts DeepSeek published.
    "night_lending_share": "is not an input: the share lent at night is 1 - inference_nodes_avg / inference_nodes_peak; "
                           "set those",
}


def unknown_parameter(name: str, known: dict[str, Param], origin: str) -> InputError:
    if name in RETIRED:
        return InputError(f"{origin}: parameter {name!r} {RETIRED[name]} (see CHANGELOG.md)")
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see `python -m analysis params`"
    return InputError(f"{origin}: unknown parameter {name!r}{hint}")


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path | None
    title: str = ""
    description: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""  # of the file's bytes: results.json's _meta names exactly which file a build read

    def describe(self) -> dict[str, str]:
        """Path (relative to the repository when inside it), title and content hash, for _meta."""
        path = self.path
        shown_path = "" if path is None else str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path.resolve())
        return {"name": self.name, "path": shown_path, "title": self.title, "sha256": self.sha256}


def scenario_path(name_or_path: str) -> Path:
    """A scenario by name (scenarios/NAME.yaml) or by path."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.parent != Path("."):
        return candidate
    return SCENARIOS_DIR / f"{name_or_path}.yaml"


def list_scenarios() -> list[str]:
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml"))


def load_scenario(name_or_path: str) -> Scenario:
    if not str(name_or_path).strip():
        known = ", ".join(list_scenarios()) or "none"
        raise InputError(f"--scenario: expected a scenario name or a path to a YAML file, got an empty string; shipped scenarios: {known}")
    path = scenario_path(name_or_path)
    in_file = str(path.relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
    if not path.is_file():
        known = ", ".join(list_scenarios()) or "none"
        raise InputError(f"scenario {name_or_path!r}: file {in_file} not found; shipped scenarios: {known}")
    if path.stat().st_size > SCENARIO_MAX_BYTES:
        raise InputError(f"{in_file}: {path.stat().st_size:,} bytes; a scenario file is at most {SCENARIO_MAX_BYTES:,}")
    raw = path.read_bytes()
    try:
        content = yaml.load(raw.decode("utf-8"), Loader=_ScenarioLoader)  # noqa: S506 (a SafeLoader)
    except UnicodeDecodeError:
        raise InputError(f"{in_file}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{in_file}:{mark.line + 1}" if mark else in_file
        problem = getattr(exc, "problem", exc)
        raise InputError(f"{where}: {problem}" if isinstance(exc, _Refused) else f"{where}: not valid YAML ({problem})") from None
    except RecursionError:
        raise InputError(f"{in_file}: nested too deeply to be a scenario") from None
    keys = ", ".join(sorted(SCENARIO_KEYS))
    if content is None:
        raise InputError(f"{in_file}: the file is empty; expected a mapping with keys {keys}")
    if not isinstance(content, dict):
        raise InputError(f"{in_file}: expected a mapping with keys {keys}")
    extra = sorted(set(map(str, content)) - SCENARIO_KEYS)
    if extra:
        raise InputError(f"{in_file}: unknown key(s) {', '.join(shown(k) for k in extra)}; expected {keys}")
    parameters = content.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise InputError(f"{in_file}: 'parameters' must be a mapping NAME: VALUE")
    if not parameters:
        raise InputError(f"{in_file}: sets no parameters; expected 'parameters:' with NAME: VALUE lines")
    for key in ("title", "description"):
        if content.get(key) is not None and not isinstance(content[key], str):
            raise InputError(f"{in_file}: '{key}' must be text, got {shown(content[key])}")
    return Scenario(
        name=path.stem, path=path, title=str(content.get("title", "")),
        description=str(content.get("description", "")).strip(), parameters=parameters,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


@dataclass(frozen=True)
class Resolved:
    """Parameter values after defaults, scenario and command line, with their origin."""

    values: dict[str, Value]
    origins: dict[str, str]  # default | scenario:NAME | command line
    scenario: str
    source: Scenario | None = None  # the scenario file read, if any

    def overrides(self) -> dict[str, Value]:
        return {k: v for k, v in self.values.items() if self.origins[k] != "default"}

    def is_default(self) -> bool:
        """No scenario, and every input set on the command line at its default (the book is the default book)."""
        return self.source is None and not away_from_defaults(self.overrides())

    def summary(self) -> str:
        """One line for the console: the scenario and every override with its value."""
        if self.is_default():
            return "default inputs"
        parts = []
        if self.source is not None:
            parts.append(f"scenario {self.scenario}" + (f" ({self.source.title})" if self.source.title else ""))
        changed = [f"{name}={value_text(value)}" for name, value in self.overrides().items() if self.origins[name] == "command line"]
        if changed:
            parts.append("-p " + ", ".join(changed))
        return "; ".join(parts) or f"scenario {self.scenario}"


def parse_assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise InputError(f"-p {text!r}: expected NAME=VALUE")
    return name.strip(), value.strip()


def parse_sweep(text: str) -> tuple[str, list[str]]:
    """`-p NAME=V1,V2,V3` of a sweep: the name and its values (at least one)."""
    name, raw = parse_assignment(text)
    values = [v.strip() for v in raw.split(",")]
    if not raw or any(not v for v in values):
        raise InputError(f"-p {text!r}: expected NAME=V1,V2,... (values separated by commas, none empty)")
    return name, values


def resolve(scenario: str | None = None, assignments: list[str] | tuple[str, ...] = ()) -> Resolved:
    """Defaults < scenario file < -p NAME=VALUE; every value validated."""
    params = registry()
    values: dict[str, Value] = {name: p.default for name, p in params.items()}
    origins = {name: "default" for name in params}
    scenario_name = "default"
    loaded: Scenario | None = None
    if scenario is not None:
        loaded = load_scenario(scenario)
        scenario_name = loaded.name
        origin = str(loaded.path.relative_to(ROOT)) if loaded.path and loaded.path.resolve().is_relative_to(ROOT) else str(loaded.path)
        for name, raw in loaded.parameters.items():
            if name not in params:
                raise unknown_parameter(str(name), params, origin)
            values[name] = params[name].coerce(raw, origin)
            origins[name] = f"scenario:{loaded.name}"
    for text in assignments:
        name, raw = parse_assignment(text)
        if name not in params:
            raise unknown_parameter(name, params, "-p")
        if "," in raw and params[name].type != "choice":
            raise InputError(f"-p {text!r}: one value per build; several values are a sweep: "
                             f"`python -m analysis sweep -p {name}={raw} --keys PATTERN`")
        values[name] = params[name].coerce(raw, "-p")
        origins[name] = "command line"
    check_together(values, origins)
    return Resolved(values=values, origins=origins, scenario=scenario_name, source=loaded)


# Inputs each valid alone that a chapter cannot use together: refused here, naming them, before anything runs (a
# chapter would fail far from the input). Each rule: the parameters it reads, whether they may go together, and why.
ORDERED = (("mfu_plausible_min", "mfu_plausible_max"),)  # a band's floor and ceiling
SOME_POSITIVE = (("fleet_a100", "fleet_h800", "fleet_h100", "fleet_h20"),)  # a fleet of at least one GPU


def check_together(values: Mapping[str, Value], origins: Mapping[str, str]) -> None:
    def quoted(name: str) -> str:
        return f"{name}={value_text(values[name])} ({origins.get(name, 'default')})"

    for low, high in ORDERED:
        if low in values and high in values and float(values[low]) > float(values[high]):
            raise InputError(f"{quoted(low)} is above {quoted(high)}: the floor of a band cannot exceed its ceiling")
    for names in SOME_POSITIVE:
        if all(name in values for name in names) and not any(float(values[name]) > 0 for name in names):
            raise InputError(f"{', '.join(names)} are all 0: the book needs at least one of them above 0")
