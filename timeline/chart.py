"""The timeline at a glance: where each event's mark goes on a chart, worked out from the model.

Time runs across, one lane per country (or per procedure family); the
template ``_chart.svg.j2`` draws what this module lays out, and no markup is
made here. A date is drawn as honestly as it is known:

- a day or a month is a point; anything wider (a season, a year, a decade,
  an interval) a bar across every day it allows;
- an open or unknown start ("by" a date) a bar that fades back from its end,
  an open or unknown end ("or later") one that fades forward from its start:
  the fade says "we do not know how far";
- approximate dates are hollow, uncertain ones dashed, inferred ones dotted;
- firsts are diamonds, contested firsts ringed.

A lane's events of one year (on a year's page, of one month, or dated to
the whole year) are counted instead of drawn where their marks would cover
one another, and wherever there are more than ``AGGREGATE_ABOVE`` of them
(which keeps the SVG light at any size): one box with their number, linking
to their list, stands for them. Coordinates are
rounded to a tenth of a pixel, so the same events give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from timeline.dates import MONTHS, Date
from timeline.model import EventSummary

AGGREGATE_ABOVE = 40
"""Above this many events in one lane and one year (or month), one count box replaces their marks, room or not."""

WIDTH = 720.0
"""The chart's drawing width (its viewBox); CSS scales it to the page, never below 640 px."""
PLOT_LEFT = 132.0
"""Where time starts: the lanes' labels sit to its left."""
PLOT_RIGHT = WIDTH - 16.0
AXIS = 26.0
"""The height of the year (or month) labels above the lanes."""
ROW = 16.0
"""The height of one row of marks in a lane."""
MAX_ROWS = 3
"""Marks that would overlap go on another row of their lane, up to this many rows."""
LANE_PAD = 6.0
FADE = 40.0
"""How long a bar fading back from a "by" date (or forward to "or later") is drawn, in pixels."""
MIN_BAR = 4.0
"""The narrowest bar drawn, so that a short interval is still a bar."""
RADIUS = 4.5
"""A point's radius; a diamond has the same half-width."""


@dataclass(frozen=True)
class Tick:
    """A division of the time axis: a line at ``x`` and, at some of them, a label centred on ``label_x``."""

    x: float
    label: str
    """The year or month it starts, or "" where labels would crowd each other."""
    label_x: float


@dataclass(frozen=True)
class Mark:
    """One event (or one count box standing for many) on a lane."""

    href: str
    """Where the mark links: the event's anchor, or the list of the events a count box stands for."""
    title: str
    """What the mark says when hovered or read aloud: the event's title and the reader's wording of its date."""
    shape: str
    """``point`` (a day or a month), ``bar`` (every day a wider date allows), ``by`` (fading back from
    its end: an open or unknown start), ``after`` (fading forward: an open or unknown end), ``count``."""
    x: float
    """A point's centre; a bar's or a box's left edge."""
    width: float
    """0 for a point."""
    y: float
    """The centre line of the mark's row."""
    anchor: float
    """Where a first's diamond and a contested first's ring are centred."""
    approximate: bool = False
    uncertain: bool = False
    inferred: bool = False
    first: bool = False
    contested: bool = False
    count: int = 0
    """How many events a count box stands for (0 for an event's mark)."""
    counted: tuple[str, ...] = ()
    """The ids of the events a count box stands for, where the page's filters may hide them
    (``build_chart(name_counted=True)``); else empty."""
    event: str = ""
    """The event's id (empty for a count box)."""

    @property
    def outline(self) -> str:
        """The outline's style: ``dashed`` (uncertain), ``dotted`` (inferred), ``dashdot`` (both) or ``solid``."""
        if self.uncertain and self.inferred:
            return "dashdot"
        if self.uncertain:
            return "dashed"
        if self.inferred:
            return "dotted"
        return "solid"


@dataclass(frozen=True)
class Lane:
    """A band of the chart: one country's (or procedure family's) events."""

    label: str
    y: float
    """The top of the band."""
    height: float
    events: int
    """How many events the lane shows, drawn or counted."""
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Chart:
    """Everything the template draws: a title and description for assistive technology, axis, lanes."""

    title: str
    description: str
    lane_word: str
    """What a lane stands for: ``country`` or ``procedure family``."""
    width: float
    height: float
    ticks: tuple[Tick, ...]
    lanes: tuple[Lane, ...]
    events: int
    counted: int
    """How many events count boxes stand for instead of marks of their own."""

    @property
    def plot_left(self) -> float:
        """Where time starts."""
        return PLOT_LEFT

    @property
    def plot_right(self) -> float:
        """Where time ends."""
        return PLOT_RIGHT


def _ordinal(day: dt.date) -> int:
    return day.toordinal()


class _Scale:
    """Days to x, over the domain [first, last): the plot's width, clamped at its edges."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.first = _ordinal(first)
        self.span = max(_ordinal(last) - self.first, 1)

    def __call__(self, day: dt.date) -> float:
        fraction = (_ordinal(day) - self.first) / self.span
        return _round(PLOT_LEFT + min(max(fraction, 0.0), 1.0) * (PLOT_RIGHT - PLOT_LEFT))


def _round(value: float) -> float:
    """A tenth of a pixel, and never -0.0: coordinates print the same on every machine."""
    return round(value, 1) + 0.0


def _after(day: dt.date) -> dt.date:
    """The day after ``day``: a bar covers its last day whole (the calendar's last day stays itself)."""
    return day if day == dt.date.max else day + dt.timedelta(days=1)


@dataclass(frozen=True)
class _Placed:
    """A mark before its row is known: its extent on the axis, and how to make it once placed."""

    left: float
    right: float
    make: Callable[[float], Mark]
    order: tuple[object, ...]
    bucket: tuple[int, int] | None = None
    """The year and month (0: the whole year) the event's mark would be counted in; None for a count box."""
    keep: bool = False
    """A first or a contested first: drawn even where marks overlap (counted only above ``AGGREGATE_ABOVE``)."""


def _event_mark(
    event: EventSummary, scale: _Scale, href: str, contested: bool
) -> tuple[float, float, Callable[[float], Mark]]:
    """An event's extent on the axis, and its mark once its row is known."""
    date = event.date
    first = event.kind == "first"
    title = mark_title(event.title, date, first, contested, event.inferred)

    def mark(shape: str, x: float, width: float, anchor: float) -> Callable[[float], Mark]:
        def make(y: float) -> Mark:
            return Mark(
                href,
                title,
                shape,
                x,
                width,
                y,
                anchor,
                approximate=date.approximate,
                uncertain=date.uncertain,
                inferred=event.inferred,
                first=first,
                contested=contested,
                event=event.id,
            )

        return make

    if date.start is None:  # "by" its end: fade back from the day after it
        assert date.end is not None
        end = scale(_after(date.end.latest))
        left = _round(max(end - FADE, PLOT_LEFT))
        return left, end, mark("by", left, _round(end - left), _round(end - RADIUS))
    if date.end is None:  # "or later": fade forward from its first day
        start = scale(date.start.earliest)
        right = _round(min(start + FADE, PLOT_RIGHT))
        return start, right, mark("after", start, _round(right - start), _round(start + RADIUS))
    if not date.interval and date.start.precision in ("day", "month"):
        centre = scale(date.start.earliest + (date.start.latest - date.start.earliest) / 2)
        return centre - RADIUS, centre + RADIUS, mark("point", centre, 0.0, centre)
    left = scale(date.start.earliest)
    right = scale(_after(date.end.latest))
    if right - left < MIN_BAR:
        middle = (left + right) / 2
        left, right = _round(max(middle - MIN_BAR / 2, PLOT_LEFT)), _round(min(middle + MIN_BAR / 2, PLOT_RIGHT))
    width = _round(right - left)
    return left, right, mark("bar", left, width, _round(left + width / 2))


def mark_title(title: str, date: Date, first: bool, contested: bool, inferred: bool) -> str:
    """A mark's words: the event's title, then its date as the timeline words it, then what else the mark shows."""
    notes = []
    if date.start is None:
        notes.append("on or before that date, perhaps long before")
    elif date.end is None:
        notes.append("on or after that date")
    if inferred:
        notes.append("date inferred")
    if contested:
        notes.append("contested first")
    elif first:
        notes.append("first of its kind")
    return f"{title} ({'; '.join([date.display, *notes])})"


def build_chart(
    events: Sequence[EventSummary],
    lanes: Sequence[tuple[str, str]],
    lane_of: Callable[[EventSummary], str],
    href: Callable[[str], str],
    bucket_href: Callable[[str, int], str],
    contested: Collection[str],
    title: str,
    scope: str,
    lane_word: str,
    year: int | None = None,
    aggregate_above: int = AGGREGATE_ABOVE,
    name_counted: bool = False,
) -> Chart | None:
    """Lay out ``events`` in ``lanes`` (key and label, in order; empty lanes left out); None without events.

    ``scope`` says whose events they are in the description (`` concerning
    Uzbekistan``, or ``""``). ``lane_of`` gives an event's lane key, ``href``
    an event id's link and ``bucket_href`` the link of a lane's events in a
    year, for count boxes; ``contested`` holds the ids of contested firsts.
    With ``year``, the chart shows that year alone, month by month, and
    counts by lane and month (dates wider than a month by lane and year);
    otherwise it spans every year the events allow and counts by lane and
    year. ``aggregate_above=0`` counts every event. With ``name_counted``
    each count box names the events it stands for (``Mark.counted``), for a
    page whose filters fade a box when they hide all of them.
    """
    if not events:
        return None
    if year is not None:
        low = high = year
        first, last = dt.date(year, 1, 1), dt.date(year + 1, 1, 1) if year < 9999 else dt.date.max
    else:
        reaches = [_reach(e.date) for e in events]
        low = min(first for first, _ in reaches)
        high = max(last for _, last in reaches)
        first, last = dt.date(low, 1, 1), dt.date(high + 1, 1, 1) if high < 9999 else dt.date.max
    scale = _Scale(first, last)
    ticks = _month_ticks(year, scale) if year is not None else _year_ticks(first.year, last.year, scale)

    def bucket(event: EventSummary) -> tuple[int, int]:
        """The year (and on a year's page the month) a count box would count the event in: month 0 is the year."""
        if year is None:
            return (event.year, 0)
        first_day, last_day = event.when
        return (
            event.year,
            first_day.month if (first_day.year, first_day.month) == (last_day.year, last_day.month) else 0,
        )

    by_lane: dict[str, list[EventSummary]] = defaultdict(list)
    for event in sorted(events, key=lambda e: e.sort_key):  # in any order given, the same chart
        by_lane[lane_of(event)].append(event)
    built: list[Lane] = []
    top = AXIS
    counted = 0
    for key, label in lanes:
        members = by_lane.get(key)
        if not members:
            continue
        # Firsts and contested firsts stand out: only a count above AGGREGATE_ABOVE takes them into a box.
        kept = {e.id for e in members if e.kind == "first" or e.id in contested}
        buckets = [bucket(e) for e in members]
        # Each bucket's events, which a box counts where there are too many to draw; and those of them
        # that are no first or contested first, which a box counts where marks would cover each other.
        every: dict[tuple[int, int], list[str]] = defaultdict(list)
        loose: dict[tuple[int, int], list[str]] = defaultdict(list)
        for e, b in zip(members, buckets, strict=True):
            every[b].append(e.id)
            if e.id not in kept:
                loose[b].append(e.id)
        full = {b for b, ids in every.items() if len(ids) > aggregate_above}
        drawn = [  # only the events no box counts whatever happens: the list of years draws none
            _Placed(left, right, make, (left, e.sort_key), b, e.id in kept)
            for e, b in zip(members, buckets, strict=True)
            if b not in full
            for left, right, make in [_event_mark(e, scale, href(e.id), e.id in contested)]
        ]

        def box(b: tuple[int, int], ids: list[str]) -> _Placed:
            href = bucket_href(key, b[0])  # noqa: B023 - used at once
            named = tuple(ids) if name_counted else ()
            return _count_box(b[0], b[1], len(ids), label, scale, href, named)  # noqa: B023

        # Count where there are too many to draw, then wherever marks would still cover one another.
        partial: set[tuple[int, int]] = set()
        while True:
            placed = [box(b, every[b]) for b in sorted(full)] + [box(b, loose[b]) for b in sorted(partial)]
            placed += [p for p in drawn if p.keep or p.bucket not in partial]
            rows, marks, crowded = _pack(placed, top)
            more = {b for b in crowded if b not in full and b not in partial and len(loose.get(b, ())) > 1}
            if not more:
                break
            partial |= more
        counted += sum(len(every[b]) for b in full) + sum(len(loose[b]) for b in partial)
        height = rows * ROW + 2 * LANE_PAD
        built.append(Lane(label, _round(top), height, len(members), marks))
        top += height
    when = str(low) if low == high else f"{low} to {high}"
    count = f"{len(events)} event{'s' if len(events) != 1 else ''}{scope} in {when}"
    if counted == len(events):
        description = (
            f"{count}, counted by {lane_word} and year: each box gives how many events a lane holds in a year "
            "and links to their list. "
        )
    else:
        description = (
            f"{count}, drawn across time in lanes by {lane_word}: points for days and months, bars for longer "
            "dates, bars fading back for dates known only as “by” a day. "
        )
        if counted:
            description += (
                f"{counted} of them, where a lane is too crowded to draw, are counted in boxes "
                "that link to their list. "
            )
    description += "Each mark links to its event; the list of events below is this chart's text equivalent."
    return Chart(title, description, lane_word, WIDTH, _round(top + 4), ticks, tuple(built), len(events), counted)


def _reach(date: Date) -> tuple[int, int]:
    """The first and last year a date's mark is drawn over (an open side over its known one)."""
    start, end = date.start or date.end, date.end or date.start
    assert start is not None and end is not None, "a date has at least one known side"
    return start.earliest.year, end.latest.year


def _count_box(
    year: int, month: int, size: int, label: str, scale: _Scale, href: str, counted: tuple[str, ...]
) -> _Placed:
    if month:
        start = dt.date(year, month, 1)
        end = dt.date(year + month // 12, month % 12 + 1, 1) if (year, month) != (9999, 12) else dt.date.max
        when = f"{MONTHS[month - 1]} {year}"
    else:
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1) if year < 9999 else dt.date.max
        when = str(year)
    left, right = scale(start), scale(end)
    width = _round(max(right - left - 1.0, MIN_BAR))
    title = f"{size} events in {label}, {when}: too close to draw one by one; this opens their list"

    def make(y: float) -> Mark:
        return Mark(href, title, "count", left, width, y, _round(left + width / 2), count=size, counted=counted)

    return _Placed(left, left + width, make, (left, ()))


def _pack(placed: list[_Placed], top: float) -> tuple[int, tuple[Mark, ...], set[tuple[int, int]]]:
    """Put each mark on the first row of its lane where it overlaps nothing (or on the least full row).

    Returns the rows used, the marks, and the buckets of the event marks that overlap another.
    """
    ends: list[float] = []
    marks: list[Mark] = []
    crowded: set[tuple[int, int]] = set()
    for item in sorted(placed, key=lambda p: p.order):
        row = next((n for n, end in enumerate(ends) if end + 1 <= item.left), None)
        if row is None and len(ends) < MAX_ROWS:
            ends.append(item.right)
            row = len(ends) - 1
        elif row is None:
            row = min(range(len(ends)), key=lambda n: (ends[n], n))
            if item.bucket is not None:
                crowded.add(item.bucket)
        ends[row] = max(ends[row], item.right)
        marks.append(item.make(_round(top + LANE_PAD + row * ROW + ROW / 2)))
    return max(len(ends), 1), tuple(marks), crowded


def _year_ticks(first: int, last: int, scale: _Scale) -> tuple[Tick, ...]:
    """A line at each year's start; labels every 1, 2, 5, 10... years, so that they stay 40 px apart."""
    years = max(last - first, 1)
    per_year = (PLOT_RIGHT - PLOT_LEFT) / years
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000) if s * per_year >= 40), 1000)
    ticks = []
    for year in range(first, last + 1):
        x = scale(dt.date(year, 1, 1)) if year <= 9999 else PLOT_RIGHT
        labelled = year < last and year % step == 0
        middle = scale(dt.date(year, 7, 2)) if step == 1 and year < last else x
        ticks.append(Tick(x, str(year) if labelled else "", middle))
    return tuple(ticks)


def _month_ticks(year: int, scale: _Scale) -> tuple[Tick, ...]:
    """A line at each month's start, labelled with the month's first three letters."""
    ticks = []
    for month in range(1, 13):
        start = dt.date(year, month, 1)
        middle = dt.date(year, month, 15)
        ticks.append(Tick(scale(start), MONTHS[month - 1][:3], scale(middle)))
    ticks.append(Tick(PLOT_RIGHT, "", PLOT_RIGHT))
    return tuple(ticks)
