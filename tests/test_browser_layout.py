"""The built book's layout in headless Chromium: tables and words at 1280 and 400 px, phone blocks, screenshots, and
the what-if panel against real builds. Outside CI a missing browser skips these tests; under CI=true it fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import BROKEN_WORDS, PAGES, SCREENSHOTS, open_page
from tests.conftest import PANEL_POINT, results_of


def test_explore_panel_shows_what_real_builds_write(browser, site: str, default_build: Path,  # noqa: ANN001
                                                    panel_point_build: Path) -> None:
    """The what-if panel against real builds: at the defaults it shows the default build's results.json, value for
    value; set to another grid point it shows what `build --scenario … -p …` wrote there, and names that command."""
    context, page, log = open_page(browser, f"{site}/book/explore.html")
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


def _panel_values(page) -> dict[str, str]:  # noqa: ANN001
    return dict(page.eval_on_selector_all("[data-result]", "els => els.map(e => [e.dataset.result, e.dataset.value])"))


def _same(shown: str, built: object) -> bool:
    return shown == built if isinstance(built, str) else float(shown) == built


def test_landing_page_links_to_the_panel(browser, site: str) -> None:  # noqa: ANN001
    context, page, _ = open_page(browser, f"{site}/book/intro.html")
    try:
        page.click('article a[href$="explore.html"]')
        page.wait_for_url("**/explore.html")
        assert page.locator('select[data-param="scenario"]').count() == 1
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 400])
@pytest.mark.parametrize("path", ["book/intro", "book/fleet", "book/explore"])
def test_screenshots(browser, site: str, path: str, width: int) -> None:  # noqa: ANN001
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page, _ = open_page(browser, f"{site}/{path}.html", width=width)
    try:
        target = SCREENSHOTS / f"{Path(path).name}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"page scrolls sideways by {overflow}px at {width}px"
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 400])
def test_tables_fit_align_and_keep_words_whole_on_every_page(browser, site: str, width: int) -> None:  # noqa: ANN001
    """At 1280 px no table is wider than its column; at 400 px wide tables scroll in their own box, never the page.
    Headers align like their column's cells (numbers right, text left). Issue 20: at both widths no ordinary word or
    number in any table is split across lines, and no name in code either (on a phone wide tables become one block
    per row, label: value). One pass over the pages per width."""
    problems = []
    for path in PAGES:
        context, page, _ = open_page(browser, f"{site}/{path}.html", width=width, wait_until="load")  # layout only
        try:
            found = page.evaluate(BROKEN_WORDS)
            if found["broken"]:
                problems.append(f"{path} @{width}: {len(found['broken'])} broken words, e.g. {found['broken'][:5]}")
            if found["codes"]:
                problems.append(f"{path} @{width}: names broken across lines: {found['codes'][:5]}")
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


def test_the_claims_table_reads_as_blocks_on_a_phone(browser, site: str) -> None:  # noqa: ANN001
    """At 400 px the ledger's rows become blocks of "label: value" lines: every verdict is visible inside the screen."""
    context, page, _ = open_page(browser, f"{site}/book/claims.html", width=400, wait_until="load")
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
