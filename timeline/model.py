"""The typed model every later stage works from: articles, milestones, events.

Built only from seeds that passed validation; templates see these objects,
never YAML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, cast

from timeline.dates import Date, narrowest, parse_date
from timeline.evidence import locate
from timeline.load import Seed, Value
from timeline.validate import article_id_of
from timeline.vocabulary import Vocabulary

__all__ = [
    "Article",
    "ArticleEntry",
    "ArticleRef",
    "Block",
    "Corpus",
    "Date",
    "Event",
    "EventSummary",
    "Layout",
    "Milestone",
    "Segment",
    "Source",
    "Version",
    "article_from_plain",
    "article_text",
    "article_to_plain",
    "build_article",
    "build_corpus",
    "merge_events",
    "model_seeds",
    "single_event",
    "sources_key",
]


@dataclass(frozen=True)
class Source:
    """Where an article comes from, as far as the article says."""

    outlet: str | None
    url: str | None
    published: Date | None
    author: str | None
    language: str
    raw: str | None
    provenance: str | None = None
    """How the outlet, address and date were established, when the text does not print them."""
    original_title: str | None = None
    """A translated article's title as printed, in ``language`` (the seed's ``title`` is in English)."""


@dataclass(frozen=True)
class ArticleRef:
    """What a citation shows of its article: pages that list events see no more than this.

    Keeping it small keeps an event's key (``sources_key``) independent of the
    rest of the article, so that editing a summary or the text changes the
    key of the article's own page and of nothing else.
    """

    id: str
    title: str
    outlet: str | None
    url: str | None
    published: Date | None = None
    language: str = "en"
    """The source's BCP 47 language tag, shown in its source line when not English."""


@dataclass(frozen=True)
class Milestone:
    """One claim of one article, tied to a verbatim quote."""

    id: str
    article: ArticleRef
    date: Date
    inferred: bool
    """True when the date is reasoned from the text rather than printed in it."""
    date_note: str | None
    country: str
    place: str | None
    institution: str | None
    procedure: str
    kind: str
    title: str
    evidence: str
    headline: bool = False
    """True when the quote is found in the article's headline only: a headline claims more than it explains."""
    fingerprint: str = field(default="", compare=False, repr=False)
    """A digest of everything above: the keys of the pages that show the milestone's event change with it."""

    @property
    def article_id(self) -> str:
        """The id of the article that makes the claim."""
        return self.article.id

    @property
    def anchor(self) -> str:
        """The id of the quote on its article page."""
        return f"evidence-{self.id}"


@dataclass(frozen=True)
class Segment:
    """A run of body text, highlighted or not, with the quote anchors that start in it."""

    text: str
    marked: bool
    anchors: tuple[str, ...] = ()
    """Ids of the quotes that start here."""
    closes: tuple[str, ...] = ()
    """Ids of the milestones whose quote ends here, so the page can link back to their events."""


@dataclass(frozen=True)
class Block:
    """A paragraph or a heading of the article body, or its headline when a milestone quotes it."""

    heading: bool
    segments: tuple[Segment, ...]
    headline: bool = False


@dataclass(frozen=True)
class Article:
    """One annotated article."""

    id: str
    title: str
    source: Source
    countries: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str | None
    milestones: tuple[Milestone, ...]
    seed_path: str

    @property
    def citing_count(self) -> int:
        """How many timeline events cite the article: one per milestone id."""
        return len({m.id for m in self.milestones})

    def entry(self) -> ArticleEntry:
        """The article as the list of articles shows it."""
        published = self.source.published
        canonical = None if published is None else parse_date(published.edtf)  # one object per date
        return ArticleEntry(self.id, self.title, self.source.outlet, canonical, self.citing_count)


class ArticleEntry(NamedTuple):
    """An article as the list of articles shows it: all a layout holds of it."""

    id: str
    title: str
    outlet: str | None
    published: Date | None
    citing_count: int


@dataclass(frozen=True)
class Version:
    """What one or more sources say about an event's date, country, procedure and kind."""

    date: Date
    country: str
    procedure: str
    kind: str
    citations: tuple[Milestone, ...]


@dataclass(frozen=True)
class Event:
    """A milestone id with every source that cites it."""

    id: str
    versions: tuple[Version, ...]
    """Ordered by date: what each group of sources says, one version per distinct reading."""
    citations: tuple[Milestone, ...]
    """Every citing milestone, by article id."""
    agreed: Version | None = None
    """When several versions agree (``agree``): the narrowest date and procedure they all allow."""
    counted_under: tuple[str, ...] = ()
    """Every procedure the event counts under: its versions' procedures and every family above them."""

    @property
    def main(self) -> Version:
        """What the event's heading shows and where it sorts: the agreed reading, else the earliest version."""
        return self.agreed or self.versions[0]

    @property
    def disagreement(self) -> bool:
        """True when sources conflict on date, country, procedure or kind (``agree``)."""
        return len(self.versions) > 1 and self.agreed is None

    @property
    def title(self) -> str:
        """The title given by the first source of the main version."""
        return self.main.citations[0].title

    @property
    def date(self) -> Date:
        """The date of the main version."""
        return self.main.date

    @property
    def sort_key(self) -> tuple[object, ...]:
        """Earliest day, latest day, then id: a total, stable order."""
        return (*self.main.date.sort_key, self.id)

    def places(self) -> tuple[str, ...]:
        """Every place named by a source, without repeats."""
        return tuple(dict.fromkeys(c.place for c in self.citations if c.place))

    def institutions(self) -> tuple[str, ...]:
        """Every institution named by a source, without repeats."""
        return tuple(dict.fromkeys(c.institution for c in self.citations if c.institution))

    def countries(self) -> tuple[str, ...]:
        """Every country a version files the event under."""
        return tuple(dict.fromkeys(v.country for v in self.versions))

    def procedures(self) -> tuple[str, ...]:
        """Every procedure the event counts under (``counted_under``)."""
        return self.counted_under or tuple(dict.fromkeys(v.procedure for v in self.versions))

    def kinds(self) -> tuple[str, ...]:
        """Every kind a version files the event under."""
        return tuple(dict.fromkeys(v.kind for v in self.versions))

    @property
    def inferred(self) -> bool:
        """True when any source's date is inferred rather than printed."""
        return any(c.inferred for c in self.citations)

    def summary(self) -> EventSummary:
        """What the pages that list the event need of it, besides its pre-rendered parts."""
        main = self.main
        date = main.date
        return EventSummary(
            self.id,
            date.edtf,
            date.sort_key,
            date.year,
            self.title,
            main.country,
            main.procedure,
            main.kind,
            self.countries(),
            self.procedures(),
            self.kinds(),
            self.disagreement,
            tuple(dict.fromkeys(c.article_id for c in self.citations)),
            sources_key(self.citations),
            self.inferred,
        )


def sources_key(citations: tuple[Milestone, ...]) -> str:
    """A digest of the citing milestones' fingerprints, in order: all an event's parts depend on.

    An event with one source is keyed by that milestone's fingerprint itself.
    """
    if len(citations) == 1:
        return citations[0].fingerprint
    return hashlib.sha1("\0".join(c.fingerprint for c in citations).encode(), usedforsecurity=False).hexdigest()


class EventSummary(NamedTuple):
    """An event as pages that list events see it, next to its parts rendered once (``render.Renderer.parts``).

    ``key`` digests all the event's parts show, so that a page's key can be
    made of its events' keys without looking at their sources again.
    """

    id: str
    edtf: str
    """The main version's date (``date``), as are the country, procedure and kind."""
    when: tuple[dt.date, dt.date]
    """The date's sort key (``Date.sort_key``)."""
    year: int
    """The year the timeline files the event under (``Date.year``)."""
    title: str
    country: str
    procedure: str
    kind: str
    countries: tuple[str, ...]
    """Every country and kind a version files the event under, every procedure it counts under."""
    procedures: tuple[str, ...]
    kinds: tuple[str, ...]
    disagreement: bool
    sources: tuple[str, ...]
    """The ids of the articles that cite the event."""
    key: str
    """A digest of the citing milestones' fingerprints: equal keys, equal parts."""
    inferred: bool = False
    """Whether any source's date is inferred."""

    @property
    def date(self) -> Date:
        """The main version's date (parsed once per process)."""
        return parse_date(self.edtf)

    @property
    def sort_key(self) -> tuple[object, ...]:
        """Earliest day, latest day, then id: a total, stable order (as ``Event.sort_key``)."""
        return (*self.when, self.id)


@dataclass(frozen=True)
class Corpus:
    """Every article and every event, whole: what article pages and event sections are rendered from."""

    articles: tuple[Article, ...]
    """By id."""
    events: tuple[Event, ...]
    """In timeline order."""
    vocabulary: Vocabulary

    def layout(self) -> Layout:
        """The corpus as the pages that list events and articles see it."""
        return Layout(tuple(a.entry() for a in self.articles), tuple(e.summary() for e in self.events), self.vocabulary)


@dataclass(frozen=True)
class Layout:
    """The timeline without the articles' text and quotes: what the pages listing events and articles show."""

    articles: tuple[ArticleEntry, ...]
    """By id."""
    events: tuple[EventSummary, ...]
    """In timeline order."""
    vocabulary: Vocabulary
    _index: _Index = field(init=False, repr=False, compare=False)
    memo: dict[str, Any] = field(init=False, repr=False, compare=False, default_factory=dict)
    """What later stages work out once per layout (render's page of each event)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", _Index(self.events, self.vocabulary))

    def years(self) -> list[tuple[int, list[EventSummary]]]:
        """Events grouped by the year they sort under, in order."""
        return [(year, list(events)) for year, events in sorted(self._index.years.items())]

    def events_in(self, country: str) -> list[EventSummary]:
        """Events that any source files under ``country``, in timeline order."""
        return list(self._index.countries.get(country, ()))

    def events_of(self, procedure: str) -> list[EventSummary]:
        """Events that count under ``procedure`` (it or a kind of it), in timeline order."""
        return list(self._index.procedures.get(procedure, ()))

    def firsts(self) -> dict[tuple[str, str], EventSummary]:
        """The earliest recorded first for each (country, procedure), families included."""
        return dict(self._index.firsts)

    def rivals(self) -> dict[str, tuple[EventSummary, ...]]:
        """Contested firsts: each first's rival claims (``_Index``), by event id; firsts without any left out."""
        return self._index.rivals

    def tally(self) -> Tally:
        """The timeline's totals, counted afresh (once per layout)."""
        if "tally" not in self.memo:
            self.memo["tally"] = self._count()
        tally: Tally = self.memo["tally"]
        return tally

    def _count(self) -> Tally:
        index = self._index
        return Tally(
            len(self.articles),
            len(self.events),
            sum(1 for e in self.events if e.disagreement),
            {code: len(events) for code, events in index.countries.items()},
            {code: len(events) for code, events in index.procedures.items()},
            dict(index.firsts),
            year_sizes(index.years.items()),
            self.vocabulary.region,
            index.rivals,
        )


@dataclass(frozen=True)
class Tally:
    """The timeline's totals, as the home page and the indexes of countries, procedures and years count them."""

    articles: int
    events: int
    disagreeing: int
    """Events whose sources disagree."""
    countries: dict[str, int]
    """Events that any source files under each country (those with none left out)."""
    procedures: dict[str, int]
    """Events that count under each procedure, families included."""
    firsts: dict[tuple[str, str], EventSummary]
    """The earliest recorded first of its kind for each (country, procedure), families included."""
    sizes: dict[int, tuple[int, int]]
    """Each year's events, and how many of them are firsts of their kind (``kind`` first)."""
    region: tuple[str, ...]
    rivals: dict[str, tuple[EventSummary, ...]] = field(default_factory=dict)
    """Contested firsts (``Layout.rivals``)."""

    def country_pages(self) -> list[str]:
        """The region's countries, then any other country an event is filed under: each has a page."""
        return [*self.region, *sorted(set(self.countries) - set(self.region))]

    @property
    def contested(self) -> int:
        """How many firsts are contested."""
        return len(self.rivals)


def year_sizes(years: Iterable[tuple[int, list[EventSummary]]]) -> dict[int, tuple[int, int]]:
    """Each year's count of events and of firsts of their kind (``Tally.sizes``)."""
    return {year: (len(events), sum(1 for e in events if e.kind == "first")) for year, events in years}


class _Index:
    """The events by year, country and procedure, the firsts and their rivals, built in one pass.

    Pages ask for these many times over (every country page, every index), so
    they are worked out once per layout.

    A first of a procedure counts as a first of every family above it (an
    autologous transplant is also the country's first stem cell transplant).
    The earliest claim in a country wins the firsts table; another first in
    the same country whose procedure is the winner's, or a family of it, or a
    kind of it, claims the same first: both are contested, and each lists the
    other as a rival. Only winners are compared with the rest, so that the
    rivals stay as few as the cells of the firsts table.
    """

    def __init__(self, events: tuple[EventSummary, ...], vocabulary: Vocabulary) -> None:
        self.years: dict[int, list[EventSummary]] = defaultdict(list)
        self.countries: dict[str, list[EventSummary]] = defaultdict(list)
        self.procedures: dict[str, list[EventSummary]] = defaultdict(list)
        claims: dict[tuple[str, str], list[EventSummary]] = defaultdict(list)
        for event in events:
            self.years[event.year].append(event)
            for country in event.countries:
                self.countries[country].append(event)
            for procedure in event.procedures:
                self.procedures[procedure].append(event)
            if event.kind == "first":
                for procedure in vocabulary.lineage(event.procedure):
                    claims[(event.country, procedure)].append(event)
        self.firsts: dict[tuple[str, str], EventSummary] = {cell: found[0] for cell, found in claims.items()}
        rivals: dict[str, dict[str, EventSummary]] = defaultdict(dict)
        for winner, *others in claims.values():
            for other in others:
                if other.id != winner.id and vocabulary.related(other.procedure, winner.procedure):
                    rivals[winner.id][other.id] = other
                    rivals[other.id][winner.id] = winner
        self.rivals: dict[str, tuple[EventSummary, ...]] = {
            event_id: tuple(sorted(found.values(), key=lambda e: e.sort_key)) for event_id, found in rivals.items()
        }


def build_corpus(articles: Iterable[Article], vocabulary: Vocabulary) -> Corpus:
    """Merge the articles' milestones into events; validation must have passed."""
    articles = sorted(articles, key=lambda a: a.id)
    events = sorted(merge_events(articles, vocabulary), key=lambda e: e.sort_key)
    return Corpus(tuple(articles), tuple(events), vocabulary)


def merge_events(articles: Iterable[Article], vocabulary: Vocabulary) -> list[Event]:
    """The events of the articles' milestones, unordered.

    The articles must come in order of article id: the order of an event's
    sources decides which versions and titles it shows.
    """
    by_id: dict[str, list[Milestone]] = defaultdict(list)
    for article in articles:
        for milestone in article.milestones:
            by_id[milestone.id].append(milestone)
    return [_event(event_id, cited, vocabulary) for event_id, cited in by_id.items()]


def model_seeds(seeds: Iterable[Seed], vocabulary: Vocabulary) -> tuple[Corpus, dict[str, str]]:
    """The corpus of validated seeds and every article's text (``article_text`` reads it), by article id."""
    articles = [(seed, build_article(seed)) for seed in seeds]
    bodies = {article.id: seed.body for seed, article in articles}
    return build_corpus((article for _, article in articles), vocabulary), bodies


def single_event(milestone: Milestone, vocabulary: Vocabulary) -> Event:
    """The event of a milestone that no other article cites."""
    version = Version(milestone.date, milestone.country, milestone.procedure, milestone.kind, (milestone,))
    return Event(milestone.id, (version,), (milestone,), None, vocabulary.lineage(milestone.procedure))


def agree(versions: Iterable[Version], vocabulary: Vocabulary) -> Version | None:
    """The reading every version allows, or None when two of them conflict.

    Versions agree when their dates overlap and their country and kind are
    the same and their procedures are the same or one is a family of the
    other: the agreed reading has the narrowest date (``narrowest``) and the
    most specific procedure, and cites the sources of that procedure first.
    """
    versions = list(versions)
    first = versions[0]
    if any(v.country != first.country or v.kind != first.kind for v in versions):
        return None
    procedures = [v.procedure for v in versions]
    if not all(vocabulary.related(a, b) for a, b in itertools.combinations(set(procedures), 2)):
        return None
    date = narrowest([v.date for v in versions])
    if date is None:
        return None
    procedure = max(procedures, key=lambda p: len(vocabulary.lineage(p)))
    citations = sorted(
        (c for v in versions for c in v.citations), key=lambda c: (c.procedure != procedure, c.article_id)
    )
    return Version(date, first.country, procedure, first.kind, tuple(citations))


def _event(event_id: str, cited: list[Milestone], vocabulary: Vocabulary) -> Event:
    if len(cited) == 1:  # most events have one source
        return single_event(cited[0], vocabulary)
    groups: dict[tuple[str, str, str, str], list[Milestone]] = defaultdict(list)
    for milestone in cited:
        groups[(milestone.date.edtf, milestone.country, milestone.procedure, milestone.kind)].append(milestone)
    versions = [
        Version(members[0].date, country, procedure, kind, tuple(members))
        for (_, country, procedure, kind), members in groups.items()
    ]
    versions.sort(key=lambda v: (v.date.sort_key, v.citations[0].article_id))
    citations = tuple(sorted(cited, key=lambda c: c.article_id))
    agreed = agree(versions, vocabulary) if len(versions) > 1 else None
    counted = (agreed.procedure,) if agreed else tuple(dict.fromkeys(v.procedure for v in versions))
    lineage = tuple(dict.fromkeys(p for procedure in counted for p in vocabulary.lineage(procedure)))
    return Event(event_id, tuple(versions), citations, agreed, lineage)


def _text(meta: dict[str, Value], key: str) -> str | None:
    value = meta.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def build_article(seed: Seed) -> Article:
    """The article of one validated seed, without its text (see ``article_text``)."""
    meta = seed.meta
    article_id = article_id_of(seed)
    source_meta = cast(dict[str, Value], meta.get("source") or {})
    published = _text(source_meta, "published")
    source = Source(
        outlet=_text(source_meta, "outlet"),
        url=_text(source_meta, "url"),
        published=parse_date(published) if published else None,
        author=_text(source_meta, "author"),
        language=_text(source_meta, "language") or "en",
        raw=_text(source_meta, "raw"),
        provenance=_text(source_meta, "provenance"),
        original_title=_text(source_meta, "original_title"),
    )
    title = cast(str, meta["title"]).strip()
    reference = ArticleRef(article_id, title, source.outlet, source.url, source.published, source.language)
    milestones = tuple(
        _milestone(cast(dict[str, Value], m), reference, seed.body)
        for m in cast(list[Value], meta.get("milestones") or [])
    )
    return Article(
        id=article_id,
        title=title,
        source=source,
        countries=tuple(cast(list[str], meta["countries"])),
        tags=tuple(cast(list[str], meta.get("tags") or [])),
        summary=_text(meta, "summary"),
        milestones=milestones,
        seed_path=seed.path,
    )


def article_text(body: str, article: Article) -> tuple[Block, ...]:
    """The body of the article's seed as blocks, with every evidence quote highlighted.

    Apart from the article, so that only the article's own page, when it is
    rendered, pays for finding the quotes.
    """
    return _blocks(body, article.title, article.milestones)


def article_to_plain(article: Article) -> tuple[Any, ...]:
    """The article as plain values, for the memo (``memo``): tuples of strings, dates as EDTF."""
    source = article.source
    published = source.published.edtf if source.published else None
    milestones = tuple(
        (
            m.id,
            m.date.edtf,
            m.inferred,
            m.date_note,
            m.country,
            m.place,
            m.institution,
            m.procedure,
            m.kind,
            m.title,
            m.evidence,
            m.headline,
            m.fingerprint,
        )
        for m in article.milestones
    )
    return (
        article.id,
        article.title,
        (
            source.outlet,
            source.url,
            published,
            source.author,
            source.language,
            source.raw,
            source.provenance,
            source.original_title,
        ),
        article.countries,
        article.tags,
        article.summary,
        milestones,
        article.seed_path,
    )


def article_from_plain(plain: tuple[Any, ...], seed_path: str) -> Article:
    """The article ``article_to_plain`` gave, read from ``seed_path``; ValueError or TypeError on anything else."""
    article_id, title, source, countries, tags, summary, milestones, _ = plain
    outlet, url, published, author, language, raw, provenance, original_title = source
    date = parse_date(published) if published else None
    reference = ArticleRef(article_id, title, outlet, url, date, language)
    return Article(
        article_id,
        title,
        Source(outlet, url, date, author, language, raw, provenance, original_title),
        tuple(countries),
        tuple(tags),
        summary,
        # Each milestone as article_to_plain lists its fields: id, date, then the rest in field order.
        tuple(Milestone(m[0], reference, parse_date(m[1]), *m[2:]) for m in milestones),
        seed_path,
    )


def _milestone(meta: dict[str, Value], article: ArticleRef, body: str) -> Milestone:
    evidence = cast(str, meta["evidence"]).strip()
    published = article.published.edtf if article.published else None
    return Milestone(
        id=cast(str, meta["id"]),
        article=article,
        date=parse_date(cast(str, meta["date"])),
        inferred=meta.get("date_basis") == "inferred",
        date_note=_text(meta, "date_note"),
        country=cast(str, meta["country"]),
        place=_text(meta, "place"),
        institution=_text(meta, "institution"),
        procedure=cast(str, meta["procedure"]),
        kind=cast(str, meta["kind"]),
        title=cast(str, meta["title"]).strip(),
        evidence=evidence,
        headline=locate(evidence, body) is None,  # validation found it in the body or else in the headline
        fingerprint=hashlib.sha1(
            json.dumps(
                [article.id, article.title, article.outlet, article.url, published, meta], sort_keys=True
            ).encode(),
            usedforsecurity=False,
        ).hexdigest(),
    )


_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_HEADING = re.compile(r"#{1,6}[ \t]+")


def _blocks(body: str, title: str, milestones: tuple[Milestone, ...]) -> tuple[Block, ...]:
    """Split the body into paragraphs and headings, highlighting every evidence quote.

    The body is shown as text: only blank lines (paragraphs) and leading ``#``
    (headings) carry meaning, so no markup from the web becomes live. When a
    milestone quotes the headline, the headline comes first, highlighted.
    """
    spans: list[tuple[int, int, str, str]] = []
    in_headline: list[tuple[int, int, str, str]] = []
    for milestone in milestones:
        found = locate(milestone.evidence, title if milestone.headline else body)
        assert found is not None, "validation guarantees every quote is in the body or the headline"
        (in_headline if milestone.headline else spans).append((*found, milestone.anchor, milestone.id))
    blocks: list[Block] = []
    if in_headline:
        blocks.append(Block(False, _segments(title, 0, len(title), in_headline), headline=True))
    position = 0
    for chunk in [*_BLANK_LINES.split(body), ""]:
        start = body.find(chunk, position) if chunk else -1
        if start < 0:
            continue
        position = start + len(chunk)
        chunk = chunk.rstrip()
        end = start + len(chunk)
        lines = chunk.split("\n", 1)
        heading = _HEADING.match(lines[0])
        if heading:
            head_start = start + heading.end()
            blocks.append(Block(True, _segments(body, head_start, start + len(lines[0]), spans)))
            if len(lines) == 2 and lines[1].strip():
                rest = start + len(lines[0]) + 1
                blocks.append(Block(False, _segments(body, rest, end, spans)))
        elif chunk.strip():
            blocks.append(Block(False, _segments(body, start, end, spans)))
    return tuple(blocks)


def _segments(body: str, start: int, end: int, spans: list[tuple[int, int, str, str]]) -> tuple[Segment, ...]:
    """Cut ``body[start:end]`` where highlighted quotes begin or end."""
    spans = [span for span in spans if span[0] <= end and span[1] >= start]
    if not spans:  # most paragraphs quote nothing
        return (Segment(body[start:end], False),) if end > start else ()
    cuts = {start, end}
    for low, high, _, _ in spans:
        for cut in (low, high):
            if start < cut < end:
                cuts.add(cut)
    ordered = sorted(cuts)
    segments: list[Segment] = []
    for low, high in itertools.pairwise(ordered):
        marked = any(s <= low and high <= e for s, e, _, _ in spans)
        anchors = tuple(anchor for s, _, anchor, _ in spans if s == low)
        closes = tuple(milestone for _, e, _, milestone in spans if e == high)
        segments.append(Segment(body[low:high], marked, anchors, closes))
    return tuple(s for s in segments if s.text or s.anchors)
