"""A record a journalist can cite: "Cite this" on every event, the data file's citation and
licence, and a "last updated" date that comes from the sources, not the clock."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
from bs4 import BeautifulSoup, Tag

from tests.conftest import REPO
from tests.test_hostile import PAYLOADS, hostile_seed
from timeline.load import read_seeds
from timeline.model import model_seeds
from timeline.render import SITE_NAME, render_site
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary

# As mkdocs.yml configures Python-Markdown for the site.
EXTENSIONS = ["toc", "tables", "attr_list", "admonition", "md_in_html", "pymdownx.details"]


def site_of(seeds: Path, vocabulary: Vocabulary) -> dict[str, str]:
    found, problems = read_seeds(seeds)
    assert problems + Validator(vocabulary).validate(found) == []
    return render_site(*model_seeds(found, vocabulary))


def html_of(page: str) -> BeautifulSoup:
    body = page.split("---\n", 2)[2]
    return BeautifulSoup(markdown.markdown(body, extensions=EXTENSIONS), "html.parser")


def citations(page: str) -> dict[str, Tag]:
    """Each event's citation paragraph, by event id."""
    found: dict[str, Tag] = {}
    for event in html_of(page).select("article.tl-event"):
        heading = event.select_one("h3[id]")
        assert heading is not None
        cites = event.select("details.tl-cite")
        assert len(cites) == 1, heading["id"]
        summary = cites[0].select_one("summary")
        assert summary is not None and summary.get_text() == "Cite this"
        paragraph = cites[0].select_one("p.tl-citation")
        assert paragraph is not None, heading["id"]
        found[str(heading["id"])] = paragraph
    return found


def text_of(tag: Tag) -> str:
    return re.sub(r"\s+", " ", tag.get_text()).strip()


def test_every_event_has_a_citation_with_its_title_and_permalink(vocabulary: Vocabulary) -> None:
    files = site_of(REPO / "seeds", vocabulary)
    data = json.loads(files["data/timeline.json"])
    cited = citations(files["timeline/index.md"])
    assert list(cited) == [e["id"] for e in data["events"]]
    for event in data["events"]:
        paragraph = cited[event["id"]]
        title = event["title"] + ("" if event["title"][-1] in ".?!" else ".")
        assert text_of(paragraph) == f"“{title}” {SITE_NAME}. {event['permalink']}. Accessed [date]."
        (link,) = paragraph.find_all("a")
        assert link["href"] == f"#{event['id']}"
        assert link.get_text() == event["permalink"] == f"timeline/#{event['id']}"


def test_the_citation_block_is_kept_out_of_search_and_its_button_waits_for_the_script(
    vocabulary: Vocabulary,
) -> None:
    files = site_of(REPO / "seeds", vocabulary)
    soup = html_of(files["timeline/index.md"])
    blocks = soup.select("details.tl-cite")
    assert blocks and all(block.has_attr("data-search-exclude") for block in blocks)
    for block in blocks:
        button = block.select_one("button.tl-copy")
        assert button is not None and button["type"] == "button" and button.has_attr("hidden")
        status = block.select_one(".tl-copy-status")
        assert status is not None and status["aria-live"] == "polite"


def test_a_hostile_title_stays_text_in_the_citation(tmp_path: Path, vocabulary: Vocabulary) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for index, payload in enumerate(PAYLOADS):
        (seeds / f"hostile-{index}.md").write_text(hostile_seed(index, payload), encoding="utf-8")
    cited = citations(site_of(seeds, vocabulary)["timeline/index.md"])
    assert len(cited) == len(PAYLOADS)
    for index, payload in enumerate(PAYLOADS):
        paragraph = cited[f"hostile-{index}"]
        title = re.sub(r"\s+", " ", payload.replace("MARK", f"XSS{index}milestone_title"))
        assert text_of(paragraph).startswith(f"“{title}"), index
        # The one element in a citation is its permalink; nothing from the title became markup.
        assert [(tag.name, dict(tag.attrs)) for tag in paragraph.find_all(True)] == [
            ("a", {"class": ["tl-permalink"], "href": f"#hostile-{index}"})
        ]


def test_the_data_file_says_how_to_cite_it_and_its_licence(vocabulary: Vocabulary) -> None:
    data = json.loads(site_of(REPO / "seeds", vocabulary)["data/timeline.json"])
    assert data["cite"].startswith(SITE_NAME)
    assert "timeline.json" in data["cite"] and "Accessed" in data["cite"]
    assert data["licence"].startswith("CC BY 4.0")
    assert "https://creativecommons.org/licenses/by/4.0/" in data["licence"]
    assert "Quotations" in data["licence"]
