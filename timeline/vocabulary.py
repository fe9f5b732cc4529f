"""The vocabularies (countries, procedures, kinds): one data file, editors extend it."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Term:
    """One value of a vocabulary, with the words readers see."""

    code: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """Every value a seed may use for a country, procedure or kind, in file order."""

    countries: dict[str, Term]
    procedures: dict[str, Term]
    kinds: dict[str, Term]
    region: tuple[str, ...]
    """The countries the timeline is about, in the order the site lists them."""


DEFAULT_PATH = Path(str(resources.files("timeline") / "data" / "vocabularies.yaml"))


def load_vocabulary(path: Path = DEFAULT_PATH) -> Vocabulary:
    """Read the vocabulary file; ``BaseLoader`` keeps ``NO`` as Norway, not False."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds only str, list, dict

    def terms(section: str) -> dict[str, Term]:
        return {code: Term(code, entry["label"], entry.get("description", "")) for code, entry in data[section].items()}

    countries = {code: Term(code, name) for code, name in data["countries"].items()}
    return Vocabulary(
        countries=countries,
        procedures=terms("procedures"),
        kinds=terms("kinds"),
        region=tuple(data["region"]),
    )
