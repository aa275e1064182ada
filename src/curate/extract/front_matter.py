"""Markdown YAML front matter, read within bounds.

Front matter is the block between a first line `---` and the next `---` line. It is parsed with
PyYAML's `BaseLoader` (every scalar stays a string, so `date: 2024-13-45` is a string to check,
not a `ValueError` from the timestamp constructor) after two bounds are checked:

- `max_bytes` (default 65,536 UTF-8 bytes): larger blocks are not parsed (`front_matter_too_large`);
- `max_depth` (default 20 nested mappings/sequences), counted on PyYAML's event stream, which
  is built without recursion, before the recursive composer sees it (`front_matter_too_deep`;
  5,000 levels would otherwise raise `RecursionError`).

Only string values are taken (`title`, `author`, `date`), so an alias bomb (a few lines of
`&a [*b, *b, ...]` that expand to billions of nodes) is never expanded into text. A date that is
not an ISO date (`YYYY-MM-DD`, optionally with a time) is left out and noted.
"""

from __future__ import annotations

import re
from datetime import date

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(\n|\Z)", re.S)
MAX_BYTES = 65536
MAX_DEPTH = 20


class FrontMatterError(Exception):
    """Front matter that exceeds a bound or does not parse; `reason` names which."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


def _check_depth(block: str, max_depth: int) -> None:
    import yaml

    depth = 0
    for event in yaml.parse(block, Loader=yaml.BaseLoader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > max_depth:
                raise FrontMatterError("front_matter_too_deep", f"nested deeper than {max_depth} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def parse_front_matter(block: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> dict:
    """The front matter `block` as a dict of strings/lists (BaseLoader), within the bounds."""
    import yaml

    size = len(block.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise FrontMatterError("front_matter_too_large", f"{size} bytes, more than {max_bytes}")
    try:
        _check_depth(block, max_depth)
        meta = yaml.load(block, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except FrontMatterError:
        raise
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise FrontMatterError("bad_front_matter", f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    return meta if isinstance(meta, dict) else {}


def split_front_matter(text: str, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> tuple[dict, str]:
    """(front matter, text after it); ({}, text) without front matter. Raises `FrontMatterError`."""
    if not text.startswith("---"):
        return {}, text
    match = _FRONT_MATTER.match(text[: 16 * max_bytes + 4096])
    if not match:  # no closing line within 16 bounds: a horizontal rule, not front matter
        return {}, text
    return parse_front_matter(match.group(1), max_bytes, max_depth), text[match.end() :]


def valid_date(value: str) -> bool:
    """True if `value` starts with a real calendar date `YYYY-MM-DD`."""
    try:
        date.fromisoformat(value.strip()[:10])
    except ValueError:
        return False
    return True
