"""A larger synthetic corpus: the timeline splits by year and every link still resolves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from benchmarks.corpus import write_corpus
from tests.test_site import build
from timeline.render import TIMELINE_PAGE_LIMIT


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scale")
    write_corpus(root / "seeds", 200)
    (root / "work").mkdir()
    return build(root / "seeds", root / "work")


def test_a_large_timeline_has_a_page_per_year(site: Path) -> None:
    events = json.loads((site / "data/timeline.json").read_text(encoding="utf-8"))["events"]
    assert len(events) > TIMELINE_PAGE_LIMIT
    years = sorted({e["permalink"].split("/")[1] for e in events})
    assert all((site / "timeline" / year / "index.html").exists() for year in years)
    index = BeautifulSoup((site / "timeline/index.html").read_text(encoding="utf-8"), "html.parser")
    assert {a["href"].rstrip("/") for a in index.select("article table a")} == set(years)
    for event in events[:: max(1, len(events) // 40)]:
        page, anchor = event["permalink"].split("#")
        html = BeautifulSoup((site / page / "index.html").read_text(encoding="utf-8"), "html.parser")
        assert html.find(id=anchor) is not None, event["permalink"]


def test_article_pages_stay_out_of_the_navigation(site: Path) -> None:
    page = (site / "articles/bench-00000/index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    nav_links = [a["href"] for a in soup.select("nav.md-nav--primary a[href]")]
    assert not [href for href in nav_links if "bench-" in href]
    assert len(page) < 60_000
