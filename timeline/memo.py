"""Remember what pure stages gave, under the digest of their inputs: the build's only cache.

A memo maps a content key to a plain value (strings, numbers, tuples, lists,
dicts, None), one file per shard of keys, written with ``marshal``: reading
it builds values and never runs code, unlike a pickle, so a cache restored
in CI or handed between editors is data and nothing more. It lives in
``.timeline-cache/`` beside ``docs/`` (never in it, so that ``docs/`` stays
what a fresh run writes), in a folder named by the stamp of everything the
results depend on besides the keys themselves (the code, templates,
vocabulary, Python). Files of another stamp, or that cannot be read, are
ignored: a lost or damaged memo costs time, never correctness.

Besides the memo, ``Record`` keeps what the last run knew of the files
around it: each seed's status and digest (so that an unchanged file is not
read to be digested again) and each generated file's key and status (so
that a page whose key is unchanged, and that nobody edited, is not rendered
again).
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import shutil
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHARDS = 64
"""Enough that one edit rewrites small files, few enough that reading a whole kind is quick."""
FORMAT = 1
"""Raise when the layout of the files changes."""


def cache_folder(docs: Path) -> Path:
    """Beside docs/, never in it: docs/ stays exactly what a fresh run writes."""
    return docs.resolve().parent / ".timeline-cache"


def shard_of(key: str) -> int:
    """Which shard holds a key: keys are hexadecimal digests, so their head spreads evenly."""
    return int(key[:4], 16) % SHARDS


def _load(path: Path, stamp: str) -> Any:
    """The value a file holds, or None when it is missing, damaged or of another stamp.

    Garbage collection is off meanwhile: tens of thousands of new tuples would
    trigger it many times over, for nothing (they hold no cycles).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        data = marshal.loads(path.read_bytes())  # noqa: S302 - plain values only, see the module docstring
    except (OSError, EOFError, ValueError, TypeError):
        return None
    finally:
        if collecting:
            gc.enable()
    if not (isinstance(data, tuple) and len(data) == 3 and data[:2] == (FORMAT, stamp)):
        return None
    return data[2]


def _dump(path: Path, stamp: str, value: Any) -> None:
    """Write a file whole or not at all: a run killed midway leaves the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(marshal.dumps((FORMAT, stamp, value)))
        os.replace(temporary, path)  # noqa: PTH105
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Memo:
    """Results by kind and key; each kind's shards read on first use, and written back when they gained entries."""

    def __init__(self, root: Path, stamp: str) -> None:
        self.folder = root / stamp[:20]
        self.root = root
        self.stamp = stamp
        self._shards: dict[tuple[str, int], dict[str, Any]] = {}
        self._dirty: set[tuple[str, int]] = set()
        self.decoded: dict[tuple[str, str], Any] = {}
        """Objects made from values of this memo (a seed's result), kept by whoever runs again in this process."""

    def _shard(self, kind: str, number: int) -> dict[str, Any]:
        shard = self._shards.get((kind, number))
        if shard is None:
            loaded = _load(self.folder / kind / f"{number:02x}", self.stamp)
            shard = self._shards[kind, number] = loaded if isinstance(loaded, dict) else {}
        return shard

    def get(self, kind: str, key: str) -> Any:
        """The value kept under ``key``, or None."""
        return self._shard(kind, shard_of(key)).get(key)

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        """The values kept under any of ``keys``; those without one are left out."""
        found = {}
        for key in keys:
            value = self._shard(kind, shard_of(key)).get(key)
            if value is not None:
                found[key] = value
        return found

    def put(self, kind: str, key: str, value: Any) -> None:
        """Keep ``value`` (plain data, never None) under ``key``."""
        number = shard_of(key)
        self._shard(kind, number)[key] = value
        self._dirty.add((kind, number))

    def save(self, live: Mapping[str, Collection[str]]) -> None:
        """Write the shards that changed, keeping only the keys ``live`` names for their kind.

        ``live`` holds every key of a kind that this run's output depends on:
        an entry no run can ask for again leaves when a run reads its shard,
        and a shard that no live key falls in is deleted.
        Folders of other stamps (an older version of the code) are removed.
        """
        for (kind, number), shard in sorted(self._shards.items()):
            keep = live.get(kind)
            if keep is not None and any(key not in keep for key in shard):
                shard = self._shards[kind, number] = {key: value for key, value in shard.items() if key in keep}
            elif (kind, number) not in self._dirty:
                continue
            _dump(self.folder / kind / f"{number:02x}", self.stamp, shard)
        self._dirty.clear()
        shards_of: dict[int, set[str]] = {}  # kinds often share one set of live keys
        for kind, keys in live.items():  # a shard no live key falls in holds nothing anyone can ask for
            used = shards_of.get(id(keys))
            if used is None:
                used = shards_of[id(keys)] = {f"{shard_of(key):02x}" for key in keys}
            with contextlib.suppress(OSError):
                for path in (self.folder / kind).iterdir():
                    if path.name not in used and not path.name.startswith("."):
                        path.unlink()
        with contextlib.suppress(OSError):
            for other in self.root.iterdir():
                if other.is_dir() and other != self.folder:
                    shutil.rmtree(other, ignore_errors=True)


Status = tuple[int, int, int, int]
"""A file's size, modification and change times (ns) and inode: any write changes one of them."""


@dataclass
class Record:
    """What the last successful run knew of its seeds and of the files it wrote."""

    seeds: dict[str, tuple[Status, str]] = field(default_factory=dict)
    """Each seed's status and the digest of its bytes, by file name."""
    outputs: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    """Each generated file's key, size and modification time (ns), by path under docs/."""
    run: str = ""
    """The key of the whole run (every seed's key): equal keys and untouched outputs mean nothing to do."""
    counts: tuple[int, int] = (0, 0)
    """The articles and events of that run, for its summary."""

    @classmethod
    def read(cls, memo: Memo) -> Record:
        """The record kept with the memo, or an empty one."""
        data = _load(memo.folder / "record", memo.stamp)
        try:
            seeds, outputs, run, (articles, events) = data
            return cls(dict(seeds), dict(outputs), str(run), (int(articles), int(events)))
        except (TypeError, ValueError):
            return cls()

    def write(self, memo: Memo) -> None:
        """Keep the record beside the memo, for the next run."""
        _dump(memo.folder / "record", memo.stamp, (self.seeds, self.outputs, self.run, self.counts))
