"""Find a verbatim quote in an article body, forgiving only typography.

White space, curly versus straight quotes and dash variants differ between a
web page and what an editor types; nothing else is forgiven.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

_EQUIVALENTS = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "﹘": "-",
    }
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Return ``text`` as evidence is compared: NFC, plain quotes and dashes, single spaces."""
    text = unicodedata.normalize("NFC", text).translate(_EQUIVALENTS)
    return _SPACE.sub(" ", text).strip()


_WORD = re.compile(r"\S+")


def locate(quote: str, body: str) -> tuple[int, int] | None:
    """Return the ``[start, end)`` offsets of ``quote`` in ``body``, or None if absent.

    The first occurrence wins, so the page highlights what a reader meets first.
    Works on words, not characters: the body's runs of white space become
    single spaces, and a word's offset in that text maps back to the body.
    """
    needle = normalise(quote)
    if not needle:
        return None
    exact = body.find(quote.strip())
    if exact >= 0 and quote.strip() == needle:
        return exact, exact + len(needle)
    if not unicodedata.is_normalized("NFC", body):
        return _locate_slowly(needle, body)
    text = body.translate(_EQUIVALENTS)  # one character for one: offsets are kept
    words = list(_WORD.finditer(text))
    joined = " ".join(w.group() for w in words)
    found = joined.find(needle)
    if found < 0:
        return None
    starts = []
    position = 0
    for word in words:
        starts.append(position)
        position += len(word.group()) + 1

    def origin(index: int) -> int:
        word = bisect.bisect_right(starts, index) - 1
        return words[word].start() + (index - starts[word])

    return origin(found), origin(found + len(needle) - 1) + 1


def _locate_slowly(needle: str, body: str) -> tuple[int, int] | None:
    """Character by character, for bodies that NFC would change (lengths shift)."""
    out: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, char in enumerate(body):
        if char.isspace():
            if not in_space and out:
                out.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        for piece in unicodedata.normalize("NFC", char).translate(_EQUIVALENTS):
            out.append(piece)
            origin.append(index)
    found = "".join(out).find(needle)
    if found < 0:
        return None
    return origin[found], origin[found + len(needle) - 1] + 1
