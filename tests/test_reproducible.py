"""Same input, same output: byte for byte, in any folder, and a no-op run writes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.test_site import prepare
from tests.test_write import snapshot
from timeline.memo import cache_folder


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_generator_runs_give_identical_docs_and_a_rerun_writes_nothing(tmp_path: Path) -> None:
    first = prepare(REPO / "seeds", tmp_path / "one").parent / "docs"
    second = prepare(REPO / "seeds", tmp_path / "two").parent / "docs"
    assert tree(first) == tree(second)
    before = snapshot(first)
    command = [sys.executable, str(REPO / "build_timeline.py"), "--seeds", str(REPO / "seeds"), "--docs", str(first)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("Nothing changed since the last run")
    assert snapshot(first) == before
    shutil.rmtree(cache_folder(first))  # without the memo, the full run writes nothing either
    result = subprocess.run(command, capture_output=True, text=True)
    assert " 0 files written, 0 removed," in result.stdout
    assert snapshot(first) == before


def test_two_mkdocs_builds_give_identical_sites(tmp_path: Path) -> None:
    sites = []
    for name in ("one", "two"):
        config = prepare(REPO / "seeds", tmp_path / name)
        env = os.environ | {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
        site = config.parent / "site"
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)]
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
        sites.append(tree(site))
    assert sites[0].keys() == sites[1].keys()
    differing = [name for name in sites[0] if sites[0][name] != sites[1][name]]
    assert differing == []
    # The one timestamp MkDocs writes, the gzip header of the sitemap, is the day of SOURCE_DATE_EPOCH.
    assert int.from_bytes(sites[0]["sitemap.xml.gz"][4:8], "little") == 1700000000 // 86400 * 86400
