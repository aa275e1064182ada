"""Code filters in the style of The Stack / StarCoder: line lengths, alphanumeric fraction, licences.

`code_quality` (Li et al. 2023, StarCoder §3; Kocetkov et al. 2022, The Stack) drops files
that are not hand-written code: a longest line over `max_line_length` characters (1000),
a mean line length over `max_mean_line_length` (100), or fewer than `min_alnum_fraction`
(0.25) of the characters alphanumeric (data blobs, encoded assets). `license` keeps files
whose licence is allowed: an SPDX expression is allowed when every licence of an `AND` is,
and at least one side of an `OR` is (`MIT OR GPL-3.0-only` is allowed with the permissive
default, `MIT AND GPL-3.0-only` is not); `unknown` only with `allow_unknown`. Both act on
documents of the given `kinds` (default `code`) and let every other document through.
"""

from __future__ import annotations

from functools import lru_cache

from datatrove.data import Document

from curate import data as M
from curate.errors import ConfigError
from curate.steps import CurateStep

PERMISSIVE = (
    "MIT", "MIT-0", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "ISC", "Unlicense", "CC0-1.0",
    "Zlib", "BSL-1.0", "PSF-2.0", "Python-2.0", "X11", "WTFPL", "UPL-1.0", "NCSA", "BlueOak-1.0.0",
)  # fmt: skip
LICENSE = "license"


class CodeQualityFilter(CurateStep):
    """Drop generated-looking or data-like code by line lengths and the alphanumeric fraction."""

    name = "code_quality"
    type = "🔻 - FILTER"
    stage = "filters"

    def __init__(
        self,
        max_line_length: int = 1000,
        max_mean_line_length: float = 100.0,
        min_alnum_fraction: float = 0.25,
        kinds: list[str] = ("code",),
    ):
        super().__init__()
        if max_line_length <= 0 or max_mean_line_length <= 0:
            raise ConfigError("max_line_length and max_mean_line_length: expected numbers > 0")
        if not 0 <= min_alnum_fraction <= 1:
            raise ConfigError(
                f"min_alnum_fraction: expected a fraction in [0, 1], found {min_alnum_fraction}"
            )
        self.max_line_length = max_line_length
        self.max_mean_line_length = max_mean_line_length
        self.min_alnum_fraction = min_alnum_fraction
        self.kinds = set(kinds)

    def process(self, doc: Document) -> None:
        if self.kinds and doc.metadata.get(M.KIND) not in self.kinds:
            return
        text = doc.text
        lines = text.split("\n")
        longest = max(len(line) for line in lines)
        mean = len(text) / len(lines)
        alnum = sum(c.isalnum() for c in text) / max(len(text), 1)
        if longest > self.max_line_length:
            M.reject(doc, self.stage, "code_line_too_long", max_line_length=longest)
        elif mean > self.max_mean_line_length:
            M.reject(doc, self.stage, "code_mean_line_too_long", mean_line_length=round(mean, 1))
        elif alnum < self.min_alnum_fraction:
            M.reject(doc, self.stage, "code_low_alnum_fraction", alnum_fraction=round(alnum, 3))


@lru_cache(maxsize=1)
def _licensing():
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def license_allowed(expression: str, allow: set[str]) -> bool:
    """Whether an SPDX expression is satisfiable with licences in `allow` (see the module doc)."""
    from license_expression import ExpressionError

    licensing = _licensing()
    try:
        parsed = licensing.parse(expression)
    except ExpressionError:
        return False

    def ok(node) -> bool:
        if isinstance(node, licensing.AND):
            return all(ok(a) for a in node.args)
        if isinstance(node, licensing.OR):
            return any(ok(a) for a in node.args)
        symbol = getattr(node, "license_symbol", node)  # `X WITH exception` counts as X
        return symbol.key in allow

    return parsed is not None and ok(parsed)


class LicenseFilter(CurateStep):
    """Keep code under allowed licences (permissive by default); reject `license_not_allowed`."""

    name = "license"
    type = "🔻 - FILTER"
    stage = "filters"

    def __init__(
        self, allow: list[str] = PERMISSIVE, allow_unknown: bool = False, kinds: list[str] = ("code",)
    ):
        super().__init__()
        if not allow:
            raise ConfigError("allow: expected at least one SPDX licence id")
        self.allow = list(allow)
        self.allow_unknown = allow_unknown
        self.kinds = set(kinds)
        self._allowed = {a for a in allow}

    def process(self, doc: Document) -> None:
        if self.kinds and doc.metadata.get(M.KIND) not in self.kinds:
            return
        found = doc.metadata.get(LICENSE) or "unknown"
        if found == "unknown":
            if not self.allow_unknown:
                M.reject(doc, self.stage, "license_unknown")
        elif not license_allowed(found, self._allowed):
            M.reject(doc, self.stage, "license_not_allowed")
