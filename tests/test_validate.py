"""Validate: every rule of the annotation format, with its exact message and place."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GOOD_SEED, SeedWriter, as_windows
from timeline.load import read_seed, read_seeds
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary, VocabularyError, load_vocabulary


def problems_of(path: Path, vocabulary: Vocabulary) -> list[str]:
    seed, found = read_seed(path, "seeds/" + path.name)
    assert seed is not None, found
    return [str(p) for p in found + Validator(vocabulary).validate([seed])]


def with_change(old: str, new: str) -> str:
    assert old in GOOD_SEED
    return GOOD_SEED.replace(old, new, 1)


def test_good_seed_is_valid(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    assert problems_of(write_seed("good.md", GOOD_SEED), vocabulary) == []


RULE_CASES = [
    (
        "procedure: liver-transplant",
        "procedure: alogeneic-hsct",
        "seeds/x.md:13:16: milestones[1].procedure: unknown procedure 'alogeneic-hsct'; did you mean "
        "'allogeneic-hsct'? known procedures: hsct, allogeneic-hsct, autologous-hsct, haploidentical-hsct, "
        "liver-transplant, kidney-transplant, car-t, stem-cell-collection, other "
        "(new ones go in timeline/data/vocabularies.yaml)",
    ),
    (
        "kind: first",
        "kind: firsts",
        "seeds/x.md:14:11: milestones[1].kind: unknown kind 'firsts'; did you mean 'first'? known kinds: "
        "first, policy, plan, capacity, event (new ones go in timeline/data/vocabularies.yaml)",
    ),
    (
        "countries: [UZ]",
        "countries: [UZB]",
        "seeds/x.md:7:13: countries[1]: unknown country code 'UZB'; did you mean 'UZ'? use an ISO 3166-1 "
        "alpha-2 code such as UZ, KG, KZ, TJ, TM",
    ),
    (
        "countries: [UZ]",
        "countries: [uz]",
        "seeds/x.md:7:13: countries[1]: country codes are upper case: write 'UZ', not 'uz'",
    ),
    ("countries: [UZ]", "countries: []", "seeds/x.md:7:12: countries: is an empty list"),
    ("countries: [UZ]", "countries: [UZ, UZ]", "seeds/x.md:7:12: countries: lists 'UZ' twice"),
    (
        "    date: 2023?",
        "    date: 2023?\n    date_basis: inferred",
        "seeds/x.md:10:5: milestones[1].date_note: missing 'date_note': an inferred date needs one or two "
        "sentences saying how it was reasoned from the text",
    ),
    (
        "    date: 2023?",
        "    date: 2023?\n    date_basis: guessed",
        "seeds/x.md:12:17: milestones[1].date_basis: expected 'stated' or 'inferred', got 'guessed'",
    ),
    (
        "date: 2023?",
        "date: 2023-02-29",
        "seeds/x.md:11:11: milestones[1].date: February 2023 has no day 29 ('2023-02-29'); it has 28 days",
    ),
    (
        "published: 2024-03",
        "published: March 2024",
        "seeds/x.md:6:14: source.published: expected an EDTF date such as 2021-05-14, 2021-05, 2024, "
        "2023?, 2023~, 202X, 2020/2024 or ../2025-11, got 'March 2024'",
    ),
    (
        "url: https://example.org/news/1",
        "url: javascript:alert(1)",
        "seeds/x.md:5:8: source.url: only http and https links are accepted, got 'javascript:alert(1)'",
    ),
    (
        "url: https://example.org/news/1",
        "url: https://example.org/a b",
        "seeds/x.md:5:8: source.url: 'https://example.org/a b' is not a usable http(s) link",
    ),
    (
        "  - id: uz-test-first",
        "  - id: UZ_Test",
        "seeds/x.md:10:9: milestones[1].id: ids use lowercase letters and digits in words joined by "
        "single hyphens, got 'UZ_Test'; did you mean 'uz-test'?",
    ),
    (
        "  - id: uz-test-first",
        "  - id: " + "a" * 81,
        "seeds/x.md:10:9: milestones[1].id: is 81 characters long; at most 80 are allowed",
    ),
    (
        "summary: A short summary.",
        "sumary: A short summary.",
        "seeds/x.md:8:1: sumary: unknown field 'sumary'; did you mean 'summary'? known fields: id, title, "
        "source, countries, tags, summary, milestones",
    ),
    ("title: A test article", "title:", "seeds/x.md:2:7: title: is empty; expected text"),
    (
        "    evidence: the first “test” transplant was performed",
        "    evidence: the first test transplant was performed",
        "seeds/x.md:16:15: milestones[1].evidence: the evidence of milestone 'uz-test-first' is not in the "
        "article body or its headline: copy it exactly; the closest passage is "
        "'In Tashkent, the first \"test\" transplant was performed on a child.'",
    ),
    (
        "    evidence: the first “test” transplant was performed\n",
        "",
        "seeds/x.md:10:5: milestones[1].evidence: missing required field 'evidence': a verbatim quote from "
        "the article body",
    ),
    (
        "source:\n",
        "source:\n  raw: ../../etc/passwd\n",
        "seeds/x.md:4:8: source.raw: '../../etc/passwd' must be a relative path under the seeds folder",
    ),
    (
        "source:\n",
        "source:\n  raw: raw/missing.txt\n",
        "seeds/x.md:4:8: source.raw: there is no file 'raw/missing.txt' under the seeds folder",
    ),
    ("title: A test article", "title: [a, b]", "seeds/x.md:2:8: title: expected text, got a list"),
    (
        "title: A test article\n",
        "title: A test article\nid: index\n",
        "seeds/x.md:3:5: id: 'index' is reserved",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), RULE_CASES)
def test_rule_messages(write_seed: SeedWriter, vocabulary: Vocabulary, old: str, new: str, expected: str) -> None:
    found = problems_of(write_seed("x.md", with_change(old, new)), vocabulary)
    assert len(found) == 1, found
    assert found[0].startswith(expected)


@pytest.mark.parametrize(("old", "new", "expected"), RULE_CASES)
def test_rule_messages_in_a_windows_file(
    write_seed: SeedWriter, vocabulary: Vocabulary, old: str, new: str, expected: str
) -> None:
    """A byte-order mark and CRLF line endings are not errors and move no position."""
    found = problems_of(write_seed("x.md", as_windows(with_change(old, new)), raw=True), vocabulary)
    assert found == problems_of(write_seed("x.md", with_change(old, new)), vocabulary)
    assert len(found) == 1 and found[0].startswith(expected)


def test_norway_is_a_country(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    text = with_change("countries: [UZ]", "countries: [UZ, NO]").replace("country: UZ", "country: NO")
    assert problems_of(write_seed("x.md", text), vocabulary) == []


def test_unquoted_year_and_day_mean_the_same_as_quoted(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    assert problems_of(write_seed("x.md", with_change("date: 2023?", "date: 2024")), vocabulary) == []
    assert problems_of(write_seed("y.md", with_change("date: 2023?", "date: 2021-05-14")), vocabulary) == []


def test_file_name_must_be_an_id_unless_id_is_given(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    assert problems_of(write_seed("My Article.md", GOOD_SEED), vocabulary) == [
        "seeds/My Article.md:1:1: the file name 'My Article.md' is not a valid article id; rename the file "
        "(for example 'my-article.md') or set 'id:'"
    ]
    named = with_change("title: A test article\n", "title: A test article\nid: my-article\n")
    assert problems_of(write_seed("Other Name.md", named), vocabulary) == []


def test_every_problem_in_every_file_in_one_run(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    write_seed("a.md", with_change("kind: first", "kind: nope").replace("country: UZ", "country: XX"))
    write_seed("b.md", with_change("title: A test article\n", "title: A test article\nid: a\n"))
    write_seed("c.md", "no front matter\n")
    seeds, problems = read_seeds(write_seed("d.md", GOOD_SEED).parent, "seeds")
    problems += Validator(vocabulary).validate(seeds)
    where = sorted(f"{p.path}:{p.line}:{p.field}" for p in problems)
    assert where == [
        "seeds/a.md:12:milestones[1].country",
        "seeds/a.md:14:milestones[1].kind",
        "seeds/b.md:3:id",
        "seeds/c.md:1:",
    ]
    assert "article id 'a' is already used by seeds/a.md" in str(next(p for p in problems if p.field == "id"))


def test_same_milestone_twice_in_one_article(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    milestone = GOOD_SEED[GOOD_SEED.index("  - id:") : GOOD_SEED.index("---\nIn")]
    text = GOOD_SEED.replace(milestone, milestone + milestone)
    found = problems_of(write_seed("x.md", text), vocabulary)
    assert found == [
        "seeds/x.md:17:9: milestones[2].id: milestone id 'uz-test-first' is already used by milestones[1] "
        "of this article; one article cites an event once"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("region: [UZ\nprocedures: {}\n", "vocab.yaml:2:11: not valid YAML: expected ',' or ']'"),
        ("region: [UZ]\nprocedures: {}\nkinds: {}\n", "vocab.yaml:1:1: expected the sections"),
        (
            "region: [UZ]\nprocedures:\n  Bad Name: {label: x}\nkinds: {}\ncountries: {UZ: Uzbekistan}\n",
            "vocab.yaml:1:1: procedures: 'Bad Name' needs a lowercase-hyphenated name and a 'label'",
        ),
        (
            "region: [UZ, XX]\nprocedures: {}\nkinds: {}\ncountries: {UZ: Uzbekistan}\n",
            "vocab.yaml:1:1: region: XX not among the countries",
        ),
    ],
)
def test_a_broken_vocabulary_file_is_reported(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "vocab.yaml"
    path.write_text(text)
    with pytest.raises(VocabularyError) as caught:
        load_vocabulary(path, "vocab.yaml")
    assert str(caught.value.problem).startswith(expected)


def test_the_shipped_vocabulary(vocabulary: Vocabulary) -> None:
    assert vocabulary.region == ("UZ", "KG", "KZ", "TJ", "TM")
    assert vocabulary.countries["NO"].label == "Norway"
    assert len(vocabulary.countries) == 249
    assert list(vocabulary.kinds) == ["first", "policy", "plan", "capacity", "event"]
