"""Shared fixtures: the repository, a vocabulary, and a way to write seed files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import markdown
import pytest
from hypothesis import settings
from mkdocs.utils.yaml import yaml_load

from timeline.vocabulary import Vocabulary, load_vocabulary

# Property tests judge correctness, not speed: no per-example deadline, so a
# busy CI machine cannot turn a slow example into a failure.
settings.register_profile("project", deadline=None)
settings.load_profile("project")

REPO = Path(__file__).resolve().parent.parent

GOOD_SEED = """\
---
title: A test article
source:
  outlet: Test Outlet
  url: https://example.org/news/1
  published: 2024-03
countries: [UZ]
summary: A short summary.
milestones:
  - id: uz-test-first
    date: 2023?
    country: UZ
    procedure: liver-transplant
    kind: first
    title: The first test transplant
    evidence: the first “test” transplant was performed
---
In Tashkent, the first "test" transplant was performed on a child.

A second paragraph.
"""


def mkdocs_config() -> dict[str, Any]:
    """mkdocs.yml as MkDocs reads it: ``!ENV``, ``!!python/name`` and all."""
    with (REPO / "mkdocs.yml").open(encoding="utf-8") as config:
        return yaml_load(config)


def site_markdown(*extra: str) -> markdown.Markdown:
    """Python-Markdown as mkdocs.yml configures it for the site (plus ``extra`` extensions)."""
    names: list[str] = []
    configs: dict[str, Any] = {}
    for entry in mkdocs_config()["markdown_extensions"]:
        name, config = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        names.append(name)
        if config:
            configs[name] = config
    return markdown.Markdown(extensions=[*names, *extra], extension_configs=configs)


def as_windows(text: str, *, bom: bool = True, crlf: bool = True) -> str:
    """``text`` as an editor on Windows may save it: a byte-order mark first, CRLF line endings."""
    return ("\ufeff" if bom else "") + (text.replace("\n", "\r\n") if crlf else text)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-screenshots",
        action="store_true",
        help="rewrite the README's screenshots in screenshots/ from this run's browser",
    )
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output (review the diff before committing)",
    )


@pytest.fixture(scope="session")
def vocabulary() -> Vocabulary:
    return load_vocabulary()


SeedWriter = Callable[..., Path]


@pytest.fixture
def write_seed(tmp_path: Path) -> SeedWriter:
    """Write a seed file into a fresh seeds folder; text is dedented."""
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)

    def write(name: str, text: str, *, raw: bool = False) -> Path:
        path = seeds / name
        data = text if raw else textwrap.dedent(text)
        path.write_bytes(data.encode("utf-8"))
        return path

    return write
