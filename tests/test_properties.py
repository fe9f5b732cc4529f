"""Property tests: laws that hold for any input, not just the examples."""

from __future__ import annotations

import html
import json
import re

import yaml
from hypothesis import given
from hypothesis import strategies as st

from timeline.dates import parse_date
from timeline.escape import CONTROLS
from timeline.importer import slug
from timeline.incremental import _window
from timeline.model import ArticleRef, Layout, Milestone, single_event
from timeline.render import _OPEN_PERMALINK, _json_line, data_chunk, data_lines, front_matter, timeline_json
from timeline.validate import ID_PATTERN, is_id
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
def test_data_lines_keep_one_open_permalink_and_read_back_whatever_the_sources_say(
    sources: list[tuple[str, str, str, str | None, str | None]],
) -> None:
    """The data file is put together from lines kept apart and filled in by replacement (render.timeline_json)."""
    vocabulary = load_vocabulary()
    events = []
    for number, (title, evidence, article_title, place, outlet) in enumerate(sources):
        reference = ArticleRef(f"article-{number}", article_title, outlet, None)
        milestone = Milestone(
            f"event-{number}", reference, parse_date("2021"), False, None, "UZ", place, None,
            "liver-transplant", "first", title, evidence, fingerprint=str(number),
        )  # fmt: skip
        events.append(single_event(milestone))
    lines = [_json_line(event, None) for event in events]
    for line in lines:
        assert "\n" not in line and line.encode().count(_OPEN_PERMALINK) == 1
    assert data_lines(data_chunk(lines)) == lines
    layout = Layout((), tuple(event.summary() for event in events), vocabulary)
    data = json.loads(timeline_json(layout, {2021: data_chunk(lines)}))
    assert [event["permalink"] for event in data["events"]] == [f"timeline/#event-{n}" for n in range(len(sources))]
    assert [event["title"] for event in data["events"]] == [title for title, *_ in sources]
    assert [event["sources"][0]["evidence"] for event in data["events"]] == [evidence for _, evidence, *_ in sources]


LINES = st.lists(st.sampled_from(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]), unique=True, max_size=6)


@given(LINES, LINES)
def test_a_patch_window_replaced_where_it_stands_gives_the_new_run(before: list[str], after: list[str]) -> None:
    window = _window(before, after)
    if not before and after:
        assert window is None  # nothing to anchor the new lines to
        return
    assert window is not None
    if before == after:
        assert window == ([], [])
        return

    def items(lines: list[str]) -> str:  # list items: each ends its line
        return "".join(f"- {line}\n" for line in lines)

    def data(lines: list[str]) -> str:  # data lines: separated
        return ",\n".join(lines)

    for joined in (items, data):
        if joined is data and not (window[0] and window[1]):
            continue  # a year's data lines are never all gone: the patch refuses then
        old = joined(window[0])
        assert joined(before).count(old) == 1
        assert joined(before).replace(old, joined(window[1])) == joined(after)
