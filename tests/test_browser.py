"""The built book as a reader meets it: every TOC page in headless Chromium (Debian's).

Outside CI a missing browser skips these tests with the reason; under CI=true it fails.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.pipeline.browser import chromium
from analysis.pipeline.notebooks import toc_entries
from tests.conftest import PANEL_POINT, ROOT, results_of

SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGES = [str(entry) for entry in toc_entries()]  # notebooks, generated reference pages and Markdown pages
ARTEFACTS = re.compile(r"np\.float64|np\.int64|No key '|\bnan\b|<Figure size|\{glue:|Traceback")
E_NOTATION = re.compile(r"\b\d+(?:\.\d+)?[eE][+-]?\d+\b")  # 2.664e+06: numbers for readers never read like this


def _browser_or_skip() -> str:
    binary = chromium()
    if binary is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)
    return binary


@pytest.fixture(scope="module")
def site(default_build: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(default_build / "html"))
    handler.func.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    binary = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=binary, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ])
        yield launched
        launched.close()


def _open(browser, url: str, width: int = 1280, wait_until: str = "networkidle"):  # noqa: ANN001, ANN202
    """A page with every request, failure and console error recorded; nothing leaves the machine."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    log = {"external": [], "failed": [], "errors": []}

    def route(r):  # noqa: ANN001, ANN202
        host = re.match(r"^[a-z]+://([^/:]+)", r.request.url)
        if r.request.url.startswith(("data:", "blob:")) or (host and host.group(1) in ("127.0.0.1", "localhost")):
            return r.continue_()
        log["external"].append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda req: log["failed"].append(req.url) if req.url not in log["external"] else None)
    page.on("response", lambda resp: log["failed"].append(f"{resp.status} {resp.url}") if resp.status >= 400 else None)
    page.on("console", lambda msg: log["errors"].append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: log["errors"].append(str(exc)))
    page.goto(url, wait_until=wait_until)
    return context, page, log


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_cleanly(browser, site: str, path: str) -> None:  # noqa: ANN001
    context, page, log = _open(browser, f"{site}/{path}.html")
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
        assert not E_NOTATION.search(text), f"e-notation on a reader page: {E_NOTATION.search(text).group(0)}"
    finally:
        context.close()


def test_landing_numbers_match_results_json(browser, site: str, default_build: Path) -> None:  # noqa: ANN001
    results = results_of(default_build)
    context, page, _ = _open(browser, f"{site}/book/intro.html")
    try:
        text = page.inner_text("article")
        for key in ("v3_training_cost_text", "headline_dev_text", "headline_owned_text", "headline_capex_text",
                    "headline_dev_p10_text", "headline_dev_p90_text"):
            assert results[key]["value"] in text, key
        assert f"{results['v3_gpu_hours_total_millions']['value']:.3f} million" in text
    finally:
        context.close()


def _panel_values(page) -> dict[str, str]:  # noqa: ANN001
    return dict(page.eval_on_selector_all("[data-result]", "els => els.map(e => [e.dataset.result, e.dataset.value])"))


def _same(shown: str, built: object) -> bool:
    return shown == built if isinstance(built, str) else float(shown) == built


def test_explore_panel_shows_what_real_builds_write(browser, site: str, default_build: Path,  # noqa: ANN001
                                                    panel_point_build: Path) -> None:
    """The what-if panel against real builds: at the defaults it shows the default build's results.json, value for
    value; set to another grid point it shows what `build --scenario … -p …` wrote there, and names that command."""
    context, page, log = _open(browser, f"{site}/book/explore.html")
    try:
        assert not log["errors"], log["errors"]
        defaults = results_of(default_build)
        shown = _panel_values(page)
        assert len(shown) >= 6
        for key, value in shown.items():
            assert _same(value, defaults[key]["value"]), (key, value, defaults[key]["value"])
        assert page.inner_text("#explore-command") == "python -m analysis build"
        point = results_of(panel_point_build)
        page.select_option('[data-param="scenario"]', PANEL_POINT[1])
        for name, value in (a.split("=") for a in PANEL_POINT[3::2]):
            page.select_option(f'[data-param="{name}"]', value)
        moved = _panel_values(page)
        for key, value in moved.items():
            assert _same(value, point[key]["value"]), (key, value, point[key]["value"])
        assert sum(moved[k] != shown[k] for k in shown) >= len(shown) - 1  # the point moves (nearly) every result
        assert page.inner_text("#explore-command") == "python -m analysis build " + " ".join(PANEL_POINT)
        page.click("form#explore button[type=reset]")
        page.wait_for_function("() => document.getElementById('explore-command').textContent === 'python -m analysis build'")
        assert _panel_values(page) == shown
    finally:
        context.close()


def test_landing_page_links_to_the_panel(browser, site: str) -> None:  # noqa: ANN001
    context, page, _ = _open(browser, f"{site}/book/intro.html")
    try:
        page.click('article a[href$="explore.html"]')
        page.wait_for_url("**/explore.html")
        assert page.locator('select[data-param="scenario"]').count() == 1
    finally:
        context.close()


def test_a_glued_number_links_to_its_entry(browser, site: str) -> None:  # noqa: ANN001
    """Click the final run's cost on the landing page: the Every-number page opens at that value's entry."""
    context, page, _ = _open(browser, f"{site}/book/intro.html")
    try:
        page.click('a[href$="#num-v3-training-cost-text"]')
        page.wait_for_url("**/every_number.html#num-v3-training-cost-text")
        entry = page.locator("#num-v3-training-cost-text")
        assert entry.count() == 1
        assert "v3_training_cost_text" in page.inner_text("article")
        assert entry.is_visible() or page.locator("text=v3_training_cost_text").first.is_visible()
    finally:
        context.close()


def test_search_finds_mla(browser, site: str) -> None:  # noqa: ANN001
    context, page, _ = _open(browser, f"{site}/search.html?q=MLA")
    try:
        page.wait_for_selector("#search-results li", timeout=20_000)
        hits = page.inner_text("#search-results")
        assert "architecture" in hits.lower()
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 400])
@pytest.mark.parametrize("path", ["book/intro", "book/fleet", "book/explore"])
def test_screenshots(browser, site: str, path: str, width: int) -> None:  # noqa: ANN001
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page, _ = _open(browser, f"{site}/{path}.html", width=width)
    try:
        target = SCREENSHOTS / f"{Path(path).name}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 400])
def test_tables_fit_and_align_on_every_page(browser, site: str, width: int) -> None:  # noqa: ANN001
    """At 1280 px no table is wider than its column; at 400 px wide tables scroll in their own box, never the page.
    Headers align like their column's cells (numbers right, text left)."""
    problems = []
    for path in PAGES:
        context, page, _ = _open(browser, f"{site}/{path}.html", width=width, wait_until="load")  # layout only
        try:
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 1:
                problems.append(f"{path} @{width}: page scrolls sideways by {overflow}px")
            tables = page.evaluate("""() => Array.from(document.querySelectorAll('article table')).map(t => ({
                scroll: t.scrollWidth, client: t.clientWidth,
                boxed: getComputedStyle(t).overflowX === 'auto' || getComputedStyle(t.parentElement).overflowX === 'auto',
                headed: !t.querySelector('thead') || getComputedStyle(t.querySelector('thead')).display !== 'none',
                align: Array.from(t.querySelectorAll('thead th')).map((th, i) => {
                    const td = t.querySelector(`tbody tr td:nth-child(${i + 1})`);
                    return [th.textContent.trim(), getComputedStyle(th).textAlign, td ? getComputedStyle(td).textAlign : null];
                }),
            }))""")
            for i, table in enumerate(tables):
                if width >= 1280 and table["scroll"] > table["client"] + 1:
                    problems.append(f"{path} @{width}: table {i + 1} is {table['scroll'] - table['client']}px wider than its column")
                if table["scroll"] > table["client"] + 1 and not table["boxed"]:
                    problems.append(f"{path} @{width}: table {i + 1} overflows without its own scroll box")
                for header, th_align, td_align in (table["align"] if table["headed"] else []):  # a phone's blocks have no header row
                    norm = {"start": "left", "end": "right", "justify": "left"}
                    if td_align is not None and norm.get(th_align, th_align) != norm.get(td_align, td_align):
                        problems.append(f"{path}: header {header!r} is {th_align}-aligned over {td_align}-aligned cells")
        finally:
            context.close()
    assert not problems, "\n".join(problems[:20])


def test_downloads_page_links_resolve(default_build: Path) -> None:
    html = (default_build / "html" / "book" / "downloads.html").read_text()
    links = re.findall(r'href="\.\./downloads/([^"]+)"', html)
    assert "results.json" in links and any(link.endswith(".csv") for link in links)
    for link in links:
        assert (default_build / "html" / "downloads" / link).is_file(), link
    assert json.loads((default_build / "html" / "downloads" / "results.json").read_text())


def test_pdf_of_the_whole_book(default_build: Path) -> None:
    """`build --pdf` (the shared default build prints one): every chapter and its charts (checked with pdftotext)."""
    import shutil
    import subprocess

    _browser_or_skip()
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


# Every ordinary word (letters, or a number's digits) inside a table, and the lines its characters fall on: a word
# whose characters sit on two lines was broken by the browser ("SemiAnaly|sis"). Names in code stay on one line too.
BROKEN_WORDS = r"""() => {
  const out = {broken: [], codes: []};
  for (const table of document.querySelectorAll('article table')) {
    const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const re = /[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F'\u2019]*[A-Za-z\u00C0-\u024F]|\d[\d,.]*\d/g;
      let m;
      while ((m = re.exec(node.textContent))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) out.broken.push(m[0]);
      }
    }
    for (const code of table.querySelectorAll('code')) {
      const lines = new Set(Array.from(code.getClientRects()).map(r => Math.round(r.top)));
      if (lines.size > 1) out.codes.push(code.textContent);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("width", [1280, 400])
def test_no_word_is_broken_inside_a_table(browser, site: str, width: int) -> None:  # noqa: ANN001
    """Issue 20: at 1280 px and on a 400 px phone, no ordinary word or number in any table of any page is split across
    lines, and no name in code either. Wide tables become one block per row on a phone (label: value)."""
    problems = []
    for path in PAGES:
        context, page, _ = _open(browser, f"{site}/{path}.html", width=width, wait_until="load")
        try:
            found = page.evaluate(BROKEN_WORDS)
            if found["broken"]:
                problems.append(f"{path} @{width}: {len(found['broken'])} broken words, e.g. {found['broken'][:5]}")
            if found["codes"]:
                problems.append(f"{path} @{width}: names broken across lines: {found['codes'][:5]}")
        finally:
            context.close()
    assert not problems, "\n".join(problems[:20])


def test_the_claims_table_reads_as_blocks_on_a_phone(browser, site: str) -> None:  # noqa: ANN001
    """At 400 px the ledger's rows become blocks of "label: value" lines: every verdict is visible inside the screen."""
    context, page, _ = _open(browser, f"{site}/book/claims.html", width=400, wait_until="load")
    try:
        cells = page.evaluate("""() => Array.from(document.querySelectorAll('table.cost-table td[data-label="Verdict"]')).map(td => {
            const r = td.getBoundingClientRect();
            return [r.left, r.right, getComputedStyle(td).display, getComputedStyle(td, '::before').content];
        })""")
        assert len(cells) >= 20
        for left, right, display, label in cells:
            assert display == "block" and left >= 0 and right <= 400, (left, right, display)
            assert "Verdict" in label
    finally:
        context.close()
