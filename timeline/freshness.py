"""Skip a run whose inputs and outputs are exactly as the last successful run left them.

A cache, not a source of truth: it lives beside docs/ (never in it, so docs/
stays byte-for-byte reproducible), and anything it cannot vouch for (a
changed seed, raw file, template, vocabulary or line of code, or an output
edited by hand) means a full run.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
TEMPLATES = PACKAGE.parent / "templates"


def _walk(folder: str, suffix: str = "") -> list[tuple[str, os.stat_result]]:
    """Every file below ``folder`` (ending in ``suffix``), with its status; os.scandir, for speed."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            found += _walk(entry.path, suffix)
        elif entry.name.endswith(suffix):
            found.append((entry.path, entry.stat()))
    return found


def fingerprint(seeds: Path, docs: Path, scanned: Mapping[str, tuple[int, ...]]) -> str:
    """A digest of every input's name, size and modification time, and of where the output goes.

    ``scanned`` gives the status (size, modification time, ...) of each seed (``build.scan_seeds``).
    """
    digest = hashlib.sha256(str(docs.resolve()).encode())
    files = [(f"{seeds}/{name}", status[0], status[1]) for name, status in scanned.items()]
    others = _walk(str(seeds / "raw"))
    others += _walk(str(PACKAGE), ".py") + _walk(str(PACKAGE / "data")) + _walk(str(TEMPLATES))
    files += [(path, status.st_size, status.st_mtime_ns) for path, status in others]
    for path, size, mtime in sorted(files):
        digest.update(f"\0{path}\0{size}\0{mtime}".encode())
    return digest.hexdigest()


def state_file(docs: Path) -> Path:
    """Where the state of the last successful run into ``docs`` is kept."""
    return docs.resolve().parent / ".timeline-cache" / f"{docs.resolve().name}.json"


def _outputs(docs: Path, names: list[str]) -> dict[str, list[int]]:
    found = {}
    for name in names:
        status = os.stat(f"{docs}/{name}")  # noqa: PTH116 - ten thousand Path objects cost more than the calls
        found[name] = [status.st_size, status.st_mtime_ns]
    return found


def up_to_date(inputs: str, docs: Path) -> bool:
    """Whether the last successful run had these inputs and its outputs are untouched."""
    try:
        text = state_file(docs).read_text(encoding="utf-8")
        if not text.startswith(_head(inputs)):  # most runs: not worth reading ten thousand outputs
            return False
        state = json.loads(text)
        return bool(state["inputs"] == inputs and _outputs(docs, sorted(state["outputs"])) == state["outputs"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _head(inputs: str) -> str:
    """How a state file recorded for ``inputs`` begins (``record`` writes them first)."""
    return json.dumps({"inputs": inputs})[:-1]


def record(inputs: str, docs: Path, files: dict[str, tuple[int, int]]) -> None:
    """Remember a successful run over ``inputs``, the fingerprint taken *before* it read anything.

    A seed saved during the run then no longer matches, and the next run is a
    full one. Failing to record is harmless for the same reason.
    """
    path = state_file(docs)
    try:
        path.parent.mkdir(exist_ok=True)
        state = {"inputs": inputs, "outputs": {name: list(status) for name, status in sorted(files.items())}}
        path.write_text(json.dumps(state), encoding="utf-8")
    except OSError:
        path.unlink(missing_ok=True)
