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


def test_versions_that_overlap_and_share_a_family_agree_on_the_narrowest_reading(
    write_seed: SeedWriter, vocabulary: Vocabulary
) -> None:
    corpus = corpus_of(
        write_seed,
        vocabulary,
        {
            "a.md": seed_text({"id": "shared", "date": "2022/2025", "procedure": "allogeneic-hsct", "title": "Allo"}),
            "b.md": seed_text({"id": "shared", "date": "../2025-11", "procedure": "hsct", "title": "Any"}),
            "c.md": seed_text({"id": "shared", "date": "2022/2025", "procedure": "allogeneic-hsct", "title": "Allo"}),
            "d.md": seed_text({"id": "same", "date": "2024"}),
            "e.md": seed_text({"id": "same", "date": "2024"}),
        },
    )
    shared = next(e for e in corpus.events if e.id == "shared")
    assert not shared.disagreement and shared.agreed is not None
    assert (shared.date.edtf, shared.main.procedure, shared.title) == ("2022/2025-11", "allogeneic-hsct", "Allo")
    assert shared.date.display == "2022 – November 2025"
    # Which source gives which: the versions stay, each with its sources.
    assert [(v.date.edtf, v.procedure, [c.article_id for c in v.citations]) for v in shared.versions] == [
        ("2022/2025", "allogeneic-hsct", ["a", "c"]),
        ("../2025-11", "hsct", ["b"]),
    ]
    assert [c.article_id for c in shared.citations] == ["a", "b", "c"]
    assert shared.procedures() == ("allogeneic-hsct", "hsct")
    same = next(e for e in corpus.events if e.id == "same")
    assert not same.disagreement and same.agreed is None and len(same.versions) == 1 and len(same.citations) == 2


def test_versions_disagree_on_dates_apart_or_a_conflicting_value(
    write_seed: SeedWriter, vocabulary: Vocabulary
) -> None:
    corpus = corpus_of(
        write_seed,
        vocabulary,
        {
            "a.md": seed_text(
                {"id": "apart", "date": "2021"},
                {"id": "siblings", "date": "2021", "procedure": "allogeneic-hsct"},
                {"id": "country", "date": "2021"},
                {"id": "kind", "date": "2021"},
            ),
            "b.md": seed_text(
                {"id": "apart", "date": "2023"},
                {"id": "siblings", "date": "2021", "procedure": "autologous-hsct"},
                {"id": "country", "date": "2021", "country": "KG"},
                {"id": "kind", "date": "2021", "kind": "plan"},
            ),
        },
    )
    for event in corpus.events:
        assert event.disagreement and event.agreed is None, event.id
        assert len(event.versions) == 2
    siblings = next(e for e in corpus.events if e.id == "siblings")
    assert siblings.procedures() == ("allogeneic-hsct", "hsct", "autologous-hsct")


def test_an_event_counts_under_every_family_above_its_procedure(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    corpus = corpus_of(
        write_seed,
        vocabulary,
        {"a.md": seed_text({"id": "haplo", "date": "2024", "procedure": "haploidentical-hsct", "country": "KG"})},
    )
    layout = corpus.layout()
    for procedure in ("haploidentical-hsct", "allogeneic-hsct", "hsct"):
        assert [e.id for e in layout.events_of(procedure)] == ["haplo"]
        assert layout.firsts()[("KG", procedure)].id == "haplo"
        assert layout.tally().procedures[procedure] == 1
    assert layout.events_of("autologous-hsct") == []
    assert ("KG", "autologous-hsct") not in layout.firsts()


def test_firsts_of_one_family_in_one_country_are_contested(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    corpus = corpus_of(
        write_seed,
        vocabulary,
        {
            "a.md": seed_text(
                {"id": "allo", "date": "2022/2025", "procedure": "allogeneic-hsct"},
                {"id": "any", "date": "../2023-03-29", "procedure": "hsct"},
                {"id": "auto", "date": "2026", "procedure": "autologous-hsct"},
                {"id": "kg-any", "date": "2020", "procedure": "hsct", "country": "KG"},
                {"id": "liver", "date": "2021", "procedure": "liver-transplant"},
                {"id": "plan", "date": "2019", "procedure": "hsct", "kind": "plan"},
            )
        },
    )
    layout = corpus.layout()
    rivals = {event: [r.id for r in found] for event, found in layout.rivals().items()}
    # "any" (a stem cell transplant of no stated type) and "allo" claim the same first: the
    # first stem cell transplant. "auto" is a sibling of the winner "allo", a first of another kind.
    assert rivals == {"allo": ["any"], "any": ["allo"]}
    assert layout.firsts()[("UZ", "hsct")].id == "allo"
    assert layout.firsts()[("UZ", "autologous-hsct")].id == "auto"
    assert layout.firsts()[("KG", "hsct")].id == "kg-any"
    assert layout.tally().contested == 2


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
