"""One error type for every stage, so that every problem reads the same way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """A problem an editor can fix, located in a seed file."""

    path: str
    """The file as the user named it (relative paths stay relative)."""
    line: int
    """1-based line of the offending node; 1 when the file as a whole is wrong."""
    column: int
    """1-based column of the offending node."""
    message: str
    """What is wrong, what was expected, and where possible the nearest valid value."""
    field: str = ""
    """Where in the front matter, as ``milestones[2].date`` (counted from 1)."""

    @property
    def sort_key(self) -> tuple[str, int, int]:
        """File, line, column: reading order; a stable sort keeps discovery order within one place."""
        return (self.path, self.line, self.column)

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}:{self.column}: {where}{self.message}"
