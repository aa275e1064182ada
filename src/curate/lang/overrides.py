"""Per-language options of a step: `per_language: {ja: {option: value}}`, validated like any key.

Options are resolved per document in three layers: the step's own options (its YAML keys, or
their defaults), then the defaults of the document's profile (`curate.lang.profiles`), then the
step's `per_language` entry for the document's language code (or for its profile: `en`, `ja`,
`default`). Each override is checked against the type of the option it replaces.
"""

from __future__ import annotations

import inspect
import re
import typing
from typing import Any

from pydantic import TypeAdapter, ValidationError

from curate.errors import ConfigError
from curate.lang.profiles import profile_name, step_defaults

LANGUAGE_KEY = re.compile(r"^([a-z]{2,3}|default)$")


def check_per_language(
    cls: type, per_language: dict[str, dict[str, Any]] | None
) -> dict[str, dict[str, Any]]:
    """`per_language` with every value validated against `cls.__init__`'s annotations.

    Raises `ConfigError` listing each unknown language key, unknown option or wrong value.
    """
    if not per_language:
        return {}
    hints = typing.get_type_hints(cls.__init__)
    names = [p for p in list(inspect.signature(cls.__init__).parameters)[1:] if p != "per_language"]
    problems, out = [], {}
    for language, options in per_language.items():
        where = f"per_language.{language}"
        if not isinstance(language, str) or not LANGUAGE_KEY.match(language):
            problems.append(f"{where}: expected an ISO 639-1 language code (en, ja, ...) or 'default'")
            continue
        if not isinstance(options, dict):
            problems.append(f"{where}: expected a mapping of options, found {options!r}")
            continue
        out[language] = {}
        for key, value in options.items():
            if key not in names:
                problems.append(f"{where}.{key}: unknown option, expected one of {sorted(names)}")
                continue
            try:
                out[language][key] = TypeAdapter(hints.get(key, Any)).validate_python(value)
            except ValidationError as exc:
                message = exc.errors()[0]["msg"].lower()
                problems.append(f"{where}.{key}: {message}, found {value!r}")
    if problems:
        raise ConfigError(problems)
    return out


def resolve_options(
    step: str, options: dict[str, Any], per_language: dict[str, dict[str, Any]], language: str | None
) -> tuple[str, dict[str, Any]]:
    """(key, options) for a document in `language`: the key names the option set, for caching."""
    profile = profile_name(language)
    key = language if language in per_language else profile
    resolved = {**options, **step_defaults(profile, step), **per_language.get(key, {})}
    return f"{profile}:{key}", resolved
