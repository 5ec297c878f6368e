"""The About page's facts (analysis.pipeline.sphinx_about): each from its one home, none invented."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.inputs import data
from analysis.pipeline import sphinx_about
from tests.conftest import page_text


def test_authors_title_and_licence_come_from_citation_cff() -> None:
    cff = sphinx_about.citation()
    facts = sphinx_about.substitutions("")
    assert facts["about_title"] == cff["title"]
    assert facts["about_authors"] == cff["authors"][0]["name"]
    assert cff["license-url"] in facts["about_licence"]


def test_the_article_is_the_seed_article_row_of_the_sources() -> None:
    row = data.load_indexed("sources.csv").loc["seed_article"]
    article = sphinx_about.substitutions("")["about_article"]
    assert " ".join(str(row["title"]).split()) in article and str(row["publisher"]) in article and str(row["date"]) in article
    if not str(row["url"] or "").startswith("https://"):
        assert "no headline, outlet or address" in article  # said, not guessed


def test_the_repository_is_one_config_value_that_the_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sphinx_about.REPOSITORY_ENV, raising=False)
    unset = sphinx_about.substitutions("")
    assert "book_repository_url" in unset["about_repository"] and "](" not in unset["about_repository"]
    configured = sphinx_about.substitutions("https://example.org/cost-book/")
    assert configured["about_repository"] == "[https://example.org/cost-book](https://example.org/cost-book)"
    assert configured["about_issues"] == "[https://example.org/cost-book/issues](https://example.org/cost-book/issues)"
    monkeypatch.setenv(sphinx_about.REPOSITORY_ENV, "https://example.com/fork")
    assert "https://example.com/fork/issues" in sphinx_about.substitutions("https://example.org/cost-book")["about_issues"]
    monkeypatch.setenv(sphinx_about.REPOSITORY_ENV, "javascript:alert(1)")
    assert sphinx_about.substitutions("")["about_repository"] == unset["about_repository"]


def test_the_built_about_page(default_build: Path) -> None:
    text = page_text(default_build, "about")
    cff = sphinx_about.citation()
    for heading in ("Who made it", "The repository", "The article it judges", "How to cite", "How to report an error"):
        assert heading in text, heading
    assert cff["authors"][0]["name"] in text and cff["title"] in text
    assert "{{" not in text and "unversioned" not in text  # every substitution filled, the build's version named
    assert "about.html" in (default_build / "html" / "book" / "intro.html").read_text()  # in the navigation
