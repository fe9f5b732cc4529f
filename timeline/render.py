"""Render the model into the generated pages and data files: ``{path: text}``.

Pure: no file is read but the templates, none is written. Markdown is not
HTML, so HTML escaping alone is wrong here: every printed value must pass a
filter that escapes it for where it lands (``md``, ``attr``, ``url``, ``id``),
and ``finalize`` refuses anything else. Those filters return ``Markup``, as do
macros, so Jinja's autoescape (on, as a backstop) never changes them; the
``safe`` filter is removed so that nothing can skip the rule.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from timeline.dates import Date, parse_date
from timeline.escape import CONTROLS, Escaped, attribute, inline_text, link_target
from timeline.model import Article, Corpus, Event
from timeline.schema import annotation_schema, schema_json

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


class UnescapedValue(TypeError):
    """A template printed a value without saying how to escape it."""


def _require_escaped(value: Any) -> Any:
    if isinstance(value, (Markup, int)) and not isinstance(value, bool):
        return value
    raise UnescapedValue(f"template printed {value!r} without an escaping filter; use |md, |attr or |url")


def environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """The Jinja environment every page is rendered with."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
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


def _identifier(value: str) -> Escaped:
    text = str(value)
    if not text or not all(c.isascii() and (c.isalnum() or c in "-_") for c in text):
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
    """The timeline page (under docs/) that shows each event."""
    split = split_by_year(corpus)
    return {e.id: f"timeline/{e.date.year}.md" if split else "timeline/index.md" for e in corpus.events}


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


def render_site(corpus: Corpus, templates: Path = TEMPLATES) -> dict[str, str]:
    """Return every generated file under ``docs/``, keyed by its relative path."""
    env = environment(templates)
    date_template = env.get_template("_date.md.j2")
    dates: dict[str, Markup] = {}

    def date_markup(date: Date) -> Markup:
        """The date's markup from _date.md.j2, rendered once per EDTF string."""
        if date.edtf not in dates:
            # A template's output is escaped value by value (finalize), so it is markup.
            dates[date.edtf] = Markup(date_template.render(d=date).rstrip("\n"))  # noqa: S704
        return dates[date.edtf]

    env.globals["date_markup"] = date_markup
    vocabulary = corpus.vocabulary
    context: dict[str, Any] = {
        "corpus": corpus,
        "countries": vocabulary.countries,
        "procedures": vocabulary.procedures,
        "kinds": vocabulary.kinds,
    }

    def page(template: str, title: str, extra: dict[str, Any] | None = None, **values: Any) -> str:
        text = env.get_template(template).render(context | values)
        return front_matter(title, extra) + text

    pages = event_pages(corpus)
    env.globals["event_href"] = lambda event_id: Escaped(f"{pages[event_id]}#{_identifier(event_id)}")

    def timeline(years: list[tuple[int, list[Event]]], title: str, split: bool) -> str:
        shown = [event for _, events in years for event in events]
        used = {
            field: {getattr(v, field) for e in shown for v in e.versions} for field in ("country", "procedure", "kind")
        }
        return page(
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

    # A corpus this large would make a search index too heavy for a reader's
    # browser: article text, quotes and notes then stay out of it (titles,
    # dates, places and institutions stay in), as do the listing pages.
    large = len(corpus.articles) > FULL_TEXT_SEARCH_LIMIT
    env.globals["large_corpus"] = large
    unlisted = {"search": {"exclude": True}} if large else None
    out: dict[str, str] = {}
    out["index.md"] = page("home.md.j2", "Pediatric transplantation in Central Asia", firsts=corpus.firsts())
    if split_by_year(corpus):
        out["timeline/index.md"] = page("timeline_years.md.j2", "Timeline")
        for year, events in corpus.years():
            out[f"timeline/{year}.md"] = timeline([(year, events)], f"Timeline: {year}", split=True)
    else:
        out["timeline/index.md"] = timeline(corpus.years(), "Timeline", split=False)
    out["articles/index.md"] = page("articles.md.j2", "Articles")
    for article in corpus.articles:
        out[f"articles/{article.id}.md"] = page(
            "article.md.j2",
            article.title,
            None if large else {"tags": article_tags(corpus, article)},
            article=article,
            citing=corpus.citing(article.id),
        )
    country_codes = corpus.countries_with_pages()
    out["countries/index.md"] = page("countries.md.j2", "Countries", codes=country_codes)
    firsts = corpus.firsts()
    for code in country_codes:
        out[f"countries/{code.lower()}.md"] = page(
            "country.md.j2",
            vocabulary.countries[code].label,
            unlisted,
            code=code,
            events=corpus.events_in(code),
            firsts={p: e for (c, p), e in firsts.items() if c == code},
        )
    out["procedures/index.md"] = page("procedures.md.j2", "Procedures", codes=list(vocabulary.procedures))
    for code in vocabulary.procedures:
        out[f"procedures/{code}.md"] = page(
            "procedure.md.j2",
            vocabulary.procedures[code].label.capitalize(),
            unlisted,
            code=code,
            events=corpus.events_of(code),
            firsts={c: e for (c, p), e in firsts.items() if p == code},
        )
    out["vocabularies.md"] = page("vocabularies.md.j2", "Vocabularies")
    data = timeline_data(corpus)
    out["data/timeline.json"] = _events_json({k: v for k, v in data.items() if k != "events"}, data["events"])
    out["data/annotation.schema.json"] = schema_json(annotation_schema(vocabulary))
    return out


def article_tags(corpus: Corpus, article: Article) -> list[str]:
    """Tags for Material's tag index: the article's countries, procedures and own tags.

    Tags are printed by the theme (not by our templates), so front_matter
    HTML-escapes them, like page titles.
    """
    vocabulary = corpus.vocabulary
    procedures = dict.fromkeys(vocabulary.procedures[m.procedure].label for m in article.milestones)
    words = [vocabulary.countries[c].label for c in article.countries] + list(procedures) + list(article.tags)
    return list(dict.fromkeys(words))


def _events_json(head: dict[str, Any], events: list[dict[str, Any]]) -> str:
    """The timeline as JSON with one event a line: readable in a diff, and fast (the C encoder)."""
    lines = [json.dumps(event, ensure_ascii=False, sort_keys=True) for event in events]
    fields = ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(head.items()))
    return "{\n" + fields + ',\n"events": [\n' + ",\n".join(lines) + "\n]\n}\n"


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def timeline_data(corpus: Corpus) -> dict[str, Any]:
    """The downloadable timeline: events in timeline order, every source and version."""
    pages = event_pages(corpus)
    return {
        "about": "Pediatric transplantation in Central Asia: events in timeline order. "
        "date is EDTF; earliest and latest are the ISO days it allows (null when open).",
        "events": [_event_data(corpus, event, pages[event.id]) for event in corpus.events],
    }


def _event_data(corpus: Corpus, event: Event, page: str) -> dict[str, Any]:
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
        "permalink": f"{site_path(page)}#{event.id}",
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
                "article": c.article_id,
                "article_title": corpus.article(c.article_id).title,
                "outlet": corpus.article(c.article_id).source.outlet,
                "url": corpus.article(c.article_id).source.url,
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
