"""Errors of the review loop, in curate's one error family."""

from __future__ import annotations

from curate.errors import CurateError


class ReviewError(CurateError):
    """The review loop cannot go on (no complete run, no decisions to train on, ...)."""

    exit_code = 1


class LabelsError(ReviewError):
    """A labels file is malformed, belongs to another run or names unknown documents.

    Nothing of the file is stored. `problems` holds one line per problem (`file:line: message`).
    """

    exit_code = 2

    def __init__(self, file: str, problems: list[str], limit: int = 10):
        self.problems = list(problems)
        shown = "\n  ".join(self.problems[:limit])
        more = f"\n  ... and {len(self.problems) - limit} more" if len(self.problems) > limit else ""
        super().__init__(
            f"{file}: refused, nothing was imported ({len(self.problems)} problem(s)):\n  {shown}{more}"
        )
