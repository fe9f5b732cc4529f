"""Render the model into the generated pages and data files: ``{path: text}``.

Pure: no file is read but the templates, none is written. Markdown is not
HTML, so HTML escaping alone is wrong here: every printed value must pass a
filter that escapes it for where it lands (``md``, ``attr``, ``url``, ``id``),
and ``finalize`` refuses anything else. Those filters return ``Markup``, as do
macros, so Jinja's autoescape (on, as a backstop) never changes them; the
``safe`` filter is removed so that nothing can skip the rule.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from timeline.dates import Date, parse_date
from timeline.escape import CONTROLS, Escaped, attribute, inline_text, link_target
from timeline.model import Article, Block, Corpus, Event, single_event
from timeline.schema import annotation_schema, schema_json
from timeline.vocabulary import Vocabulary

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class UnescapedValue(TypeError):
    """A template printed a value without saying how to escape it."""


def _require_escaped(value: Any) -> Any:
    if isinstance(value, (Markup, int)) and not isinstance(value, bool):
        return value
    raise UnescapedValue(f"template printed {value!r} without an escaping filter; use |md, |attr or |url")


def environment(templates: Path = TEMPLATES, compiled: Path | None = None) -> jinja2.Environment:
    """The Jinja environment every page is rendered with; ``compiled`` keeps compiled templates between runs."""
    cache = None
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
        cache = jinja2.FileSystemBytecodeCache(str(compiled))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=cache,
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=_require_escaped,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    del env.filters["safe"]
    env.filters["md"] = lambda value: inline_text(str(value))
    env.filters["attr"] = lambda value: attribute(str(value))
    env.filters["url"] = lambda value: link_target(str(value))
    # Ids and codes are validated against ^[a-z0-9]+(-[a-z0-9]+)*$ (or the
    # vocabulary) before a page is built; |id re-checks instead of trusting.
    env.filters["id"] = _identifier
    env.filters["rel"] = _relative_prefix
    return env


def _relative_prefix(value: str) -> Escaped:
    """A page's way up to the site root: only ``../`` repeated, or nothing."""
    text = str(value)
    if text.replace("../", ""):
        raise ValueError(f"refusing {text!r} as a relative prefix")
    return Escaped(text)


_IDENTIFIER = re.compile(r"[A-Za-z0-9_-]+")


def _identifier(value: str) -> Escaped:
    text = str(value)
    if not _IDENTIFIER.fullmatch(text):
        raise ValueError(f"refusing to use {text!r} as an anchor or file name")
    return Escaped(text)


def front_matter(title: str, extra: dict[str, Any] | None = None) -> str:
    """Page metadata for MkDocs; Material prints ``title`` unescaped, so escape it here.

    Each value is written as JSON, which YAML reads as the same string or
    list: the characters YAML refuses are dropped first (see CONTROLS), and
    JSON escapes quotes and backslashes, so nothing can end the scalar early.
    """
    data: dict[str, Any] = {"title": title}
    data.update(extra or {})
    lines = ["---"]
    for key in sorted(data):
        value = data[key]
        if isinstance(value, dict):  # settings of our own, such as search: {exclude: true}
            lines.append(f"{key}: {json.dumps(value)}")
            continue
        clean = [_html_text(v) for v in value] if isinstance(value, list) else _html_text(value)
        lines.append(f"{key}: {json.dumps(clean, ensure_ascii=False)}")
    return "\n".join(lines) + "\n---\n\n"


def _html_text(value: str) -> str:
    return html.escape(" ".join(CONTROLS.sub("", value).split()), quote=True)


FULL_TEXT_SEARCH_LIMIT = 1000
"""Above this many articles, search indexes titles and annotations but not article text."""
TIMELINE_PAGE_LIMIT = 500
"""Above this many events the timeline gets a page per year, so that no page grows without bound."""


def split_by_year(corpus: Corpus) -> bool:
    """Whether the timeline is too long for one page."""
    return len(corpus.events) > TIMELINE_PAGE_LIMIT


def event_pages(corpus: Corpus) -> dict[str, str]:
    """The timeline page (under docs/) that shows each event; worked out once per corpus."""
    if "event_pages" not in corpus.memo:
        split = split_by_year(corpus)
        names = {year: f"timeline/{year}.md" if split else "timeline/index.md" for year, _ in corpus.years()}
        corpus.memo["event_pages"] = {e.id: names[e.date.year] for e in corpus.events}
    pages: dict[str, str] = corpus.memo["event_pages"]
    return pages


def site_path(page: str) -> str:
    """Where MkDocs publishes a page: timeline/index.md -> timeline/, timeline/2021.md -> timeline/2021/."""
    return page.removesuffix("index.md") if page.endswith("index.md") else page.removesuffix(".md") + "/"


LEGEND = [
    ("2021-05-14", "exact"),
    ("2023~", "approximate"),
    ("2023?", "uncertain"),
    ("2020/2024", "somewhere in a range"),
    ("../2025-11", "on or before"),
]
"""Examples shown in the timeline's key to date styles."""


@dataclass(frozen=True)
class Page:
    """One generated file: where it goes, a digest of all it shows, and how to render it."""

    path: str
    key: str | None
    """Equal keys mean equal text (within one version of code, templates and vocabulary);
    None for small pages that are cheaper to render than to key."""
    render: Callable[[], str] = field(compare=False, repr=False)
    weight: int = 1
    """Roughly how long it takes to render, in events shown: the longest are started first."""


def _digest(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()


_PENDING_LINK = re.compile("\x00([A-Za-z0-9_-]+)\x00")
"""An event link left open: NUL never survives an escaping filter, so no seed can forge one."""


def link_events(text: str, pages: dict[str, str]) -> str:
    """Fill in the event links of a page rendered before the timeline was laid out."""
    return _PENDING_LINK.sub(lambda found: f"{pages[found[1]]}#{found[1]}", text)


class Renderer:
    """The Jinja environment of one run, with the pieces every page shares rendered once.

    Article pages can be rendered before the corpus is known (in parallel, as
    each seed is read): their links to events stay open until ``link_events``
    fills them in. Every other page comes from ``pages``, keyed so that a run
    renders only the pages whose inputs changed.
    """

    def __init__(
        self, vocabulary: Vocabulary, templates: Path = TEMPLATES, large: bool = False, compiled: Path | None = None
    ) -> None:
        self.vocabulary = vocabulary
        self.large = large
        self.env = environment(templates, compiled)
        self._dates: dict[str, Markup] = {}
        self._date_template = self.env.get_template("_date.md.j2")
        self._event_pages: dict[str, str] | None = None
        self.env.globals["date_markup"] = self._date_markup
        self.env.globals["event_href"] = self._event_href
        self.env.globals["event_block"] = self._event_block
        self.env.globals["event_line"] = self._event_line
        self._blocks: dict[str, Markup] = {}
        self._lines: dict[str, Markup] = {}
        self._macros: Any = None
        self._json: dict[str, str] = {}
        self._ready: dict[str, tuple[str, str]] = {}
        """Sections and lines given by ``use``, made Markup when a page asks for them."""
        # A corpus this large would make a search index too heavy for a reader's
        # browser: article text, quotes and notes then stay out of it (titles,
        # dates, places and institutions stay in), as do the listing pages.
        self.env.globals["large_corpus"] = large
        # Globals, not render variables, so that templates import _macros.md.j2
        # once (without context) instead of evaluating it again on every render.
        self.env.globals.update(
            countries=vocabulary.countries, procedures=vocabulary.procedures, kinds=vocabulary.kinds
        )
        self.context: dict[str, Any] = {}

    def prepare(self) -> None:
        """Compile the templates that each seed's pages use, once, before worker processes are forked."""
        for name in ("article.md.j2", "_event.md.j2", "_date.md.j2"):
            self.env.get_template(name)
        self._macro_module()

    def _date_markup(self, date: Date) -> Markup:
        """The date's markup from _date.md.j2, rendered once per EDTF string."""
        if date.edtf not in self._dates:
            # A template's output is escaped value by value (finalize), so it is markup.
            self._dates[date.edtf] = Markup(self._date_template.render(d=date).rstrip("\n"))  # noqa: S704
        return self._dates[date.edtf]

    def _event_block(self, event: Event) -> Markup:
        """The event's section of the timeline: rendered once, or given (``use``)."""
        if event.id not in self._blocks:
            ready = self._ready.get(event.id)
            # Either way the text was rendered by _render_block, escaped value by value.
            self._blocks[event.id] = Markup(ready[0]) if ready else self._render_block(event)  # noqa: S704
        return self._blocks[event.id]

    def _event_line(self, event: Event) -> Markup:
        """The event's line in the country and procedure lists: rendered once, or given (``use``)."""
        if event.id not in self._lines:
            ready = self._ready.get(event.id)
            self._lines[event.id] = Markup(ready[1]) if ready else self._render_line(event)  # noqa: S704
        return self._lines[event.id]

    def _render_block(self, event: Event) -> Markup:
        text = self.env.get_template("_event.md.j2").render(self.context | {"event": event})
        return Markup(text)  # noqa: S704 - escaped value by value (finalize)

    def _render_line(self, event: Event) -> Markup:
        """The ``event_line`` macro of _macros.md.j2."""
        line: Markup = self._macro_module().event_line(event, "../")
        return line

    def _macro_module(self) -> Any:
        if self._macros is None:
            self._macros = self.env.get_template("_macros.md.j2").make_module(self.context)
        return self._macros

    def fragments(self, article: Article) -> tuple[tuple[Markup, Markup, str], ...]:
        """Each milestone's timeline section, list line and data line, as if no other article cited its event.

        Most events have one source, so a worker that reads the seed can render
        them; ``use`` gives them to the pages that list events, and events with
        several sources are rendered there. Links to events stay open.
        """
        events = [single_event(milestone) for milestone in article.milestones]
        return tuple((self._render_block(e), self._render_line(e), _json_line(e, None)) for e in events)

    def use(self, fragments: dict[str, tuple[str, str, str]]) -> None:
        """Take pre-rendered sections and lines (see ``fragments``) for the events with one source."""
        for event_id, (block, line, json_line) in fragments.items():
            self._ready[event_id] = (block, line)
            self._json[event_id] = json_line

    def _event_href(self, event_id: str) -> Escaped:
        anchor = _identifier(event_id)
        if self._event_pages is None:
            return Escaped(f"\x00{anchor}\x00")
        return Escaped(f"{self._event_pages[event_id]}#{anchor}")

    def page(self, template: str, title: str, extra: dict[str, Any] | None = None, **values: Any) -> str:
        """Front matter and the rendered template."""
        text = self.env.get_template(template).render(self.context | values)
        if self._event_pages is not None and "\x00" in text:  # sections rendered before the layout was known
            text = link_events(text, self._event_pages)
        return front_matter(title, extra) + text

    def article_page(self, article: Article, text: tuple[Block, ...]) -> str:
        """The article's page, its links to events left open (see ``link_events``)."""
        return self.page(
            "article.md.j2",
            article.title,
            None if self.large else {"tags": article_tags(self.vocabulary, article)},
            article=article,
            text=text,
            citing=article.citing_count,
        )

    def pages(self, corpus: Corpus) -> list[Page]:
        """Every generated file but the article pages, each with its key."""
        vocabulary = self.vocabulary
        pages = event_pages(corpus)
        self._event_pages = pages
        self.context["corpus"] = corpus
        keys = {e.id: _digest(pages[e.id], *(c.fingerprint for c in e.citations)) for e in corpus.events}
        counts = f"{len(corpus.events)} {len(corpus.articles)}"
        unlisted = {"search": {"exclude": True}} if self.large else None
        firsts = corpus.firsts()
        out: list[Page] = []

        def add(path: str, key: str | None, render: Callable[[], str], weight: int = 1) -> None:
            out.append(Page(path, None if key is None else _digest(path, key), render, weight))

        title = "Pediatric transplantation in Central Asia"
        disagreeing = sum(1 for e in corpus.events if e.disagreement)
        add("index.md", None, lambda: self.page("home.md.j2", title, firsts=firsts, disagreeing=disagreeing))
        if split_by_year(corpus):
            first_counts = {year: sum(1 for e in events if e.main.kind == "first") for year, events in corpus.years()}
            add(
                "timeline/index.md",
                None,
                lambda: self.page("timeline_years.md.j2", "Timeline", first_counts=first_counts),
            )
            for year, events in corpus.years():
                add(
                    f"timeline/{year}.md",
                    _digest(counts, *(keys[e.id] for e in events)),
                    functools.partial(self._timeline, corpus, [(year, events)], f"Timeline: {year}", True),
                    len(events),
                )
        else:
            add(
                "timeline/index.md",
                _digest(counts, *(keys[e.id] for e in corpus.events)),
                functools.partial(self._timeline, corpus, corpus.years(), "Timeline", False),
                len(corpus.events),
            )
        listing = [
            (a.id, a.title, a.source.outlet, a.source.published.edtf if a.source.published else None, a.citing_count)
            for a in corpus.articles
        ]
        add(
            "articles/index.md",
            _digest(json.dumps(listing)),
            lambda: self.page("articles.md.j2", "Articles"),
            len(listing) // 10,
        )
        country_codes = corpus.countries_with_pages()
        add("countries/index.md", None, lambda: self.page("countries.md.j2", "Countries", codes=country_codes))

        def event_list(
            path: str, template: str, title: str, code: str, events: list[Event], first: dict[str, Event]
        ) -> None:
            """A country's or a procedure's page: its firsts and every event it concerns."""
            render = functools.partial(self.page, template, title, unlisted, code=code, events=events, firsts=first)
            add(path, _digest(*(keys[e.id] for e in events)), render, len(events) // 4)

        for code in country_codes:
            first = {p: e for (c, p), e in firsts.items() if c == code}
            label = vocabulary.countries[code].label
            event_list(f"countries/{code.lower()}.md", "country.md.j2", label, code, corpus.events_in(code), first)
        add(
            "procedures/index.md",
            None,
            lambda: self.page("procedures.md.j2", "Procedures", codes=list(vocabulary.procedures)),
        )
        for code in vocabulary.procedures:
            first = {c: e for (c, p), e in firsts.items() if p == code}
            label = vocabulary.procedures[code].label.capitalize()
            event_list(f"procedures/{code}.md", "procedure.md.j2", label, code, corpus.events_of(code), first)
        add("vocabularies.md", None, lambda: self.page("vocabularies.md.j2", "Vocabularies"))
        add(
            "data/timeline.json",
            _digest(*keys.values()),
            lambda: timeline_json(corpus, self._json),
            len(keys) // 4,
        )
        add("data/annotation.schema.json", None, lambda: schema_json(annotation_schema(vocabulary)))
        return out

    def _timeline(self, corpus: Corpus, years: list[tuple[int, list[Event]]], title: str, split: bool) -> str:
        shown = [event for _, events in years for event in events]
        used = {
            field: {getattr(v, field) for e in shown for v in e.versions} for field in ("country", "procedure", "kind")
        }
        vocabulary = self.vocabulary
        return self.page(
            "timeline.md.j2",
            title,
            years=years,
            shown=shown,
            year_pages=years if split else [],
            legend=[parse_date(text) for text, _ in LEGEND],
            legend_words=[words for _, words in LEGEND],
            filter_countries=[c for c in corpus.countries_with_pages() if c in used["country"]],
            filter_procedures=[p for p in vocabulary.procedures if p in used["procedure"]],
            filter_kinds=[k for k in vocabulary.kinds if k in used["kind"]],
        )


def render_site(corpus: Corpus, texts: dict[str, tuple[Block, ...]], templates: Path = TEMPLATES) -> dict[str, str]:
    """Every generated file under ``docs/``, keyed by its relative path: the whole site in one call."""
    renderer = Renderer(corpus.vocabulary, templates, large=len(corpus.articles) > FULL_TEXT_SEARCH_LIMIT)
    articles = {f"articles/{a.id}.md": renderer.article_page(a, texts[a.id]) for a in corpus.articles}
    out = {page.path: page.render() for page in renderer.pages(corpus)}
    pages = event_pages(corpus)
    out.update({path: link_events(text, pages) for path, text in articles.items()})
    return dict(sorted(out.items()))


def article_tags(vocabulary: Vocabulary, article: Article) -> list[str]:
    """Tags for Material's tag index: the article's countries, procedures and own tags.

    Tags are printed by the theme (not by our templates), so front_matter
    HTML-escapes them, like page titles.
    """
    procedures = dict.fromkeys(vocabulary.procedures[m.procedure].label for m in article.milestones)
    words = [vocabulary.countries[c].label for c in article.countries] + list(procedures) + list(article.tags)
    return list(dict.fromkeys(words))


def timeline_json(corpus: Corpus, ready: dict[str, str] | None = None) -> str:
    """The downloadable timeline, data/timeline.json, one event a line: readable in a diff.

    ``ready`` holds lines already encoded for events with one source, their
    permalink left open (``Renderer.fragments``).
    """
    pages = event_pages(corpus)
    ready = ready or {}
    sites = {page: json.dumps(site_path(page))[:-1] for page in set(pages.values())}  # '"timeline/2021/' (open)
    lines = []
    for event in corpus.events:
        line = ready.get(event.id)
        if line is None:
            lines.append(_json_line(event, f"{site_path(pages[event.id])}#{event.id}"))
        else:  # ids are [a-z0-9-] (checked by _identifier): nothing in them needs escaping in JSON
            permalink = f'"permalink": {sites[pages[event.id]]}#{_identifier(event.id)}"'
            lines.append(line.replace(_OPEN_PERMALINK, permalink, 1))
    fields = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(ABOUT.items()))
    return "{\n" + fields + ',\n"events": [\n' + ",\n".join(lines) + "\n]\n}\n"


_OPEN_PERMALINK = '"permalink": "\\u0000"'
"""How a permalink not yet known is encoded: JSON escapes NUL, which no seed value can hold."""


def _json_line(event: Event, permalink: str | None) -> str:
    return json.dumps(
        _event_data(event, "\x00" if permalink is None else permalink), ensure_ascii=False, sort_keys=True
    )


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


ABOUT = {
    "about": "Pediatric transplantation in Central Asia: events in timeline order. "
    "date is EDTF; earliest and latest are the ISO days it allows (null when open)."
}


def timeline_data(corpus: Corpus) -> dict[str, Any]:
    """The downloadable timeline: events in timeline order, every source and version."""
    pages = event_pages(corpus)
    events = [_event_data(event, f"{site_path(pages[event.id])}#{event.id}") for event in corpus.events]
    return {**ABOUT, "events": events}


def _event_data(event: Event, permalink: str) -> dict[str, Any]:
    def date_fields(version_date: Any) -> dict[str, Any]:
        return {
            "date": version_date.edtf,
            "earliest": _iso(version_date.earliest),
            "latest": _iso(version_date.latest),
            "display": version_date.display,
        }

    main = event.main
    return {
        "id": event.id,
        "permalink": permalink,
        **date_fields(main.date),
        "country": main.country,
        "procedure": main.procedure,
        "kind": main.kind,
        "title": event.title,
        "places": list(event.places()),
        "institutions": list(event.institutions()),
        "disagreement": event.disagreement,
        "sources": [
            {
                "article": c.article.id,
                "article_title": c.article.title,
                "outlet": c.article.outlet,
                "url": c.article.url,
                "evidence": c.evidence,
                "page": f"articles/{c.article_id}/#{c.anchor}",
                "title": c.title,
                "date": c.date.edtf,
                "date_basis": "inferred" if c.inferred else "stated",
                "date_note": c.date_note,
            }
            for c in event.citations
        ],
        "versions": [
            {
                **date_fields(v.date),
                "country": v.country,
                "procedure": v.procedure,
                "kind": v.kind,
                "sources": [c.article_id for c in v.citations],
            }
            for v in event.versions
        ],
    }
