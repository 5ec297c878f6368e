"""The book on a phone (400 px) and a desktop, in headless Chromium (Debian's): the menu opens, the sidebar collapses.
Outside CI a missing browser skips these tests; under CI=true it fails."""

from __future__ import annotations

from tests.browser import open_page

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
