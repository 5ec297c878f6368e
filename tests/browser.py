"""What the browser tests share: Debian's Chromium driven by Playwright, the built default book served on
localhost, and a page opener that records every request leaving the machine, every failure and console error."""

from __future__ import annotations

import os
import re

import pytest

from analysis.paths import ROOT
from analysis.pipeline.browser import chromium
from analysis.pipeline.notebooks import toc_entries

SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGES = [str(entry) for entry in toc_entries()]  # notebooks, generated reference pages and Markdown pages
ARTEFACTS = re.compile(r"np\.float64|np\.int64|No key '|\bnan\b|<Figure size|\{glue:|Traceback")
E_NOTATION = re.compile(r"\b\d+(?:\.\d+)?[eE][+-]?\d+\b")  # 2.664e+06: numbers for readers never read like this

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


def browser_or_skip() -> str:
    binary = chromium()
    if binary is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message)
    return binary


def open_page(browser, url: str, width: int = 1280, wait_until: str = "networkidle"):  # noqa: ANN001, ANN202
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
