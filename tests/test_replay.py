"""replay.section: a section's values kept per set of the inputs it reads, in values-only mode only."""

from __future__ import annotations

import pytest

from analysis.chapters import replay
from analysis.chapters.page import Page, values_only

CALLS: list[float] = []


def _section(page: Page, f: dict, extra: float) -> float:
    CALLS.append(f["a"])
    page.number("twice_a", 2 * f["a"], "number")
    page.text("extra", f"{extra:g}")
    return f["a"] + extra


def _reads_undeclared(page: Page, f: dict) -> None:
    page.number("b", f["b"], "number")


def test_kept_per_inputs_and_replayed_in_order() -> None:
    CALLS.clear()
    with values_only():
        first, second = Page(), Page()
        first.number("before", 1.0, "number")
        assert replay.section(first, _section, {"a": 1.0, "b": 5.0}, ("a",), 0.5) == 1.5
        assert replay.section(second, _section, {"a": 1.0, "b": 6.0}, ("a",), 0.5) == 1.5  # b is not read: kept
        assert list(first.values)[1:] == list(second.values) == ["twice_a", "extra"]
        assert CALLS == [1.0]
        replay.section(Page(), _section, {"a": 1, "b": 6.0}, ("a",), 0.5)  # 1 is not 1.0
        replay.section(Page(), _section, {"a": 1.0}, ("a",), 0.25)  # another argument
        replay.section(Page(), _section, {"a": -0.0}, ("a",), 0.5)
        replay.section(Page(), _section, {"a": 0.0}, ("a",), 0.5)  # -0.0 and 0.0 apart
    assert CALLS == [1.0, 1, 1.0, -0.0, 0.0]


def test_shown_pages_always_run() -> None:
    CALLS.clear()
    for _ in range(2):
        page = Page()
        replay.section(page, _section, {"a": 3.0}, ("a",), 0.5)
        assert page["twice_a"] == 6.0
    assert CALLS == [3.0, 3.0]


def test_an_undeclared_parameter_fails() -> None:
    with values_only(), pytest.raises(KeyError):
        replay.section(Page(), _reads_undeclared, {"a": 1.0, "b": 2.0}, ("a",))


def test_a_reloaded_table_computes_again(monkeypatch: pytest.MonkeyPatch) -> None:
    CALLS.clear()
    tables = {"claims.csv": object()}
    monkeypatch.setattr(replay.data, "cached_table", lambda name: tables[name])
    with values_only():
        replay.section(Page(), _section, {"a": 7.0}, ("a",), 0.5, tables=("claims.csv",))
        replay.section(Page(), _section, {"a": 7.0}, ("a",), 0.5, tables=("claims.csv",))
        tables["claims.csv"] = object()
        replay.section(Page(), _section, {"a": 7.0}, ("a",), 0.5, tables=("claims.csv",))
    assert CALLS == [7.0, 7.0]
