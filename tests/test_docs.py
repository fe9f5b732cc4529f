"""The documentation keeps up: every error message has a fix in the guide, every command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import GOOD_SEED, REPO, mkdocs_config, site_markdown
from tests.test_validate import RULE_CASES, with_change
from timeline.cli import import_parser, parser
from timeline.load import read_seed
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary

GUIDE = (REPO / "docs" / "authoring.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")

BROKEN_FILES = [
    b"title: no front matter\n",
    b"---\ntitle: a\n",
    b"---\ntitle: [a\n---\n",
    b"---\ntitle: a\n\tcountries: [UZ]\n---\n",
    b'---\ntitle: "open\n---\n',
    b"---\ntitle: a\ntitle: b\n---\n",
    b"---\na: &x [1]\nb: *x\n---\n",
    b"\xef\xbb\xbf---\r\ntitle: a\rb\r\ncountries: [UZ]\r\n---\r\n",
    b"---\ntitle: \xff\n---\n",
    b"---\n" + b"x" * 1_000_001,
]


def guide_keys() -> list[str]:
    """The message openings listed in the guide's error table."""
    table = GUIDE[GUIDE.index("| Message begins | Fix |") :]
    keys: list[str] = []
    for row in table.splitlines()[2:]:
        if not row.startswith("|"):
            break
        keys += [k.replace("…", "").strip() for k in re.findall(r"`([^`]+)`", row.split("|")[1])]
    return keys


def covered(message: str) -> bool:
    return any(all(part.strip() in message for part in key.split("  ") if part.strip()) for key in guide_keys())


def all_messages(tmp_path: Path, vocabulary: Vocabulary) -> list[str]:
    messages: list[str] = []
    for index, data in enumerate(BROKEN_FILES):
        path = tmp_path / f"broken{index}.md"
        path.write_bytes(data)
        messages += [p.message for p in read_seed(path)[1]]
    for index, (old, new, _) in enumerate(RULE_CASES):
        path = tmp_path / f"rule{index}.md"
        path.write_text(with_change(old, new))
        seed, found = read_seed(path)
        assert seed is not None
        messages += [p.message for p in found + Validator(vocabulary).validate([seed])]
    (tmp_path / "Bad Name.md").write_text(GOOD_SEED)
    seed, _ = read_seed(tmp_path / "Bad Name.md")
    assert seed is not None
    messages += [p.message for p in Validator(vocabulary).validate([seed, seed])]
    return messages


def test_every_error_message_has_a_fix_in_the_guide(tmp_path: Path, vocabulary: Vocabulary) -> None:
    messages = all_messages(tmp_path, vocabulary)
    assert len(messages) > 30
    missing = sorted({m for m in messages if not covered(m)})
    assert missing == [], "add these to the error table of docs/authoring.md"


@pytest.mark.parametrize("target", ["site", "test", "serve", "check", "golden", "schema", "screenshots"])
def test_readme_documents_every_make_target(target: str) -> None:
    assert f"make {target}" in README
    assert re.search(rf"^{target}:", (REPO / "Makefile").read_text(), re.MULTILINE)


def test_readme_documents_every_option() -> None:
    for p in (parser(), import_parser()):
        for action in p._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in README, option


def test_the_guides_worked_example_works(tmp_path: Path, vocabulary: Vocabulary) -> None:
    from timeline.importer import import_article

    (tmp_path / "seeds").mkdir()
    raw = tmp_path / "almaty.txt"
    raw.write_bytes((REPO / "tests/fixtures/raw/kz-kidney.txt").read_bytes())
    done = import_article(raw, tmp_path / "seeds", vocabulary, None, None)
    assert done.seed.name == "almaty-surgeons-perform-a-kidney-transplant-in-a-nine-year-old.md"
    text = done.seed.read_text(encoding="utf-8")
    shown = GUIDE[GUIDE.index("countries: [KZ]\ntags: []") :]
    shown = shown[: shown.index("```")]
    assert shown in text
    milestones = GUIDE[GUIDE.index("milestones:\n  - id: kz-first") :]
    done.seed.write_text(text.replace("milestones: []\n", milestones[: milestones.index("```")]), encoding="utf-8")
    seed, problems = read_seed(done.seed)
    assert seed is not None and problems + Validator(vocabulary).validate([seed]) == []


def nav_pages(entries: object) -> list[str]:
    """Every page file that mkdocs.yml's nav names, however deep."""
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, list):
        return [page for entry in entries for page in nav_pages(entry)]
    if isinstance(entries, dict):
        return [page for value in entries.values() for page in nav_pages(value)]
    return []


def test_every_hand_written_page_is_in_the_nav() -> None:
    pages = nav_pages(mkdocs_config()["nav"])
    generated = ("index.md", "vocabularies.md", "data.md")
    hand_written = sorted(p.name for p in (REPO / "docs").glob("*.md") if p.name not in generated)
    assert "methods.md" in hand_written
    assert [p for p in hand_written if p not in pages] == []


def test_the_methods_page_links_the_guide_and_has_the_sections_others_link_to() -> None:
    methods = (REPO / "docs" / "methods.md").read_text(encoding="utf-8")
    assert "](authoring.md)" in methods
    for anchor in ("milestones", "dates", "agreement", "sources", "report", "licence", "cite"):
        assert f"{{ #{anchor} }}" in methods, anchor
    assert "https://creativecommons.org/licenses/by/4.0/" in methods


def test_the_licence_is_named_in_the_footer_and_beside_the_code() -> None:
    licence = (REPO / "LICENSE-DATA.md").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International" in licence
    assert "https://creativecommons.org/licenses/by/4.0/" in licence
    assert "quotations" in licence.lower() and "code" in licence
    footer = mkdocs_config()["copyright"]
    assert "CC BY 4.0" in footer and "https://creativecommons.org/licenses/by/4.0/" in footer


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Конференция в Ташкенте: итоги", "конференция-в-ташкенте-итоги"),
        ("Oʻzbekistonda bolalar transplantatsiyasi", "oʻzbekistonda-bolalar-transplantatsiyasi"),
        ("Uzbekistan Boosts Pediatric Surgery", "uzbekistan-boosts-pediatric-surgery"),
    ],
)
def test_a_heading_in_any_script_gets_a_readable_anchor(heading: str, anchor: str) -> None:
    """With the toc settings of mkdocs.yml, as MkDocs passes them to Python-Markdown."""
    html = site_markdown().convert(f"# {heading}")
    assert f'id="{anchor}"' in html
