"""Write generated files into ``docs/``: all or nothing, and only what changed.

The generator owns exactly the files listed in its manifest; hand-written
pages are never touched, and a generated page whose article is gone is
removed. Every new file is first written beside its target; only when all of
them are on disk are they renamed into place, so a failure (a full disk, a
permission) leaves ``docs/`` as it was.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = ".timeline-manifest.json"
"""Lists the files the generator owns; a dot file, so MkDocs does not publish it."""


class WriteError(Exception):
    """The docs folder could not be updated; it is as it was before the run."""


@dataclass(frozen=True)
class WriteReport:
    """What a run changed, for the user and for tests."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    files: tuple[str, ...] = ()
    """Every generated file now in docs/, written or not."""


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or name != path.as_posix():
        raise WriteError(f"refusing to write outside the docs folder: {name!r}")
    return path


def _owned(docs: Path) -> set[str]:
    try:
        data = json.loads((docs / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return set()
    except (OSError, ValueError) as error:
        raise WriteError(f"{docs / MANIFEST} is unreadable ({error}); delete it to start afresh") from error
    return {str(name) for name in data.get("files", [])}


def _check_target(docs: Path, relative: PurePosixPath) -> Path:
    """Refuse targets reached through a symbolic link: they could write outside ``docs/``."""
    target = docs
    for part in relative.parts:
        target = target / part
        if target.is_symlink():
            raise WriteError(f"refusing to write through the symbolic link {target}")
    return target


def write_docs(docs: Path, files: dict[str, str]) -> WriteReport:
    """Make ``docs/`` hold exactly ``files`` among the generated ones; return what changed."""
    owned = _owned(docs)
    manifest_text = json.dumps({"files": sorted(files)}, indent=1) + "\n"
    pending: dict[Path, bytes] = {}
    for name in sorted(files):
        target = _check_target(docs, _safe_relative(name))
        data = files[name].encode("utf-8")
        if target.exists():
            if name not in owned:
                raise WriteError(
                    f"{target} exists but was not generated; move it away or rename it, "
                    "the generator never overwrites hand-written pages"
                )
            if target.is_file() and target.read_bytes() == data:
                continue
        pending[target] = data
    stale = sorted(owned - set(files))
    manifest = docs / MANIFEST
    if pending or stale or not manifest.exists() or manifest.read_text(encoding="utf-8") != manifest_text:
        pending[manifest] = manifest_text.encode("utf-8")

    staged: list[tuple[Path, Path]] = []  # (temporary, target)
    created: list[Path] = []
    try:
        for target, data in pending.items():
            for parent in reversed(target.parents):
                if not parent.exists():
                    parent.mkdir()
                    created.append(parent)
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((Path(name), target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
    except OSError as error:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        for directory in reversed(created):
            directory.rmdir()
        raise WriteError(f"could not write the generated pages ({error}); docs/ is unchanged") from error

    for temporary, target in staged:
        temporary.replace(target)
    for stale_name in stale:
        path = docs / stale_name
        path.unlink(missing_ok=True)
        for parent in path.parents:
            if parent == docs or any(parent.iterdir()):
                break
            parent.rmdir()
    written = tuple(sorted(str(t.relative_to(docs)) for _, t in staged if t != manifest))
    return WriteReport(written, tuple(stale), len(files) - len(written), tuple(sorted(files)))
