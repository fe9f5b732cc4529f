"""Live preview: `make serve` picks up seed edits and survives broken seeds."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import GOOD_SEED, REPO
from tests.test_write import snapshot
from timeline.preview import on_pre_build


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", tmp_path / "overrides")
    serve = (REPO / "mkdocs.serve.yml").read_text()
    serve = serve.replace("  - timeline/preview.py", f"  - {REPO / 'timeline' / 'preview.py'}")
    serve = serve.replace("  - templates\n", f"  - {REPO / 'templates'}\n").replace(
        "  - timeline\n", f"  - {REPO / 'timeline'}\n"
    )
    (tmp_path / "mkdocs.serve.yml").write_text(serve)
    (tmp_path / "docs").mkdir()
    shutil.copy(REPO / "docs" / "authoring.md", tmp_path / "docs" / "authoring.md")
    shutil.copytree(REPO / "docs" / "stylesheets", tmp_path / "docs" / "stylesheets")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.md").write_text(GOOD_SEED)
    return tmp_path


def config(project: Path) -> dict[str, str]:
    return {"config_file_path": str(project / "mkdocs.serve.yml"), "docs_dir": str(project / "docs")}


def test_hook_generates_and_keeps_the_last_good_pages(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    on_pre_build(config(project))
    assert (project / "docs/timeline/index.md").exists()
    before = snapshot(project / "docs")
    (project / "seeds/a.md").write_text(GOOD_SEED.replace("kind: first", "kind: firstt"))
    on_pre_build(config(project))
    error = capsys.readouterr().err
    assert "still serving the last good pages" in error
    assert "seeds/a.md:14:11: milestones[1].kind: unknown kind 'firstt'" in error
    assert snapshot(project / "docs") == before


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a loopback URL of our own
        return str(response.read().decode("utf-8"))


def wait_for(condition: str, url: str, deadline: float) -> str:
    while time.monotonic() < deadline:
        try:
            page = fetch(url)
            if condition in page:
                return page
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{condition!r} never appeared at {url}")


@pytest.fixture
def server(project: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    log = project / "serve.log"
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    with log.open("w") as stream:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-f", "mkdocs.serve.yml", "-a", f"127.0.0.1:{port}"],
            cwd=project,
            stdout=stream,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            yield f"http://127.0.0.1:{port}", log
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_serve_updates_within_seconds_and_survives_a_broken_seed(server: tuple[str, Path], project: Path) -> None:
    base, log = server
    wait_for("The first test transplant", f"{base}/timeline/", time.monotonic() + 60)
    seed = project / "seeds/a.md"
    seed.write_text(GOOD_SEED.replace("The first test transplant", "An edited title"))
    started = time.monotonic()
    wait_for("An edited title", f"{base}/timeline/", started + 20)
    assert time.monotonic() - started < 20
    seed.write_text(GOOD_SEED.replace("kind: first", "kind: firstt"))
    deadline = time.monotonic() + 20
    while "unknown kind 'firstt'" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.3)
    assert "unknown kind 'firstt'" in log.read_text()
    assert "An edited title" in fetch(f"{base}/timeline/")
    seed.write_text(GOOD_SEED.replace("The first test transplant", "Fixed again"))
    wait_for("Fixed again", f"{base}/timeline/", time.monotonic() + 20)
