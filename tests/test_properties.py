"""Property tests: laws that hold for any input, not just the examples."""

from __future__ import annotations

import html
import re

import yaml
from hypothesis import given
from hypothesis import strategies as st

from timeline.escape import CONTROLS
from timeline.importer import slug
from timeline.render import front_matter
from timeline.validate import ID_PATTERN, is_id
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
