"""Incremental and parallel runs: docs/ ends exactly as a fresh run leaves it, whatever a run skips."""

from __future__ import annotations

import fnmatch
import gc
import marshal
import os
import random
import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest

from benchmarks.corpus import article, write_corpus
from tests.conftest import REPO
from tests.test_write import snapshot
from timeline import build, exports, memo, render
from timeline.build import Stop
from timeline.cli import generate, load_corpus
from timeline.load import read_seeds
from timeline.memo import cache_folder
from timeline.model import EventSummary, model_seeds
from timeline.render import render_site
from timeline.validate import Validator
from timeline.vocabulary import Vocabulary

Edit = Callable[[Path], object]


def contents(docs: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(docs).items()}


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def make_project(root: Path) -> tuple[Path, Path]:
    """The five real seeds and twenty synthetic ones, and a docs folder with a hand-written page."""
    seeds = root / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    write_corpus(seeds, 20)
    docs = root / "docs"
    docs.mkdir()
    (docs / "authoring.md").write_text("hand-written", encoding="utf-8")
    return seeds, docs


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    # A timeline split by year (so that events can move between pages) and a
    # process pool for every batch, however small: the paths a large corpus takes.
    monkeypatch.setattr(render, "TIMELINE_PAGE_LIMIT", 10)
    monkeypatch.setattr(build, "PARALLEL_FROM", 1)


SURGERY = "uz-pediatric-surgery-capabilities.md"
EDITS: dict[str, Edit] = {
    "a summary": lambda s: replace_in(s / SURGERY, "summary: A review", "summary: An edited review"),
    "the text": lambda s: (s / SURGERY).write_text((s / SURGERY).read_text() + "\nA new closing paragraph.\n"),
    "tags": lambda s: replace_in(s / SURGERY, "tags: [", "tags: [edited, "),
    "an article title": lambda s: replace_in(s / SURGERY, "title: Uzbekistan Boosts", "title: Uzbekistan Grows"),
    "an outlet": lambda s: replace_in(s / "bench-00003.md", "outlet: Outlet 3", "outlet: Another Outlet"),
    "a milestone title": lambda s: replace_in(s / "bench-00004.md", "    title: ", "    title: Retitled "),
    "a shared event's date, which moves it to another page": lambda s: replace_in(
        s / SURGERY,
        "  - id: uz-first-pediatric-allogeneic-hsct\n    date: ../2026-02",
        "  - id: uz-first-pediatric-allogeneic-hsct\n    date: 2019",
    ),
    "a new article": lambda s: shutil.copy(s / "bench-00005.md", s / "bench-copy.md"),
    "a removed article": lambda s: (s / "bench-00006.md").unlink(),
    "a renamed seed": lambda s: (s / "bench-00007.md").rename(s / "bench-renamed.md"),
}
DOCS_EDITS: dict[str, Edit] = {
    "an article page edited by hand": lambda d: (d / "articles/bench-00002.md").write_text("vandalised"),
    "a timeline page deleted by hand": lambda d: next((d / "timeline").glob("2*.md")).unlink(),
    "the data file edited by hand": lambda d: (d / "data/timeline.json").write_text("{}"),
    "the home page edited by hand": lambda d: (d / "index.md").write_text("edited"),
}


def fresh_build(tmp_path: Path, seeds: Path) -> dict[str, bytes]:
    docs = tmp_path / "fresh" / "docs"
    docs.mkdir(parents=True)
    (docs / "authoring.md").write_text("hand-written", encoding="utf-8")
    generate(seeds, docs, jobs=1)
    return contents(docs)


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_a_run_after_an_edit_writes_what_a_fresh_run_writes(tmp_path: Path, edit: str) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    EDITS[edit](seeds)
    generate(seeds, docs, jobs=2)
    assert contents(docs) == fresh_build(tmp_path, seeds)


@pytest.mark.parametrize("edit", list(DOCS_EDITS), ids=list(DOCS_EDITS))
def test_a_generated_file_changed_by_hand_is_written_again(tmp_path: Path, edit: str) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    expected = contents(docs)
    DOCS_EDITS[edit](docs)
    generate(seeds, docs, jobs=2)
    assert contents(docs) == expected


def test_an_edit_the_timeline_does_not_show_rewrites_only_its_page(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    EDITS["a summary"](seeds)
    outcome = generate(seeds, docs, jobs=2)
    assert outcome.report.written == ("articles/uz-pediatric-surgery-capabilities.md",)
    assert (outcome.seeds_read, outcome.parts_rendered) == (1, 0)  # no event's parts were rendered again
    assert (outcome.articles, outcome.events) == (25, len(load_corpus(seeds).events))


def test_a_run_with_nothing_changed_does_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=1)
    before = snapshot(docs)
    read = seeds_read(monkeypatch)
    outcome = generate(seeds, docs, jobs=1)
    assert (outcome.report.written, outcome.pages_rendered, read) == ((), 0, [])
    assert snapshot(docs) == before


def test_an_invalid_edit_then_its_fix(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    before = snapshot(docs)
    replace_in(seeds / SURGERY, "kind: first", "kind: firsts")
    with pytest.raises(Stop) as stopped:
        generate(seeds, docs, jobs=2)
    assert [p.field for p in stopped.value.problems] == ["milestones[1].kind"]
    assert snapshot(docs) == before
    with pytest.raises(Stop):  # the memo remembers the problem, and reports it again
        generate(seeds, docs, jobs=2)
    replace_in(seeds / SURGERY, "kind: firsts", "kind: first")
    generate(seeds, docs, jobs=2)
    assert contents(docs) == fresh_build(tmp_path, seeds)


@pytest.mark.parametrize("damage", ["deleted", "garbage", "truncated", "another shape"])
def test_a_damaged_memo_costs_time_not_correctness(tmp_path: Path, damage: str) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    EDITS["a milestone title"](seeds)
    for path in cache_folder(docs).rglob("*"):
        if not path.is_file():
            continue
        if damage == "deleted":
            path.unlink()
        elif damage == "garbage":
            path.write_bytes(b"not marshal data")
        elif damage == "truncated":
            path.write_bytes(path.read_bytes()[:20])
        else:  # readable, with the right stamp, but not what a run wrote
            stamp = marshal.loads(path.read_bytes())[:2]  # noqa: S302 - our own test data
            path.write_bytes(marshal.dumps((*stamp, {"x": (1, 2)} if path.name != "record" else ("x",))))
    generate(seeds, docs, jobs=2)
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_a_lost_seeds_shard_is_read_again_from_the_seeds(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    for shard in cache_folder(docs).glob("*/seeds/*"):
        shard.unlink()
    EDITS["an article title"](seeds)
    outcome = generate(seeds, docs, jobs=2)
    assert outcome.seeds_read == 25
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_parallel_and_serial_runs_write_the_same_bytes(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    assert contents(docs) == fresh_build(tmp_path, seeds)  # jobs=1


def test_a_template_error_in_a_worker_names_the_template(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / "article.md.j2").write_text("line one\n{{ article.title }}\n")
    before = snapshot(docs)
    with pytest.raises(Stop) as stopped:
        generate(seeds, docs, templates, jobs=2)
    assert "article.md.j2:2: template error: template printed" in stopped.value.message
    assert snapshot(docs) == before


def test_a_run_leaves_no_object_frozen_for_a_long_running_caller(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=1)
    EDITS["a milestone title"](seeds)
    generate(seeds, docs, jobs=2)  # a pool freezes the parent's objects before it forks
    assert gc.get_freeze_count() == 0  # the live preview runs in MkDocs' process, save after save
    assert gc.isenabled()


def _dying_compile(*arguments: object) -> build.SeedResult:
    os._exit(1)  # a worker killed (out of memory, say) while it reads a seed


def test_a_worker_that_dies_stops_the_run_instead_of_hanging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds, docs = make_project(tmp_path / "project")
    before = snapshot(docs)
    monkeypatch.setattr(build, "_compile", _dying_compile)
    with pytest.raises(Stop, match=r"a worker process stopped unexpectedly .*; docs/ is unchanged, run again"):
        generate(seeds, docs, jobs=2)
    assert snapshot(docs) == before
    monkeypatch.undo()
    monkeypatch.setattr(build, "PARALLEL_FROM", 1)
    generate(seeds, docs, jobs=2)  # the next run is whole
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_a_run_writes_what_render_site_gives(tmp_path: Path, vocabulary: Vocabulary) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)  # parts and article pages rendered by workers
    EDITS["a milestone title"](seeds)
    generate(seeds, docs, jobs=2)  # the rest from the memo
    loaded, problems = read_seeds(seeds)
    assert problems == []
    whole = render_site(*model_seeds(loaded, vocabulary))  # every page rendered in one call, nothing kept
    assert {name: data for name, data in contents(docs).items() if name != "authoring.md"} == {
        **{name: text.encode() for name, text in whole.items()},
        ".timeline-manifest.json": (docs / ".timeline-manifest.json").read_bytes(),
    }


def seeds_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the seeds read from here on (in this process: run with jobs=1)."""
    read: list[str] = []
    compile_one = build._compile

    def counting(seeds: Path, shown_as: str, validator: Validator, name: str) -> build.SeedResult:
        read.append(name)
        return compile_one(seeds, shown_as, validator, name)

    monkeypatch.setattr(build, "_compile", counting)
    return read


def test_a_seed_touched_but_not_changed_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=1)
    read = seeds_read(monkeypatch)
    for seed in seeds.glob("*.md"):
        os.utime(seed, ns=(1, 1))  # as a checkout or a restored CI cache leaves them
    EDITS["a summary"](seeds)
    generate(seeds, docs, jobs=1)
    assert read == [SURGERY]
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_an_emptied_docs_folder_is_filled_from_the_memo_without_reading_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    expected = contents(docs)
    shutil.rmtree(docs)
    docs.mkdir()
    (docs / "authoring.md").write_text("hand-written", encoding="utf-8")
    read = seeds_read(monkeypatch)
    generate(seeds, docs, jobs=1)
    assert read == []
    assert contents(docs) == expected


def test_an_edit_that_splits_the_timeline_into_years(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds, docs = make_project(tmp_path / "project")
    events = len(load_corpus(seeds).events)
    monkeypatch.setattr(render, "TIMELINE_PAGE_LIMIT", events)  # one page, until one more event
    generate(seeds, docs, jobs=2)
    assert not (docs / "timeline" / "2024.md").exists()
    new = article(999, random.Random(7))  # noqa: S311 - a fixed synthetic article, not a secret
    (seeds / "bench-new.md").write_text(new, encoding="utf-8")  # with events of its own
    generate(seeds, docs, jobs=2)
    assert (docs / "timeline" / "2024.md").exists()
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_a_seed_replaced_by_a_link_is_refused_not_followed(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=1)
    outside = tmp_path / "outside.md"
    shutil.copy(seeds / SURGERY, outside)
    (seeds / SURGERY).unlink()
    (seeds / SURGERY).symlink_to(outside)
    with pytest.raises(Stop) as stopped:
        generate(seeds, docs, jobs=1)
    assert [p.message for p in stopped.value.problems] == [
        "seed files must not be symbolic links; copy the file into the seeds folder"
    ]


def test_a_milestone_edit_renders_the_parts_of_its_events_only(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    first = generate(seeds, docs, jobs=2)
    assert first.parts_rendered == first.events  # nothing to start from: every event is rendered
    assert first.seeds_read == first.articles
    EDITS["a milestone title"](seeds)
    outcome = generate(seeds, docs, jobs=2)
    assert outcome.seeds_read == 1
    assert 0 < outcome.parts_rendered <= 3  # the edited article's events; every other part came from the memo
    assert contents(docs) == fresh_build(tmp_path, seeds)


def not_a_first(path: Path) -> str:
    """The id of the seed's first milestone that is not a first of its kind (firsts show on more pages)."""
    blocks = path.read_text(encoding="utf-8").split("\n  - id: ")[1:]
    return next(block.split("\n", 1)[0] for block in blocks if "\n    kind: first" not in block)


def retitle(path: Path, event_id: str, words: str) -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - id: {event_id}\n")
    at = text.index("\n    title: ", start) + len("\n    title: ")
    path.write_text(text[:at] + words + text[at:], encoding="utf-8")


def test_an_edit_rewrites_the_pages_that_show_it_and_no_other(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    event = not_a_first(seeds / "bench-00004.md")
    retitle(seeds / "bench-00004.md", event, "Retitled ")
    written = set(generate(seeds, docs, jobs=2).report.written)
    assert {"data/timeline.json", "data/timeline.csv", "articles/bench-00004.md"} < written
    assert sum(path.startswith("timeline/") for path in written) == 1  # its year's page
    assert any(path.startswith("countries/") for path in written)
    assert any(path.startswith("procedures/") for path in written)
    assert not any(path.startswith("articles/") and path != "articles/bench-00004.md" for path in written)
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_a_timeline_on_one_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "TIMELINE_PAGE_LIMIT", 10_000)  # one timeline page, as for the real seeds
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    assert not (docs / "timeline" / "2020.md").exists()
    retitle(seeds / "bench-00004.md", not_a_first(seeds / "bench-00004.md"), "Retitled ")
    outcome = generate(seeds, docs, jobs=2)
    assert "timeline/index.md" in outcome.report.written
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_an_edit_of_a_shared_event_renders_it_from_all_its_sources(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    shared = not_a_first(seeds / "bench-00004.md")
    replace_in(seeds / "bench-00005.md", "  - id: event-5-0\n", f"  - id: {shared}\n")
    generate(seeds, docs, jobs=2)
    retitle(seeds / "bench-00005.md", shared, "Also ")
    outcome = generate(seeds, docs, jobs=2)
    assert outcome.parts_rendered == 1
    assert contents(docs) == fresh_build(tmp_path, seeds)


def set_field(path: Path, event_id: str, name: str, value: str) -> None:
    """Give one milestone of a seed a new value (a quoted YAML string) for one of its fields."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - id: {event_id}\n")
    at = text.index(f"\n    {name}: ", start) + len(f"\n    {name}: ")
    end = text.index("\n", at)
    path.write_text(f'{text[:at]}"{value}"{text[end:]}', encoding="utf-8")


def redate(path: Path, event_id: str, edtf: str) -> None:
    set_field(path, event_id, "date", edtf)


def a_move(seeds: Path, *, same_year: bool = False) -> tuple[Path, str, str, tuple[Path, str]]:
    """A seed, one of its events, a date that moves it, and an earlier event of its country and procedure.

    The event has one source and is not a first (firsts show on more pages);
    its year keeps other events, and its new year has some of its country's
    and of its procedure's (so that a patch finds where to put it): the moves
    a patch must handle. The earlier event is there to be made a first.
    """
    layout = load_corpus(seeds).layout()
    firsts = {event.id for event in layout.firsts().values()}
    years = dict(layout.years())
    for event in layout.events:
        if event.id in firsts or len(event.sources) != 1 or len(years[event.year]) < 2:
            continue
        if len(event.countries) > 1 or len(event.procedures) > 1:
            continue
        kin = [e for e in layout.events if (e.country, e.procedure) == (event.country, event.procedure)]
        for other in kin:
            moved = other.when != event.when and (other.year == event.year) == same_year
            earlier = [e for e in kin if e.when < min(event.when, other.when) and len(e.sources) == 1]
            if moved and earlier:
                before = (seeds / f"{earlier[0].sources[0]}.md", earlier[0].id)
                return seeds / f"{event.sources[0]}.md", event.id, other.edtf, before
    raise AssertionError("the test corpus has no event to move")


@pytest.mark.parametrize(
    ("same_year", "first"),
    [(False, False), (True, False), (False, True)],
    ids=["to another year", "within its year", "a first of its kind after the first"],
)
def test_a_date_that_moves_an_event(tmp_path: Path, same_year: bool, first: bool) -> None:
    seeds, docs = make_project(tmp_path / "project")
    seed, event, date, earlier = a_move(seeds, same_year=same_year)
    if first:  # an earlier first of the same kind stays the first
        set_field(seed, event, "kind", "first")
        set_field(*earlier, "kind", "first")
    generate(seeds, docs, jobs=2)
    redate(seed, event, date)
    written = set(generate(seeds, docs, jobs=2).report.written)
    assert "data/timeline.json" in written
    assert ("timeline/index.md" in written) != same_year  # its counts of events by year
    assert sum(path.startswith("timeline/2") for path in written) == 1 + (not same_year)
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_a_shared_event_that_moves_rewrites_the_pages_of_all_its_sources(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    seed, event, date, _ = a_move(seeds)
    summary = next(e for e in load_corpus(seeds).layout().events if e.id == event)
    other = seeds / ("bench-00005.md" if seed.name != "bench-00005.md" else "bench-00006.md")
    old = other.read_text(encoding="utf-8").split("\n  - id: ")[1].split("\n", 1)[0]
    replace_in(other, f"  - id: {old}\n", f"  - id: {event}\n")  # a second source, that agrees with the first
    for name, value in {"date": summary.edtf, "country": summary.country, "procedure": summary.procedure}.items():
        set_field(other, event, name, value)
    set_field(other, event, "kind", summary.kind)
    generate(seeds, docs, jobs=2)
    redate(seed, event, date)  # both sources move it: one run, two seeds
    redate(other, event, date)
    written = set(generate(seeds, docs, jobs=2).report.written)
    assert {f"articles/{seed.stem}.md", f"articles/{other.stem}.md"} <= written  # both link to the event's page
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_random_moves_keep_every_run_equal_to_a_fresh_one(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    write_corpus(seeds, 120)
    generate(seeds, docs, jobs=2)
    rng = random.Random(7)  # noqa: S311 - reproducible edits, not secrets
    for step in range(8):
        layout = load_corpus(seeds).layout()
        event = rng.choice([e for e in layout.events if len(e.sources) == 1])
        redate(seeds / f"{event.sources[0]}.md", event.id, rng.choice(layout.events).edtf)
        generate(seeds, docs, jobs=2)
        assert contents(docs) == fresh_build(tmp_path / str(step), seeds), f"step {step}"


def a_first(seeds: Path) -> EventSummary:
    """The first of its kind in a country, with one source, in a year that keeps other events."""
    layout = load_corpus(seeds).layout()
    years = dict(layout.years())
    return next(e for e in layout.firsts().values() if len(e.sources) == 1 and len(years[e.year]) > 1)


def move_a_first(seeds: Path) -> None:
    """Move the first of its kind in a country to a later year: the next one, if any, takes its place.

    To the date of a later event of its country and procedure, so that the
    lists the first is in have events in its new year (a patch can place it).
    """
    layout = load_corpus(seeds).layout()
    years = dict(layout.years())
    for first in layout.firsts().values():
        kin = [e for e in layout.events if (e.country, e.procedure) == (first.country, first.procedure)]
        later = [e for e in kin if e.year > first.year]
        if len(first.sources) == 1 and len(years[first.year]) > 1 and len(first.countries) == 1 and later:
            redate(seeds / f"{first.sources[0]}.md", first.id, later[0].edtf)
            return
    raise AssertionError("the test corpus has no first of its kind to move")


def refile_a_first(seeds: Path) -> None:
    """File the first of its kind in a country under another kind: the next one, if any, takes its place."""
    first = a_first(seeds)
    set_field(seeds / f"{first.sources[0]}.md", first.id, "kind", "event")


def remove_an_article_that_empties_nothing(seeds: Path) -> None:
    """Remove an article whose events leave every year, country and procedure with events, and cite no first."""
    layout = load_corpus(seeds).layout()
    tally, firsts = layout.tally(), {e.id for e in layout.firsts().values()}
    for path in sorted(seeds.glob("bench-*.md")):
        cited = [e for e in layout.events if e.sources == (path.stem,)]
        counts = [
            *(Counter(e.year for e in cited)[e.year] < tally.sizes[e.year][0] for e in cited),
            *(sum(c in e.countries for e in cited) < tally.countries[c] for e in cited for c in e.countries),
            *(sum(p in e.procedures for e in cited) < tally.procedures[p] for e in cited for p in e.procedures),
        ]
        if cited and all(counts) and not {e.id for e in cited} & firsts:
            path.unlink()
            return
    raise AssertionError("every article of the test corpus empties a page or cites a first")


def test_a_first_filed_otherwise_gives_its_place_to_the_next_one(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    first = a_first(seeds)
    layout = load_corpus(seeds).layout()
    kin = [e for e in layout.events if (e.country, e.procedure) == (first.country, first.procedure)]
    later = next(e for e in kin if e.when > first.when and len(e.sources) == 1 and e.id != first.id)
    set_field(seeds / f"{later.sources[0]}.md", later.id, "kind", "first")  # the next first of its kind
    generate(seeds, docs, jobs=2)
    set_field(seeds / f"{first.sources[0]}.md", first.id, "kind", "event")
    generate(seeds, docs, jobs=2)
    assert f"#{later.id})" in (docs / "index.md").read_text(encoding="utf-8")  # the home page's table of firsts
    assert contents(docs) == fresh_build(tmp_path, seeds)


LIVER_FIRST = '    title: "First pediatric liver transplant in Uzbekistan'
MORE_EDITS: dict[str, Edit] = {
    "a country's first event": lambda s: replace_in(s / "bench-00006.md", "    country: ", "    country: NO #"),
    "a first's title, which its country's page shows": lambda s: replace_in(
        s / SURGERY, LIVER_FIRST, LIVER_FIRST + " (2)"
    ),
    "a new article citing the events of another": EDITS["a new article"],
    "a removed article that empties nothing": lambda s: remove_an_article_that_empties_nothing(s),
    "a year of its own, the first": lambda s: replace_in(s / "bench-00006.md", "    date: ", '    date: "1990" #'),
    "a year of its own, the last": lambda s: replace_in(s / "bench-00006.md", "    date: ", '    date: "2031" #'),
    "the first of its kind in a country moved later": lambda s: move_a_first(s),
    "the first of its kind filed under another kind": lambda s: refile_a_first(s),
}


@pytest.mark.parametrize("edit", list(MORE_EDITS), ids=list(MORE_EDITS))
def test_an_edit_that_changes_counts_firsts_or_pages(tmp_path: Path, edit: str) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    MORE_EDITS[edit](seeds)
    generate(seeds, docs, jobs=2)
    assert contents(docs) == fresh_build(tmp_path, seeds)


@pytest.mark.parametrize("page", ["timeline/20*.md", "countries/*.md", "data/timeline.json"])
def test_a_page_whose_record_lies_is_rendered_again_when_its_key_changes(tmp_path: Path, page: str) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    for file in docs.glob(page):  # changed by hand, with its size and time put back: the record now lies
        status = file.stat()
        file.write_bytes(b"x" * status.st_size)
        os.utime(file, ns=(status.st_atime_ns, status.st_mtime_ns))
    retitle(seeds / "bench-00004.md", not_a_first(seeds / "bench-00004.md"), "Retitled ")
    written = set(generate(seeds, docs, jobs=2).report.written)
    changed = {p for p in written if fnmatch.fnmatch(p, page)}
    assert changed, "the page that shows the event is rendered again"
    fresh = fresh_build(tmp_path, seeds)
    assert {path: (docs / path).read_bytes() for path in changed} == {path: fresh[path] for path in changed}


def memo_files(docs: Path) -> list[Path]:
    return sorted(path for path in cache_folder(docs).rglob("*") if path.is_file())


@pytest.mark.parametrize("kind", ["seeds", "texts", "section", "line", "data", "row", "record"])
def test_a_lost_part_of_the_memo_costs_time_not_correctness(tmp_path: Path, kind: str) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    lost = [path for path in memo_files(docs) if kind in (path.name, path.parent.name)]
    assert lost
    for path in lost[::2]:
        path.unlink()
    shutil.rmtree(docs / "articles")  # so that article pages are rendered again, from kept texts or not
    EDITS["a milestone title"](seeds)
    generate(seeds, docs, jobs=2)
    assert contents(docs) == fresh_build(tmp_path, seeds)


def test_memo_files_from_another_version_of_the_code_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=1)
    old = {path: path.read_bytes() for path in memo_files(docs)}
    stamp = build.stamp
    monkeypatch.setattr(build, "stamp", lambda *given: "0" * 20 + stamp(*given)[20:])  # another code version
    EDITS["a milestone title"](seeds)
    read = seeds_read(monkeypatch)
    generate(seeds, docs, jobs=1)
    assert len(read) == 25  # nothing kept by the other version was believed
    assert all(not path.exists() for path in old)  # and it is gone
    assert contents(docs) == fresh_build(tmp_path, seeds)
    folder = next(path for path in cache_folder(docs).iterdir())
    for path, data in old.items():  # put back under the new stamp's folder: the stamp inside still differs
        target = folder / path.relative_to(path.parent.parent) if path.name != "record" else folder / "record"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    read.clear()
    EDITS["a summary"](seeds)
    generate(seeds, docs, jobs=1)
    assert contents(docs) == fresh_build(tmp_path / "again", seeds)


def test_a_memo_holds_no_code(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)

    def plain(value: object) -> bool:
        if isinstance(value, (tuple, list)):
            return all(plain(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        return value is None or isinstance(value, (str, int, bool))

    files = memo_files(docs)
    assert {path.parent.name for path in files} >= {"seeds", "texts", "section", "line", "data", "row"}
    for path in files:
        data = path.read_bytes()
        assert not data.startswith(b"\x80"), f"{path} is a pickle"
        assert plain(marshal.loads(data)), f"{path} holds more than plain values"  # noqa: S302 - our own test data


def test_an_entry_no_run_can_ask_for_again_leaves_the_memo(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    for name in ("bench-00004.md", "bench-00009.md", "bench-00013.md"):
        replace_in(seeds / name, "    title: ", "    title: Retitled ")
    generate(seeds, docs, jobs=2)
    live_seeds = len(list(seeds.glob("*.md")))
    kept = sum(len(marshal.loads(path.read_bytes())[2]) for path in memo_files(docs) if path.parent.name == "seeds")  # noqa: S302
    assert kept == live_seeds  # the three seeds' old results are gone


def test_a_memo_kept_in_memory_between_runs_gives_the_same_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, docs = make_project(tmp_path / "project")
    keep = build.InMemory()
    generate(seeds, docs, jobs=1, keep=keep)
    loads: list[str] = []
    load = memo._load
    ours = cache_folder(docs)

    def loading(path: Path, stamp: str) -> object:
        if path.is_relative_to(ours):  # not the fresh builds' memos
            loads.append(path.name)
        return load(path, stamp)

    monkeypatch.setattr(memo, "_load", loading)
    for edit in ("a milestone title", "a shared event's date, which moves it to another page", "a new article"):
        EDITS[edit](seeds)
        generate(seeds, docs, jobs=1, keep=keep)
        assert contents(docs) == fresh_build(tmp_path / edit, seeds), edit
    assert loads.count("record") == 3  # the record is read every run; the memo's shards came from memory
    assert len([name for name in loads if name != "record"]) < 3 * 64 // 2


def test_templates_kept_in_memory_are_compiled_again_only_when_their_source_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds, docs = make_project(tmp_path / "project")
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    keep = build.InMemory()
    generate(seeds, docs, templates, jobs=1, keep=keep)
    compiled: list[str | None] = []
    compile_template = jinja2.Environment.compile

    def compiling(env: jinja2.Environment, source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(name)
        return compile_template(env, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compiling)
    EDITS["a milestone title"](seeds)
    generate(seeds, docs, templates, jobs=1, keep=keep)
    assert compiled == []
    EDITS["an outlet"](seeds)
    generate(seeds, docs, templates, jobs=1)  # a run that keeps nothing compiles what it renders
    assert "_date.md.j2" in compiled

    compiled.clear()
    replace_in(templates / "home.md.j2", "told from news articles.", "told from news articles, edited.")
    generate(seeds, docs, templates, jobs=1, keep=keep)
    assert compiled == ["home.md.j2"]
    assert "told from news articles, edited." in (docs / "index.md").read_text(encoding="utf-8")
    assert contents(docs) == fresh_build(tmp_path, seeds) | {"index.md": (docs / "index.md").read_bytes()}


def republish(name: str, when: str) -> Edit:
    """An edit of an article's publication date, which is when its events were last recorded (the feed's order)."""

    def edit(seeds: Path) -> None:
        text = (seeds / name).read_text(encoding="utf-8")
        dated = re.sub(r"^  published: .*$", f'  published: "{when}"', text, count=1, flags=re.M)
        assert dated != text
        (seeds / name).write_text(dated, encoding="utf-8")

    return edit


def test_a_capped_feed_follows_events_into_it_and_out_of_it_as_a_fresh_run_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "FEED_ENTRIES", 5)  # the project's 80-odd events, and a feed of five
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    feed = docs / "data/milestones.atom"
    shown = feed.read_bytes()
    retitle: Edit = lambda seeds: replace_in(seeds / "bench-00003.md", "    title: ", "    title: Retitled ")  # noqa: E731
    edits = [republish("bench-00003.md", "2026-11-30"), retitle, republish("bench-00003.md", "2015-01")]
    for step, edit in enumerate(edits):
        edit(seeds)
        generate(seeds, docs, jobs=2)
        assert contents(docs) == fresh_build(tmp_path / str(step), seeds), step
        assert feed.read_bytes() != shown, step  # each edit moves the feed: in, retitled within, out
        shown = feed.read_bytes()
    assert feed.read_bytes().count(b"<entry>") == 5


def test_an_edit_kept_by_a_failed_run_is_laid_out_by_the_next(tmp_path: Path) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    EDITS["a milestone title"](seeds)  # valid, read by the run that fails on the next one
    replace_in(seeds / SURGERY, "kind: first", "kind: firsts")
    with pytest.raises(Stop):
        generate(seeds, docs, jobs=2)
    replace_in(seeds / SURGERY, "kind: firsts", "kind: first")
    generate(seeds, docs, jobs=2)
    assert contents(docs) == fresh_build(tmp_path, seeds)


def random_edit(seeds: Path, rng: random.Random) -> None:
    """One edit of a synthetic seed that moves, merges, splits, renames or retitles events."""
    paths = sorted(seeds.glob("bench-*.md"))
    path = rng.choice(paths)
    text = path.read_text(encoding="utf-8")
    kind = rng.choice(["title", "date", "country", "kind", "share", "rename", "article title", "remove", "add"])
    if kind == "remove":
        path.unlink()
        return
    if kind == "add":
        (seeds / f"bench-added-{rng.randrange(10**6)}.md").write_text(article(rng.randrange(10**4), rng), "utf-8")
        return
    lines = text.split("\n")
    field = {"title": "    title: ", "date": "    date: ", "country": "    country: ", "kind": "    kind: "}
    field.update({"share": "  - id: ", "rename": "  - id: ", "article title": "title: "})
    spots = [i for i, line in enumerate(lines) if line.startswith(field[kind])]
    spot = rng.choice(spots)
    value = {
        "title": f"Edited {rng.randrange(1000)}",
        "date": f'"{rng.choice(["2003", "2011-05", "2011-05-04", "../2019-03", "2020/2022", "2015~"])}"',
        "country": rng.choice(["UZ", "KG", "KZ", "TJ", "TM"]),
        "kind": rng.choice(["first", "event", "plan", "capacity", "policy"]),
        "share": rng.choice([f"event-{rng.randrange(20)}-{rng.randrange(3)}", f"shared-event-{rng.randrange(200)}"]),
        "rename": f"renamed-{rng.randrange(1000)}",
        "article title": f"A retitled article {rng.randrange(1000)}",
    }[kind]
    lines[spot] = field[kind] + value
    path.write_text("\n".join(lines), encoding="utf-8")


def edit_at_random(tmp_path: Path, seeds: Path, docs: Path, rng: random.Random, steps: int) -> int:
    """Edit at random, run after each edit and compare with a fresh run; return how many parts were rendered."""
    rendered = 0
    for step in range(steps):
        before = {path: path.read_bytes() for path in seeds.glob("*.md")}
        random_edit(seeds, rng)
        try:
            rendered += generate(seeds, docs, jobs=2).parts_rendered
        except Stop:  # an edit the format refuses (an article citing one event twice): undo it
            for path in seeds.glob("*.md"):
                path.unlink()
            for path, data in before.items():
                path.write_bytes(data)
            generate(seeds, docs, jobs=2)
        assert contents(docs) == fresh_build(tmp_path / str(step), seeds), f"step {step}"
    return rendered


@pytest.mark.parametrize("sequence", range(3))
def test_random_edits_keep_every_run_equal_to_a_fresh_one(tmp_path: Path, sequence: int) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=2)
    edit_at_random(tmp_path, seeds, docs, random.Random(sequence), 6)  # noqa: S311 - reproducible, not secret


@pytest.mark.parametrize("sequence", range(2))
def test_random_edits_of_a_larger_corpus_render_little(tmp_path: Path, sequence: int) -> None:
    seeds, docs = make_project(tmp_path / "project")
    write_corpus(seeds, 120)
    events = generate(seeds, docs, jobs=2).events
    rendered = edit_at_random(tmp_path, seeds, docs, random.Random(100 + sequence), 8)  # noqa: S311
    assert rendered < events  # all eight edits together rendered fewer events than one timeline has


def test_the_seeds_folder_spelt_otherwise_keeps_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seeds, docs = make_project(tmp_path / "project")
    generate(seeds, docs, jobs=1)  # an absolute path, as the live preview gives
    expected = contents(docs)
    replace_in(seeds / SURGERY, "kind: first", "kind: firsts")
    with pytest.raises(Stop) as absolute:
        generate(seeds, docs, jobs=1)
    monkeypatch.chdir(tmp_path / "project")
    read = seeds_read(monkeypatch)
    with pytest.raises(Stop) as relative:  # as `make site` gives it
        generate(Path("seeds"), Path("docs"), jobs=1)
    assert read == []  # nothing read again: the cache holds for either spelling
    assert [str(p) for p in absolute.value.problems] == [
        str(p).replace("seeds/", f"{seeds}/", 1) for p in relative.value.problems
    ]
    assert str(relative.value.problems[0]).startswith(f"seeds/{SURGERY}:")
    replace_in(seeds / SURGERY, "kind: firsts", "kind: first")
    generate(Path("seeds"), Path("docs"), jobs=1)
    assert read == []  # the fix gives back the bytes of the first run, whose result the memo holds
    assert contents(docs) == expected
