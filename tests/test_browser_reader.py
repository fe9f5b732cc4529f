# ruff: noqa: F811  (pytest fixtures shared from test_browser, named as parameters)
"""What a reader tripped over (issue 16), checked in real Chromium."""

from __future__ import annotations

from typing import Any

from tests.test_browser import browser, open_page, site, visible_ids  # noqa: F401


def test_a_lower_case_country_filters_like_the_upper_case_one(open_page: Any) -> None:
    lower = open_page("timeline/?country=kg")
    upper = open_page("timeline/?country=KG")
    shown = visible_ids(lower)
    assert shown == visible_ids(upper)
    assert 0 < len(shown) < len(lower.query_selector_all(".tl-event"))
    assert lower.input_value("#tl-country") == "KG"
    assert lower.query_selector(".tl-notice") is None


def test_an_unknown_value_says_so_and_shows_everything(open_page: Any) -> None:
    page = open_page("timeline/?country=zz&procedure=nonsense")
    notice = page.inner_text(".tl-notice")
    assert "zz" in notice and "nonsense" in notice and "showing all" in notice
    assert page.input_value("#tl-country") == ""
    assert len(visible_ids(page)) == len(page.query_selector_all(".tl-event"))


def test_struck_out_years_are_not_links(open_page: Any) -> None:
    page = open_page("timeline/?country=kg")
    struck = page.query_selector_all(".tl-years a.tl-empty")
    assert struck
    for link in struck:
        assert link.get_attribute("href") is None
        assert link.get_attribute("aria-disabled") == "true"
    page.select_option("#tl-country", "")
    assert page.query_selector_all(".tl-years a.tl-empty") == []
    assert all(a.get_attribute("href") for a in page.query_selector_all(".tl-years a"))


def test_the_kind_label_stays_on_its_menus_line_at_1280px(open_page: Any) -> None:
    page = open_page("timeline/")
    label = page.locator("label[for=tl-kind]").bounding_box()
    menu = page.locator("#tl-kind").bounding_box()
    assert abs((label["y"] + label["height"] / 2) - (menu["y"] + menu["height"] / 2)) < menu["height"] / 2


def test_a_one_line_heading_is_one_line_high(open_page: Any) -> None:
    page = open_page("timeline/")
    heights = page.eval_on_selector_all(
        ".tl-event h3[id]",
        """hs => hs.map(h => {
            const r = document.createRange(); r.selectNodeContents(h.firstChild);
            const style = getComputedStyle(h);
            return [h.getBoundingClientRect().height, parseFloat(style.lineHeight), r.getClientRects().length];
        })""",
    )
    one_line = [(height, line) for height, line, rects in heights if rects == 1]
    assert one_line
    for height, line in one_line:
        assert height < 1.5 * line


def test_the_permalink_shows_on_a_touch_screen(open_page: Any) -> None:
    page = open_page("timeline/", has_touch=True, is_mobile=True, viewport={"width": 390, "height": 844})
    assert page.evaluate("matchMedia('(hover: none)').matches")
    opacity = page.eval_on_selector(".tl-event h3 .headerlink", "a => getComputedStyle(a).opacity")
    assert float(opacity) == 1


def test_printed_headings_stay_with_what_follows(open_page: Any) -> None:
    page = open_page("timeline/")
    page.emulate_media(media="print")
    rule = page.eval_on_selector(".tl-year h2", "h => getComputedStyle(h).breakAfter")
    assert rule == "avoid"


def test_an_inferred_date_does_not_look_like_a_stated_one(open_page: Any) -> None:
    page = open_page("timeline/")
    style = "e => getComputedStyle(e).backgroundImage"
    stated = page.eval_on_selector(".tl-event .tl-date.tl-exact:not(.tl-inferred)", style)
    inferred = page.eval_on_selector(".tl-event .tl-date.tl-exact.tl-inferred", style)
    assert stated == "none"
    assert "gradient" in inferred
    # The key shows both, and explains an open end.
    key = page.locator(".tl-legend")
    assert key.locator(".tl-date.tl-inferred").count() == 1
    assert "2022 or later" in key.inner_text()


def test_a_printout_names_the_site_its_address_and_the_datas_date(open_page: Any) -> None:
    page = open_page("timeline/")
    header = page.locator(".tl-print-header")
    assert not header.is_visible()  # never on screen
    page.emulate_media(media="print")
    assert header.is_visible()
    text = header.inner_text()
    assert "Pediatric transplantation in Central Asia" in text
    assert page.url.split("#")[0] in text  # no SITE_URL in the tests: the address it was opened at
    after = header.evaluate("h => getComputedStyle(h, '::after').content")
    assert "data as of February 2026" in after  # the newest source's publication (seeds/)


def test_the_chart_fades_what_a_filter_hides_and_takes_it_out_of_the_tab_order(open_page: Any) -> None:
    page = open_page("timeline/?country=kg")
    shown = set(visible_ids(page))
    marks = page.eval_on_selector_all(
        "a.tl-mark[href^='#']",
        """ms => ms.map(m => ({target: decodeURIComponent(m.getAttribute('href').slice(1)),
                           faded: m.classList.contains('tl-filtered'), tabindex: m.getAttribute('tabindex'),
                           opacity: getComputedStyle(m).opacity}))""",
    )
    assert {m["faded"] for m in marks} == {True, False}
    for mark in marks:
        assert mark["faded"] == (mark["target"] not in shown), mark
        assert (mark["tabindex"] == "-1") == mark["faded"]
        assert (float(mark["opacity"]) < 0.5) == mark["faded"]
    boxes = page.eval_on_selector_all(
        "a.tl-mark.tl-count",
        """bs => bs.map(b => ({events: (b.getAttribute('data-events') || '').split(' '), href: b.getAttribute('href'),
                           faded: b.classList.contains('tl-filtered'), tabindex: b.getAttribute('tabindex')}))""",
    )
    assert {b["faded"] for b in boxes} == {True, False}  # the real seeds count events in both lanes
    for box in boxes:
        assert box["faded"] == (not shown & set(box["events"])) == (box["tabindex"] == "-1"), box
    # A box's link keeps the filters other than its own country.
    page.select_option("#tl-kind", "first")
    hrefs = page.eval_on_selector_all("a.tl-mark.tl-count", "bs => bs.map(b => b.getAttribute('href'))")
    assert hrefs and all("kind=first" in href and "country=" in href for href in hrefs), hrefs
    page.select_option("#tl-country", "")
    page.select_option("#tl-kind", "")
    assert page.query_selector_all("a.tl-mark.tl-filtered, a.tl-mark[tabindex]") == []
    hrefs = page.eval_on_selector_all("a.tl-mark.tl-count", "bs => bs.map(b => b.getAttribute('href'))")
    assert not any("kind=" in href for href in hrefs), hrefs
    assert page.problems == []
