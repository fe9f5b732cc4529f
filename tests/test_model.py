"""Model: events merged across articles, ordered totally, firsts and highlighted text."""

from __future__ import annotations

from tests.conftest import GOOD_SEED, SeedWriter
from timeline.load import read_seeds
from timeline.model import Corpus, article_text, model_seeds
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary

MILESTONE = """\
  - id: {id}
    date: {date}
    country: {country}
    procedure: {procedure}
    kind: {kind}
    title: {title}
    evidence: the first “test” transplant was performed
"""


def seed_text(*milestones: dict[str, str]) -> str:
    head, body = GOOD_SEED.split("milestones:\n")[0], GOOD_SEED.split("---\n")[2]
    defaults = {"country": "UZ", "procedure": "liver-transplant", "kind": "first", "title": "T"}
    entries = "".join(MILESTONE.format(**(defaults | m)) for m in milestones)
    return f"{head}milestones:\n{entries}---\n{body}"


def modelled(write_seed: SeedWriter, vocabulary: Vocabulary, seeds: dict[str, str]) -> tuple[Corpus, dict[str, str]]:
    for name, text in seeds.items():
        folder = write_seed(name, text).parent
    loaded, problems = read_seeds(folder)
    assert problems + Validator(vocabulary).validate(loaded) == []
    return model_seeds(loaded, vocabulary)


def corpus_of(write_seed: SeedWriter, vocabulary: Vocabulary, seeds: dict[str, str]) -> Corpus:
    return modelled(write_seed, vocabulary, seeds)[0]


def test_order_is_earliest_then_latest_then_id(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    corpus = corpus_of(
        write_seed,
        vocabulary,
        {
            "a.md": seed_text(
                {"id": "c-year", "date": "2021"},
                {"id": "b-day", "date": "2021-01-01"},
                {"id": "a-year", "date": "2021?"},
                {"id": "z-open", "date": "../2020-12"},
                {"id": "d-decade", "date": "202X"},
            )
        },
    )
    assert [e.id for e in corpus.events] == ["d-decade", "z-open", "b-day", "a-year", "c-year"]
    assert [y for y, _ in corpus.layout().years()] == [2020, 2021]


def test_one_event_many_sources_and_disagreement(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    corpus = corpus_of(
        write_seed,
        vocabulary,
        {
            "a.md": seed_text({"id": "shared", "date": "2022/2025", "procedure": "allogeneic-hsct"}),
            "b.md": seed_text({"id": "shared", "date": "../2025-11", "procedure": "hsct"}),
            "c.md": seed_text({"id": "shared", "date": "2022/2025", "procedure": "allogeneic-hsct"}),
            "d.md": seed_text({"id": "agreed", "date": "2024"}),
            "e.md": seed_text({"id": "agreed", "date": "2024"}),
        },
    )
    shared = next(e for e in corpus.events if e.id == "shared")
    assert shared.disagreement
    assert [(v.date.edtf, [c.article_id for c in v.citations]) for v in shared.versions] == [
        ("2022/2025", ["a", "c"]),
        ("../2025-11", ["b"]),
    ]
    assert [c.article_id for c in shared.citations] == ["a", "b", "c"]
    agreed = next(e for e in corpus.events if e.id == "agreed")
    assert not agreed.disagreement and len(agreed.citations) == 2


def test_disagreeing_event_sorts_by_its_earliest_version(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    corpus = corpus_of(
        write_seed,
        vocabulary,
        {
            "a.md": seed_text({"id": "late-then-early", "date": "2024"}, {"id": "middle", "date": "2022"}),
            "b.md": seed_text({"id": "late-then-early", "date": "2020"}),
        },
    )
    assert [e.id for e in corpus.events] == ["late-then-early", "middle"]
    assert corpus.events[0].date.edtf == "2020"


def test_firsts_keep_the_earliest(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    corpus = corpus_of(
        write_seed,
        vocabulary,
        {
            "a.md": seed_text(
                {"id": "later-first", "date": "2024"},
                {"id": "earlier-first", "date": "2020"},
                {"id": "a-plan", "date": "2019", "kind": "plan"},
                {"id": "kg-first", "date": "2021", "country": "KG"},
            )
        },
    )
    firsts = {key: event.id for key, event in corpus.layout().firsts().items()}
    assert firsts == {("UZ", "liver-transplant"): "earlier-first", ("KG", "liver-transplant"): "kg-first"}


def test_body_blocks_mark_each_quote_once(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    text = seed_text({"id": "one", "date": "2024"}, {"id": "two", "date": "2024"})
    text = text.replace("A second paragraph.", "## A heading\n\n<b>raw</b> text")
    corpus, bodies = modelled(write_seed, vocabulary, {"a.md": text})
    blocks = article_text(bodies["a"], corpus.articles[0])
    assert [b.heading for b in blocks] == [False, True, False]
    first = blocks[0].segments
    assert [(s.text, s.marked, s.anchors, s.closes) for s in first] == [
        ("In Tashkent, ", False, (), ()),
        ('the first "test" transplant was performed', True, ("evidence-one", "evidence-two"), ("one", "two")),
        (" on a child.", False, (), ()),
    ]
    assert blocks[2].segments[0].text == "<b>raw</b> text"
