"""Hostile and broken seed files: one rule each, all reported in one run, docs/ untouched.

The files are in tests/fixtures/bad/ (byte-exact: see .gitattributes); the
very large file is made by the test rather than committed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_write import snapshot
from timeline.load import MAX_FILE_BYTES, read_seed
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary

BAD = REPO / "tests" / "fixtures" / "bad"
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
