"""The command line: wire the stages together and turn failures into exit codes."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import jinja2

from timeline import build
from timeline.build import Outcome, Stop, check, compile_seeds, seed_names, template_location
from timeline.exports import SiteUrlError, site_url
from timeline.model import Corpus, build_corpus
from timeline.problems import Problem
from timeline.render import TEMPLATES
from timeline.schema import annotation_schema, schema_json
from timeline.validate import is_id
from timeline.vocabulary import Vocabulary, VocabularyError, load_vocabulary
from timeline.write import WriteError

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
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["import"]:
        return import_main(arguments[1:])
    if arguments[:1] == ["schema"]:
        return schema_main(arguments[1:])
    return build_main(arguments)


def _vocabulary() -> Vocabulary:
    try:
        return load_vocabulary()
    except VocabularyError as error:
        raise Stop([error.problem]) from error


def load_corpus(seeds_dir: Path, jobs: int | None = None) -> Corpus:
    """Read and validate every seed; raise Stop with every problem if any."""
    vocabulary = _vocabulary()
    results = compile_seeds(seeds_dir, vocabulary, seed_names(seeds_dir), jobs=jobs or os.cpu_count() or 1)
    problems = check(results)
    if problems:
        raise Stop(problems)
    return build_corpus((r.article for r in results if r.article is not None), vocabulary)


def generate(
    seeds_dir: Path,
    docs_dir: Path,
    templates: Path = TEMPLATES,
    jobs: int | None = None,
    keep: build.InMemory | None = None,
) -> Outcome:
    """The whole pipeline: seeds in, generated pages written; raise Stop and write nothing on failure.

    The site's address, which the data files link to, comes from the SITE_URL environment variable
    (as mkdocs.yml's ``site_url``).

    ``keep`` holds the memo between runs of one process (the live preview).
    """
    vocabulary = _vocabulary()
    try:
        address = site_url(os.environ.get("SITE_URL"))
    except SiteUrlError as error:
        raise Stop(message=f"{error}; docs/ is unchanged") from error
    try:
        return build.generate(seeds_dir, docs_dir, vocabulary, templates, jobs, keep, address)
    except jinja2.TemplateError as error:  # a template that does not even load
        raise Stop(message=f"{template_location(error)}: template error: {error}; docs/ is unchanged") from error
    except WriteError as error:
        raise Stop(message=str(error)) from error


def build_main(argv: Sequence[str]) -> int:
    """Validate the seeds and write the generated pages."""
    args = parser().parse_args(argv)
    # A short-lived process that builds a large, acyclic model: collecting
    # garbage as often as a long-running one would costs a third of a run.
    gc.set_threshold(200_000, 50, 50)
    if not args.seeds.is_dir():
        print(f"build_timeline.py: error: the seeds folder {args.seeds} does not exist", file=sys.stderr)
        return EXIT_USAGE
    if not args.check and not args.docs.is_dir():
        print(f"build_timeline.py: error: the docs folder {args.docs} does not exist", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.check:
            corpus = load_corpus(args.seeds)
            if not args.quiet:
                files = _count(len(corpus.articles), "seed file")
                print(f"{files} valid: {_count(len(corpus.events), 'event')}.")
            return EXIT_OK
        outcome = generate(args.seeds, args.docs)
    except Stop as stop:
        if stop.problems:
            report(stop.problems)
        else:
            print(f"build_timeline.py: error: {stop.message}", file=sys.stderr)
        return EXIT_INVALID
    if not args.quiet:
        print(summary(outcome, args.docs))
    return EXIT_OK


def summary(outcome: Outcome, docs_dir: Path) -> str:
    """One line on what a run did."""
    result = outcome.report
    if not result.written and not result.removed and not outcome.pages_rendered:
        return f"Nothing changed since the last run: {docs_dir}/ is up to date."
    return (
        f"{_count(outcome.articles, 'article')}, {_count(outcome.events, 'event')}: "
        f"{_count(len(result.written), 'file')} written, {len(result.removed)} removed, "
        f"{result.unchanged} unchanged in {docs_dir}/"
    )


def import_parser() -> argparse.ArgumentParser:
    """The parser of ``build_timeline.py import``."""
    p = argparse.ArgumentParser(
        prog="build_timeline.py import",
        description="Create seeds/<id>.md from a raw article text, and keep the raw text in seeds/raw/.",
    )
    p.add_argument("path", type=Path, metavar="PATH", help="the raw article text (UTF-8)")
    p.add_argument("--id", help="the article id (default: made from the headline)")
    p.add_argument("--country", action="append", metavar="CODE", help="an ISO 3166-1 alpha-2 code; repeat for several")
    p.add_argument("--seeds", type=Path, default=Path("seeds"), metavar="DIR", help="default: seeds")
    return p


def import_main(argv: Sequence[str]) -> int:
    """Import a raw article; refuse to overwrite, and check that the new seed is valid."""
    from timeline.importer import ImportRefused, import_article  # here: not on every build's path

    p = import_parser()
    args = p.parse_args(argv)
    try:
        vocabulary = load_vocabulary()
    except VocabularyError as error:
        report([error.problem])
        return EXIT_INVALID
    if not args.path.is_file():
        p.error(f"{args.path} is not a file")
    if not args.seeds.is_dir():
        p.error(f"the seeds folder {args.seeds} does not exist")
    if args.id is not None and not is_id(args.id):
        p.error(f"--id {args.id!r}: ids use lowercase letters and digits in words joined by single hyphens")
    unknown = [c for c in args.country or [] if c not in vocabulary.countries]
    if unknown:
        p.error(f"--country {', '.join(unknown)}: not an ISO 3166-1 alpha-2 code such as UZ")
    try:
        done = import_article(args.path, args.seeds, vocabulary, args.id, args.country)
    except ImportRefused as error:
        print(f"build_timeline.py import: error: {error}", file=sys.stderr)
        return EXIT_INVALID
    print(f"Created {done.seed} and {done.raw}.")
    try:
        load_corpus(args.seeds)  # the same check as --check: the new seed must pass it as it stands
    except Stop as stop:
        report(stop.problems)
        return EXIT_INVALID
    print("Next: check the title and countries, fill in the source, add milestones with evidence,")
    print("delete the suggestion comments you do not need, then run `make check` or `make serve`.")
    return EXIT_OK


def schema_main(argv: Sequence[str]) -> int:
    """Write the JSON Schema of the annotation format, with the vocabularies, for editors."""
    p = argparse.ArgumentParser(
        prog="build_timeline.py schema", description="Print or write the annotation format's JSON Schema."
    )
    p.add_argument("--output", type=Path, metavar="FILE", help="write here instead of printing")
    args = p.parse_args(argv)
    text = schema_json(annotation_schema(load_vocabulary()))
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return EXIT_OK


def report(problems: list[Problem]) -> None:
    """Print every problem, in file and line order, then a count.

    In GitHub Actions each problem is also printed as an ``::error`` workflow
    command, so that it shows up as an annotation on the pull request's files.
    """
    in_actions = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in sorted(problems, key=lambda p: p.sort_key):
        print(problem, file=sys.stderr)
        if in_actions:
            print(github_annotation(problem))
    files = len({p.path for p in problems})
    print(
        f"{_count(len(problems), 'problem')} in {_count(files, 'file')}; nothing was written.",
        file=sys.stderr,
    )


def github_annotation(problem: Problem) -> str:
    """The problem as a GitHub Actions ``::error`` command, escaped as GitHub requires."""

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    where = f"file={prop(problem.path)},line={problem.line},col={problem.column}"
    title = prop(problem.field or "seed")
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return f"::error {where},title={title}::{data(message)}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
