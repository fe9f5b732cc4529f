"""The fast live preview: after each edit, `mkdocs serve` serves what a fresh `mkdocs build` of docs/ gives.

Each test drives the real `mkdocs serve -f mkdocs.serve.yml` (as `make serve`
does, through benchmarks.serve) on a synthetic corpus plus the test seed, edits
a seed or a file, waits until the edit shows, and compares every page the fresh
build has (HTML, the sitemap, which lists every page, and the search index)
with what the server serves. The only difference allowed is MkDocs' live-reload
script, which the server adds to every HTML page; the fresh build gets the
server's address as `site_url`, as `mkdocs serve` sets it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from benchmarks.serve import Server, candidates, fetch, make_project, measure, start, timeline_pages
from tests.conftest import GOOD_SEED

LIVERELOAD = re.compile(
    r"<script>\nvar livereload = function\(epoch, requestId\) \{.*?\nlivereload\(\d+, \d+\);\n</script>", re.S
)
FULL = "Rebuilding the whole site"


@dataclass
class Preview:
    root: Path
    server: Server
    builds: int = 0

    @property
    def seed(self) -> Path:
        return self.root / "seeds" / "a.md"

    def edit(self, path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def wait(self, page: str, text: str, timeout: float = 120) -> str:
        """The page once it is served with ``text``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = fetch(self.server.base + page, timeout=timeout)
            if body is not None and text in body:
                return body
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never appeared at {page}\n{self.log()[-3000:]}")

    def log(self) -> str:
        return self.server.log.read_text(encoding="utf-8")

    def fresh(self) -> Path:
        """A fresh `mkdocs build` of the same docs/ (mkdocs.yml alone, no hook), at the server's address."""
        self.builds += 1
        config = self.root / "mkdocs.fresh.yml"
        config.write_text(f"INHERIT: mkdocs.yml\nsite_url: {self.server.base}/\n", encoding="utf-8")
        site = self.root / f"fresh-{self.builds}"
        env = os.environ | {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
        command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(site)]
        subprocess.run(command, cwd=self.root, env=env, check=True, capture_output=True)
        return site

    def served(self, name: str) -> str:
        body = fetch(f"{self.server.base}/{name}")
        assert body is not None, f"{name} is not served"
        return LIVERELOAD.sub("", body, count=1) if name.endswith(".html") else body

    def assert_same_site(self, first: tuple[str, ...] = ()) -> int:
        """Every page of a fresh build is served as it is; so are its sitemap (every page) and search index.

        Pages named in ``first`` are fetched before the others, while the
        background may still be rebuilding them: a request for one waits.
        """
        site = self.fresh()
        names = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
        for name in [*first, *names]:
            assert self.served(name) == (site / name).read_text(encoding="utf-8"), name
        assert self.served("sitemap.xml") == (site / "sitemap.xml").read_text(encoding="utf-8")
        served = json.loads(self.served("search/search_index.json"))
        built = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
        assert {d["location"] for d in served["docs"]} == {d["location"] for d in built["docs"]}
        assert served == built
        return len(names)


def preview_of(root: Path) -> Iterator[Preview]:
    server = start(root, timeout=600)
    try:
        yield Preview(root, server)
    finally:
        server.stop()


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    """A preview of 40 synthetic articles and the test seed (one timeline page, every article searched in full)."""
    root = make_project(tmp_path / "project", 40)
    (root / "seeds" / "a.md").write_text(GOOD_SEED, encoding="utf-8")
    yield from preview_of(root)


def test_edits_rebuild_only_their_pages_and_serve_what_a_full_build_gives(preview: Preview) -> None:
    lists = (
        "countries/uz/index.html",
        "procedures/liver-transplant/index.html",
        "articles/index.html",
        "tags/index.html",
    )
    preview.edit(preview.seed, "The first test transplant", "The first edited transplant")
    preview.wait("/articles/a/", "The first edited transplant")
    preview.wait("/timeline/", "The first edited transplant")
    assert preview.assert_same_site(first=lists) > 40
    preview.edit(preview.seed, "A second paragraph.", "A second, edited paragraph.")
    preview.wait("/articles/a/", "A second, edited paragraph.")
    preview.assert_same_site()
    # The article's title: the list of articles, the timeline's sources and the tags listing change.
    preview.edit(preview.seed, "title: A test article", "title: A retitled article")
    preview.wait("/articles/a/", "A retitled article")
    preview.assert_same_site(first=lists)
    assert FULL not in preview.log()


def test_search_index_stays_whole_after_the_home_page_or_one_article_is_rebuilt(preview: Preview) -> None:
    def locations() -> set[str]:
        return {d["location"] for d in json.loads(preview.served("search/search_index.json"))["docs"]}

    before = locations()
    assert "" in before and len(before) > 100  # the home page's URL is empty
    # The earliest first of its country and procedure: the home page's table changes (and the timeline gets a year).
    preview.edit(preview.seed, "date: 2023?", "date: 1999")
    home = preview.wait("/", '<time datetime="1999">1999</time></span></a>')
    assert "uz-test-first" in home
    assert "" in locations() and "timeline/#year_1999" in locations()
    preview.assert_same_site()  # the same locations as a full build, and the same entries
    before = locations()
    preview.edit(preview.seed, "summary: A short summary.", "summary: A summary that search finds, zanzibarish.")
    preview.wait("/articles/a/", "zanzibarish")
    assert "zanzibarish" in preview.served("search/search_index.json")
    assert locations() == before
    preview.assert_same_site()
    assert FULL not in preview.log()


def test_what_a_page_rebuild_cannot_follow_rebuilds_the_whole_site(preview: Preview) -> None:
    full = 0

    def rebuilt_whole(reason: str) -> None:
        nonlocal full
        full += 1
        deadline = time.monotonic() + 120
        while preview.log().count(FULL) < full and time.monotonic() < deadline:
            time.sleep(0.1)
        assert preview.log().count(FULL) == full
        assert reason in preview.log().split(FULL)[-1].splitlines()[0]

    new = preview.root / "seeds" / "b.md"
    new.write_text(GOOD_SEED.replace("uz-test-first", "uz-test-second").replace("A test article", "Another"), "utf-8")
    preview.wait("/articles/b/", "Another")
    rebuilt_whole("articles/b.md is new")
    preview.assert_same_site()
    new.unlink()
    rebuilt_whole("generated files removed")
    assert fetch(f"{preview.server.base}/articles/b/") is None
    preview.assert_same_site()
    css = preview.root / "docs" / "stylesheets" / "timeline.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* edited */\n", encoding="utf-8")
    preview.wait("/stylesheets/timeline.css", "/* edited */")
    rebuilt_whole("stylesheets/timeline.css changed")
    preview.assert_same_site()
    preview.edit(preview.root / "mkdocs.yml", "site_name: ", "site_name: Edited ")
    preview.wait("/", "Edited Pediatric")
    rebuilt_whole("the configuration changed")
    preview.assert_same_site()
    # A hand-written page: its text alone is rebuilt; its title is in the navigation of every page.
    guide = preview.root / "docs" / "authoring.md"
    preview.edit(guide, "The site is built from", "An edited paragraph. The site is built from")
    preview.wait("/authoring/", "An edited paragraph.")
    preview.assert_same_site()
    assert preview.log().count(FULL) == full
    preview.edit(guide, "title: Authoring guide", "title: An edited guide")
    preview.wait("/", "An edited guide")
    rebuilt_whole("the title of authoring.md in the navigation changed")
    preview.assert_same_site()


def test_a_timeline_split_by_year_serves_the_year_page_as_a_full_build(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", 200)
    for preview in preview_of(root):
        where = timeline_pages(root / "docs")
        assert len(set(where.values())) > 5  # a page per year
        (seed, event), *_ = candidates(root / "seeds", 1)
        preview.edit(seed, "    title: ", "    title: Retitled ")
        article = preview.wait(f"/articles/{seed.stem}/", "Retitled ")
        year = preview.wait(where[event], "Retitled ")
        assert f'id="{event}"' in year and event in article
        preview.assert_same_site(first=(where[event].strip("/") + "/index.html",))
        assert FULL not in preview.log()


def test_the_serve_benchmark_reports_every_figure(tmp_path: Path) -> None:
    figures = measure(30, edits=1, workdir=tmp_path)
    assert set(figures) == {"first_build", "title_median", "title_max", "summary_median", "summary_max"}
    assert all(isinstance(v, float) and v > 0 for v in figures.values())
