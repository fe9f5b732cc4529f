"""The built site in real Chromium, as a reader uses it.

Chromium comes from the system (Debian: `apt-get install chromium`), or from
the path in $CHROMIUM. Without one these tests skip on a user's machine and
fail in CI (where CI is set), because CI must prove what readers get.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.test_site import build
from timeline.render import SITE_NAME

playwright_api = pytest.importorskip("playwright.sync_api")
axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = {
    "home": "",
    "timeline": "timeline/",
    "article": "articles/uz-pediatric-surgery-capabilities/",
    "country": "countries/uz/",
    "procedure": "procedures/allogeneic-hsct/",
}


MISSING_BROWSER = (
    "no Chromium found: install it (Debian/Ubuntu: `sudo apt-get install chromium`) or set CHROMIUM=/path/to/chromium"
)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def require_chromium() -> str:
    """The browser to test with; a missing one fails in CI and skips elsewhere."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(MISSING_BROWSER)
        pytest.skip(MISSING_BROWSER)
    return path


def test_a_missing_browser_skips_on_a_users_machine_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(Path, "exists", lambda self: False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install chromium"):
        require_chromium()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = require_chromium()
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    """Serves a built site; a request the browser gives up on (a page closed mid-load) is no error to print."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = build(REPO / "seeds", tmp_path_factory.mktemp("browser"))
    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", folder
    server.shutdown()


@pytest.fixture
def open_page(browser: Any, site: tuple[str, Path]) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(path: str, **options: Any) -> Any:
        context = browser.new_context(**({"viewport": {"width": 1280, "height": 900}} | options))
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        page.goto(site[0] + path)
        return page

    yield open_
    for context in contexts:
        context.close()


def events(site: tuple[str, Path]) -> list[dict[str, Any]]:
    data = json.loads((site[1] / "data/timeline.json").read_text(encoding="utf-8"))
    return list(data["events"])


def visible_ids(page: Any) -> list[str]:
    return list(page.eval_on_selector_all(".tl-event:not([hidden]) h3[id]", "hs => hs.map(h => h.id)"))


@pytest.mark.parametrize("name", sorted(PAGES))
def test_pages_load_without_console_errors(open_page: Any, name: str) -> None:
    page = open_page(PAGES[name])
    page.wait_for_load_state("networkidle")
    assert page.problems == []


def test_filters_change_what_is_shown_and_the_url(open_page: Any, site: tuple[str, Path]) -> None:
    page = open_page("timeline/")
    everything = [e["id"] for e in events(site)]
    assert visible_ids(page) == everything
    page.select_option("#tl-country", "KG")
    kyrgyz = [e["id"] for e in events(site) if any(v["country"] == "KG" for v in e["versions"])]
    assert visible_ids(page) == kyrgyz
    assert "country=KG" in page.url
    assert page.inner_text("#tl-count") == f"Showing {len(kyrgyz)} of {len(everything)} events"
    assert page.get_attribute("#tl-count", "aria-live") == "polite"
    page.select_option("#tl-kind", "first")
    assert visible_ids(page) == ["kg-first-pediatric-autologous-hsct"]
    assert "country=KG" in page.url and "kind=first" in page.url
    assert not page.is_visible("#year_2026")
    page.click("#tl-filters button[type=reset]")  # the script shows everything once the form is reset: a tick later
    shown = "n => document.querySelectorAll('.tl-event:not([hidden])').length === n"
    page.wait_for_function(shown, arg=len(everything))
    assert visible_ids(page) == everything
    assert "?" not in page.url


def test_a_filtered_view_can_be_shared(open_page: Any) -> None:
    page = open_page("timeline/?procedure=liver-transplant&kind=first")
    assert visible_ids(page) == ["uz-first-pediatric-liver-transplant"]
    assert page.input_value("#tl-procedure") == "liver-transplant"
    assert page.input_value("#tl-kind") == "first"


def test_a_permalink_lands_on_its_event_highlighted(open_page: Any) -> None:
    page = open_page("timeline/#kg-first-pediatric-autologous-hsct", viewport={"width": 1280, "height": 700})
    heading = page.locator("#kg-first-pediatric-autologous-hsct")
    box = heading.bounding_box()
    assert box is not None and 0 <= box["y"] < 700
    event = page.locator(".tl-event", has=heading)
    assert event.evaluate("e => getComputedStyle(e).borderLeftColor") != "rgba(0, 0, 0, 0)"
    other = page.locator(".tl-event").first
    assert other.evaluate("e => getComputedStyle(e).borderLeftColor") == "rgba(0, 0, 0, 0)"
    assert heading.locator("a.headerlink").get_attribute("href") == "#kg-first-pediatric-autologous-hsct"


def test_without_javascript_every_event_is_listed(open_page: Any, site: tuple[str, Path]) -> None:
    page = open_page("timeline/", java_script_enabled=False)
    assert visible_ids(page) == [e["id"] for e in events(site)]
    assert all(page.locator(".tl-event").nth(i).is_visible() for i in range(len(events(site))))
    assert not page.is_visible("#tl-filters")
    assert page.inner_text("#tl-count") == f"{len(events(site))} events"


def test_the_inferred_date_note_is_one_click_away(open_page: Any, site: tuple[str, Path]) -> None:
    page = open_page("timeline/#uz-first-pediatric-allogeneic-hsct")
    event = page.locator(".tl-event", has=page.locator("#uz-first-pediatric-allogeneic-hsct"))
    note = event.locator("details", has_text="How the date was inferred")
    assert not note.locator("p").first.is_visible()
    note.locator("summary").click()
    assert note.locator("p").first.is_visible()
    shared = next(e for e in events(site) if e["id"] == "uz-first-pediatric-allogeneic-hsct")
    for source in shared["sources"]:
        assert " ".join(source["date_note"].split()[:8]) in " ".join(note.inner_text().split())


def test_a_family_filter_shows_every_kind_of_it(open_page: Any, site: tuple[str, Path]) -> None:
    page = open_page("timeline/?country=KG&procedure=hsct")
    expected = [
        e["id"]
        for e in events(site)
        if "hsct" in e["counted_under"] and any(v["country"] == "KG" for v in e["versions"])
    ]
    assert "kg-first-pediatric-autologous-hsct" in expected  # an autologous transplant is a stem cell transplant
    assert visible_ids(page) == expected
    procedure = open_page("procedures/hsct/")
    firsts = procedure.locator("#firsts_ + table, #firsts_ ~ p + table, #firsts_ ~ .md-typeset__scrollwrap table").first
    assert "Kyrgyzstan" in firsts.inner_text()
    assert firsts.locator("a[href$='#kg-first-pediatric-autologous-hsct']").count() == 1


def test_a_contested_first_is_shown_with_every_claim(open_page: Any, site: tuple[str, Path]) -> None:
    rivals = {e["id"]: e["contested_with"] for e in events(site) if e["contested_with"]}
    assert rivals  # the NCMC's first allogeneic transplant and the first bone marrow transplant of a headline
    page = open_page("timeline/")
    for event_id, others in rivals.items():
        event = page.locator(".tl-event", has=page.locator(f"[id='{event_id}']"))
        warning = event.locator(".admonition", has_text="Contested first")
        assert warning.is_visible()
        for other in others:
            assert warning.locator(f"a[href$='#{other}']").count() == 1
        assert "contested first" in event.locator(".tl-badge-contested").inner_text()
    country = open_page("countries/uz/")
    row = country.locator("tr", has_text="stem cell transplant").first
    assert "contested" in row.inner_text()
    for event_id in rivals:
        assert row.locator(f"a[href$='#{event_id}']").count() == 1


def test_uncertain_dates_look_different_from_exact_ones(open_page: Any) -> None:
    page = open_page("timeline/")

    def style(selector: str) -> str:
        return str(
            page.locator(selector).first.evaluate(
                "e => [getComputedStyle(e).borderLeftStyle, getComputedStyle(e).borderTopStyle, "
                "getComputedStyle(e).fontStyle].join(' ')"
            )
        )

    styles = {style(s) for s in (".tl-exact", ".tl-interval", ".tl-open", ".tl-uncertain", ".tl-approximate")}
    assert len(styles) == 5


def test_cite_this_copies_the_citation_with_the_absolute_permalink(open_page: Any, site: tuple[str, Path]) -> None:
    page = open_page("timeline/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    event = next(e for e in events(site) if e["id"] == "kg-first-pediatric-autologous-hsct")
    section = page.locator(".tl-event", has=page.locator(f"#{event['id']}"))
    cite = section.locator("details.tl-cite")
    button = cite.locator("button.tl-copy")
    assert not button.is_visible()
    cite.locator("summary").click()
    assert button.is_visible()
    button.click()
    page.wait_for_function("b => b.textContent === 'Copied'", arg=button.element_handle())
    assert cite.locator("[aria-live=polite]").inner_text() == "Citation copied"
    copied = page.evaluate("navigator.clipboard.readText()")
    permalink = f"{site[0]}timeline/#{event['id']}"
    assert copied == f"“{event['title']}.” {SITE_NAME}. {permalink}. Accessed [date]."
    assert cite.locator("a.tl-permalink").inner_text() == permalink  # shown as it is copied
    page.wait_for_function("b => b.textContent === 'Copy'", arg=button.element_handle(), timeout=5_000)


def test_cite_this_works_on_a_page_without_the_filter_form(browser: Any, site: tuple[str, Path]) -> None:
    # The filters' code stops where a page has no filter form: the copy button must not depend on it.
    context = browser.new_context()
    try:
        page = context.new_page()

        def without_form(route: Any) -> None:
            response = route.fetch()
            route.fulfill(response=response, body=response.text().replace('id="tl-filters"', 'id="tl-gone"'))

        page.route("**/timeline/", without_form)
        page.goto(site[0] + "timeline/")
        assert page.locator("#tl-filters").count() == 0
        cite = page.locator("details.tl-cite").first
        cite.locator("summary").click()
        assert cite.locator("button.tl-copy").is_visible()
        assert cite.locator("a.tl-permalink").inner_text().startswith(site[0] + "timeline/#")
    finally:
        context.close()


def test_without_javascript_the_citation_is_there_to_select(open_page: Any) -> None:
    page = open_page("timeline/", java_script_enabled=False)
    cite = page.locator("details.tl-cite").first
    cite.locator("summary").click()
    assert "Accessed [date]." in cite.locator("p.tl-citation").inner_text()
    assert not cite.locator("button.tl-copy").is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", ["home", "timeline", "article", "country"])
def test_no_serious_accessibility_violations(open_page: Any, name: str, scheme: str) -> None:
    page = open_page(PAGES[name], color_scheme=scheme)
    page.wait_for_load_state("networkidle")
    violations = axe_api.Axe().run(page).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]]) for v in violations if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.mark.parametrize("name", sorted(PAGES))
def test_phone_screens_do_not_scroll_sideways(open_page: Any, name: str) -> None:
    page = open_page(PAGES[name], viewport={"width": 375, "height": 800}, is_mobile=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_home_firsts_table_on_a_phone_links_to_events(open_page: Any) -> None:
    page = open_page("", viewport={"width": 375, "height": 800}, is_mobile=True)
    # The table is wider than the phone: it scrolls inside the page, and says so.
    wrapper = page.locator(".tl-firsts .md-typeset__scrollwrap, .tl-firsts .md-typeset__table").first
    assert wrapper.evaluate("w => w.scrollWidth > w.clientWidth")
    assert page.is_visible(".tl-scroll-hint")
    # Kyrgyzstan's first autologous transplant is also its first stem cell transplant: two cells.
    assert page.locator("article table a[href*='timeline/#kg-first']").count() == 2
    link = page.locator("article table a[href*='timeline/#kg-first']").last
    link.scroll_into_view_if_needed()
    assert link.is_visible()
    link.click()
    page.wait_for_url("**/timeline/#kg-first-pediatric-autologous-hsct")


def test_print_shows_events_without_the_furniture(open_page: Any) -> None:
    page = open_page("timeline/?country=UZ")
    page.emulate_media(media="print")
    assert not page.is_visible("#tl-filters")
    assert not page.is_visible(".md-sidebar--primary")
    assert page.is_visible("#uz-first-pediatric-liver-transplant")
    assert len(page.pdf()) > 10_000


def test_article_quotes_link_back_to_their_events(open_page: Any) -> None:
    page = open_page("articles/uz-pediatric-surgery-capabilities/")
    backlink = page.locator("sup.tl-backlink a[href$='#uz-first-pediatric-liver-transplant']")
    assert backlink.count() == 1
    backlink.click()
    page.wait_for_url("**/timeline/#uz-first-pediatric-liver-transplant")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Umarov", "Uzbekistan Boosts Pediatric Surgery"),
        ("Rogachev", "President visits children"),
        ("Bishkek", "Conference on pediatric oncology"),
        ("Tashkent", "First allogeneic bone marrow transplant"),
    ],
)
def test_search_finds_people_places_and_institutions(open_page: Any, query: str, expected: str) -> None:
    page = open_page("")
    search = page.locator("input[data-md-component=search-query]")
    results = page.locator(".md-search-result__item")
    # Typed key by key, as a reader does: Material searches on keystrokes, so a value merely set
    # (fill) is searched only if it is there when the index becomes ready, and on a busy machine
    # it was not. A query typed just as the index gets ready can still be missed: type it again
    # until results show, for up to 30 s.
    deadline = time.monotonic() + 30
    while True:
        search.press_sequentially(query)
        try:
            results.first.wait_for(timeout=2_000)
            break
        except playwright_api.TimeoutError:
            if time.monotonic() > deadline:
                raise
            search.fill("")
    assert expected in page.inner_text(".md-search-result__list")


SCREENSHOTS = {"timeline.png": "timeline/?country=UZ", "article.png": "articles/uz-pediatric-surgery-capabilities/"}


@pytest.mark.parametrize("name", sorted(SCREENSHOTS))
def test_screenshots_for_the_readme(open_page: Any, request: pytest.FixtureRequest, tmp_path: Path, name: str) -> None:
    page = open_page(SCREENSHOTS[name], viewport={"width": 1200, "height": 900})
    page.wait_for_load_state("networkidle")
    target = tmp_path / name
    page.screenshot(path=str(target))
    assert target.stat().st_size > 20_000
    if request.config.getoption("--update-screenshots"):
        (REPO / "screenshots").mkdir(exist_ok=True)
        shutil.copy(target, REPO / "screenshots" / name)
