"""EDTF dates (levels 0 and 1): bounds, a total order, and a reader's wording.

The ``edtf`` package parses EDTF, but it accepts impossible days
(``2023-02-29``), reversed intervals and open bounds it cannot compare, and its
``<`` looks at lower bounds only. So the meaning of a date is worked out here,
and the package is asked only to tell a level 2 date (valid EDTF we do not
support) from text that is not EDTF at all.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

# English names, spelled out: calendar.month_name follows the locale, and the
# site must not change with the machine that builds it.
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
SEASONS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
# Northern-hemisphere meteorological seasons, as the edtf package reads them;
# winter runs into the next year.
SEASON_MONTHS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 14)}

EXAMPLES = "2021-05-14, 2021-05, 2024, 2023?, 2023~, 202X, 2020/2024 or ../2025-11"

_POINT = re.compile(
    r"""(?P<year>\d{2}(?:\d\d|\dX|XX))
        (?:-(?P<month>\d\d|XX)
           (?:-(?P<day>\d\d|XX)
              (?:T(?P<time>\d\d:\d\d:\d\d(?:Z|[+-]\d\d(?::\d\d)?)?))?
           )?
        )?
        (?P<qualifier>[?~%])?""",
    re.VERBOSE,
)


class DateError(ValueError):
    """A date an editor wrote that this timeline cannot take; the text says why."""


@dataclass(frozen=True)
class DatePart:
    """A piece of a date's wording; ``datetime`` is set where HTML can state it exactly."""

    text: str
    datetime: str | None = None


@dataclass(frozen=True)
class Point:
    """One calendar date, month, season, year, decade or century, maybe qualified."""

    precision: str
    """day, month, season, year, decade or century: as precise as written, no more."""
    earliest: dt.date
    latest: dt.date
    words: str
    """The wording without qualifiers, such as ``May 2021`` or ``2020s``."""
    html: str | None
    """The HTML ``<time datetime>`` value, or None where HTML has no exact form."""
    uncertain: bool = False
    approximate: bool = False


@dataclass(frozen=True)
class Date:
    """An EDTF date as an editor wrote it, with what a reader and a sort need."""

    edtf: str
    """The EDTF string, normalised to how the editor wrote it."""
    start: Point | None
    """The date itself, or an interval's start; None for an open or unknown start."""
    end: Point | None
    """An interval's end (same as ``start`` for a single date); None when open or unknown."""
    interval: bool
    open_start: bool = False
    open_end: bool = False

    @property
    def earliest(self) -> dt.date | None:
        """The first day the date allows; None when the start is open or unknown."""
        return self.start.earliest if self.start else None

    @property
    def latest(self) -> dt.date | None:
        """The last day the date allows; None when the end is open or unknown."""
        return self.end.latest if self.end else None

    @functools.cached_property
    def sort_key(self) -> tuple[dt.date, dt.date]:
        """Earliest day, then latest day; an open start begins where its end period begins.

        Worked out once per date: sorting and grouping ten thousand events ask for it again and again.
        """
        if self.start is not None:
            first = self.start.earliest
        else:
            assert self.end is not None
            first = self.end.earliest
        last = self.end.latest if self.end is not None else dt.date.max
        return (first, last)

    @functools.cached_property
    def year(self) -> int:
        """The year the timeline files this date under (that of its sort key)."""
        return self.sort_key[0].year

    @property
    def uncertain(self) -> bool:
        """Whether any part carries ``?`` or ``%``."""
        return any(p.uncertain for p in (self.start, self.end) if p)

    @property
    def approximate(self) -> bool:
        """Whether any part carries ``~`` or ``%``."""
        return any(p.approximate for p in (self.start, self.end) if p)

    @property
    def parts(self) -> tuple[DatePart, ...]:
        """The reader's wording, split where a ``<time>`` element can carry a part."""
        if not self.interval:
            assert self.start is not None
            return _point_parts(self.start)
        if self.start is None:
            assert self.end is not None
            lead = "by " if self.open_start else "start unknown – "
            return (DatePart(lead), *_point_parts(self.end))
        if self.end is None:
            tail = " or later" if self.open_end else " – end unknown"
            return (*_point_parts(self.start), DatePart(tail))
        simple = self.start.precision == self.end.precision == "year" and not (
            self.start.uncertain or self.start.approximate
        )
        dash = "–" if simple else " – "
        return (*_point_parts(self.start), DatePart(dash), *_point_parts(self.end))

    @functools.cached_property
    def display(self) -> str:
        """The reader's wording as plain text, such as ``c. 2023`` or ``by November 2025`` (worked out once)."""
        return "".join(part.text for part in self.parts)

    def __str__(self) -> str:
        return self.edtf


def _point_parts(point: Point) -> tuple[DatePart, ...]:
    core = DatePart(point.words, point.html)
    if point.uncertain and point.approximate:
        return (DatePart("c. "), core, DatePart(" (uncertain)"))
    if point.approximate:
        return (DatePart("c. "), core)
    if point.uncertain:
        return (core, DatePart(" (uncertain)"))
    return (core,)


@functools.lru_cache(maxsize=8192)
def parse_date(text: str) -> Date:
    """Read an EDTF level 0 or 1 date, or raise DateError saying what to write instead.

    Memoised: a corpus repeats a few thousand date strings across its
    milestones, and a Date is immutable, so every repeat can share one.
    """
    text = text.strip()
    if not text:
        raise DateError(f"expected an EDTF date such as {EXAMPLES}, got an empty value")
    if "/" not in text:
        point = _parse_point(text, text)
        return Date(edtf=text, start=point, end=point, interval=False)
    if text.count("/") > 1:
        raise _not_edtf(text)
    left, right = text.split("/")
    start = None if left in ("", "..") else _parse_point(left, text, in_interval=True)
    end = None if right in ("", "..") else _parse_point(right, text, in_interval=True)
    if start is None and end is None:
        raise DateError(
            f"an interval needs at least one known end, got '{text}'; "
            "write for example 2020/2024, ../2025-11 or 2020/.."
        )
    if start is not None and end is not None and start.earliest > end.latest:
        raise DateError(f"the interval '{text}' ends before it begins; write the earlier date first")
    return Date(
        edtf=text,
        start=start,
        end=end,
        interval=True,
        open_start=left == "..",
        open_end=right == "..",
    )


def _parse_point(text: str, whole: str, in_interval: bool = False) -> Point:
    match = _POINT.fullmatch(text)
    if match is None:
        raise _not_edtf(whole)
    year_text, month_text, day_text, time_text, qualifier = match.group("year", "month", "day", "time", "qualifier")
    if time_text and (qualifier or in_interval or "X" in text):
        raise _not_edtf(whole)
    uncertain = qualifier in ("?", "%")
    approximate = qualifier in ("~", "%")
    if "X" in year_text:
        if month_text is not None:
            raise _level2(whole)
        digits = year_text.rstrip("X")
        span = 10 ** (4 - len(digits))
        first = int(digits) * span
        last = first + span - 1
        _check_year(max(first, 1), whole)
        precision = "decade" if span == 10 else "century"
        words = f"{first}s" if span == 10 else f"{first}–{last}"
        return Point(
            precision,
            dt.date(max(first, 1), 1, 1),
            dt.date(last, 12, 31),
            words,
            None,
            uncertain,
            approximate,
        )
    year = int(year_text)
    _check_year(year, whole)
    if month_text in (None, "XX"):  # a year, or a year whose month is unspecified (2004-XX)
        if day_text not in (None, "XX"):
            raise _level2(whole)
        return Point(
            "year",
            dt.date(year, 1, 1),
            dt.date(year, 12, 31),
            str(year),
            year_text,
            uncertain,
            approximate,
        )
    month = int(month_text)
    if month in SEASONS:
        if day_text is not None:
            raise _not_edtf(whole)
        first_month, last_month = SEASON_MONTHS[month]
        last_year = year + (last_month - 1) // 12
        last_month = (last_month - 1) % 12 + 1
        if last_year > 9999:
            raise DateError(f"'{whole}' runs past the year 9999, which is not supported")
        return Point(
            "season",
            dt.date(year, first_month, 1),
            dt.date(last_year, last_month, calendar.monthrange(last_year, last_month)[1]),
            f"{SEASONS[month]} {year}",
            None,
            uncertain,
            approximate,
        )
    if not 1 <= month <= 12:
        if 25 <= month <= 41:
            raise _level2(whole)
        raise DateError(f"month {month_text} does not exist in '{whole}'; months run 01-12")
    month_name = MONTHS[month - 1]
    days_in_month = calendar.monthrange(year, month)[1]
    if day_text is None or day_text == "XX":
        return Point(
            "month",
            dt.date(year, month, 1),
            dt.date(year, month, days_in_month),
            f"{month_name} {year}",
            f"{year_text}-{month_text}",
            uncertain,
            approximate,
        )
    day = int(day_text)
    if not 1 <= day <= days_in_month:
        raise DateError(f"{month_name} {year} has no day {day_text} ('{whole}'); it has {days_in_month} days")
    when = dt.date(year, month, day)
    words = f"{day} {month_name} {year}"
    html = f"{year_text}-{month_text}-{day_text}"
    if time_text:
        words = f"{words}, {time_text}"
        html = f"{html}T{time_text}"
    return Point("day", when, when, words, html, uncertain, approximate)


def _check_year(year: int, whole: str) -> None:
    if year < 1:
        raise DateError(f"the year 0 in '{whole}' is not supported; years run from 0001")


def _level2(whole: str) -> DateError:
    return DateError(
        f"'{whole}' is EDTF level 2, which this timeline does not support; use a level 0 or 1 form such as {EXAMPLES}"
    )


def _not_edtf(whole: str) -> DateError:
    import edtf  # only for this message: importing it costs a tenth of a second a run

    try:
        edtf.parse_edtf(whole)
    except Exception:  # noqa: BLE001 - the package raises several types for "not EDTF"
        hint = _hint(whole)
        return DateError(f"expected an EDTF date such as {EXAMPLES}, got '{whole}'{hint}")
    if whole.startswith(("-", "Y")):
        return DateError(f"'{whole}' is a year outside 0001-9999, which is not supported")
    return _level2(whole)


_LOOSE = re.compile(r"(\d{4})[-./](\d{1,2})(?:[-./](\d{1,2}))?")
_DMY = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")


def _hint(text: str) -> str:
    """Suggest the EDTF spelling of common non-EDTF ways of writing a date."""
    if match := _LOOSE.fullmatch(text):
        year, month, day = match.groups()
        fixed = f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
        return f"; did you mean '{fixed}'?"
    if match := _DMY.fullmatch(text):
        day, month, year = match.groups()
        return f"; did you mean '{year}-{int(month):02d}-{int(day):02d}'?"
    return ""


def bounds(date: Date) -> tuple[dt.date, dt.date]:
    """The first and last day a date allows, an open or unknown end reaching as far as the calendar does."""
    return (date.earliest or dt.date.min, date.latest or dt.date.max)


def narrowest(dates: list[Date]) -> Date | None:
    """The date every one of ``dates`` allows, as EDTF; None when two of them do not overlap.

    Its start is the latest of their starts and its end the earliest of their
    ends, each written as the date that gives it, so that no precision is
    invented: ``2022/2025`` and ``../2025-11`` give ``2022/2025-11``. Of two
    equal bounds, the more precise one, then the unqualified one, is kept; a
    start and an end of the same period are that period, written once.
    """
    starts: list[tuple[dt.date, dt.date, bool, str]] = []
    ends: list[tuple[dt.date, dt.date, bool, str]] = []
    for date in dates:
        left, right = date.edtf.split("/") if date.interval else (date.edtf, date.edtf)
        if date.start is not None:
            point = date.start
            starts.append((point.earliest, point.latest, point.uncertain or point.approximate, left))
        if date.end is not None:
            point = date.end
            ends.append((point.earliest, point.latest, point.uncertain or point.approximate, right))
    start = max(starts, key=lambda s: (s[0], -s[1].toordinal(), not s[2]), default=None)
    end = min(ends, key=lambda e: (e[1], -e[0].toordinal(), e[2]), default=None)
    if start is not None and end is not None and start[0] > end[1]:
        return None
    if start is not None and end is not None and start[:2] == end[:2]:  # one period: write it once
        return parse_date(end[3] if start[2] else start[3])
    left = start[3] if start else (".." if any(d.open_start for d in dates) else "")
    right = end[3] if end else (".." if any(d.open_end for d in dates) else "")
    return parse_date(f"{left}/{right}")
