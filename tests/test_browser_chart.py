# ruff: noqa: F811  (pytest fixtures shared from test_browser, named as parameters)
"""The timeline at a glance in real Chromium: links, keyboard, key, dark mode, phones, axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import axe_api, browser, events, open_page, site  # noqa: F401


def luminance(rgb: str) -> float:
    """The relative luminance (WCAG) of a computed ``rgb(r, g, b)`` colour."""
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_event_has_a_mark_that_links_to_it(open_page: Any, site: tuple[str, Path]) -> None:
    page = open_page("timeline/")
    # Each event is drawn as a mark linking to it, or counted in its lane-year's box (marks that
    # would cover one another are counted): drawn plus counted is every event, none twice.
    hrefs = page.eval_on_selector_all(
        ".tl-chart a.tl-mark:not(.tl-count)", "marks => marks.map(m => m.getAttribute('href'))"
    )
    counted = page.eval_on_selector_all(".tl-chart a.tl-count text", "ts => ts.map(t => Number(t.textContent))")
    every = {f"#{e['id']}" for e in events(site)}
    assert set(hrefs) <= every and len(hrefs) == len(set(hrefs))
    assert len(hrefs) + sum(counted) == len(every)
    titles = page.eval_on_selector_all(".tl-chart a.tl-mark > title", "ts => ts.map(t => t.textContent)")
    assert all(title.strip() for title in titles)
    assert page.get_attribute(".tl-chart svg.tl-chart-svg", "role") == "group"
    assert "text equivalent" in (page.text_content(".tl-chart svg.tl-chart-svg > desc") or "")


def test_clicking_a_mark_scrolls_to_its_event(open_page: Any, site: tuple[str, Path]) -> None:
    page = open_page("timeline/", viewport={"width": 1280, "height": 700})
    drawn = page.eval_on_selector_all(".tl-chart a.tl-mark:not(.tl-count)", "ms => ms.map(m => m.getAttribute('href'))")
    last = [e["id"] for e in events(site) if f"#{e['id']}" in drawn][-1]
    page.locator(f".tl-chart a.tl-mark[href='#{last}']").click()
    page.wait_for_url(f"**/timeline/#{last}")
    box = page.locator(f"#{last}").bounding_box()
    assert box is not None and 0 <= box["y"] < 700


def test_marks_are_reached_with_the_keyboard_and_show_focus(open_page: Any) -> None:
    page = open_page("timeline/")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.tl-chart a.tl-mark')"):
            break
    else:
        pytest.fail("no chart mark took the keyboard focus")
    shape = "document.activeElement.querySelector(':scope > circle, :scope > rect, :scope > path')"
    assert page.evaluate(f"getComputedStyle({shape}).strokeWidth") == "3px"
    page.keyboard.press("Enter")
    target = page.evaluate("location.hash")
    assert target.startswith("#") and page.locator(target).is_visible()


def test_a_country_pages_marks_open_the_events_on_the_timeline(open_page: Any) -> None:
    page = open_page("countries/uz/")
    labels = page.eval_on_selector_all(".tl-chart .tl-chart-label", "ls => ls.map(l => l.textContent)")
    assert labels[0] == "Stem cell transplant" and "Liver transplant" in labels
    mark = page.locator(".tl-chart a.tl-mark[href$='#uz-first-pediatric-liver-transplant']")
    mark.click()
    page.wait_for_url("**/timeline/#uz-first-pediatric-liver-transplant")


def test_the_key_explains_every_style(open_page: Any) -> None:
    page = open_page("timeline/")
    key = page.locator(".tl-chart ul.tl-chart-key")
    assert key.is_visible()
    text = key.inner_text()
    for words in (
        "a day or a month",
        "“by” a date",
        "or later",
        "approximate",
        "uncertain",
        "inferred",
        "first",
        "contested",
        "how many",
    ):
        assert words in text, words
    classes = " ".join(page.eval_on_selector_all(".tl-chart a.tl-mark", "ms => ms.map(m => m.getAttribute('class'))"))
    for style in ("tl-point", "tl-bar", "tl-by", "tl-first", "tl-contested", "tl-line-dotted"):
        assert style in classes, style  # the seeds use each of these


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_marks_stand_out_in_both_schemes(open_page: Any, scheme: str) -> None:
    page = open_page("timeline/", color_scheme=scheme)
    expected = "slate" if scheme == "dark" else "default"
    assert page.get_attribute("body", "data-md-color-scheme") == expected
    background = page.evaluate("getComputedStyle(document.querySelector('.md-main')).backgroundColor")
    if background in ("rgba(0, 0, 0, 0)", "transparent"):
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    fill = page.evaluate("getComputedStyle(document.querySelector('.tl-mark.tl-point > circle')).fill")
    ring = page.evaluate("getComputedStyle(document.querySelector('.tl-mark > .tl-ring')).stroke")
    label = page.evaluate("getComputedStyle(document.querySelector('.tl-chart-label')).fill")
    assert contrast(fill, background) >= 3, (fill, background)  # graphics: WCAG 1.4.11
    assert contrast(ring, background) >= 3, (ring, background)
    assert contrast(label, background) >= 4.5, (label, background)  # text


def test_on_a_phone_the_chart_scrolls_inside_the_page(open_page: Any) -> None:
    page = open_page("timeline/", viewport={"width": 390, "height": 844}, is_mobile=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    scroller = page.locator(".tl-chart-scroll")
    assert scroller.evaluate("s => s.scrollWidth > s.clientWidth")
    assert page.locator(".tl-chart svg.tl-chart-svg").evaluate("s => s.getBoundingClientRect().width") >= 640
    scroller.evaluate("s => s.scrollLeft = s.scrollWidth")
    assert scroller.evaluate("s => s.scrollLeft") > 0
    assert page.locator(".tl-chart-swipe").is_visible()  # the note says so in words


def test_on_a_wide_screen_the_chart_fits_and_says_nothing_about_swiping(open_page: Any) -> None:
    page = open_page("timeline/", viewport={"width": 1280, "height": 900})
    scroller = page.locator(".tl-chart-scroll")
    assert scroller.evaluate("s => s.scrollWidth <= s.clientWidth")
    assert page.locator(".tl-chart-swipe").count() == 1
    assert not page.locator(".tl-chart-swipe").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", ["timeline/", "timeline/?country=kg", "countries/uz/"])
def test_the_chart_has_no_accessibility_violations(open_page: Any, path: str, scheme: str) -> None:
    page = open_page(path, color_scheme=scheme)
    page.wait_for_load_state("networkidle")
    violations = axe_api.Axe().run(page, context=".tl-chart").response["violations"]
    assert [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations] == []
