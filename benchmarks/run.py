"""Benchmark the generator (and optionally MkDocs) on synthetic corpora.

    python -m benchmarks.run [--sizes 1000 10000] [--mkdocs] [--workdir DIR]

For each size it reports: full generation (cold, empty docs/), a no-op rerun,
a one-file edit, the parse floor (reading the same files and parsing their
front matter with PyYAML's libyaml loader, nothing else) and the ratio of
full generation to that floor; each with wall time and peak memory of its own
process. With --mkdocs it also builds the site and reports its build time,
size and search index size.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.corpus import write_corpus

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


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak resident MiB and output of one command in its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def bench(size: int, workdir: Path, with_mkdocs: bool) -> list[tuple[str, str]]:
    root = workdir / str(size)
    seeds = root / "seeds"
    if not seeds.exists() or len(list(seeds.glob("*.md"))) != size:
        shutil.rmtree(root, ignore_errors=True)
        write_corpus(seeds, size)
    docs = root / "docs"
    shutil.rmtree(docs, ignore_errors=True)
    shutil.rmtree(root / ".timeline-cache", ignore_errors=True)
    shutil.copytree(REPO / "docs", docs, ignore=shutil.ignore_patterns(".*", "index.md", "timeline", "articles",
                                                                         "countries", "procedures", "data",
                                                                         "vocabularies.md"))  # fmt: skip
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
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
    assert "1 file written" in output or "2 files written" in output, output
    rows += [
        ("parse floor (libyaml)", f"{floor:.2f} s, {floor_mem:.0f} MiB"),
        ("full generation", f"{full:.2f} s, {full_mem:.0f} MiB"),
        ("ratio to the floor", f"{full / floor:.1f}x"),
        ("no-op rerun", f"{noop:.2f} s, {noop_mem:.0f} MiB"),
        ("one-file edit", f"{one:.2f} s, {one_mem:.0f} MiB"),
    ]
    if with_mkdocs:
        site = root / "site"
        env = os.environ | {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "0"}
        command = [python, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(root / "mkdocs.yml"), "-d", str(site)]
        build, build_mem, _ = measure(command, root, env)
        index = site / "search" / "search_index.json"
        rows += [
            ("mkdocs build --strict", f"{build:.1f} s, {build_mem:.0f} MiB"),
            ("site size", f"{folder_size(site) / 2**20:.0f} MB"),
            ("search index", f"{index.stat().st_size / 2**20:.1f} MB"),
        ]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--mkdocs", action="store_true", help="also build the site with mkdocs and measure it")
    parser.add_argument("--workdir", type=Path, default=Path("build/benchmarks"))
    args = parser.parse_args()
    results = {size: bench(size, args.workdir.resolve(), args.mkdocs) for size in args.sizes}
    print(f"| measure ({os.cpu_count()} cores) | " + " | ".join(f"{s:,} articles" for s in args.sizes) + " |")
    print("|---|" + "---|" * len(args.sizes))
    for index, (name, _) in enumerate(results[args.sizes[0]]):
        print(f"| {name} | " + " | ".join(results[s][index][1] for s in args.sizes) + " |")


if __name__ == "__main__":
    main()
