"""Sources in their own languages: CLDR names through Babel, language lines, the original title."""

from __future__ import annotations

import shutil
from pathlib import Path

import babel
import pytest
from bs4 import BeautifulSoup

from tests.conftest import REPO
from tests.test_site import build
from timeline.vocabulary import OTHER_LANGUAGES, Vocabulary, language_name, load_vocabulary

FIXTURE = REPO / "tests" / "fixtures" / "languages" / "ru-tashkent-fixture.md"


def seeds_with_fixture(folder: Path) -> Path:
    """The real seeds and the Russian fixture seed, in a scratch folder."""
    seeds = folder / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    shutil.copy(FIXTURE, seeds / FIXTURE.name)
    return seeds


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("languages")
    return build(seeds_with_fixture(folder), folder / "work")


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def test_country_names_come_from_babel() -> None:
    vocabulary = load_vocabulary()
    english = babel.Locale("en").territories
    assert all(term.label == english[code] for code, term in vocabulary.countries.items())
    uzbekistan = vocabulary.countries["UZ"]
    expected = [babel.Locale(language).territories["UZ"] for language in OTHER_LANGUAGES]
    assert uzbekistan.other_names == tuple(dict.fromkeys(expected))
    assert uzbekistan.other_names == ("Узбекистан", "Oʻzbekiston", "Өзбекстан")
    assert vocabulary.countries["NO"].label == "Norway"


def test_the_countries_are_iso_codes_in_a_stable_order() -> None:
    codes = list(load_vocabulary().countries)
    assert codes == sorted(codes) and len(codes) == 249
    assert all(len(code) == 2 and code.isalpha() and code.isupper() for code in codes)
    assert not {"EU", "UN", "ZZ", "XK", "QO"} & set(codes)
    assert list(load_vocabulary().countries) == codes


def test_a_country_the_file_adds_is_kept(tmp_path: Path) -> None:
    text = (REPO / "timeline" / "data" / "vocabularies.yaml").read_text(encoding="utf-8")
    path = tmp_path / "vocab.yaml"
    path.write_text(text.replace("countries: {}", 'countries: {XK: "Kosovo"}'), encoding="utf-8")
    assert load_vocabulary(path).countries["XK"].label == "Kosovo"


@pytest.mark.parametrize(
    ("tag", "name"),
    [("ru", "Russian (русский)"), ("ky", "Kyrgyz (кыргызча)"), ("en", "English"), ("xx-nonsense", "xx-nonsense")],
)
def test_language_names_come_from_cldr(tag: str, name: str) -> None:
    assert language_name(tag) == name


def test_a_country_page_shows_its_other_names(site: Path, vocabulary: Vocabulary) -> None:
    text = page(site, "countries/uz").get_text(" ")
    assert "Also: Узбекистан · Oʻzbekiston · Өзбекстан" in " ".join(text.split())


def test_a_russian_article_shows_its_language_and_original_title(site: Path) -> None:
    article = page(site, "articles/ru-tashkent-fixture")
    rows = {tr.find_all("td")[0].get_text(): tr.find_all("td")[1] for tr in article.select("table tr") if tr.find("td")}
    assert rows["Language"].get_text() == "Russian (русский)"
    original = rows["Original title"]
    assert original.get_text() == "Конференция в Ташкенте <script>alert(1)</script> *не курсив*"
    assert original.find("span", lang="ru") is not None
    assert original.find("script") is None and original.find("em") is None
    english = page(site, "articles/uz-pediatric-surgery-capabilities")
    assert "Language" not in [td.get_text() for td in english.select("table td")]


def test_the_timeline_source_line_names_the_language(site: Path) -> None:
    timeline = page(site, "timeline")
    heading = timeline.find(id="test-ru-tashkent-conference")
    assert heading is not None
    quotes = [q.get_text(" ") for q in timeline.select("blockquote") if "Ташкенте" in q.get_text()]
    assert quotes and "in Russian (русский)" in " ".join(quotes[0].split())
    assert not any("in English" in q.get_text() for q in timeline.select("blockquote"))
