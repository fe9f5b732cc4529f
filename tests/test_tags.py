"""Tags read as one word per thing: the vocabulary folds spellings and names into labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GOOD_SEED, SeedWriter
from timeline.load import read_seeds
from timeline.model import Article, model_seeds
from timeline.render import article_tags, topic_tags
from timeline.vocabulary import DEFAULT_PATH, Tag, Vocabulary, VocabularyError, load_vocabulary


@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("russia", Tag("Russia", "RU")),  # a country's name
        ("south-korea", Tag("South Korea", "KR")),
        ("liver-transplant", Tag("liver transplant", "liver-transplant")),  # a procedure's key
        ("stem-cell-transplant", Tag("stem cell transplant", "hsct")),  # a procedure's label
        ("liver", Tag("liver transplant", "liver-transplant")),  # listed in the file as meaning one
        ("national-childrens-medical-center", Tag("National Children's Medical Center")),  # given a label
        ("pediatric-oncology", Tag("pediatric oncology")),  # anything else: its words
    ],
)
def test_an_own_tag_reads_as_the_thing_it_names(vocabulary: Vocabulary, slug: str, expected: Tag) -> None:
    assert vocabulary.tag(slug) == expected


def test_other_says_nothing(vocabulary: Vocabulary) -> None:
    assert vocabulary.tag("other") is None


def article_with(
    write_seed: SeedWriter, vocabulary: Vocabulary, tags: str, procedure: str = "liver-transplant"
) -> Article:
    seed = GOOD_SEED.replace("summary:", f"tags: {tags}\nsummary:").replace("liver-transplant", procedure)
    loaded, problems = read_seeds(write_seed("uz-test.md", seed).parent)
    assert problems == []
    corpus, _ = model_seeds(loaded, vocabulary)
    return corpus.articles[0]


def test_an_articles_tags_name_each_thing_once(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    article = article_with(write_seed, vocabulary, "[liver, uzbekistan, russia, pediatric-oncology, other]")
    tags = article_tags(vocabulary, article)
    assert tags == ["Uzbekistan", "liver transplant", "Russia", "pediatric oncology"]
    assert len({t.casefold() for t in tags}) == len(tags)
    # The page's own "Tags" row keeps the topics: countries and procedures have rows and lists of their own.
    assert topic_tags(vocabulary, article) == ["pediatric oncology"]


def test_the_procedure_other_is_no_tag(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    article = article_with(write_seed, vocabulary, "[funding]", procedure="other")
    assert article_tags(vocabulary, article) == ["Uzbekistan", "funding"]


def test_the_shipped_seeds_have_no_near_duplicate_tags(vocabulary: Vocabulary) -> None:
    loaded, problems = read_seeds(Path(__file__).resolve().parent.parent / "seeds")
    assert problems == []
    corpus, _ = model_seeds(loaded, vocabulary)
    for article in corpus.articles:
        tags = article_tags(vocabulary, article)
        assert "other" not in tags
        words = [t.casefold() for t in tags]
        # No tag is the first word(s) of another (liver beside liver transplant) nor a slug beside its label.
        for word in words:
            assert word not in {slug for slug in article.tags if "-" in slug}, tags
            assert not any(other != word and other.startswith(word + " ") for other in words), tags


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("  liver: {means: lungs}", "tags: 'liver' means 'lungs', which is neither a procedure nor a country code"),
        ("  liver: {}", "tags: 'liver' needs a lowercase-hyphenated name and either a 'label' or a 'means'"),
        ("  Liver: {label: Liver}", "tags: 'Liver' needs a lowercase-hyphenated name"),
    ],
)
def test_a_broken_tag_entry_names_its_line(tmp_path: Path, entry: str, message: str) -> None:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    old = "  liver: {means: liver-transplant}"
    path = tmp_path / "vocabularies.yaml"
    path.write_text(text.replace(old, entry), encoding="utf-8")
    with pytest.raises(VocabularyError) as error:
        load_vocabulary(path, "vocabularies.yaml")
    line = 1 + text.split(old, 1)[0].count("\n")
    assert str(error.value).startswith(f"vocabularies.yaml:{line}:3: {message}")
