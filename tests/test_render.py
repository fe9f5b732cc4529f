"""Render: templates cannot print an unescaped value; hostile values stay text."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import markdown
import pytest
from bs4 import BeautifulSoup

from tests.conftest import GOOD_SEED, SeedWriter, as_windows
from timeline.load import read_seeds
from timeline.model import model_seeds
from timeline.render import UnescapedValue, environment, render_site, timeline_data
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary


def site_for(write_seed: SeedWriter, vocabulary: Vocabulary, text: str) -> dict[str, str]:
    seeds, problems = read_seeds(write_seed("a.md", text).parent)
    assert problems + Validator(vocabulary).validate(seeds) == []
    return render_site(*model_seeds(seeds, vocabulary))


@pytest.mark.parametrize("source", ["{{ value }}", "{{ value|safe }}", "{{ value|e }}x{{ value }}"])
def test_templates_must_escape(tmp_path: Path, source: str) -> None:
    (tmp_path / "t.j2").write_text(source)
    env = environment(tmp_path)
    with pytest.raises((UnescapedValue, jinja2.TemplateAssertionError)):
        env.get_template("t.j2").render(value="<b>")


def test_templates_refuse_undefined_names(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text("{{ missing|md }}")
    with pytest.raises(jinja2.UndefinedError):
        environment(tmp_path).get_template("t.j2").render()


HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) {: onclick=alert(1) } | <img src=x onerror=alert(1)>"


def hostile_seed() -> str:
    text = GOOD_SEED
    for field in ("title: A test article", "summary: A short summary.", "outlet: Test Outlet"):
        key = field.split(":")[0]
        text = text.replace(field, f"{key}: '{HOSTILE}'")
    text = text.replace("title: The first test transplant", f"title: '{HOSTILE}'\n    place: '{HOSTILE}'")
    return text.replace("A second paragraph.", f"{HOSTILE}\n\n<iframe src=https://evil.example></iframe>")


def test_hostile_values_render_as_text(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    files = site_for(write_seed, vocabulary, hostile_seed())
    for name, text in files.items():
        if not name.endswith(".md"):
            continue
        front, body = text.split("---\n", 2)[1:]
        assert "<script" not in front
        html = markdown.markdown(body, extensions=["toc", "tables", "attr_list", "admonition"])
        soup = BeautifulSoup(html, "html.parser")
        # The JSON-LD script is data in which no <, > or & can end the element (exports.json_ld).
        data = [s for s in soup.find_all("script", type="application/ld+json") if "<" not in s.get_text()]
        assert all(json.loads(s.get_text()) for s in data)
        assert not [t for t in soup.find_all(["script", "iframe", "img"]) if t not in data], name
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.startswith("on")], (name, tag)
            assert not str(tag.get("href", "")).lower().startswith("javascript"), (name, tag)


def test_page_titles_are_escaped_in_front_matter(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    files = site_for(write_seed, vocabulary, hostile_seed())
    front = files["articles/a.md"].split("---\n")[1]
    assert "&lt;script&gt;" in front and "<script" not in front


def test_timeline_json(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    files = site_for(write_seed, vocabulary, GOOD_SEED)
    data = json.loads(files["data/timeline.json"])
    (event,) = data["events"]
    assert {k: event[k] for k in ("id", "date", "earliest", "latest", "display", "disagreement")} == {
        "id": "uz-test-first",
        "date": "2023?",
        "earliest": "2023-01-01",
        "latest": "2023-12-31",
        "display": "2023 (uncertain)",
        "disagreement": False,
    }
    (source,) = event["sources"]
    assert source["url"] == "https://example.org/news/1"
    assert source["evidence"] == "the first “test” transplant was performed"
    assert event["versions"][0]["sources"] == ["a"]


@pytest.mark.parametrize(("bom", "crlf"), [(False, True), (True, True)])
def test_a_windows_seed_renders_the_same_pages_as_the_lf_seed(
    write_seed: SeedWriter, vocabulary: Vocabulary, bom: bool, crlf: bool
) -> None:
    # A quote that spans a line break of the body, and a second paragraph.
    text = GOOD_SEED.replace("transplant was performed\n", "transplant was performed on a child\n").replace(
        "was performed on a child.", "was performed\non a child."
    )
    plain = site_for(write_seed, vocabulary, text)
    windows = site_for(write_seed, vocabulary, as_windows(text, bom=bom, crlf=crlf))
    assert windows["articles/a.md"] == plain["articles/a.md"]
    assert windows == plain
    # The CSVs and the calendar end their lines with CRLF, as RFC 4180 and 5545 say; only the Excel CSV starts
    # with a BOM; no other page holds a CR or a BOM.
    crlf_files = {"data/timeline.csv", "data/timeline-excel.csv", "data/timeline.ics"}
    assert [name for name, page in windows.items() if "\ufeff" in page] == ["data/timeline-excel.csv"]
    assert windows["data/timeline-excel.csv"].startswith("\ufeff")
    assert not [name for name, page in windows.items() if "\r" in page.replace("\r\n", "")]
    assert not [name for name, page in windows.items() if "\r" in page and name not in crlf_files]
    assert "<mark>the first &quot;test&quot; transplant was performed on a child</mark>" in windows["articles/a.md"]


def test_schema_is_published_with_the_vocabularies(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    schema = json.loads(site_for(write_seed, vocabulary, GOOD_SEED)["data/annotation.schema.json"])
    assert "allogeneic-hsct" in schema["$defs"]["procedure"]["enum"]
    assert "NO" in schema["$defs"]["country"]["enum"]


def test_rendering_is_deterministic(write_seed: SeedWriter, vocabulary: Vocabulary) -> None:
    seeds, _ = read_seeds(write_seed("a.md", GOOD_SEED).parent)
    corpus, texts = model_seeds(seeds, vocabulary)
    assert render_site(corpus, texts) == render_site(corpus, texts)
    assert timeline_data(corpus) == timeline_data(corpus)
