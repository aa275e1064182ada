"""One exception family for curate, each class with the exit code the CLI returns.

`CurateError` and its subclasses are expected failures: the CLI prints `Error: <message>` and
exits with `exit_code`. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class CurateError(Exception):
    """An expected failure with a message for the user."""

    exit_code = 1


class ConfigError(CurateError):
    """The pipeline file is missing, not YAML, or does not match the schema.

    `problems` holds one line per problem, already formatted as `file: key.path: message`.
    """

    exit_code = 2

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class MissingDependencyError(CurateError):
    """An optional dependency needed by a configured step is not installed."""

    exit_code = 3

    def __init__(self, package: str, feature: str, extra: str | None = None):
        hint = f"pip install 'curate[{extra}]'" if extra else f"pip install {package}"
        super().__init__(f"install {package} to use {feature} ({hint})")


class ModelLoadError(CurateError):
    """A configured model path does not exist or cannot be loaded."""

    exit_code = 4


class RunError(CurateError):
    """A run could not complete (failed tasks, unusable run directory)."""

    exit_code = 5


class RunLockedError(CurateError):
    """Another run of the same pipeline holds the lock (EX_TEMPFAIL, so cron retries later)."""

    exit_code = 75
