"""A larger synthetic corpus: the timeline splits by year and every link still resolves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from benchmarks.corpus import write_corpus
from benchmarks.run import Trash, bench
from tests.conftest import REPO
from tests.test_site import build, prepare
from timeline import render
from timeline.load import read_seeds
from timeline.model import article_text, model_seeds
from timeline.render import TIMELINE_PAGE_LIMIT
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary
from timeline.write import write_docs


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
    assert {str(a["href"]).rstrip("/") for a in index.select("article table a")} == set(years)
    for event in events[:: max(1, len(events) // 40)]:
        page, anchor = event["permalink"].split("#")
        html = BeautifulSoup((site / page / "index.html").read_text(encoding="utf-8"), "html.parser")
        assert html.find(id=anchor) is not None, event["permalink"]
        heading = html.select_one("article h1")
        assert heading is not None
        assert heading.get_text().rstrip("¶") == f"Timeline: {page.split('/')[1]}"  # each year's page says which year


def test_article_pages_stay_out_of_the_navigation(site: Path) -> None:
    page = (site / "articles/bench-00000/index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    nav_links = [a["href"] for a in soup.select("nav.md-nav--primary a[href]")]
    assert not [href for href in nav_links if "bench-" in href]
    assert len(page) < 60_000


def test_a_large_corpus_keeps_the_search_index_to_annotations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vocabulary: Vocabulary
) -> None:
    write_corpus(tmp_path / "seeds", 60)
    monkeypatch.setattr(render, "FULL_TEXT_SEARCH_LIMIT", 50)
    seeds, problems = read_seeds(tmp_path / "seeds")
    assert problems + Validator(vocabulary).validate(seeds) == []
    corpus, texts = model_seeds(seeds, vocabulary)
    config = prepare(REPO / "tests" / "fixtures" / "empty-seeds", tmp_path / "work")
    docs = config.parent / "docs"
    (docs / ".timeline-manifest.json").unlink()
    for name in [p for p in docs.rglob("*") if p.is_file() and p.parent != docs / "stylesheets"]:
        if name.name not in ("authoring.md", "methods.md", "tags.md", "timeline.js"):
            name.unlink()
    write_docs(docs, render.render_site(corpus, texts))
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(tmp_path / "site")]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    index = json.loads((tmp_path / "site/search/search_index.json").read_text(encoding="utf-8"))
    text = " ".join(f"{d['title']} {d['text']}" for d in index["docs"])
    article = corpus.articles[3]
    event = corpus.events[5]
    assert article.title in text  # articles by title
    assert event.title in text and event.places()[0] in text and event.institutions()[0] in text
    entries = [d for d in index["docs"] if d["location"].startswith(f"articles/{article.id}/")]
    assert [d["location"] for d in entries] == [f"articles/{article.id}/"]  # one entry an article
    body_sentence = article_text(texts[article.id], article)[1].segments[0].text.strip()[:60]
    assert body_sentence not in text  # the article text is not indexed
    listings = [
        d["location"] for d in index["docs"] if d["location"].startswith(("countries/", "procedures/", "tags/"))
    ]
    assert set(listings) == {"countries/", "procedures/"}  # the two short index tables; no per-country lists
    assert "tags" not in entries[0]  # per-article tags would repeat in every entry; lists do that job


def test_the_benchmark_measures_every_step_and_leaves_its_corpus_as_it_found_it(tmp_path: Path) -> None:
    trash = Trash(tmp_path)
    rows = dict(bench(40, tmp_path, with_mkdocs=False, trash=trash))
    steps = ["full generation (no memo)", "no-op rerun", "one-file edit: a summary", "one-file edit: a new article"]
    steps += ["one-file edit: that article removed", "empty docs/, memo kept", "full generation, ratio to the floor"]
    assert all(rows[step] for step in steps)
    # The chart rows time every chart the build drew, no fewer and no more.
    drawn = sum(
        p.read_text(encoding="utf-8").count('<svg class="tl-chart-svg"') for p in (tmp_path / "40").rglob("*.md")
    )
    assert drawn > 1
    assert f" for {drawn} charts, " in rows["charts: lay out and draw all (CPU time)"]
    assert len(list((tmp_path / "40" / "seeds").glob("*.md"))) == 40  # a second run reuses it
    # The docs/ it emptied for the run that keeps the cache was set aside, not deleted mid-run
    # (see Trash), and goes when the run is over.
    assert [p.name for p in trash.folder.iterdir()] == ["1-docs"]
    assert (tmp_path / "40" / "docs" / "index.md").exists()
    trash.empty()
    assert not trash.folder.exists()
