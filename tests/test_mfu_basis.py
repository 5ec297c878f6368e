"""Issue 24: V3's MFU read 34.3% on Training compute and 32.8% in the atlas, unlabelled. Both are right on their own
basis (6·N·D over Table 1's pre-training GPU-hours, against over all 2.788M GPU-hours of every stage; both on the
dense BF16 peak). A reader must never see an MFU for V3 without its basis: which FLOP count, which GPU-hours (or
DeepSeek's measured throughput) and which peak. This test fails if either page, its units in results.json or its
charts state one without them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import nbformat
import pytest

from analysis.chapters import atlas, training_compute
from analysis.chapters.page import Page
from analysis.paths import ROOT
from tests.conftest import chapter_defaults

PAGES = ("training_compute", "atlas")
# Every key whose value is an MFU of V3 (DeepSeek's own figures included).
V3_MFU = re.compile(r"^(v3_implied_mfu\w*|v3_mfu_(?!verdict)\w+|atlas_run_deepseek_v3_mfu|atlas_v3_mfu_\w+|published_isca_mfu_\w+)$")
GLUE = re.compile(r"\{glue:text\}`(?:[\w.]+::)?(\w+)(?::[^`]*)?`")
# What a sentence must name: the peak, the FLOP count, and the GPU-hours (or DeepSeek's measured throughput).
PEAK = re.compile(r"BF16|FP8|GLUE\((?:peak_flops_basis_text|atlas_peak_basis_text|atlas_other_basis_text)\)")
COUNT = re.compile(r"6ND|6·N·D|causal|full attention|every query-key pair|weights only|MTP")
HOURS = re.compile(r"pre-training (?:GPU-)?hours|every (?:published |Table 1 )?GPU-hour|"
                   r"all (?:the run's |its )?(?:published |\S+ million )?GPU-hours|step time|Table 4|throughput", re.IGNORECASE)


def sentences(nb_name: str) -> Iterator[tuple[str, list[str]]]:
    """(sentence, the V3-MFU keys it glues) for each Markdown sentence of a notebook."""
    nb = nbformat.read(str(ROOT / "book" / f"{nb_name}.ipynb"), as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        text = re.sub(r"\s+", " ", GLUE.sub(lambda m: f"GLUE({m.group(1)})", cell.source))
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z*(])", text):
            keys = [k for k in re.findall(r"GLUE\((\w+)\)", sentence) if V3_MFU.match(k)]
            if keys:
                yield sentence, keys


@pytest.mark.parametrize("nb_name", PAGES)
def test_every_v3_mfu_in_the_prose_names_its_basis(nb_name: str) -> None:
    stated = list(sentences(nb_name))
    assert stated, f"{nb_name} states no MFU of V3 (the test would prove nothing)"
    for sentence, keys in stated:
        for name, pattern in (("peak", PEAK), ("FLOP count", COUNT), ("GPU-hours", HOURS)):
            assert pattern.search(sentence), f"{nb_name}: {keys} stated without its {name}: {sentence!r}"


def test_the_two_pages_reconcile_by_naming_each_other() -> None:
    """Each page quotes the other's figure beside its own, so the two values read as two bases, not a contradiction."""
    texts = {nb: nbformat.read(str(ROOT / "book" / f"{nb}.ipynb"), as_version=4) for nb in PAGES}
    markdown = {nb: "\n".join(c.source for c in nb_.cells if c.cell_type == "markdown") for nb, nb_ in texts.items()}
    assert "atlas.ipynb::atlas_run_deepseek_v3_mfu" in markdown["training_compute"]
    assert "training_compute.ipynb::v3_implied_mfu_bf16" in markdown["atlas"]


@pytest.fixture(scope="module")
def pages() -> dict[str, Page]:
    return {"training_compute": training_compute.chapter(chapter_defaults(training_compute)),
            "atlas": atlas.chapter(chapter_defaults(atlas))}


def test_units_name_the_basis(pages: dict[str, Page]) -> None:
    """results.json carries each MFU's unit: it names the peak and the GPU-hours (or the throughput) it divides by."""
    for page in pages.values():
        for key, glued in page.values.items():
            if V3_MFU.match(key):
                assert "peak" in glued.unit and HOURS.search(glued.unit), (key, glued.unit)


def test_the_two_values_differ_only_by_their_hours(pages: dict[str, Page]) -> None:
    """Same FLOP (6·N·D) and peak (BF16): the atlas's MFU times all hours equals Training compute's times pre-training hours."""
    tc, at = pages["training_compute"], pages["atlas"]
    hours_all = tc["v3_gpu_hours_total_millions"]
    assert at["atlas_run_deepseek_v3_mfu"] * hours_all == pytest.approx(tc["v3_implied_mfu_bf16"] * tc["v3_pretrain_gpu_hours_millions"])
    assert at["atlas_v3_mfu_pretrain_only"] == pytest.approx(tc["v3_implied_mfu_bf16"])


def test_charts_name_the_basis(pages: dict[str, Page]) -> None:
    def texts(fig: object) -> str:
        return " ".join([ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right")] + [ax.get_xlabel() for ax in fig.axes]  # type: ignore[attr-defined]
                        + [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()])  # type: ignore[attr-defined]

    mfu = texts(pages["training_compute"].figures["fig_mfu"])
    assert "BF16" in mfu and "pre-training" in mfu and "6ND" in mfu
    runs = texts(pages["atlas"].figures["fig_atlas_runs"])
    assert "BF16" in runs and "6ND" in runs and "GPU-hours" in runs
