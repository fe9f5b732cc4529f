"""A record a journalist can cite: "Cite this" on every event, the data file's citation and
licence, and a "last updated" date that comes from the sources, not the clock."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from tests.conftest import GOOD_SEED, REPO, site_markdown
from tests.test_hostile import PAYLOADS, hostile_seed
from timeline.load import read_seeds
from timeline.model import model_seeds
from timeline.render import SITE_NAME, render_site
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary


def site_of(seeds: Path, vocabulary: Vocabulary) -> dict[str, str]:
    found, problems = read_seeds(seeds)
    assert problems + Validator(vocabulary).validate(found) == []
    return render_site(*model_seeds(found, vocabulary))


def write_seeds(folder: Path, texts: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def html_of(page: str) -> BeautifulSoup:
    body = page.split("---\n", 2)[2]
    return BeautifulSoup(site_markdown().convert(body), "html.parser")


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


def dated_seed(article: str, published: str | None) -> str:
    seed = GOOD_SEED.replace("uz-test-first", f"{article}-first")
    line = "  published: 2024-03\n"
    return seed.replace(line, f"  published: {json.dumps(published)}\n" if published else "")


def home_updated(files: dict[str, str]) -> list[str]:
    return [text_of(p) for p in html_of(files["index.md"]).find_all("p") if "Last updated" in p.get_text()]


def test_last_updated_is_the_newest_publication_date(tmp_path: Path, vocabulary: Vocabulary) -> None:
    seeds = write_seeds(
        tmp_path / "seeds",
        {
            "a.md": dated_seed("a", "2025-07-15"),  # begins later than c, ends sooner
            "b.md": dated_seed("b", "2024-03"),
            "c.md": dated_seed("c", "2025-07"),  # its last day is the latest: 31 July 2025
            "d.md": dated_seed("d", "2026/.."),  # no last day: it cannot be the newest
            "e.md": dated_seed("e", None),
        },
    )
    files = site_of(seeds, vocabulary)
    assert home_updated(files) == ["Last updated: July 2025, when the newest source was published."]
    soup = html_of(files["index.md"])
    paragraphs = [text_of(p) for p in soup.find_all("p")]
    assert paragraphs[paragraphs.index(home_updated(files)[0]) - 1].startswith("5 events · 5 articles")
    (date,) = [s for s in soup.find_all("span", class_="tl-date") if "July 2025" in s.get_text()]
    assert date["data-edtf"] == "2025-07"
    # The line follows the data: a newer source moves it.
    (seeds / "f.md").write_text(dated_seed("f", "2025-08-01"), encoding="utf-8")
    assert home_updated(site_of(seeds, vocabulary)) == [
        "Last updated: 1 August 2025, when the newest source was published."
    ]


def test_last_updated_is_left_out_when_no_publication_date_is_known(tmp_path: Path, vocabulary: Vocabulary) -> None:
    seeds = write_seeds(tmp_path / "seeds", {"a.md": dated_seed("a", None), "b.md": dated_seed("b", "2025/..")})
    files = site_of(seeds, vocabulary)
    assert home_updated(files) == []
    assert "Last updated" not in files["index.md"]
