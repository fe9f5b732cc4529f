"""Live preview for ``make serve``: an MkDocs hook, used only by ``mkdocs.serve.yml``.

Before each build it regenerates ``docs/`` from ``seeds/``. A broken seed
prints its problems and leaves ``docs/`` as it was, so the server keeps
serving the last good site. Nothing else depends on this hook: the site
itself builds from ``mkdocs.yml`` with any MkDocs-compatible engine.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# MkDocs loads hooks by path; make the package importable from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timeline.build import InMemory, Stop
from timeline.cli import generate, summary

KEEP = InMemory()
"""The memo of the last run, kept in this long-running process: a save costs no reading of it."""


def on_pre_build(config: Any) -> None:
    """Regenerate the pages; on failure print every problem and keep the last good pages."""
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
        return
    if outcome.report.written or outcome.report.removed:
        print(summary(outcome, docs), file=sys.stderr)
