"""One error type for every stage, so that every problem reads the same way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """A problem an editor can fix, located in a seed file.

    Ordered by file, line and column so that a run prints them in reading order.
    """

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

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}:{self.column}: {where}{self.message}"


class InvalidSeeds(Exception):
    """Raised when a run must stop because of problems in the seeds."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the seeds")
        self.problems = sorted(problems)
