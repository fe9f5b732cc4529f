"""Write: only generated files, only when changed, all or nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from timeline.write import MANIFEST, Content, WriteError, write_docs


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and modification time, to prove what a run touched."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "authoring.md").write_text("hand-written")
    return folder


def test_first_run_writes_everything_and_a_manifest(docs: Path) -> None:
    report = write_docs(docs, {"index.md": "home", "articles/a.md": "A"})
    assert report.written == ("articles/a.md", "index.md")
    assert (docs / "articles/a.md").read_text() == "A"
    assert (docs / MANIFEST).exists()
    assert (docs / "authoring.md").read_text() == "hand-written"


def test_a_run_with_nothing_changed_writes_nothing(docs: Path) -> None:
    files = {"index.md": "home", "articles/a.md": "A"}
    write_docs(docs, files)
    before = snapshot(docs)
    report = write_docs(docs, files)
    assert report.written == () and report.removed == ()
    assert snapshot(docs) == before


def test_only_changed_files_are_rewritten(docs: Path) -> None:
    write_docs(docs, {"index.md": "home", "articles/a.md": "A"})
    before = snapshot(docs)
    report = write_docs(docs, {"index.md": "home", "articles/a.md": "A2"})
    assert report.written == ("articles/a.md",)
    after = snapshot(docs)
    assert after["index.md"] == before["index.md"]


def test_pages_of_removed_articles_are_removed(docs: Path) -> None:
    write_docs(docs, {"index.md": "home", "articles/a.md": "A", "articles/b.md": "B"})
    report = write_docs(docs, {"index.md": "home"})
    assert report.removed == ("articles/a.md", "articles/b.md")
    assert not (docs / "articles").exists()
    assert (docs / "authoring.md").exists()


def test_hand_written_pages_are_never_overwritten(docs: Path) -> None:
    before = snapshot(docs)
    with pytest.raises(WriteError, match="exists but was not generated"):
        write_docs(docs, {"authoring.md": "generated", "index.md": "home"})
    assert snapshot(docs) == before


@pytest.mark.parametrize("name", ["../escape.md", "/etc/passwd", "a/../../b.md", ""])
def test_paths_outside_docs_are_refused(docs: Path, name: str) -> None:
    with pytest.raises(WriteError, match="outside the docs folder"):
        write_docs(docs, {name: "x"})


def test_writing_through_a_symlink_is_refused(docs: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (docs / "articles").symlink_to(outside)
    with pytest.raises(WriteError, match="symbolic link"):
        write_docs(docs, {"articles/a.md": "x"})
    assert list(outside.iterdir()) == []


def test_a_full_disk_midway_leaves_docs_as_it_was(docs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_docs(docs, {"index.md": "home", "articles/a.md": "A"})
    before = snapshot(docs)
    real_fdopen = os.fdopen
    calls = {"n": 0}

    class FullDisk:
        def __init__(self, handle: int) -> None:
            self.stream = real_fdopen(handle, "wb")

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.stream.close()

        def write(self, data: bytes) -> int:
            calls["n"] += 1
            if calls["n"] >= 4:  # a.md, b.md, uz.md, then the data file
                raise OSError(28, "No space left on device")
            return self.stream.write(data)

    monkeypatch.setattr(os, "fdopen", lambda handle, mode: FullDisk(handle))
    new: dict[str, Content] = {"index.md": "home 2", "articles/a.md": "A 2", "articles/b.md": "B"}
    new["countries/uz.md"] = "UZ"
    new["data/timeline.json"] = b"[1]"
    with pytest.raises(WriteError, match="No space left on device"):
        write_docs(docs, new)
    assert snapshot(docs) == before
    assert calls["n"] == 4
    assert not (docs / "countries").exists()
    assert not (docs / "data").exists()
