"""The timeline kept between runs: laid out again where seeds changed, or patched where pages stand.

``build`` reads the seeds; this module turns what changed into pages. With
the last run's layout in the cache (a year of events at a time, with their
rendered parts, and the timeline's totals), an edit either patches the pages
it changes where they stand (``Timeline.patch``: an event's parts replaced,
the runs of the years that events enter or leave, the pages that count
events rendered again from the totals), or, when a patch cannot place it,
merges again only the events the changed seeds cite and lays the timeline
out from the kept layout (``Timeline.lay_out``). Either way the pages are
the bytes a full run writes: the tests check it after every kind of edit.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from timeline.cache import YEAR_KINDS, Built, Cache
from timeline.model import Article, ArticleEntry, Event, EventSummary, Layout, Tally, merge_events, sources_key
from timeline.render import (
    EventParts,
    Page,
    Renderer,
    country_page,
    data_chunk,
    data_lines,
    digest,
    linked_data,
    linked_line,
    list_firsts,
    procedure_page,
    splits,
    timeline_page,
)
from timeline.vocabulary import Vocabulary
from timeline.write import Content, Spliced

if TYPE_CHECKING:
    from timeline.build import SeedResult


@dataclass(frozen=True)
class Patch:
    """What a patch gives: the pages an edit changes, their keys, and the timeline's links and totals."""

    texts: dict[str, Content]
    keys: dict[str, str]
    links: dict[str, tuple[str, ...]]
    """The timeline page of each seed's milestones' events: other than the last run's for events that changed year."""
    tally: Tally
    patched: frozenset[str]
    """The pages changed where they stood: they differ from what the last run wrote."""
    removed: frozenset[str]
    """The pages that go (a year left without events)."""


@dataclass(frozen=True)
class _Edit:
    """What the seeds that changed since the run that wrote ``built`` change: worked out once per run."""

    changed: dict[str, Article]
    """The seeds whose header changed (new ones included), read: by file name."""
    gone: list[str]
    """The seeds that are no more."""
    ids: set[str]
    """The events they cite or cited."""
    milestones: dict[str, tuple[str, tuple[str, ...]]]
    """Every seed's article id and milestone ids, after the edit."""
    dropped: set[str]
    """The ids of the articles the changed and gone seeds had."""
    added: dict[str, ArticleEntry]
    """The changed seeds' articles as the list of articles shows them now."""

    def relists(self, listing: Iterable[ArticleEntry]) -> bool:
        """Whether the list of articles changes: an article comes or goes, or one changes its row."""
        return self.added.keys() != self.dropped or any(
            self.added[entry.id] != entry for entry in listing if entry.id in self.dropped
        )


@dataclass
class _Year:
    """What the last run kept of a year's events; each kind read when first asked for."""

    stamp: str
    events: list[EventSummary]
    position: dict[str, int]
    kinds: dict[str, Any] = field(default_factory=dict)
    """What was read of each of ``cache.YEAR_KINDS`` (None: unreadable)."""
    texts: dict[int, list[str] | None] = field(default_factory=dict)
    """Each kind of part (an index into ``EventParts``) of every event, in order."""


class Timeline:
    """Lays the timeline out, from the last run's layout where the cache has it, and gathers event parts.

    With the last layout, only the events that changed seeds cite (before or
    after their edit) are merged again from their sources' articles; the
    others keep their summaries, and the parts rendered for them, keyed by
    what they show. Without it, every article is read (from the cache where it
    can be) and every event merged: the same layout, which the tests check.
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        names: list[str],
        fresh: dict[str, SeedResult],
        cache: Cache,
        renderer: Renderer,
        compile_seeds: Callable[[list[str]], list[SeedResult]],
    ) -> None:
        """``compile_seeds`` reads seeds again, for articles the cache lost (``build.compile_seeds``)."""
        self.vocabulary, self.names, self.fresh = vocabulary, names, fresh
        self.cache, self.renderer, self.compile_seeds = cache, renderer, compile_seeds
        self.results = {name: cache.index.seeds[name] for name in names}
        self.milestones: dict[str, tuple[str, tuple[str, ...]]] = {}
        """Each seed's article id and milestone ids."""
        self.events: dict[str, Event] = {}
        """The events merged again in this run, whole."""
        self.touched: set[int] = set()
        """Years whose events changed: their files are written again."""
        self.listed = False
        """Whether the list of articles changed."""
        self.rendered = 0
        """How many events' parts were rendered here, neither by a worker nor kept by the last run."""
        self._known: dict[tuple[str, str], EventParts] = {}
        """Parts by event id and key, rendered in this run."""
        self._years: dict[int, _Year] = {}
        """What the last run kept, by year."""
        self._found: list[dict[str, str]] = [{}, {}, {}]
        """The parts given to the renderer, by kind (an index into ``EventParts``) and event id."""
        self._patches: dict[int, dict[int, tuple[EventSummary, EventParts]]] = {}
        """What ``patch`` changed in place: by year and position, each event's summary and parts."""
        self._rewritten: dict[int, list[tuple[EventSummary, EventParts]]] = {}
        """The years ``patch`` moved events in or out of: all their events, in order, with their parts."""
        self._removed: set[str] = set()
        """Pages a patch takes away (a year left without events)."""
        self.listing: tuple[ArticleEntry, ...] | None = None
        """The list of articles as ``patch`` changed it, if it did."""
        self._kept_listing: tuple[tuple[tuple[ArticleEntry, ...], tuple[str, ...]] | None] | None = None
        """``_listing``, once read (in a tuple: what was read may be None)."""
        self._edit_of: _Edit | None = None
        """``_edit``, once worked out (a patch that falls back to a layout does not do it again)."""

    def _edit(self, built: Built) -> _Edit:
        """What the changed seeds change against the run that wrote ``built`` (``_Edit``)."""
        if self._edit_of is None:
            previous = built.milestones
            current = set(self.names)
            gone = [name for name in built.headers if name not in current]
            affected = [name for name in self.names if built.headers.get(name) != self.results[name].header]
            changed = self._articles(affected)
            ids = {event_id for name in (*affected, *gone) if name in previous for event_id in previous[name][1]}
            ids.update(m.id for article in changed.values() for m in article.milestones)
            milestones = {name: previous[name] for name in self.names if name not in changed}
            milestones.update({name: (a.id, tuple(m.id for m in a.milestones)) for name, a in changed.items()})
            dropped = {previous[name][0] for name in (*affected, *gone) if name in previous}
            added = {a.id: a.entry() for a in changed.values()}
            self._edit_of = _Edit(changed, gone, ids, milestones, dropped, added)
        return self._edit_of

    def _articles(self, names: Iterable[str]) -> dict[str, Article]:
        """The articles of these seeds: read in this run, kept in the cache, or read again."""
        found: dict[str, Article] = {}
        missing = []
        for name in names:
            result = self.fresh.get(name)
            if result is not None and result.article is not None:
                found[name] = result.article
            elif (cached := self.cache.article(name, self.results[name].digest)) is not None:
                found[name] = cached
            else:
                missing.append(name)
        for result in self.compile_seeds(missing):  # a lost shard
            assert result.article is not None, "the index knew it valid, and its bytes are the same"
            self.fresh[result.name] = result
            found[result.name] = result.article
        for name in found:
            if name in self.fresh:
                self._remember(self.fresh[name])
        return found

    def _remember(self, result: SeedResult) -> None:
        """Keep the parts a worker rendered for a seed's milestones, keyed as a one-source event's would be."""
        assert result.article is not None
        for milestone, parts in zip(result.article.milestones, result.fragments, strict=True):
            self._known[milestone.id, sources_key([milestone])] = parts

    def _last(self, built: Built | None) -> tuple[tuple[ArticleEntry, ...], list[EventSummary]] | None:
        """The list of articles and the events, in order, that the run that wrote ``built`` laid out."""
        found = None if built is None else self._listing(built)
        if built is None or found is None:
            return None
        listing, rows = found
        self.renderer.keep_rows(listing, rows)
        ordered: list[EventSummary] = []
        for year in sorted(built.years):
            kept = self._year(built, year)
            if kept is None:
                return None
            ordered += kept.events
        return listing, ordered

    def _listing(self, built: Built) -> tuple[tuple[ArticleEntry, ...], tuple[str, ...]] | None:
        """The list of articles and their rows as the last run kept them: read once, by a patch or a layout."""
        if self._kept_listing is None:
            self._kept_listing = (self.cache.listing(built.listing),)
        return self._kept_listing[0]

    def _year(self, built: Built, year: int) -> _Year | None:
        """A year's events as the run that wrote ``built`` laid them out, or None if the cache lost them."""
        if year not in self._years:
            stamp = built.years.get(year)
            events = None if stamp is None else self.cache.year(year, "events", stamp)
            if stamp is None or not isinstance(events, list):
                return None
            self._years[year] = _Year(stamp, events, {e.id: i for i, e in enumerate(events)})
        return self._years[year]

    def lay_out(self, built: Built | None) -> Layout:
        """The layout of this run: the last one with the changed seeds' events merged again, or a new one."""
        last = self._last(built)
        if last is None or built is None:
            articles = self._articles(self.names)
            self.milestones = {name: (a.id, tuple(m.id for m in a.milestones)) for name, a in articles.items()}
            events = merge_events(sorted(articles.values(), key=lambda a: a.id))
            self.events = {e.id: e for e in events}
            summaries = sorted((e.summary() for e in events), key=lambda e: e.sort_key)
            self.touched = {e.year for e in summaries}
            self.listed = True
            entries = sorted((a.entry() for a in articles.values()), key=lambda a: a.id)
            return Layout(tuple(entries), tuple(summaries), self.vocabulary)

        listing, ordered = last
        edit = self._edit(built)
        changed, ids = edit.changed, edit.ids
        before = [e for e in ordered if e.id in ids] if ids else []
        owner = {self.results[name].article_id: name for name in self.names if name not in changed}
        citing = {name for name, article in changed.items() if any(m.id in ids for m in article.milestones)}
        for event in before:
            citing.update(owner[a] for a in event.sources if a in owner)
        articles = self._articles(sorted(citing))
        events = merge_events(sorted(articles.values(), key=lambda a: a.id), ids)
        self.events = {e.id: e for e in events}
        summaries = [e.summary() for e in events]
        # Years whose events changed, came or went; a year whose events are all as they were keeps its files.
        was = {e.id: e for e in before}
        now = {s.id for s in summaries}
        self.touched = {e.year for e in before if e.id not in now}
        for summary in summaries:
            if was.get(summary.id) != summary:
                self.touched.add(summary.year)
                if summary.id in was:
                    self.touched.add(was[summary.id].year)
        if before:
            ordered = [e for e in ordered if e.id not in ids]
        for summary in summaries:
            bisect.insort(ordered, summary, key=lambda e: e.sort_key)

        self.milestones = edit.milestones
        if edit.relists(listing):
            entries = [a for a in listing if a.id not in edit.dropped] + list(edit.added.values())
            listing = tuple(sorted(entries, key=lambda a: a.id))
            self.listed = True
        return Layout(listing, tuple(ordered), self.vocabulary)

    def patch(self, built: Built, docs: Path, outputs: dict[str, tuple[str, int, int]]) -> Patch | None:
        """The pages an edit changes, patched where they stand; None when only a new layout will do.

        An edit changes some events (those its seeds cite, or cited): each is
        merged again from its sources. One that keeps its date's place, its
        lists and its kind (a quote, a place, a title edited) differs on each
        page that shows it only in its part: its section, its list line, its
        data line; the page as the last run wrote it has the old part, found
        exactly once, replaced by the new one. Events that come, go or move
        change whole years instead (``_rewrite``), and the pages that count
        events are rendered again from the timeline's totals (``Tally``),
        updated by what those events counted. Either way it gives the bytes a
        full rendering gives (the tests check it after every kind of edit)
        without laying the whole timeline out. What it cannot place (a
        country or a procedure that gains its first event or loses its last,
        a timeline that splits) or any doubt (an old part not found exactly
        once) takes the full path.
        """
        previous, split = built.milestones, splits(built.tally.events)
        edit = self._edit(built)
        changed, ids = edit.changed, edit.ids

        olds: dict[str, tuple[_Year, int]] = {}  # each event's year and place in it, as last laid out
        unchanged = [name for name in self.names if name not in changed and name in previous]
        citers = {name: previous[name] for name in (*changed, *edit.gone) if name in previous}
        if ids - {event_id for _, cited in citers.values() for event_id in cited}:  # cited by an unchanged seed?
            citers.update((name, previous[name]) for name in unchanged)
        for name, (_, cited) in citers.items():
            for event_id, page in zip(cited, built.links[name], strict=True):
                if event_id not in ids or event_id in olds:
                    continue
                stem = page.removeprefix("timeline/").removesuffix(".md")
                places = [int(stem)] if stem.lstrip("-").isdigit() else sorted(built.years)  # one page: any year
                for kept in (self._year(built, year) for year in places):
                    if kept is not None and event_id in kept.position:
                        olds[event_id] = (kept, kept.position[event_id])
                        break
                else:
                    return None  # the cache lost it
        old = {event_id: kept.events[position] for event_id, (kept, position) in olds.items()}
        owner = {self.results[name].article_id: name for name in self.names}
        citing = set(changed) | {owner[s] for summary in old.values() for s in summary.sources if s in owner}
        articles = self._articles(sorted(citing))
        events = merge_events(sorted(articles.values(), key=lambda a: a.id), ids)
        self.events = {e.id: e for e in events}
        new = {e.id: e.summary() for e in events}

        in_place: list[str] = []  # same place, same lists: only its parts change
        moved: set[str] = set()  # come, gone, moved or filed otherwise: their years are rewritten
        for event_id in sorted(ids):
            was, now = old.get(event_id), new.get(event_id)
            if was is None or now is None:
                moved.add(event_id)  # it comes or goes
            elif now != was and now._replace(title=was.title, sources=was.sources, key=was.key, edtf=was.edtf) == was:
                in_place.append(event_id)  # the same place (sort key), lists and kind
            elif now != was:
                moved.add(event_id)
        years = {s.year for event_id in moved for s in (old.get(event_id), new.get(event_id)) if s is not None}
        touched = moved | set(in_place)
        before_now = ([old[i] for i in touched if i in old], [new[i] for i in touched if i in new])
        try:
            tally = _tally(built.tally, *before_now, functools.partial(self._following, built))
        except _Lost:
            return None
        tally = tally and replace(tally, articles=len(self.names))
        listing = self._listing(built)
        if listing is None or tally is None:
            return None
        listed = edit.relists(listing[0])
        if splits(tally.events) != split or (not split and (moved or listed or tally != built.tally)):
            return None  # one timeline page for all, or one that splits: laid out again, it is small

        texts: dict[str, Content] = {}
        pages: dict[str, list[tuple[str, str]]] = defaultdict(list)
        data: list[tuple[bytes, bytes]] = []
        if listed:  # the list of articles: its count, and the rows that changed
            entries = [entry for entry in listing[0] if entry.id not in edit.dropped] + list(edit.added.values())
            self.listing = tuple(sorted(entries, key=lambda a: a.id))
            self.renderer.keep_rows(*listing)  # rendered once each, kept by the last run
            rows = _window(list(listing[1]), self.renderer.article_rows(self.listing))
            if rows is None:
                return None  # no row to anchor the new ones
            if len(self.listing) != len(listing[0]):
                counts = (self.renderer.articles_head(len(listing[0])), self.renderer.articles_head(len(self.listing)))
                pages["articles/index.md"].append(counts)
            pages["articles/index.md"].append(
                (self.renderer.article_items(rows[0]), self.renderer.article_items(rows[1]))
            )
        rewritten = {i for i in (*moved, *in_place) if (old[i].year if i in old else new[i].year) in years}
        after = {i: new[i] for i in rewritten if i in new}
        if years and not self._rewrite(built, years, rewritten, after, texts, pages, data):
            return None
        self._patches = {}
        for event_id in in_place:
            was, summary = old[event_id], new[event_id]
            if event_id in rewritten or summary.key == was.key:
                continue
            kept, position = olds[event_id]
            year = was.year
            before = [self._kept_texts(year, kind) for kind in range(3)]
            if any(kept_texts is None for kept_texts in before):
                return None
            was_parts = tuple(kept_texts[position] for kept_texts in before if kept_texts is not None)
            parts = self._parts(summary)
            page = timeline_page(year, split)
            if was_parts[0] != parts[0]:
                pages[page].append((was_parts[0], parts[0]))
            if was_parts[1] != parts[1]:  # the title, say, and not only a quote
                line = (linked_line(was_parts[1], event_id, page), linked_line(parts[1], event_id, page))
                for path in _list_pages(summary):
                    pages[path].append(line)
            if was_parts[2] != parts[2]:
                data.append((linked_data(was_parts[2].encode(), page), linked_data(parts[2].encode(), page)))
            self._patches.setdefault(year, {})[position] = (summary, parts)

        self._heads(built.tally, tally, split, pages)
        keys = {path: "patched " + digest(outputs.get(path, ("",))[0], str(text)) for path, text in texts.items()}
        for path, pairs in pages.items():
            text = _patched_text(docs / path, pairs) if path in outputs else None
            if text is None:
                return None
            texts[path] = text
            keys[path] = "patched " + digest(outputs[path][0], *(replaced for _, replaced in pairs))
        if data:
            path = "data/timeline.json"
            patched = _patched_bytes(docs / path, data) if path in outputs else None
            if patched is None:
                return None
            texts[path] = patched
            keys[path] = "patched " + digest(outputs[path][0], *(replaced.decode() for _, replaced in data))
        if tally != built.tally:  # the pages that count events (the timeline's year index: split, here)
            self.renderer.link({e.id: timeline_page(e.year, split) for e in tally.firsts.values()})
            counting = {
                "index.md": self.renderer.home,
                "timeline/index.md": self.renderer.year_index,
                "countries/index.md": self.renderer.countries_index,
                "procedures/index.md": self.renderer.procedures_index,
            }
            for path, render in counting.items():
                texts[path] = render(tally)
                keys[path] = "patched " + digest(str(texts[path]))

        self.milestones = milestones = edit.milestones
        where = {event_id: timeline_page(summary.year, split) for event_id, summary in new.items()}
        links = {name: tuple(where[i] for i in milestones[name][1]) for name in changed}
        for name in {owner[s] for i in moved if i in new for s in new[i].sources} - changed.keys():
            links[name] = tuple(
                where.get(i, page) for i, page in zip(milestones[name][1], built.links[name], strict=True)
            )
        links.update((name, built.links[name]) for name in self.names if name not in links)
        spliced = frozenset(pages) | ({"data/timeline.json"} if data else set())
        return Patch(texts, keys, links, tally, spliced, frozenset(self._removed))

    def _following(self, built: Built, first: EventSummary, changed: set[str]) -> EventSummary | None:
        """The earliest event of the first's kind, country and procedure after it, but the ``changed`` ones.

        Read a year at a time from the layout the last run kept, from the
        first's year on: the next one is seldom far.
        """
        pair = (first.country, first.procedure)
        for year in sorted(y for y in built.years if y >= first.year):
            kept = self._year(built, year)
            if kept is None:
                raise _Lost
            for event in kept.events:
                of_its_kind = event.kind == "first" and (event.country, event.procedure) == pair
                if of_its_kind and event.id not in changed and event.sort_key > first.sort_key:
                    return event
        return None

    def _parts(self, summary: EventSummary) -> EventParts:
        """An event's parts: rendered by a worker or earlier in this run, or rendered now."""
        return self._known.get((summary.id, summary.key)) or self._render(self.events[summary.id], summary.key)

    def _rewrite(
        self,
        built: Built,
        years: set[int],
        gone: set[str],
        after: dict[str, EventSummary],
        texts: dict[str, Content],
        pages: dict[str, list[tuple[str, str]]],
        data: list[tuple[bytes, bytes]],
    ) -> bool:
        """Take the ``gone`` events out of ``years`` and put ``after`` in; False if the pages cannot say where.

        Each of those years' pages is rendered again from the kept sections
        (its count and filters may change; a year new to the timeline gets a
        page, one left without events loses it), and in the country and
        procedure pages and the data file the year's run of items or lines is
        replaced: the runs of other years stay as the last run wrote them. A
        run that had no item is put next to the nearest run of an earlier
        year (or else a later one) that the edit leaves as it was.
        """
        rows: dict[int, list[tuple[EventSummary, EventParts]]] = {}
        for year in sorted(years):
            if year not in built.years:
                rows[year] = []  # new to the timeline
                continue
            kept = self._year(built, year)
            was = [self._kept_texts(year, kind) for kind in range(3)] if kept is not None else [None]
            if kept is None or any(kept_texts is None for kept_texts in was):
                return False  # a year the cache lost
            blocks, lines, chunk = (kept_texts or [] for kept_texts in was)
            rows[year] = list(zip(kept.events, zip(blocks, lines, chunk, strict=True), strict=True))
        before = {year: list(events) for year, events in rows.items()}
        wanted = {path for year in years for e, _ in rows[year] if e.id in gone for path in _list_pages(e)}
        for year in years:
            rows[year] = [row for row in rows[year] if row[0].id not in gone]
        for summary in after.values():
            bisect.insort(rows[summary.year], (summary, self._parts(summary)), key=lambda row: row[0].sort_key)
            wanted.update(_list_pages(summary))
        self._rewritten = rows
        for year in sorted(years):
            page = timeline_page(year, True)
            if rows[year]:
                self.renderer.use({e.id: parts[0] for e, parts in rows[year]}, {}, {})
                texts[page] = self.renderer.year_page(year, [e for e, _ in rows[year]])
            else:
                self._removed.add(page)  # a year left without events: its page goes
            runs: list[dict[str, list[str]]] = []  # each list page's lines of the year, before and after
            for run in (before[year], rows[year]):
                listed: dict[str, list[str]] = {path: [] for path in wanted}
                for event, parts in run:
                    for path in _list_pages(event):
                        if path in listed:
                            listed[path].append(linked_line(parts[1], event.id, page))
                runs.append(listed)
            for path in sorted(wanted):
                items = _window(runs[0][path], runs[1][path])
                if items is None:  # the year's first items on this page: next to another year's
                    neighbour = self._neighbour(built, years, year, path)
                    if neighbour is None:
                        return False
                    anchor = self.renderer.event_items([neighbour[0]])
                    new_items = self.renderer.event_items(runs[1][path])
                    pages[path].append((anchor, anchor + new_items if neighbour[1] else new_items + anchor))
                elif items[0] or items[1]:
                    pages[path].append((self.renderer.event_items(items[0]), self.renderer.event_items(items[1])))
            was_data, now_data = ([parts[2] for _, parts in run] for run in (before[year], rows[year]))
            if was_data and now_data:
                changed = _window(was_data, now_data)
                if changed is None or bool(changed[0]) != bool(changed[1]):
                    return False
                if changed[0]:
                    data.append((linked_data(data_chunk(changed[0]), page), linked_data(data_chunk(changed[1]), page)))
            elif was_data or now_data:  # a year comes or goes: its lines, next to another year's
                beside = self._neighbour(built, years, year, None)
                if beside is None:
                    return False
                line = linked_data(beside[0].encode(), beside[2])
                year_lines = linked_data(data_chunk(was_data or now_data), page)
                both = line + b",\n" + year_lines if beside[1] else year_lines + b",\n" + line
                data.append((line, both) if now_data else (both, line))
        return True

    def _neighbour(self, built: Built, years: set[int], year: int, path: str | None) -> tuple[str, bool, str] | None:
        """The part next to a year's run that is empty before or after the edit, its side, and its timeline page.

        On a list page (``path``), the list line of the last event an earlier
        year shows there, or else of the first a later year shows; in the data
        file (None), the data line of the last event of the year before, or
        else of the first of the year after: as the last run left them. True
        if it comes before. None if there is none, or it is in a year the
        edit rewrites too.
        """
        kind = 2 if path is None else 1
        earlier = sorted((y for y in built.years if y < year), reverse=True)
        later = sorted(y for y in built.years if y > year)
        for candidates, first in ((earlier, True), (later, False)):
            for other in candidates:
                kept = self._year(built, other)
                texts = self._kept_texts(other, kind) if kept is not None else None
                if kept is None or texts is None:
                    return None
                shown = [i for i, event in enumerate(kept.events) if path is None or path in _list_pages(event)]
                if not shown:
                    continue
                if other in years:
                    return None  # its run changes too: a doubt
                place = shown[-1] if first else shown[0]
                page = timeline_page(other, True)
                text = texts[place]
                if kind == 1:
                    text = linked_line(text, kept.events[place].id, page)
                return text, first, page
        return None

    def _heads(self, was: Tally, now: Tally, split: bool, pages: dict[str, list[tuple[str, str]]]) -> None:
        """Replace the heads (counts and firsts) of the country and procedure pages whose counts or firsts changed."""
        if (was.countries, was.procedures, was.firsts) == (now.countries, now.procedures, now.firsts):
            return
        lists = [(country_page(code), code, was.countries, now.countries) for code in now.country_pages()]
        lists += [(procedure_page(code), code, was.procedures, now.procedures) for code in self.vocabulary.procedures]
        links = [{e.id: timeline_page(e.year, split) for e in tally.firsts.values()} for tally in (was, now)]
        for path, code, before, after in lists:
            if (before.get(code), list_firsts(was, path, code)) == (after.get(code), list_firsts(now, path, code)):
                continue
            heads = [
                self.renderer.list_head(path, code, tally, link) for tally, link in zip((was, now), links, strict=True)
            ]
            if heads[0] != heads[1]:
                pages[path].append((heads[0], heads[1]))

    def _render(self, event: Event, key: str) -> EventParts:
        """The parts of an event that no worker rendered as they are now (one with several sources)."""
        self.rendered += 1
        parts = self.renderer.parts([event])[event.id]
        self._known[event.id, key] = parts
        return parts

    def _save_year(self, year: int, rows: list[tuple[EventSummary, EventParts]]) -> str:
        """Keep a year's events, in order, with their parts (``cache.YEAR_KINDS``); return its stamp."""
        events = [event for event, _ in rows]
        blocks, lines, data = ([parts[kind] for _, parts in rows] for kind in range(3))
        return self.cache.save_year(
            year, {"events": events, "blocks": blocks, "lines": lines, "data": data_chunk(data)}
        )

    def save_patch(self, built: Built) -> tuple[dict[int, str], str]:
        """Keep the years and the list of articles that ``patch`` changed; return their stamps."""
        stamps = dict(built.years)
        for year, changes in sorted(self._patches.items()):
            kept = self._years[year]
            rows = list(zip(kept.events, zip(*(kept.texts[kind] or () for kind in range(3)), strict=True), strict=True))
            for position, row in changes.items():
                rows[position] = row
            stamps[year] = self._save_year(year, rows)
        for year, rows in sorted(self._rewritten.items()):
            if rows:
                stamps[year] = self._save_year(year, rows)
            else:  # a year left without events
                del stamps[year]
        self.cache.forget_years_except(set(stamps))
        if self.listing is None:
            return stamps, built.listing
        return stamps, self.cache.save_listing(self.listing, self.renderer.article_rows(self.listing))

    def _kept(self, year: int, kind: str) -> Any:
        """A kind of what the last run kept of a year (``cache.YEAR_KINDS``), or None."""
        kept = self._years.get(year)
        if kept is None:
            return None
        if kind not in kept.kinds:
            found = self.cache.year(year, kind, kept.stamp)
            wanted = bytes if kind == "data" else list
            kept.kinds[kind] = found if isinstance(found, wanted) else None
        return kept.kinds[kind]

    def _find(self, events: dict[str, EventSummary], kind: int) -> tuple[dict[str, str], list[EventSummary]]:
        """One part (an index into ``EventParts``) of each event, and the events that lack it.

        A part is found if this run rendered it or the last run kept it for the same key.
        """
        found: dict[str, str] = {}
        missing: list[EventSummary] = []
        known, years = self._known, self._years
        # Whole years first: one whose events are all as the last run kept them has their parts in order.
        for year in {e.year for e in events.values()} - self.touched:
            kept = years.get(year)
            texts = None if kept is None else self._kept_texts(year, kind)
            if kept is not None and texts is not None:
                found.update(zip(kept.position, texts, strict=True))
        for event_id, event in events.items():
            if event_id in found:
                continue
            parts = known.get((event_id, event.key))
            if parts is not None:
                found[event_id] = parts[kind]
                continue
            year = event.year
            kept = years.get(year)
            position = None if kept is None else kept.position.get(event_id)
            if kept is None or position is None or kept.events[position].key != event.key:
                missing.append(event)
                continue
            texts = self._kept_texts(year, kind)
            if texts is None:
                missing.append(event)
            else:
                found[event_id] = texts[position]
        return found, missing

    def _kept_texts(self, year: int, kind: int) -> list[str] | None:
        """One part of every event of a year as the last run kept it, in its order."""
        kept = self._years[year]
        if kind not in kept.texts:
            found = self._kept(year, YEAR_KINDS[kind + 1])
            texts = data_lines(found) if kind == 2 and found is not None else found
            kept.texts[kind] = texts if texts is not None and len(texts) == len(kept.events) else None
        return kept.texts[kind]

    def provide(self, layout: Layout, todo: list[Page]) -> None:
        """Give the renderer the parts of the events the pages to write print, and those of the years touched."""
        wanted: list[dict[str, EventSummary]] = [{}, {}, {}]
        for page in todo:
            wanted[page.lists[0]].update((e.id, e) for e in page.lists[1])
        data, wanted[2] = bool(wanted[2]), {}
        chunks: dict[int, bytes] = {}
        for year, events in layout.years():
            if year in self.touched:  # kept anew: every part of every event is needed
                for chosen in wanted:
                    chosen.update((e.id, e) for e in events)
            elif data:
                kept = self._kept(year, "data")
                if isinstance(kept, bytes):
                    chunks[year] = kept
                else:
                    wanted[2].update((e.id, e) for e in events)
        found: list[dict[str, str]] = []
        missing: dict[str, EventSummary] = {}
        for kind, chosen in enumerate(wanted):
            parts, lacking = self._find(chosen, kind)
            found.append(parts)
            missing.update((e.id, e) for e in lacking)
        lost = {i for i in missing if i not in self.events}
        if lost:  # parts the cache lost: merge those events again
            owner = {self.results[name].article_id: name for name in self.names}
            citing = {owner[a] for i in lost for a in missing[i].sources}
            articles = self._articles(sorted(citing))
            self.events.update({e.id: e for e in merge_events(sorted(articles.values(), key=lambda a: a.id), lost)})
        rendered = self.renderer.parts(self.events[i] for i in missing)
        self.rendered += len(rendered)
        self._known.update(((e.id, e.key), rendered[e.id]) for e in missing.values())
        for kind, chosen in enumerate(wanted):
            found[kind].update((i, rendered[i][kind]) for i in chosen.keys() & rendered.keys())
        for year, events in layout.years():
            if data and year not in chunks:
                chunks[year] = data_chunk(found[2][e.id] for e in events)
        self.renderer.use(found[0], found[1], chunks)
        self._found = found

    def save(self, layout: Layout, built: Built | None) -> tuple[dict[int, str], str]:
        """Keep the years whose events changed, and the list of articles if it changed; return their stamps."""
        years = dict(layout.years())
        stamps = {} if built is None else {y: s for y, s in built.years.items() if y in years}
        blocks, lines, data = self._found
        for year in sorted(self.touched & years.keys() | years.keys() - stamps.keys()):
            stamps[year] = self._save_year(year, [(e, (blocks[e.id], lines[e.id], data[e.id])) for e in years[year]])
        self.cache.forget_years_except(set(years))
        if self.listed or built is None:
            return stamps, self.cache.save_listing(layout.articles, self.renderer.article_rows(layout.articles))
        return stamps, built.listing


class _Lost(Exception):
    """The cache lost what a patch needs: the timeline is laid out again."""


def _tally(
    was: Tally,
    before: list[EventSummary],
    after: list[EventSummary],
    following: Callable[[EventSummary, set[str]], EventSummary | None],
) -> Tally | None:
    """The totals once ``before`` (events as the last run counted them) are replaced by ``after``.

    None when that gives a page to a country or procedure that had no event,
    or takes its last one (the page comes, goes or reads otherwise; a year's
    page is ``_rewrite``'s).
    A first of its kind that moves later, goes or is filed otherwise leaves
    its place to the next one: ``following(first, changed)`` finds the
    earliest of the others, in the timeline the last run laid out.
    """
    countries, procedures = Counter(was.countries), Counter(was.procedures)
    sizes = {year: list(size) for year, size in was.sizes.items()}
    disagreeing = was.disagreeing
    for sign, summaries in ((-1, before), (1, after)):
        for summary in summaries:
            countries.update(dict.fromkeys(summary.countries, sign))
            procedures.update(dict.fromkeys(summary.procedures, sign))
            size = sizes.setdefault(summary.year, [0, 0])
            size[0] += sign
            size[1] += sign * (summary.kind == "first")
            disagreeing += sign * summary.disagreement
    if {c for c, n in countries.items() if n} != was.countries.keys():
        return None
    if {p for p, n in procedures.items() if n} != was.procedures.keys():
        return None
    firsts = dict(was.firsts)
    now = {summary.id: summary for summary in after}
    changed = now.keys() | {summary.id for summary in before}
    for pair, first in was.firsts.items():
        if first.id in changed:
            same = now.get(first.id)
            still = same is not None and same.kind == "first" and (same.country, same.procedure) == pair
            if same is not None and still and same.sort_key <= first.sort_key:  # still before every other
                firsts[pair] = same
                continue
            del firsts[pair]  # the changed ones are weighed below, with the others' earliest
            next_one = following(first, changed)
            if next_one is not None:
                firsts[pair] = next_one
    for summary in after:
        pair = (summary.country, summary.procedure)
        if summary.kind == "first" and (pair not in firsts or summary.sort_key < firsts[pair].sort_key):
            firsts[pair] = summary
    return Tally(
        was.articles,
        was.events - len(before) + len(after),
        disagreeing,
        {code: n for code, n in countries.items() if n},
        {code: n for code, n in procedures.items() if n},
        firsts,
        {year: (n, first) for year, (n, first) in sizes.items() if n},
        was.region,
    )


def _window(before: list[str], after: list[str]) -> tuple[list[str], list[str]] | None:
    """The part of a run of lines that changed, before and after, or None when there was no line to anchor it.

    Lines at both ends that stayed are left out; a window that would be
    empty on either side takes a neighbour in (the next line, or else the
    previous one), so that replacing the window's text puts the new lines
    in the old ones' place whatever separates them. ``([], [])``: no change.
    """
    if before == after:
        return [], []
    if not before:
        return None
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0  # lines kept at the end
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    if start == len(before) - end or start == len(after) - end:  # nothing left on one side
        if end:
            end -= 1
        elif start:
            start -= 1
    return before[start : len(before) - end], after[start : len(after) - end]


def _list_pages(event: EventSummary) -> list[str]:
    """The country and procedure pages that list an event."""
    return [country_page(c) for c in event.countries] + [procedure_page(p) for p in event.procedures]


_Text = TypeVar("_Text", str, bytes)


def _spans(text: _Text, pairs: list[tuple[_Text, _Text]]) -> list[tuple[int, int, _Text]] | None:
    """Where each pair's old text is in ``text``, in order, or None if one is not there exactly once."""
    spans = []
    for old, new in pairs:
        start = text.find(old)
        if start < 0 or text.find(old, start + 1) >= 0:
            return None
        spans.append((start, start + len(old), new))
    spans.sort(key=lambda span: span[0])
    if any(before[1] > after[0] for before, after in itertools.pairwise(spans)):
        return None  # overlapping parts: never two events' parts, so a doubt
    return spans


def _patched_text(path: Path, pairs: list[tuple[str, str]]) -> str | None:
    """The page with each pair's old text replaced by its new one, or None if one is not there exactly once."""
    try:
        text = path.read_bytes().decode()
    except (OSError, UnicodeDecodeError):
        return None
    spans = _spans(text, pairs)
    return None if spans is None else "".join(_spliced(text, spans))


def _patched_bytes(path: Path, pairs: list[tuple[bytes, bytes]]) -> Spliced | None:
    """As ``_patched_text``, for the data file: its pieces sliced without copying, and never joined."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    spans = _spans(data, pairs)
    return None if spans is None else Spliced(tuple(_spliced(memoryview(data), spans)))


_Whole = TypeVar("_Whole", str, memoryview)


def _spliced(whole: _Whole, spans: list[tuple[int, int, Any]]) -> list[Any]:
    """``whole``'s slices between the spans, with each span's new text in its place."""
    pieces: list[Any] = []
    at = 0
    for start, end, new in spans:
        pieces += (whole[at:start], new)
        at = end
    return [*pieces, whole[at:]]
