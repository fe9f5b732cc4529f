"""Find a verbatim quote in an article body, forgiving only typography.

White space, curly versus straight quotes and dash variants differ between a
web page and what an editor types; nothing else is forgiven.
"""

from __future__ import annotations

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


def _normalise_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise the body keeping, for each output character, its offset in ``text``."""
    out: list[str] = []
    origin: list[int] = []
    in_space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space and out:
                out.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        out.append(unicodedata.normalize("NFC", char).translate(_EQUIVALENTS))
        origin.append(index)
    return "".join(out), origin


def locate(quote: str, body: str) -> tuple[int, int] | None:
    """Return the ``[start, end)`` offsets of ``quote`` in ``body``, or None if absent.

    The first occurrence wins, so the page highlights what a reader meets first.
    """
    needle = normalise(quote)
    if not needle:
        return None
    haystack, origin = _normalise_with_map(body)
    found = haystack.find(needle)
    if found < 0:
        return None
    last = found + len(needle) - 1
    return origin[found], origin[last] + 1
