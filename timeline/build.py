"""Run the stages over a seeds folder, the one way the site is built.

Read, check and model the seeds that changed (on every core when there are
many) and take the others' results from the memo; merge every event and lay
out the timeline; plan every page with a key that digests what it shows
(``render.Renderer.pages``); render the pages whose key changed, from event
parts kept under their own keys where possible; write what differs. A run
with an empty memo renders everything and is exactly ``render.render_site``:
the memo (``memo``) only ever saves work, and nothing is produced by
reading the last output back.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import jinja2

from timeline.load import read_seed
from timeline.memo import Memo, Record, Status, cache_folder
from timeline.model import Article, Corpus, article_from_plain, article_to_plain, build_corpus
from timeline.problems import Problem
from timeline.render import (
    FULL_TEXT_SEARCH_LIMIT,
    PART_KINDS,
    TEMPLATES,
    CompiledTemplates,
    Page,
    Renderer,
    UnescapedValue,
    digest,
)
from timeline.validate import Validator, article_id_of, duplicate_ids, id_position
from timeline.vocabulary import Vocabulary
from timeline.write import MANIFEST, WriteReport, write_docs

PACKAGE = Path(__file__).resolve().parent
PARALLEL_FROM = 64
"""Below this many items of work, a pool of processes costs more than it saves."""


class SeedResult(NamedTuple):
    """What one seed file yields: its problems, or its article and text."""

    name: str
    path: str
    """The file as messages name it."""
    digest: str
    """Of the file's bytes (and name): the key of this result, and part of its article page's key."""
    problems: tuple[Problem, ...]
    article_id: str | None
    """None when the file could not be read as a seed at all."""
    id_at: tuple[int, int]
    article: Article | None
    """None when the seed has problems."""
    body: str = ""
    """The article's text, for its page (kept apart in the memo: only pages to render need it)."""


def _compile(seeds: Path, shown_as: str, validator: Validator, name: str) -> SeedResult:
    """Load, validate and model one seed."""
    file = seeds / name
    path = _seed_path(shown_as, name)
    data = None if file.is_symlink() else file.read_bytes()  # read_seed refuses links; never follow one
    key = _file_digest(name, data)
    seed, problems = read_seed(file, path, data)
    if seed is None:
        return SeedResult(name, path, key, tuple(problems), None, (1, 1), None)
    problems += validator.validate_seed(seed)
    article_id = article_id_of(seed)
    if problems:
        return SeedResult(name, path, key, tuple(problems), article_id, id_position(seed), None)
    from timeline.model import build_article

    return SeedResult(name, path, key, (), article_id, id_position(seed), build_article(seed), seed.body)


def _file_digest(name: str, data: bytes | None) -> str:
    """The key of a seed's result: its name (the default article id) and its bytes; a link has none."""
    content = b"\0link" if data is None else data
    return hashlib.sha1(name.encode() + b"\0" + content, usedforsecurity=False).hexdigest()


T = TypeVar("T")
R = TypeVar("R")


def _map(function: Callable[[T], R], items: list[T], jobs: int) -> Iterator[R]:
    """``map`` over a pool of forked processes when ``jobs`` > 1; in this process otherwise.

    Workers inherit ``function`` and ``items`` from the fork and receive only
    an item's position: nothing but results is pickled, so the model that
    the work closes over is never copied through a pipe.
    """
    # Forking a process with other threads (the live preview's server) could
    # copy a lock another thread holds: such a process works alone.
    if jobs <= 1 or len(items) <= 1 or threading.active_count() > 1:
        yield from map(function, items)
        return
    import multiprocessing  # an edit's run needs no pool, and the imports cost 20 ms
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(function, items)
        return
    global _work
    _work = (function, items)
    gc.freeze()  # so that collections in the workers do not copy every page of the parent's heap
    # Not multiprocessing.Pool: it waits for ever for a worker that died (killed, out of memory),
    # where this executor says so.
    pool = ProcessPoolExecutor(min(jobs, len(items)), mp_context=multiprocessing.get_context("fork"))
    try:
        chunk = max(1, min(64, len(items) // (jobs * 8)))
        yield from pool.map(_call_work, range(len(items)), chunksize=chunk)
    except BrokenProcessPool as error:
        raise Stop(message=f"a worker process stopped unexpectedly ({error}); docs/ is unchanged, run again") from error
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _work = None
        gc.unfreeze()


_work: tuple[Callable[[Any], Any], list[Any]] | None = None
"""What the workers of ``_map`` do, and to what: set before they are forked."""


def _call_work(position: int) -> Any:
    assert _work is not None
    function, items = _work
    return function(items[position])


class Stop(Exception):
    """The run cannot go on; ``problems`` or ``message`` say why."""

    def __init__(self, problems: list[Problem] | None = None, message: str = "") -> None:
        super().__init__(message or f"{len(problems or [])} problems")
        self.problems = problems or []
        self.message = message

    def __reduce__(self) -> tuple[type[Stop], tuple[list[Problem], str]]:
        return (Stop, (self.problems, self.message))


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


def stamp(seeds: Path, templates: Path, vocabulary: Vocabulary, large: bool, site_url: str | None = None) -> str:
    """A digest of everything a seed's result or a page depends on besides the seeds: the memo's folder.

    The code, the templates, the vocabulary, the raw texts' names (a seed
    may name one), whether the corpus is large and the site's address (the
    data files' links). Not how the seeds folder is spelt: messages name
    seeds as given (``_as_given``).
    """
    hashed = hashlib.sha256(repr((sys.version, jinja2.__version__, large, vocabulary.region, site_url)).encode())
    files = [*sorted(PACKAGE.rglob("*.py")), *sorted((PACKAGE / "data").glob("*"))]
    files += sorted(p for p in templates.rglob("*") if p.is_file())
    for path in files:
        hashed.update(f"\0{path.name}\0".encode() + path.read_bytes())
    raw = seeds / "raw"
    listing = sorted(str(p.relative_to(seeds)) for p in raw.rglob("*")) if raw.is_dir() else []
    hashed.update("\0".join(listing).encode())
    return hashed.hexdigest()


def compile_seeds(seeds: Path, vocabulary: Vocabulary, names: list[str], jobs: int = 1) -> list[SeedResult]:
    """The result of each seed in ``names``, in order; on ``jobs`` processes when there are many."""
    validator = Validator(vocabulary)
    shown_as = str(seeds)
    jobs = jobs if len(names) >= PARALLEL_FROM else 1
    return list(_map(lambda name: _compile(seeds, shown_as, validator, name), names, jobs))


def _seed_path(shown_as: str, name: str) -> str:
    """A seed as messages name it: in the seeds folder as the user spelt it."""
    return f"{shown_as.rstrip('/')}/{name}"


def seed_names(seeds: Path) -> list[str]:
    """The seed files: every ``*.md`` directly in the folder, in name order."""
    return list(scan_seeds(seeds))


def scan_seeds(seeds: Path) -> dict[str, Status]:
    """The seed files (every ``*.md`` directly in the folder, in name order) with their status."""
    found = {}
    with os.scandir(seeds) as entries:
        for entry in entries:
            if entry.name.endswith(".md"):
                status = entry.stat(follow_symlinks=False)
                found[entry.name] = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    return dict(sorted(found.items()))


def _digests(seeds: Path, scanned: dict[str, Status], record: Record) -> dict[str, str]:
    """Each seed's key (``_file_digest``): read and digested again only when its status changed."""
    known = record.seeds
    out = {}
    for name, status in scanned.items():
        kept = known.get(name)
        if kept is not None and tuple(kept[0]) == status:
            out[name] = kept[1]
            continue
        path = f"{seeds}/{name}"
        if os.path.islink(path):  # noqa: PTH114 - one of thousands
            out[name] = _file_digest(name, None)
            continue
        try:
            with open(path, "rb") as stream:  # noqa: PTH123 - one of thousands; Path objects cost more
                out[name] = _file_digest(name, stream.read())
        except OSError:
            out[name] = ""  # read again, and reported, by _compile
    return out


def _to_plain(result: SeedResult) -> tuple[Any, ...]:
    """A seed's result as the memo keeps it, without its text: plain values, problems without their file."""
    problems = tuple((p.line, p.column, p.message, p.field) for p in result.problems)
    article = None if result.article is None else article_to_plain(result.article)
    return (problems, result.article_id, result.id_at, article)


def _from_plain(plain: Any, name: str, path: str, key: str) -> SeedResult | None:
    """The result ``_to_plain`` kept, named as this run spells the seeds folder; None if it is not one."""
    try:
        problems, article_id, id_at, article = plain
        return SeedResult(
            name,
            path,
            key,
            tuple(Problem(path, line, column, message, field) for line, column, message, field in problems),
            article_id,
            (int(id_at[0]), int(id_at[1])),
            None if article is None else article_from_plain(article, path),
        )
    except (TypeError, ValueError):
        return None


def check(results: Iterable[SeedResult]) -> list[Problem]:
    """Every problem of every seed, and ids used twice, in reading order."""
    results = list(results)
    problems = [problem for result in results for problem in result.problems]
    problems += duplicate_ids((r.path, r.article_id, r.id_at) for r in results if r.article_id is not None)
    return sorted(problems, key=lambda p: p.sort_key)


@dataclass(frozen=True)
class Outcome:
    """What a run of ``generate`` did."""

    articles: int
    events: int
    report: WriteReport
    seeds_read: int = 0
    """Seeds read, checked and modelled (the others' results came from the memo)."""
    pages_rendered: int = 0
    """Pages rendered (the others' keys were unchanged, and so were their files)."""
    parts_rendered: int = 0
    """Events whose parts were rendered (the others' came from the memo)."""


def _status(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)  # noqa: PTH116 - ten thousand Path objects cost more than the calls
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns)


def _intact(folder: str, path: str, record: Record, key: str | None = None) -> bool:
    """Whether the file is as the last run wrote it (nobody edited or deleted it), under ``key`` if given."""
    known = record.outputs.get(path)
    if known is None or (key is not None and known[0] != key):
        return False
    return _status(f"{folder}/{path}") == tuple(known[1:])


@dataclass
class InMemory:
    """The memo of the last run, for a caller that runs again and again in one process (the live preview).

    The next run takes its values from memory instead of reading and
    decoding them again, when they are for the same code and docs folder,
    and its templates compiled, unless their source changed.
    """

    memo: Memo | None = None
    templates: CompiledTemplates = field(default_factory=CompiledTemplates)


def generate(
    seeds: Path,
    docs: Path,
    vocabulary: Vocabulary,
    templates: Path = TEMPLATES,
    jobs: int | None = None,
    keep: InMemory | None = None,
    site_url: str | None = None,
) -> Outcome:
    """Seeds in, pages written; raise Stop with every problem and write nothing on failure.

    ``site_url`` is the site's address ending in ``/`` (``exports.site_url``), or None.
    """
    try:
        return _generate(seeds, docs, vocabulary, templates, jobs, keep, site_url)
    finally:
        gc.unfreeze()  # the live preview runs save after save in one process: its garbage must go


def _generate(
    seeds: Path,
    docs: Path,
    vocabulary: Vocabulary,
    templates: Path,
    jobs: int | None,
    keep: InMemory | None,
    site_url: str | None,
) -> Outcome:
    lap = _Clock()
    jobs = jobs or os.cpu_count() or 1
    scanned = scan_seeds(seeds)
    large = len(scanned) > FULL_TEXT_SEARCH_LIMIT
    memo = Memo(cache_folder(docs), stamp(seeds, templates, vocabulary, large, site_url))
    if keep is not None:
        if keep.memo is not None and (keep.memo.folder, keep.memo.stamp) == (memo.folder, memo.stamp):
            memo = keep.memo
        keep.memo = memo
    record = Record.read(memo)
    keys = _digests(seeds, scanned, record)
    folder = str(docs)
    if _run_key(docs, keys) == record.run and all(_intact(folder, path, record) for path in record.outputs):
        seen = {name: (scanned[name], keys[name]) for name in keys}
        if seen != record.seeds:  # touched, not changed: their status stands for the same bytes from now on
            record.seeds = seen
            record.write(memo)
        articles, events = record.counts
        return Outcome(articles, events, WriteReport((), (), len(record.outputs)))
    lap("seeds looked at")

    with _no_collection():  # until the plan is made: hundreds of thousands of new objects, no cycles among them
        results, changed = _seed_results(seeds, vocabulary, keys, memo, jobs)
        lap(f"{len(changed)} seeds read, checked and modelled")
        record.seeds = {name: (scanned[name], keys[name]) for name in keys}
        problems = check(results)
        if problems:
            memo.save({})
            record.write(memo)  # docs/ is as the record says; the seeds that are fine need not be read again
            raise Stop(problems)
        corpus = build_corpus((r.article for r in results if r.article is not None), vocabulary)
        layout = corpus.layout()
        compiled = keep.templates if keep is not None else None
        renderer = Renderer(vocabulary, templates, large, compiled, site_url)
        bodies = {r.article_id: r.body for r in results if r.article_id is not None and r.name in changed}
        article_keys = {r.article_id: r.digest for r in results if r.article_id is not None}
        plan = renderer.pages(corpus, layout, bodies, article_keys)
    lap(f"timeline laid out: {len(corpus.events)} events, {len(plan)} pages")

    todo = [page for page in plan if page.key is None or not _intact(folder, page.path, record, page.key)]
    _provide_texts(seeds, vocabulary, {page.path for page in todo}, results, bodies, memo, jobs)
    part_keys = renderer.part_keys(layout)
    parts_rendered = _provide_parts(renderer, corpus, part_keys, todo, memo, jobs)
    lap(f"parts of {parts_rendered} events rendered")
    texts = _render_pages(renderer, todo, jobs)
    lap(f"{len(todo)} pages rendered")
    report = write_docs(docs, texts, keep={page.path for page in plan} - set(texts))
    lap("written")

    skipped = {page.path for page in plan} - set(texts)  # found intact under their keys: not looked at again
    outputs: dict[str, tuple[str, int, int]] = {}
    for path, key in [*((page.path, page.key or "") for page in plan), (MANIFEST, "")]:
        known = record.outputs.get(path)
        status = (known[1], known[2]) if path in skipped and known is not None else _status(f"{folder}/{path}")
        if status is not None:
            outputs[path] = (key, status[0], status[1])
    record.outputs = outputs
    record.run = _run_key(docs, keys)  # the keys of the seeds as read, which may be newer than when looked at
    record.counts = (len(corpus.articles), len(corpus.events))
    live = set(part_keys.values())
    current = set(keys.values())
    memo.save({"seeds": current, "texts": current} | dict.fromkeys(PART_KINDS, live))
    memo.decoded = {key: value for key, value in memo.decoded.items() if key[1] in current}
    record.write(memo)
    lap("memo written")
    return Outcome(len(corpus.articles), len(corpus.events), report, len(changed), len(todo), parts_rendered)


def _run_key(docs: Path, keys: dict[str, str]) -> str:
    """The key of a whole run: where it writes and every seed's key."""
    return digest(str(docs.resolve()), *(f"{name}\0{key}" for name, key in keys.items()))


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """Pause garbage collection while the model is built: hundreds of thousands of objects, no cycles among them.

    When it resumes, what was built is frozen out of its reach (``generate``
    unfreezes it at the end): otherwise the first collection would walk every
    object made meanwhile, half a second at 10,000 articles, for nothing.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _seed_results(
    seeds: Path, vocabulary: Vocabulary, keys: dict[str, str], memo: Memo, jobs: int
) -> tuple[list[SeedResult], list[str]]:
    """Every seed's result in name order, from the memo or read now; and the names of those read now.

    ``keys`` is updated with the digests of the seeds read now (they may have changed since looked at).
    """
    shown_as = str(seeds)
    kept = memo.get_many("seeds", keys.values())
    results: dict[str, SeedResult] = {}
    decoded = memo.decoded
    for name, key in keys.items():
        path = _seed_path(shown_as, name)
        result = decoded.get((path, key))
        if result is None and key in kept:
            result = decoded[path, key] = _from_plain(kept[key], name, path, key)
        if result is not None:
            results[name] = result
    changed = [name for name in keys if name not in results]
    for result in compile_seeds(seeds, vocabulary, changed, jobs):
        results[result.name] = result
        keys[result.name] = result.digest
        memo.put("seeds", result.digest, _to_plain(result))
        if result.article is not None:
            memo.put("texts", result.digest, result.body)
    return [results[name] for name in keys], changed


def _provide_texts(
    seeds: Path,
    vocabulary: Vocabulary,
    paths: set[str],
    results: list[SeedResult],
    bodies: dict[str, str],
    memo: Memo,
    jobs: int,
) -> None:
    """Add to ``bodies`` the text of every article whose page is to be rendered: kept, or read again."""
    wanted = [r for r in results if r.article_id not in bodies and f"articles/{r.article_id}.md" in paths]
    kept = memo.get_many("texts", (r.digest for r in wanted))
    lost = []
    for result in wanted:
        text = kept.get(result.digest)
        if isinstance(text, str):
            bodies[str(result.article_id)] = text
        else:
            lost.append(result.name)
    for again in compile_seeds(seeds, vocabulary, lost, jobs):
        bodies[str(again.article_id)] = again.body
        memo.put("texts", again.digest, again.body)


def _provide_parts(
    renderer: Renderer, corpus: Corpus, part_keys: dict[str, str], todo: list[Page], memo: Memo, jobs: int
) -> int:
    """Give the renderer the parts the pages to render print: kept in the memo, or rendered now."""
    wanted: list[dict[str, None]] = [{} for _ in PART_KINDS]
    for page in todo:
        wanted[page.part].update(dict.fromkeys(page.events))
    needed = set().union(*wanted)
    found: list[dict[str, str]] = []
    for kind, events in zip(PART_KINDS, wanted, strict=True):
        kept = memo.get_many(kind, (part_keys[event] for event in events))
        found.append({event: kept[part_keys[event]] for event in events if isinstance(kept.get(part_keys[event]), str)})
    missing = [
        e
        for e in corpus.events
        if e.id in needed and any(e.id in w and e.id not in f for w, f in zip(wanted, found, strict=True))
    ]
    batches = [missing[i : i + 64] for i in range(0, len(missing), 64)]
    jobs = jobs if len(missing) >= PARALLEL_FROM else 1
    if jobs > 1:
        renderer.prepare()
    for batch in _map(lambda events: _rendering(renderer.parts, events), batches, jobs):
        for event, rendered in batch.items():
            for part, (kind, text) in enumerate(zip(PART_KINDS, rendered, strict=True)):
                found[part][event] = text
                memo.put(kind, part_keys[event], text)
    for part, texts in enumerate(found):
        renderer.use(part, texts)
    return len(missing)


def _render_pages(renderer: Renderer, todo: list[Page], jobs: int) -> dict[str, str | bytes]:
    """Render the pages to render: article pages on every core when there are many, the others here."""
    articles = [page for page in todo if page.path.startswith("articles/") and page.path != "articles/index.md"]
    texts: dict[str, str | bytes] = {}
    batches = [articles[i : i + 32] for i in range(0, len(articles), 32)]
    jobs = jobs if len(articles) >= PARALLEL_FROM else 1
    if jobs > 1:
        renderer.prepare()
    for batch in _map(lambda pages: [(p.path, _rendering(p.render)) for p in pages], batches, jobs):
        texts.update(batch)
    for page in todo:
        if page.path not in texts:
            texts[page.path] = _rendering(page.render)
    return texts


__all__ = ["MANIFEST", "Outcome", "SeedResult", "Stop", "check", "compile_seeds", "generate", "seed_names"]
