"""The book on a phone (400 px) and a desktop, in headless Chromium (Debian's): the menu opens, the sidebar collapses.
Outside CI a missing browser skips these tests; under CI=true it fails."""

from __future__ import annotations

from tests.browser import PAGES, open_page

PHONE = 400

SIDEBAR_STATE = """() => {
  const modal = document.getElementById('pst-primary-sidebar-modal');
  const sidebar = document.getElementById('pst-primary-sidebar');
  return {open: modal.open, hidden: sidebar.classList.contains('pst-sidebar-hidden'),
          links: modal.open ? Array.from(modal.querySelectorAll('a.reference')).filter(a => a.getBoundingClientRect().width > 0)
                                   .map(a => a.textContent.trim()) : []};
}"""


def test_the_phone_menu_opens_with_the_chapters(browser, site: str) -> None:  # noqa: ANN001
    """At 400 px tap the one visible "Toggle primary sidebar" button: the drawer opens and lists every chapter
    (pydata-sphinx-theme issue 2451: without book/_static/menu-fix.js nothing happens)."""
    context, page, log = open_page(browser, f"{site}/book/fleet.html", width=PHONE)
    try:
        visible = page.locator(".primary-toggle:visible")
        assert visible.count() == 1
        assert page.evaluate(SIDEBAR_STATE)["open"] is False
        visible.first.click()
        page.wait_for_function("() => document.getElementById('pst-primary-sidebar-modal').open", timeout=5_000)
        state = page.evaluate(SIDEBAR_STATE)
        for chapter in ("The architecture", "Training compute", "The GPU fleet", "Serving economics", "Explore the assumptions", "Glossary"):
            assert any(link.startswith(chapter) for link in state["links"]), (chapter, state["links"])
        box = page.locator("#pst-primary-sidebar-modal").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE + 1, box
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.getElementById('pst-primary-sidebar-modal').open", timeout=5_000)
        assert not log["errors"], log["errors"]
    finally:
        context.close()


def test_the_desktop_sidebar_button_collapses_the_sidebar(browser, site: str) -> None:  # noqa: ANN001
    """The same forwarding serves the desktop: one click hides the chapter list, a second shows it again."""
    context, page, _ = open_page(browser, f"{site}/book/fleet.html", width=1280)
    try:
        button = page.locator(".primary-toggle:visible").first
        button.click()
        page.wait_for_function("() => document.getElementById('pst-primary-sidebar').classList.contains('pst-sidebar-hidden')",
                               timeout=5_000)
        button.click()
        page.wait_for_function("() => !document.getElementById('pst-primary-sidebar').classList.contains('pst-sidebar-hidden')",
                               timeout=5_000)
        assert page.evaluate(SIDEBAR_STATE)["open"] is False  # no drawer on a desktop
    finally:
        context.close()


# --- the what-if panel: its address, a fresh page at that address, the results in view on a phone -----------------

def _panel_state(page) -> dict:  # noqa: ANN001
    return page.evaluate("""() => ({
        controls: Object.fromEntries(Array.from(document.querySelectorAll('[data-param]')).map(s => [s.dataset.param, s.value])),
        results: Object.fromEntries(Array.from(document.querySelectorAll('[data-result]')).map(e => [e.dataset.result, e.dataset.value])),
        command: document.getElementById('explore-command').textContent,
    })""")


def test_a_changed_control_changes_the_address_and_the_address_restores_the_panel(browser, site: str) -> None:  # noqa: ANN001
    context, page, log = open_page(browser, f"{site}/book/explore.html", width=PHONE)
    try:
        before = _panel_state(page)
        assert "#" not in page.url
        page.select_option('[data-param="scenario"]', "hoppers_only")
        page.select_option('[data-param="utilisation"]', "0.9")
        page.wait_for_function("() => location.hash.includes('utilisation=0.9')")
        assert page.url.endswith("#scenario=hoppers_only&utilisation=0.9"), page.url
        changed = _panel_state(page)
        assert changed["command"] == "python -m analysis build --scenario hoppers_only -p utilisation=0.9"
        assert sum(changed["results"][k] != before["results"][k] for k in before["results"]) >= 5
        address = page.url
        assert not log["errors"], log["errors"]
    finally:
        context.close()
    context, page, log = open_page(browser, address, width=PHONE)  # a fresh page: new context, no history
    try:
        assert _panel_state(page) == changed
        assert page.locator("#explore-note").is_hidden()
        page.click("form#explore button[type=reset]")
        page.wait_for_function("() => location.hash === ''")
        assert _panel_state(page) == before and "#" not in page.url
        assert not log["errors"], log["errors"]
    finally:
        context.close()


def test_unknown_or_off_grid_values_in_the_address_are_ignored_with_a_note(browser, site: str) -> None:  # noqa: ANN001
    context, page, _ = open_page(browser, f"{site}/book/explore.html#utilisation=0.8&colour=blue&cost_of_capital=0.0300", width=PHONE)
    try:
        state = _panel_state(page)
        assert state["controls"]["utilisation"] == "0.75" and state["controls"]["cost_of_capital"] == "0.03"  # 0.0300 is 0.03
        assert state["command"] == "python -m analysis build -p cost_of_capital=0.03"
        note = page.locator("#explore-note")
        assert note.is_visible()
        text = note.inner_text()
        assert "utilisation=0.8" in text and "colour" in text and "cost_of_capital" not in text
    finally:
        context.close()


def test_copy_link_copies_the_address(browser, site: str) -> None:  # noqa: ANN001
    context, page, _ = open_page(browser, f"{site}/book/explore.html#gpu_price_basis=replacement_2025", width=1280)
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
        page.click("#explore-copy")
        page.wait_for_function("() => document.getElementById('explore-copy-status').textContent !== ''")
        assert page.inner_text("#explore-copy-status") == "Link copied."
        assert page.evaluate("() => navigator.clipboard.readText()") == page.url
    finally:
        context.close()


def test_on_a_phone_the_results_stay_in_view_and_each_control_has_its_reasons_beside_it(browser, site: str) -> None:  # noqa: ANN001
    context, page, _ = open_page(browser, f"{site}/book/explore.html", width=PHONE)
    try:
        for select in page.locator("select[data-param]").all():
            why = page.locator("#" + select.get_attribute("aria-describedby"))
            s, w = select.bounding_box(), why.bounding_box()
            assert s and w and 0 <= w["y"] - (s["y"] + s["height"]) < 40, "the reasons sit right under their control"
            assert why.inner_text().startswith("Book: ")
        last = page.locator('[data-param="gpu_hour_usd"]')
        last.scroll_into_view_if_needed()
        last.select_option("3.42")
        row = page.locator('[data-result="v3_training_cost_usd"]')
        page.wait_for_function("() => document.querySelector('[data-result=\"v3_training_cost_usd\"]').closest('.explore-output')"
                               ".classList.contains('explore-moved')")
        height = page.evaluate("() => window.innerHeight")
        for box in (last.bounding_box(), row.bounding_box()):
            assert box and 0 <= box["y"] and box["y"] + box["height"] <= height, box  # the control and its result, both on screen
        first = page.locator('[data-result="fleet_capex_usd"]').bounding_box()
        assert first and 0 <= first["y"] < height
    finally:
        context.close()


# --- charts: a phone gets the variant drawn for it, never a desktop image shrunk -----------------------------------

MAX_SHRINK = 1.6
MIN_TEXT_CSS_PX = 9.0
CHARTS = r"""async () => {
  const out = [];
  for (const img of document.querySelectorAll('article figure img')) {
    img.scrollIntoView();
    if (!img.complete) { await new Promise(done => { img.onload = done; img.onerror = done; }); }
    const source = img.closest('picture') ? img.closest('picture').querySelector('source') : null;
    const phone = source && img.currentSrc === new URL(source.getAttribute('srcset'), location.href).href;
    out.push({src: img.currentSrc.split('/').pop(), phone: Boolean(phone), hasPhone: Boolean(source),
              natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
              font: parseFloat((phone ? source : img).dataset.minFontPx || '0')});
  }
  return out;
}"""


def _charts(browser, site: str, width: int, media: str = "screen") -> list[dict]:  # noqa: ANN001
    charts = []
    for path in PAGES:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            page.emulate_media(media=media)
            page.goto(f"{site}/{path}.html", wait_until="load")
            charts += [dict(chart, page=path) for chart in page.evaluate(CHARTS)]
        finally:
            context.close()
    return charts


def test_on_a_phone_every_chart_is_its_phone_variant_with_readable_text(browser, site: str) -> None:  # noqa: ANN001
    """At 400 px: every chart is the variant drawn at phone proportions, shown at most 1.6 times below its natural
    width, and its smallest text (the figure's own font size, in pixels of the image) is at least 9 CSS px on screen."""
    charts = _charts(browser, site, PHONE)
    assert len(charts) >= 19, len(charts)
    problems = []
    for chart in charts:
        shrink = chart["natural"] / chart["shown"]
        text = chart["font"] / shrink
        chart["shrink"], chart["text"] = round(shrink, 2), round(text, 1)
        if not chart["phone"]:
            problems.append(f"{chart['page']}: {chart['src']} is the desktop image")
        if shrink > MAX_SHRINK:
            problems.append(f"{chart['page']}: {chart['src']} shrunk {shrink:.2f}x")
        if text < MIN_TEXT_CSS_PX:
            problems.append(f"{chart['page']}: {chart['src']} smallest text {text:.1f} CSS px")
    print("max shrink", max(c["shrink"] for c in charts), "min text px", min(c["text"] for c in charts))
    assert not problems, "\n".join(problems)


def test_desktops_and_print_keep_the_wide_charts(browser, site: str) -> None:  # noqa: ANN001
    for width, media in ((1280, "screen"), (400, "print")):
        charts = _charts(browser, site, width, media)
        assert len(charts) >= 19
        assert all(c["hasPhone"] and not c["phone"] for c in charts), [c["src"] for c in charts if c["phone"]]
