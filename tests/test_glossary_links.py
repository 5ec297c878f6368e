"""analysis.pipeline.sphinx_glossary_links: the first use of each glossary term on each page links to its definition."""

from __future__ import annotations

import re
from pathlib import Path

from analysis.inputs import data
from analysis.pipeline import sphinx_glossary_links as links


def _term(text: str) -> str | None:
    terms = {t: ("book/glossary", "x") for t in data.load_table("glossary.csv")["term"]}
    pattern = links.term_pattern(terms)
    assert pattern is not None
    match = pattern.search(text)
    return links._term_of(match, pattern, terms, {t.lower(): t for t in terms}) if match else None


def test_forms_of_a_term() -> None:
    assert links.forms("BF16 / FP8") == ["BF16", "FP8"]
    assert links.forms("Expert (MoE)") == ["Expert"]
    assert links.forms("P10 / P50 / P90") == ["P10", "P50", "P90"]


def test_terms_are_found_as_readers_write_them() -> None:
    assert _term("it costs $1.85 per hour held at the defaults") == "Per hour held"
    assert _term("about 45,000 H800-equivalents in all") == "H800-equivalent"
    assert _term("the Monte Carlo gives") == "Monte Carlo"
    assert _term("as Luk reads the table") == "Luk"
    assert _term("DeepSeek's ISCA-2025 paper") == "ISCA-2025"
    assert _term("the 6ND rule") == "6ND"
    assert _term("A roofline check") == "Roofline"
    assert _term("trained in FP8 mostly") == "BF16 / FP8"
    assert _term("3.3 million GPU-hours") == "GPU-hour"
    assert _term("256 routed experts") == "Expert (MoE)"
    assert _term("the KV cache per token") == "KV cache"


def test_no_term_inside_another_word_or_in_the_wrong_case() -> None:
    assert _term("a monte carlo") is None  # "Monte Carlo" is matched as written
    assert _term("Lukas and Plukx") is None
    assert _term("the tokens/6ND-ish figure") is None
    assert _term("mlat and kv caches") is None


GLOSSARY_LINK = re.compile(r'<a class="glossary-link reference internal" href="glossary\.html#([^"]+)"[^>]*>([^<]+)</a>')


def test_each_page_links_each_term_once_at_its_first_use(default_build: Path) -> None:
    html_dir = default_build / "html" / "book"
    anchors = set(re.findall(r'id="(term-[^"]+)"', (html_dir / "glossary.html").read_text()))
    assert len(anchors) == len(data.load_table("glossary.csv"))
    expected = {"intro": {"per hour held", "central inputs"}, "fleet": {"Luk", "H800-equivalents"},
                "training_compute": {"6ND", "ISCA-2025"}, "serving": {"roofline"}}
    for page, words in expected.items():
        markup = (html_dir / f"{page}.html").read_text()
        article = markup[markup.index("<article"):markup.index("</article>")]
        found = GLOSSARY_LINK.findall(article)
        assert words <= {text for _anchor, text in found}, (page, found)
        assert all(anchor in anchors for anchor, _text in found), page
        assert len({a for a, _ in found}) == len(found), f"{page}: a term linked twice"
        for _anchor, text in found:  # the link is the term's first use in the page's running text (paragraphs)
            before = article[:article.index(f">{text}</a>")]
            prose = " ".join(re.findall(r"<p\b[^>]*>(.*?)</p>", before, flags=re.S))
            prose = re.sub(r"<(code|a)\b.*?</\1>|<[^>]+>", " ", prose, flags=re.S)
            assert not re.search(rf"(?<![\w/-]){re.escape(text)}(?![\w-])", prose), (page, text)
