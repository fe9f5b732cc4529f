"""The generated site builds with MkDocs, Zensical and ProperDocs, with the same pages.

Material for MkDocs reaches end of life on 5 May 2027; Zensical (its
successor) and ProperDocs (the maintained MkDocs 1.x fork) are the roads
forward, so the generated Markdown must stay engine-neutral.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import REPO
from tests.test_site import prepare

ENV = os.environ | {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"}


def pages(site: Path) -> set[str]:
    return {str(p.relative_to(site)) for p in site.rglob("*.html")}


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare(REPO / "seeds", tmp_path_factory.mktemp("engines"))


@pytest.fixture(scope="module")
def mkdocs_site(config: Path) -> Path:
    site = config.parent / "site-mkdocs"
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(site)]
    result = subprocess.run(command, capture_output=True, text=True, env=ENV)
    assert result.returncode == 0, result.stderr
    return site


def test_zensical_builds_the_same_pages(config: Path, mkdocs_site: Path) -> None:
    zensical = Path(sys.executable).parent / "zensical"
    result = subprocess.run(
        [str(zensical), "build", "--strict", "-f", str(config)], capture_output=True, text=True, env=ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = config.parent / "site"
    assert pages(site) == pages(mkdocs_site)
    timeline = BeautifulSoup((site / "timeline/index.html").read_text(encoding="utf-8"), "html.parser")
    reference = BeautifulSoup((mkdocs_site / "timeline/index.html").read_text(encoding="utf-8"), "html.parser")
    assert [h["id"] for h in timeline.select("h3[id]")] == [h["id"] for h in reference.select("article h3[id]")]
    assert len(timeline.select("time[datetime]")) == len(reference.select("article time[datetime]"))
    article = (site / "articles/uz-pediatric-surgery-capabilities/index.html").read_text(encoding="utf-8")
    expected = (mkdocs_site / "articles/uz-pediatric-surgery-capabilities/index.html").read_text(encoding="utf-8")
    assert article.count("<mark>") == expected.count("<mark>") > 0


def test_properdocs_builds_the_same_pages(config: Path, mkdocs_site: Path) -> None:
    site = config.parent / "site-properdocs"
    properdocs = Path(sys.executable).parent / "properdocs"
    command = [str(properdocs), "build", "--strict", "-f", str(config), "-d", str(site)]
    result = subprocess.run(command, capture_output=True, text=True, env=ENV)
    assert result.returncode == 0, result.stderr
    assert pages(site) == pages(mkdocs_site)
