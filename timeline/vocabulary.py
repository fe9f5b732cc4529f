"""The vocabularies (countries, procedures, kinds): one data file, editors extend it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError

from timeline.problems import Problem

_CODE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

OTHER_LANGUAGES = ("ru", "uz", "ky")
"""The languages whose country names the site shows beside the English ones."""


def cldr_countries(not_countries: frozenset[str]) -> dict[str, Term]:
    """ISO 3166-1 alpha-2 countries with their CLDR names (Babel's pinned data), sorted by code.

    CLDR also names regions that are not countries (``EU``, ``UN``, ``ZZ``...):
    the vocabulary file lists those under ``not_countries``.
    """
    english = Locale("en").territories
    others = [Locale(language).territories for language in OTHER_LANGUAGES]
    found: dict[str, Term] = {}
    for code in sorted(english):
        if len(code) != 2 or not code.isalpha() or code in not_countries:
            continue
        names = dict.fromkeys(o[code] for o in others if code in o and o[code] != english[code])
        found[code] = Term(code, english[code], other_names=tuple(names))
    return found


def slugify(label: str) -> str:
    """A label as a lowercase-hyphenated word list, to compare it with a tag: ``Côte d’Ivoire`` -> ``côte-d-ivoire``."""
    return "-".join(re.findall(r"[^\W_]+", label.lower()))


def language_name(tag: str) -> str:
    """A BCP 47 tag's English name with its own name (CLDR): ``ru`` -> ``Russian (русский)``.

    A tag CLDR does not know is shown as written.
    """
    try:
        locale = Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        return tag
    english = locale.get_display_name("en")
    own = locale.get_display_name(locale)
    if not english:
        return tag
    return english if not own or own == english else f"{english} ({own})"


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary, with the words readers see."""

    code: str
    label: str
    description: str = ""
    family: str | None = None
    """The procedure this one is a kind of (haploidentical-hsct: allogeneic-hsct), or None."""
    other_names: tuple[str, ...] = ()
    """A country's names in the region's languages (Russian, Uzbek, Kyrgyz; CLDR), without repeats."""


@dataclass(frozen=True)
class Tag:
    """How an article's own tag reads on the site, and what it folds into."""

    label: str
    means: str | None = None
    """The procedure or country code the tag names ("liver": liver-transplant), or None for a topic of its own."""


def tag_words(slug: str) -> str:
    """A lowercase-hyphenated tag as words: ``pediatric-oncology`` -> ``pediatric oncology``."""
    return slug.replace("-", " ")


@dataclass(frozen=True)
class Vocabulary:
    """Every value a seed may use for a country, procedure or kind, in file order."""

    countries: dict[str, Term]
    procedures: dict[str, Term]
    kinds: dict[str, Term]
    region: tuple[str, ...]
    """The countries the timeline is about, in the order the site lists them."""
    tags: dict[str, Tag] = field(default_factory=dict)
    """Tags given a label or a meaning in the file; any other tag reads as its words."""

    _lineages: dict[str, tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _named: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lineages = {}
        for code in self.procedures:
            chain = [code]
            while (family := self.procedures[chain[-1]].family) is not None and family not in chain:
                chain.append(family)
            lineages[code] = tuple(chain)
        object.__setattr__(self, "_lineages", lineages)
        names = {tag_words(slugify(t.label)): code for code, t in self.countries.items()}
        names |= {tag_words(slugify(t.label)): code for code, t in self.procedures.items()}
        names |= {tag_words(code): code for code in self.procedures}
        object.__setattr__(self, "_named", names)

    def tag(self, slug: str) -> Tag | None:
        """How an article's own tag reads: its entry in the file, else the country or procedure it names, or its words.

        None for a tag that says nothing (``other``), so that the same thing is
        never tagged twice under two spellings (russia and Russia, liver and
        liver transplant).
        """
        if slug in self.tags:
            return self.tags[slug]
        means = self._named.get(tag_words(slug))
        if means in self.procedures:
            return None if means == "other" else Tag(self.procedures[means].label, means)
        if means is not None:
            return Tag(self.countries[means].label, means)
        return Tag(tag_words(slug))

    def lineage(self, procedure: str) -> tuple[str, ...]:
        """The procedure, then every family above it: what an event of it counts under."""
        return self._lineages[procedure]

    def related(self, one: str, other: str) -> bool:
        """Whether two procedures are the same or one is a family of the other."""
        return one in self.lineage(other) or other in self.lineage(one)


class VocabularyError(Exception):
    """The vocabulary file is broken; ``problem`` says where and how."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


DEFAULT_PATH = Path(str(resources.files("timeline") / "data" / "vocabularies.yaml"))
SHOWN_AS = "timeline/data/vocabularies.yaml"


def load_vocabulary(path: Path = DEFAULT_PATH, shown_as: str = SHOWN_AS) -> Vocabulary:
    """Read the vocabulary file; ``BaseLoader`` keeps ``NO`` as Norway, not False."""

    def fail(message: str, line: int = 1, column: int = 1) -> VocabularyError:
        return VocabularyError(Problem(shown_as, line, column, message))

    text = path.read_text(encoding="utf-8")
    try:
        # libyaml when present, as every run reads this file; PyYAML's own
        # parser words any error (its messages are the ones documented).
        data: Any = yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))  # noqa: S506 - str, list, dict
    except yaml.YAMLError:
        data = None
    try:
        if data is None:
            data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - only str, list, dict
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise fail(f"not valid YAML: {error.problem}", line, column) from error
    sections = ("procedures", "kinds", "countries")
    if not isinstance(data, dict) or not all(isinstance(data.get(s), dict) for s in sections):
        raise fail("expected the sections 'procedures', 'kinds' and 'countries', each a mapping")
    if not isinstance(data.get("region"), list):
        raise fail("expected 'region', a list of country codes such as [UZ, KG]")

    def terms(section: str) -> dict[str, Term]:
        found: dict[str, Term] = {}
        for code, entry in data[section].items():
            if not _CODE.fullmatch(code) or not isinstance(entry, dict) or not entry.get("label"):
                raise fail(
                    f"{section}: '{code}' needs a lowercase-hyphenated name and a 'label' "
                    "(and a 'description'), like the entries above it"
                )
            found[code] = Term(code, entry["label"], entry.get("description", ""), entry.get("family") or None)
        return found

    procedures = terms("procedures")
    for code, term in procedures.items():
        if term.family is not None and term.family not in procedures:
            message = f"procedures: the family of '{code}' is '{term.family}', not a procedure in this file"
            raise fail(message, _family_line(text, code), 13)
    not_countries = data.get("not_countries", [])
    if not isinstance(not_countries, list):
        raise fail("expected 'not_countries', a list of CLDR region codes that are not countries, such as [EU]")
    countries = cldr_countries(frozenset(not_countries))
    for code, name in data["countries"].items():  # a code or name CLDR lacks, given in the file
        countries[code] = Term(code, name, other_names=countries[code].other_names if code in countries else ())
    unknown = [code for code in data["region"] if code not in countries]
    if unknown:
        raise fail(f"region: {', '.join(unknown)} not among the countries")
    vocabulary = Vocabulary(
        countries=countries,
        procedures=procedures,
        kinds=terms("kinds"),
        region=tuple(data["region"]),
        tags=tag_entries(data.get("tags", {}), procedures, countries, fail, text),
    )
    for code in procedures:  # a lineage stops where it would come round again
        lineage = vocabulary.lineage(code)
        if procedures[lineage[-1]].family is not None:
            circle = " -> ".join([*lineage, lineage[0]])
            raise fail(f"procedures: families go round in a circle: {circle}", _family_line(text, code), 13)
    return vocabulary


def tag_entries(
    section: Any,
    procedures: dict[str, Term],
    countries: dict[str, Term],
    fail: Callable[[str, int, int], VocabularyError],
    text: str,
) -> dict[str, Tag]:
    """The ``tags`` section: each tag with a ``label`` to read as, or the procedure or country it ``means``."""
    if not isinstance(section, dict):
        raise fail("expected 'tags', a mapping of tags such as  liver: {means: liver-transplant}", 1, 1)
    lines = text.split("\n")
    start = next((n for n, t in enumerate(lines) if t.startswith("tags:")), 0)
    found = {}
    for slug, entry in section.items():
        line = next((n + 1 for n in range(start, len(lines)) if lines[n].startswith(f"  {slug}:")), 1)
        one_of = isinstance(entry, dict) and bool(entry.get("label")) != bool(entry.get("means"))
        if not _CODE.fullmatch(slug) or not one_of:
            message = f"tags: '{slug}' needs a lowercase-hyphenated name and either a 'label' or a 'means'"
            raise fail(message, line, 3)
        means = entry.get("means")
        if means is None:
            found[slug] = Tag(entry["label"])
        elif means in procedures:
            found[slug] = Tag(procedures[means].label, means)
        elif means in countries:
            found[slug] = Tag(countries[means].label, means)
        else:
            raise fail(f"tags: '{slug}' means '{means}', which is neither a procedure nor a country code", line, 3)
    return found


def _family_line(text: str, code: str) -> int:
    """The line of a procedure's ``family:`` in the vocabulary file (BaseLoader keeps no positions)."""
    lines = text.split("\n")
    start = next((n for n, line in enumerate(lines) if line.rstrip() == f"  {code}:"), 0)
    for number in range(start + 1, len(lines)):
        if lines[number].lstrip().startswith("family:"):
            return number + 1
        if not lines[number].startswith("    "):
            break
    return start + 1
