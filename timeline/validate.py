"""Check seeds against the annotation format, collecting every problem.

The JSON Schema checks shape and vocabularies; the rules a schema cannot say
(EDTF dates, evidence in the body, safe links, unique ids, raw files) are
checked here. Nothing is fixed silently: an editor's mistake is reported.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from timeline.dates import DateError, parse_date
from timeline.escape import is_safe_url
from timeline.evidence import locate, normalise
from timeline.load import FieldPath, Seed, Value, format_field
from timeline.problems import Problem
from timeline.schema import annotation_schema
from timeline.vocabulary import Vocabulary

if TYPE_CHECKING:
    import jsonschema

ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
RESERVED_IDS = frozenset({"index"})
"""Article ids that would collide with a section's own page."""
VOCABULARY_FILE = "timeline/data/vocabularies.yaml"
_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of keys to values",
    "null": "nothing",
}


class Validator:
    """Validate seeds against one vocabulary; reusable across runs."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.schema = annotation_schema(vocabulary)
        self._checker: Any = None
        # The Rust validator answers "valid?" fast; only invalid front matter
        # goes through the Python one, which says where and why.
        self._fast = jsonschema_rs.Draft202012Validator(self.schema)

    def validate(self, seeds: Iterable[Seed]) -> list[Problem]:
        """Return every problem in every seed, and across seeds, in reading order."""
        seeds = list(seeds)
        problems = [problem for seed in seeds for problem in self.validate_seed(seed)]
        problems += duplicate_ids((seed.path, article_id_of(seed), id_position(seed)) for seed in seeds)
        return sorted(problems, key=lambda p: p.sort_key)

    def validate_seed(self, seed: Seed) -> list[Problem]:
        """Return every problem in one seed."""
        problems = (
            []
            if self._fast.is_valid(seed.meta)
            else [self._schema_problem(seed, error) for error in self._explain(seed.meta)]
        )
        problems.extend(self._rules(seed))
        return problems

    # -- shape and vocabularies (the schema) ---------------------------------

    def _explain(self, meta: dict[str, Value]) -> Iterator[jsonschema.ValidationError]:
        """The Python validator's errors, which say where and why; loaded for the first invalid seed."""
        if self._checker is None:
            import jsonschema  # a tenth of a second that a run over valid seeds never spends

            self._checker = jsonschema.Draft202012Validator(self.schema)
        yield from self._checker.iter_errors(meta)

    def _schema_problem(self, seed: Seed, error: jsonschema.ValidationError) -> Problem:
        path: FieldPath = tuple(error.absolute_path)
        field = format_field(path)
        line, column = seed.where(path)
        value: Any = error.instance
        expected: Any = error.validator_value
        schema: Any = error.schema
        name = str(path[-1]) if path and isinstance(path[-1], str) else ""
        message = error.message
        if error.validator == "required":
            missing = next(key for key in expected if key not in value)
            field = format_field((*path, missing))
            message = _MISSING.get(missing, f"missing required field '{missing}'")
        elif error.validator == "additionalProperties":
            allowed = list(schema.get("properties", {}))
            extra = next(key for key in value if key not in allowed)
            line, column = seed.key_positions.get((*path, extra), (line, column))
            field = format_field((*path, extra))
            message = _with_suggestion(
                f"unknown field '{extra}'", extra, allowed, f"known fields: {', '.join(allowed)}"
            )
        elif error.validator == "type":
            types = [expected] if isinstance(expected, str) else list(expected)
            wanted = " or ".join(_TYPE_WORDS.get(t, t) for t in types if t != "null")
            message = f"is empty; expected {wanted}" if value is None else f"expected {wanted}, got {_describe(value)}"
        elif error.validator == "enum":
            message = self._enum_message(name, path, value, list(expected))
        elif error.validator == "pattern":
            message = _pattern_message(name, path, str(value))
        elif error.validator == "minLength":
            message = "is empty; write a value or remove the line"
        elif error.validator == "maxLength":
            message = f"is {len(value)} characters long; at most {expected} are allowed"
        elif error.validator == "minItems":
            message = "is an empty list; list at least one ISO 3166-1 alpha-2 code, such as [UZ]"
        elif error.validator == "uniqueItems":
            message = f"lists '{_first_repeat(value)}' twice"
        return Problem(seed.path, line, column, message, field)

    def _enum_message(self, name: str, path: FieldPath, value: Any, allowed: list[str]) -> str:
        text = str(value)
        if name == "date_basis":
            return f"expected 'stated' or 'inferred', got '{text}'"
        if name in ("country", "countries") or (len(path) >= 2 and path[-2] == "countries"):
            if text.upper() in self.vocabulary.countries:
                return f"country codes are upper case: write '{text.upper()}', not '{text}'"
            region = ", ".join(self.vocabulary.region)
            return _with_suggestion(
                f"unknown country code '{text}'",
                text,
                allowed,
                f"use an ISO 3166-1 alpha-2 code such as {region}",
            )
        noun = "procedure" if name == "procedure" else "kind"
        return _with_suggestion(
            f"unknown {noun} '{text}'",
            text,
            allowed,
            f"known {noun}s: {', '.join(allowed)} (new ones go in {VOCABULARY_FILE})",
        )

    # -- rules beyond the schema ---------------------------------------------

    def _rules(self, seed: Seed) -> Iterator[Problem]:
        meta = seed.meta
        if "id" not in meta and not is_id(seed.stem):
            yield Problem(
                seed.path,
                1,
                1,
                f"the file name '{seed.stem}.md' is not a valid article id; rename the file "
                f"(for example '{_slug(seed.stem)}.md') or set 'id:'",
            )
        article_id = article_id_of(seed)
        if article_id in RESERVED_IDS:
            line, column = seed.where(("id",)) if "id" in meta else (1, 1)
            yield Problem(
                seed.path,
                line,
                column,
                f"'{article_id}' is reserved for the list of articles; choose another id",
                "id",
            )
        source = meta.get("source")
        if isinstance(source, dict):
            yield from self._source_rules(seed, source)
        milestones = meta.get("milestones")
        if isinstance(milestones, list):
            seen: dict[str, int] = {}
            for index, milestone in enumerate(milestones):
                if isinstance(milestone, dict):
                    yield from self._milestone_rules(seed, index, milestone, seen)

    def _source_rules(self, seed: Seed, source: dict[str, Value]) -> Iterator[Problem]:
        url = source.get("url")
        if isinstance(url, str) and url.startswith(("http://", "https://")) and not is_safe_url(url):
            yield self._at(
                seed,
                ("source", "url"),
                f"'{url}' is not a usable http(s) link: it needs a host and no spaces, "
                "quotes, angle brackets, backticks or backslashes (percent-encode them)",
            )
        published = source.get("published")
        if isinstance(published, str):
            yield from self._date(seed, ("source", "published"), published)
        raw = source.get("raw")
        if isinstance(raw, str) and raw:
            message = _raw_problem(seed.directory, raw)
            if message:
                yield self._at(seed, ("source", "raw"), message)

    def _milestone_rules(
        self, seed: Seed, index: int, milestone: dict[str, Value], seen: dict[str, int]
    ) -> Iterator[Problem]:
        here: FieldPath = ("milestones", index)
        milestone_id = milestone.get("id")
        if isinstance(milestone_id, str):
            if milestone_id in seen:
                yield self._at(
                    seed,
                    (*here, "id"),
                    f"milestone id '{milestone_id}' is already used by milestones[{seen[milestone_id] + 1}] "
                    "of this article; one article cites an event once",
                )
            else:
                seen[milestone_id] = index
        date = milestone.get("date")
        if isinstance(date, str) and date:
            yield from self._date(seed, (*here, "date"), date)
        evidence = milestone.get("evidence")
        title = seed.meta.get("title")
        headline = title if isinstance(title, str) else ""
        if (
            isinstance(evidence, str)
            and evidence.strip()
            and locate(evidence, seed.body) is None
            and locate(evidence, headline) is None
        ):
            yield self._at(
                seed,
                (*here, "evidence"),
                f"the evidence of milestone '{milestone_id}' is not in the article body or its headline: "
                f"{_closest_hint(evidence, seed.body)}",
            )

    def _date(self, seed: Seed, path: FieldPath, text: str) -> Iterator[Problem]:
        try:
            parse_date(text)
        except DateError as error:
            yield self._at(seed, path, str(error))

    @staticmethod
    def _at(seed: Seed, path: FieldPath, message: str) -> Problem:
        line, column = seed.where(path)
        return Problem(seed.path, line, column, message, format_field(path))


_MISSING = {
    "title": "missing required field 'title': the headline, as printed",
    "countries": "missing required field 'countries': a list of ISO 3166-1 alpha-2 codes, such as [UZ]",
    "date_note": (
        "missing 'date_note': an inferred date needs one or two sentences saying how it was reasoned from the text"
    ),
    "evidence": "missing required field 'evidence': a verbatim quote from the article body or its headline",
}


def article_id_of(seed: Seed) -> str:
    """The article's id: its ``id`` field, or the file's stem."""
    value = seed.meta.get("id")
    return value if isinstance(value, str) else seed.stem


def id_position(seed: Seed) -> tuple[int, int]:
    """Where the seed gives its article id: the ``id`` field, or the file itself when the name is the id."""
    return seed.where(("id",)) if "id" in seed.meta else (1, 1)


def duplicate_ids(given: Iterable[tuple[str, str, tuple[int, int]]]) -> list[Problem]:
    """A problem for each article id given again, from (seed path, article id, position) in reading order."""
    owners: dict[str, str] = {}
    problems = []
    for path, article_id, (line, column) in given:
        first = owners.setdefault(article_id, path)
        if first != path:
            message = f"article id '{article_id}' is already used by {first}; article ids must be unique"
            problems.append(Problem(path, line, column, message, "id"))
    return problems


def is_id(text: str) -> bool:
    """Whether ``text`` is a valid article or milestone id."""
    return len(text) <= 80 and ID_PATTERN.fullmatch(text) is not None


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:80].strip("-") or "article"


def _with_suggestion(head: str, value: str, allowed: list[str], tail: str) -> str:
    """``head; did you mean 'x'? tail`` when a valid value is close, else ``head; tail``."""
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
    if not close:
        close = [a for a in allowed if a.lower() == value.lower()]
    return f"{head}; did you mean '{close[0]}'? {tail}" if close else f"{head}; {tail}"


def _first_repeat(items: list[Any]) -> Any:
    seen: list[Any] = []
    for item in items:
        if item in seen:
            return item
        seen.append(item)
    return None


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"'{value}'"


def _pattern_message(name: str, path: FieldPath, value: str) -> str:
    if name == "url":
        return f"only http and https links are accepted, got '{value}'"
    if name == "language":
        return f"expected a BCP 47 language tag such as en, ru or uz-Cyrl, got '{value}'"
    kind = "tags" if "tags" in path else "ids"
    suggestion = _slug(value)
    return (
        f"{kind} use lowercase letters and digits in words joined by single hyphens, got "
        f"'{value}'; did you mean '{suggestion}'?"
    )


def _raw_problem(directory: Path, raw: str) -> str | None:
    """Say what is wrong with a ``source.raw`` path, or None if it names a file under seeds/."""
    if raw.startswith("/") or "\\" in raw or ".." in Path(raw).parts:
        return f"'{raw}' must be a relative path under the seeds folder, such as raw/000_x.txt"
    target = directory / raw
    if target.is_symlink() or not target.is_file():
        return f"there is no file '{raw}' under the seeds folder"
    return None


def _closest_hint(evidence: str, body: str) -> str:
    """Point the editor at the body sentence most like the quote."""
    sentences = [s for s in re.split(r"(?<=[.!?])\s+|\n+", body) if s.strip()]
    wanted = normalise(evidence)
    best = max(
        sentences,
        key=lambda s: difflib.SequenceMatcher(None, wanted, normalise(s)).ratio(),
        default="",
    )
    if best and difflib.SequenceMatcher(None, wanted, normalise(best)).ratio() > 0.5:
        return f"copy it exactly; the closest passage is '{normalise(best)[:160]}'"
    return "copy a passage of the text exactly (white space, quote and dash styles may differ)"
