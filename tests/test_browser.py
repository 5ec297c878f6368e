"""The built book as a reader meets it: every TOC page in headless Chromium (Debian's), its links, search and PDF.
Layout, phones and the what-if panel are in test_browser_layout.py (a second file, so that the two run side by side).

Outside CI a missing browser skips these tests with the reason; under CI=true it fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.browser import ARTEFACTS, E_NOTATION, PAGES, browser_or_skip, open_page
from tests.conftest import results_of


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly(browser, site: str, path: str) -> None:  # noqa: ANN001
    context, page, log = open_page(browser, f"{site}/{path}.html")
    try:
        assert not log["external"], f"requests leaving the machine: {log['external'][:5]}"
        assert not log["failed"], f"failed requests: {log['failed'][:5]}"
        assert not log["errors"], f"console errors: {log['errors'][:5]}"
        images = page.evaluate(
            "() => Array.from(document.querySelectorAll('article img')).map(i => [i.src, i.naturalWidth, i.alt])"
        )
        for src, width, alt in images:
            assert width > 0, f"image not decoded: {src}"
            assert alt.strip(), f"image without alt text: {src}"
        text = page.inner_text("article")
        assert not ARTEFACTS.search(text), ARTEFACTS.search(text).group(0)
        # The book's version is a commit id, which can look like e-notation ("47e6302", "9752e54"): it is not a number.
        # The About page names it twice: "version 9752e54" and, in the citation, "Version 9752e54.".
        numbers = re.sub(r"version\s+\S+", "version", text, flags=re.IGNORECASE)
        assert not E_NOTATION.search(numbers), f"e-notation on a reader page: {E_NOTATION.search(numbers).group(0)}"
    finally:
        context.close()


def test_landing_numbers_match_results_json(browser, site: str, default_build: Path) -> None:  # noqa: ANN001
    results = results_of(default_build)
    context, page, _ = open_page(browser, f"{site}/book/intro.html")
    try:
        text = page.inner_text("article")
        for key in ("v3_training_cost_text", "headline_dev_text", "headline_capex_text", "headline_opex_text", "headline_run_share_text",
                    "headline_dev_p10_text", "headline_dev_p90_text", "headline_capex_p10_text", "headline_capex_p90_text"):
            assert results[key]["value"] in text, key
        assert f"{results['v3_gpu_hours_total_millions']['value']:.2f} million" in text
    finally:
        context.close()


def test_a_glued_number_explains_itself_and_links_to_its_entry(browser, site: str, default_build: Path) -> None:  # noqa: ANN001
    """At 400 px tap the final run's cost on the landing page: a popover opens in place (its value, its key, the inputs
    that move it most with their sources), inside the screen; its link opens the Every-number page at that entry."""
    results = results_of(default_build)
    entry = results["v3_training_cost_text"]
    context, page, log = open_page(browser, f"{site}/book/intro.html", width=400)
    try:
        link = page.locator('article a[href$="#num-v3-training-cost-text"]').first
        link.click()
        popover = page.locator("#number-popover")
        popover.wait_for(state="visible", timeout=5_000)
        assert page.url.endswith("/book/intro.html")  # it stayed in place
        text = popover.inner_text()
        assert entry["value"] in text and "v3_training_cost_text" in text
        top_inputs = list(entry["depends_on"])[:3]
        assert top_inputs and all(name in text for name in top_inputs), (top_inputs, text)
        assert "DeepSeek-AI" in text  # the inputs' source
        box = popover.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 400
        page.keyboard.press("Escape")
        popover.wait_for(state="detached", timeout=5_000)
        link.click()
        page.click("#number-popover a.number-popover-link")
        page.wait_for_url("**/every_number.html#num-v3-training-cost-text")
        assert page.locator("#num-v3-training-cost-text").count() == 1
        assert not log["errors"] and not log["external"], log
    finally:
        context.close()


def test_search_finds_mla(browser, site: str) -> None:  # noqa: ANN001
    context, page, _ = open_page(browser, f"{site}/search.html?q=MLA")
    try:
        page.wait_for_selector("#search-results li", timeout=20_000)
        hits = page.inner_text("#search-results")
        assert "architecture" in hits.lower()
    finally:
        context.close()


def test_downloads_page_links_resolve(default_build: Path) -> None:
    html = (default_build / "html" / "book" / "downloads.html").read_text()
    links = re.findall(r'href="\.\./downloads/([^"]+)"', html)
    assert "results.json" in links and any(link.endswith(".csv") for link in links)
    for link in links:
        assert (default_build / "html" / "downloads" / link).is_file(), link
    assert json.loads((default_build / "html" / "downloads" / "results.json").read_text())


def test_every_table_cell_names_its_column_for_phones(default_build: Path) -> None:
    """On a narrow screen a cost-table's row becomes "label: value" lines from each cell's data-label
    (book/_static/custom.css): a cell without one starts with a stray ": "."""
    unlabelled = {}
    for page in sorted((default_build / "html").rglob("*.html")):
        for table in re.findall(r'<table class="cost-table.*?</table>', page.read_text(), re.S):
            cells = re.findall(r"<td(?![^>]*data-label)[^>]*>", table)
            if cells:
                unlabelled[page.name] = unlabelled.get(page.name, 0) + len(cells)
    assert not unlabelled, unlabelled


def test_pdf_of_the_whole_book(default_build: Path) -> None:
    """`build --pdf` (the shared default build prints one): every chapter and its charts (checked with pdftotext)."""
    import shutil
    import subprocess

    browser_or_skip()
    out = default_build
    pdf = (out / "book.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    images = len(re.findall(rb"/Subtype\s*/Image", pdf))
    assert pages >= 20, pages
    assert images >= 12, images  # every glued chart of every chapter is in it
    if shutil.which("pdftotext"):
        text = " ".join(subprocess.run(["pdftotext", str(out / "book.pdf"), "-"], capture_output=True, text=True).stdout.split())
        for title in ("What did DeepSeek-V3 really cost?", "The architecture", "Training compute", "The GPU fleet",
                      "The reconciliation", "Serving economics", "The claims ledger", "DeepSeek among open models", "Uncertainty",
                      "Scenarios side by side", "Every number", "Glossary"):
            assert title in text, title
        # No table cut at the page edge: the last column of the architecture chapter's widest table is printed.
        assert "Publisher's convention" in text or "Publisher’s convention" in text





