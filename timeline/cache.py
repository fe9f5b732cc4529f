"""What the last runs learnt about the seeds and the pages, kept beside ``docs/``.

Under ``.timeline-cache/``: a small index (every seed's signature, problems
and digests, and every generated page's key and file status) that each run
reads; shards of the seeds' articles and of their article pages, read only
for seeds a run needs but did not read again; the last layout of the
timeline (``model.Layout``), read when a seed changed what the timeline
shows; and each event's rendered parts, by year, read when a page listing
them must be written again. A run that changed one article's text thus reads
the index and rewrites two shards, not ten thousand articles; one that
changed a milestone moves one event in the layout and rewrites the pages
that list it from the parts of the others.

Never a source of truth: it is bound to one version of the code, templates
and vocabulary (``environment``), and whatever cannot be read is treated as
absent, which only costs time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from timeline.model import Article, Layout
from timeline.render import EventParts

Fragments = tuple[EventParts, ...]
"""The parts of a seed's milestones' events as if each had one source (``render.Renderer.fragments``)."""

FORMAT = 3
SHARDS = 64
"""Enough that one edited seed rewrites a small file, few enough to read them all quickly."""


@dataclass
class Built:
    """The seeds of the last run that wrote docs/: their headers and the pages their milestones link to."""

    headers: dict[str, str]
    """``build.header`` of every seed, by file name."""
    links: dict[str, tuple[str, ...]]
    """The timeline page of each milestone's event, by file name."""
    counts: tuple[int, int]
    """Articles and events."""
    pages: frozenset[str]
    """The article pages."""
    milestones: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """Each seed's article id and milestone ids, by file name."""

    @property
    def token(self) -> str:
        """Names the layout of this run: a layout file with another token is out of step with the index."""
        return hashlib.sha1(repr(sorted(self.headers.items())).encode(), usedforsecurity=False).hexdigest()


@dataclass
class Index:
    """The part of the cache that every run reads."""

    environment: str
    seeds: dict[str, Any] = field(default_factory=dict)
    """``build.SeedResult`` without article or page, by file name."""
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
    timeline out anew or merge again the events it cites) and ``pages`` (each seed's article page with its
    event links open, and its milestone ids, read only to rewrite a page whose
    seed did not change: links that moved, a page deleted, an empty docs/).
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
        try:
            with path.open("rb") as stream:
                header, data = pickle.load(stream)  # noqa: S301 - our own file, beside the user's seeds
        except Exception:  # noqa: BLE001 - a cache that cannot be read is a cache that is not there
            return None
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

    def layout(self, built: Built) -> Layout | None:
        """The layout that the run that wrote ``built`` laid out, if the cache has it."""
        found = self._read(self.root / f"{self.stem}.layout.pickle")
        if isinstance(found, tuple) and len(found) == 2 and found[0] == built.token and isinstance(found[1], Layout):
            return found[1]
        return None

    def save_layout(self, built: Built, layout: Layout) -> None:
        """Keep the layout of this run; a failure only loses the shortcut."""
        self._save(self.root / f"{self.stem}.layout.pickle", (built.token, layout))

    def parts(self, year: int) -> dict[str, tuple[str, EventParts]]:
        """The parts of the events of a year as last written, with the key of each event (``EventSummary.key``)."""
        found = self._read(self.root / f"{self.stem}.parts-{year}.pickle")
        return found if isinstance(found, dict) else {}

    def save_parts(self, year: int, parts: dict[str, tuple[str, EventParts]]) -> None:
        """Keep the parts of the events of a year; a failure only loses the shortcut."""
        self._save(self.root / f"{self.stem}.parts-{year}.pickle", parts)

    def forget_parts_except(self, years: set[int]) -> None:
        """Drop the parts of years that no longer have events."""
        for path in self.root.glob(f"{self.stem}.parts-*.pickle"):
            year = path.name.removeprefix(f"{self.stem}.parts-").removesuffix(".pickle")
            if not year.lstrip("-").isdigit() or int(year) not in years:
                path.unlink(missing_ok=True)

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
        try:
            self.root.mkdir(exist_ok=True)
            self._write(self._shard_file(kind, number), shard)
        except OSError:
            self._shard_file(kind, number).unlink(missing_ok=True)

    def forget_except(self, names: set[str]) -> None:
        """Drop seeds that are gone from the index."""
        for name in [n for n in self.index.seeds if n not in names]:
            del self.index.seeds[name]

    def save(self) -> None:
        """Write the index; a failure only loses the shortcut."""
        self._save(self._index_file(), self.index)

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
            Path(temporary).replace(path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
