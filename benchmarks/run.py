"""Benchmark what people wait for, on synthetic corpora.

    python -m benchmarks.run [--sizes 1000 10000] [--mkdocs] [--serve] [--workdir DIR]

For each size it reports the generator's runs: full generation (cold: empty
docs/, no memo), a no-op rerun, a one-file edit that the timeline does not
show (an article's summary), one that it does (a milestone's title), one
that moves an event (a milestone's date), a new article (new events, a new
entry in the list of articles) and its removal, a run into an emptied docs/
that keeps .timeline-cache/ (a fresh checkout that kept the memo); and the
parse floor (reading the same files and parsing their front matter with
PyYAML's libyaml loader, nothing else), against which the machine's speed
of the moment can be compared; each with wall time and peak memory. Peak
memory is the largest memory of the process and its worker processes
together (their proportional set sizes, so that pages shared after a fork
count once), sampled every 20 ms. With --mkdocs it also builds the site as
``make site`` does and reports the whole (generator and MkDocs) and the
generator's share, the site's size and its search index's size. It also
reports what the charts cost (``chart_cost``): the CPU time of laying out and
drawing every chart a full build shows, and their bytes. With
--serve it drives the real ``make serve`` preview (``benchmarks.serve``) and
reports the time from saving a seed to the changed pages being served.

The package's bytecode is compiled first, as ``make site`` does: on a machine
that sets PYTHONDONTWRITEBYTECODE every run would otherwise compile it again.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchmarks.corpus import article, write_corpus

REPO = Path(__file__).resolve().parent.parent

FLOOR = """
import sys, time, yaml
from pathlib import Path
loader = yaml.CSafeLoader
for path in sorted(Path(sys.argv[1]).glob("*.md")):
    text = path.read_text(encoding="utf-8")
    front = text.split("\\n---\\n", 1)[0][4:]
    yaml.load(front, Loader=loader)
"""


def _tree_memory(pid: int) -> int:
    """Bytes of memory a process and its descendants use together: the sum of their proportional
    set sizes, so that pages shared after a fork count once (0 when it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(child) for child in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak resident MiB (with worker processes) and output of one command.

    The disk is flushed first, so that no step pays for writing back what an
    earlier one wrote (on this machine, that can make creating ten thousand
    files ten times slower).
    """
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    peak = 0
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.append(process.stdout.read() if process.stdout else ""))
    reader.start()
    while process.poll() is None:
        peak = max(peak, _tree_memory(process.pid))
        time.sleep(0.02)
    reader.join()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{''.join(output)}")
    return elapsed, peak / 2**20, "".join(output)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


class Trash:
    """Folders a benchmark is done with: set aside during the run, deleted once it is over.

    On a file system without a journal (ext4 here), the kernel will not reuse
    an inode freed in the last 60 seconds and steps over each one when it
    creates a file (``recently_deleted`` in fs/ext4/ialloc.c): deleting ten
    thousand pages and then generating ten thousand made each new file cost
    0.4 ms more, 4 to 5 s per run, a cost of the benchmark's own clean-up that
    no run from a fresh checkout pays. Renaming a folder away frees nothing.
    """

    def __init__(self, workdir: Path) -> None:
        self.folder = workdir / "trash"
        self.count = 0

    def set_aside(self, path: Path) -> None:
        if path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            self.count += 1
            path.rename(self.folder / f"{self.count}-{path.name}")

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def empty_docs(docs: Path, trash: Trash) -> None:
    """The repository's hand-written docs/, without any generated page (the old one set aside)."""
    trash.set_aside(docs)
    shutil.copytree(REPO / "docs", docs, ignore=shutil.ignore_patterns(".*", "index.md", "timeline", "articles",
                                                                         "countries", "procedures", "data", "data.md",
                                                                         "vocabularies.md"))  # fmt: skip


def bench(size: int, workdir: Path, with_mkdocs: bool, trash: Trash) -> list[tuple[str, str]]:
    root = workdir / str(size)
    seeds = root / "seeds"
    if not seeds.exists() or len(list(seeds.glob("*.md"))) != size:
        trash.set_aside(root)
        write_corpus(seeds, size)
    docs = root / "docs"
    trash.set_aside(root / ".timeline-cache")
    empty_docs(docs, trash)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides", dirs_exist_ok=True)
    python = sys.executable
    generate = [python, str(REPO / "build_timeline.py"), "--seeds", str(seeds), "--docs", str(docs)]
    rows: list[tuple[str, str]] = []

    floor, floor_mem, _ = measure([python, "-c", FLOOR, str(seeds)], root)
    full, full_mem, _ = measure(generate, root)
    noop, noop_mem, output = measure(generate, root)
    assert "Nothing changed" in output, output
    edited = seeds / "bench-00007.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("summary: ", "summary: Edited. ", 1), encoding="utf-8")
    one, one_mem, output = measure(generate, root)
    assert "1 file written" in output, output
    retitled = seeds / "bench-00008.md"
    text = retitled.read_text(encoding="utf-8")
    retitled.write_text(text.replace("    title: ", "    title: Retitled ", 1), encoding="utf-8")
    milestone, milestone_mem, output = measure(generate, root)
    assert "file written" in output or "files written" in output, output
    redated = seeds / "bench-00009.md"
    text = redated.read_text(encoding="utf-8")
    first = re.search(r"^    date: (.*)$", text, flags=re.M)
    date = '"2012-06-05"' if first and first[1] == '"2011-05-04"' else '"2011-05-04"'  # a move, run after run
    redated.write_text(re.sub(r"^    date: .*$", f"    date: {date}", text, count=1, flags=re.M), encoding="utf-8")
    moved, moved_mem, output = measure(generate, root)
    assert "files written" in output, output
    # A new article (new events, an entry in the list of articles), then that article removed. One
    # seed is set aside meanwhile, so that the corpus stays at `size`: past 1,000 articles the search
    # index leaves article text out, which changes every page once (FULL_TEXT_SEARCH_LIMIT).
    aside = root / "set-aside.md"
    (seeds / "bench-00010.md").rename(aside)
    measure(generate, root)
    added = seeds / "bench-added.md"
    added.write_text(article(size, random.Random(size)), encoding="utf-8")
    new, new_mem, output = measure(generate, root)
    assert f"{size} articles" in output, output
    added.unlink()
    removed, removed_mem, output = measure(generate, root)
    assert f"{size - 1} articles" in output, output
    aside.rename(seeds / "bench-00010.md")
    measure(generate, root)
    empty_docs(docs, trash)  # as on a fresh checkout or CI run that kept .timeline-cache/
    warm, warm_mem, output = measure(generate, root)
    assert f"{size} articles" in output, output
    rows += [
        ("parse floor (libyaml)", f"{floor:.2f} s, {floor_mem:.0f} MiB"),
        ("full generation (no memo)", f"{full:.2f} s, {full_mem:.0f} MiB"),
        ("full generation, ratio to the floor", f"{full / floor:.1f}x"),
        ("no-op rerun", f"{noop:.2f} s, {noop_mem:.0f} MiB"),
        ("one-file edit: a summary", f"{one:.2f} s, {one_mem:.0f} MiB"),
        ("one-file edit: a milestone title", f"{milestone:.2f} s, {milestone_mem:.0f} MiB"),
        ("one-file edit: a date (the event moves)", f"{moved:.2f} s, {moved_mem:.0f} MiB"),
        ("one-file edit: a new article", f"{new:.2f} s, {new_mem:.0f} MiB"),
        ("one-file edit: that article removed", f"{removed:.2f} s, {removed_mem:.0f} MiB"),
        ("empty docs/, memo kept", f"{warm:.2f} s, {warm_mem:.0f} MiB"),
        *chart_cost(seeds),
    ]
    if with_mkdocs:
        site = root / "site"
        trash.set_aside(site)  # not left to mkdocs, which would delete it file by file first
        env = os.environ | {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"}
        command = [python, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(root / "mkdocs.yml"), "-d", str(site)]
        build, build_mem, _ = measure(command, root, env)
        index = site / "search" / "search_index.json"
        rows += [
            ("mkdocs build --strict", f"{build:.1f} s, {build_mem:.0f} MiB"),
            ("make site, fresh checkout (generator + MkDocs)", f"{full + build:.1f} s"),
            ("  generator's share", f"{full / (full + build):.0%}"),
            ("make site after a milestone edit", f"{milestone + build:.1f} s"),
            ("  generator's share", f"{milestone / (milestone + build):.0%}"),
            ("site size", f"{folder_size(site) / 2**20:.0f} MB"),
            ("search index", f"{index.stat().st_size / 2**20:.1f} MB"),
        ]
    return rows


def chart_cost(seeds: Path) -> list[tuple[str, str]]:
    """What the charts cost a full build: every chart laid out and drawn, in this process, and its bytes.

    The corpus is read and laid out first, untimed; then each chart the pages
    show (the timeline's, or the list of years' and every year's, and every
    country's) is laid out (``chart.build_chart``) and drawn (``_chart.svg.j2``).
    """
    from timeline.cli import load_corpus
    from timeline.render import FULL_TEXT_SEARCH_LIMIT, Renderer, split_by_year
    from timeline.vocabulary import load_vocabulary

    corpus = load_corpus(seeds)
    layout = corpus.layout()
    renderer = Renderer(load_vocabulary(), large=len(layout.articles) > FULL_TEXT_SEARCH_LIMIT)
    renderer.pages(corpus, layout, {})  # where each event lives, which the marks link to; renders nothing
    draw = renderer.env.get_template("_chart.svg.j2")
    started = time.process_time()
    charts = [renderer.country_chart(code, layout.events_in(code)) for code in layout.tally().country_pages()]
    if split_by_year(layout):
        charts.append(renderer.years_chart(layout))
        charts += [renderer.timeline_chart(events, year) for year, events in layout.years()]
    else:
        charts.append(renderer.timeline_chart(list(layout.events)))
    drawn = [(chart, draw.render(renderer.context | {"chart": chart})) for chart in charts if chart is not None]
    elapsed = time.process_time() - started
    marks = sum(len(lane.marks) for chart, _ in drawn for lane in chart.lanes)
    largest, svg = max(drawn, key=lambda pair: len(pair[1].encode()))
    largest_marks = sum(len(lane.marks) for lane in largest.lanes)
    return [
        (
            "charts: lay out and draw all (CPU time)",
            f"{elapsed:.2f} s for {len(drawn)} charts, {marks:,} marks, {len(layout.events):,} events",
        ),
        ("charts: the largest", f"{len(svg.encode()) / 1024:.0f} KiB, {largest_marks:,} marks ({largest.title})"),
        ("charts: all, in the pages", f"{sum(len(s.encode()) for _, s in drawn) / 2**20:.1f} MiB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--mkdocs", action="store_true", help="also build the site with mkdocs and measure it")
    parser.add_argument("--serve", action="store_true", help="also measure save-to-served in the live preview")
    parser.add_argument("--workdir", type=Path, default=Path("build/benchmarks"))
    args = parser.parse_args()
    # As `make site` does (and pip, for what it installs): with PYTHONDONTWRITEBYTECODE set,
    # every run would otherwise compile the package again.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "timeline")], check=True)
    trash = Trash(args.workdir.resolve())
    trash.empty()  # what an interrupted run left
    try:
        results = {size: bench(size, args.workdir.resolve(), args.mkdocs, trash) for size in args.sizes}
        if args.serve:
            from benchmarks.serve import measure as serve

            for size in args.sizes:
                results[size] += [
                    (f"make serve, save to served: {edit}", f"{time:.2f} s") for edit, time in serve(size).items()
                ]
    finally:
        trash.empty()
    print(f"| measure ({os.cpu_count()} cores) | " + " | ".join(f"{s:,} articles" for s in args.sizes) + " |")
    print("|---|" + "---|" * len(args.sizes))
    for index, (name, _) in enumerate(results[args.sizes[0]]):
        print(f"| {name} | " + " | ".join(results[s][index][1] for s in args.sizes) + " |")


if __name__ == "__main__":
    main()
