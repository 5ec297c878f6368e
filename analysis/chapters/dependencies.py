"""Which inputs move which number: every value a chapter shows, with the parameters it depends on, measured.

Each chapter is a function of its declared parameters, so dependencies are found in-process: run the
chapter at the notebook's values, then once per parameter with that parameter alone moved by 1%, and
compare every value. The elasticity of a value to a parameter is its relative change over the
parameter's (a value that doubles when the parameter doubles has elasticity 1). Charts are not drawn in
this pass, and Monte Carlo chapters run on fewer samples (same seed: common random numbers keep the
comparison fair); choice parameters are switched to another choice and reported without an elasticity.
The pass runs inside each notebook's execution (`page.run`), so it is parallel and cached with the
notebook: an unchanged notebook does not measure again.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import time
import types
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from analysis.errors import InputError

STEP = 0.01  # relative move of each parameter
DEPENDENCY_MC_SAMPLES = 1000  # Monte Carlo samples per run in this pass (the book uses mc_samples)
NOT_MOVED = ("mc_samples", "seed")  # how the Monte Carlo is run, not what it models
Dependencies = dict[str, dict[str, float | None]]


@contextmanager
def charts_not_drawn() -> Iterator[None]:
    """Chart builders return None while the pass runs (figures are not values)."""
    import analysis.charts as charts

    saved = []
    for info in pkgutil.iter_modules(charts.__path__):
        if info.name == "style":
            continue
        module = importlib.import_module(f"analysis.charts.{info.name}")
        for name, value in vars(module).items():
            if isinstance(value, types.FunctionType) and value.__module__ == module.__name__:
                saved.append((module, name, value))
                setattr(module, name, lambda *_a, **_k: None)
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def _moved(value: Any, param: Any, down: bool = False) -> Any:
    """The parameter moved by STEP (ints by at least 1 within their bounds; choices to another choice), up unless that
    passes its upper bound; `down`: the other way (None if that passes its lower bound, or no other choice is left)."""
    if param.type == "choice":
        others = [c for c in param.choices if c != value]
        return others[1] if down and len(others) > 1 else (None if down else others[0])
    if param.type == "int":
        step = max(1, round(abs(value) * STEP))
        up = value + step
        if down or (param.max is not None and up > param.max):
            return None if param.min is not None and value - step < param.min else value - step
        return up
    if value == 0:
        up, other = STEP, -STEP
    else:
        up, other = value * (1 + STEP), value * (1 - STEP)
    if down or (param.max is not None and up > param.max):
        return None if param.min is not None and other < param.min else other
    return up


def elasticity(base: Any, moved: Any, x0: Any, x1: Any) -> tuple[bool, float | None]:
    """(does the value depend on the input, elasticity or None) from one perturbation."""
    if isinstance(base, str) or isinstance(moved, str):
        return base != moved, None
    if base == moved or (abs(moved - base) <= 1e-12 * max(abs(base), abs(moved))):
        return False, None
    if isinstance(x0, str) or x0 == 0 or base == 0:
        return True, None
    return True, ((moved - base) / base) / ((x1 - x0) / x0)


def chapter_dependencies(notebook_stem: str, values: Mapping[str, Any], moved: Collection[str] | None = None,
                         seconds: dict[str, float] | None = None, base: Mapping[str, Any] | None = None) -> Dependencies:
    """Dependencies of every value one chapter shows, at the given parameter values (on the parameters in `moved`
    only, when given: several processes may share a chapter's pass; their parts merge with `merged`). `seconds`, when
    given, gathers how long each parameter's moved run took (the next pass deals them by it); `base`, the chapter's
    `base_run` at these values when already made."""
    from analysis.inputs.params import registry

    module = importlib.import_module(f"analysis.chapters.{notebook_stem}")
    params = registry()
    base_p = _pass_parameters(module, values)
    from analysis.chapters.page import call, values_only

    with charts_not_drawn(), values_only():
        base = call(module, base_p).values if base is None else base
        found: Dependencies = {key: {} for key in base}
        for name in module.PARAMETERS:
            if name in NOT_MOVED or (moved is not None and name not in moved):
                continue
            x0 = base_p[name]
            x1 = _moved(x0, params[name])
            started = time.perf_counter()
            try:
                moved_values = call(module, {**base_p, name: x1}, moved=name).values
            except InputError:  # the move crossed a limit between inputs (a band's floor past its ceiling): the other way
                x1 = _moved(x0, params[name], down=True)
                if x1 is None:
                    raise
                moved_values = call(module, {**base_p, name: x1}, moved=name).values
            if seconds is not None:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started
            for key, glued in base.items():
                if key not in moved_values:
                    continue
                depends, e = elasticity(glued.value, moved_values[key].value, x0, x1)
                if depends:
                    found[key][name] = None if e is None or not math.isfinite(e) else round(e, 4)
    return found


def _pass_parameters(module: types.ModuleType, values: Mapping[str, Any]) -> dict[str, Any]:
    base_p = {name: values[name] for name in module.PARAMETERS}
    if "mc_samples" in base_p:
        base_p["mc_samples"] = min(int(base_p["mc_samples"]), DEPENDENCY_MC_SAMPLES)
    return base_p


def base_run(notebook_stem: str, values: Mapping[str, Any]) -> Mapping[str, Any]:
    """The chapter's values as its pass measures from (fewer Monte Carlo samples, nothing drawn): made once, before a
    pass split between processes, it also computes what the chapters share at these values for all of them."""
    from analysis.chapters.page import call, values_only

    module = importlib.import_module(f"analysis.chapters.{notebook_stem}")
    with charts_not_drawn(), values_only():
        return call(module, _pass_parameters(module, values)).values


SUPPLIED_ENV = "COST_BOOK_DEPENDENCIES_FROM"  # a folder of passes already made, one `<chapter>.json` each


def supplied(notebook_stem: str, values: Mapping[str, Any]) -> Dependencies | None:
    """The chapter's pass at exactly these parameter values, when the build that executes the notebook found it already
    made (a results-only build at the same inputs: analysis.pipeline.build writes it into $COST_BOOK_DEPENDENCIES_FROM);
    None when there is none, or it was made at other values."""
    import json
    import os
    from pathlib import Path

    folder = os.environ.get(SUPPLIED_ENV)
    if not folder:
        return None
    try:
        found = json.loads((Path(folder) / f"{notebook_stem}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    module = importlib.import_module(f"analysis.chapters.{notebook_stem}")
    asked = {name: values[name] for name in module.PARAMETERS}
    if not isinstance(found, dict) or found.get("parameters") != json.loads(json.dumps(asked)):
        return None
    return found.get("depends_on")


def merged(notebook_stem: str, parts: Sequence[Dependencies]) -> Dependencies:
    """Parts of one chapter's pass (each over some of its parameters) as the whole pass gives them, in the same order."""
    order = importlib.import_module(f"analysis.chapters.{notebook_stem}").PARAMETERS
    keys = list(parts[0]) if parts else []
    out: Dependencies = {}
    for key in keys:
        joined = {name: e for part in parts for name, e in part.get(key, {}).items()}
        out[key] = {name: joined[name] for name in order if name in joined}
    return out


def ranked(deps: Mapping[str, float | None]) -> dict[str, float | None]:
    """Most influential first (largest |elasticity|; inputs without one last)."""
    return dict(sorted(deps.items(), key=lambda kv: (kv[1] is None, -abs(kv[1] or 0.0), kv[0])))
