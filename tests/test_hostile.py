"""Hostile content in every annotation field and in the body: nothing becomes live markup.

Each payload carries a marker (XSS<n>). The test builds the real site with
the real MkDocs and parses every HTML page: a marker inside an attribute, a
script or a style means something from a seed became markup.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.test_site import build

PAYLOADS = [
    "<script>alert(MARK)</script>",
    "<img src=x onerror=alert(MARK)>",
    '<svg onload="alert(MARK)"></svg>',
    "<details open ontoggle=alert(MARK)>x</details>",
    "<iframe src=https://evil.example/MARK></iframe>",
    "<a href='javascript:alert(MARK)'>x</a>",
    "[click](javascript:alert(MARK))",
    "[click](&#106;avascript:alert(MARK))",
    "[click](java\tscript:alert(MARK))",
    "<https://evil.example/MARK>",
    "![img](https://evil.example/MARK.png)",
    "[r]: javascript:alert(MARK)",
    "text {: onclick=alert(MARK) }",
    "{: .x onmouseover=alert(MARK) }",
    "<style>body{background:url(MARK)}</style>",
    "<div markdown=1>*MARK*</div>",
    "??? danger MARK",
    "~~~ MARK",
    "| MARK | cell |",
    '" onmouseover="alert(MARK)',
    "' onfocus='alert(MARK)' autofocus='",
    "<!-- MARK --><p>MARK</p>",
    "&lt;script&gt;alert(MARK)&lt;/script&gt;",
]
FIELDS = ["title", "outlet", "author", "summary", "date_note", "place", "institution", "milestone_title"]


def yaml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def hostile_seed(index: int, payload: str) -> str:
    mark = f"XSS{index}"
    value = {field: payload.replace("MARK", f"{mark}{field}") for field in FIELDS}
    evidence = payload.replace("MARK", f"{mark}evidence")
    return f"""---
title: {yaml_string(value["title"])}
source:
  outlet: {yaml_string(value["outlet"])}
  url: "https://example.org/a_(b)?q={{x}}&r=[1]*_"
  author: {yaml_string(value["author"])}
countries: [UZ]
tags: [xss-{index}]
summary: {yaml_string(value["summary"])}
milestones:
  - id: hostile-{index}
    date: "2024"
    date_basis: inferred
    date_note: {yaml_string(value["date_note"])}
    country: UZ
    place: {yaml_string(value["place"])}
    institution: {yaml_string(value["institution"])}
    procedure: hsct
    kind: first
    title: {yaml_string(value["milestone_title"])}
    evidence: {yaml_string(evidence)}
---
{evidence} and then some text.

{payload.replace("MARK", f"{mark}body")}

## {payload.replace("MARK", f"{mark}heading")}

{payload.replace("MARK", f"{mark}last")}
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    seeds = root / "seeds"
    seeds.mkdir()
    for index, payload in enumerate(PAYLOADS):
        (seeds / f"hostile-{index}.md").write_text(hostile_seed(index, payload), encoding="utf-8")
    work = root / "work"
    work.mkdir()
    return build(seeds, work)


def test_every_payload_reaches_the_pages_as_text(site: Path) -> None:
    text = " ".join(
        BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").get_text(" ") for p in site.rglob("*.html")
    )
    for index in range(len(PAYLOADS)):
        for field in [*FIELDS, "evidence", "body", "heading", "last"]:
            if "<!--" in PAYLOADS[index] and field != "evidence":
                continue
            assert f"XSS{index}{field}" in text, (index, field)


def test_no_marker_becomes_markup(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(True):
            for name, value in tag.attrs.items():
                values = value if isinstance(value, list) else [value]
                # A page's description and title in <meta content> are the payload as text (escaped): inert.
                if not (tag.name == "meta" and name == "content"):
                    assert not any("XSS" in str(v) for v in values), (page, tag.name, name, value)
                assert not name.lower().startswith("on"), (page, tag)
            if tag.name == "script" and tag.get("type") == "application/ld+json":
                # Data, not code: JSON in which no <, > or & can end the element or start markup.
                assert not re.search("[<>&\u2028\u2029]", tag.get_text()), (page, tag)
                json.loads(tag.get_text())
            elif tag.name in ("script", "style"):
                assert "XSS" not in tag.get_text(), (page, tag)
            if tag.name in ("a", "iframe", "img", "form", "link"):
                target = re.sub(r"[\s\x00-\x1f]", "", str(tag.get("href") or tag.get("src") or "")).lower()
                assert not target.startswith(("javascript:", "vbscript:", "data:")), (page, tag)
        assert not soup.find_all(["iframe", "object", "embed"]), page


def test_the_downloadable_data_is_text(site: Path) -> None:
    data = json.loads((site / "data" / "timeline.json").read_text(encoding="utf-8"))
    assert len(data["events"]) == len(PAYLOADS)
    assert data["events"][0]["sources"][0]["url"] == "https://example.org/a_(b)?q={x}&r=[1]*_"


def test_the_chart_shows_hostile_titles_as_text(site: Path) -> None:
    for page in ("timeline/index.html", "countries/uz/index.html"):
        soup = BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")
        chart = soup.select_one("svg.tl-chart-svg")
        assert chart is not None, page
        marks = chart.select("a.tl-mark")
        assert len(marks) == len(PAYLOADS), page
        titles = sorted(mark.title.get_text() for mark in marks if mark.title)
        for index in range(len(PAYLOADS)):
            assert any(f"XSS{index}milestone_title" in title for title in titles), (page, index)
        for mark in marks:
            assert {child.name for child in mark.find_all(True)} <= {"title", "circle", "rect", "path"}, mark
            assert str(mark.get("href", "")).startswith(("#hostile-", "../../timeline/#hostile-")), mark
