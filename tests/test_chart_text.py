"""Every text a chart shows reads as text, wide and on a phone: no raw mathtext markup (the style sheet turns mathtext
off so that a $ is a dollar sign, and matplotlib's own log-axis labels are mathtext: `$\\mathdefault{10^{24}}$` printed
as it is), and no row label over its neighbour (a phone stacks long labels onto several lines)."""

from __future__ import annotations

import importlib

import matplotlib.pyplot as plt
import pytest

from analysis.charts import drawn, style
from tests.conftest import chapter_defaults

CHAPTERS = ["architecture", "atlas", "fleet", "intro", "reconciliation", "serving", "training_compute", "uncertainty"]


@pytest.mark.parametrize("stem", CHAPTERS)
def test_chart_text_reads(stem: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(drawn.CACHE_ENV, raising=False)  # real figures, not PNGs kept from another build
    module = importlib.import_module(f"analysis.chapters.{stem}")
    page = module.chapter(chapter_defaults(module))
    try:
        assert page.figures, f"{stem} draws no chart: take it out of CHAPTERS"
        for name, figure in page.figures.items():
            for variant in (figure, figure.narrow_variant):
                which = f"{stem}.{name}{' (phone)' if variant is not figure else ''}"
                raw = [t.get_text() for t in style._texts(variant) if "\\" in t.get_text() or "{" in t.get_text()]
                assert not raw, f"{which} prints markup: {raw[:3]}"
                assert style.crowded_ticks(variant) <= 1.0, f"{which}: row labels overlap"
                assert not style.crowded_x_labels(variant), f"{which}: x labels overlap"
            assert style.saved_width_px(figure.narrow_variant) <= style.PHONE_WIDTH_PX, f"{stem}.{name}: phone variant too wide"
    finally:
        plt.close("all")


@pytest.mark.parametrize(("value", "label"), [(1e24, "10²⁴"), (1e-5, "10⁻⁵"), (0.01, "0.01"), (1000, "1,000"), (1e4, "10⁴")])
def test_power_of_ten_labels(value: float, label: str) -> None:
    assert style.power_of_ten(value) == label


@pytest.mark.parametrize(("text", "width", "wrapped"), [
    ("DeepSeek-V3.1, 5 Sep 2025", 10, "DeepSeek-\nV3.1, 5\nSep 2025"),  # after a hyphen, never inside "V3.1"
    ("off-\npeak price", 20, "off-peak price"),  # a line broken after a hyphen joins without a space
    ("-$1.59M step", 5, "-$1.59M\nstep"),  # a leading minus is not a hyphen to break after
    ("Research and ablation compute", 6, "Research\nand\nablation\ncompute"),  # a long word keeps its line whole
])
def test_phone_wrapping_breaks_words_as_print_does(text: str, width: int, wrapped: str) -> None:
    assert style._wrap(text, width) == wrapped
