"""End to end: the real generator and the real ``mkdocs build --strict``, then the HTML."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from tests.conftest import REPO

HTML_DATETIME = re.compile(r"\d{4}(-\d\d(-\d\d(T[\d:]+(Z|[+-][\d:]+)?)?)?)?")


def environment(site_url: str | None = None) -> dict[str, str]:
    """The environment of `make site`: SITE_URL as given (unset when None), reproducible dates."""
    env = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    env |= {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"}
    return env | ({"SITE_URL": site_url} if site_url else {})


def prepare(seeds: Path, workdir: Path, site_url: str | None = None) -> Path:
    """A scratch copy of the project with the pages generated from ``seeds``; returns mkdocs.yml."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", workdir / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", workdir / "overrides", dirs_exist_ok=True)
    manifest = REPO / "docs" / ".timeline-manifest.json"
    generated = set(json.loads(manifest.read_text())["files"]) if manifest.exists() else set()
    shutil.copytree(
        REPO / "docs",
        workdir / "docs",
        ignore=lambda folder, names: [
            n for n in names if n.startswith(".") or str((Path(folder) / n).relative_to(REPO / "docs")) in generated
        ],
    )
    run = [sys.executable, str(REPO / "build_timeline.py"), "--seeds", str(seeds), "--docs", str(workdir / "docs")]
    result = subprocess.run(run, capture_output=True, text=True, env=environment(site_url))
    assert result.returncode == 0, result.stderr
    return workdir / "mkdocs.yml"


def build(seeds: Path, workdir: Path, site_url: str | None = None) -> Path:
    """Generate and build a site as `make site` does, in a scratch copy of the project."""
    prepare(seeds, workdir, site_url)
    env = environment(site_url)
    mkdocs = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(workdir / "mkdocs.yml")]
    result = subprocess.run([*mkdocs, "-d", str(workdir / "site")], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return workdir / "site"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(REPO / "seeds", tmp_path_factory.mktemp("real"))


def page(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def events(site: Path) -> list[dict[str, object]]:
    data = json.loads((site / "data" / "timeline.json").read_text(encoding="utf-8"))
    assert isinstance(data["events"], list)
    return data["events"]


def test_every_page_exists(site: Path) -> None:
    for path in ["", "timeline", "articles", "countries", "authoring", "methods", "vocabularies"]:
        assert (site / path / "index.html").exists(), path
    for code in ["uz", "kg", "kz", "tj", "tm"]:
        assert (site / "countries" / code / "index.html").exists(), code
    assert len(list((site / "articles").glob("*/index.html"))) == 5


def test_timeline_lists_every_event_in_order_with_a_stable_anchor(site: Path) -> None:
    soup = page(site, "timeline")
    ids = [str(h["id"]) for h in soup.select("article h3[id]")]
    assert ids == [e["id"] for e in events(site)]
    years = [h.get_text(strip=True).rstrip("¶") for h in soup.select("article h2[id^=year_]")]
    assert years == sorted(years) and len(years) == len(set(years))


def test_time_elements_carry_no_invented_precision(site: Path) -> None:
    soup = page(site, "timeline")
    by_id = {e["id"]: e for e in events(site)}
    for heading in soup.select("article h3[id]"):
        event = by_id[str(heading["id"])]
        meta = heading.find_next_sibling("p")
        assert isinstance(meta, Tag)
        span = meta.select_one(".tl-date")
        assert span is not None and span["data-edtf"] == event["date"]
        assert span.get_text() == event["display"]
        for time in span.select("time"):
            value = str(time["datetime"])
            assert HTML_DATETIME.fullmatch(value), value
            assert value in str(event["date"]), (value, event["date"])


def test_sources_link_to_highlighted_quotes(site: Path) -> None:
    for event in events(site):
        for source in event["sources"]:  # type: ignore[attr-defined]
            article, anchor = source["page"].rstrip("/").split("/#")
            soup = page(site, article)
            target = soup.find(id=anchor)
            assert target is not None, source["page"]
            mark = target.find_next("mark")
            assert mark is not None
            quote = re.sub(r"\s+", " ", source["evidence"])
            highlighted = " ".join(m.get_text() for m in soup.find_all("mark"))
            assert quote.split()[0] in mark.get_text()
            assert all(word in highlighted for word in quote.split()[:5])


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    checked = 0
    for html in site.rglob("*.html"):
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for link in soup.select("article a[href]"):
            href = str(link["href"])
            if href.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, fragment = href.partition("#")
            path = path.partition("?")[0]  # a query (the chart's filtered lists) leaves the page the same
            target = (html.parent / path).resolve() if path else html
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), (html, href)
            if fragment and target.suffix == ".html":
                other = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
                assert other.find(id=fragment) is not None, (html, href)
            checked += 1
    assert checked > 100


def event_section(soup: BeautifulSoup, event_id: str) -> list[Tag]:
    heading = soup.find(id=event_id)
    assert heading is not None
    section: list[Tag] = []
    for sibling in heading.find_next_siblings():
        if sibling.name in ("h2", "h3"):
            break
        section.append(sibling)
    return section


def test_agreeing_sources_a_contested_first_and_inferred_dates_are_shown(site: Path) -> None:
    soup = page(site, "timeline")
    section = event_section(soup, "uz-first-pediatric-allogeneic-hsct")
    text = " ".join(s.get_text(" ", strip=True) for s in section)
    dates = [d.get_text() for s in section for d in s.select(".tl-date")]
    # Two sources agree: the narrowest date both allow, and what each one says.
    assert dates[0] == "2022 – February 2026"
    assert {"2022 or later", "by February 2026"} <= set(dates)
    assert "Sources disagree" not in text and "2 sources agree" in text and "What each source says" in text
    assert "How the date was inferred" in text
    # The headline of the Russian hematologists' article claims a first of the same family.
    assert "Contested first" in text
    rival = [
        a["href"]
        for s in section
        for a in s.select("a[href$='#uz-first-bone-marrow-transplant-russian-hematologists']")
    ]
    assert rival
    other = " ".join(
        s.get_text(" ", strip=True)
        for s in event_section(soup, "uz-first-bone-marrow-transplant-russian-hematologists")
    )
    assert "Contested first" in other and "(headline)" in other and "The Eastern Herald, 29 March 2023" in other


def test_home_firsts_table_links_to_events(site: Path) -> None:
    soup = page(site, "")
    links = {str(a["href"]) for a in soup.select("article table a[href*='timeline/#']")}
    assert "timeline/#kg-first-pediatric-autologous-hsct" in links
    assert "timeline/#uz-first-pediatric-liver-transplant" in links


def test_search_index_has_events_and_articles(site: Path) -> None:
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "First autologous bone marrow transplant in a child in Kyrgyzstan" in index
    assert "National Children" in index


def test_every_page_names_the_licence_in_its_footer(site: Path) -> None:
    for html in site.rglob("*.html"):
        footer = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").select_one(".md-copyright__highlight")
        assert footer is not None, html
        assert "CC BY 4.0" in footer.get_text() and "quotations remain their publishers" in footer.get_text(), html
        link = footer.select_one("a[href]")
        assert link is not None and link["href"] == "https://creativecommons.org/licenses/by/4.0/", html


def test_no_third_party_requests(site: Path) -> None:
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text, html


def test_hostile_seed_never_becomes_live_markup(tmp_path: Path) -> None:
    site = build(REPO / "tests" / "fixtures" / "hostile", tmp_path)
    pages = list(site.rglob("*.html"))
    assert len(pages) > 5
    for html in pages:
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], (html, tag)
            for attribute in ("href", "src", "action", "formaction"):
                value = re.sub(r"[\s\x00-\x1f]", "", str(tag.get(attribute, ""))).lower()
                assert not value.startswith(("javascript:", "vbscript:", "data:")), (html, tag)
        assert not soup.find_all(["iframe", "object", "embed", "frame", "base", "form"], action=True), html
        assert not soup.find_all(["iframe", "object", "embed"]), html
        for tag in soup.find_all(True):
            # A description or a title in a <meta> tag is the hostile text itself, escaped: inert.
            values = [v for name, v in tag.attrs.items() if not (tag.name == "meta" and name == "content")]
            assert not any("alert(" in str(value) for value in values), (html, tag)
        for script in soup.find_all("script"):
            if script.get("type") == "application/ld+json":  # data, not code: JSON with no markup in it
                assert not re.search(r"[<>&\u2028\u2029]", script.get_text()), (html, script)
                json.loads(script.get_text())
                continue
            assert "alert" not in script.get_text(), html
        for image in soup.find_all("img"):
            assert image.get("src") != "x", html
    article = next(site.glob("articles/*/index.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;alert('body')&lt;/script&gt;" in article or "&lt;script&gt;alert(&#x27;body" in article


def test_the_vocabularies_page_shows_the_countries_in_use_and_folds_the_rest(site: Path) -> None:
    soup = page(site, "vocabularies")
    folded = soup.select_one("details")
    assert folded is not None
    hidden = {code.get_text() for code in folded.select("td code")}
    shown = {code.get_text() for code in soup.select("#countries_ ~ table td code")}
    assert {"UZ", "KG", "KZ", "TJ", "TM", "RU"} <= shown  # the region, then what the articles name
    assert "NO" in hidden and "UZ" not in hidden and "RU" not in hidden
    assert len(hidden) > 200 and not shown & hidden
    assert "Узбекистан" in soup.get_text()  # the region's other names


def test_an_articles_tags_are_in_a_readers_alphabetical_order(site: Path) -> None:
    """Lower-case tags sit among the capitalised ones, not after all of them."""
    soup = page(site, "articles/uz-pediatric-surgery-capabilities")
    shown = [tag.get_text(strip=True) for tag in soup.select(".md-tags .md-tag")]
    assert "accreditation" in shown and "Uzbekistan" in shown
    assert shown == sorted(shown, key=str.casefold)
