"""Import a raw article: a cleaned seed to annotate, and the raw text kept as it came.

The cleaning removes what is not the article (share bars, "Read also",
"Follow ... on Google News", a second copy of the text, one-word labels);
the suggestions (dates, countries, institutions found in the text) are YAML
comments the editor accepts or deletes. Nothing is ever overwritten.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from anyascii import anyascii

from timeline.dates import MONTHS
from timeline.vocabulary import Vocabulary

SHARE_WORDS = frozenset(
    {
        "vk", "x", "ok", "whatsapp", "telegram", "facebook", "twitter", "linkedin", "reddit", "pinterest",
        "viber", "email", "e-mail", "print", "share", "copy", "link", "messenger", "threads", "bluesky",
        "mastodon", "tumblr", "skype", "line",
    }
)  # fmt: skip
NOISE = re.compile(
    r"^(read (also|more)|see also|also read|related( articles)?|advertisement|subscribe\b|"
    r"follow .* on (google news|telegram|facebook|twitter|x)\b|share (this|on)\b)",
    re.IGNORECASE,
)
_MONTH = "|".join(MONTHS)
DATE_PATTERNS = [
    (re.compile(rf"\b(\d{{1,2}}) ({_MONTH}),? (\d{{4}})\b"), "dmy"),
    (re.compile(rf"\b({_MONTH}) (\d{{1,2}}),? (\d{{4}})\b"), "mdy"),
    (re.compile(rf"\b({_MONTH}) (\d{{1,2}})\b(?!,? \d{{4}})"), "md"),
    (re.compile(rf"\b(\d{{1,2}}) ({_MONTH})\b(?!,? \d{{4}})"), "dm"),
    (re.compile(rf"\b({_MONTH}) (\d{{4}})\b"), "my"),
    (re.compile(r"\b(?:in|since|by|from|until|of) ((?:19|20)\d\d)\b", re.IGNORECASE), "y"),
    (re.compile(r"\b((?:19|20)\d\d)[-–]((?:19|20)\d\d)\b"), "yy"),
]
_NAME = r"[A-Z][\w’'-]*"
INSTITUTION = re.compile(
    rf"\b((?:{_NAME}\s+){{0,8}}"
    r"(?:Center|Centre|Hospital|Ministry|Institute|University|Clinic|Foundation|Organization|Organisation)\b"
    rf"(?:\s+(?:of|for|and)\s+(?:the\s+)?{_NAME}(?:\s+{_NAME})*)*)"
)
# Places and adjectives that name a country without its name.
COUNTRY_HINTS = {
    "UZ": ["Uzbek", "Tashkent", "Samarkand", "Bukhara"],
    "KG": ["Kyrgyz", "Bishkek", "Osh"],
    "KZ": ["Kazakh", "Almaty", "Astana"],
    "TJ": ["Tajik", "Dushanbe"],
    "TM": ["Turkmen", "Ashgabat"],
    "RU": ["Russian", "Moscow"],
    "TR": ["Turkish", "Türkiye"],
    "BY": ["Belarusian", "Minsk"],
    "CN": ["Chinese"],
    "KR": ["Korean", "Seoul"],
}


class ImportRefused(Exception):
    """The import cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Imported:
    """What an import wrote."""

    seed: Path
    raw: Path


def _words(line: str) -> list[str]:
    return re.findall(r"[\w’'-]+", line)


def is_noise(line: str) -> bool:
    """Whether a line is page furniture rather than article text."""
    text = line.strip()
    if not text:
        return False
    words = [w.lower() for w in _words(text)]
    if words and all(w in SHARE_WORDS for w in words):
        return True
    if NOISE.match(text):
        return True
    return len(text.split()) == 1 and text.isalpha()


def clean(raw: str) -> tuple[str, str]:
    """Return the headline and the cleaned body (paragraphs separated by blank lines)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    paragraphs: list[str] = []
    seen: set[str] = set()
    for line in text.split("\n"):
        if not line.strip() or is_noise(line):
            continue
        key = " ".join(line.split())
        if key in seen:
            continue  # a second copy of the text, or a repeated line
        seen.add(key)
        paragraphs.append(line.strip())
    if not paragraphs:
        raise ImportRefused("the text is empty once share bars and labels are removed")
    # A headline comes first; where the page starts mid-article, it is the
    # first short line that is not a sentence.
    if len(paragraphs[0]) <= 200:
        title = paragraphs[0]
    else:
        title = next((p for p in paragraphs if len(p) <= 200 and not p.endswith((".", "”", '"'))), "")
    body = [p for p in paragraphs if p != title] if title else paragraphs
    return title or "Untitled: write the headline here", "\n\n".join(body)


def suggest_dates(body: str) -> list[str]:
    """Dates the text mentions, each as written and, where it is complete, in EDTF."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern, form in DATE_PATTERNS:
        for match in pattern.finditer(body):
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            found.append((match.start(), _edtf_hint(match.group(0), match.groups(), form)))
    return [text for _, text in sorted(found)]


def _edtf_hint(written: str, groups: tuple[str | None, ...], form: str) -> str:
    g = [x or "" for x in groups]
    month = {name: f"{i:02d}" for i, name in enumerate(MONTHS, 1)}
    edtf = {
        "dmy": lambda: f"{g[2]}-{month[g[1]]}-{int(g[0]):02d}",
        "mdy": lambda: f"{g[2]}-{month[g[0]]}-{int(g[1]):02d}",
        "my": lambda: f"{g[1]}-{month[g[0]]}",
        "y": lambda: g[0],
        "yy": lambda: f"{g[0]}/{g[1]}",
    }.get(form)
    if edtf is None:
        return f'"{written}" (no year printed: infer it, or use an interval)'
    return f'"{written}" -> {edtf()}'


def suggest_countries(body: str, vocabulary: Vocabulary) -> list[tuple[str, list[str]]]:
    """Country codes the text names, with the words that name them, region first."""
    hits: dict[str, list[str]] = {}
    for code, term in vocabulary.countries.items():
        names = [term.label, *COUNTRY_HINTS.get(code, [])]
        for name in names:
            if re.search(rf"\b{re.escape(name)}", body) and name not in hits.get(code, []):
                hits.setdefault(code, []).append(name)
    region = [c for c in vocabulary.region if c in hits]
    others = sorted(c for c in hits if c not in vocabulary.region)
    return [(code, hits[code]) for code in region + others]


def suggest_institutions(body: str) -> list[str]:
    """Names that look like hospitals, ministries, centres and universities."""
    names: dict[str, None] = {}
    for match in INSTITUTION.finditer(body):
        name = " ".join(match.group(1).split())
        name = re.sub(r"^(The|A|An|At|In|Of|On|By)\s+", "", name)
        if len(name.split()) >= 2:
            names[name] = None
    return list(names)


def seed_text(raw: str, raw_name: str, vocabulary: Vocabulary, countries: list[str] | None) -> str:
    """The new seed file: front matter to fill in, suggestions as comments, the cleaned body."""
    title, body = clean(raw)
    found = suggest_countries(body + "\n" + title, vocabulary)
    chosen = countries or [code for code, _ in found if code in vocabulary.region] or [c for c, _ in found][:1]
    if not chosen:
        raise ImportRefused("no country found in the text; name one with --country CODE (such as --country UZ)")

    def q(text: str) -> str:  # a JSON string is a valid double-quoted YAML scalar
        return json.dumps(text, ensure_ascii=False)

    lines = [
        "---",
        f"title: {q(title)}",
        "source:",
        "  outlet:      # the publisher as printed; leave empty when the text names none",
        "  url:         # http(s) address of the article",
        "  published:   # EDTF, such as 2024-05 or 2024?",
        "  author:      # the byline as printed",
        "  provenance:  # how outlet, url and date were found, if the text does not print them",
        "  language: en",
        f"  raw: {q('raw/' + raw_name)}",
        f"countries: [{', '.join(chosen)}]",
        "tags: []",
        "summary:       # one or two sentences on what the article reports",
        "# Suggestions found in the text: keep what is right, delete the rest.",
    ]
    lines += ["# Countries named:"] + [f"#   {code}: {', '.join(words)}" for code, words in found]
    lines += ["# Dates mentioned:"] + [f"#   {d}" for d in suggest_dates(body)]
    lines += ["# Institutions named:"] + [f"#   {name}" for name in suggest_institutions(body)]
    lines += [
        "milestones: []",
        "# A milestone, to copy above and fill in (see the authoring guide):",
        "#  - id: uz-first-pediatric-liver-transplant",
        "#    date: 2024            # EDTF; date_basis: inferred and a date_note if not printed",
        "#    country: UZ",
        "#    procedure: liver-transplant",
        "#    kind: first",
        "#    title: What happened, in one line",
        "#    evidence: a verbatim quote from the text below",
        "---",
        body,
        "",
    ]
    return "\n".join(lines)


_INNER_APOSTROPHE = re.compile(r"(?<=\w)['`ʻʼ’‘](?=\w)")


def slug(text: str, limit: int = 80) -> str:
    """A valid id from a title: lowercase words joined by hyphens, cut at a word.

    Other scripts are transliterated (anyascii), so that a Cyrillic title
    gives a readable id rather than none (В Ташкенте: v-tashkente), and an
    apostrophe inside a word keeps it one word (Oʻzbekiston: ozbekiston,
    children's: childrens).
    """
    latin = _INNER_APOSTROPHE.sub("", anyascii(_INNER_APOSTROPHE.sub("", text)))
    words = re.findall(r"[a-z0-9]+", latin.lower())
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > limit:
            break
        out = candidate
    return out or "article"


def import_article(
    source: Path, seeds: Path, vocabulary: Vocabulary, article_id: str | None, countries: list[str] | None
) -> Imported:
    """Write ``seeds/<id>.md`` and copy the raw file to ``seeds/raw/``; refuse to overwrite either."""
    data = source.read_bytes()
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportRefused(f"{source} is not UTF-8 text (byte {error.start}); convert it to UTF-8 first") from error
    text = seed_text(raw, source.name, vocabulary, countries)
    title = json.loads(text.split("\n")[1][len("title: ") :])
    article_id = article_id or slug(title)
    seed = seeds / f"{article_id}.md"
    raw_copy = seeds / "raw" / source.name
    for path in (seed, raw_copy):
        if path.exists() or path.is_symlink():
            raise ImportRefused(f"{path} already exists; choose another id with --id, or remove it first")
    raw_copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, raw_copy)
    try:
        with seed.open("x", encoding="utf-8") as stream:
            stream.write(text)
    except OSError:
        raw_copy.unlink()
        raise
    return Imported(seed, raw_copy)
