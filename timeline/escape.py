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


_INLINE_REPLACEMENTS = (
    *((c, "\\" + c) for c in "\\`*_{}[]()#+-.!|"),
    *((c, html.escape(c, quote=True)) for c in "&<>\"'"),
)
"""Backslash-escape Markdown, then HTML-escape, in this order.

The backslash goes first so that no escape is escaped twice, and ``&`` goes
first among the HTML characters for the same reason; the HTML references add
``#`` and ``;`` only after ``#`` was handled. One ``str.replace`` per character
that occurs is many times faster than ``str.translate`` with a table; the
test suite checks the result against the rules spelled out step by step.
"""
_UNCLEAN = re.compile(rf"\s\s|[^\S ]|{CONTROLS.pattern}")
"""White space other than single spaces, or a control: text that needs cleaning first."""


def inline_text(value: str) -> Escaped:
    """Make ``value`` literal text on one line of Markdown: no markup, links or attributes.

    White space collapses to single spaces but is kept at the ends, so that
    pieces of one paragraph (text, then a highlighted quote) join as written.
    """
    # Printable text has no control and no white space but the plain space
    # (str.isprintable is a fast scan); only other text needs the search.
    if not (value.isprintable() and "  " not in value) and _UNCLEAN.search(value):
        value = _SPACE.sub(" ", CONTROLS.sub("", value))
    text = value
    for special, replacement in _INLINE_REPLACEMENTS:
        if special in text:
            text = text.replace(special, replacement)
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


def css_string(value: str) -> Escaped:
    """Make ``value`` the text of a double-quoted CSS string: every character but letters, digits and spaces escaped.

    A CSS escape is a backslash, the code point in hex and a space, so no
    quote, backslash, newline or ``</style>`` can survive as itself.
    """
    text = _SPACE.sub(" ", CONTROLS.sub("", value))
    return Escaped("".join(c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):x} " for c in text))


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
