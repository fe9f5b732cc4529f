"""Property tests: laws that hold for any input, not just the examples."""

from __future__ import annotations

import csv
import html
import io
import json
import marshal
import re
from pathlib import Path

import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from tests.conftest import GOOD_SEED
from timeline.dates import parse_date
from timeline.escape import CONTROLS
from timeline.exports import FORMULA_CHARACTERS, excel_csv
from timeline.importer import slug
from timeline.load import Seed, read_seed
from timeline.model import Article, ArticleRef, Milestone, Source, article_from_plain, article_to_plain, build_corpus
from timeline.problems import Problem
from timeline.render import PART_KINDS, Renderer, front_matter
from timeline.validate import ID_PATTERN, Validator, is_id
from timeline.vocabulary import load_vocabulary
from timeline.write import WriteError, _safe_relative

SPEC_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@given(st.text(max_size=100))
def test_is_id_is_exactly_the_spec(text: str) -> None:
    assert is_id(text) == (SPEC_ID.match(text) is not None and len(text) <= 80 and "\n" not in text)


@given(st.text(max_size=300))
def test_slug_always_makes_a_valid_id(text: str) -> None:
    made = slug(text)
    assert is_id(made)
    assert len(made) <= 80


# Words in the scripts of the region's sources: Cyrillic (Russian, Kyrgyz, Kazakh, Tajik) and
# Uzbek Latin with its apostrophes.
CYRILLIC = st.text(
    st.characters(min_codepoint=0x0410, max_codepoint=0x04FF, categories=["Lu", "Ll"]), min_size=1
).filter(
    # The hard, soft and semisoft signs alone are no sound, so no Latin letter (anyascii gives an apostrophe).
    lambda w: w.strip("ЪъЬьҌҍ")
)
UZBEK = st.text(st.sampled_from("abdefghijklmnopqrstuvxyzOoGgʻʼ"), min_size=2).filter(lambda w: w[0] not in "ʻʼ")


@given(st.lists(st.one_of(CYRILLIC, UZBEK), min_size=1, max_size=12))
def test_a_title_in_another_script_gives_a_readable_id(words: list[str]) -> None:
    made = slug(" ".join(words))
    assert is_id(made) and made != "article"  # transliterated, not dropped
    assert made.count("-") < len(words)  # an apostrophe inside a word does not split it
    assert slug(made) == made  # an id is its own slug: importing again keeps it


@given(st.from_regex(ID_PATTERN, fullmatch=True).filter(lambda s: len(s) <= 80))
def test_valid_ids_are_safe_file_names_and_fragments(text: str) -> None:
    assert _safe_relative(f"articles/{text}.md").as_posix() == f"articles/{text}.md"
    assert "/" not in text and "." not in text and text == text.lower()


@given(st.lists(st.sampled_from(["a", "b", ".", "..", "/", "\\", "~", ":", "//"]), max_size=12).map("".join))
def test_no_generated_path_leaves_docs(name: str) -> None:
    try:
        relative = _safe_relative(name)
    except WriteError:
        return
    assert not relative.is_absolute() and ".." not in relative.parts


@given(st.text(max_size=80), st.lists(st.text(max_size=20), max_size=4))
def test_front_matter_reads_back_as_the_escaped_values(title: str, tags: list[str]) -> None:
    text = front_matter(title, {"tags": tags})
    assert text.startswith("---\n") and text.endswith("\n---\n\n")
    data = yaml.safe_load(text.split("---\n")[1])
    assert data["title"] == html.escape(" ".join(CONTROLS.sub("", title).split()), quote=True)
    assert data["tags"] == [html.escape(" ".join(CONTROLS.sub("", t).split()), quote=True) for t in tags]
    assert "<" not in data["title"] and '"' not in data["title"]


free_text = st.text(max_size=40)


@given(
    st.lists(
        st.tuples(free_text, free_text, free_text, st.one_of(st.none(), free_text), st.one_of(st.none(), free_text)),
        min_size=1,
        max_size=4,
    )
)
def test_the_json_and_csv_exports_agree_whatever_the_sources_say(
    sources: list[tuple[str, str, str, str | None, str | None]],
) -> None:
    """Both data files describe the same events in the same order, and read back as written."""
    vocabulary = load_vocabulary()
    articles = []
    for number, (title, evidence, article_title, place, outlet) in enumerate(sources):
        reference = ArticleRef(f"article-{number}", article_title, outlet, "https://example.org/a")
        milestone = Milestone(
            f"event-{number}", reference, parse_date("2021"), False, None, "UZ", place, None,
            "liver-transplant", "first", title, evidence, fingerprint=str(number),
        )  # fmt: skip
        source = Source(outlet, reference.url, None, None, "en", None)
        articles.append(Article(reference.id, article_title, source, ("UZ",), (), None, (milestone,), "x.md"))
    corpus = build_corpus(articles, vocabulary)
    renderer = Renderer(vocabulary)
    plan = {page.path: page for page in renderer.pages(corpus, corpus.layout(), {})}  # as render_site does
    rendered = renderer.parts(corpus.events)
    for part in range(len(PART_KINDS)):
        renderer.use(part, {event: parts[part] for event, parts in rendered.items()})
    data = json.loads(plan["data/timeline.json"].render())["events"]
    text = plan["data/timeline.csv"].render()
    assert isinstance(text, bytes)
    rows = list(csv.DictReader(io.StringIO(text.decode(), newline="")))
    assert [row["id"] for row in rows] == [event["id"] for event in data] == [e.id for e in corpus.events]
    for row, event in zip(rows, data, strict=True):
        for column in ("permalink", "date", "display", "country", "procedure", "kind", "title"):
            assert row[column] == event[column]
        assert (row["earliest"], row["latest"]) == (event["earliest"], event["latest"])
        assert (row["article"], row["url"]) == (event["sources"][0]["article"], event["sources"][0]["url"])
        assert row["outlet"] == (event["sources"][0]["outlet"] or "")
    assert {row["title"] for row in rows} == {title for title, *_ in sources}
    assert {e["sources"][0]["evidence"] for e in data} == {evidence for _, evidence, *_ in sources}


@given(
    st.lists(
        st.tuples(
            free_text, free_text, st.one_of(st.none(), free_text), st.sampled_from(["2021", "../2025-11", "2020/2024~"])
        ),
        min_size=1,
        max_size=3,
    ),
    st.lists(free_text, max_size=3),
)
def test_an_article_reads_back_from_the_memo_as_it_was(
    milestones: list[tuple[str, str, str | None, str]], tags: list[str]
) -> None:
    reference = ArticleRef("an-article", "A title", "An outlet", None, parse_date("2024-05"), "ru")  # as build_article
    article = Article(
        "an-article",
        "A title",
        Source("An outlet", None, parse_date("2024-05"), None, "ru", None, tags[0] if tags else None),
        ("UZ", "KG"),
        tuple(tags),
        None,
        tuple(
            Milestone(
                f"m-{n}",
                reference,
                parse_date(date),
                n % 2 == 0,
                note,
                "UZ",
                None,
                note,
                "car-t",
                "plan",
                title,
                evidence,
                n % 3 == 0,
                fingerprint=title,
            )
            for n, (title, evidence, note, date) in enumerate(milestones)
        ),
        "seeds/an-article.md",
    )
    plain = marshal.loads(marshal.dumps(article_to_plain(article)))  # noqa: S302 - made here
    assert article_from_plain(plain, article.seed_path) == article


# Seeds as an editor writes them, LF-only: GOOD_SEED's lines with lines
# inserted (valid, misspelt, duplicated, malformed), its body replaced, and
# the evidence taken from the body, so that some seeds are valid and the
# others have problems at every stage (file, YAML, validation, evidence).
SEED_LINES = GOOD_SEED.split("\n")
CLOSING = SEED_LINES.index("---", 1)
INSERTED = st.sampled_from(
    [
        "sumary: A misspelt field.",
        "tags: [a-tag, Bad Tag]",
        "title: a second title",
        "  author: Jane Doe",
        "  publishd: 2024",
        "    place: Tashkent",
        "    date_basis: inferred",
        "\tcountries: [UZ]",
        'summary: "never closed',
        "list: [a, b",
        "a: &x [1]",
        "b: *x",
        "# a comment",
        "",
        "---",
        "  - id: uz-second",
        "    date: 2023-02-30",
    ]
)
TEXT = st.text(st.characters(exclude_characters="\r", exclude_categories=["Cs"]), max_size=30)
"""Text for a file that has only LF line endings (and no surrogates, which UTF-8 cannot encode)."""
WORDS = st.text(st.sampled_from('abc é“”"-—#:\t\n'), min_size=1, max_size=60)


@st.composite
def lf_seeds(draw: st.DrawFn) -> str:
    front = SEED_LINES[1:CLOSING]
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        line = draw(INSERTED if draw(st.integers(0, 4)) else TEXT.map(lambda t: t.replace("\n", " ")))
        front.insert(draw(st.integers(0, len(front))), line)
    body = draw(st.lists(WORDS, min_size=1, max_size=5).map("\n".join))
    words = body.split()
    quoted = draw(st.integers(0, 4)) > 0
    if words and quoted:  # a quote from the body, which may span its line breaks
        start = draw(st.integers(0, len(words) - 1))
        quote = " ".join(words[start : draw(st.integers(start + 1, len(words)))])
        evidence = "    evidence: " + json.dumps(quote, ensure_ascii=False)
        front = [evidence if line.startswith("    evidence:") else line for line in front]
    end = draw(st.sampled_from(["", "\n", "\n\n"]))
    return "\n".join(["---", *front, "---", body]) + end


FREE_FORM = st.tuples(st.booleans(), TEXT, TEXT).map(lambda t: f"---\n{t[1]}\n---\n{t[2]}" if t[0] else t[1])
"""Anything at all, with or without front matter."""


def read_and_validate(data: bytes) -> tuple[Seed | None, list[Problem]]:
    seed, problems = read_seed(Path("/nonexistent/seeds/a.md"), "seeds/a.md", data)
    if seed is not None:
        problems = problems + Validator(load_vocabulary()).validate([seed])
    return seed, problems


@given(lf_seeds() | FREE_FORM, st.sampled_from([(True, False), (False, True), (True, True)]))
def test_a_bom_and_crlf_change_no_value_and_no_position(text: str, variant: tuple[bool, bool]) -> None:
    bom, crlf = variant
    windows = ("\ufeff" if bom else "") + (text.replace("\n", "\r\n") if crlf else text)
    seed, problems = read_and_validate(text.encode())
    seed_w, problems_w = read_and_validate(windows.encode())
    assert seed_w == seed
    assert problems_w == problems
    if seed_w is not None:
        assert "\r" not in seed_w.body


def _csv_record(fields: list[str]) -> str:
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n").writerow(fields)
    return stream.getvalue()


# Cells that the CSV writes as they are, and cells that start with a formula's character or hold the
# CSV's own delimiters, quotes and line ends, in any mix.
PLAIN_CELLS = st.text(st.sampled_from(list("aЖ1 .'")), max_size=4)
TRICKY_CELLS = st.builds(
    str.__add__, st.sampled_from(list('=+-@\t\r\n,"')), st.text(st.sampled_from(list('=+-@\t\r\n,"a')), max_size=4)
)
CELLS = st.one_of(PLAIN_CELLS, PLAIN_CELLS, TRICKY_CELLS)


@example([["id"], ["=1+1"]])  # a record's first cell, after another record
@example([["id", "x"], ["a", "\r"]])  # a quoted CR
@example([["-id"]])  # the very first cell
@given(st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=6))
def test_the_excel_csv_guards_exactly_the_cells_that_start_like_a_formula(table: list[list[str]]) -> None:
    records = [_csv_record(fields) for fields in table]
    guarded = [["'" + cell if cell.startswith(FORMULA_CHARACTERS) else cell for cell in fields] for fields in table]
    expected = "\ufeff" + "".join(_csv_record(fields) for fields in guarded)
    assert excel_csv(records[0], records[1:]) == expected.encode()
