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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from timeline.dates import Date, parse_date
from timeline.escape import CONTROLS, Escaped, attribute, inline_text, link_target
from timeline.model import Article, ArticleEntry, Block, Corpus, Event, EventSummary, Layout, Tally, single_event
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


def split_by_year(layout: Layout) -> bool:
    """Whether the timeline is too long for one page."""
    return splits(len(layout.events))


def splits(events: int) -> bool:
    """Whether a timeline of this many events is split into a page a year."""
    return events > TIMELINE_PAGE_LIMIT


def timeline_page(year: int, split: bool) -> str:
    """The timeline page (under docs/) that shows a year's events."""
    return f"timeline/{year}.md" if split else "timeline/index.md"


def event_pages(layout: Layout) -> dict[str, str]:
    """The timeline page (under docs/) that shows each event; worked out once per layout."""
    if "event_pages" not in layout.memo:
        split = split_by_year(layout)
        names = {year: timeline_page(year, split) for year, _ in layout.years()}
        layout.memo["event_pages"] = {e.id: names[e.year] for e in layout.events}
    pages: dict[str, str] = layout.memo["event_pages"]
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
    render: Callable[[], str | bytes] = field(compare=False, repr=False)
    """Text, or UTF-8 (the data file)."""
    lists: tuple[int, tuple[EventSummary, ...]] = (0, ())
    """Which of their parts (an index into ``EventParts``) of which events the page prints."""


def digest(*parts: str) -> str:
    """A short digest of texts kept apart: what a page's key is made of (``build``, ``incremental``)."""
    return hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()


_PENDING_LINK = re.compile("\x00([A-Za-z0-9_-]+)\x00")
"""An event link left open: NUL never survives an escaping filter, so no seed can forge one."""


def link_events(text: str, pages: dict[str, str]) -> str:
    """Fill in the event links of a page rendered before the timeline was laid out."""
    return _PENDING_LINK.sub(lambda found: f"{pages[found[1]]}#{found[1]}", text)


EventParts = tuple[str, str, str]
"""An event's timeline section, its line in lists and its line in the data file, links open."""


class Renderer:
    """The Jinja environment of one run, with the pieces every page shares rendered once.

    Article pages and each event's parts (``parts``) are rendered before the
    timeline is laid out (in parallel, as each seed is read, or kept from a
    past run): their links to events stay open until a page is put together.
    Every other page comes from ``pages``, keyed so that a run renders only
    the pages whose inputs changed.
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
        self.env.globals["event_blocks"] = self._event_blocks
        self.env.globals["event_lines"] = self._event_lines
        self.env.globals["article_rows"] = self._article_rows
        self._rows: dict[str, tuple[ArticleEntry, str]] = {}
        """Each article's row in the list of articles, with the entry it shows (``article_rows``)."""
        self._macros: Any = None
        self._blocks: dict[str, str] = {}
        """The timeline section and the list line of every event that pages list (``use``)."""
        self._lines: dict[str, str] = {}
        self._data: dict[int, bytes] = {}
        """Each year's lines of the data file (``data_chunk``)."""
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

    # Both rendered by parts() from _event.md.j2 and _macros.md.j2, escaped value by value: one call
    # a page rather than one an event, since pages list thousands of events.
    def _event_blocks(self, events: list[EventSummary]) -> list[Markup]:
        """The events' sections of the timeline (``parts``)."""
        return [Markup(self._blocks[e.id]) for e in events]  # noqa: S704

    def _event_lines(self, events: list[EventSummary]) -> list[Markup]:
        """The events' lines in the country and procedure lists (``parts``), each linking to its event."""
        pages = self._event_pages
        assert pages is not None, "lists are rendered by pages(), which lays the links out"
        return [Markup(linked_line(self._lines[e.id], e.id, pages[e.id])) for e in events]  # noqa: S704

    def _article_rows(self, entries: Iterable[ArticleEntry]) -> list[Markup]:
        return [Markup(row) for row in self.article_rows(entries)]  # noqa: S704 - rendered by _macros.md.j2

    def article_rows(self, entries: Iterable[ArticleEntry]) -> list[str]:
        """The articles' rows in the list of articles: kept (``keep_rows``) where the entry is the same.

        Rendered once per article, not once per run: the list has a row for
        every article, and an added article would otherwise render them all.
        """
        row = self._macro_module().article_row
        out = []
        for entry in entries:
            kept = self._rows.get(entry.id)
            if kept is None or kept[0] != entry:
                kept = self._rows[entry.id] = (entry, str(row(entry)))
            out.append(kept[1])
        return out

    def keep_rows(self, entries: Iterable[ArticleEntry], rows: Iterable[str]) -> None:
        """Take the rows a past run rendered (``article_rows``) for these entries."""
        self._rows.update((entry.id, (entry, row)) for entry, row in zip(entries, rows, strict=True))

    def _macro_module(self) -> Any:
        if self._macros is None:
            self._macros = self.env.get_template("_macros.md.j2").make_module(self.context)
        return self._macros

    def parts(self, events: Iterable[Event]) -> dict[str, EventParts]:
        """Each event's timeline section, list line and data line, their links to events left open.

        An event's parts depend on its sources and nothing else (its
        ``EventSummary.key``), so they can be rendered by the worker that reads
        the seed of an event with one source, or kept from a past run.
        """
        block = self.env.get_template("_event.md.j2")
        line = self._macro_module().event_line
        return {
            e.id: (block.render(self.context | {"event": e}), str(line(e, "../")), _json_line(e, None)) for e in events
        }

    def fragments(self, article: Article) -> tuple[EventParts, ...]:
        """The parts of each milestone's event as if no other article cited it (most have one source)."""
        parts = self.parts(single_event(milestone) for milestone in article.milestones)
        return tuple(parts[milestone.id] for milestone in article.milestones)

    def use(self, blocks: dict[str, str], lines: dict[str, str], data: dict[int, bytes]) -> None:
        """Take the parts (see ``parts``) of the events that pages will list, and the data file's years."""
        self._blocks.update(blocks)
        self._lines.update(lines)
        self._data.update(data)

    def _event_href(self, event_id: str) -> Escaped:
        """A link to an event, left open: ``page`` fills it in once the layout is known."""
        return Escaped(f"\x00{_identifier(event_id)}\x00")

    def page(self, template: str, title: str, extra: dict[str, Any] | None = None, **values: Any) -> str:
        """Front matter and the rendered template, its links to events filled in (``pages`` knows them)."""
        text = self._open_page(template, title, extra, values)
        if self._event_pages is not None and "\x00" in text:
            text = link_events(text, self._event_pages)
        return text

    def _open_page(self, template: str, title: str, extra: dict[str, Any] | None, values: dict[str, Any]) -> str:
        return front_matter(title, extra) + self.env.get_template(template).render(self.context | values)

    def article_page(self, article: Article, text: tuple[Block, ...]) -> str:
        """The article's page, its links to events left open (see ``link_events``), as the cache keeps it."""
        values = {"article": article, "text": text, "citing": article.citing_count}
        tags = None if self.large else {"tags": article_tags(self.vocabulary, article)}
        return self._open_page("article.md.j2", article.title, tags, values)

    def pages(self, corpus: Layout) -> list[Page]:
        """Every generated file but the article pages, each with its key.

        Rendering a page needs the parts (``use``) of the events it lists:
        the data file lists them all.
        """
        vocabulary = self.vocabulary
        pages = event_pages(corpus)
        self._event_pages = pages
        tally = corpus.tally()
        keys = {e.id: f"{pages[e.id]}\0{e.key}" for e in corpus.events}
        counts = f"{len(corpus.events)} {len(corpus.articles)}"
        unlisted = {"search": {"exclude": True}} if self.large else None
        out: list[Page] = []

        def add(
            path: str,
            key: str | None,
            render: Callable[[], str | bytes],
            lists: tuple[int, list[EventSummary]] = (0, []),
        ) -> None:
            out.append(Page(path, None if key is None else digest(path, key), render, (lists[0], tuple(lists[1]))))

        add("index.md", None, functools.partial(self.home, tally))
        if split_by_year(corpus):
            add("timeline/index.md", None, functools.partial(self.year_index, tally))
            for year, events in corpus.years():
                add(  # a year's page shows no totals: adding an article rewrites only the pages it shows on
                    f"timeline/{year}.md",
                    digest(*(keys[e.id] for e in events)),
                    functools.partial(self.year_page, year, events),
                    (0, events),
                )
        else:
            add(
                "timeline/index.md",
                digest(counts, *(keys[e.id] for e in corpus.events)),
                functools.partial(self._timeline, corpus.years(), "Timeline", False, tally),
                (0, list(corpus.events)),
            )
        # repr keeps the fields apart, and None apart from "None"
        listing = [
            f"{a.id!r}{a.title!r}{a.outlet!r}{a.published and a.published.edtf!r}{a.citing_count}"
            for a in corpus.articles
        ]
        add("articles/index.md", digest(*listing), functools.partial(self.articles_index, corpus.articles))
        add("countries/index.md", None, functools.partial(self.countries_index, tally))

        def event_list(path: str, template: str, title: str, code: str, events: list[EventSummary]) -> None:
            """A country's or a procedure's page: its firsts and every event it concerns."""
            first = list_firsts(tally, path, code)
            render = functools.partial(self.page, template, title, unlisted, code=code, events=events, firsts=first)
            add(path, digest(*(keys[e.id] for e in events)), render, (1, events))

        for code in tally.country_pages():
            label = vocabulary.countries[code].label
            event_list(country_page(code), "country.md.j2", label, code, corpus.events_in(code))
        add("procedures/index.md", None, functools.partial(self.procedures_index, tally))
        for code in vocabulary.procedures:
            label = vocabulary.procedures[code].label.capitalize()
            event_list(procedure_page(code), "procedure.md.j2", label, code, corpus.events_of(code))
        add("vocabularies.md", None, lambda: self.page("vocabularies.md.j2", "Vocabularies", region=vocabulary.region))
        add(
            "data/timeline.json",
            digest(*keys.values()),
            lambda: timeline_json(corpus, self._data),
            (2, list(corpus.events)),
        )
        add("data/annotation.schema.json", None, lambda: schema_json(annotation_schema(vocabulary)))
        return out

    # The pages that count events, each rendered from the timeline's totals alone: a patch renders
    # them again without a layout (``build``).
    def home(self, tally: Tally) -> str:
        """The home page: the totals and the table of firsts."""
        return self.page("home.md.j2", "Pediatric transplantation in Central Asia", tally=tally)

    def year_index(self, tally: Tally) -> str:
        """The timeline's first page when it has a page a year: each year with its counts."""
        return self.page("timeline_years.md.j2", "Timeline", tally=tally)

    def countries_index(self, tally: Tally) -> str:
        """Each country with its count of events and firsts."""
        return self.page("countries.md.j2", "Countries", codes=tally.country_pages(), tally=tally)

    def procedures_index(self, tally: Tally) -> str:
        """Each procedure with its count of events and firsts."""
        return self.page("procedures.md.j2", "Procedures", codes=list(self.vocabulary.procedures), tally=tally)

    def articles_index(self, articles: tuple[ArticleEntry, ...]) -> str:
        """The list of articles, a kept row each (``article_rows``)."""
        return self.page("articles.md.j2", "Articles", articles=articles)

    def articles_head(self, count: int) -> str:
        """The list of articles' sentence with their count (``articles_head``)."""
        return str(self._macro_module().articles_head(count))

    def article_items(self, rows: Iterable[str]) -> str:
        """Rows (``article_rows``) as the list of articles prints them: a run of them is a piece of the page."""
        return str(self._macro_module().article_items([Markup(row) for row in rows]))  # noqa: S704 - rendered rows

    def list_head(self, path: str, code: str, tally: Tally, pages: dict[str, str]) -> str:
        """A country's or a procedure's page down to its list of events (``country_head``, ``procedure_head``).

        ``pages`` says where the firsts it links to live.
        """
        country = path == country_page(code)
        count = (tally.countries if country else tally.procedures).get(code, 0)
        head = self._macro_module().country_head if country else self._macro_module().procedure_head
        return link_events(str(head(code, count, list_firsts(tally, path, code))), pages)

    def link(self, pages: dict[str, str]) -> None:
        """Say where the events that pages rendered without a layout link to live (their timeline pages)."""
        self._event_pages = pages

    def year_page(self, year: int, events: list[EventSummary]) -> str:
        """A year's page of the timeline: needs the sections (``use``) of its events, nothing of other years."""
        return self._timeline([(year, events)], f"Timeline: {year}", True)

    def event_items(self, lines: Iterable[str]) -> str:
        """List lines (``parts``, links filled in) as a country's or a procedure's page lists them.

        The list of a run of events is the items of its parts one after the
        other, so a patch can replace a year's run of items in a page.
        """
        return str(self._macro_module().event_items([Markup(line) for line in lines]))  # noqa: S704 - parts

    def _timeline(
        self, years: list[tuple[int, list[EventSummary]]], title: str, split: bool, tally: Tally | None = None
    ) -> str:
        shown = [event for _, events in years for event in events]
        used = {field: {v for e in shown for v in getattr(e, field)} for field in ("countries", "procedures", "kinds")}
        vocabulary = self.vocabulary
        # The region's countries first, then the others: as Tally.country_pages(), of those shown.
        region = [c for c in vocabulary.region if c in used["countries"]]
        return self.page(
            "timeline.md.j2",
            title,
            years=years,
            shown=shown,
            year_pages=years if split else [],
            legend=[parse_date(text) for text, _ in LEGEND],
            legend_words=[words for _, words in LEGEND],
            filter_countries=region + sorted(used["countries"] - set(region)),
            filter_procedures=[p for p in vocabulary.procedures if p in used["procedures"]],
            filter_kinds=[k for k in vocabulary.kinds if k in used["kinds"]],
            tally=tally,
        )


def render_site(corpus: Corpus, texts: dict[str, tuple[Block, ...]], templates: Path = TEMPLATES) -> dict[str, str]:
    """Every generated file under ``docs/``, keyed by its relative path: the whole site in one call."""
    renderer = Renderer(corpus.vocabulary, templates, large=len(corpus.articles) > FULL_TEXT_SEARCH_LIMIT)
    articles = {f"articles/{a.id}.md": renderer.article_page(a, texts[a.id]) for a in corpus.articles}
    parts = renderer.parts(corpus.events)
    layout = corpus.layout()
    data = {year: data_chunk(parts[e.id][2] for e in events) for year, events in layout.years()}
    renderer.use({i: p[0] for i, p in parts.items()}, {i: p[1] for i, p in parts.items()}, data)
    out = {page.path: _text(page.render()) for page in renderer.pages(layout)}
    pages = event_pages(layout)
    out.update({path: link_events(text, pages) for path, text in articles.items()})
    return dict(sorted(out.items()))


def country_page(code: str) -> str:
    """The page (under docs/) of a country's events."""
    return f"countries/{code.lower()}.md"


def procedure_page(code: str) -> str:
    """The page (under docs/) of a procedure's events."""
    return f"procedures/{code}.md"


def list_firsts(tally: Tally, path: str, code: str) -> dict[str, EventSummary]:
    """The firsts a country's page shows (by procedure), or a procedure's (by country)."""
    if path == country_page(code):
        return {p: e for (c, p), e in tally.firsts.items() if c == code}
    return {c: e for (c, p), e in tally.firsts.items() if p == code}


def _text(rendered: str | bytes) -> str:
    return rendered.decode() if isinstance(rendered, bytes) else rendered


def article_tags(vocabulary: Vocabulary, article: Article) -> list[str]:
    """Tags for Material's tag index: the article's countries, procedures and own tags.

    Tags are printed by the theme (not by our templates), so front_matter
    HTML-escapes them, like page titles.
    """
    procedures = dict.fromkeys(vocabulary.procedures[m.procedure].label for m in article.milestones)
    words = [vocabulary.countries[c].label for c in article.countries] + list(procedures) + list(article.tags)
    return list(dict.fromkeys(words))


def timeline_json(layout: Layout, chunks: dict[int, bytes]) -> bytes:
    """The downloadable timeline, data/timeline.json, one event a line: readable in a diff.

    ``chunks`` holds each year's lines (``data_chunk``), their permalinks
    open: all events of a year are on one page, so one replace fills them in.
    In UTF-8 from the start: tens of megabytes are put together in bytes many
    times faster than in text.
    """
    pages = event_pages(layout)
    fields = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(ABOUT.items()))
    out = [("{\n" + fields + ',\n"events": [\n').encode()]
    for year, events in layout.years():
        out += (b",\n" if len(out) > 1 else b"", linked_data(chunks[year], pages[events[0].id]))
    return b"".join([*out, b"\n]\n}\n"])  # one copy of tens of megabytes


def linked_line(line: str, event_id: str, page: str) -> str:
    """An event's line in lists (``Renderer.parts``) with its link to the event's timeline page filled in."""
    return line.replace(f"\x00{event_id}\x00", f"{page}#{event_id}")


def linked_data(chunk: bytes, page: str) -> bytes:
    """Data lines (``data_chunk``) of events that ``page`` shows, their permalinks filled in."""
    site = json.dumps(site_path(page))[1:-1]
    return chunk.replace(_OPEN_PERMALINK, f'"permalink": "{site}'.encode())


def data_chunk(lines: Iterable[str]) -> bytes:
    """The data file's lines of a year's events, in order (each from ``Renderer.parts``), permalinks open."""
    return ",\n".join(lines).encode()


def data_lines(chunk: bytes) -> list[str]:
    """The lines of a ``data_chunk``: JSON escapes every line break inside a line."""
    return chunk.decode().split(",\n") if chunk else []


_OPEN_PERMALINK = b'"permalink": "\\u0000'
"""How a permalink not yet known starts: JSON escapes NUL, which no seed value can hold, and every
quote inside a value, so this can only be the permalink's key."""


def _json_line(event: Event, permalink: str | None) -> str:
    link = f"\x00#{_identifier(event.id)}" if permalink is None else permalink
    return json.dumps(_event_data(event, link), ensure_ascii=False, sort_keys=True)


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


ABOUT = {
    "about": "Pediatric transplantation in Central Asia: events in timeline order. "
    "date is EDTF; earliest and latest are the ISO days it allows (null when open)."
}


def timeline_data(corpus: Corpus) -> dict[str, Any]:
    """The downloadable timeline: events in timeline order, every source and version."""
    pages = event_pages(corpus.layout())
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
