"""The command line: wire the stages together and turn failures into exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from timeline.load import read_seeds
from timeline.model import build_corpus
from timeline.problems import Problem
from timeline.render import render_site
from timeline.validate import Validator
from timeline.vocabulary import VocabularyError, load_vocabulary
from timeline.write import WriteError, write_docs

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    """The argument parser, exposed so that the README and tests can check its options."""
    p = argparse.ArgumentParser(
        prog="build_timeline.py",
        description="Validate the annotated articles in seeds/ and generate the timeline pages under docs/.",
    )
    p.add_argument(
        "--seeds",
        type=Path,
        default=Path("seeds"),
        metavar="DIR",
        help="folder of annotated articles, *.md (default: seeds)",
    )
    p.add_argument(
        "--docs",
        type=Path,
        default=Path("docs"),
        metavar="DIR",
        help="MkDocs folder to write the generated pages into (default: docs)",
    )
    p.add_argument("--check", action="store_true", help="validate only; write nothing")
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator; return 0 on success, 1 for invalid seeds or a failed write, 2 for bad usage."""
    args = parser().parse_args(argv)
    if not args.seeds.is_dir():
        print(f"build_timeline.py: error: the seeds folder {args.seeds} does not exist", file=sys.stderr)
        return EXIT_USAGE
    if not args.check and not args.docs.is_dir():
        print(f"build_timeline.py: error: the docs folder {args.docs} does not exist", file=sys.stderr)
        return EXIT_USAGE

    try:
        vocabulary = load_vocabulary()
    except VocabularyError as error:
        report([error.problem])
        return EXIT_INVALID
    seeds, problems = read_seeds(args.seeds, str(args.seeds))
    problems += Validator(vocabulary).validate(seeds)
    if problems:
        report(problems)
        return EXIT_INVALID
    corpus = build_corpus(seeds, vocabulary)
    if args.check:
        if not args.quiet:
            print(f"{_count(len(seeds), 'seed file')} valid: {_count(len(corpus.events), 'event')}.")
        return EXIT_OK
    files = render_site(corpus)
    try:
        result = write_docs(args.docs, files)
    except WriteError as error:
        print(f"build_timeline.py: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    if not args.quiet:
        print(
            f"{_count(len(corpus.articles), 'article')}, {_count(len(corpus.events), 'event')}: "
            f"{_count(len(result.written), 'file')} written, {len(result.removed)} removed, "
            f"{result.unchanged} unchanged in {args.docs}/"
        )
    return EXIT_OK


def report(problems: list[Problem]) -> None:
    """Print every problem, in file and line order, then a count."""
    for problem in sorted(problems, key=lambda p: p.sort_key):
        print(problem, file=sys.stderr)
    files = len({p.path for p in problems})
    print(
        f"{_count(len(problems), 'problem')} in {_count(files, 'file')}; nothing was written.",
        file=sys.stderr,
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
