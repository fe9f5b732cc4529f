"""EDTF dates: every form in the spec's table, bounds, order, wording and errors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timeline.dates import DateError, parse_date

# (written, shown to a reader, earliest, latest, <time datetime> values)
SPEC_TABLE = [
    ("2021-05-14", "14 May 2021", "2021-05-14", "2021-05-14", ["2021-05-14"]),
    ("2021-05", "May 2021", "2021-05-01", "2021-05-31", ["2021-05"]),
    ("2024", "2024", "2024-01-01", "2024-12-31", ["2024"]),
    ("2023?", "2023 (uncertain)", "2023-01-01", "2023-12-31", ["2023"]),
    ("2023~", "c. 2023", "2023-01-01", "2023-12-31", ["2023"]),
    ("2023%", "c. 2023 (uncertain)", "2023-01-01", "2023-12-31", ["2023"]),
    ("202X", "2020s", "2020-01-01", "2029-12-31", []),
    ("2020/2024", "2020–2024", "2020-01-01", "2024-12-31", ["2020", "2024"]),
    ("../2025-11", "by November 2025", None, "2025-11-30", ["2025-11"]),
]


@pytest.mark.parametrize(("written", "shown", "earliest", "latest", "times"), SPEC_TABLE)
def test_spec_table(written: str, shown: str, earliest: str | None, latest: str, times: list[str]) -> None:
    date = parse_date(written)
    assert date.display == shown
    assert (date.earliest.isoformat() if date.earliest else None) == earliest
    assert date.latest is not None and date.latest.isoformat() == latest
    assert [p.datetime for p in date.parts if p.datetime] == times


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("20XX", "2000–2099"),
        ("2004-XX", "2004"),
        ("2004-06-XX", "June 2004"),
        ("2021-21", "spring 2021"),
        ("2021-05?", "May 2021 (uncertain)"),
        ("2020/..", "2020 or later"),
        ("/2024", "start unknown – 2024"),
        ("2024/", "2024 – end unknown"),
        ("2020?/2024", "2020 (uncertain) – 2024"),
        ("2021-05/2021-08", "May 2021 – August 2021"),
        ("2021-05-14T10:30:00Z", "14 May 2021, 10:30:00Z"),
    ],
)
def test_level_1_forms(written: str, shown: str) -> None:
    assert parse_date(written).display == shown


def test_a_year_is_never_shown_or_bounded_as_1_january() -> None:
    date = parse_date("2024")
    assert "1 January" not in date.display
    assert [p.datetime for p in date.parts] == ["2024"]
    assert date.latest == dt.date(2024, 12, 31)


def test_qualifiers_do_not_move_bounds() -> None:
    keys = {parse_date(text).sort_key for text in ("2023", "2023?", "2023~", "2023%")}
    assert len(keys) == 1


def test_open_start_sorts_where_its_end_period_begins() -> None:
    assert parse_date("../2025-11").sort_key == (dt.date(2025, 11, 1), dt.date(2025, 11, 30))


def test_winter_runs_into_the_next_year() -> None:
    date = parse_date("2023-24")
    assert (date.earliest, date.latest) == (dt.date(2023, 12, 1), dt.date(2024, 2, 29))


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("", "got an empty value"),
        ("2021-13", "month 13 does not exist in '2021-13'; months run 01-12"),
        ("2023-02-29", "February 2023 has no day 29 ('2023-02-29'); it has 28 days"),
        ("2020-02-30", "February 2020 has no day 30"),
        ("2025/2022", "the interval '2025/2022' ends before it begins; write the earlier date first"),
        ("../..", "an interval needs at least one known end"),
        ("2021-5", "got '2021-5'; did you mean '2021-05'?"),
        ("14.05.2021", "did you mean '2021-05-14'?"),
        ("May 2021", "expected an EDTF date such as"),
        ("2004-06-~11", "is EDTF level 2, which this timeline does not support"),
        ("2021-30", "is EDTF level 2"),
        ("-2024", "a year outside 0001-9999"),
        ("Y170000002", "a year outside 0001-9999"),
        ("0000", "the year 0"),
        ("2021/2022/2023", "expected an EDTF date"),
    ],
)
def test_errors_say_what_to_write(written: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(written)
    assert message in str(caught.value)


# -- properties -----------------------------------------------------------

days = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9998, 12, 31))
qualifiers = st.sampled_from(["", "?", "~", "%"])


@st.composite
def edtf_points(draw: st.DrawFn) -> str:
    day = draw(days)
    form = draw(st.sampled_from(["day", "month", "year", "decade"]))
    text = {
        "day": day.isoformat(),
        "month": day.isoformat()[:7],
        "year": day.isoformat()[:4],
        "decade": day.isoformat()[:3] + "X",
    }[form]
    return text + draw(qualifiers)


@st.composite
def edtf_dates(draw: st.DrawFn) -> str:
    first = draw(edtf_points())
    if draw(st.booleans()):
        return first
    second = draw(edtf_points())
    low, high = sorted([first, second], key=lambda t: parse_date(t).sort_key)
    if parse_date(low).earliest > parse_date(high).latest:  # type: ignore[operator]
        return low
    return draw(st.sampled_from([f"{low}/{high}", f"../{high}", f"{low}/.."]))


@given(edtf_dates())
def test_bounds_are_ordered_and_contain_the_sort_key(text: str) -> None:
    date = parse_date(text)
    first, last = date.sort_key
    assert first <= last
    if date.earliest is not None:
        assert date.earliest == first
    if date.latest is not None:
        assert date.latest == last


@given(days)
def test_a_day_round_trips(day: dt.date) -> None:
    date = parse_date(day.isoformat())
    assert date.earliest == date.latest == day
    assert str(day.year) in date.display


@given(st.lists(edtf_dates(), min_size=2, max_size=8))
def test_sort_keys_give_a_total_order(texts: list[str]) -> None:
    dates = [parse_date(t) for t in texts]
    ordered = sorted(dates, key=lambda d: (d.sort_key, d.edtf))
    backwards = dates[::-1]
    again = sorted(backwards, key=lambda d: (d.sort_key, d.edtf))
    assert [d.edtf for d in ordered] == [d.edtf for d in again]


@given(edtf_dates())
def test_time_elements_never_claim_more_precision_than_written(text: str) -> None:
    for part in parse_date(text).parts:
        if part.datetime is not None:
            assert part.datetime in text
