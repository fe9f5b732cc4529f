"""The timeline at a glance: lanes, a mark's shape for each kind of date, counting, bytes, escaping."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup

from tests.conftest import GOOD_SEED, SeedWriter
from timeline import chart as chart_module
from timeline.chart import AGGREGATE_ABOVE, PLOT_LEFT, PLOT_RIGHT, Chart, Mark, build_chart
from timeline.dates import MONTHS, parse_date
from timeline.load import read_seeds
from timeline.model import EventSummary, Layout, model_seeds
from timeline.render import Renderer, event_pages, render_site
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary

SVG = "{http://www.w3.org/2000/svg}"


def summary(
    event_id: str,
    edtf: str,
    country: str = "UZ",
    procedure: str = "hsct",
    kind: str = "event",
    inferred: bool = False,
    title: str = "An event",
) -> EventSummary:
    date = parse_date(edtf)
    return EventSummary(
        event_id,
        edtf,
        date.sort_key,
        date.year,
        title,
        country,
        procedure,
        kind,
        (country,),
        (procedure,),
        (kind,),
        False,
        ("an-article",),
        f"key-{event_id}",
        inferred,
    )


def timeline_chart(events: list[EventSummary], contested: tuple[str, ...] = (), year: int | None = None) -> Chart:
    built = build_chart(
        events,
        [("UZ", "Uzbekistan"), ("KG", "Kyrgyzstan")],
        lambda e: e.country,
        lambda event_id: f"#{event_id}",
        lambda country, bucket_year: f"?country={country}#year_{bucket_year}",
        contested,
        "Timeline at a glance",
        "",
        "country",
        year,
    )
    assert built is not None
    return built


def only_mark(events: list[EventSummary], contested: tuple[str, ...] = ()) -> Mark:
    (lane,) = timeline_chart(events, contested).lanes
    (mark,) = lane.marks
    return mark


def svg_of(vocabulary: Vocabulary, chart: Chart) -> str:
    return Renderer(vocabulary).env.get_template("_chart.svg.j2").render(chart=chart)


def parsed(text: str) -> ET.Element:
    """The chart's <svg> element, parsed as XML: inline SVG must be well formed."""
    match = re.search(r"<svg class=\"tl-chart-svg\".*?</svg>", text, re.DOTALL)
    assert match is not None
    return ET.fromstring(match.group(0))  # noqa: S314 - our own output, not untrusted XML


@pytest.mark.parametrize(
    ("edtf", "shape"),
    [
        ("2021-05-14", "point"),
        ("2021-05", "point"),
        ("2021-21", "bar"),  # a season
        ("2021", "bar"),
        ("202X", "bar"),
        ("2020/2024", "bar"),
        ("2021-03/2021-04", "bar"),
        ("../2025-11", "by"),
        ("/2025-11", "by"),
        ("2022/..", "after"),
        ("2022/", "after"),
    ],
)
def test_each_kind_of_date_gets_its_shape(edtf: str, shape: str) -> None:
    assert only_mark([summary("e", edtf)]).shape == shape


def test_a_bar_spans_every_day_its_date_allows() -> None:
    events = [summary("wide", "2020/2024"), summary("early", "2020-01-01"), summary("late", "2024-12-31")]
    chart = timeline_chart(events)
    marks = {m.event: m for m in chart.lanes[0].marks}
    ticks = {t.label: t.x for t in chart.ticks if t.label}
    assert marks["wide"].x == PLOT_LEFT == ticks_start(chart)
    assert marks["wide"].x + marks["wide"].width == pytest.approx(PLOT_RIGHT, abs=0.2)
    assert set(ticks) == {"2020", "2021", "2022", "2023", "2024"}
    assert marks["early"].x < marks["late"].x


def ticks_start(chart: Chart) -> float:
    return chart.ticks[0].x


def test_a_by_date_fades_back_from_its_end_and_an_open_end_forward() -> None:
    chart = timeline_chart(
        [summary("by", "../2023-06"), summary("on", "2021-06/.."), summary("x", "2020"), summary("y", "2025")]
    )
    marks = {m.event: m for m in chart.lanes[0].marks}
    end_of_june = chart_module._Scale(dt.date(2020, 1, 1), dt.date(2026, 1, 1))(dt.date(2023, 7, 1))
    by, on = marks["by"], marks["on"]
    assert by.x + by.width == pytest.approx(end_of_june, abs=0.2)
    assert by.width == chart_module.FADE
    assert on.width == chart_module.FADE
    assert by.anchor > by.x + by.width / 2  # a first's diamond sits at the known end
    assert on.anchor < on.x + on.width / 2


@pytest.mark.parametrize(
    ("edtf", "inferred", "approximate", "outline"),
    [
        ("2021-05-14", False, False, "solid"),
        ("2021~", False, True, "solid"),
        ("2021?", False, False, "dashed"),
        ("2021-05-14", True, False, "dotted"),
        ("2021?", True, False, "dashdot"),
        ("2021%", False, True, "dashed"),
    ],
)
def test_approximate_uncertain_and_inferred_dates_look_different(
    edtf: str, inferred: bool, approximate: bool, outline: str
) -> None:
    mark = only_mark([summary("e", edtf, inferred=inferred)])
    assert (mark.approximate, mark.outline) == (approximate, outline)


def test_firsts_are_diamonds_and_contested_ones_ringed(vocabulary: Vocabulary) -> None:
    events = [
        summary("plain", "2021-05-14"),
        summary("first", "2022-05-14", kind="first"),
        summary("rival", "2023", kind="first"),
    ]
    chart = timeline_chart(events, contested=("rival",))
    marks = {m.event: m for m in chart.lanes[0].marks}
    assert (marks["plain"].first, marks["first"].first, marks["first"].contested) == (False, True, False)
    assert marks["rival"].contested
    svg = parsed(svg_of(vocabulary, chart))
    links = {a.get("href"): a for a in svg.iter(f"{SVG}a")}
    assert [c.tag for c in links["#plain"] if c.tag != f"{SVG}title"] == [f"{SVG}circle"]
    assert [c.tag for c in links["#first"] if c.tag != f"{SVG}title"] == [f"{SVG}path"]  # a diamond
    rival = [c for c in links["#rival"] if c.tag != f"{SVG}title"]
    assert [c.tag for c in rival] == [f"{SVG}rect", f"{SVG}path", f"{SVG}circle"]  # bar, diamond, ring
    assert rival[2].get("class") == "tl-ring"
    assert "contested first" in links["#rival"].findtext(f"{SVG}title", "")
    assert "tl-contested" in (links["#rival"].get("class") or "")


def test_every_mark_links_to_its_event_with_a_title_in_words(vocabulary: Vocabulary) -> None:
    events = [summary("uz-a", "../2025-11", inferred=True, title="A clinic opens"), summary("kg-b", "2023~", "KG")]
    svg = parsed(svg_of(vocabulary, timeline_chart(events)))
    titles = {a.get("href"): a.findtext(f"{SVG}title") for a in svg.iter(f"{SVG}a")}
    assert titles == {
        "#uz-a": "A clinic opens (by November 2025; on or before that date, perhaps long before; date inferred)",
        "#kg-b": "An event (c. 2023)",
    }
    assert svg.get("role") == "group"
    assert svg.get("aria-labelledby") == "tl-chart-title"
    assert svg.findtext(f"{SVG}title") == "Timeline at a glance"
    description = svg.findtext(f"{SVG}desc") or ""
    assert "2 events in 2023 to 2025" in description
    assert "the list of events below is this chart's text equivalent" in description


def test_lanes_follow_the_order_given_and_skip_empty_ones() -> None:
    chart = timeline_chart([summary("k", "2021", "KG"), summary("u", "2022", "UZ"), summary("u2", "2022-03", "UZ")])
    assert [(lane.label, lane.events) for lane in chart.lanes] == [("Uzbekistan", 2), ("Kyrgyzstan", 1)]
    only_kg = timeline_chart([summary("k", "2021", "KG")])
    assert [lane.label for lane in only_kg.lanes] == ["Kyrgyzstan"]
    assert build_chart([], [("UZ", "Uzbekistan")], str, str, lambda a, b: "", (), "t", "", "country") is None


def test_marks_that_would_overlap_go_on_another_row() -> None:
    chart = timeline_chart([summary(f"e{n}", "2021-05-14") for n in range(chart_module.MAX_ROWS)])
    rows = sorted({m.y for m in chart.lanes[0].marks})
    assert len(rows) == chart_module.MAX_ROWS
    assert chart.lanes[0].height == chart_module.MAX_ROWS * chart_module.ROW + 2 * chart_module.LANE_PAD
    assert chart.counted == 0


def test_marks_that_would_cover_one_another_are_counted_instead() -> None:
    same_day = [summary(f"uz-{n}", "2021-05-14") for n in range(chart_module.MAX_ROWS + 1)]
    apart = [summary(f"kg-{n}", f"2021-{2 * n + 1:02d}-01", "KG") for n in range(4)]
    chart = timeline_chart([*same_day, *apart, summary("uz-later", "2023-01-01")])
    uz, kg = chart.lanes
    assert [(m.shape, m.count, m.href) for m in uz.marks] == [
        ("count", chart_module.MAX_ROWS + 1, "?country=UZ#year_2021"),
        ("point", 0, "#uz-later"),
    ]
    assert [m.shape for m in kg.marks] == ["point"] * 4  # two months apart: room for each
    assert chart.counted == chart_module.MAX_ROWS + 1
    assert "are counted in boxes" in chart.description


def test_more_than_forty_events_in_a_lane_year_are_counted_even_with_room() -> None:
    spread = [summary(f"uz-{n:02d}", f"2021-{n % 12 + 1:02d}-{n // 12 + 1:02d}") for n in range(AGGREGATE_ABOVE + 1)]
    chart = build_chart(
        spread,
        [("UZ", "Uzbekistan")],
        lambda e: e.country,
        str,
        lambda c, y: f"#year_{y}",
        (),
        "t",
        "",
        "country",
        year=None,
        aggregate_above=AGGREGATE_ABOVE,
    )
    assert chart is not None
    (box,) = chart.lanes[0].marks
    assert (box.shape, box.count, box.href) == ("count", AGGREGATE_ABOVE + 1, "#year_2021")
    assert "Uzbekistan, 2021" in box.title
    assert chart.counted == len(spread)
    assert "counted by country and year" in chart.description


@pytest.mark.parametrize("seed", range(5))
def test_count_boxes_name_exactly_the_events_they_stand_for_when_asked(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - reproducible, not secret
    days = [f"2021-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" for _ in range(80)]
    events = [
        summary(f"e{n}", day, rng.choice(["UZ", "KG"]), kind=rng.choice(["event", "first"]))
        for n, day in enumerate(days)
    ]
    events += [summary(f"y{n}", "2021", "UZ") for n in range(rng.randint(0, 8))]

    def chart(named: bool, year: int | None) -> Chart:
        lanes = [("UZ", "Uzbekistan"), ("KG", "Kyrgyzstan")]
        built = build_chart(
            events, lanes, lambda e: e.country, str, lambda c, y: "", (), "t", "", "country", year, name_counted=named
        )
        assert built is not None
        return built

    for year in (None, 2021):
        named, plain = chart(True, year), chart(False, year)
        marks = [m for lane in named.lanes for m in lane.marks]
        boxes = [m for m in marks if m.shape == "count"]
        assert boxes and all(len(box.counted) == box.count for box in boxes)
        counted = [event for box in boxes for event in box.counted]
        drawn = [m.event for m in marks if m.shape != "count"]
        assert sorted(counted + drawn) == sorted(e.id for e in events)  # every event once, drawn or counted
        assert [m for lane in plain.lanes for m in lane.marks] == [replace(m, counted=()) for m in marks]


def test_a_year_page_chart_runs_month_by_month_and_counts_by_month() -> None:
    events = [summary(f"e{n}", "2021-03-14") for n in range(AGGREGATE_ABOVE + 1)] + [summary("f", "2021-04-02")]
    events += [summary(f"y{n}", "2021") for n in range(chart_module.MAX_ROWS + 1)]  # the whole year, each
    chart = timeline_chart(events, year=2021)
    assert [t.label for t in chart.ticks if t.label] == [m[:3] for m in MONTHS]
    (lane,) = chart.lanes
    box = next(m for m in lane.marks if m.shape == "count" and m.count == AGGREGATE_ABOVE + 1)
    march, april = chart.ticks[2].x, chart.ticks[3].x
    assert march <= box.x < box.x + box.width <= april
    assert [m.event for m in lane.marks if m.shape == "point"] == ["f"]
    (whole_year,) = [m for m in lane.marks if m.shape == "count" and m.count == chart_module.MAX_ROWS + 1]
    assert whole_year.x == PLOT_LEFT and whole_year.x + whole_year.width == pytest.approx(PLOT_RIGHT - 1)


def test_ten_thousand_events_make_a_light_chart(vocabulary: Vocabulary) -> None:
    rng = random.Random(16)  # noqa: S311 - test data, not secrets
    countries = ["UZ", "KG"]
    events = [
        summary(f"e{n}", f"{rng.randrange(2000, 2026)}-{rng.randrange(1, 13):02d}", rng.choice(countries))
        for n in range(10_000)
    ]
    chart = timeline_chart(events)
    text = svg_of(vocabulary, chart)
    assert chart.counted > 9_000
    assert len(text.encode()) < 60_000, len(text.encode())
    assert text.count("<a ") < 200


def test_the_same_events_give_the_same_bytes(vocabulary: Vocabulary) -> None:
    events = [summary(f"e{n}", edtf) for n, edtf in enumerate(["2021-05-14", "2020/2024", "../2023-03-29", "2022~"])]
    first = svg_of(vocabulary, timeline_chart(events))
    shuffled = events[:]
    random.Random(1).shuffle(shuffled)  # noqa: S311 - test data
    assert svg_of(vocabulary, timeline_chart(shuffled)) == first
    numbers = re.findall(r' (?:x|y|width|height|cx|cy|x1|x2|y1|y2|r)="([^"]*)"', first)
    assert numbers and all(re.fullmatch(r"\d+(\.\d)?", n) for n in numbers)
    assert re.findall(r'd="M([^"]*)"', first) == [] or all(
        re.fullmatch(r"[\d. lz-]+", d) for d in re.findall(r'd="M([^"]*)"', first)
    )


HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single' ]]> <!-- {: onclick=alert(1) }\n\n    indented"


def test_hostile_titles_stay_text_in_the_svg(vocabulary: Vocabulary) -> None:
    chart = timeline_chart([summary("hostile", "2021", title=HOSTILE)])
    text = svg_of(vocabulary, chart)
    assert "<script" not in text and "<!--" not in text
    svg = parsed(text)
    (link,) = svg.iter(f"{SVG}a")
    assert link.findtext(f"{SVG}title") == " ".join(HOSTILE.split()) + " (2021)"
    assert [child.tag for child in link] == [f"{SVG}title", f"{SVG}rect"]


def test_the_chart_is_one_raw_html_block_that_markdown_leaves_whole(
    write_seed: SeedWriter, vocabulary: Vocabulary
) -> None:
    seed = GOOD_SEED.replace("title: The first test transplant", f"title: {json.dumps(HOSTILE)}")
    seeds, problems = read_seeds(write_seed("a.md", seed).parent)
    assert problems + Validator(vocabulary).validate(seeds) == []
    files = render_site(*model_seeds(seeds, vocabulary))
    for page in ("timeline/index.md", "countries/uz.md"):
        body = files[page]
        start = body.index('<div class="tl-chart"')
        block = body[start : body.index("</ul>\n</div>\n", start) + len("</ul>\n</div>")]
        assert body[start - 2 : start] == "\n\n", page  # a block of its own, not HTML inside a paragraph
        lines = block.split("\n")
        assert all(line.strip() and not line[:1].isspace() for line in lines), page  # no blank, no indented line
        html = markdown.markdown(body.split("---\n", 2)[2], extensions=["toc", "tables", "attr_list", "md_in_html"])
        soup = BeautifulSoup(html, "html.parser")
        svg = soup.select_one("div.tl-chart svg")
        assert svg is not None, page
        assert [p.name for p in svg.parents if p.name == "p"] == [], page
        links = svg.select("a")
        assert [a.get_text() for a in links] == [" ".join(HOSTILE.split()) + " (2023 (uncertain); first of its kind)"]
        assert soup.select_one("ul.tl-chart-key") is not None
        # No script runs: the one kind a page has is JSON-LD, inert data (its escaping: test_exports).
        assert {s.get("type") for s in soup.find_all("script")} <= {"application/ld+json"}, page
        assert all("<" not in s.get_text() for s in soup.find_all("script")), page
    assert 'class="tl-chart"' not in files["procedures/liver-transplant.md"]
    assert 'href="../../timeline/#uz-test-first"' in files["countries/uz.md"]


def test_a_country_page_has_a_lane_per_procedure_family(vocabulary: Vocabulary) -> None:
    events = [
        summary("a", "2021", procedure="haploidentical-hsct"),
        summary("b", "2022", procedure="hsct"),
        summary("c", "2023", procedure="car-t", kind="first"),
        summary("d", "2024", procedure="other"),
    ]
    layout = Layout((), tuple(events), vocabulary)
    renderer = Renderer(vocabulary)
    renderer.event_pages = event_pages(layout)
    chart = renderer.country_chart("UZ", events)
    assert chart is not None
    assert [(lane.label, lane.events) for lane in chart.lanes] == [
        ("Stem cell transplant", 2),
        ("CAR-T cell therapy", 1),
        ("Other", 1),
    ]
    boxes = [m.href for lane in chart.lanes for m in lane.marks]
    assert boxes[0] == "../../timeline/#a"
    assert chart.title == "Uzbekistan at a glance"
    assert "concerning Uzbekistan" in chart.description


def test_a_country_pages_count_box_opens_the_timeline_filtered_to_it(vocabulary: Vocabulary, tmp_path: Path) -> None:
    events = [summary(f"e{n:03d}", "2021-05-14", procedure="allogeneic-hsct") for n in range(AGGREGATE_ABOVE + 1)]
    layout = Layout((), tuple(events), vocabulary)
    renderer = Renderer(vocabulary)
    renderer.event_pages = event_pages(layout)
    chart = renderer.country_chart("UZ", events)
    assert chart is not None
    (box,) = chart.lanes[0].marks
    assert box.href == "../../timeline/?country=UZ&procedure=hsct#year_2021"
    assert "&amp;procedure=hsct" in svg_of(vocabulary, chart)


def test_firsts_stay_drawn_where_other_marks_are_counted() -> None:
    crowd = [summary(f"e{n}", "2021-05-14") for n in range(chart_module.MAX_ROWS + 2)]
    chart = timeline_chart(
        [*crowd, summary("first", "2021-05-14", kind="first"), summary("rival", "2021-05", kind="first")],
        contested=("rival",),
    )
    marks = chart.lanes[0].marks
    assert sorted((m.shape, m.count, m.event) for m in marks) == [
        ("count", chart_module.MAX_ROWS + 2, ""),
        ("point", 0, "first"),
        ("point", 0, "rival"),
    ]
    assert chart.counted == chart_module.MAX_ROWS + 2
    crowded = [summary(f"f{n:02d}", "2021-05-14", kind="first") for n in range(AGGREGATE_ABOVE + 1)]
    (box,) = timeline_chart(crowded).lanes[0].marks
    assert box.count == AGGREGATE_ABOVE + 1  # above the limit, firsts are counted too: the SVG stays light
