"""Live preview for ``make serve``: an MkDocs hook, used only by ``mkdocs.serve.yml``.

Before each build it regenerates ``docs/`` from ``seeds/``. A broken seed
prints its problems and leaves ``docs/`` as it was, so the server keeps
serving the last good site. Nothing else depends on this hook: the site
itself builds from ``mkdocs.yml`` with any MkDocs-compatible engine.

Under ``mkdocs serve`` it also keeps a saved seed from costing a whole
rebuild of the site (minutes at 10,000 articles):

- It watches the seeds, ``docs/``, the templates and the code with inotify
  and learns which files changed, instead of MkDocs' polling, which stats
  every watched file twice a second and only says that something changed.
  The generator's own writes into ``docs/`` trigger nothing.
- It keeps what the last full build made (files, navigation, pages, the
  search index page by page) and, when the generator only rewrote pages that
  were there before, rebuilds those pages alone with MkDocs' own steps
  (``_populate_page``, ``_build_page``, every plugin event of a page).
- What an author looks at after a save, the article and timeline pages and
  the home page, is rebuilt first and served. The long lists (country,
  procedure and tag pages, the list of articles) and the search index follow
  in the background; a request for one of them waits until it is rebuilt.
- Material's search merges a dirty rebuild into the old index by URL prefix,
  and the home page's URL is empty, a prefix of every URL; here each page's
  entries replace that page's entries exactly, in full-build order.
- Anything else falls back to MkDocs' full rebuild: a new or removed page, a
  title in the navigation, ``mkdocs.yml``, the templates or code, CSS or
  JavaScript, a plugin this module does not know.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

# MkDocs loads hooks by path; make the package importable from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.structure.files import File, Files, InclusionLevel
from watchdog.events import (
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from timeline.build import InMemory, Outcome, Stop
from timeline.cli import generate, summary

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.timeline.preview")
KEEP = InMemory()
"""The generator's memo of the last run, kept in this long-running process: a save costs no reading of it."""

SEARCH_INDEX = "search/search_index.json"
EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent, FileModifiedEvent, FileClosedEvent, FileDeletedEvent, FileMovedEvent,
    DirDeletedEvent, DirMovedEvent,
]  # fmt: skip
"""What counts as a change: not opening or reading a file, which MkDocs and the generator do to every file."""
GATE_TIMEOUT = 600.0
"""Seconds a request for a page still being rebuilt waits at most (a failure ends the wait sooner)."""


def first(src_uri: str) -> bool:
    """Whether a rebuilt page is served before the others: what an author checks after saving a seed.

    The article's page, the timeline and the home page; the long lists
    (countries, procedures, the list of articles, tags) cost seconds each at
    10,000 articles and follow in the background.
    """
    return src_uri == "index.md" or (src_uri.startswith(("articles/", "timeline/")) and src_uri != "articles/index.md")


Signature = tuple[int, int, int] | None
"""A file's modification time (ns), size and inode; None when it does not exist."""


def signature(path: str) -> Signature:
    """What tells a file we wrote from one written after us, without reading it."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def config_paths(path: str) -> list[str]:
    """The configuration file and the ones it inherits (``INHERIT:``), whose change needs a full rebuild."""
    paths: list[str] = []
    current: Path | None = Path(path).absolute()
    while current is not None and str(current) not in paths:
        paths.append(str(current))
        try:
            found = re.search(r"^INHERIT:\s*['\"]?([^'\"#\n]+?)['\"]?\s*$", current.read_text("utf-8"), re.M)
        except OSError:
            break
        current = current.parent / found[1] if found else None
    return paths


def ignored(path: str) -> bool:
    """Whether no build reads what a path names.

    Hidden files (MkDocs excludes them; the generator stages its pages as such), editor backups, bytecode.
    """
    parts = Path(path).parts
    return any(p.startswith(".") or p == "__pycache__" for p in parts) or path.endswith(("~", ".pyc", ".swp"))


def regenerate(config: Any) -> Outcome | None:
    """Regenerate the pages; on failure print every problem, keep the last good pages and return None."""
    root = Path(config["config_file_path"]).resolve().parent
    seeds = root / "seeds"
    docs = Path(config["docs_dir"])
    try:
        outcome = generate(seeds, docs, keep=KEEP)
    except Stop as stop:
        lines = [str(p) for p in sorted(stop.problems, key=lambda p: p.sort_key)] or [stop.message]
        print(
            "\n".join(["", "The seeds have problems; still serving the last good pages:", *lines, ""]), file=sys.stderr
        )
        return None
    if outcome.report.written or outcome.report.removed:
        print(summary(outcome, docs), file=sys.stderr)
    return outcome


def _draft(file: File) -> bool:
    """Whether ``mkdocs serve`` marks the page as a draft, as ``build`` passes it to ``_build_page``."""
    return bool(file.inclusion.is_excluded())  # type: ignore[no-untyped-call]


class NeedsFull(Exception):
    """A change a page-by-page rebuild cannot follow; the message says which."""


@dataclass
class Snapshot:
    """What Material's search reads from a page, kept at render time to index the page later."""

    url: str
    title: str | None
    meta: Any
    toc: Any
    content: str


class DeferredIndex:
    """Stands in for Material's search index while pages are rebuilt.

    Indexing a long page takes about a third of rebuilding it, so it waits
    for the background instead of delaying the first pages.
    """

    def __init__(self, due: dict[str, Snapshot]) -> None:
        self.due = due

    def add_entry_from_context(self, page: Page) -> None:
        """Called by the search plugin's ``on_page_context``, before it strips ``data-search-*`` attributes."""
        self.due[page.url] = Snapshot(page.url, page.title, page.meta, page.toc, page.content or "")


@dataclass
class Site:
    """What the last full build made, kept to rebuild a few pages against it."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    pages: list[File]
    """Documentation pages in build order, the order of the search index."""
    by_path: dict[str, File]
    folders: set[str]
    """Every folder holding a file of the site: its removal removes pages."""
    in_nav: set[str]
    listing_pages: list[File]
    """Pages with a tags listing (``tags.md``): they list other pages' titles and tags."""
    configs: dict[str, Signature]
    search: Any
    """Material's search plugin, or None when it is off."""
    index: Any
    entries: dict[str, list[dict[str, Any]]]
    """Search entries by page URL (the home page's is empty)."""
    tags: Any
    """Material's tags plugin, or None."""


def _plugins(config: MkDocsConfig) -> tuple[Any, Any, str | None]:
    """Material's search and tags plugins, and why a page-by-page rebuild cannot be trusted, if it cannot."""
    try:
        from material.plugins.search.plugin import SearchPlugin  # type: ignore[import-untyped]
        from material.plugins.tags.plugin import TagsPlugin  # type: ignore[import-untyped]
    except ImportError:
        return None, None, "Material's plugins cannot be imported"
    search = tags = None
    for name, plugin in config.plugins.items():
        if isinstance(plugin, SearchPlugin) and search is None:
            search = plugin if plugin.config.enabled else None
        elif isinstance(plugin, TagsPlugin) and tags is None:
            tags = plugin if plugin.config.enabled else None
        elif not (isinstance(plugin, ModuleType) and vars(plugin) is globals()):
            return None, None, f"the plugin {name!r}, whose rebuild of one page is not known"
    if search is not None and not hasattr(getattr(search, "search_index", None), "entries"):
        return None, None, "Material's search plugin keeps no index"
    if tags is not None and not (hasattr(tags.mappings, "data") and hasattr(tags.listings, "populate")):
        return None, None, "Material's tags plugin is not the version this preview knows"
    return search, tags, None


def _capture(config: MkDocsConfig, files: Files, nav: Navigation, env: jinja2.Environment) -> Site:
    """Everything a page-by-page rebuild needs from the full build that just ended."""
    search, tags, unknown = _plugins(config)
    if unknown:
        raise NeedsFull(unknown)
    pages = list(files.documentation_pages(inclusion=InclusionLevel.is_in_serve))
    by_path = {f.abs_src_path: f for f in files if f.abs_src_path}
    docs = Path(config.docs_dir).absolute()
    folders: set[str] = set()
    for path in by_path:
        folder = Path(path).parent
        while folder != docs and docs in folder.parents and str(folder) not in folders:
            folders.add(str(folder))
            folder = folder.parent
    entries: dict[str, list[dict[str, Any]]] = {}
    index = None
    if search is not None:
        index = search.search_index
        for entry in index.entries:
            entries.setdefault(entry["location"].split("#")[0], []).append(entry)
        if [e for f in pages if f.page for e in entries.get(f.page.url, [])] != index.entries:
            raise NeedsFull("the search index is not in page order")
    listing_pages: list[File] = []
    if tags is not None:
        listed = {listing.page.file.src_uri for listing in tags.listings}
        listing_pages = [f for f in pages if f.src_uri in listed]
    return Site(
        config=config,
        files=files,
        nav=nav,
        env=env,
        pages=pages,
        by_path=by_path,
        folders=folders,
        in_nav={p.file.src_uri for p in nav.pages},
        listing_pages=listing_pages,
        configs={p: signature(p) for p in config_paths(config.config_file_path or "mkdocs.yml")},
        search=search,
        index=index,
        entries=entries,
        tags=tags,
    )


class Handler(FileSystemEventHandler):
    """Passes every change inotify reports to the preview."""

    def __init__(self, preview: Preview) -> None:
        self.preview = preview

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Every kind of event in ``EVENTS``: a move names both its ends."""
        paths = [os.fsdecode(event.src_path)]
        if isinstance(event, (FileMovedEvent, DirMovedEvent)):
            paths.append(os.fsdecode(event.dest_path))
        self.preview.saw(paths)


class Preview:
    """The state of ``mkdocs serve`` between builds, and the builder that uses it."""

    def __init__(self) -> None:
        self.enabled = False
        self.site: Site | None = None
        self.capture: dict[str, Any] = {}
        self.generated = False
        """True while a full rebuild runs that this preview asked for: the pages are already generated."""
        self.server: LiveReloadServer | None = None
        self.builder: Callable[[], None] = lambda: None
        self.observer: Any = None
        self.docs = ""
        self.seeds = ""
        self.config_file = ""
        self.lock = threading.Lock()
        """One build at a time, the server's or the background's."""
        self.state = threading.Condition()
        """Guards what the watcher, the builds and the requests share: the fields below."""
        self.changes: set[str] = set()
        self.busy = False
        self.deferred: dict[str, File] = {}
        self.relist = False
        self.due: dict[str, Snapshot] = {}
        self.expected: dict[str, Signature] = {}
        self.background: threading.Thread | None = None
        self.why = ""
        """Why the next rebuild must be a full one, when the background found out."""
        self.interrupt = threading.Event()

    # Full builds: MkDocs' own, watched through the hook's events.

    def record(self, outcome: Outcome | None, docs: str) -> None:
        """Remember how the generator left each file it wrote or removed, so that its writes trigger nothing."""
        if outcome is None:
            return
        for name in (*outcome.report.written, *outcome.report.removed):
            path = str(Path(docs, name))
            self.expected[path] = signature(path)

    def built(self, config: MkDocsConfig) -> None:
        """A full build ended: keep what it made."""
        capture, self.capture = self.capture, {}
        if not self.enabled or not {"files", "nav", "env"} <= capture.keys():
            return
        try:
            self.site = _capture(config, capture["files"], capture["nav"], capture["env"])
        except NeedsFull as reason:
            log.info(f"Every change will rebuild the whole site: {reason}")
            self.site = None

    # Watching.

    def attach(self, server: LiveReloadServer, config: MkDocsConfig, builder: Callable[[], None]) -> None:
        """Take over watching and rebuilding from ``mkdocs serve``; leave it as it is if anything is missing."""
        if not self.enabled or self.site is None:
            return
        if not all(hasattr(server, a) for a in ("_rebuild_cond", "_want_rebuild", "builder", "set_app")):
            log.warning("This MkDocs' server is not the one the fast preview knows: every change rebuilds the site")
            return
        config_file = Path(config.config_file_path or "mkdocs.yml").absolute()
        self.config_file = str(config_file)
        self.docs = str(Path(config.docs_dir).absolute())
        self.seeds = str(config_file.parent / "seeds")
        folders = [self.docs, *(str(Path(p).absolute()) for p in config.watch)]
        if config.theme.custom_dir:
            folders.append(str(Path(config.theme.custom_dir).absolute()))
        observer = Observer()
        try:
            handler = Handler(self)
            for folder in dict.fromkeys(folders):
                if Path(folder).is_dir():
                    observer.schedule(handler, folder, recursive=True, event_filter=EVENTS)
            observer.start()
        except OSError as error:
            log.warning(f"Cannot watch with inotify ({error}): every change rebuilds the site")
            return
        self.observer = observer
        self.server = server
        self.builder = builder
        # MkDocs polls what remains: the configuration files, whose change rebuilds everything; at least
        # one watched path also makes it add its reload script to every page.
        server.unwatch(config.docs_dir)
        config.watch.clear()
        for path in config_paths(config.config_file_path or "mkdocs.yml")[1:]:
            server.watch(path)
        server.builder = self.rebuild
        app = server.get_app()
        assert app is not None
        server.set_app(self.gate(app))

    def detach(self) -> None:
        """Stop watching and any background work (``mkdocs serve`` is shutting down)."""
        self.interrupt.set()
        if self.background is not None:
            self.background.join()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join()

    def saw(self, paths: Iterable[str]) -> None:
        """Note changed paths; ask for a rebuild unless they are the generator's own writes.

        While a build runs, changes in ``docs/`` wait for its end (they are
        most likely the generator's writes, recorded only once it returns).
        """
        with self.state:
            paths = [p for p in paths if not ignored(p)]
            self.changes.update(paths)
            wanted = any(not self.in_docs(p) or (not self.busy and not self.explained(p)) for p in paths)
        if wanted:
            self.request()

    def request(self) -> None:
        """Wake the server's build loop, as its own file watcher does."""
        server = self.server
        if server is None:
            return
        with server._rebuild_cond:
            server._want_rebuild = True
            server._rebuild_cond.notify_all()

    def in_docs(self, path: str) -> bool:
        """Whether a path is in ``docs/``, where the generator writes and its own writes trigger nothing."""
        return path.startswith(self.docs + os.sep)

    def explained(self, path: str) -> bool:
        """Whether a change in ``docs/`` is the generator's write as it left it, or a file that came and went."""
        now = signature(path)
        if path in self.expected:
            return self.expected[path] == now
        site = self.site
        return now is None and not (site and (path in site.by_path or path in site.folders))

    # Rebuilding.

    def rebuild(self) -> None:
        """The server's builder: regenerate, then rebuild what changed, the whole site only when needed."""
        self.pause()
        with self.lock:
            with self.state:
                self.busy = True
                changes, self.changes = self.changes, set()
            try:
                self._rebuild(changes)
            finally:
                with self.state:
                    self.busy = False
                    self.changes = {p for p in self.changes if not self.in_docs(p) or not self.explained(p)}
                    again = bool(self.changes)
                if again:
                    self.request()
        self.resume()

    def _rebuild(self, changes: set[str]) -> None:
        """Work out what changed and rebuild it."""
        docs: set[str] = set()
        regenerate_pages, full = False, ""
        for path in changes:
            if self.in_docs(path):
                if not self.explained(path):
                    docs.add(Path(os.path.relpath(path, self.docs)).as_posix())
            elif path == self.seeds or path.startswith(self.seeds + os.sep):
                regenerate_pages = True
            else:
                regenerate_pages, full = True, full or f"{path} changed"
        site = self.site
        if site is None:
            full, self.why = self.why or "no complete build to start from", ""
        elif any(signature(p) != s for p, s in site.configs.items()):
            full = "the configuration changed"
        outcome = None
        if regenerate_pages or full:
            outcome = regenerate({"config_file_path": self.config_file, "docs_dir": self.docs})
            self.record(outcome, self.docs)
        if outcome is not None:
            if outcome.report.removed:
                full = full or f"{len(outcome.report.removed)} generated files removed"
            docs.update(outcome.report.written)
        if not full and not docs:
            return
        try:
            if full:
                raise NeedsFull(full)
            assert site is not None
            self.restricted(site, sorted(docs))
        except NeedsFull as reason:
            self.full(str(reason))
        except Exception:
            self.drop()
            self.site = None  # pages may be half rebuilt: the next change rebuilds everything
            raise

    def full(self, reason: str) -> None:
        """MkDocs' own rebuild of the whole site (which reloads the configuration)."""
        log.info(f"Rebuilding the whole site: {reason}")
        self.drop()
        self.site = None
        self.generated = True
        try:
            self.builder()
        finally:
            self.generated = False

    def restricted(self, site: Site, names: list[str]) -> None:
        """Rebuild the pages named (docs-relative): the first ones now, the rest in the background."""
        started = time.perf_counter()
        now: list[File] = []
        later: list[File] = []
        static: list[File] = []
        for name in names:
            path = str(Path(self.docs, *name.split("/")))
            file = site.by_path.get(path)
            exists = Path(path).is_file()
            if file is None:
                if not exists and path not in site.folders:
                    continue  # came and went, never part of the site
                raise NeedsFull(f"{name} is new" if exists else f"{name} was removed")
            if not exists:
                raise NeedsFull(f"{name} was removed")
            if not file.inclusion.is_in_serve():  # type: ignore[no-untyped-call]
                continue
            if file.is_css() or file.is_javascript():
                raise NeedsFull(f"{name} changed")
            if not file.is_documentation_page():
                static.append(file)
            elif file in site.listing_pages:
                self.relist = True
            else:
                (now if first(file.src_uri) else later).append(file)
        if len(now) + len(later) > len(site.pages) // 2 + 1:
            raise NeedsFull(f"{len(now) + len(later)} of {len(site.pages)} pages changed")
        with self.deferring(site):
            for file in now:
                self.render(site, file)
        for file in static:
            file.copy_file(dirty=False)
        with self.state:
            for file in later:
                self.deferred[file.src_uri] = file
        rest = len(self.deferred) + (len(site.listing_pages) if self.relist else 0)
        follow = f"; {rest} more in the background" if rest else ""
        log.info(f"Rebuilt {len(now) + len(static)} files in {time.perf_counter() - started:.2f} s{follow}")

    @contextmanager
    def deferring(self, site: Site) -> Iterator[None]:
        """Let the search plugin record rebuilt pages for the background instead of indexing them now."""
        if site.search is None:
            yield
            return
        site.search.search_index = DeferredIndex(self.due)
        try:
            yield
        finally:
            site.search.search_index = site.index

    def render(self, site: Site, file: File) -> None:
        """Read, render and write one page as a full build does, with every plugin's page events."""
        page = file.page
        assert page is not None
        before = (page.title, page.meta.get("tags"))
        tags = site.tags
        listed = tags is not None and tags.mappings.data.pop(page.url, None) is not None
        _populate_page(page, site.config, site.files)
        if file.src_uri in site.in_nav and page.title != before[0]:
            raise NeedsFull(f"the title of {file.src_uri} in the navigation changed")
        if tags is not None:
            # Keep the mappings in build order, as a full build adds them: listings keep that order among equals.
            data = tags.mappings.data
            tags.mappings.data = {p.page.url: data[p.page.url] for p in site.pages if p.page and p.page.url in data}
            if (listed or page.url in data) and (page.title, page.meta.get("tags")) != before:
                self.relist = True
        _build_page(page, site.config, site.pages, site.nav, site.env, excluded=_draft(file))

    def relisted(self, site: Site, file: File) -> None:
        """Rebuild a tags listing page from every page's tags, as the tags plugin does in ``on_env``."""
        from material.plugins.tags.renderer import Renderer  # type: ignore[import-untyped]

        tags = site.tags
        page = file.page
        assert page is not None and tags is not None
        tags.listings.data = {listing for listing in tags.listings.data if listing.page is not page}
        _populate_page(page, site.config, site.files)
        renderer = Renderer(site.env, site.config)
        for listing in [listing for listing in tags.listings.data if listing.page is page]:
            tags.listings.populate(listing, tags.mappings, renderer)
        _build_page(page, site.config, site.pages, site.nav, site.env, excluded=_draft(file))

    # The background: the pages that can wait, then the search index.

    def pause(self) -> None:
        """Stop the background at its next page; what it did not rebuild stays waiting."""
        if self.background is not None:
            self.interrupt.set()
            self.background.join()
            self.background = None
            self.interrupt.clear()

    def resume(self) -> None:
        """Rebuild in the background what still waits, if anything."""
        if self.site is not None and (self.deferred or self.relist or self.due):
            self.background = threading.Thread(target=self.finish, name="timeline-preview", daemon=True)
            self.background.start()

    def finish(self) -> None:
        """The pages that can wait, the tags listings, the search index and the anchor check, one at a time."""
        started = time.perf_counter()
        with self.lock:
            site = self.site
            if site is None:
                return
            try:
                done = self._finish(site)
            except NeedsFull as reason:
                self.drop()
                self.site = None
                self.why = str(reason)
                self.request()
                return
            except Exception:
                log.exception("The background rebuild failed; rebuilding the whole site")
                self.drop()
                self.site = None
                self.request()
                return
        if done:
            log.info(f"Rebuilt {done} in the background in {time.perf_counter() - started:.2f} s")

    def _finish(self, site: Site) -> str:
        """What ``finish`` does; an empty string when interrupted."""
        with self.state:
            waiting = sorted(self.deferred.values(), key=lambda f: Path(f.abs_src_path or "").stat().st_size)
        pages = len(waiting)
        with self.deferring(site):
            for file in waiting:
                if self.interrupt.is_set():
                    return ""
                self.render(site, file)
                with self.state:
                    self.deferred.pop(file.src_uri, None)
                    self.state.notify_all()
            if self.relist:
                for file in site.listing_pages:
                    if self.interrupt.is_set():
                        return ""
                    self.relisted(site, file)
                pages += len(site.listing_pages)
                with self.state:
                    self.relist = False
                    self.state.notify_all()
        if self.due and site.search is not None:
            self.reindex(site)
        level = site.config.validation.links.anchors
        for file in site.pages:
            if file.page is not None:
                file.page.validate_anchor_links(files=site.files, log_level=level)
        return f"{pages} pages and the search index" if pages else "the search index"

    def reindex(self, site: Site) -> None:
        """Index the rebuilt pages; write the whole index, every page's entries in full-build order."""
        for url, snapshot in list(self.due.items()):
            fresh = type(site.index)(**site.index.config)
            fresh.add_entry_from_context(snapshot)
            site.entries[url] = fresh.entries
        site.index.entries = [e for f in site.pages if f.page for e in site.entries.get(f.page.url, [])]
        data = site.index.generate_search_index(None)
        path = Path(site.config.site_dir, *SEARCH_INDEX.split("/"))
        staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        staged.write_bytes(data.encode("utf-8"))
        staged.replace(path)
        with self.state:
            self.due.clear()
            self.state.notify_all()

    def drop(self) -> None:
        """Forget what waits for the background (a full rebuild redoes it)."""
        with self.state:
            self.deferred.clear()
            self.due.clear()
            self.relist = False
            self.state.notify_all()

    # Serving: a request for a page that waits for the background waits too.

    def waiting(self) -> set[str]:
        """The site files not yet rebuilt after the last change (call with ``state`` held)."""
        names = {f.dest_uri for f in self.deferred.values()}
        if self.relist and self.site is not None:
            names |= {f.dest_uri for f in self.site.listing_pages}
        if self.due:
            names.add(SEARCH_INDEX)
        return names

    def gate(self, app: WSGIApplication) -> WSGIApplication:
        """The server's application, holding back requests for files the background has yet to rebuild."""
        mount = self.server.mount_path if self.server is not None else "/"

        def gated(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            path = str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "ignore")
            if path.startswith(mount):
                name = path[len(mount) :]
                if name == "" or name.endswith("/"):
                    name += "index.html"
                name = posixpath.normpath("/" + name).lstrip("/")
                with self.state:
                    self.state.wait_for(lambda: name not in self.waiting(), timeout=GATE_TIMEOUT)
            return app(environ, start_response)

        return gated


PREVIEW = Preview()


def on_startup(*, command: str, dirty: bool) -> None:
    """The fast preview runs under ``mkdocs serve`` only, and not with ``--dirty`` (MkDocs' own partial builds)."""
    PREVIEW.enabled = command == "serve" and not dirty


def on_config(config: MkDocsConfig) -> None:
    """A full build starts: forget what the last one left until this one ends."""
    PREVIEW.capture = {}


def on_pre_build(config: Any) -> None:
    """Regenerate the pages; on failure print every problem and keep the last good pages."""
    if PREVIEW.generated:
        return  # the preview's own full rebuild: the generator has just run
    outcome = regenerate(config)
    PREVIEW.record(outcome, str(Path(config["docs_dir"]).absolute()))


def on_files(files: Files, *, config: MkDocsConfig) -> None:
    """Keep the files of this full build (see ``on_post_build``)."""
    PREVIEW.capture["files"] = files


def on_nav(nav: Navigation, *, config: MkDocsConfig, files: Files) -> None:
    """Keep the navigation of this full build."""
    PREVIEW.capture["nav"] = nav


def on_env(env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> None:
    """Keep the theme's environment of this full build (after the tags plugin filled its listings)."""
    PREVIEW.capture["env"] = env


def on_post_build(*, config: MkDocsConfig) -> None:
    """Keep what the full build made, to rebuild single pages against it."""
    PREVIEW.built(config)


def on_build_error(*, error: Exception) -> None:
    """A failed build leaves nothing to rebuild against: the next change rebuilds the whole site."""
    PREVIEW.capture = {}
    PREVIEW.site = None


def on_serve(server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[[], None]) -> LiveReloadServer:
    """Take over watching and rebuilding (see the module's docstring)."""
    PREVIEW.attach(server, config, builder)
    return server


def on_shutdown() -> None:
    """Stop watching."""
    PREVIEW.detach()
