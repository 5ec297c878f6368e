"""A small Sphinx extension: the facts the About page (book/about.md) states, each from its one home.

- Who made it, the title and the licence: CITATION.cff.
- The article the book judges: the `seed_article` row of data/sources.csv (read through the loader).
- The repository: the config value `book_repository_url` (set in _config.yml under sphinx.config; the environment
  variable COST_BOOK_REPOSITORY_URL wins, so the Pages workflow can name the repository it runs in). Nothing in the
  repository names its own address, so an empty value says so on the page instead of inventing one.

They reach the page as MyST substitutions ({{ about_authors }}, …), which are Markdown.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from analysis.paths import ROOT

REPOSITORY_ENV = "COST_BOOK_REPOSITORY_URL"
ARTICLE = "seed_article"


def repository_url(configured: str) -> str:
    url = (os.environ.get(REPOSITORY_ENV) or configured or "").strip().rstrip("/")
    return url if url.startswith(("https://", "http://")) else ""


def citation() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def _authors(cff: dict[str, Any]) -> str:
    names = [a.get("name") or " ".join(p for p in (a.get("given-names"), a.get("family-names")) if p) for a in cff.get("authors", [])]
    return "; ".join(n for n in names if n) or "not named"


def _article() -> str:
    """The article as data/sources.csv records it; without an address the page says what is missing, not a guess."""
    from analysis.inputs import data

    row = data.load_indexed("sources.csv").loc[ARTICLE]
    url = str(row.get("url") or "").strip()
    title = " ".join(str(row["title"]).split())
    shown = f"[{title}]({url})" if url.startswith("https://") else f"“{title}”"
    text = f"{shown}; publisher: {row['publisher']}; date: {row['date']} (`data/sources.csv`, row `{ARTICLE}`)."
    if not url.startswith("https://"):
        text += (" The book's data record no headline, outlet or address for it beyond this: the claims it reports are"
                 " listed one by one in `data/claims.csv`, each traced to its primary source where one exists.")
    return text


def substitutions(configured_url: str) -> dict[str, str]:
    cff = citation()
    url = repository_url(configured_url)
    if url:
        repository = f"[{url}]({url})"
        issues = f"[{url}/issues]({url}/issues)"
    else:
        repository = ("not named in this copy: set `book_repository_url` under `sphinx: config:` in `_config.yml` "
                      f"(or `{REPOSITORY_ENV}` when building) and rebuild")
        issues = "the issue tracker of the repository this copy was built from"
    licence = str(cff.get("license-url") or cff.get("license") or "")
    return {
        "about_title": str(cff.get("title", "")),
        "about_authors": _authors(cff),
        "about_repository": repository,
        "about_issues": issues,
        "about_article": _article(),
        "about_licence": f"[{licence}]({licence})" if licence.startswith("https://") else (licence or "not stated"),
        "about_cite_url": url or "(repository address not set)",
    }


def _add_substitutions(app: Any, config: Any) -> None:
    merged = dict(config.myst_substitutions or {})
    merged.update(substitutions(config.book_repository_url))
    config.myst_substitutions = merged


def setup(app: Any) -> dict[str, Any]:
    app.setup_extension("myst_nb")
    app.add_config_value("book_repository_url", "", "env", [str])
    app.connect("config-inited", _add_substitutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
