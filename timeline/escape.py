"""Escape untrusted values for the place they land in generated Markdown.

HTML escaping alone is not enough for Markdown: ``[x](javascript:…)`` and
attr-list ``{: onclick=… }`` contain no HTML special character. Each function
returns ``Escaped`` so that templates can refuse anything that was not escaped
(see ``render.finalize``).
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

from markupsafe import Markup


class Escaped(Markup):
    """A string already made safe for where a template puts it.

    A ``Markup`` subclass, so that Jinja's autoescape leaves it as it is.
    """

    __slots__ = ()


# C0/C1 controls, DEL, the Unicode line and paragraph separators, lone
# surrogates and the noncharacters U+FFFE/U+FFFF (which YAML refuses).
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_LINE_START = frozenset("?~:=")
_URL_FORBIDDEN = re.compile(r"[\s<>\"'`\\\x00-\x1f\x7f]")


def _inline_table() -> dict[int, str | None]:
    """One pass that drops controls, backslash-escapes Markdown and HTML-escapes.

    The two escapings never meet (no Markdown-special character is an HTML one),
    so mapping each character once equals applying one after the other.
    """
    table: dict[int, str | None] = {ord(c): "\\" + c for c in "\\`*_{}[]()#+-.!|"}
    table.update({ord(c): html.escape(c, quote=True) for c in "&<>\"'"})
    for code in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0xFFFE, 0xFFFF]:
        table[code] = None
    table.update(dict.fromkeys(range(0xD800, 0xE000)))
    return table


_INLINE = _inline_table()
_MESSY_SPACE = re.compile(r"\s\s|[^\S ]")


def inline_text(value: str) -> Escaped:
    """Make ``value`` literal text on one line of Markdown: no markup, links or attributes.

    White space collapses to single spaces but is kept at the ends, so that
    pieces of one paragraph (text, then a highlighted quote) join as written.
    """
    if _MESSY_SPACE.search(value) or CONTROLS.search(value):
        value = _SPACE.sub(" ", CONTROLS.sub("", value))
    text = value.translate(_INLINE)
    # Once escaped, a value is one line, so only its first character can
    # start a line: there, '???' opens a collapsible block and '~~~' a code
    # fence, and neither can be backslash-escaped. A character reference can.
    stripped = text.lstrip(" ")
    if stripped[:1] in _LINE_START:
        lead = len(text) - len(stripped)
        text = f"{text[:lead]}&#{ord(stripped[0])};{stripped[1:]}"
    return Escaped(text)


def attribute(value: str) -> Escaped:
    """Make ``value`` safe inside a double-quoted HTML attribute."""
    text = _SPACE.sub(" ", CONTROLS.sub("", value)).strip()
    return Escaped(html.escape(text, quote=True))


def is_safe_url(value: str) -> bool:
    """Whether ``value`` is an http(s) URL with a host and no character that could break out."""
    if _URL_FORBIDDEN.search(value) or CONTROLS.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def link_target(value: str) -> Escaped:
    """Make a checked http(s) URL safe as a Markdown link target or an href.

    Validation rejects unsafe URLs before rendering; this refuses them again
    rather than trust that it ran.
    """
    if not is_safe_url(value):
        raise ValueError(f"refusing to link to an unchecked URL: {value!r}")
    encoded = quote(value, safe="/:?#[]@!$&*+,;=%-._~")
    return Escaped(html.escape(encoded, quote=True))
