"""Evidence: verbatim quotes found despite typography, and nothing more forgiving."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from timeline.evidence import locate, normalise

BODY = "He said: “We will build a new centre” – in\n  Tashkent — on May 14.\n\nNext paragraph."


def test_white_space_quotes_and_dashes_are_forgiven() -> None:
    span = locate('"We will build a new centre" - in Tashkent - on May 14', BODY)
    assert span is not None
    assert BODY[span[0] : span[1]] == "“We will build a new centre” – in\n  Tashkent — on May 14"


def test_words_are_not_forgiven() -> None:
    assert locate("We will build a new center", BODY) is None
    assert locate("we will build", BODY) is None


def test_a_quote_may_cross_a_paragraph_break() -> None:
    span = locate("May 14. Next", BODY)
    assert span is not None and BODY[span[0] : span[1]] == "May 14.\n\nNext"


def test_empty_quote_is_never_found() -> None:
    assert locate("   ", BODY) is None


TYPOGRAPHY = {"'": "’‘", '"': "“”„", "-": "–—‑"}
words = st.text(alphabet="abcdefghij .,", min_size=1, max_size=40)


@given(words, words, st.sampled_from(["\n", "  ", "\t", " \n\n "]), st.sampled_from(sorted(TYPOGRAPHY)))
def test_typographic_variants_are_found_at_their_place(before: str, quote: str, space: str, mark: str) -> None:
    quote = f"{quote.strip() or 'x'}{mark}end"
    fancy = quote.replace(mark, TYPOGRAPHY[mark][0]).replace(" ", space)
    body = f"{before}{fancy} after"
    span = locate(quote, body)
    assert span is not None
    assert normalise(body[span[0] : span[1]]) == normalise(quote)
