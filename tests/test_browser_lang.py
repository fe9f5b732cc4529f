"""Search in Chromium for text in the sources' own languages: Cyrillic words and Uzbek apostrophes."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.test_browser import CHROMIUM_FLAGS, _Quiet, _Server, require_chromium
from tests.test_languages import seeds_with_fixture
from tests.test_site import build

playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-lang")
    built = build(seeds_with_fixture(folder), folder / "work")
    server = _Server(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(built)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def search_page(site: str) -> Iterator[Any]:
    path = require_chromium()
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.site = site
        yield page
        browser.close()


def results(page: Any, query: str) -> list[str]:
    """The titles of the search results for ``query``, typed into the search box as a reader would."""
    page.goto(page.site)
    box = page.locator("input.md-search__input")
    box.click()
    # "matching" is in both "1 matching document" and "No matching documents". A query typed before
    # Material's worker has its index goes unanswered (the meta line keeps "Initializing search"):
    # type it again until an answer shows, for up to 30 s, as test_browser's search test does.
    answered = page.locator(".md-search-result__meta", has_text="matching")
    deadline = time.monotonic() + 30
    while True:
        box.fill("")
        box.press_sequentially(query)
        # Playwright types a letter missing from its US layout (all of Cyrillic, ʻ) as an input event
        # with no key events, and Material searches on keyup: a key a reader's own keyboard would
        # send, End, delivers one.
        box.press("End")
        try:
            answered.wait_for(timeout=2_000)
            break
        except playwright_api.TimeoutError:
            if time.monotonic() > deadline:
                raise
    page.wait_for_timeout(300)  # the worker answers each keystroke; let the last answer land
    return [t.strip() for t in page.locator(".md-search-result__item h1, .md-search-result__item h2").all_inner_texts()]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ташкент", "A test article in Russian"),  # the Russian fixture seed (a stem of Ташкенте)
        ("Вислоцкий", "Childhood Cancer Awareness Month"),  # the byline of the Kyrgyz article
        ("Иванов", "A test article in Russian"),  # a Russian name in the text
        ("Узбекистан", "Uzbekistan"),  # a country's Russian name, on its country page
    ],
)
def test_cyrillic_words_are_found(search_page: Any, query: str, expected: str) -> None:
    found = results(search_page, query)
    assert any(expected.lower() in title.lower() for title in found), found


def test_an_uzbek_word_with_its_apostrophe_is_one_word(search_page: Any) -> None:
    found = results(search_page, "Oʻzbekiston")
    assert any("A test article in Russian" in title for title in found), found
    # Split at ʻ, "O" and "zbekiston" would be words of their own: "zbekiston" alone finds nothing.
    assert not any("A test article in Russian" in title for title in results(search_page, "zbekiston")), found


def test_nonsense_finds_nothing(search_page: Any) -> None:
    assert results(search_page, "Щщщзхъ") == []
