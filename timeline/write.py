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
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = ".timeline-manifest.json"
"""Lists the files the generator owns; a dot file, so MkDocs does not publish it."""


Content = str | bytes
"""What a generated file holds: text, or bytes."""


class WriteError(Exception):
    """The docs folder could not be updated; it is as it was before the run."""


@dataclass(frozen=True)
class WriteReport:
    """What a run changed, for the user and for tests."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int


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


def _utf8(text: Content) -> bytes:
    return text if isinstance(text, bytes) else text.encode()


def _check_target(docs: Path, relative: PurePosixPath, checked: set[Path]) -> Path:
    """Refuse targets reached through a symbolic link: they could write outside ``docs/``.

    ``checked`` remembers the folders already looked at, so that ten thousand
    pages in one folder cost one look at it.
    """
    target = docs
    for part in relative.parts:
        target = target / part
        if target in checked:
            continue
        if target.is_symlink():
            raise WriteError(f"refusing to write through the symbolic link {target}")
        if target.name != relative.name:
            checked.add(target)
    return target


def write_docs(docs: Path, files: Mapping[str, Content], keep: Iterable[str] = ()) -> WriteReport:
    """Make ``docs/`` hold exactly ``files`` among the generated ones, and ``keep`` as they are.

    ``keep`` names generated files the caller knows to be current; they must
    be in docs/ already, under the manifest. Return what changed.
    """
    owned = _owned(docs)
    kept = set(keep)
    if not kept <= owned:  # the manifest was edited or lost since the last run
        raise WriteError(
            f"{docs / min(kept - owned)} exists but was not generated; move it away or rename it, "
            "the generator never overwrites hand-written pages"
        )
    listed = kept | set(files)
    pending: dict[Path, Content] = {}  # encoded one at a time as written: ten thousand pages are a lot of bytes
    checked: set[Path] = set()
    for name in sorted(files):
        target = _check_target(docs, _safe_relative(name), checked)
        try:
            status = target.lstat()
        except FileNotFoundError:
            status = None
        if status is not None:
            if name not in owned:
                raise WriteError(
                    f"{target} exists but was not generated; move it away or rename it, "
                    "the generator never overwrites hand-written pages"
                )
            # UTF-8 takes at least a byte a character: a shorter file cannot hold the same text.
            text = files[name]
            same_size_or_more = stat.S_ISREG(status.st_mode) and status.st_size >= len(text)
            if same_size_or_more and target.read_bytes() == _utf8(text):
                continue
        pending[target] = files[name]
    stale = sorted(owned - listed)
    manifest = docs / MANIFEST
    if listed != owned or not manifest.exists():  # the same files: the manifest as it was (it lists ten thousand)
        pending[manifest] = json.dumps({"files": sorted(listed)}, indent=1) + "\n"

    staged: list[tuple[str, Path]] = []  # (temporary, target)
    created: list[Path] = []
    folders: set[Path] = {docs}
    try:
        for target, text in pending.items():
            folder = target.parent
            missing: list[Path] = []
            probe = folder
            while probe not in folders and not probe.exists():  # stops at docs/ at the latest
                missing.append(probe)
                probe = probe.parent
            for directory in reversed(missing):
                directory.mkdir()
                created.append(directory)
            folders.add(folder)
            temporary = f"{folder}/.{target.name}.{os.getpid()}.tmp"
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666)
            staged.append((temporary, target))
            with os.fdopen(handle, "wb") as stream:
                stream.write(_utf8(text))
    except OSError as error:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        for directory in reversed(created):
            directory.rmdir()
        raise WriteError(f"could not write the generated pages ({error}); docs/ is unchanged") from error

    for temporary, target in staged:
        os.replace(temporary, target)  # noqa: PTH105 - ten thousand Path objects cost more than the renames
    for stale_name in stale:
        path = docs / stale_name
        path.unlink(missing_ok=True)
        for parent in path.parents:
            if parent == docs or any(parent.iterdir()):
                break
            parent.rmdir()
    prefix = len(str(docs)) + 1
    written = tuple(sorted(str(target)[prefix:] for _, target in staged if target != manifest))
    return WriteReport(written, tuple(stale), len(listed) - len(written))
