"""Load: front matter as strings with positions; broken files caught with a location."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import GOOD_SEED, SeedWriter, as_windows
from timeline.evidence import locate
from timeline.load import MAX_FILE_BYTES, read_seed, read_seeds
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary

LONE_CR = (
    "a carriage return (CR) that is not part of a CRLF line ending (old Mac line endings, or a stray "
    "control character); save the file with LF or CRLF line endings"
)


def messages(path: Path) -> list[str]:
    return [str(p) for p in read_seed(path, "seeds/" + path.name)[1]]


def test_scalars_stay_strings(write_seed: SeedWriter) -> None:
    path = write_seed(
        "a.md",
        """\
        ---
        title: NO
        countries: [NO, yes, 2024]
        date: 2021-05-14
        n: 017
        f: 1e3
        t: 1:30
        e:
        q: ""
        ---
        body
        """,
    )
    seed, problems = read_seed(path)
    assert problems == [] and seed is not None
    assert seed.meta == {
        "title": "NO",
        "countries": ["NO", "yes", "2024"],
        "date": "2021-05-14",
        "n": "017",
        "f": "1e3",
        "t": "1:30",
        "e": None,
        "q": "",
    }


def test_positions_and_body_line(write_seed: SeedWriter) -> None:
    seed, _ = read_seed(write_seed("a.md", GOOD_SEED))
    assert seed is not None
    assert seed.positions[("milestones", 0, "date")] == (11, 11)
    assert seed.key_positions[("countries",)] == (7, 1)
    assert seed.body_line == 18
    assert seed.body.startswith("In Tashkent")
    assert seed.body_position(seed.body.index("A second")) == (20, 1)


def test_duplicate_key(write_seed: SeedWriter) -> None:
    path = write_seed("a.md", "---\ntitle: a\nsource:\n  outlet: x\nsource:\n  url: y\n---\n")
    assert messages(path) == [
        "seeds/a.md:5:1: duplicate key 'source' (first given on line 3); YAML would silently keep "
        "only the last one, so merge them"
    ]


def test_tab(write_seed: SeedWriter) -> None:
    path = write_seed("a.md", "---\ntitle: a\n\tcountries: [UZ]\n---\n", raw=True)
    assert messages(path) == ["seeds/a.md:3:1: a tab character in the front matter; YAML indents with spaces, not tabs"]


def test_unclosed_quote_points_at_its_opening(write_seed: SeedWriter) -> None:
    path = write_seed("a.md", '---\ntitle: "never closed\ncountries: [UZ]\n---\nbody\n')
    assert messages(path) == ["seeds/a.md:2:8: the quoted value that opens here is never closed; add the closing quote"]


def test_byte_order_mark_and_crlf_are_not_errors_and_other_rules_stay(write_seed: SeedWriter) -> None:
    path = write_seed("a.md", "\ufeff---\r\ntitle: a\r\ntitle: b\r\n---\r\n", raw=True)
    assert messages(path) == [
        "seeds/a.md:3:1: duplicate key 'title' (first given on line 2); YAML would silently keep only the "
        "last one, so merge them",
    ]


@pytest.mark.parametrize(("bom", "crlf"), [(True, False), (False, True), (True, True)])
def test_a_windows_file_reads_exactly_as_the_lf_file(write_seed: SeedWriter, bom: bool, crlf: bool) -> None:
    plain, _ = read_seed(write_seed("a.md", GOOD_SEED), "seeds/a.md")
    windows, problems = read_seed(write_seed("b.md", as_windows(GOOD_SEED, bom=bom, crlf=crlf), raw=True), "seeds/a.md")
    assert problems == [] and plain is not None and windows is not None
    assert windows == replace(plain, stem="b")  # the same values, positions and body, without a \r
    assert "\r" not in windows.body and "\ufeff" not in windows.body


def test_a_byte_order_mark_alone_changes_nothing(write_seed: SeedWriter) -> None:
    plain, _ = read_seed(write_seed("a.md", GOOD_SEED), "seeds/x.md")
    marked, problems = read_seed(write_seed("b.md", "\ufeff" + GOOD_SEED, raw=True), "seeds/x.md")
    assert problems == [] and marked is not None and plain is not None
    assert (marked.meta, marked.positions, marked.key_positions) == (plain.meta, plain.positions, plain.key_positions)
    assert (marked.body, marked.body_line) == (plain.body, plain.body_line)
    assert marked.meta["title"] == "A test article"  # the mark is not read as text of the file


def test_positions_in_a_crlf_file_with_a_bom_are_those_of_the_lf_file(
    write_seed: SeedWriter, vocabulary: Vocabulary
) -> None:
    text = (
        GOOD_SEED.replace("summary:", "sumary:")  # line 8: unknown field, with a "did you mean"
        .replace("date: 2023?", "date: 2023-02-30")  # line 11, column 11
        .replace("the first “test”", "the  first “tests”")  # line 16: a quote not in the body
    )
    found = {}
    for name, variant in (("lf", text), ("windows", as_windows(text))):
        seed, problems = read_seed(write_seed(f"{name}.md", variant, raw=True), "seeds/a.md")
        assert seed is not None and problems == []
        found[name] = [str(p) for p in Validator(vocabulary).validate([seed])]
    assert found["windows"] == found["lf"]
    assert [line.split(": ")[0] for line in found["lf"]] == ["seeds/a.md:8:1", "seeds/a.md:11:11", "seeds/a.md:16:15"]
    assert "unknown field 'sumary'; did you mean 'summary'?" in found["windows"][0]


def test_syntax_errors_in_a_windows_file_are_placed_as_in_the_lf_file(write_seed: SeedWriter) -> None:
    for text in (
        "---\ntitle: a\n\tcountries: [UZ]\n---\n",
        '---\ntitle: a\ncountries: "never closed\n---\nbody\n',
        "---\ntitle: a\nlist: [a, b\n---\n",
        "---\na: &x [1]\nb: *x\n---\n",
        "---\ntitle: a\n",
        "title: a\n",
        "",
    ):
        assert messages(write_seed("a.md", as_windows(text), raw=True)) == messages(write_seed("a.md", text, raw=True))


def test_a_byte_order_mark_does_not_shift_columns_on_line_one(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"\xef\xbb\xbf--\xff-\r\ntitle: a\r\n---\r\n")
    assert messages(path) == [
        "seeds/a.md:1:3: the file is not valid UTF-8 (byte 0xff); save it with the UTF-8 encoding"
    ]
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: a\r\n---\r\nbody\r\nsecond caf\xe9 line\r\n")
    assert messages(path) == [
        "seeds/a.md:5:11: the file is not valid UTF-8 (byte 0xe9); save it with the UTF-8 encoding"
    ]


def test_a_quote_spanning_a_crlf_line_break_is_found(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    text = GOOD_SEED.replace("transplant was performed\n", "transplant was performed on a child\n").replace(
        "was performed on a child.", "was performed\non a child."
    )
    seed, problems = read_seed(write_seed("a.md", as_windows(text), raw=True))
    assert seed is not None and problems == []
    assert Validator(vocabulary).validate([seed]) == []
    evidence = seed.meta["milestones"][0]["evidence"]  # type: ignore[index,call-overload]
    assert evidence == "the first “test” transplant was performed on a child"
    found = locate(evidence, seed.body)
    assert found is not None
    start, end = found
    assert seed.body[start:end] == 'the first "test" transplant was performed\non a child'
    assert seed.body_position(start) == (18, 14) and seed.body_position(end) == (19, 11)


def test_a_lone_carriage_return_is_still_an_error(write_seed: SeedWriter) -> None:
    lone = "seeds/a.md:2:9: " + LONE_CR
    duplicate = "seeds/a.md:4:1: duplicate key 'title' (first given on line 2); YAML would silently keep only the "
    duplicate += "last one, so merge them"
    # Reading goes on with the CR as a line break, as YAML reads one, so the rest is checked too.
    assert messages(write_seed("a.md", "---\ntitle: a\rb: c\ntitle: d\n---\n", raw=True)) == [lone, duplicate]
    # Only the first is reported, at its place; a CRLF or a BOM around it changes nothing.
    windows = as_windows("---\ntitle: a\rb: c\ntitle: d\n---\nbody\r\r\n")
    assert messages(write_seed("a.md", windows, raw=True)) == [lone, duplicate]
    assert messages(write_seed("a.md", "---\ntitle: a\n---\nbody\r\r\n", raw=True)) == ["seeds/a.md:4:5: " + LONE_CR]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"---\ntitle: caf\xe9\n---\n")
    assert messages(path) == [
        "seeds/a.md:2:11: the file is not valid UTF-8 (byte 0xe9); save it with the UTF-8 encoding"
    ]


def test_no_front_matter(write_seed: SeedWriter) -> None:
    assert messages(write_seed("a.md", "title: a\n")) == [
        "seeds/a.md:1:1: the file must start with a line '---' that opens the YAML front matter"
    ]
    assert messages(write_seed("b.md", "---\ntitle: a\n")) == [
        "seeds/b.md:1:1: the front matter opened on line 1 is never closed; add a line '---' after it"
    ]
    assert messages(write_seed("c.md", "---\n- a\n---\n")) == [
        "seeds/c.md:2:1: the front matter must be a mapping of keys to values, such as 'title: ...'"
    ]


def test_alias_bomb_is_refused_quickly(write_seed: SeedWriter) -> None:
    lines = ["---", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = write_seed("a.md", "\n".join([*lines, "---", ""]))
    started = time.perf_counter()
    found = messages(path)
    assert time.perf_counter() - started < 2
    assert found == ["seeds/a.md:3:10: anchors and aliases (&name, *name) are not allowed; write the value out"]


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"---\ntitle: a\n---\n" + b"x" * MAX_FILE_BYTES)
    assert "a seed may be at most 1,000,000" in messages(path)[0]


def test_symlinked_seed_is_refused(tmp_path: Path, write_seed: SeedWriter) -> None:
    target = write_seed("real.md", GOOD_SEED)
    link = target.parent / "link.md"
    link.symlink_to(target)
    assert messages(link) == [
        "seeds/link.md:1:1: seed files must not be symbolic links; copy the file into the seeds folder"
    ]


def test_read_seeds_reads_every_file_and_only_markdown(write_seed: SeedWriter) -> None:
    write_seed("b.md", GOOD_SEED)
    write_seed("a.md", "no front matter")
    write_seed("notes.txt", "ignored")
    seeds, problems = read_seeds(write_seed("c.md", GOOD_SEED).parent, "seeds")
    assert [s.stem for s in seeds] == ["b", "c"]
    assert [p.path for p in problems] == ["seeds/a.md"]
