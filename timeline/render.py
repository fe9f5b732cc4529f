"""Render the model into the generated pages and data files: ``{path: text}``.

Pure: no file is read but the templates, none is written. Markdown is not
HTML, so HTML escaping alone is wrong here: every printed value must pass a
filter that escapes it for where it lands (``md``, ``attr``, ``url``, ``id``),
and ``finalize`` refuses anything else. Those filters return ``Markup``, as do
macros, so Jinja's autoescape (on, as a backstop) never changes them; the
``safe`` filter is removed so that nothing can skip the rule.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import html
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any

import jinja2
import jinja2.bccache
from markupsafe import Markup

from timeline import exports
from timeline.chart import Chart, build_chart
from timeline.dates import Date, parse_date
from timeline.escape import CONTROLS, Escaped, attribute, css_string, inline_text, link_target
from timeline.model import Article, Block, Corpus, Event, EventSummary, Layout, Tally, article_text
from timeline.schema import annotation_schema, schema_json
from timeline.vocabulary import Vocabulary, language_name

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class UnescapedValue(TypeError):
    """A template printed a value without saying how to escape it."""


def _require_escaped(value: Any) -> Any:
    if isinstance(value, (Markup, int)) and not isinstance(value, bool):
        return value
    raise UnescapedValue(f"template printed {value!r} without an escaping filter; use |md, |attr or |url")


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled by earlier runs of this process, kept in memory only (the live preview).

    Compiling every template takes about 0.1 s, a fifth of an edit's run. A
    template is compiled again when its source changes (Jinja compares the
    source's checksum); nothing is stored on disk, since code in a cache
    folder would run for whoever could write there.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, tuple[str, CodeType]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Jinja's hook: hand back the code compiled before, if the source is unchanged."""
        kept = self._compiled.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Jinja's hook: keep what it has just compiled."""
        if bucket.code is not None:
            self._compiled[bucket.key] = (bucket.checksum, bucket.code)

    def clear(self) -> None:
        """Forget every compiled template."""
        self._compiled.clear()


def environment(templates: Path = TEMPLATES, compiled: CompiledTemplates | None = None) -> jinja2.Environment:
    """The Jinja environment every page is rendered with; ``compiled`` keeps compiled templates between runs."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        bytecode_cache=compiled,
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
    env.filters["css"] = lambda value: css_string(str(value))
    env.filters["num"] = _number
    return env


def _sentence_case(label: str) -> str:
    """A label with its first letter capitalised and the rest as written (CAR-T stays CAR-T)."""
    return label[:1].upper() + label[1:]


def _number(value: float) -> Escaped:
    """A coordinate, to a tenth: ``12``, ``12.5``, never ``-0`` or ``1e-05``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"refusing to print {value!r} as a number")
    text = f"{round(value, 1) + 0.0:.1f}".removesuffix(".0")
    return Escaped("0" if text == "-0" else text)


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
    return len(layout.events) > TIMELINE_PAGE_LIMIT


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
    ("2022/..", "with no later bound"),
]
"""Examples shown in the timeline's key to date styles."""


def _legend() -> dict[str, Any]:
    """The key to date styles that the home and timeline pages print: example dates and their words."""
    return {"legend": [parse_date(text) for text, _ in LEGEND], "legend_words": [words for _, words in LEGEND]}


@dataclass(frozen=True)
class Page:
    """One generated file: where it goes, a digest of all it shows, and how to render it."""

    path: str
    key: str | None
    """Equal keys mean equal text (within one version of code, templates and vocabulary);
    None for small pages that are cheaper to render than to key."""
    render: Callable[[], str | bytes] = field(compare=False, repr=False)
    """Text, or UTF-8 (the data files)."""
    events: tuple[str, ...] = ()
    """The events whose parts (``Renderer.parts``) the page prints: they must be at hand (``use``)."""
    part: int = 0
    """Which of their parts it prints: an index into ``PART_KINDS``."""


def digest(*parts: str) -> str:
    """A short digest of texts kept apart: what a page's key is made of."""
    return hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()


EventParts = tuple[str, str, str, str, str, str]
"""An event's timeline section, its line in lists, its line in the JSON data file, its row in the CSV, its
VEVENT in the calendar (empty unless dated to a day) and its TimelineJS slide. The feed's entries are no
parts: it shows a hundred events (``exports.FEED_ENTRIES``), rendered when it is."""
PART_KINDS = ("section", "line", "data", "row", "vevent", "slide")
"""The parts of an event, in ``EventParts`` order: each is kept apart, since pages print one kind."""
SECTION, LINE, DATA, ROW, VEVENT, SLIDE = range(len(PART_KINDS))
"""Each kind's index in ``PART_KINDS``: what a page prints (``Page.part``)."""


class Renderer:
    """The Jinja environment of one run, with the pieces every page shares rendered once.

    ``pages`` lays out every generated file with its key; each event's parts
    (``parts``: its timeline section, list line and data line) are rendered
    once and put together by the pages that list the event, so a caller can
    keep them by ``part_key`` and render only what has no kept result.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        templates: Path = TEMPLATES,
        large: bool = False,
        compiled: CompiledTemplates | None = None,
        site_url: str | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.large = large
        self.site_url = site_url
        """The site's address ending in ``/`` (``exports.site_url``), or None: then addresses are relative."""
        self.env = environment(templates, compiled)
        self._dates: dict[str, Markup] = {}
        self._date_template = self.env.get_template("_date.md.j2")
        self.event_pages: dict[str, str] = {}
        """The timeline page of every event, set by ``pages``: every link to an event needs it."""
        self.rivals: dict[str, tuple[EventSummary, ...]] = {}
        """Contested firsts (``Layout.rivals``), set by ``pages``: an event's parts show its rivals."""
        self.env.globals["date_markup"] = self._date_markup
        self.env.globals["rivals_of"] = self._rivals_of
        self.env.globals["event_href"] = self._event_href
        self.env.globals["event_permalink"] = self._event_permalink
        self.env.globals["site_name"] = SITE_NAME
        self.env.globals["language_name"] = language_name
        self.env.globals["event_blocks"] = self._event_blocks
        self.env.globals["event_lines"] = self._event_lines
        self.env.globals["news_article_ld"] = lambda article: exports.json_ld(exports.news_article(article))
        self.env.globals["claim_ld"] = self._claim_ld
        self.env.globals["site_url"] = site_url or ""
        self._macros: Any = None
        self._parts: tuple[dict[str, str], ...] = tuple({} for _ in PART_KINDS)
        """Of each kind, the parts of the events that the pages to render list (``use``)."""
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
        """Compile the templates, once, before worker processes are forked."""
        for name in ("article.md.j2", "_event.md.j2", "_date.md.j2"):
            self.env.get_template(name)
        self._macro_module()

    def _date_markup(self, date: Date, inferred: bool = False) -> Markup:
        """The date's markup from _date.md.j2, rendered once per EDTF string and whether it is inferred."""
        key = f"{date.edtf}\0{inferred}"
        if key not in self._dates:
            # A template's output is escaped value by value (finalize), so it is markup.
            self._dates[key] = Markup(self._date_template.render(d=date, inferred=inferred).rstrip("\n"))  # noqa: S704
        return self._dates[key]

    # Both rendered by parts() from _event.md.j2 and _macros.md.j2, escaped value by value: one call
    # a page rather than one an event, since pages list thousands of events.
    def _event_blocks(self, events: list[EventSummary]) -> list[Markup]:
        """The events' sections of the timeline (``parts``)."""
        return [Markup(self._parts[SECTION][e.id]) for e in events]  # noqa: S704

    def _event_lines(self, events: list[EventSummary]) -> list[Markup]:
        """The events' lines in the country and procedure lists (``parts``), each linking to its event."""
        return [Markup(self._parts[LINE][e.id]) for e in events]  # noqa: S704

    def _macro_module(self) -> Any:
        if self._macros is None:
            self._macros = self.env.get_template("_macros.md.j2").make_module(self.context)
        return self._macros

    def _rivals_of(self, event_id: str) -> tuple[EventSummary, ...]:
        return self.rivals.get(event_id, ())

    def _event_href(self, event_id: str) -> Escaped:
        """Where an event is: its timeline page (relative to the site root) and its anchor."""
        return Escaped(f"{self.event_pages[event_id]}#{_identifier(event_id)}")

    def _event_permalink(self, event_id: str) -> str:
        """An event's address from the site root, as a reader sees it (timeline/#<id>): text, to print with |md."""
        return f"{site_path(self.event_pages[event_id])}#{event_id}"

    def permalink(self, event_id: str) -> str:
        """An event's permalink in the data files: absolute when the site's address is known, else from the root."""
        return f"{self.site_url or ''}{self._event_permalink(event_id)}"

    def _claim_ld(self, event: Event) -> Escaped:
        """The event's schema.org Claim, for the script element of its section."""
        permalink = self.permalink(event.id) if self.site_url else None
        return exports.json_ld(exports.claim(event, permalink, self.vocabulary))

    def part_key(self, event: EventSummary) -> str:
        """A digest of all an event's parts show: its sources (``EventSummary.key``), its page and its rivals."""
        return digest(event.key, self.event_pages[event.id], self._rivals_key(event.id))

    def part_keys(self, layout: Layout) -> dict[str, str]:
        """Every event's ``part_key``, by id."""
        pages = self.event_pages
        rivals = self.rivals
        return {
            e.id: digest(e.key, pages[e.id], self._rivals_key(e.id) if e.id in rivals else "") for e in layout.events
        }

    def _rivals_key(self, event_id: str) -> str:
        """All an event's parts show of its rivals (few events have any)."""
        pages = self.event_pages
        return "\0".join(
            f"{r.id}\0{r.title}\0{r.edtf}\0{r.procedure}\0{pages[r.id]}" for r in self.rivals.get(event_id, ())
        )

    def parts(self, events: Iterable[Event]) -> dict[str, EventParts]:
        """Each event's parts, in ``PART_KINDS`` order (``pages`` must have placed the events)."""
        block = self.env.get_template("_event.md.j2")
        line = self._macro_module().event_line
        slide_text = self.env.get_template("_timelinejs.html.j2")
        pages = self.event_pages
        base = self.site_url
        parts = {}
        for e in events:
            permalink = f"{site_path(pages[e.id])}#{e.id}"
            link = f"{base}{permalink}" if base else permalink
            rivals = [r.id for r in self.rivals.get(e.id, ())]
            text = slide_text.render(event=e, permalink=link, absolute=base is not None).strip()
            parts[e.id] = (
                block.render(self.context | {"event": e}),
                str(line(e, "../")),
                _json_line(e, permalink, rivals),
                csv_row(e, permalink, rivals),
                exports.calendar_event(e, link, base is not None),
                exports.timelinejs_slide(e, text),
            )
        return parts

    def _feed_entry(self, event: Event) -> str:
        """The event's entry in the feed, which links to its permalink (relative ones go up from data/)."""
        link = self.permalink(event.id) if self.site_url else f"../{self._event_permalink(event.id)}"
        return exports.feed_entry(event, link, self.vocabulary)

    def use(self, part: int, parts: Mapping[str, str]) -> None:
        """Take parts of one kind (an index into ``PART_KINDS``) of the events that the pages to render list."""
        self._parts[part].update(parts)

    def page(self, template: str, title: str, extra: dict[str, Any] | None = None, **values: Any) -> str:
        """Front matter and the rendered template."""
        return front_matter(title, extra) + self.env.get_template(template).render(self.context | values)

    def article_page(self, article: Article, text: tuple[Block, ...]) -> str:
        """The article's page: its source, milestones (linked to their events) and highlighted text."""
        meta: dict[str, Any] = {"description": article_description(article), "og_type": "article"}
        if not self.large:
            meta["tags"] = article_tags(self.vocabulary, article)
        topics = topic_tags(self.vocabulary, article)
        citing = article.citing_count
        return self.page("article.md.j2", article.title, meta, article=article, text=text, citing=citing, topics=topics)

    def pages(
        self, corpus: Corpus, layout: Layout, bodies: Mapping[str, str], article_keys: Mapping[str, str] | None = None
    ) -> list[Page]:
        """Every generated file, each with its key: the one plan of the site, for a run and for ``render_site``.

        ``bodies`` holds each article's text by id, looked up when its page is
        rendered; ``article_keys`` a digest of each article and its text (the
        seed file's), without which article pages have no key and are always
        rendered. A page that lists events needs their parts at hand (``use``)
        when it is rendered.
        """
        vocabulary = self.vocabulary
        pages = self.event_pages = event_pages(layout)
        self.rivals = layout.rivals()
        tally = layout.tally()
        keys = {e.id: f"{pages[e.id]}\0{e.key}" for e in layout.events}
        for event_id in self.rivals:
            keys[event_id] += self._rivals_key(event_id)
        counts = f"{len(layout.events)} {len(layout.articles)}"
        unlisted = {"search": {"exclude": True}} if self.large else None
        every_event = tuple(e.id for e in layout.events)
        out: list[Page] = []

        def add(
            path: str, key: str | None, render: Callable[[], str | bytes], events: Iterable[str] = (), part: int = 0
        ) -> None:
            out.append(Page(path, None if key is None else digest(path, key), render, tuple(events), part))

        for article in corpus.articles:
            links = [pages[m.id] for m in article.milestones]
            known = None if article_keys is None else digest(article_keys[article.id], *links)
            render = functools.partial(self._article_page_of, article, bodies)
            add(f"articles/{article.id}.md", known, render)
        home: dict[str, Any] = {
            "tally": tally,
            "newest": newest_publication(layout),
            **_legend(),
        }
        add(
            "index.md",
            None,
            functools.partial(self.page, "home.md.j2", HOME_TITLE, described(HOME_DESCRIPTION), **home),
        )
        newest = home["newest"]
        print_style = self.env.get_template("data-date.css.j2")
        add(DATA_DATE_CSS, None, lambda: print_style.render(newest=newest.display if newest else None))
        if split_by_year(layout):
            years_meta = described(TIMELINE_DESCRIPTION)
            add("timeline/index.md", None, functools.partial(self._timeline_years, layout, tally, years_meta))
            for year, events in layout.years():
                add(  # a year's page shows no totals: adding an article rewrites only the pages it shows on
                    f"timeline/{year}.md",
                    digest(*(keys[e.id] for e in events)),
                    functools.partial(self._timeline, [(year, events)], f"Timeline: {year}", True),
                    (e.id for e in events),
                )
        else:
            add(
                "timeline/index.md",
                digest(counts, *(keys[e.id] for e in layout.events)),
                functools.partial(self._timeline, layout.years(), "Timeline", False, tally),
                every_event,
            )
        # repr keeps the fields apart, and None apart from "None"
        listing = [
            f"{a.id!r}{a.title!r}{a.outlet!r}{a.published and a.published.edtf!r}{a.citing_count}"
            for a in layout.articles
        ]
        add(
            "articles/index.md",
            digest(*listing),
            functools.partial(
                self.page, "articles.md.j2", "Articles", described(ARTICLES_DESCRIPTION), articles=layout.articles
            ),
        )
        add(
            "countries/index.md",
            None,
            functools.partial(
                self.page,
                "countries.md.j2",
                "Countries",
                described(COUNTRIES_DESCRIPTION),
                codes=tally.country_pages(),
                tally=tally,
            ),
        )

        def event_list(path: str, template: str, title: str, code: str, events: list[EventSummary]) -> None:
            """A country's or a procedure's page: its firsts and every event it concerns (a country's, charted)."""
            first = list_firsts(tally, path, code, vocabulary)
            about = f"{title} on the timeline of pediatric transplantation in Central Asia"
            meta = (unlisted or {}) | described(f"{about}: the first recorded of each kind and every event, sourced.")
            charted = template == "country.md.j2"
            render = functools.partial(self._event_list, template, title, meta, code, events, first, charted)
            firsts_key = "\0".join(keys[e.id] for e in first.values())
            add(path, digest(firsts_key, *(keys[e.id] for e in events)), render, (e.id for e in events), LINE)

        for code in tally.country_pages():
            label = vocabulary.countries[code].label
            event_list(country_page(code), "country.md.j2", label, code, layout.events_in(code))
        codes = list(vocabulary.procedures)
        add(
            "procedures/index.md",
            None,
            functools.partial(
                self.page, "procedures.md.j2", "Procedures", described(PROCEDURES_DESCRIPTION), codes=codes, tally=tally
            ),
        )
        for code in codes:
            label = vocabulary.procedures[code].label.capitalize()
            event_list(procedure_page(code), "procedure.md.j2", label, code, layout.events_of(code))
        add(
            "vocabularies.md",
            None,
            functools.partial(
                self.page,
                "vocabularies.md.j2",
                "Vocabularies",
                described(VOCABULARIES_DESCRIPTION),
                region=vocabulary.region,
                in_use=sorted(countries_named(corpus, layout) - set(vocabulary.region)),
                tags=vocabulary.tags,
            ),
        )
        every_key = digest(*(keys[e.id] for e in layout.events))
        add("data/timeline.json", every_key, lambda: timeline_json(layout, self._parts[DATA]), every_event, DATA)
        add("data/timeline.csv", every_key, lambda: timeline_csv(layout, self._parts[ROW]), every_event, ROW)
        add("data/annotation.schema.json", None, lambda: schema_json(annotation_schema(vocabulary)))
        self._exports(corpus, layout, every_key, keys, add)
        return out

    def _exports(
        self, corpus: Corpus, layout: Layout, every_key: str, keys: Mapping[str, str], add: Callable[..., None]
    ) -> None:
        """The data files of ``exports`` and the page that lists every data file; ``keys`` are the events' keys."""
        every_event = tuple(e.id for e in layout.events)
        header = _csv_record(CSV_COLUMNS)
        add(
            "data/timeline-excel.csv",
            every_key,
            lambda: exports.excel_csv(header, (self._parts[ROW][e.id] for e in layout.events)),
            every_event,
            ROW,
        )
        vevents, slides = self._parts[VEVENT], self._parts[SLIDE]
        add(
            "data/timeline.ics",
            every_key,
            lambda: exports.calendar((vevents[e.id] for e in layout.events), SITE_NAME),
            every_event,
            VEVENT,
        )

        newest = exports.feed_order(layout)
        updated = newest[0][0] if newest else exports.EPOCH

        def feed() -> bytes:
            """Its entries rendered now, not kept as parts: a hundred take milliseconds."""
            chosen = {e.id for _, e in newest}
            events = {e.id: e for e in corpus.events if e.id in chosen}
            entries = (self._feed_entry(events[e.id]) for _, e in newest)
            return exports.atom_feed(entries, updated, self.site_url, SITE_NAME)

        # Keyed by its entries alone: an edit of an event that is not among the newest leaves the feed alone.
        feed_key = digest(*(f"{stamp.isoformat()}\0{keys[e.id]}" for stamp, e in newest))
        add("data/milestones.atom", feed_key, feed)
        add(
            "data/timelinejs.json",
            every_key,
            lambda: exports.timelinejs((slides[e.id] for e in layout.events), SITE_NAME, TIMELINEJS_ABOUT),
            every_event,
            SLIDE,
        )
        data_page = {
            "csv_columns": CSV_COLUMN_NOTES,
            "json_fields": JSON_FIELD_NOTES,
            "source_fields": SOURCE_FIELD_NOTES,
            "site_name": SITE_NAME,
            "day_events": sum(1 for e in corpus.events if exports.exact_day(e.date) is not None),
            "event_count": len(corpus.events),
            "feed_entries": exports.FEED_ENTRIES,
        }
        add(
            "data.md",
            None,
            functools.partial(self.page, "data.md.j2", "Data", described(DATA_DESCRIPTION), **data_page),
        )

    def _event_list(
        self,
        template: str,
        title: str,
        extra: dict[str, Any] | None,
        code: str,
        events: list[EventSummary],
        firsts: dict[str, EventSummary],
        charted: bool,
    ) -> str:
        chart = self.country_chart(code, events) if charted else None
        return self.page(template, title, extra, code=code, events=events, firsts=firsts, chart=chart)

    def timeline_chart(self, events: list[EventSummary], year: int | None = None) -> Chart | None:
        """The chart of a timeline page (all of it, or ``year``'s page): a lane per country, marks link within it."""
        lanes = self._country_lanes({e.country for e in events})
        return build_chart(
            events,
            lanes,
            lambda e: e.country,
            lambda event_id: f"#{_identifier(event_id)}",
            lambda country, bucket_year: f"?country={_identifier(country)}#year_{bucket_year}",
            self.rivals,
            "Timeline at a glance" + (f": {year}" if year is not None else ""),
            "",
            "country",
            year,
            name_counted=True,  # the page's filters fade a box whose events they all hide
        )

    def _country_lanes(self, used: set[str]) -> list[tuple[str, str]]:
        """A lane per country the events concern: the region's first, in its order, then the others by code."""
        countries = self.vocabulary.countries
        region = [c for c in self.vocabulary.region if c in used]
        return [(c, countries[c].label) for c in [*region, *sorted(used - set(region))]]

    def years_chart(self, layout: Layout) -> Chart | None:
        """The chart of the list of years (a timeline split by year): each country's events of each year counted.

        Only counts, each linking to its year's page filtered to its country: the events themselves are
        drawn on the years' pages, and an edit that changes no count leaves this page as it was.
        """
        pages = self.event_pages
        lanes = self._country_lanes({e.country for e in layout.events})
        return build_chart(
            layout.events,
            lanes,
            lambda e: e.country,
            lambda event_id: f"{site_path(pages[event_id]).removeprefix('timeline/')}#{_identifier(event_id)}",
            lambda country, year: f"{year}/?country={_identifier(country)}#year_{year}",
            self.rivals,
            "Timeline at a glance",
            "",
            "country",
            aggregate_above=0,
        )

    def country_chart(self, code: str, events: list[EventSummary]) -> Chart | None:
        """The chart of a country's page: a lane per top-level procedure family, marks link to the timeline."""
        vocabulary = self.vocabulary
        pages = self.event_pages
        split = any(page != "timeline/index.md" for page in pages.values())
        families = [p for p, term in vocabulary.procedures.items() if term.family is None]
        country = _identifier(code)
        published = {page: f"../../{site_path(page)}" for page in dict.fromkeys(pages[e.id] for e in events)}
        return build_chart(
            events,
            [(p, _sentence_case(vocabulary.procedures[p].label)) for p in families],
            lambda e: vocabulary.lineage(e.procedure)[-1],
            lambda event_id: f"{published[pages[event_id]]}#{_identifier(event_id)}",
            lambda family, year: (
                f"../../{site_path(timeline_page(year, split))}?country={country}&procedure={_identifier(family)}"
                f"#year_{year}"
            ),
            self.rivals,
            f"{vocabulary.countries[code].label} at a glance",
            f" concerning {vocabulary.countries[code].label}",
            "procedure family",
        )

    def _timeline_years(self, layout: Layout, tally: Tally, meta: dict[str, Any]) -> str:
        return self.page("timeline_years.md.j2", "Timeline", meta, tally=tally, chart=self.years_chart(layout))

    def _article_page_of(self, article: Article, bodies: Mapping[str, str]) -> str:
        return self.article_page(article, article_text(bodies[article.id], article))

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
            described(f"{title}: {TIMELINE_DESCRIPTION}" if split else TIMELINE_DESCRIPTION),
            years=years,
            shown=shown,
            year_pages=years if split else [],
            **_legend(),
            filter_countries=region + sorted(used["countries"] - set(region)),
            filter_procedures=[p for p in vocabulary.procedures if p in used["procedures"]],
            filter_kinds=[k for k in vocabulary.kinds if k in used["kinds"]],
            tally=tally,
            chart=self.timeline_chart(shown, years[0][0] if split else None),
        )


HOME_TITLE = "Pediatric transplantation in Central Asia"
DATA_DATE_CSS = "timeline/data-date.css"
"""A printout's date for the data, the newest source's publication (the print header in overrides/main.html):
one small file that changes when that date does, rather than every page."""
HOME_DESCRIPTION = (
    "A sourced timeline of how pediatric bone marrow, stem cell, liver and kidney transplantation and cell therapy "
    "arrived in Uzbekistan, Kyrgyzstan, Kazakhstan, Tajikistan and Turkmenistan, told from news articles."
)
TIMELINE_DESCRIPTION = (
    "every event of pediatric transplantation in Central Asia in order, each quoting its sources, "
    "every date as precise as they allow."
)
ARTICLES_DESCRIPTION = "The news articles the timeline of pediatric transplantation in Central Asia is built from."
COUNTRIES_DESCRIPTION = "Pediatric transplantation in Central Asia country by country: the firsts and every event."
PROCEDURES_DESCRIPTION = "Pediatric transplantation in Central Asia by procedure: the firsts in each country."
VOCABULARIES_DESCRIPTION = "The countries, procedures and kinds of event an annotated article may use."
DATA_DESCRIPTION = (
    "The timeline's data to take away: CSV (and a variant for Excel), JSON, a calendar, an Atom feed and TimelineJS, "
    "with every column and how to cite them."
)


TIMELINEJS_ABOUT = (
    "How pediatric transplantation arrived in Central Asia, from news articles: every date as precise as its "
    "sources allow. Data: CC BY 4.0."
)


def described(text: str) -> dict[str, str]:
    """The front matter of a page's description (``exports.describe``): Material prints it as a meta tag."""
    line = exports.describe(text)
    return {"description": line[:1].upper() + line[1:]}


def article_description(article: Article) -> str:
    """An article page's description: its summary, else what and whose it is."""
    if article.summary:
        return exports.describe(article.summary)
    source = article.source
    whose = ", ".join(p for p in (source.outlet, source.published.display if source.published else None) if p)
    return exports.describe(f"{article.title}{f' ({whose})' if whose else ''}: the news article and its milestones.")


SITE_NAME = "Pediatric transplantation in Central Asia: a sourced timeline"
"""The site's name as citations give it (each event's "Cite this" and the data file's ``cite``)."""


def newest_publication(layout: Layout) -> Date | None:
    """The newest article's publication date: the one whose last day is latest (None when none is known).

    The home page's "last updated": from the data, never the clock, so that builds are reproducible.
    """
    dates = [a.published for a in layout.articles if a.published is not None and a.published.latest is not None]
    return max(dates, key=lambda d: (d.sort_key[1], d.sort_key[0], d.edtf), default=None)


def render_site(
    corpus: Corpus, bodies: Mapping[str, str], templates: Path = TEMPLATES, site_url: str | None = None
) -> dict[str, str]:
    """Every generated file under ``docs/``, keyed by its relative path: the whole site in one call.

    The same plan (``Renderer.pages``) and the same parts a run renders,
    with nothing kept: what a run writes must equal this.
    """
    large = len(corpus.articles) > FULL_TEXT_SEARCH_LIMIT
    renderer = Renderer(corpus.vocabulary, templates, large=large, site_url=site_url)
    layout = corpus.layout()
    plan = renderer.pages(corpus, layout, bodies)
    parts = renderer.parts(corpus.events)
    for part in range(len(PART_KINDS)):
        renderer.use(part, {event: rendered[part] for event, rendered in parts.items()})
    return dict(sorted((page.path, _text(page.render())) for page in plan))


def country_page(code: str) -> str:
    """The page (under docs/) of a country's events."""
    return f"countries/{code.lower()}.md"


def procedure_page(code: str) -> str:
    """The page (under docs/) of a procedure's events."""
    return f"procedures/{code}.md"


def countries_named(corpus: Corpus, layout: Layout) -> set[str]:
    """Every country code an article or an event names: the ones the vocabularies page lists first."""
    return {c for a in corpus.articles for c in a.countries} | {c for e in layout.events for c in e.countries}


def list_firsts(tally: Tally, path: str, code: str, vocabulary: Vocabulary) -> dict[str, EventSummary]:
    """The firsts a country's page shows (by procedure, in vocabulary order), or a procedure's (by country)."""
    firsts = tally.firsts
    if path == country_page(code):
        return {p: firsts[(code, p)] for p in vocabulary.procedures if (code, p) in firsts}
    return {c: firsts[(c, code)] for c in tally.country_pages() if (c, code) in firsts}


def _text(rendered: str | bytes) -> str:
    return rendered.decode() if isinstance(rendered, bytes) else rendered


def article_tags(vocabulary: Vocabulary, article: Article) -> list[str]:
    """Tags for Material's tag index: the article's countries, procedures and topics, each thing once.

    An own tag that names a country or procedure is that one's label (russia:
    Russia, liver: liver transplant), and "other" says nothing. Tags are
    printed by the theme (not by our templates), so front_matter HTML-escapes
    them, like page titles.
    """
    words = [vocabulary.countries[c].label for c in article.countries]
    words += [vocabulary.procedures[m.procedure].label for m in article.milestones if m.procedure != "other"]
    words += [tag.label for tag in map(vocabulary.tag, article.tags) if tag is not None]
    first_spelling: dict[str, str] = {}
    for word in words:
        first_spelling.setdefault(word.casefold(), word)
    return list(first_spelling.values())


def topic_tags(vocabulary: Vocabulary, article: Article) -> list[str]:
    """The article's own tags that name neither a country nor a procedure: the page's "Tags" row."""
    tags = [tag for tag in map(vocabulary.tag, article.tags) if tag is not None and tag.means is None]
    return list(dict.fromkeys(tag.label for tag in tags))


def timeline_json(layout: Layout, lines_of: Mapping[str, str]) -> bytes:
    """The downloadable timeline, data/timeline.json, one event a line (``lines_of``, by id): readable in a diff."""
    fields = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(ABOUT.items()))
    lines = ",\n".join(lines_of[e.id] for e in layout.events)
    return "".join(("{\n", fields, ',\n"events": [\n', lines, "\n]\n}\n")).encode()  # tens of megabytes: one copy


CSV_COLUMNS = (
    "id",
    "permalink",
    "date",
    "earliest",
    "latest",
    "display",
    "country",
    "procedure",
    "kind",
    "title",
    "disagreement",
    "contested_with",
    "sources",
    "article",
    "outlet",
    "published",
    "url",
)
"""The columns of data/timeline.csv; ``article``, ``outlet``, ``published`` and ``url`` are those of the
source whose title the row shows (the first source of the main version); ``contested_with`` the ids of
rival firsts, separated by spaces."""


CSV_COLUMN_NOTES = (
    ("id", "the event's id, stable: also the anchor of its permalink"),
    ("permalink", "where the event is on the site, from the site's address (timeline/#id)"),
    (
        "date",
        "the date in EDTF, as precise as the sources allow: 2023-03-29, 2026-02, 2023?, ../2023-03-29 (on or before)",
    ),
    ("earliest", "the first day the date allows (ISO 8601), empty when the start is open"),
    ("latest", "the last day the date allows, empty when the end is open"),
    ("display", "the date as the site words it: by 29 March 2023, 2022 – February 2026"),
    ("country", "ISO 3166-1 alpha-2 code, such as UZ"),
    ("procedure", "the procedure's code (see the vocabularies page)"),
    ("kind", "the kind of event: first, policy, plan, capacity or event (see the vocabularies page)"),
    ("title", "what happened, as the first source of the main reading puts it"),
    ("disagreement", "yes when sources disagree on the date, country, procedure or kind"),
    ("contested_with", "the ids of other events that claim the same first, separated by spaces"),
    ("sources", "how many articles cite the event"),
    ("article", "the id of the article whose title the row shows (its page is articles/<id>/)"),
    ("outlet", "that article's outlet"),
    ("published", "that article's publication date, in EDTF"),
    ("url", "that article's address"),
)
"""What each column of data/timeline.csv holds, for the Data page (a test checks that every column is here)."""

JSON_FIELD_NOTES = (
    ("id, permalink, date, earliest, latest, display, country, procedure, kind, title", "as in the CSV"),
    ("counted_under", "the procedure and every family above it: where the event counts in firsts and filters"),
    ("places, institutions", "every place and institution a source names"),
    ("disagreement", "true when sources disagree"),
    ("sources_agree", "true when several readings agree, and date and procedure are the narrowest they all allow"),
    ("contested_with", "the ids of rival firsts"),
    ("sources", "every citing article (fields below)"),
    ("versions", "each distinct reading: date fields, country, procedure, kind and the ids of its sources"),
)
"""The fields of each event in data/timeline.json, for the Data page."""

SOURCE_FIELD_NOTES = (
    ("article, article_title, outlet, published, url", "the article"),
    ("evidence", "the verbatim quote that supports the event; in_headline when it is in the headline only"),
    ("page", "the quote on the article's page on this site"),
    ("title, date", "what this source says happened, and when (EDTF)"),
    ("date_basis, date_note", "stated or inferred, and how an inferred date was reasoned"),
)
"""The fields of each source of an event in data/timeline.json, for the Data page."""


def timeline_csv(layout: Layout, rows_of: Mapping[str, str]) -> bytes:
    """data/timeline.csv: a header, then one row per event (``csv_row``, by id) in timeline order."""
    return "".join([_csv_record(CSV_COLUMNS), *(rows_of[e.id] for e in layout.events)]).encode()


def csv_row(event: Event, permalink: str, rivals: Iterable[str] = ()) -> str:
    """An event's row of data/timeline.csv (RFC 4180: fields quoted where needed, CRLF at the end)."""
    main = event.main
    date = main.date
    article = main.citations[0].article
    return _csv_record(
        (
            event.id,
            permalink,
            date.edtf,
            _iso(date.earliest) or "",
            _iso(date.latest) or "",
            date.display,
            main.country,
            main.procedure,
            main.kind,
            event.title,
            "yes" if event.disagreement else "no",
            " ".join(rivals),
            len(event.citations),
            article.id,
            article.outlet or "",
            article.published.edtf if article.published else "",
            article.url or "",
        )
    )


def _csv_record(fields: Iterable[object]) -> str:
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n").writerow(fields)
    return stream.getvalue()


def _json_line(event: Event, permalink: str, rivals: list[str]) -> str:
    return json.dumps(_event_data(event, permalink, rivals), ensure_ascii=False, sort_keys=True)


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


ABOUT = {
    "about": "Pediatric transplantation in Central Asia: events in timeline order. "
    "date is EDTF; earliest and latest are the ISO days it allows (null when open). "
    "When sources_agree, date and procedure are the narrowest reading every version allows; "
    "counted_under is the procedure and every family above it; contested_with lists rival firsts.",
    "cite": f"{SITE_NAME}. Data file timeline.json. <the address of this file>. Accessed <date>. "
    "An event's permalink is relative to the site's address.",
    "licence": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/): the data and the text written for the site. "
    "Quotations from articles remain their publishers' and are quoted to cite them.",
}


def timeline_data(corpus: Corpus) -> dict[str, Any]:
    """The downloadable timeline: events in timeline order, every source and version."""
    layout = corpus.layout()
    pages = event_pages(layout)
    rivals = layout.rivals()
    events = [
        _event_data(event, f"{site_path(pages[event.id])}#{event.id}", [r.id for r in rivals.get(event.id, ())])
        for event in corpus.events
    ]
    return {**ABOUT, "events": events}


def _event_data(event: Event, permalink: str, rivals: list[str]) -> dict[str, Any]:
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
        "counted_under": list(event.procedures()),
        "kind": main.kind,
        "title": event.title,
        "places": list(event.places()),
        "institutions": list(event.institutions()),
        "disagreement": event.disagreement,
        "sources_agree": event.agreed is not None,
        "contested_with": rivals,
        "sources": [
            {
                "article": c.article.id,
                "article_title": c.article.title,
                "outlet": c.article.outlet,
                "published": c.article.published.edtf if c.article.published else None,
                "url": c.article.url,
                "evidence": c.evidence,
                "in_headline": c.headline,
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
