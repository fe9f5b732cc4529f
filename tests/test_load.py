"""Load: front matter as strings with positions; broken files caught with a location."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import GOOD_SEED, SeedWriter
from timeline.load import MAX_FILE_BYTES, read_seed, read_seeds


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


def test_byte_order_mark_and_crlf_are_reported_and_parsing_goes_on(write_seed: SeedWriter) -> None:
    path = write_seed("a.md", "\ufeff---\r\ntitle: a\r\ntitle: b\r\n---\r\n", raw=True)
    assert messages(path) == [
        "seeds/a.md:1:1: the file starts with a byte-order mark; save it as UTF-8 without BOM",
        "seeds/a.md:1:1: the file has Windows (CRLF) or old Mac (CR) line endings; save it with LF line endings",
        "seeds/a.md:3:1: duplicate key 'title' (first given on line 2); YAML would silently keep only the "
        "last one, so merge them",
    ]


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
