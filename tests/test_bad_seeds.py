"""Hostile and broken seed files: one rule each, all reported in one run, docs/ untouched.

The files are in tests/fixtures/bad/ (byte-exact: see .gitattributes); the
very large file is made by the test rather than committed. What Windows
editors write (a byte-order mark, CRLF line endings) is not an error: those
files are in tests/fixtures/windows/ and must read as the same file with LF.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import GOOD_SEED, REPO
from tests.test_write import snapshot
from timeline.load import MAX_FILE_BYTES, read_seed
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary

BAD = REPO / "tests" / "fixtures" / "bad"
WINDOWS = REPO / "tests" / "fixtures" / "windows"
PAIRED = {"id-collides-a.md"}
"""Valid alone: its problem (a second file with the same id) is reported on its partner."""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad")
    shutil.copytree(BAD, root / "seeds")
    (root / "seeds" / "very-large.md").write_bytes(b"---\ntitle: big\n---\n" + b"word " * (MAX_FILE_BYTES // 5 + 10))
    (root / "docs").mkdir()
    (root / "docs" / "authoring.md").write_text("hand-written")
    return root


def test_every_bad_file_is_reported_in_one_run_and_docs_is_untouched(project: Path) -> None:
    before = snapshot(project / "docs")
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(REPO / "build_timeline.py")], cwd=project, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"\d+ problems in \d+ files; nothing was written\.", lines[-1])
    reported = {re.match(r"seeds/([^:]+):\d+:\d+: \S", line).group(1) for line in lines[:-1]}  # type: ignore[union-attr]
    expected = {p.name for p in (project / "seeds").glob("*.md")} - PAIRED
    assert reported == expected
    assert snapshot(project / "docs") == before
    assert elapsed < 15, f"{elapsed:.1f} s for {len(expected)} bad files"


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.glob("*.md") if p.name not in PAIRED))
def test_each_bad_file_alone_fails_quickly_with_a_location(name: str, vocabulary: Vocabulary, tmp_path: Path) -> None:
    shutil.copy(BAD / name, tmp_path / name)
    if name == "id-collides-b.md":
        shutil.copy(BAD / "id-collides-a.md", tmp_path / "id-collides-a.md")
    started = time.perf_counter()
    seeds = [read_seed(p, f"seeds/{p.name}") for p in sorted(tmp_path.glob("*.md"))]
    problems = [problem for _, found in seeds for problem in found]
    problems += Validator(vocabulary).validate([seed for seed, _ in seeds if seed is not None])
    assert time.perf_counter() - started < 2
    assert problems, name
    assert all(p.line >= 1 and p.column >= 1 for p in problems)


def test_the_very_large_file(project: Path) -> None:
    started = time.perf_counter()
    _, problems = read_seed(project / "seeds" / "very-large.md", "seeds/very-large.md")
    assert time.perf_counter() - started < 1
    assert [str(p) for p in problems] == [
        f"seeds/very-large.md:1:1: the file is {(project / 'seeds' / 'very-large.md').stat().st_size:,} bytes; "
        f"a seed may be at most {MAX_FILE_BYTES:,} (is this really one article?)"
    ]


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("yaml11-no-as-kind.md", "unknown kind 'NO'"),
        ("yaml11-yes-as-basis.md", "got 'yes'"),
        ("yaml11-on-as-country.md", "'on'"),
        ("yaml11-exponent.md", "got '1e3'"),
        ("yaml11-unquoted-impossible-date.md", "February 2023 has no day 30"),
    ],
)
def test_yaml_1_1_traps_are_read_as_written(name: str, quoted: str, vocabulary: Vocabulary) -> None:
    seed, found = read_seed(BAD / name)
    assert seed is not None and found == []
    assert any(quoted in p.message for p in Validator(vocabulary).validate([seed]))


@pytest.mark.parametrize("name", sorted(p.name for p in WINDOWS.glob("*.md")))
def test_windows_files_are_valid_and_read_as_the_lf_file(name: str, vocabulary: Vocabulary, tmp_path: Path) -> None:
    data = (WINDOWS / name).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") or b"\r\n" in data  # the fixture is still what it says
    (tmp_path / name).write_text(GOOD_SEED, encoding="utf-8")
    plain, _ = read_seed(tmp_path / name, f"seeds/{name}")
    seed, problems = read_seed(WINDOWS / name, f"seeds/{name}")
    assert seed is not None and problems == []
    assert Validator(vocabulary).validate([seed]) == []
    assert seed == plain


def test_windows_line_endings_keep_the_other_rules(vocabulary: Vocabulary) -> None:
    def found(name: str) -> list[str]:
        seed, problems = read_seed(BAD / name, "seeds/x.md")
        return [str(p) for p in problems + (Validator(vocabulary).validate([seed]) if seed else [])]

    assert (BAD / "unknown-field-bom-crlf.md").read_bytes().startswith(b"\xef\xbb\xbf---\r\n")
    assert (
        found("unknown-field-bom-crlf.md")
        == found("unknown-field.md")
        == [
            "seeds/x.md:8:1: sumary: unknown field 'sumary'; did you mean 'summary'? known fields: id, title, "
            "source, countries, tags, summary, milestones"
        ]
    )
    assert found("lone-carriage-return.md") == [
        "seeds/x.md:20:9: a carriage return (CR) that is not part of a CRLF line ending (old Mac line endings, "
        "or a stray control character); save the file with LF or CRLF line endings"
    ]
