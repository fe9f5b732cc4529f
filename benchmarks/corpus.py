"""Synthetic corpora that follow the annotation format, for benchmarks.

Articles of about 600 words with three milestones each, quoting their own
text; some milestone ids repeat across articles (one event, many sources)
and dates use every EDTF form the spec names. The same count and seed give
the same files.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

WORDS = [
    "hospital",
    "transplant",
    "children",
    "donor",
    "marrow",
    "liver",
    "kidney",
    "centre",
    "ministry",
    "doctors",
    "patients",
    "treatment",
    "program",
    "national",
    "regional",
    "surgery",
    "hematology",
    "oncology",
    "cells",
    "therapy",
    "training",
    "equipment",
    "funding",
    "families",
    "clinic",
    "specialists",
    "results",
    "capacity",
    "year",
    "plan",
    "first",
    "country",
]
REGION = ["UZ", "KG", "KZ", "TJ", "TM"]
PLACES = ["Tashkent", "Bishkek", "Almaty", "Astana", "Dushanbe", "Ashgabat", "Samarkand", "Osh"]
INSTITUTIONS = ["National Children's Medical Center", "Republican Hematology Center", "City Clinical Hospital No. 2"]
PROCEDURES = [
    "hsct", "allogeneic-hsct", "autologous-hsct", "haploidentical-hsct", "liver-transplant",
    "kidney-transplant", "car-t", "stem-cell-collection", "other",
]  # fmt: skip
KINDS = ["first", "policy", "plan", "capacity", "event"]


def edtf(rng: random.Random) -> str:
    year = rng.randint(2000, 2026)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    form = rng.randrange(8)
    return [
        f"{year}-{month:02d}-{day:02d}",
        f"{year}-{month:02d}",
        f"{year}",
        f"{year}?",
        f"{year}~",
        f"{str(year)[:3]}X",
        f"{year}/{min(year + rng.randint(1, 4), 2030)}",
        f"../{year}-{month:02d}",
    ][form]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def article(index: int, rng: random.Random) -> str:
    paragraphs = [" ".join(sentence(rng, rng.randint(12, 20)) for _ in range(5)) for _ in range(6)]
    milestones = []
    shared_ids = rng.sample(range(200), 3)
    for number in range(3):
        paragraph = paragraphs[number * 2]
        quote = paragraph.split(". ")[1].rstrip(".") if ". " in paragraph else paragraph
        shared = rng.random() < 0.1
        event_id = f"shared-event-{shared_ids[number]}" if shared else f"event-{index}-{number}"
        inferred = rng.random() < 0.3
        lines = [
            f"  - id: {event_id}",
            f'    date: "{edtf(rng)}"',
            *(
                ["    date_basis: inferred", "    date_note: Reasoned from the text for this benchmark."]
                if inferred
                else []
            ),
            f"    country: {rng.choice(REGION)}",
            f"    place: {rng.choice(PLACES)}",
            f'    institution: "{rng.choice(INSTITUTIONS)}"',
            f"    procedure: {rng.choice(PROCEDURES)}",
            f"    kind: {rng.choice(KINDS)}",
            f"    title: {sentence(rng, 8).rstrip('.')}",
            f"    evidence: {quote}",
        ]
        milestones.extend(lines)
    front = [
        "---",
        f"title: Benchmark article {index}, {sentence(rng, 6).rstrip('.')}",
        "source:",
        f"  outlet: Outlet {index % 40}",
        f"  url: https://news.example.org/{index}",
        f'  published: "{rng.randint(2015, 2026)}-{rng.randint(1, 12):02d}"',
        "  language: en",
        f"countries: [{rng.choice(REGION)}]",
        f"tags: [benchmark, topic-{index % 25}]",
        f"summary: {sentence(rng, 25)}",
        "milestones:",
        *milestones,
        "---",
    ]
    return "\n".join(front) + "\n" + "\n\n".join(paragraphs) + "\n"


def write_corpus(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """Write ``count`` seed files into ``folder``; return their paths."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"bench-{index:05d}.md"
        path.write_text(article(index, rng), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic seeds folder.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_corpus(args.folder, args.count, args.seed)


if __name__ == "__main__":
    main()
