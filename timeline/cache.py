"""What the last runs learnt about the seeds and the pages, kept beside ``docs/``.

Under ``.timeline-cache/``: a small index (every seed's signature, problems
and digests, every generated page's key and file status, and the timeline's
totals, ``model.Tally``) that each run reads; shards of the seeds' articles
and of their article pages, read only for seeds a run needs but did not
read again; and the last layout of the timeline (``model.Layout``): the
list of articles, and files a year of events with their rendered parts,
read when a seed changed what the timeline shows and written again only
where it changed. A run that changed one article's text thus reads the
index and rewrites two shards, not ten thousand articles; one that changed
a milestone reads the years its events were and are in, and patches the
pages that show them.

Never a source of truth: it is bound to one version of the code, templates
and vocabulary (``environment``), and whatever cannot be read is treated as
absent, which only costs time.
"""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from timeline.model import Article, ArticleEntry, EventSummary, Tally
from timeline.render import EventParts

Fragments = tuple[EventParts, ...]
"""The parts of a seed's milestones' events as if each had one source (``render.Renderer.fragments``)."""

FORMAT = 7
YEAR_KINDS = ("events", "blocks", "lines", "data")
"""What the cache keeps of each year: its events (``model.EventSummary``) in order, then their
timeline sections, their list lines (both lists in the same order) and its lines of the data file
(``render.data_chunk``). Each is read only when a page needs it."""
SHARDS = 64
"""Enough that one edited seed rewrites a small file, few enough to read them all quickly."""


@dataclass
class Built:
    """The seeds of the last run that wrote docs/: their headers and the pages their milestones link to."""

    headers: dict[str, str]
    """``build.header`` of every seed, by file name."""
    links: dict[str, tuple[str, ...]]
    """The timeline page of each milestone's event, by file name."""
    pages: frozenset[str]
    """The article pages."""
    milestones: dict[str, tuple[str, tuple[str, ...]]]
    """Each seed's article id and milestone ids, by file name."""
    years: dict[int, str]
    """The stamp of each year's file of events (``Cache.year``): the layout, a year at a time."""
    listing: str
    """The stamp of the list of articles (``Cache.listing``)."""
    tally: Tally
    """The timeline's totals: what the pages that count events show."""


@dataclass
class Index:
    """The part of the cache that every run reads."""

    environment: str
    seeds: dict[str, Any] = field(default_factory=dict)
    """``build.SeedResult`` without article or page, by file name (a plain tuple on disk)."""
    built: Built | None = None
    outputs: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    """Every generated file with a key: (key, size, modification time in ns) as last written."""


def folder(docs: Path) -> Path:
    """Beside docs/, never in it: docs/ stays exactly what a fresh run writes."""
    return docs.resolve().parent / ".timeline-cache"


def shard_of(name: str) -> int:
    """The shard that keeps a seed's article."""
    return zlib.crc32(name.encode()) % SHARDS


class Cache:
    """The index, loaded at once, and the shards, loaded when asked for.

    Two kinds of shard: ``articles`` (each seed's article, read to lay the
    timeline out anew or to merge again the events it cites) and ``pages``
    (each seed's article page with its event links open, and its milestone
    ids, read only to rewrite a page whose seed did not change: links that
    moved, a page deleted, an empty docs/).
    """

    def __init__(self, docs: Path, environment: str) -> None:
        self.root = folder(docs)
        self.stem = docs.resolve().name
        self.environment = environment
        loaded = self._read(self._index_file())
        valid = isinstance(loaded, Index) and loaded.environment == environment
        self.index: Index = loaded if valid else Index(environment)
        self._shards: dict[tuple[str, int], dict[str, tuple[Any, ...]]] = {}

    def _index_file(self) -> Path:
        return self.root / f"{self.stem}.index.pickle"

    def _shard_file(self, kind: str, number: int) -> Path:
        return self.root / f"{self.stem}.{kind}-{number:02d}.pickle"

    def _read(self, path: Path) -> Any:
        # Unpickling builds tens of thousands of objects and no garbage: collecting
        # meanwhile would only scan them again and again (a third of the time here).
        collecting = gc.isenabled()
        gc.disable()
        try:
            with path.open("rb") as stream:
                header, data = pickle.load(stream)  # noqa: S301 - our own file, beside the user's seeds
        except Exception:  # noqa: BLE001 - a cache that cannot be read is a cache that is not there
            return None
        finally:
            # Nor should later collections scan them: what the cache holds lives as long as the run.
            gc.freeze()
            if collecting:
                gc.enable()
        return data if header == (FORMAT, self.environment) else None

    def _shard(self, kind: str, number: int) -> dict[str, tuple[Any, ...]]:
        if (kind, number) not in self._shards:
            found = self._read(self._shard_file(kind, number))
            self._shards[kind, number] = found if isinstance(found, dict) else {}
        return self._shards[kind, number]

    def _get(self, kind: str, name: str, digest: str) -> tuple[Any, ...] | None:
        entry = self._shard(kind, shard_of(name)).get(name)
        if entry is None or entry[0] != digest:  # a shard older or newer than the index
            return None
        return entry[1:]

    def article(self, name: str, digest: str) -> Article | None:
        """The article of a seed with these bytes, if the cache has it."""
        found = self._get("articles", name, digest)
        return None if found is None else found[0]

    def page(self, name: str, digest: str) -> tuple[str, tuple[str, ...]] | None:
        """The article page of a seed with these bytes, links open, and its milestone ids, if the cache has them."""
        found = self._get("pages", name, digest)
        return None if found is None else (found[0], found[1])

    def year(self, year: int, kind: str, stamp: str) -> Any:
        """What the run that wrote ``stamp`` kept of a year's events, or None: one of ``YEAR_KINDS``."""
        found = self._read(self._year_file(year, kind))
        if not (isinstance(found, tuple) and len(found) == 2 and found[0] == stamp):
            return None
        if kind == "events" and isinstance(found[1], list):
            new = tuple.__new__
            return [new(EventSummary, row) for row in found[1]]
        return found[1]

    def save_year(self, year: int, kinds: dict[str, Any]) -> str:
        """Keep a year's events and their parts (``YEAR_KINDS``); return the stamp the index must name.

        Events are kept as plain tuples: pickle reads those without a call into
        Python for each, and a run that lays the timeline out reads them all.
        """
        stamp = os.urandom(8).hex()
        for kind, data in kinds.items():
            kept = [tuple(event) for event in data] if kind == "events" else data
            self._save(self._year_file(year, kind), (stamp, kept))
        return stamp

    def forget_years_except(self, years: set[int]) -> None:
        """Drop the files of years that no longer have events."""
        prefix = f"{self.stem}.year-"
        for path in self.root.glob(f"{prefix}*.pickle"):
            year = path.name.removeprefix(prefix).split(".", 1)[0]
            if not year.lstrip("-").isdigit() or int(year) not in years:
                path.unlink(missing_ok=True)

    def _year_file(self, year: int, kind: str) -> Path:
        return self.root / f"{self.stem}.year-{year}.{kind}.pickle"

    def listing(self, stamp: str) -> tuple[tuple[ArticleEntry, ...], tuple[str, ...]] | None:
        """Every article as the list of articles shows it, and its row, as the run that wrote ``stamp`` left them."""
        found = self._read(self.root / f"{self.stem}.listing.pickle")
        if isinstance(found, tuple) and len(found) == 3 and found[0] == stamp and len(found[1]) == len(found[2]):
            return tuple(found[1]), tuple(found[2])
        return None

    def save_listing(self, entries: tuple[ArticleEntry, ...], rows: list[str]) -> str:
        """Keep the list of articles and their rows (``render.Renderer.article_rows``); return its stamp."""
        stamp = os.urandom(8).hex()
        self._save(self.root / f"{self.stem}.listing.pickle", (stamp, entries, tuple(rows)))
        return stamp

    def store(self, kind: str, number: int, entries: dict[str, tuple[Any, ...] | None], current: set[str]) -> None:
        """Put (or, with None, drop) seeds' entries in a shard and write it, dropping seeds that are gone.

        Called by the worker that read those seeds: shards are written in
        parallel, one worker each. Each entry starts with the digest of the
        bytes it came from, so a shard out of step with the index (a run that
        failed between the two) is never believed. A failure only loses the
        shortcut.
        """
        self._shards.pop((kind, number), None)
        shard = {name: entry for name, entry in self._shard(kind, number).items() if name in current}
        for name, entry in entries.items():
            if entry is None:
                shard.pop(name, None)
            else:
                shard[name] = entry
        self._shards[kind, number] = shard
        self._save(self._shard_file(kind, number), shard)

    def forget_except(self, names: set[str]) -> None:
        """Drop seeds that are gone from the index."""
        for name in [n for n in self.index.seeds if n not in names]:
            del self.index.seeds[name]

    def save(self) -> None:
        """Write the index; a failure only loses the shortcut.

        Each seed's result is kept as a plain tuple (``build`` makes it a
        ``SeedResult`` again): pickle writes and reads ten thousand of those
        without a call into Python for each, four times faster.
        """
        seeds = {name: tuple(result) for name, result in self.index.seeds.items()}
        self._save(self._index_file(), replace(self.index, seeds=seeds))

    def _save(self, path: Path, data: Any) -> None:
        try:
            self.root.mkdir(exist_ok=True)
            self._write(path, data)
        except OSError:
            path.unlink(missing_ok=True)

    def _write(self, path: Path, data: Any) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(((FORMAT, self.environment), data), stream, protocol=pickle.HIGHEST_PROTOCOL)
            # Not os.replace: ext4 flushes a file renamed over another to disk at once (tens of
            # milliseconds for the index). A cache file missing for a moment costs time, not correctness.
            path.unlink(missing_ok=True)
            Path(temporary).rename(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
