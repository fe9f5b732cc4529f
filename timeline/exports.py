"""The data files a reader takes away, and the structured data search engines read.

A render-stage module, pure like ``render``: model objects in, bytes out.
Beside ``data/timeline.json`` and ``data/timeline.csv`` (``render``) it makes

- ``data/timeline-excel.csv``: the same rows for a double click in Excel
  (UTF-8 with a byte-order mark, so that Cyrillic survives; cells that
  Excel would run as a formula start with an apostrophe);
- ``data/timeline.ics``: the events dated to an exact day, as all-day events
  (RFC 5545, with ``icalendar``); no day is invented for a vaguer date;
- ``data/milestones.atom``: the newest recorded events (``FEED_ENTRIES``), newest first;
- ``data/timelinejs.json``: TimelineJS's format, with only the date parts
  that are known and the site's own wording of the date;
- schema.org JSON-LD for article pages (``NewsArticle``) and events
  (``Claim`` with ``temporalCoverage``), escaped for a ``<script>`` element.

Nothing reads the clock: every timestamp is a source's publication date, so
the same seeds and the same ``SITE_URL`` give the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import html
import io
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from timeline.dates import Date, Point
from timeline.escape import CONTROLS, Escaped, is_safe_url
from timeline.model import Article, Event, EventSummary, Layout, Milestone
from timeline.vocabulary import Vocabulary

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "pediatric-transplantation-central-asia.timeline")
"""The namespace of every UUID this site gives (RFC 9562, version 5): fixed, so ids stay the same forever."""
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
"""The timestamp of an entry whose sources carry no date at all and whose own date is open."""


class SiteUrlError(ValueError):
    """SITE_URL is set but is not an http(s) address."""


def site_url(value: str | None) -> str | None:
    """The site's address from SITE_URL, ending in ``/``; None when unset or empty.

    The address of every page is the site's address and the page's path:
    without it, files that need absolute addresses (the calendar's URL, the
    feed's self link) leave them out, and the rest link relatively.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not is_safe_url(text):
        raise SiteUrlError(f"SITE_URL must be an http(s) address such as https://example.org/timeline/, got {text!r}")
    return text if text.endswith("/") else text + "/"


def event_uuid(event_id: str) -> uuid.UUID:
    """An event's UUID, the same in every build and on every site: from its id alone."""
    return uuid.uuid5(NAMESPACE, f"event/{event_id}")


def clean(text: str) -> str:
    """Text on one line without controls, which XML, iCalendar and JSON-LD readers refuse or mangle."""
    return " ".join(CONTROLS.sub("", text).split())


# The data/timeline.csv rows (render.csv_row) are RFC 4180 with CRLF line ends: a field starts at
# the start of a record or after a comma, maybe after an opening quote.
_FORMULA_START = re.compile(r'(?:^|,)"?[=+\-@\t\r]')
FORMULA_CHARACTERS = ("=", "+", "-", "@", "\t", "\r")
"""A cell starting with one of these is a formula to Excel (OWASP's list for CSV injection)."""


def excel_csv(header: str, rows: Iterable[str]) -> bytes:
    """data/timeline-excel.csv: data/timeline.csv's records as Excel opens them on a double click.

    UTF-8 with a byte-order mark (without one Excel reads the file in the
    machine's code page and Cyrillic turns to noise), CRLF line ends as in
    the CSV, and a leading apostrophe in every cell that starts like a
    formula. Records that need no guard are kept as they are: a join, not a
    second pass of the ``csv`` module over every row.
    """
    out = ["\ufeff"]
    for record in (header, *rows):
        out.append(_guarded(record) if _FORMULA_START.search(record) else record)
    return "".join(out).encode()


def _guarded(record: str) -> str:
    (fields,) = list(csv.reader(io.StringIO(record, newline="")))
    stream = io.StringIO()
    guarded = ["'" + f if f.startswith(FORMULA_CHARACTERS) else f for f in fields]
    csv.writer(stream, lineterminator="\r\n").writerow(guarded)
    return stream.getvalue()


def exact_day(date: Date) -> dt.date | None:
    """The day a date names, when it names one exactly: not an interval, not qualified, day precision."""
    point = date.start
    if date.interval or point is None or point.precision != "day" or point.uncertain or point.approximate:
        return None
    return point.earliest


def _published_day(date: Date | None) -> dt.date | None:
    return None if date is None or date.start is None else date.start.earliest


def recorded(event: Event) -> dt.datetime:
    """When the event was last recorded: the first day of its newest source's publication date.

    Without a dated source, the event's own last (else first) day: no
    information is revised before what it tells of has happened. The first
    day of a publication date such as ``2026-02`` never claims a later day
    than the truth.
    """
    days = [d for d in (_published_day(c.article.published) for c in event.citations) if d is not None]
    day = max(days, default=None) or event.date.latest or event.date.earliest
    return EPOCH if day is None else dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def source_line(citation: Milestone) -> str:
    """A source as plain text: title, outlet, publication date, address."""
    article = citation.article
    parts = [article.outlet, article.published.display if article.published else None, article.url]
    return " ".join([f"“{clean(article.title)}”", *(f"{clean(p)}," for p in parts if p)]).rstrip(",")


def _sources_text(event: Event) -> str:
    return "\n".join(f"Source: {source_line(c)}" for c in event.citations)


# The calendar and TimelineJS are made of one piece per event (``render.PART_KINDS``), rendered once
# and kept in the memo under the event's key: a file is a join of pieces, so that an edit does not
# render 27,000 entries again. The feed's hundred entries are rendered with it. Each piece ends with
# its line end.


def calendar_event(event: Event, link: str, absolute: bool) -> str:
    """The event's VEVENT in data/timeline.ics, or nothing when its date is not one exact day.

    An all-day event: DTSTART is the day, DTEND the next (RFC 5545 3.6.1).
    UID is the event's UUID; URL (which must be absolute) is given only when
    the site's address is known, else the permalink is in the description;
    DTSTAMP is when the event was last recorded (``recorded``).
    """
    day = exact_day(event.date)
    if day is None:
        return ""
    import icalendar  # not on the path of a run that renders no event

    item = icalendar.Event()
    item.add("uid", str(event_uuid(event.id)))
    item.add("dtstamp", recorded(event))
    item.add("dtstart", day)
    item.add("dtend", day + dt.timedelta(days=1))
    item.add("summary", clean(event.title))
    description = f"{clean(event.title)}\n{_sources_text(event)}"
    item.add("description", description if absolute else f"{description}\nPermalink, from the site's address: {link}")
    if absolute:
        item.add("url", link)
    text: bytes = item.to_ical()
    return text.decode()


def calendar(events: Iterable[str], name: str) -> bytes:
    """data/timeline.ics: the calendar around the events' VEVENTs (``calendar_event``), in timeline order."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{clean(name)}//timeline//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", clean(name))
    head, end = cal.to_ical().decode().removesuffix("END:VCALENDAR\r\n"), "END:VCALENDAR\r\n"
    return "".join([head, *events, end]).encode()


ATOM = "http://www.w3.org/2005/Atom"
RIGHTS = "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); quotations remain their publishers'"


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


FEED_ENTRIES = 100
"""How many events the feed holds: the newest recorded. A feed tells what is new; every event is in the
CSV and JSON, and a feed reader polling 27,000 entries (17 MB at 10,000 articles) would refuse them."""


def feed_order(layout: Layout, count: int | None = None) -> list[tuple[dt.datetime, EventSummary]]:
    """The ``count`` (``FEED_ENTRIES``) newest recorded events with when (``recorded``), newest first, then by date.

    Worked out from the layout (the articles' publication dates and each
    event's sources), not from the events: every run that changes the
    timeline asks, and at 27,000 events this takes about 30 ms against
    140 ms for sorting the events by ``recorded``.
    """
    days = {a.id: a.published.start.earliest for a in layout.articles if a.published and a.published.start}

    def day_recorded(event: EventSummary) -> dt.date:
        day = max((days[a] for a in event.sources if a in days), default=None)
        if day is None:  # as ``recorded``: the event's last day, else (an open end) its first
            date = event.date
            day = date.latest or date.earliest
        return day or EPOCH.date()

    ranked = ((day_recorded(e), e.sort_key, e) for e in layout.events)
    chosen = heapq.nlargest(FEED_ENTRIES if count is None else count, ranked, key=lambda r: r[:2])
    return [(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), e) for day, _, e in chosen]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = text
    return element


def feed_entry(event: Event, href: str, vocabulary: Vocabulary) -> str:
    """The event's entry in data/milestones.atom (RFC 4287 4.1.2), indented as the feed's child.

    Its id is ``urn:uuid:`` and the event's UUID, which never changes; it
    links to ``href``, the event's permalink.
    """
    main = event.main
    entry = ET.Element("entry")
    _sub(entry, "title", clean(event.title))
    _sub(entry, "id", f"urn:uuid:{event_uuid(event.id)}")
    _sub(entry, "updated", _stamp(recorded(event)))
    _sub(entry, "link", rel="alternate", type="text/html", href=href)
    for code in event.countries():
        _sub(entry, "category", term=code, label=clean(vocabulary.countries[code].label))
    kind = vocabulary.kinds[main.kind].label
    procedure = vocabulary.procedures[main.procedure].label
    summary = f"{main.date.display}: {clean(event.title)} ({kind}, {procedure}).\n{_sources_text(event)}"
    _sub(entry, "summary", summary, type="text")
    ET.indent(entry, level=1)
    return f"  {ET.tostring(entry, encoding='unicode')}\n"


def atom_feed(entries: Iterable[str], updated: dt.datetime, base: str | None, name: str) -> bytes:
    """data/milestones.atom: the feed around its entries (``feed_entry``), which come newest recorded first.

    Without the site's address links are relative, which a feed reader
    resolves against the feed's own address (in data/).
    """
    # Entries are serialised on their own, without a namespace: the feed's default namespace is theirs.
    feed = ET.Element("feed", {"xmlns": ATOM})
    _sub(feed, "title", f"{clean(name)}: milestones")
    _sub(feed, "id", f"urn:uuid:{uuid.uuid5(NAMESPACE, 'feed/milestones')}")
    _sub(feed, "updated", _stamp(updated))
    _sub(_sub(feed, "author"), "name", clean(name))
    _sub(feed, "link", rel="alternate", type="text/html", href=f"{base}timeline/" if base else "../timeline/")
    if base:
        _sub(feed, "link", rel="self", type="application/atom+xml", href=f"{base}data/milestones.atom")
    _sub(
        feed, "rights", "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); quotations remain their publishers'"
    )
    ET.indent(feed)
    head = ET.tostring(feed, encoding="unicode", xml_declaration=True).removesuffix("</feed>")
    return "".join([head, *entries, "</feed>\n"]).encode()


def _date_parts(day: dt.date, precision: str) -> dict[str, int]:
    parts = {"year": day.year}
    if precision in ("month", "day", "season"):
        parts["month"] = day.month
    if precision == "day":
        parts["day"] = day.day
    return parts


def timelinejs_dates(date: Date) -> dict[str, dict[str, int]]:
    """TimelineJS's start_date and end_date: only the parts the date states (a month has no day).

    TimelineJS needs a start: a date with an open or unknown start is
    placed at its end, and its ``display_date`` says "by" that end. A
    season, decade or century runs from its first month or year to its last.
    """
    start, end = (date.start, date.end) if date.start is not None else (date.end, None)
    assert start is not None
    out = {"start_date": _date_parts(start.earliest, start.precision)}
    if not date.interval:
        end = start if start.precision in _SPANS else None
    if end is not None:
        out["end_date"] = _date_parts(end.latest if end.precision in _SPANS else end.earliest, end.precision)
    return out


_SPANS = ("season", "decade", "century")
"""Precisions that TimelineJS cannot state as one date: shown as a span of months or years."""


def timelinejs_slide(event: Event, text: str) -> str:
    """The event's slide in data/timelinejs.json, as one line of JSON; ``text`` is its HTML (a template's).

    Headlines are HTML in TimelineJS: the title is escaped here as text.
    """
    main = event.main
    slide = {
        "unique_id": event.id,
        **timelinejs_dates(main.date),
        "display_date": main.date.display,
        "text": {"headline": html.escape(clean(event.title)), "text": text},
        "group": main.country,
    }
    return json.dumps(slide, ensure_ascii=False, sort_keys=True)


def timelinejs(slides: Iterable[str], name: str, about: str) -> bytes:
    """data/timelinejs.json: TimelineJS 3's JSON, one slide (``timelinejs_slide``) a line, in timeline order."""
    title = json.dumps({"text": {"headline": html.escape(name), "text": html.escape(about)}}, sort_keys=True)
    return "".join(['{"events": [\n', ",\n".join(slides), f'\n],\n"title": {title}\n}}\n']).encode()


def iso_coverage(date: Date) -> str:
    """The date as an ISO 8601 date or interval, with ``..`` for an open or unknown end (schema.org's form).

    Qualifiers (``?``, ``~``) have no ISO form and are dropped: the
    interval is the span the date allows. A season, decade or century is
    the interval of its months or years.
    """
    if not date.interval:
        assert date.start is not None
        first, last = _iso_bounds(date.start)
        return first if first == last else f"{first}/{last}"
    left = ".." if date.start is None else _iso_bounds(date.start)[0]
    right = ".." if date.end is None else _iso_bounds(date.end)[1]
    return f"{left}/{right}"


def _iso_bounds(point: Point) -> tuple[str, str]:
    if point.precision == "day":
        day = point.earliest.isoformat()
        return day, day
    if point.precision in ("month", "season"):
        return f"{point.earliest:%Y-%m}", f"{point.latest:%Y-%m}"
    return f"{point.earliest.year:04d}", f"{point.latest.year:04d}"


def _iso_date(date: Date | None) -> str | None:
    """A publication date in ISO 8601 when it is one exact, unqualified point (``2026-02``, ``2023-03-29``)."""
    if date is None or date.interval or date.start is None or date.uncertain or date.approximate:
        return None
    first, last = _iso_bounds(date.start)
    return first if first == last else None


def news_article(article: Article) -> dict[str, Any]:
    """schema.org ``NewsArticle`` for an article page: what the source is, as far as the seed knows."""
    source = article.source
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": clean(source.original_title or article.title),
        "inLanguage": source.language,
    }
    if source.original_title:
        data["alternativeHeadline"] = clean(article.title)
    published = _iso_date(source.published)
    if published:
        data["datePublished"] = published
    if source.outlet:
        data["publisher"] = {"@type": "Organization", "name": clean(source.outlet)}
    if source.author:
        data["author"] = {"@type": "Person", "name": clean(source.author)}
    if source.url:
        data["url"] = source.url
    return data


def claim(event: Event, permalink: str | None, vocabulary: Vocabulary) -> dict[str, Any]:
    """schema.org ``Claim`` for an event: what the sources claim, when (``temporalCoverage``) and where."""
    main = event.main
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "name": clean(event.title),
        "temporalCoverage": iso_coverage(main.date),
        "spatialCoverage": {"@type": "Country", "name": clean(vocabulary.countries[main.country].label)},
        "appearance": [
            {
                "@type": "NewsArticle",
                "headline": clean(c.article.title),
                **({"url": c.article.url} if c.article.url else {}),
                **({"datePublished": d} if (d := _iso_date(c.article.published)) else {}),
            }
            for c in event.citations
        ],
    }
    if permalink:
        data["url"] = permalink
    return data


_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_ld(data: Mapping[str, Any]) -> Escaped:
    """JSON for a ``<script type="application/ld+json">`` element: no ``</script>``, no HTML, one line.

    ``<``, ``>`` and ``&`` become JSON escapes, so that no text can close the
    element or open a comment; U+2028 and U+2029 too, which some JavaScript
    parsers take for line ends.
    """
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for character, escape in _SCRIPT_UNSAFE.items():
        text = text.replace(character, escape)
    return Escaped(text)


def describe(text: str, limit: int = 300) -> str:
    """A page's description for search results and link previews: one line, cut at a word near ``limit``."""
    line = clean(text)
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.")
    return f"{cut}…"
