"""The data to take away, each file read back by a real library; JSON-LD, Open Graph and SITE_URL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import pytest
from bs4 import BeautifulSoup

from benchmarks.corpus import write_corpus
from tests.conftest import GOOD_SEED, REPO
from tests.test_site import build, page
from timeline.build import stamp
from timeline.dates import parse_date
from timeline.exports import (
    FEED_ENTRIES,
    exact_day,
    excel_csv,
    iso_coverage,
    json_ld,
    recorded,
    site_url,
    timelinejs_dates,
)
from timeline.load import read_seeds
from timeline.model import model_seeds
from timeline.render import CSV_COLUMN_NOTES, CSV_COLUMNS, JSON_FIELD_NOTES, SOURCE_FIELD_NOTES, render_site
from timeline.vocabulary import Vocabulary

ADDRESS = "https://example.org/central-asia/"
EXACT_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def generated(folders: list[Path], vocabulary: Vocabulary, address: str | None = None) -> dict[str, str]:
    """Every generated file for the seeds of these folders, as ``render_site`` makes them."""
    loaded = []
    for folder in folders:
        found, problems = read_seeds(folder, str(folder))
        assert problems == []
        loaded += found
    return render_site(*model_seeds(loaded, vocabulary), site_url=address)


@pytest.fixture(scope="module")
def files(vocabulary: Vocabulary) -> dict[str, str]:
    return generated([REPO / "seeds", REPO / "tests/fixtures/languages"], vocabulary, ADDRESS)


@pytest.fixture(scope="module")
def relative(vocabulary: Vocabulary) -> dict[str, str]:
    return generated([REPO / "seeds"], vocabulary)


def events_of(files: dict[str, str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(files["data/timeline.json"])["events"]
    return events


def raw(files: dict[str, str], path: str) -> bytes:
    return files[path].encode()


# --- Excel-friendly CSV


def test_the_excel_csv_is_the_csv_with_a_byte_order_mark_and_the_same_rows(files: dict[str, str]) -> None:
    data = raw(files, "data/timeline-excel.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    assert not raw(files, "data/timeline.csv").startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    plain = list(csv.reader(io.StringIO(files["data/timeline.csv"], newline="")))
    assert rows == plain  # the real seeds have no cell that looks like a formula
    assert rows[0] == list(CSV_COLUMNS)
    # Cyrillic survives: the Russian fixture's outlet, read back through the BOM.
    assert "Тестовое издание" in [row[CSV_COLUMNS.index("outlet")] for row in rows]


def test_the_excel_csv_guards_cells_that_excel_would_run_as_formulas() -> None:
    def record(*fields: str) -> str:
        stream = io.StringIO()
        csv.writer(stream, lineterminator="\r\n").writerow(fields)
        return stream.getvalue()

    rows = [
        record("a", '=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "\tTab", 'Ташкент, "центр"'),
        record("b", "a = b", "x-y", "2023-03-29", "../2023-03-29", "plain"),
    ]
    data = excel_csv(record("id", "c1", "c2", "c3", "c4", "c5", "c6"), rows)
    read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert read[1] == ["a", '\'=HYPERLINK("http://x","y")', "'+1", "'-2", "'@SUM(A1)", "'\tTab", 'Ташкент, "центр"']
    assert read[2] == ["b", "a = b", "x-y", "2023-03-29", "../2023-03-29", "plain"]
    assert data.decode("utf-8-sig").endswith(rows[1])  # rows without a formula are kept byte for byte


# --- Calendar


def test_the_calendar_has_exactly_the_events_dated_to_a_day_as_all_day_events(files: dict[str, str]) -> None:
    calendar = icalendar.Calendar.from_ical(raw(files, "data/timeline.ics"))
    items = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    events = events_of(files)
    by_uid = {str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_DNS, "pediatric-transplantation-central-asia.timeline"),
                             f"event/{e['id']}")): e for e in events}  # fmt: skip
    exact = {uid for uid, e in by_uid.items() if EXACT_DAY.fullmatch(e["date"])}
    assert set(items) == exact and 0 < len(exact) < len(events)
    for uid, item in items.items():
        event = by_uid[uid]
        start, end = item.decoded("DTSTART"), item.decoded("DTEND")
        assert type(start) is dt.date and type(end) is dt.date  # all day: VALUE=DATE, no time
        assert start.isoformat() == event["date"] == event["earliest"] == event["latest"]
        assert end - start == dt.timedelta(days=1)
        assert str(item["SUMMARY"]) == event["title"]
        assert str(item["URL"]) == ADDRESS + event["permalink"]
        assert event["sources"][0]["article_title"] in str(item["DESCRIPTION"])
        stamp_day = item.decoded("DTSTAMP").date().isoformat()
        published = [s["published"] for s in event["sources"] if s["published"]]
        days = [str(parse_date(p).earliest) for p in published]
        assert stamp_day == (max(days) if days else event["date"])
    # No day is invented: the events dated "by 29 March 2023" or "2022 – February 2026" are not there.
    text = files["data/timeline.ics"]
    assert "uz-first-pediatric-allogeneic-hsct" not in text and "by 29 March" not in text


def test_the_calendar_needs_no_address_and_its_uids_never_change(
    files: dict[str, str], relative: dict[str, str]
) -> None:
    with_address = icalendar.Calendar.from_ical(raw(files, "data/timeline.ics"))
    without = icalendar.Calendar.from_ical(raw(relative, "data/timeline.ics"))
    assert not [e for e in without.walk("VEVENT") if "URL" in e]
    assert all("timeline/#" in str(e["DESCRIPTION"]) for e in without.walk("VEVENT"))
    uids = {str(e["UID"]) for e in without.walk("VEVENT")}
    assert uids <= {str(e["UID"]) for e in with_address.walk("VEVENT")}
    assert all(uuid.UUID(u).version == 5 for u in uids)


def test_exact_day_is_only_an_unqualified_single_day() -> None:
    assert exact_day(parse_date("2023-03-29")) == dt.date(2023, 3, 29)
    for vague in ("2023-03", "2023", "2023-03-29?", "2023-03-29~", "../2023-03-29", "2023-03-29/2023-03-30", "202X"):
        assert exact_day(parse_date(vague)) is None, vague


# --- Atom feed


def test_the_feed_parses_with_every_event_of_a_small_corpus_newest_recorded_first(files: dict[str, str]) -> None:
    feed = feedparser.parse(raw(files, "data/milestones.atom"))
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    events = {e["id"]: e for e in events_of(files)}
    entries = feed.entries
    assert len(entries) == len(events)
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", e.id) for e in entries)
    assert len({e.id for e in entries}) == len(entries)
    stamps = [e.updated_parsed for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    assert feed.feed.updated_parsed == stamps[0]
    links = [e.link for e in entries]
    assert {link.removeprefix(ADDRESS) for link in links} == {e["permalink"] for e in events.values()}
    assert feed.feed.links[1]["href"] == ADDRESS + "data/milestones.atom"


def test_the_feed_holds_the_newest_recorded_events_of_a_larger_corpus(tmp_path: Path, vocabulary: Vocabulary) -> None:
    write_corpus(tmp_path, 60)  # about 170 events
    for seed in sorted(tmp_path.glob("*.md"))[::2]:  # half of them from undated sources: recorded by their own date
        text = seed.read_text(encoding="utf-8")
        seed.write_text(re.sub(r"^  published: .*\n", "", text, count=1, flags=re.M), encoding="utf-8")
    first = sorted(tmp_path.glob("*.md"))[0]  # undated, and an open end: recorded on its first day
    text = first.read_text(encoding="utf-8")
    first.write_text(re.sub(r"^    date: .*$", '    date: "2026-05/.."', text, count=1, flags=re.M), encoding="utf-8")
    loaded, problems = read_seeds(tmp_path, str(tmp_path))
    assert problems == []
    corpus, _ = model_seeds(loaded, vocabulary)
    assert len(corpus.events) > FEED_ENTRIES
    feed = feedparser.parse(generated([tmp_path], vocabulary, ADDRESS)["data/milestones.atom"].encode())
    assert feed.bozo == 0, feed.get("bozo_exception")
    # The definition, over every event whole: newest source's publication first, then the later event.
    newest = sorted(corpus.events, key=lambda e: (recorded(e), e.sort_key), reverse=True)[:FEED_ENTRIES]
    assert [entry.link.rsplit("#", 1)[1] for entry in feed.entries] == [e.id for e in newest]
    assert [entry.updated for entry in feed.entries] == [recorded(e).strftime("%Y-%m-%dT%H:%M:%SZ") for e in newest]
    assert feed.feed.updated == feed.entries[0].updated


def test_the_feeds_entry_ids_stay_when_the_address_changes_and_links_stay_relative(
    files: dict[str, str], relative: dict[str, str]
) -> None:
    with_address = feedparser.parse(raw(files, "data/milestones.atom"))
    without = feedparser.parse(raw(relative, "data/milestones.atom"))
    assert without.bozo == 0
    assert {e.id for e in without.entries} <= {e.id for e in with_address.entries}
    # Relative to the feed, which is in data/.
    assert all(e.link.startswith("../timeline/#") for e in without.entries)


# --- TimelineJS


def test_timelinejs_gives_only_the_known_parts_and_the_sites_wording(files: dict[str, str]) -> None:
    data = json.loads(files["data/timelinejs.json"])
    slides = {s["unique_id"]: s for s in data["events"]}
    events = events_of(files)
    assert list(slides) == [e["id"] for e in events]
    for event in events:
        slide = slides[event["id"]]
        assert slide["display_date"] == event["display"]
        assert slide["group"] == event["country"]
        assert "<" not in slide["text"]["headline"]
    allogeneic = slides["uz-first-pediatric-allogeneic-hsct"]  # 2022 – February 2026
    assert allogeneic["start_date"] == {"year": 2022} and allogeneic["end_date"] == {"year": 2026, "month": 2}
    by_day = [s for s in slides.values() if s["display_date"] == "by 29 March 2023"]
    assert by_day and all(s["start_date"] == {"year": 2023, "month": 3, "day": 29} for s in by_day)
    assert all("end_date" not in s for s in by_day)


@pytest.mark.parametrize(
    ("edtf", "expected"),
    [
        ("2023-03-29", {"start_date": {"year": 2023, "month": 3, "day": 29}}),
        ("2026-02", {"start_date": {"year": 2026, "month": 2}}),
        ("2023?", {"start_date": {"year": 2023}}),
        ("2022/..", {"start_date": {"year": 2022}}),
        ("../2025-11", {"start_date": {"year": 2025, "month": 11}}),
        ("2020/2024", {"start_date": {"year": 2020}, "end_date": {"year": 2024}}),
        ("202X", {"start_date": {"year": 2020}, "end_date": {"year": 2029}}),
        ("2023-21", {"start_date": {"year": 2023, "month": 3}, "end_date": {"year": 2023, "month": 5}}),
    ],
)
def test_timelinejs_dates(edtf: str, expected: dict[str, dict[str, int]]) -> None:
    assert timelinejs_dates(parse_date(edtf)) == expected


# --- JSON-LD


@pytest.mark.parametrize(
    ("edtf", "expected"),
    [
        ("2023-03-29", "2023-03-29"),
        ("2026-02", "2026-02"),
        ("2023~", "2023"),
        ("../2023-03-29", "../2023-03-29"),
        ("2022/2026-02", "2022/2026-02"),
        ("2022/..", "2022/.."),
        ("/2024", "../2024"),
        ("202X", "2020/2029"),
        ("2023-21", "2023-03/2023-05"),
    ],
)
def test_temporal_coverage_is_iso_8601_with_open_ends(edtf: str, expected: str) -> None:
    assert iso_coverage(parse_date(edtf)) == expected


def test_json_ld_cannot_close_its_script_element() -> None:
    hostile = {"headline": "</script><script>alert(1)</script><!-- & \u2028\u2029 >"}
    text = str(json_ld(hostile))
    assert not re.search("[<>&\u2028\u2029]", text)
    assert json.loads(text) == hostile


# --- SITE_URL


def test_site_url_is_checked_and_ends_in_a_slash() -> None:
    assert site_url(None) is None and site_url("") is None and site_url("  ") is None
    assert site_url("https://example.org/x") == "https://example.org/x/"
    assert site_url("https://example.org/x/") == "https://example.org/x/"
    for bad in ("javascript:alert(1)", "example.org", "https://exa mple.org/", 'https://example.org/"'):
        with pytest.raises(ValueError, match="SITE_URL must be an http"):
            site_url(bad)


def test_the_address_is_part_of_the_memos_stamp(vocabulary: Vocabulary) -> None:
    seeds, templates = REPO / "seeds", REPO / "templates"
    assert stamp(seeds, templates, vocabulary, False, None) != stamp(seeds, templates, vocabulary, False, ADDRESS)


def test_same_address_same_bytes(files: dict[str, str], vocabulary: Vocabulary) -> None:
    again = generated([REPO / "seeds", REPO / "tests/fixtures/languages"], vocabulary, ADDRESS)
    assert again == files


def test_a_run_with_another_address_rewrites_the_data_files(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.md").write_text(GOOD_SEED)
    (tmp_path / "docs").mkdir()
    command = [sys.executable, str(REPO / "build_timeline.py")]

    def run(address: str | None) -> subprocess.CompletedProcess[str]:
        env = {"PATH": "/usr/bin:/bin"} | ({"SITE_URL": address} if address is not None else {})
        return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, env=env)

    feed = tmp_path / "docs/data/milestones.atom"
    assert run(None).returncode == 0
    assert feedparser.parse(feed.read_bytes()).entries[0].link == "../timeline/#uz-test-first"
    result = run(ADDRESS)
    assert result.returncode == 0 and "0 removed" in result.stdout
    assert feedparser.parse(feed.read_bytes()).entries[0].link == f"{ADDRESS}timeline/#uz-test-first"
    assert run(ADDRESS).stdout.startswith("Nothing changed")
    before = feed.read_bytes()
    bad = run("javascript:alert(1)")
    assert bad.returncode == 1 and "SITE_URL must be an http(s) address" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert feed.read_bytes() == before


# --- The Data page


def test_the_data_page_lists_every_data_file_and_describes_every_column(files: dict[str, str]) -> None:
    data_page = files["data.md"]
    for name in files:
        if name.startswith("data/"):
            assert f"]({name})" in data_page, name
    assert [name for name, _ in CSV_COLUMN_NOTES] == list(CSV_COLUMNS)
    event = events_of(files)[0]
    documented = {n for names, _ in JSON_FIELD_NOTES for n in names.split(", ")}
    assert documented == set(event)
    documented_sources = {n for names, _ in SOURCE_FIELD_NOTES for n in names.split(", ")}
    assert documented_sources | {"in_headline"} == set(event["sources"][0])
    assert "](methods.md#licence)" in data_page and "](methods.md#cite)" in data_page


# --- The built site: head tags, JSON-LD, hostile text


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(REPO / "seeds", tmp_path_factory.mktemp("exports"), ADDRESS)


def scripts(soup: BeautifulSoup) -> list[dict[str, Any]]:
    return [json.loads(s.get_text()) for s in soup.select('script[type="application/ld+json"]')]


def test_article_pages_describe_their_source_as_a_news_article(site: Path) -> None:
    soup = page(site, "articles/uz-first-bmt-russian-hematologists")
    (article,) = scripts(soup)
    assert article["@type"] == "NewsArticle" and article["@context"] == "https://schema.org"
    assert article["headline"].startswith("In Uzbekistan, with the help of Russian hematologists")
    assert article["datePublished"] == "2023-03-29"
    assert article["publisher"] == {"@type": "Organization", "name": "The Eastern Herald"}
    assert article["inLanguage"] == "en"
    assert article["url"].startswith("https://easternherald.com/")
    assert scripts(page(site, "articles/uz-pediatric-surgery-capabilities"))[0]["datePublished"] == "2026-02"
    undated = scripts(page(site, "articles/uz-ncmc-first-allogeneic-bmt"))[0]
    assert "datePublished" not in undated  # no date is invented


def test_every_event_is_a_claim_with_its_date_as_temporal_coverage(site: Path) -> None:
    soup = page(site, "timeline")
    claims = {c["url"].removeprefix(ADDRESS + "timeline/#"): c for c in scripts(soup)}
    assert list(claims) == [str(h["id"]) for h in soup.select("article h3[id]")]
    assert all(c["@type"] == "Claim" for c in claims.values())
    assert claims["uz-first-pediatric-allogeneic-hsct"]["temporalCoverage"] == "2022/2026-02"
    assert claims["uz-first-bone-marrow-transplant-russian-hematologists"]["temporalCoverage"] == "../2023-03-29"
    assert claims["uz-first-bone-marrow-transplant-russian-hematologists"]["appearance"][0]["datePublished"] == (
        "2023-03-29"
    )


def test_every_page_has_open_graph_tags_a_description_and_the_feed(site: Path) -> None:
    pages = list(site.rglob("index.html"))
    assert len(pages) > 20
    for html in pages:
        soup = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser")
        path = html.parent.relative_to(site).as_posix()
        url = ADDRESS if path == "." else f"{ADDRESS}{path}/"
        head = soup.head
        assert head is not None
        meta = {m.get("property") or m.get("name"): m.get("content") for m in head.select("meta")}
        assert meta["og:title"] and meta["og:description"] and meta["description"], html
        assert meta["og:url"] == url, html
        assert meta["og:type"] == ("article" if path.startswith("articles/") and path != "articles" else "website")
        canonical = head.select_one('link[rel="canonical"]')
        assert canonical is not None and canonical["href"] == url
        feed = head.select_one('link[rel~="alternate"][type="application/atom+xml"]')
        assert feed is not None and feed["rel"] == ["alternate"]  # as feed readers split it into tokens
        # Not Material's exact link[rel=alternate] (another language): it would fetch data/sitemap.xml.
        assert 'rel="alternate"' not in html.read_text(encoding="utf-8")
        assert (html.parent / str(feed["href"])).resolve() == (site / "data" / "milestones.atom").resolve()
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{ADDRESS}timeline/</loc>" in sitemap


def test_the_data_page_is_in_the_nav_and_its_links_work(site: Path) -> None:
    soup = page(site, "data")
    assert "Data" in [a.get_text(strip=True) for a in page(site, "").select("nav a")]
    links = [str(a["href"]) for a in soup.select("#files_ + ul > li > a:first-child")]
    assert len(links) == 7
    for href in links:
        assert (site / "data" / href).resolve().is_file(), href
    citation = soup.select_one("#cite_ ~ blockquote")
    assert citation is not None and f"{ADDRESS}data/timeline.csv" in citation.get_text()


def test_hostile_text_stays_text_in_every_export(vocabulary: Vocabulary) -> None:
    files = generated([REPO / "tests/fixtures/hostile"], vocabulary, ADDRESS)
    feed = feedparser.parse(raw(files, "data/milestones.atom"))
    assert feed.bozo == 0
    assert feed.entries[0].title.startswith("<script>alert('milestone')</script>")  # text, as written
    assert "<script" not in files["data/milestones.atom"]  # escaped in the XML
    calendar = icalendar.Calendar.from_ical(raw(files, "data/timeline.ics"))
    assert calendar.walk("VEVENT") == []  # its date is a year
    slide = json.loads(files["data/timelinejs.json"])["events"][0]
    assert "<script" not in slide["text"]["headline"] and "<script" not in slide["text"]["text"]
    text = BeautifulSoup(slide["text"]["text"], "html.parser")
    assert not text.find_all(["script", "img", "iframe", "svg", "details"])
    assert all(not a.attrs.keys() - {"href"} and str(a["href"]).startswith("https://") for a in text.find_all("a"))
    for name in ("articles/hostile.md", "timeline/index.md"):
        for script in re.findall(r'<script type="application/ld\+json">(.*?)</script>', files[name]):
            assert "<" not in script and json.loads(script)
