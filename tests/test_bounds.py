"""Every value a parameter's bounds allow builds: each parameter at its lowest and its highest (each choice), the
others at their defaults, computes every chapter that reads it, or is refused with a clear input error naming the
chapter and the input set (a chapter may not be able to use a value with the other inputs: one GPU per node cannot
serve DeepSeek's traffic). Never a ZeroDivisionError, a NaN glued as a number, or any other crash.

Found by this sweep before it was a test: a cost set to 0 (hosting, staff, network, server parts, SSDs) made the
Monte Carlo's range around it NaN; power at $0/kWh, an MFU band floor of 0 and one Monte Carlo sample divided by 0.
"""

from __future__ import annotations

import importlib
import math
import re

import pytest

from analysis.chapters import dependencies
from analysis.chapters.dependencies import charts_not_drawn
from analysis.chapters.page import call, values_only
from analysis.errors import InputError
from analysis.inputs.params import Param, check_together, registry
from analysis.pipeline import notebooks

# A NaN on its way (a log of a negative price, a 0/0) warns before it is glued: each such warning fails here.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

PARAMS = registry()
FAST_SAMPLES = 200  # the Monte Carlo's size does not move where a value is valid (mc_samples itself is swept): small, for speed


def _ends(param: Param) -> list[float | int | str]:
    if param.type == "choice":
        return [c for c in param.choices if c != param.default]
    return [int(b) if param.type == "int" else float(b) for b in (param.min, param.max) if b is not None and math.isfinite(b)]


CASES = [(name, value) for name, param in PARAMS.items() for value in _ends(param)]


def _readers(name: str) -> list[str]:
    stems = [nb.stem for nb in notebooks.toc_notebooks()]
    return [stem for stem in stems if name in importlib.import_module(f"analysis.chapters.{stem}").PARAMETERS]


@pytest.mark.parametrize(("name", "value"), CASES, ids=[f"{n}={v}" for n, v in CASES])
def test_each_bound_builds_or_is_refused_clearly(name: str, value: float | int | str) -> None:
    try:  # refused with the other inputs before anything runs (tests/test_bad_inputs.py has their messages)
        check_together({**{n: p.default for n, p in PARAMS.items()}, name: value}, {name: "-p"})
    except InputError as exc:
        assert name in str(exc)
        return
    readers = _readers(name)
    for stem in readers:
        module = importlib.import_module(f"analysis.chapters.{stem}")
        params = {n: PARAMS[n].default for n in module.PARAMETERS}
        if "mc_samples" in params and name != "mc_samples":
            params["mc_samples"] = FAST_SAMPLES
        params[name] = value
        with charts_not_drawn(), values_only():
            try:
                page = call(module, params)
            except InputError as exc:  # refused: it must say which chapter and which input
                assert f"{stem} chapter" in str(exc) and f"{name}=" in str(exc), str(exc)
                continue
        # The dependency pass every build makes moves each input by 1% from here: moving the one at its bound must not
        # cross a limit either (an MFU floor just under its ceiling did; the pass then moves it the other way).
        for key, inputs in dependencies.chapter_dependencies(stem, params, moved=[name]).items():
            assert all(e is None or math.isfinite(e) for e in inputs.values()), f"{stem}: {key} depends on {inputs}"
        for key, glued in page.values.items():
            assert isinstance(glued.value, str) or math.isfinite(glued.value), f"{stem}: {key} = {glued.value}"
            assert not re.search(r"\bnan\b|\binf\b", str(glued.value), re.I), f"{stem}: {key} = {glued.value!r}"


def test_every_parameter_is_read_by_a_chapter() -> None:
    """A parameter no chapter reads would take a reader's value and change nothing (night_lending_share did: the serving
    chapter derives that share from the two node counts)."""
    read = {name for nb in notebooks.toc_notebooks() for name in importlib.import_module(f"analysis.chapters.{nb.stem}").PARAMETERS}
    assert sorted(set(PARAMS) - read) == []


def test_every_number_has_a_unit() -> None:
    """results.json tells a script what each number is measured in (three published figures had no unit). Only a
    parameter registered without one (the Monte Carlo's seed) may echo that."""
    unitless = {name for name, param in PARAMS.items() if not param.unit}
    defaults = {name: param.default for name, param in PARAMS.items()}
    missing = []
    for nb in notebooks.toc_notebooks():
        module = importlib.import_module(f"analysis.chapters.{nb.stem}")
        with charts_not_drawn(), values_only():
            page = call(module, {name: defaults[name] for name in module.PARAMETERS})
        missing += [f"{nb.stem}: {key}" for key, glued in page.values.items() if not glued.unit and key not in unitless]
    assert missing == []
