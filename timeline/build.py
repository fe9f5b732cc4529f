"""Run the stages over a seeds folder: on every core, and only where something changed.

Each seed goes through load, validate and model on its own, and its article
page is rendered there too (its links to events are filled in once the
timeline is laid out), so that work is spread over a pool of processes. What
a seed yields is kept in a cache beside ``docs/``, keyed by the file's size,
times and inode; every generated page carries a key that digests all it
shows. A later run re-reads only the seeds that changed and renders only
the pages whose key changed; what the changed seeds do to the timeline is
worked out by ``incremental.Timeline`` from the layout the last run kept:
most edits are patched where the pages stand, the others laid out again
from the kept layout. Either way a run writes the same bytes a full run
would: the test suite checks that against a fresh build after every kind of
edit.

The cache is only ever a shortcut. It is invalidated as a whole by any change
to the code, templates, vocabulary or raw texts, and a page edited by hand,
deleted or unreadable is rendered again.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple, ParamSpec, TypeVar

import jinja2

from timeline.cache import Built, Cache, Fragments, shard_of
from timeline.incremental import Patch, Timeline
from timeline.load import read_seed
from timeline.model import Article, Layout, article_text, build_article
from timeline.problems import Problem
from timeline.render import (
    FULL_TEXT_SEARCH_LIMIT,
    TEMPLATES,
    Page,
    Renderer,
    UnescapedValue,
    digest,
    event_pages,
    link_events,
)
from timeline.validate import Validator, article_id_of, duplicate_ids, id_position
from timeline.vocabulary import Vocabulary
from timeline.write import MANIFEST, Content, WriteReport, write_docs

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
    """How many pages a patch gave (``Timeline.patch``): changed where they stood, or rendered from kept parts."""


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
    texts: dict[str, Content] = {}
    todo: list[Page] = []
    layout: Layout | None = None
    timeline: Timeline | None = None  # only when the timeline must be laid out again, or patched
    patch: Patch | None = None
    patched = 0
    built = index.built
    headers = {r.name: r.header or "" for r in results}
    # The pages other than articles', as the last run wrote them (none edited or deleted by hand).
    listed = {path: key for path, (key, _, _) in outputs.items() if built is not None and path not in built.pages}
    folder = str(docs)
    intact = built is not None and all(_unchanged(folder, path, key, outputs) for path, key in listed.items())
    if built is not None and intact and built.headers == headers:
        # No seed changed what the timeline and the listings show: only article pages can differ.
        links, milestones, tally = built.links, built.milestones, built.tally
        keys.update(listed)
        lap("the timeline is as it was")
    else:
        timeline = Timeline(
            vocabulary,
            names,
            fresh,
            cache,
            renderer,
            functools.partial(
                compile_seeds, seeds, vocabulary, renderer=renderer, jobs=jobs, cache=cache, current=names
            ),
        )
        patch = timeline.patch(built, docs, outputs) if built is not None and intact else None
        if patch is not None:
            # The pages that show the edit's events had their parts, their years' runs or their counts replaced.
            assert built is not None
            links, milestones, tally = patch.links, timeline.milestones, patch.tally
            keys.update(listed | patch.keys)
            for path in patch.removed:  # a year's page that has no event left
                del keys[path]
            texts.update(patch.texts)
            patched = len(patch.texts)
            lap(f"{patched} pages patched ({len(timeline.events)} events again)")
        else:
            layout = timeline.lay_out(built)
            milestones = timeline.milestones
            pages = event_pages(layout)
            links = {name: tuple(pages[m] for m in milestones[name][1]) for name in names}
            tally = layout.tally()
            lap(f"timeline laid out ({len(timeline.events)} events again)")
            for page in renderer.pages(layout):
                keys[page.path] = "" if page.key is None else digest(environment, page.key)
                if page.key is None or not _unchanged(folder, page.path, keys[page.path], outputs):
                    todo.append(page)
            timeline.provide(layout, todo)
            lap("event parts ready")

    stale: list[str] = []
    article_pages: set[str] = set()
    for result in results:
        path = f"articles/{result.article_id}.md"
        article_pages.add(path)
        key = keys[path] = digest(environment, result.digest, *links[result.name])
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
    index.built = Built(headers, links, frozenset(article_pages), milestones, years, listing, tally)
    cache.save()  # last: the index names the files of the layout it goes with
    lap("cache written")
    return Outcome(tally.articles, tally.events, report, layout, merged, rendered, files, patched)


def _linked(result: SeedResult, links: dict[str, tuple[str, ...]]) -> str:
    assert result.article is not None and result.page is not None, "a valid seed read in this run"
    pages = dict(zip((m.id for m in result.article.milestones), links[result.name], strict=True))
    return link_events(result.page, pages)


def _render_all(todo: list[Page]) -> dict[str, str | bytes]:
    """Render the pages that list events: in this process, since they only put together parts rendered before."""
    return {page.path: _rendering(page.render) for page in todo}
