"""Charts drawn before from the same inputs are served again, identical; other inputs draw again (analysis.charts.drawn)."""

from __future__ import annotations

import pytest

from analysis.chapters import page as page_module
from analysis.charts import drawn
from analysis.charts import fleet as fleet_charts

STEPS = [("Final run", 5.6e6), ("Research", 9.5e6), ("Staff", 2.2e7)]


def _render(steps: list[tuple[str, float]]) -> drawn.Drawn | object:
    chart = fleet_charts.waterfall(steps, {"claim": 1.6e9})
    return chart if isinstance(chart, drawn.Drawn) else page_module._render(chart)


def test_same_inputs_served_identical(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(drawn.CACHE_ENV, str(tmp_path))
    first = _render(STEPS)
    assert isinstance(first, drawn.Drawn) and len(list(tmp_path.glob("*.pickle"))) == 1
    again = fleet_charts.waterfall(STEPS, {"claim": 1.6e9})
    assert isinstance(again, drawn.Drawn)  # not drawn: served
    assert again == first
    monkeypatch.delenv(drawn.CACHE_ENV)
    fresh = page_module._render(fleet_charts.waterfall(STEPS, {"claim": 1.6e9}))
    assert fresh == first  # what the cache serves is what drawing gives, byte for byte


def test_other_inputs_draw_again(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(drawn.CACHE_ENV, str(tmp_path))
    first = _render(STEPS)
    moved = fleet_charts.waterfall([*STEPS[:2], ("Staff", 2.3e7)], {"claim": 1.6e9})
    assert not isinstance(moved, drawn.Drawn)
    assert page_module._render(moved).png != first.png
    assert len(list(tmp_path.glob("*.pickle"))) == 2


def test_off_without_the_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(drawn.CACHE_ENV, raising=False)
    assert drawn.key(fleet_charts.waterfall, (STEPS, {}), {}) is None
    assert not isinstance(fleet_charts.waterfall(STEPS, {"claim": 1.6e9}), drawn.Drawn)


def test_palette_read_as_matplotlib_reads_the_style_sheet() -> None:
    import matplotlib

    from analysis.charts import style

    cycle = matplotlib.rc_params_from_file(str(style.STYLE), use_default_template=False)["axes.prop_cycle"]
    assert style.PALETTE == [entry["color"] for entry in cycle]
    assert len(style.PALETTE) == 8


def test_chapters_load_without_matplotlib() -> None:
    import subprocess
    import sys

    code = ("import sys, analysis.chapters.intro, analysis.chapters.serving, analysis.chapters.atlas, analysis.chapters.fleet, "
            "analysis.chapters.uncertainty, analysis.chapters.architecture, analysis.chapters.training_compute; "
            "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"  # a results-only build never pays for matplotlib


@pytest.mark.parametrize("stem", ["training_compute", "serving", "uncertainty"])
def test_smallest_text_read_after_saving_as_a_fresh_layout_reads_it(stem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """page._render measures a chart's smallest text just after saving it (no layout pass of its own): the same
    number a fresh layout gives, for each chart of the chapter and its phone variant."""
    import importlib

    import matplotlib.pyplot as plt

    from analysis.chapters import present
    from analysis.charts import style
    from analysis.inputs.params import resolve

    monkeypatch.delenv(drawn.CACHE_ENV, raising=False)
    chapter = importlib.import_module(f"analysis.chapters.{stem}")
    values = resolve().values
    figures = chapter.chapter({name: values[name] for name in chapter.PARAMETERS}).figures
    assert figures
    for figure in figures.values():
        for each in (figure, figure.narrow_variant):
            fresh = style.min_font_px(each)
            present.figure_png(each)
            assert style.min_font_px(each, saved=True) == fresh > 0
            plt.close(each)
