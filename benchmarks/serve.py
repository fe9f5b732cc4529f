"""Benchmark the live preview: how long a saved seed takes to reach the pages ``make serve`` serves.

    python -m benchmarks.serve [--sizes 1000 10000] [--edits 3] [--workdir DIR]

For each size it writes a synthetic corpus (``benchmarks.corpus``) into a
fresh project folder laid out as ``make serve`` expects (``mkdocs.yml``,
``mkdocs.serve.yml``, the hand-written pages of ``docs/``; the hook, the
templates and the code stay in this repository, as in the preview test),
runs the generator and then the real ``mkdocs serve -f mkdocs.serve.yml``,
waits for the first build, and times two kinds of edit, each several times:

- a milestone's title, which both the article's page and the timeline page
  that holds the event (its year's page once the timeline is split) show;
- an article's summary, which only the article's page shows.

Save-to-served is the time from writing the seed until every page that
shows the edit is served with the new text, polled over HTTP every 25 ms.
Between edits the benchmark waits until the server has been quiet for a
second, so that no edit pays for the one before. ``measure(size)`` returns
the figures (seconds) for other scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import write_corpus

REPO = Path(__file__).resolve().parent.parent
POLL = 0.025
"""Seconds between two polls of a page."""
QUIET = 1.0
"""Seconds without a line in the server's log after which an edit is over."""
GENERATED = ("index.md", "timeline", "articles", "countries", "procedures", "data", "data.md", "vocabularies.md")


def make_project(root: Path, size: int) -> Path:
    """A project folder with ``size`` synthetic seeds that ``mkdocs serve -f mkdocs.serve.yml`` can preview."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides", dirs_exist_ok=True)
    serve = (REPO / "mkdocs.serve.yml").read_text(encoding="utf-8")
    serve = serve.replace("  - timeline/preview.py", f"  - {REPO / 'timeline' / 'preview.py'}")
    serve = serve.replace("  - templates\n", f"  - {REPO / 'templates'}\n")
    serve = serve.replace("  - timeline\n", f"  - {REPO / 'timeline'}\n")
    (root / "mkdocs.serve.yml").write_text(serve, encoding="utf-8")
    shutil.copytree(REPO / "docs", root / "docs", ignore=shutil.ignore_patterns(".*", *GENERATED))
    write_corpus(root / "seeds", size)
    return root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, timeout: float = 600) -> str | None:
    """The page's text, or None while the server does not answer or has no such page."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return str(response.read().decode("utf-8"))
    except (OSError, urllib.error.URLError):
        return None


@dataclass
class Server:
    """A running ``mkdocs serve`` and its log."""

    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def quiet(self, seconds: float = QUIET, limit: float = 600) -> None:
        """Wait until the log has not grown for ``seconds``: whatever the last edit started is over."""
        deadline = time.monotonic() + limit
        size, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            now = self.log.stat().st_size
            if now != size:
                size, since = now, time.monotonic()
            elif time.monotonic() - since >= seconds:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(root: Path, timeout: float) -> Server:
    """Generate the pages as ``make serve`` does, start the server and wait for its first build."""
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "0")}
    python = sys.executable
    subprocess.run([python, str(REPO / "build_timeline.py"), "-q"], cwd=root, env=env, check=True)
    port = free_port()
    log = root / "serve.log"
    command = [python, "-m", "mkdocs", "serve", "-f", "mkdocs.serve.yml", "-a", f"127.0.0.1:{port}"]
    with log.open("wb") as stream:
        process = subprocess.Popen(command, cwd=root, stdout=stream, stderr=subprocess.STDOUT, env=env)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while fetch(f"{server.base}/timeline/", timeout=5) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise SystemExit(f"mkdocs serve did not start:\n{log.read_text(encoding='utf-8')[-3000:]}")
        time.sleep(0.2)
    server.quiet()
    return server


def timeline_pages(docs: Path) -> dict[str, str]:
    """Where each event is shown: its id -> the URL path of its timeline page."""
    events = json.loads((docs / "data" / "timeline.json").read_text(encoding="utf-8"))["events"]
    return {e["id"]: "/" + e["permalink"].split("#")[0] for e in events}


def candidates(seeds: Path, count: int) -> list[tuple[Path, str]]:
    """Seeds spread over the corpus whose first milestone is an event of their own (not shared)."""
    paths = sorted(seeds.glob("*.md"))
    step = max(1, len(paths) // (count + 1))
    chosen: list[tuple[Path, str]] = []
    for path in paths[step // 2 :: step] + paths:
        found = re.search(r"^  - id: (\S+)$", path.read_text(encoding="utf-8"), flags=re.M)
        if found and found[1].startswith("event-") and all(path != p for p, _ in chosen):
            chosen.append((path, found[1]))
        if len(chosen) == count:
            break
    return chosen


def served(server: Server, pages: list[str], text: str, started: float, limit: float) -> float:
    """Seconds from ``started`` until every page in ``pages`` is served with ``text``."""
    waiting = set(pages)
    while waiting:
        if time.monotonic() - started > limit:
            raise SystemExit(f"{text!r} did not reach {sorted(waiting)} within {limit} s")
        for page in sorted(waiting):
            body = fetch(server.base + page)
            if body is not None and text in body:
                waiting.discard(page)
        if waiting:
            time.sleep(POLL)
    return time.monotonic() - started


def edit(path: Path, old: str, new: str) -> float:
    """Replace the first ``old`` with ``new`` in a seed; return the monotonic time just before the write."""
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    changed = text.replace(old, new, 1)
    started = time.monotonic()
    path.write_text(changed, encoding="utf-8")
    return started


def measure(size: int, edits: int = 3, workdir: Path | None = None, limit: float = 600) -> dict[str, float]:
    """Save-to-served seconds at ``size`` articles: median and max of ``edits`` edits of each kind.

    Keys: ``first_build`` (start of ``mkdocs serve`` to the first page served),
    ``title_median``/``title_max`` (a milestone's title: the article's page and its
    timeline page) and ``summary_median``/``summary_max`` (a summary: the article's page).
    The project folder is made inside ``workdir`` and kept, or in a temporary folder removed after.
    """
    with tempfile.TemporaryDirectory(prefix="serve-bench-", dir=workdir) as folder:
        root = make_project(Path(folder) / str(size), size)
        started = time.monotonic()
        server = start(root, timeout=max(limit, 3600))
        first = time.monotonic() - started
        try:
            where = timeline_pages(root / "docs")
            titles: list[float] = []
            summaries: list[float] = []
            run = int(time.time()) % 100000
            for number, (seed, event) in enumerate(candidates(root / "seeds", edits)):
                article = f"/articles/{seed.stem}/"
                marker = f"Retitled{run}x{number}"
                began = edit(seed, "    title: ", f"    title: {marker} ")
                titles.append(served(server, [article, where[event]], marker, began, limit))
                server.quiet()
                marker = f"Summarised{run}x{number}"
                began = edit(seed, "summary: ", f"summary: {marker} ")
                summaries.append(served(server, [article], marker, began, limit))
                server.quiet()
        finally:
            server.stop()
            if workdir is not None:  # keep the log where the caller can read it
                shutil.copy(root / "serve.log", Path(workdir) / f"serve-{size}.log")
    return {
        "first_build": first,
        "title_median": statistics.median(titles),
        "title_max": max(titles),
        "summary_median": statistics.median(summaries),
        "summary_max": max(summaries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=3, help="edits of each kind (default 3)")
    parser.add_argument("--workdir", type=Path, default=None, help="where to make the projects (default: a temp dir)")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "timeline")], check=True)  # as make does
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
    results = {size: measure(size, args.edits, args.workdir) for size in args.sizes}
    rows = [
        ("first build (start to first page)", "first_build", None),
        ("milestone title: article + timeline page", "title_median", "title_max"),
        ("summary: article page", "summary_median", "summary_max"),
    ]
    print(f"| save-to-served, {args.edits} edits each ({os.cpu_count()} cores) | "
          + " | ".join(f"{s:,} articles" for s in args.sizes) + " |")  # fmt: skip
    print("|---|" + "---|" * len(args.sizes))
    for name, median, most in rows:
        cells = []
        for size in args.sizes:
            figures = results[size]
            cells.append(
                f"{figures[median]:.1f} s"
                if most is None
                else f"median {figures[median]:.2f} s, max {figures[most]:.2f} s"
            )
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
