"""Read seed files into front matter values with the position of every node.

YAML scalars stay strings (``NO`` is Norway, ``2024`` is a date string), and
the typing happens in ``validate``. Duplicate keys, aliases and oversized
files are refused here, before anything walks the tree. A byte-order mark
and CRLF line endings (what Windows editors write) are read as if the file
had neither; a carriage return on its own is still an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import yaml

from timeline.problems import Problem

MAX_FILE_BYTES = 1_000_000
"""A seed is one article: a megabyte is two orders of magnitude above a long one."""
MAX_NODES = 5_000
"""Front matter with more nodes than this is not an annotation but an accident or an attack."""

Value: TypeAlias = str | list["Value"] | dict[str, "Value"] | None
"""A front matter value: every scalar a string (None for an empty value)."""
FieldPath = tuple[str | int, ...]

_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BOM = b"\xef\xbb\xbf"
"""UTF-8's byte-order mark, which Windows editors put before the text."""
_LONE_CR = (
    "a carriage return (CR) that is not part of a CRLF line ending (old Mac line endings, or a stray "
    "control character); save the file with LF or CRLF line endings"
)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """libyaml's composer without YAML 1.1 typing: every scalar is text, or null when empty.

    Values stay strings anyway (``validate`` types them), so running PyYAML's
    regular expressions over every scalar to guess bools and ints would only
    cost time: half of reading a seed. Null is recognised exactly as PyYAML
    does, so an empty value still means "not given".
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _NULL_TAG if implicit[0] and value in _NULL_WORDS else _STR_TAG
        if kind is yaml.SequenceNode:
            return yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
        return yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG


@dataclass(frozen=True)
class Seed:
    """One seed file as read: front matter values, their positions and the body."""

    path: str
    """The file as the user named it, for messages."""
    stem: str
    """The file name without ``.md``: the article id when none is given."""
    meta: dict[str, Value]
    positions: dict[FieldPath, tuple[int, int]]
    """(line, column) of every value, 1-based, keyed by its path in ``meta``."""
    key_positions: dict[FieldPath, tuple[int, int]]
    """(line, column) of every mapping key, keyed by the path of its value."""
    body: str
    body_line: int
    """The line of the file on which the body starts."""
    directory: Path = field(compare=False)
    """The seeds folder the file was read from, for paths it names (``source.raw``)."""

    def where(self, path: FieldPath) -> tuple[int, int]:
        """The position of the value at ``path``, or of its nearest located parent."""
        while path not in self.positions and path:
            path = path[:-1]
        return self.positions.get(path, (1, 1))

    def body_position(self, offset: int) -> tuple[int, int]:
        """The file line and column of a character offset in the body."""
        before = self.body[:offset]
        line = self.body_line + before.count("\n")
        column = offset - (before.rfind("\n") + 1) + 1
        return line, column


def format_field(path: FieldPath) -> str:
    """Spell a field path as editors read it: ``milestones[2].date``, counted from 1."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += f".{part}" if out else part
    return out


class _Reader:
    """Collect problems for one file while turning YAML nodes into values."""

    def __init__(self, path: str, line_offset: int, front: str) -> None:
        self.path = path
        self.front = front
        self.line_offset = line_offset
        self.first_line = line_offset + 1
        self.problems: list[Problem] = []
        self.positions: dict[FieldPath, tuple[int, int]] = {}
        self.key_positions: dict[FieldPath, tuple[int, int]] = {}
        self.seen: set[int] = set()

    def position(self, mark: Any) -> tuple[int, int]:
        return mark.line + 1 + self.line_offset, mark.column + 1

    def problem(self, mark: Any, message: str, path: FieldPath = ()) -> None:
        line, column = self.position(mark)
        self.problems.append(Problem(self.path, line, column, message, format_field(path)))

    def value(self, node: Any, path: FieldPath) -> Value:
        if id(node) in self.seen:
            # The C composer resolves aliases to the anchored node itself, so a
            # node met twice is an alias. Stop here: walking on is the bomb.
            alias = next(
                (e for e in yaml.parse(self.front, Loader=_Loader) if isinstance(e, yaml.AliasEvent)),
                None,
            )
            mark = alias.start_mark if alias is not None and alias.start_mark else node.start_mark
            self.problem(
                mark,
                "anchors and aliases (&name, *name) are not allowed; write the value out",
            )
            raise _Abandon
        seen = self.seen
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            self.problem(node.start_mark, f"the front matter has more than {MAX_NODES} values")
            raise _Abandon
        mark = node.start_mark
        self.positions[path] = (mark.line + self.first_line, mark.column + 1)
        kind = type(node)
        if kind is yaml.ScalarNode:  # the composer makes these exact types
            if node.tag == _NULL_TAG and not node.style:
                return None
            return str(node.value)
        if kind is yaml.SequenceNode:
            return [self.value(item, (*path, index)) for index, item in enumerate(node.value)]
        assert kind is yaml.MappingNode
        mapping: dict[str, Value] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node.start_mark, "a key must be a plain word", path)
                continue
            key = str(key_node.value)
            if key in mapping:
                first_line = self.key_positions[(*path, key)][0]
                self.problem(
                    key_node.start_mark,
                    f"duplicate key '{key}' (first given on line {first_line}); "
                    "YAML would silently keep only the last one, so merge them",
                    path,
                )
                continue
            key_mark = key_node.start_mark
            self.key_positions[(*path, key)] = (key_mark.line + self.first_line, key_mark.column + 1)
            mapping[key] = self.value(value_node, (*path, key))
        return mapping


class _Abandon(Exception):
    """Stop walking one file's front matter; its problem is already recorded."""


def read_seed(file: Path, shown_as: str | None = None, data: bytes | None = None) -> tuple[Seed | None, list[Problem]]:
    """Read one seed file; return it (None if unreadable) and every problem found.

    ``data``: the file's bytes, when the caller has read them already.
    """
    path = shown_as or str(file)
    problems: list[Problem] = []

    def fail(message: str, line: int = 1, column: int = 1) -> tuple[None, list[Problem]]:
        problems.append(Problem(path, line, column, message))
        return None, problems

    if file.is_symlink():
        return fail("seed files must not be symbolic links; copy the file into the seeds folder")
    if data is None:
        data = file.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        return fail(
            f"the file is {len(data):,} bytes; a seed may be at most {MAX_FILE_BYTES:,} (is this really one article?)"
        )
    # Editors on Windows write a byte-order mark and CRLF line endings: the
    # file is read as if it had neither, so every position is that of the
    # same file saved with LF and no mark (the mark is not a column of line 1).
    data = data.removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return fail(
            f"the file is not valid UTF-8 (byte 0x{data[error.start]:02x}); save it with the UTF-8 encoding",
            line,
            column,
        )
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        # Only CRLF is a line ending. A CR alone (old Mac endings, or a stray
        # control character pasted with a text) is an error, as it always was;
        # reading goes on with it as a line break, as YAML would read it, so
        # that every other problem in the file is reported too.
        at = text.index("\r")
        before_cr = text[:at]
        line = before_cr.count("\n") + 1
        column = at - (before_cr.rfind("\n") + 1) + 1
        problems.append(Problem(path, line, column, _LONE_CR))
        text = text.replace("\r", "\n")

    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return fail("the file must start with a line '---' that opens the YAML front matter")
    closing = next(
        (index for index in range(1, len(lines)) if lines[index].rstrip() in ("---", "...")),
        None,
    )
    if closing is None:
        return fail("the front matter opened on line 1 is never closed; add a line '---' after it")
    front = "\n".join(lines[1:closing]) + "\n"
    body = "\n".join(lines[closing + 1 :])

    reader = _Reader(path, line_offset=1, front=front)
    try:
        loader = _Loader(front)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark, message = _yaml_problem(error, front)
        if mark is None:
            return fail(message)
        line, column = reader.position(mark)
        return fail(message, line, column)
    except yaml.YAMLError as error:
        return fail(f"the front matter is not valid YAML: {error}")
    if root is None:
        return fail("the front matter is empty; it needs at least a title and countries", 2)
    if not isinstance(root, yaml.MappingNode):
        line, column = reader.position(root.start_mark)
        return fail("the front matter must be a mapping of keys to values, such as 'title: ...'", line, column)
    try:
        meta = reader.value(root, ())
    except _Abandon:
        return None, problems + reader.problems
    assert isinstance(meta, dict)
    seed = Seed(
        path=path,
        stem=file.stem,
        meta=meta,
        positions=reader.positions,
        key_positions=reader.key_positions,
        body=body,
        body_line=closing + 2,
        directory=file.parent,
    )
    return seed, problems + reader.problems


def _yaml_problem(error: yaml.MarkedYAMLError, front: str) -> tuple[yaml.Mark | None, str]:
    """Word a YAML syntax error for an editor, and pick the mark that helps most."""
    problem = error.problem or "invalid YAML"
    mark = error.problem_mark or error.context_mark
    context = error.context or ""
    if mark is not None:
        source_lines = front.split("\n")
        line = source_lines[mark.line] if mark.line < len(source_lines) else ""
        if mark.column < len(line) and line[mark.column] == "\t":
            return mark, "a tab character in the front matter; YAML indents with spaces, not tabs"
    if context.startswith("while scanning a quoted scalar") and error.context_mark is not None:
        return error.context_mark, ("the quoted value that opens here is never closed; add the closing quote")
    message = f"the front matter is not valid YAML: {problem}"
    if context:
        message += f" ({context})"
    return mark, message


def read_seeds(directory: Path, shown_as: str | None = None) -> tuple[list[Seed], list[Problem]]:
    """Read every ``*.md`` in ``directory`` (not below it), in name order."""
    prefix = shown_as if shown_as is not None else str(directory)
    seeds: list[Seed] = []
    problems: list[Problem] = []
    for file in sorted(directory.glob("*.md")):
        seed, found = read_seed(file, f"{prefix.rstrip('/')}/{file.name}")
        problems.extend(found)
        if seed is not None:
            seeds.append(seed)
    return seeds, problems
