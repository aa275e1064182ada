"""The one error path of the command line, as a click group every curate command lives in.

A `CurateError` raised anywhere below a `CurateGroup` prints as `Error: <message>` (one line per
problem for errors that carry `problems`, such as `ConfigError`) and exits with the error's
`exit_code`. Usage errors are click's own (exit 2). Anything else is a bug: it is not caught, so
Python prints its traceback (and a run has already written it to its `run.log`).
"""

from __future__ import annotations

from typing import Any

import click

from curate.errors import ConfigError, CurateError


def error_lines(exc: CurateError) -> list[str]:
    """The `Error: ...` lines for `exc`."""
    if isinstance(exc, ConfigError):
        return [f"Error: {line}" for line in exc.problems]
    return [f"Error: {exc}"]


class CurateGroup(click.Group):
    """A click group that renders `CurateError` as `Error: ...` with its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CurateError as exc:
            for line in error_lines(exc):
                click.echo(line, err=True)
            ctx.exit(exc.exit_code)
