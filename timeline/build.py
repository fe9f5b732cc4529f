"""Run the stages over a seeds folder: on every core, and only where something changed.

Each seed goes through load, validate and model on its own, and its article
page is rendered there too (its links to events are filled in once the
timeline is laid out), so that work is spread over a pool of processes. What
a seed yields is kept in a cache beside ``docs/``, keyed by the file's size,
times and inode; every generated page carries a key that digests all it
shows. A later run re-reads only the seeds that changed, merges again only
the events those seeds cite (``_Timeline``: the rest of the timeline's layout
and each event's rendered parts are kept from the last run), and renders
only the pages whose key changed. Most edits do not even lay the timeline
out: the pages they change are patched where they stand (an event's parts
replaced, the runs of the years that events enter or leave, the pages that
count events rendered again from totals kept between runs: ``_Timeline.patch``).
Either way it writes the same bytes a
full run would: the test suite checks that against a fresh build after
every kind of edit.

The cache is only ever a shortcut. It is invalidated as a whole by any change
to the code, templates, vocabulary or raw texts, and a page edited by hand,
deleted or unreadable is rendered again.
"""

from __future__ import annotations

import bisect
import functools
import gc
import hashlib
import itertools
import os
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple, ParamSpec, TypeVar

import jinja2

from timeline.cache import YEAR_KINDS, Built, Cache, Fragments, shard_of
from timeline.load import read_seed
from timeline.model import (
    Article,
    ArticleEntry,
    Event,
    EventSummary,
    Layout,
    Tally,
    article_text,
    build_article,
    merge_events,
    sources_key,
)
from timeline.problems import Problem
from timeline.render import (
    FULL_TEXT_SEARCH_LIMIT,
    TEMPLATES,
    EventParts,
    Page,
    Renderer,
    UnescapedValue,
    country_page,
    data_chunk,
    data_lines,
    event_pages,
    link_events,
    linked_data,
    linked_line,
    list_firsts,
    procedure_page,
    splits,
    timeline_page,
)
from timeline.validate import Validator, article_id_of, duplicate_ids, id_position
from timeline.vocabulary import Vocabulary
from timeline.write import MANIFEST, WriteReport, write_docs

PACKAGE = Path(__file__).resolve().parent
PARALLEL_FROM = 64
"""Below this many files to process, a pool of processes costs more than it saves."""
CACHE_FORMAT = 3
"""Part of every cache key: raise it when what a cached seed result means changes."""

Signature = tuple[int, int, int, int]
"""A file's size, modification and change times (ns) and inode: any edit changes one."""


class SeedResult(NamedTuple):
    """What one seed file yields: its problems, or its article (and, fresh from a worker, its page).

    A named tuple: the cache's index holds one for every seed, and reads named
    tuples back several times faster than dataclasses.
    """

    name: str
    path: str
    """The file as messages name it."""
    signature: Signature
    digest: str
    """Of the file's bytes: an article page's key."""
    problems: tuple[Problem, ...]
    article_id: str | None
    """None when the file could not be read as a seed at all."""
    id_at: tuple[int, int]
    header: str | None
    """A digest of all that pages other than the article's own show of the article; None with problems."""
    article: Article | None
    """None when the seed has problems (and in the cache's index, which keeps articles apart)."""
    page: str | None = None
    """The article page with its event links open (kept in the cache's page shards, not in its index)."""
    fragments: Fragments = ()
    """Each milestone's timeline section, list line and data line (``Renderer.fragments``)."""


@dataclass
class _Job:
    """What a worker needs; set before the pool forks, so workers inherit it instead of receiving it."""

    seeds: Path
    shown_as: str
    validator: Validator
    renderer: Renderer | None
    cache: Cache | None = None
    current: frozenset[str] = frozenset()
    """Every seed of the run, so that shards drop the ones that are gone."""


_job: _Job | None = None


def _stat(path: str) -> os.stat_result:
    return os.stat(path)  # noqa: PTH116 - for ten thousand files, Path objects cost more than the calls


def _signature(path: str) -> Signature:
    status = _stat(path)
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def _compile(name: str) -> SeedResult:
    """Load, validate and model one seed, and render its article page: a worker's unit of work."""
    assert _job is not None
    file = _job.seeds / name
    path = _seed_path(_job.shown_as, name)
    signature = _signature(str(file))
    data = None if file.is_symlink() else file.read_bytes()  # read_seed refuses links; never follow one
    digest = hashlib.sha1(data or b"", usedforsecurity=False).hexdigest()
    seed, problems = read_seed(file, path, data)
    if seed is None:
        return SeedResult(name, path, signature, digest, tuple(problems), None, (1, 1), None, None)
    problems += _job.validator.validate_seed(seed)
    article_id = article_id_of(seed)
    id_at = id_position(seed)
    if problems:
        return SeedResult(name, path, signature, digest, tuple(problems), article_id, id_at, None, None)
    article = build_article(seed)
    page: str | None = None
    fragments: Fragments = ()
    if _job.renderer is not None:
        page = _rendering(_job.renderer.article_page, article, article_text(seed, article))
        fragments = _rendering(_job.renderer.fragments, article)
    return SeedResult(name, path, signature, digest, (), article_id, id_at, header(article), article, page, fragments)


def header(article: Article) -> str:
    """Digest what the timeline, listing and index pages can see of an article.

    They see its milestones (each with the article's id, title, outlet and
    link, in its fingerprint), its publication date and how many events cite
    it. An edit that keeps this digest (the summary, tags, text) changes the
    article's own page and nothing else.
    """
    published = article.source.published.edtf if article.source.published else None
    parts = [article.id, article.title, article.source.outlet, published, *(m.fingerprint for m in article.milestones)]
    return hashlib.sha1("\0".join(str(p) for p in parts).encode(), usedforsecurity=False).hexdigest()


def _compile_shard(task: tuple[int, list[str]]) -> list[SeedResult]:
    """Compile the seeds of one cache shard, and write the shard: a worker's unit of work with a cache."""
    assert _job is not None and _job.cache is not None
    number, names = task
    results = [_compile(name) for name in names]
    current = set(_job.current)
    articles = {r.name: None if r.article is None else (r.digest, r.article) for r in results}
    _job.cache.store("articles", number, dict(articles), current)
    pages = {
        r.name: None
        if r.article is None or r.page is None
        else (r.digest, r.page, tuple(m.id for m in r.article.milestones))
        for r in results
    }
    _job.cache.store("pages", number, dict(pages), current)
    return results


def _rendering(function: Callable[..., R], *arguments: object) -> R:
    """Call a renderer; a template's mistake becomes a Stop that names the template line (and crosses processes)."""
    try:
        return function(*arguments)
    except (jinja2.TemplateError, UnescapedValue, ValueError) as error:
        raise Stop(message=f"{template_location(error)}: template error: {error}; docs/ is unchanged") from error


def template_location(error: BaseException) -> str:
    """``templates/x.md.j2:LINE`` of the template frame nearest the error, for whoever edits it."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return f"{error.filename}:{error.lineno}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "templates"


T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


def _map(function: Callable[[T], R], items: list[T], jobs: int, chunk: int = 64) -> Iterator[R]:
    """``map`` over a pool of forked processes when ``jobs`` > 1, in order; in this process otherwise."""
    # Forking a process with other threads (the live preview's server) could
    # copy a lock another thread holds: such a process works alone.
    if jobs <= 1 or len(items) <= 1 or threading.active_count() > 1:
        yield from map(function, items)
        return
    # Imported here: an edit's run needs no pool, and the imports cost 20 ms.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    # Not multiprocessing.Pool: it waits for ever for a worker that died (killed, out of memory),
    # where this executor says so.
    pool = ProcessPoolExecutor(min(jobs, len(items)), mp_context=multiprocessing.get_context("fork"))
    try:
        yield from pool.map(function, items, chunksize=max(1, min(chunk, len(items) // (jobs * 8))))
    except BrokenProcessPool as error:
        raise Stop(message=f"a worker process stopped unexpectedly ({error}); docs/ is unchanged, run again") from error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _Clock:
    """Time the phases of a run when TIMELINE_TIMINGS=1, for benchmarks and the curious."""

    def __init__(self) -> None:
        self.enabled = os.environ.get("TIMELINE_TIMINGS") == "1"
        self.last = time.perf_counter()

    def __call__(self, phase: str) -> None:
        if self.enabled:
            now = time.perf_counter()
            print(f"timings: {now - self.last:6.2f} s  {phase}", file=sys.stderr)
            self.last = now


class Stop(Exception):
    """The run cannot go on; ``problems`` or ``message`` say why."""

    def __init__(self, problems: list[Problem] | None = None, message: str = "") -> None:
        super().__init__(message or f"{len(problems or [])} problems")
        self.problems = problems or []
        self.message = message

    def __reduce__(self) -> tuple[type[Stop], tuple[list[Problem], str]]:
        return (Stop, (self.problems, self.message))


def _environment(seeds: Path, templates: Path, large: bool) -> str:
    """A digest of everything every seed result and page depends on besides the seeds themselves.

    Not how the seeds folder is spelt (``seeds``, ``./seeds``, an absolute
    path from the live preview): messages name seeds as given, and
    ``_as_given`` renames what the cache kept.
    """
    digest = hashlib.sha256(repr((CACHE_FORMAT, sys.version, jinja2.__version__, large)).encode())
    files = [*sorted(PACKAGE.rglob("*.py")), *sorted((PACKAGE / "data").glob("*"))]
    files += sorted(p for p in templates.rglob("*") if p.is_file())
    for path in files:
        digest.update(f"\0{path.relative_to(path.parent.parent)}\0".encode() + path.read_bytes())
    raw = seeds / "raw"
    listing = sorted(str(p.relative_to(seeds)) for p in raw.rglob("*")) if raw.is_dir() else []
    digest.update("\0".join(listing).encode())
    return digest.hexdigest()


def compile_seeds(
    seeds: Path,
    vocabulary: Vocabulary,
    names: list[str],
    renderer: Renderer | None = None,
    jobs: int = 1,
    cache: Cache | None = None,
    current: Iterable[str] = (),
) -> list[SeedResult]:
    """The result of each seed in ``names``, in order; on ``jobs`` processes when there are many.

    With a cache, the work goes by shard, and each shard is written by the
    process that read its seeds.
    """
    global _job
    _job = _Job(seeds, str(seeds), Validator(vocabulary), renderer, cache, frozenset(current))
    jobs = jobs if len(names) >= PARALLEL_FROM else 1
    if renderer is not None and jobs > 1:
        renderer.prepare()  # so that every worker does not compile the same templates again
    try:
        if cache is None:
            return list(_map(_compile, names, jobs))
        shards: dict[int, list[str]] = {}
        for name in names:
            shards.setdefault(shard_of(name), []).append(name)
        done = {r.name: r for batch in _map(_compile_shard, sorted(shards.items()), jobs, 1) for r in batch}
        return [done[name] for name in names]
    finally:
        _job = None


def _seed_path(shown_as: str, name: str) -> str:
    """A seed as messages name it: in the seeds folder as the user spelt it."""
    return f"{shown_as.rstrip('/')}/{name}"


def _as_given(result: SeedResult, shown_as: str) -> SeedResult:
    """A kept result whose messages name its seed as this run's seeds folder is spelt."""
    path = _seed_path(shown_as, result.name)
    if result.path == path:
        return result
    problems = tuple(replace(p, path=path) if p.path == result.path else p for p in result.problems)
    return result._replace(path=path, problems=problems)


def seed_names(seeds: Path) -> list[str]:
    """The seed files: every ``*.md`` directly in the folder, in name order."""
    with os.scandir(seeds) as entries:
        return sorted(entry.name for entry in entries if entry.name.endswith(".md"))


def scan_seeds(seeds: Path) -> dict[str, Signature]:
    """The seed files (as ``seed_names``) with their status: one look at each, for the whole run."""
    found = {}
    with os.scandir(seeds) as entries:
        for entry in entries:
            if entry.name.endswith(".md"):
                try:
                    status = entry.stat()
                except OSError:  # a dangling link: reading it reports it
                    status = entry.stat(follow_symlinks=False)
                found[entry.name] = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    return dict(sorted(found.items()))


def _changed(
    seeds: Path, names: list[str], known: dict[str, SeedResult], scanned: dict[str, Signature] | None = None
) -> list[str]:
    """The seeds to read again: new, or with other bytes than when last read.

    A file whose status changed but whose bytes did not (a checkout, a
    ``touch``, a cache restored on CI) keeps its result, with the new status.
    """
    changed = []
    for name in names:
        result = known.get(name)
        path = f"{seeds}/{name}"
        signature = scanned[name] if scanned is not None else _signature(path)
        if result is None:
            changed.append(name)
        elif result.signature != signature:
            if Path(path).is_symlink():  # read again, and refused, but never followed
                changed.append(name)
                continue
            with open(path, "rb") as stream:  # noqa: PTH123 - one of thousands; see _stat
                same = hashlib.sha1(stream.read(), usedforsecurity=False).hexdigest() == result.digest
            if same:
                known[name] = result._replace(signature=signature)
            else:
                changed.append(name)
    return changed


def check(results: Iterable[SeedResult]) -> list[Problem]:
    """Every problem of every seed, and ids used twice, in reading order."""
    results = list(results)
    problems = [problem for result in results for problem in result.problems]
    problems += duplicate_ids((r.path, r.article_id, r.id_at) for r in results if r.article_id is not None)
    return sorted(problems, key=lambda p: p.sort_key)


def _unchanged(docs: str, path: str, key: str | None, outputs: dict[str, tuple[str, int, int]]) -> bool:
    """Whether the page is as the last run wrote it for this key (``docs``: the folder, as text, for speed)."""
    known = outputs.get(path)
    if key is None or known is None or known[0] != key:
        return False
    try:
        status = _stat(f"{docs}/{path}")
    except OSError:
        return False
    return (status.st_size, status.st_mtime_ns) == known[1:]


def _digest(*parts: str) -> str:
    return hashlib.sha1("\0".join(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What a run of ``generate`` did."""

    articles: int
    events: int
    report: WriteReport
    layout: Layout | None
    """None when the timeline was as before and was not laid out again."""
    merged: int = 0
    """How many events were merged again from their sources' articles (the others were kept)."""
    rendered: int = 0
    """How many events had their parts rendered after the layout (the others' came from the workers or the cache)."""
    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Size and modification time (ns) of every generated file, the manifest included."""
    patched: int = 0
    """How many pages a patch gave (``_Timeline.patch``): changed where they stood, or rendered from kept parts."""


@dataclass(frozen=True)
class _Patch:
    """What a patch gives: the pages an edit changes, their keys, and the timeline's links and totals."""

    texts: dict[str, str | bytes]
    keys: dict[str, str]
    links: dict[str, tuple[str, ...]]
    """The timeline page of each seed's milestones' events: other than the last run's for events that changed year."""
    tally: Tally
    patched: frozenset[str]
    """The pages changed where they stood: they differ from what the last run wrote."""


def _giving_back_frozen(function: Callable[P, R]) -> Callable[P, R]:
    """Give back to garbage collection what the cache's reads froze (``Cache._read``) once a run is over.

    The live preview runs in MkDocs' process, save after save.
    """

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        finally:
            gc.unfreeze()

    return run


@_giving_back_frozen
def generate(
    seeds: Path,
    docs: Path,
    vocabulary: Vocabulary,
    templates: Path = TEMPLATES,
    jobs: int | None = None,
    scanned: dict[str, Signature] | None = None,
) -> Outcome:
    """Seeds in, pages written; raise Stop with every problem and write nothing on failure.

    ``scanned`` is what ``scan_seeds`` found, if the caller looked already.
    """
    lap = _Clock()
    jobs = jobs or os.cpu_count() or 1
    names = list(scanned) if scanned is not None else seed_names(seeds)
    large = len(names) > FULL_TEXT_SEARCH_LIMIT
    environment = _environment(seeds, templates, large)
    cache = Cache(docs, environment)
    index = cache.index
    lap("cache read")
    shown_as, new = str(seeds), tuple.__new__
    for name, result in index.seeds.items():  # plain tuples in the cache, for speed
        index.seeds[name] = _as_given(new(SeedResult, result), shown_as)
    changed = _changed(seeds, names, index.seeds, scanned)
    renderer = Renderer(vocabulary, templates, large, cache.root / "templates")
    fresh = {r.name: r for r in compile_seeds(seeds, vocabulary, changed, renderer, jobs, cache, names)}
    cache.forget_except(set(names))
    for result in fresh.values():
        index.seeds[result.name] = result._replace(article=None, page=None, fragments=())
    results = [index.seeds[name] for name in names]
    lap(f"{len(changed)} seeds read, checked and their pages rendered")
    problems = check(results)
    if problems:
        cache.save()
        raise Stop(problems)

    outputs = index.outputs
    keys: dict[str, str] = {}
    texts: dict[str, str | bytes] = {}
    todo: list[Page] = []
    layout: Layout | None = None
    timeline: _Timeline | None = None  # only when the timeline must be laid out again, or patched
    patch: _Patch | None = None
    patched = 0
    built = index.built
    headers = {r.name: r.header or "" for r in results}
    # The pages other than articles', as the last run wrote them (none edited or deleted by hand).
    listed = {path: key for path, (key, _, _) in outputs.items() if built is not None and path not in built.pages}
    folder = str(docs)
    intact = built is not None and all(_unchanged(folder, path, key, outputs) for path, key in listed.items())
    if built is not None and intact and built.headers == headers:
        # No seed changed what the timeline and the listings show: only article pages can differ.
        links, counts, milestones, tally = built.links, built.counts, built.milestones, built.tally
        keys.update(listed)
        lap("the timeline is as it was")
    else:
        timeline = _Timeline(seeds, vocabulary, names, fresh, cache, renderer, jobs)
        patch = timeline.patch(built, docs, outputs) if built is not None and intact else None
        if patch is not None:
            # The pages that show the edit's events had their parts, their years' runs or their counts replaced.
            assert built is not None
            links, milestones, tally = patch.links, timeline.milestones, patch.tally
            counts = (tally.articles, tally.events)
            keys.update(listed | patch.keys)
            texts.update(patch.texts)
            patched = len(patch.texts)
            lap(f"{patched} pages patched ({len(timeline.events)} events again)")
        else:
            layout = timeline.lay_out(built)
            milestones = timeline.milestones
            pages = event_pages(layout)
            links = {name: tuple(pages[m] for m in milestones[name][1]) for name in names}
            counts = (len(layout.articles), len(layout.events))
            tally = layout.tally()
            lap(f"timeline laid out ({len(timeline.events)} events again)")
            for page in renderer.pages(layout):
                keys[page.path] = "" if page.key is None else _digest(environment, page.key)
                if page.key is None or not _unchanged(folder, page.path, keys[page.path], outputs):
                    todo.append(page)
            timeline.provide(layout, todo)
            lap("event parts ready")

    stale: list[str] = []
    article_pages: set[str] = set()
    for result in results:
        path = f"articles/{result.article_id}.md"
        article_pages.add(path)
        key = keys[path] = _digest(environment, result.digest, *links[result.name])
        if _unchanged(folder, path, key, outputs):
            continue
        if result.name in fresh:
            texts[path] = _linked(fresh[result.name], links)
            fresh[result.name] = fresh[result.name]._replace(page=None)  # one copy of each page is enough
        elif (cached := cache.page(result.name, result.digest)) is not None:
            text, ids = cached
            texts[path] = link_events(text, dict(zip(ids, links[result.name], strict=True)))
        else:
            stale.append(result.name)
    # Unchanged seeds whose pages must change (their events moved, or the page was edited by hand)
    # and are not in the cache either.
    for result in compile_seeds(seeds, vocabulary, stale, renderer, jobs, cache, names):
        texts[f"articles/{result.article_id}.md"] = _linked(result, links)
    lap(f"{len(texts)} article pages rendered")
    texts.update(_render_all(todo))
    lap(f"{len(todo)} other pages rendered")

    report = write_docs(docs, texts, keep=set(keys) - set(texts), changed=patch.patched if patch else ())
    lap("written")
    index.outputs = {}
    for path, key in keys.items():
        known = outputs.get(path)
        if path not in texts and known is not None:  # kept: _unchanged found it as recorded
            index.outputs[path] = (key, known[1], known[2])
        else:
            status = _stat(f"{docs}/{path}")
            index.outputs[path] = (key, status.st_size, status.st_mtime_ns)
    manifest = _stat(f"{docs}/{MANIFEST}")
    files = {path: (size, mtime) for path, (_, size, mtime) in index.outputs.items()}
    files[MANIFEST] = (manifest.st_size, manifest.st_mtime_ns)
    merged = rendered = 0
    if timeline is not None and layout is not None:
        years, listing = timeline.save(layout, built)
        merged, rendered = len(timeline.events), timeline.rendered
    else:
        assert built is not None, "the timeline is as the last run left it, or patched"
        years, listing = built.years, built.listing
        if timeline is not None:
            years, listing = timeline.save_patch(built)
            merged, rendered = len(timeline.events), timeline.rendered
    index.built = Built(headers, links, counts, frozenset(article_pages), milestones, years, listing, tally)
    cache.save()  # last: the index names the files of the layout it goes with
    lap("cache written")
    return Outcome(*counts, report, layout, merged, rendered, files, patched)


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


class _Timeline:
    """Lays the timeline out, from the last run's layout where the cache has it, and gathers event parts.

    With the last layout, only the events that changed seeds cite (before or
    after their edit) are merged again from their sources' articles; the
    others keep their summaries, and the parts rendered for them, keyed by
    what they show. Without it, every article is read (from the cache where it
    can be) and every event merged: the same layout, which the tests check.
    """

    def __init__(
        self,
        seeds: Path,
        vocabulary: Vocabulary,
        names: list[str],
        fresh: dict[str, SeedResult],
        cache: Cache,
        renderer: Renderer,
        jobs: int,
    ) -> None:
        self.seeds, self.vocabulary, self.names, self.fresh = seeds, vocabulary, names, fresh
        self.cache, self.renderer, self.jobs = cache, renderer, jobs
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
        self.listing: tuple[ArticleEntry, ...] | None = None
        """The list of articles as ``patch`` changed it, if it did."""
        self._kept_listing: tuple[tuple[tuple[ArticleEntry, ...], tuple[str, ...]] | None] | None = None
        """``_listing``, once read (in a tuple: what was read may be None)."""

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
        for result in compile_seeds(
            self.seeds, self.vocabulary, missing, self.renderer, self.jobs, self.cache, self.names
        ):  # a lost shard
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
        current = set(self.names)
        affected = [name for name in self.names if built.headers.get(name) != self.results[name].header]
        gone = [name for name in built.headers if name not in current]
        previous = built.milestones
        changed = self._articles(affected)
        ids = {event_id for name in (*affected, *gone) if name in previous for event_id in previous[name][1]}
        ids.update(m.id for article in changed.values() for m in article.milestones)
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

        self.milestones = {name: previous[name] for name in self.names if name not in changed}
        self.milestones.update({name: (a.id, tuple(m.id for m in a.milestones)) for name, a in changed.items()})
        dropped = {previous[name][0] for name in (*affected, *gone) if name in previous}
        added = {a.id: a.entry() for a in changed.values()}
        if added.keys() != dropped or any(added[entry.id] != entry for entry in listing if entry.id in dropped):
            entries = [a for a in listing if a.id not in dropped] + list(added.values())
            listing = tuple(sorted(entries, key=lambda a: a.id))
            self.listed = True
        return Layout(listing, tuple(ordered), self.vocabulary)

    def patch(self, built: Built, docs: Path, outputs: dict[str, tuple[str, int, int]]) -> _Patch | None:
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
        without laying the whole timeline out. What it cannot place (a year,
        a country or a procedure that gains its first event or loses its
        last, a first of its kind that may stop being the first, a timeline
        that splits) or any doubt (an old part not found exactly once) takes
        the full path.
        """
        previous, split = built.milestones, splits(built.counts[1])
        current = set(self.names)
        gone = [name for name in built.headers if name not in current]
        affected = [name for name in self.names if built.headers.get(name) != self.results[name].header]
        changed = self._articles(affected)
        ids = {event_id for name in (*affected, *gone) if name in previous for event_id in previous[name][1]}
        ids.update(m.id for article in changed.values() for m in article.milestones)

        olds: dict[str, tuple[_Year, int]] = {}  # each event's year and place in it, as last laid out
        unchanged = [name for name in self.names if name not in changed and name in previous]
        citers = {name: previous[name] for name in (*affected, *gone) if name in previous}
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
        tally = _tally(built.tally, [old[i] for i in touched if i in old], [new[i] for i in touched if i in new])
        tally = tally and replace(tally, articles=len(self.names))
        listing = self._listing(built)
        if listing is None or tally is None:
            return None
        entries = {entry.id: entry for entry in listing[0]}
        dropped = {previous[name][0] for name in (*affected, *gone) if name in previous}
        added = {a.id: a.entry() for a in changed.values()}
        listed = dropped != added.keys() or any(entries.get(i) != entry for i, entry in added.items())
        if splits(tally.events) != split or (not split and (moved or listed or tally != built.tally)):
            return None  # one timeline page for all, or one that splits: laid out again, it is small

        texts: dict[str, str | bytes] = {}
        pages: dict[str, list[tuple[str, str]]] = defaultdict(list)
        data: list[tuple[bytes, bytes]] = []
        if listed:  # the list of articles: its count, and the rows that changed
            for article_id in dropped:
                del entries[article_id]
            entries.update(added)
            self.listing = tuple(sorted(entries.values(), key=lambda a: a.id))
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
        keys: dict[str, str] = {path: "patched " + _digest(outputs[path][0], str(text)) for path, text in texts.items()}
        for path, pairs in pages.items():
            text = _patched(docs / path, pairs, lambda raw: raw.decode()) if path in outputs else None
            if text is None:
                return None
            texts[path] = text
            keys[path] = "patched " + _digest(outputs[path][0], *(replaced for _, replaced in pairs))
        if data:
            path = "data/timeline.json"
            patched = _patched(docs / path, data, lambda raw: raw) if path in outputs else None
            if patched is None:
                return None
            texts[path] = patched
            keys[path] = "patched " + _digest(outputs[path][0], *(replaced.decode() for _, replaced in data))
        self.renderer.link({e.id: timeline_page(e.year, split) for e in tally.firsts.values()})
        counting = {
            "index.md": (self.renderer.home, tally != built.tally),
            "timeline/index.md": (self.renderer.year_index, tally != built.tally),
            "countries/index.md": (self.renderer.countries_index, tally != built.tally),
            "procedures/index.md": (self.renderer.procedures_index, tally != built.tally),
        }
        for path, (render, again) in counting.items():
            if again:
                texts[path] = render(tally)
        for path in counting:
            if path in texts:
                keys[path] = "patched " + _digest(str(texts[path]))

        milestones = {name: previous[name] for name in self.names if name not in changed}
        milestones.update({name: (a.id, tuple(m.id for m in a.milestones)) for name, a in changed.items()})
        self.milestones = milestones
        where = {event_id: timeline_page(summary.year, split) for event_id, summary in new.items()}
        links = {name: tuple(where[i] for i in milestones[name][1]) for name in changed}
        for name in {owner[s] for i in moved if i in new for s in new[i].sources} - changed.keys():
            links[name] = tuple(
                where.get(i, page) for i, page in zip(milestones[name][1], built.links[name], strict=True)
            )
        links.update((name, built.links[name]) for name in self.names if name not in links)
        return _Patch(texts, keys, links, tally, frozenset(pages) | ({"data/timeline.json"} if data else set()))

    def _parts(self, summary: EventSummary) -> EventParts:
        """An event's parts: rendered by a worker or earlier in this run, or rendered now."""
        return self._known.get((summary.id, summary.key)) or self._render(self.events[summary.id], summary.key)

    def _rewrite(
        self,
        built: Built,
        years: set[int],
        gone: set[str],
        after: dict[str, EventSummary],
        texts: dict[str, str | bytes],
        pages: dict[str, list[tuple[str, str]]],
        data: list[tuple[bytes, bytes]],
    ) -> bool:
        """Take the ``gone`` events out of ``years`` and put ``after`` in; False if the pages cannot say where.

        Each of those years' pages is rendered again from the kept sections
        (its count and filters may change), and in the country and procedure
        pages and the data file the year's run of items or lines is replaced:
        the runs of other years stay as the last run wrote them.
        """
        rows: dict[int, list[tuple[EventSummary, EventParts]]] = {}
        for year in sorted(years):
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
        if not all(rows.values()):
            return False  # a year left without events: its page goes (the tally says so first)
        self._rewritten = rows
        for year in sorted(years):
            page = timeline_page(year, True)
            self.renderer.use({e.id: parts[0] for e, parts in rows[year]}, {}, {})
            texts[page] = self.renderer.year_page(year, [e for e, _ in rows[year]])
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
                if items is None:
                    return False  # nowhere to put the new items: the page is rendered again
                if items[0] or items[1]:
                    pages[path].append((self.renderer.event_items(items[0]), self.renderer.event_items(items[1])))
            changed = _window([parts[2] for _, parts in before[year]], [parts[2] for _, parts in rows[year]])
            if changed is None or bool(changed[0]) != bool(changed[1]):
                return False  # a year the data file has no line of (the tally says so first)
            if changed[0]:
                data.append((linked_data(data_chunk(changed[0]), page), linked_data(data_chunk(changed[1]), page)))
        return True

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

    def save_patch(self, built: Built) -> tuple[dict[int, str], str]:
        """Keep the years and the list of articles that ``patch`` changed; return their stamps."""
        stamps = dict(built.years)
        for year, changes in sorted(self._patches.items()):
            kept = self._years[year]
            events = list(kept.events)
            parts = [list(kept.texts[kind] or ()) for kind in range(3)]
            for position, (summary, new) in changes.items():
                events[position] = summary
                for kind in range(3):
                    parts[kind][position] = new[kind]
            kinds = {"events": events, "blocks": parts[0], "lines": parts[1], "data": data_chunk(parts[2])}
            stamps[year] = self.cache.save_year(year, kinds)
        for year, rows in sorted(self._rewritten.items()):
            events = [event for event, _ in rows]
            blocks, lines, data = ([parts[kind] for _, parts in rows] for kind in range(3))
            kinds = {"events": events, "blocks": blocks, "lines": lines, "data": data_chunk(data)}
            stamps[year] = self.cache.save_year(year, kinds)
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
        for year in sorted(self.touched & years.keys() | years.keys() - stamps.keys()):
            events = years[year]
            blocks, lines, data = self._found
            kinds = {
                "events": events,
                "blocks": [blocks[e.id] for e in events],
                "lines": [lines[e.id] for e in events],
                "data": data_chunk(data[e.id] for e in events),
            }
            stamps[year] = self.cache.save_year(year, kinds)
        self.cache.forget_years_except(set(years))
        if self.listed or built is None:
            return stamps, self.cache.save_listing(layout.articles, self.renderer.article_rows(layout.articles))
        return stamps, built.listing


def _tally(was: Tally, before: list[EventSummary], after: list[EventSummary]) -> Tally | None:
    """The totals once ``before`` (events as the last run counted them) are replaced by ``after``.

    None when that gives a page to a year, country or procedure that had no
    event, or takes its last one (the page comes, goes or reads otherwise),
    or when a first of its kind may stop being the first: what the counts
    kept do not say.
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
    if {year for year, (n, _) in sizes.items() if n} != was.sizes.keys():
        return None
    firsts = dict(was.firsts)
    now = {summary.id: summary for summary in after}
    changed = now.keys() | {summary.id for summary in before}
    for pair, first in was.firsts.items():
        if first.id in changed:
            same = now.get(first.id)
            if same is None or same.kind != "first" or (same.country, same.procedure) != pair:
                return None  # the next first of its kind may be anywhere in the timeline
            if same.sort_key > first.sort_key:
                return None
            firsts[pair] = same
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


def _patched(path: Path, pairs: list[tuple[_Text, _Text]], decode: Callable[[bytes], _Text]) -> _Text | None:
    """The file with each pair's old text replaced by its new one, or None if one is not there exactly once."""
    try:
        text = decode(path.read_bytes())
    except (OSError, UnicodeDecodeError):
        return None
    spans = []
    for old, new in pairs:
        start = text.find(old)
        if start < 0 or text.find(old, start + 1) >= 0:
            return None
        spans.append((start, start + len(old), new))
    spans.sort(key=lambda span: span[0])
    if any(before[1] > after[0] for before, after in itertools.pairwise(spans)):
        return None  # overlapping parts: never two events' parts, so a doubt
    # Sliced without copying (a memoryview for bytes: the data file is tens of megabytes), joined in one copy.
    whole: Any = memoryview(text) if isinstance(text, bytes) else text
    pieces: list[Any] = []
    at = 0
    for start, end, new in spans:
        pieces += (whole[at:start], new)
        at = end
    pieces.append(whole[at:])
    return text[:0].join(pieces)


def _linked(result: SeedResult, links: dict[str, tuple[str, ...]]) -> str:
    assert result.article is not None and result.page is not None, "a valid seed read in this run"
    pages = dict(zip((m.id for m in result.article.milestones), links[result.name], strict=True))
    return link_events(result.page, pages)


def _render_all(todo: list[Page]) -> dict[str, str | bytes]:
    """Render the pages that list events: in this process, since they only put together parts rendered before."""
    return {page.path: _rendering(page.render) for page in todo}
