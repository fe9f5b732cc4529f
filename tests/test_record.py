"""The citable record: procedure families, agreeing versions, contested firsts, headline quotes, provenance.

The model's rules are in test_model.py; these look at what a reader gets.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import GOOD_SEED, SeedWriter
from timeline.dates import Date, bounds, narrowest, parse_date
from timeline.load import read_seeds
from timeline.model import Corpus, model_seeds
from timeline.render import render_site
from timeline.validate import Validator
from timeline.vocabulary import DEFAULT_PATH, Vocabulary, VocabularyError, load_vocabulary

# Every form a date can take, over a few years so that many pairs overlap.
POINTS = st.builds(
    lambda year, month, day, qualifier, precision: (
        (f"{year}" if precision == 0 else f"{year}-{month:02d}" if precision == 1 else f"{year}-{month:02d}-{day:02d}")
        + qualifier
    ),
    st.integers(2019, 2024),
    st.integers(1, 12),
    st.integers(1, 28),
    st.sampled_from(["", "", "?", "~"]),
    st.integers(0, 2),
)
DATES = st.one_of(
    POINTS,
    st.builds(lambda a, b: f"{min(a, b)}/{max(a, b)}", st.integers(2019, 2024), st.integers(2019, 2024)),
    POINTS.map(lambda p: f"../{p}"),
    POINTS.map(lambda p: f"{p}/.."),
)


@given(st.lists(DATES.map(parse_date), min_size=1, max_size=4))
def test_the_narrowest_date_is_exactly_what_every_date_allows(dates: list[Date]) -> None:
    first = max(bounds(d)[0] for d in dates)
    last = min(bounds(d)[1] for d in dates)
    found = narrowest(dates)
    if first > last:
        assert found is None
        return
    assert found is not None
    assert bounds(found) == (first, last)
    assert narrowest([found, *dates]) == found  # nothing narrower left to find
    # Written from the dates it came from: no precision is invented.
    assert all(part in {p for d in dates for p in d.edtf.split("/")} | {"..", ""} for part in found.edtf.split("/"))


def test_two_equal_bounds_keep_the_precise_and_unqualified_one() -> None:
    assert narrowest([parse_date("2022"), parse_date("2022-03")]).edtf == "2022-03"  # type: ignore[union-attr]
    assert narrowest([parse_date("2023?"), parse_date("2023")]).edtf == "2023"  # type: ignore[union-attr]
    assert narrowest([parse_date("2022/.."), parse_date("../2026-02")]).display == "2022 – February 2026"  # type: ignore[union-attr]
    assert bounds(parse_date("../2026-02")) == (dt.date.min, dt.date(2026, 2, 28))


def write_vocabulary(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "vocabularies.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_vocabulary_gives_each_procedure_its_families(vocabulary: Vocabulary) -> None:
    assert vocabulary.lineage("haploidentical-hsct") == ("haploidentical-hsct", "allogeneic-hsct", "hsct")
    assert vocabulary.lineage("autologous-hsct") == ("autologous-hsct", "hsct")
    assert vocabulary.lineage("liver-transplant") == ("liver-transplant",)
    assert vocabulary.related("hsct", "haploidentical-hsct") and vocabulary.related("car-t", "car-t")
    assert not vocabulary.related("allogeneic-hsct", "autologous-hsct")


AUTOLOGOUS = 'description: "The patient\'s own stem cells."\n    family: hsct'
ALLOGENEIC = 'description: "Stem cells or bone marrow from a donor."\n    family: hsct'


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            AUTOLOGOUS,
            AUTOLOGOUS.replace("hsct", "bone-marrow"),
            "the family of 'autologous-hsct' is 'bone-marrow', not a procedure in this file",
        ),
        (
            ALLOGENEIC,
            ALLOGENEIC.replace("hsct", "haploidentical-hsct"),
            "families go round in a circle: allogeneic-hsct -> haploidentical-hsct -> allogeneic-hsct",
        ),
    ],
)
def test_a_family_that_is_no_procedure_or_goes_round_is_an_error(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(VocabularyError) as error:
        load_vocabulary(write_vocabulary(tmp_path, old, new), "vocabularies.yaml")
    line = 1 + DEFAULT_PATH.read_text(encoding="utf-8").split(old, 1)[0].count("\n") + old.count("\n")
    assert str(error.value) == f"vocabularies.yaml:{line}:13: procedures: {message}"


def site_of(write_seed: SeedWriter, vocabulary: Vocabulary, seeds: dict[str, str]) -> tuple[Corpus, dict[str, str]]:
    for name, text in seeds.items():
        folder = write_seed(name, text).parent
    loaded, problems = read_seeds(folder)
    assert problems + Validator(vocabulary).validate(loaded) == []
    corpus, bodies = model_seeds(loaded, vocabulary)
    return corpus, render_site(corpus, bodies)


HEADLINE_SEED = GOOD_SEED.replace("title: A test article", "title: First test transplant done in Uzbekistan").replace(
    "    evidence: the first “test” transplant was performed", "    evidence: First test transplant done in Uzbekistan"
)


def test_a_quote_from_the_headline_is_accepted_and_shown_as_headline(
    write_seed: SeedWriter, vocabulary: Vocabulary
) -> None:
    corpus, pages = site_of(write_seed, vocabulary, {"a.md": HEADLINE_SEED})
    assert corpus.articles[0].milestones[0].headline
    html = BeautifulSoup(markdown_html(pages["articles/a.md"]), "html.parser")
    anchor = html.find(id="evidence-uz-test-first")
    assert anchor is not None
    headline = anchor.find_parent("p")
    assert headline is not None and headline.get_text(" ", strip=True).startswith("Headline:")
    mark = headline.find("mark")
    assert mark is not None and mark.get_text() == "First test transplant done in Uzbekistan"
    assert "(headline)" in pages["timeline/index.md"]
    # A quote in the body is not a headline quote, even when the headline says the same.
    body_quote = HEADLINE_SEED.replace("A second paragraph.", "First test transplant done in Uzbekistan.")
    corpus, _ = site_of(write_seed, vocabulary, {"b.md": body_quote})
    assert [a.milestones[0].headline for a in corpus.articles] == [True, False]


def markdown_html(page: str) -> str:
    import markdown

    text = page.split("---\n", 2)[2]
    return markdown.markdown(text, extensions=["attr_list", "md_in_html", "tables", "admonition"])


def test_an_article_page_says_where_the_article_comes_from(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    found = GOOD_SEED.replace("  published: 2024-03\n", "  published: 2024-03\n  provenance: Found by its headline.\n")
    lost = GOOD_SEED.replace("  url: https://example.org/news/1\n", "").replace("  outlet: Test Outlet\n", "")
    _, pages = site_of(write_seed, vocabulary, {"found.md": found, "lost.md": lost})
    assert "| How it was found | Found by its headline\\. |" in pages["articles/found.md"]
    assert "| Address | [https://example\\.org/news/1](https://example.org/news/1) |" in pages["articles/found.md"]
    assert "| Address | not found: no copy of this text has been located |" in pages["articles/lost.md"]
    # The timeline's source line: outlet and publication date.
    timeline = pages["timeline/index.md"]
    assert 'Test Outlet, <span class="tl-date tl-exact" data-edtf="2024-03">' in timeline


def test_a_year_heading_counts_its_events_dated_by(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    from tests.test_model import seed_text

    _, pages = site_of(
        write_seed,
        vocabulary,
        {"a.md": seed_text({"id": "by-day", "date": "../2026-02"}, {"id": "in-year", "date": "2026-05"})},
    )
    timeline = pages["timeline/index.md"]
    assert "## 2026 · 1 dated “by” { #year_2026 }" in timeline
    assert "1 of these events is dated only “by” a date in 2026" in timeline
    entry = timeline.split("{ #by-day }", 1)[1].split("</article>", 1)[0]
    assert "on or before: maybe earlier" in entry
    assert "maybe earlier" not in timeline.split("{ #in-year }", 1)[1].split("</article>", 1)[0]
