"""Which inputs move which value: the perturbation pass against hand-computed elasticities."""

from __future__ import annotations

import pytest

from analysis.chapters import dependencies
from analysis.inputs.params import registry

DEFAULTS = {name: p.default for name, p in registry().items()}


@pytest.mark.parametrize(
    ("base", "moved", "x0", "x1", "expected"),
    [
        (100.0, 101.0, 2.0, 2.02, (True, 1.0)),  # proportional: elasticity 1
        (100.0, 100.0, 2.0, 2.02, (False, None)),  # untouched
        (100.0, 99.0, 2.0, 2.02, (True, -1.0)),
        ("consistent", "inconsistent", 2.0, 2.02, (True, None)),  # a verdict flips: a dependency without elasticity
        (0.0, 1.0, 2.0, 2.02, (True, None)),  # from zero: no relative change to speak of
    ],
)
def test_elasticity_by_hand(base, moved, x0, x1, expected) -> None:  # noqa: ANN001
    depends, e = dependencies.elasticity(base, moved, x0, x1)
    assert depends == expected[0]
    assert e == (pytest.approx(expected[1]) if expected[1] is not None else None)


def test_reconciliation_run_cost_scales_with_the_price_and_the_hours() -> None:
    deps = dependencies.chapter_dependencies("reconciliation", DEFAULTS)
    run = deps["waterfall_run_rental_usd"]
    # Run cost = (2,664,000 + 119,000 + 5,000) × price: elasticity 1 to the price, each stage by its share of the hours.
    assert run["gpu_hour_usd"] == pytest.approx(1.0)
    assert run["v3_pretrain_gpu_hours"] == pytest.approx(2_664_000 / 2_788_000, abs=1e-4)
    assert run["v3_context_ext_gpu_hours"] == pytest.approx(119_000 / 2_788_000, abs=1e-4)
    assert set(run) == {"gpu_hour_usd", "v3_pretrain_gpu_hours", "v3_context_ext_gpu_hours", "v3_post_training_gpu_hours"}
    # V3's development is priced at the ownership cost, not at DeepSeek's rental price.
    assert "gpu_hour_usd" not in deps["total_development_cost_usd"]
    assert deps["staff_headcount"] == {"staff_headcount": pytest.approx(1.0)}


def test_architecture_counts_depend_on_no_parameter() -> None:
    deps = dependencies.chapter_dependencies("architecture", DEFAULTS)
    assert deps["v3_total_params"] == {} and deps["v3_active_params"] == {}
    assert deps["v3_kv_cache_bytes_per_token"] == {"kv_dtype_bytes": pytest.approx(1.0)}


def test_charts_are_restored_after_the_pass() -> None:
    from analysis.charts import fleet as charts

    before = charts.waterfall
    with dependencies.charts_not_drawn():
        assert charts.waterfall([], {}) is None
    assert charts.waterfall is before


def test_ranked_puts_the_most_influential_first() -> None:
    assert list(dependencies.ranked({"a": 0.1, "b": -2.0, "c": None, "d": 1.0})) == ["b", "d", "a", "c"]


def test_a_pass_split_by_parameter_merges_into_the_whole_pass() -> None:
    whole = dependencies.chapter_dependencies("reconciliation", DEFAULTS)
    names = sorted(__import__("analysis.chapters.reconciliation", fromlist=["PARAMETERS"]).PARAMETERS)
    halves = [dependencies.chapter_dependencies("reconciliation", DEFAULTS, set(names[::2])),
              dependencies.chapter_dependencies("reconciliation", DEFAULTS, set(names[1::2]))]
    assert all(halves) and halves[0] != whole  # each half alone is only part of the pass
    together = dependencies.merged("reconciliation", halves)
    assert together == whole
    assert [list(d) for d in together.values()] == [list(d) for d in whole.values()]  # same order, key by key


def test_forked_pass_equals_the_pass_in_one_process() -> None:
    from analysis.pipeline import inprocess

    moved = {**DEFAULTS, "utilisation": 0.7}
    jobs = [(stem, {n: moved[n] for n in inprocess.declared(stem)}, True) for stem in ("fleet", "reconciliation")]
    alone = {stem: entry for stem, entry, _ in inprocess._run_all(jobs, 1)}
    forked = {stem: entry for stem, entry, _ in inprocess._run_all(jobs, 2)}
    assert forked == alone
    assert any(forked["fleet"]["depends_on"].values())


def test_pass_dealt_by_last_timings_with_the_values_on_this_process() -> None:
    """Parameters are dealt by what their runs took last time, summed over the chapters moving them; this process
    starts loaded with the values it computes besides its share; without timings, by the number of runs."""
    from analysis.pipeline import inprocess

    stems = ["fleet", "reconciliation"]
    names = {n for stem in stems for n in inprocess.declared(stem) if n not in dependencies.NOT_MOVED}
    by_count = inprocess._deal(stems, 2)
    assert set().union(*by_count) == names and not by_count[0] & by_count[1]
    costly = sorted(names)[0]
    seconds = {f"{stem}/{name}": 0.001 for stem in stems for name in names}
    seconds[f"fleet/{costly}"] = 1.0  # as costly as all the others together, many times over
    timed = inprocess._deal(stems, 2, seconds)
    assert timed[0] == {costly} and timed[1] == names - {costly}  # it alone on one side
    seconds |= {f"{stem}/{inprocess.VALUES_SECONDS}": 1.0 for stem in stems}  # this process busy with the values first
    assert costly in inprocess._deal(stems, 2, seconds)[1]


def test_forked_pass_from_base_runs_made_before_forking_equals_the_whole_pass(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from analysis.pipeline import inprocess

    monkeypatch.setenv(inprocess.CACHE_ENV, str(tmp_path))  # its timings, kept for the next deal, go there

    moved = {**DEFAULTS, "cost_of_capital": 0.03}
    measured = [(stem, {n: moved[n] for n in inprocess.declared(stem)}) for stem in ("intro", "claims")]
    forked = inprocess._dependencies_forked(measured, 2, dict)
    assert forked == {stem: dependencies.chapter_dependencies(stem, params) for stem, params in measured}
    timed = inprocess._last_pass_seconds()
    assert {key.split("/")[0] for key in timed} == {"intro", "claims"} and all(v >= 0 for v in timed.values())


def test_a_failing_pass_takes_its_forked_worker_with_it(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """The values failing in this process (or a Ctrl-C) while the forked worker computes its share: the error comes
    through and the worker is gone, reaped, not left running."""
    import os

    import pytest

    from analysis.pipeline import inprocess

    monkeypatch.setenv(inprocess.CACHE_ENV, str(tmp_path))
    measured = [("reconciliation", {n: DEFAULTS[n] for n in inprocess.declared("reconciliation")})]

    def failing() -> dict[str, float]:
        raise ZeroDivisionError("the values failed")

    forked: list[int] = []
    fork = os.fork

    def recorded() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded)
    with pytest.raises(ZeroDivisionError):
        inprocess._dependencies_forked(measured, 2, failing)
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):  # reaped: neither running nor a zombie
        os.waitpid(forked[0], os.WNOHANG)


def test_a_move_that_crosses_a_limit_between_inputs_is_made_the_other_way() -> None:
    """An MFU floor just under its ceiling, moved up 1%, passes the ceiling: the pass moves it down instead (it failed
    the build with 'a bug in the book' for a valid input)."""
    defaults = {name: p.default for name, p in registry().items()}
    values = {**defaults, "mfu_plausible_min": 0.459, "mfu_plausible_max": 0.46}
    found = dependencies.chapter_dependencies("training_compute", values, moved=["mfu_plausible_min"])
    assert any("mfu_plausible_min" in inputs for inputs in found.values())
