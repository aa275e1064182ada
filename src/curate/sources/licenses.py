"""A repository's licence as an SPDX expression, from its licence files and package metadata.

Sources, strongest first:

1. package metadata that states an SPDX expression (`pyproject.toml` `project.license`,
   `package.json` / `composer.json` `license`, `Cargo.toml` `package.license`, `setup.cfg`
   `metadata.license`), validated and normalised by `license-expression` (the SPDX licence
   list of nexB's ScanCode, shipped in the wheel); common free-text names ("Apache 2.0",
   "BSD", "GPLv3") are mapped first;
2. licence files at the root (`LICENSE*`, `LICENCE*`, `COPYING*`, `UNLICENSE`), each matched
   by the phrases that only its licence's text contains (after lower-casing and collapsing
   whitespace and punctuation). Several files give `A AND B` (sorted), as a repository with
   two licences requires both unless its metadata says `OR`.

`unknown` when nothing matches. A file may override its repository's licence with an
`SPDX-License-Identifier:` line in its first lines (`file_license`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

UNKNOWN = "unknown"
LICENSE_FILE = re.compile(r"^(licen[cs]e|copying|unlicense)([-._][\w.-]*)?$", re.I)
SPDX_LINE = re.compile(rb"SPDX-License-Identifier:\s*([A-Za-z0-9.+() -]+?)\s*(\*/|-->|$)", re.M)

# (SPDX id, phrases that must all occur), most specific first. Licences with a title are matched
# on the title (the first HEAD_CHARS characters): GPL-3.0's text names the AGPL, MPL-2.0's the GPLs.
HEAD_CHARS = 500
TITLE_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("AGPL-3.0-only", ("gnu affero general public license", "version 3")),
    ("LGPL-3.0-only", ("gnu lesser general public license", "version 3")),
    ("LGPL-2.1-only", ("gnu lesser general public license", "version 2.1")),
    ("LGPL-2.0-only", ("gnu library general public license", "version 2")),
    ("GPL-3.0-only", ("gnu general public license", "version 3")),
    ("GPL-2.0-only", ("gnu general public license", "version 2")),
    ("MPL-2.0", ("mozilla public license", "2.0")),
    ("EPL-2.0", ("eclipse public license", "2.0")),
    ("EPL-1.0", ("eclipse public license", "1.0")),
    ("Apache-2.0", ("apache license", "version 2.0")),
    ("BSL-1.0", ("boost software license", "version 1.0")),
    ("CC0-1.0", ("cc0 1.0 universal",)),
    ("WTFPL", ("do what the fuck you want to public license",)),
    ("PSF-2.0", ("python software foundation license version 2",)),
]
BODY_RULES: list[tuple[str, tuple[str, ...]]] = [
    ("Unlicense", ("this is free and unencumbered software released into the public domain",)),
    (
        "0BSD",
        (
            "distribute this software for any purpose with or without fee",
            "in no event shall the author be liable",
        ),
    ),  # fmt: skip
    ("ISC", ("distribute this software for any purpose with or without fee",)),
    (
        "MIT",
        (
            "permission is hereby granted free of charge to any person obtaining a copy",
            "the above copyright notice and this permission notice shall be included",
        ),
    ),  # fmt: skip
    (
        "MIT-0",
        ("permission is hereby granted free of charge to any person obtaining a copy",),
    ),  # no notice clause
    (
        "BSD-3-Clause",
        ("redistributions of source code must retain the above copyright notice", "neither the name of"),
    ),  # fmt: skip
    (
        "BSD-2-Clause",
        (
            "redistributions of source code must retain the above copyright notice",
            "redistributions in binary form must reproduce",
        ),
    ),  # fmt: skip
    (
        "Zlib",
        (
            "this software is provided as-is without any express or implied warranty",
            "altered source versions must be plainly marked as such",
        ),
    ),  # fmt: skip
    ("Apache-2.0", ("terms and conditions for use reproduction and distribution", "version 2.0")),
]
# The 0BSD text is ISC's without the notice condition; ISC says "provided that the above copyright notice".
_ISC_CONDITION = "provided that the above copyright notice and this permission notice appear in all copies"

ALIASES = {
    "apache 2": "Apache-2.0", "apache 2.0": "Apache-2.0", "apache-2": "Apache-2.0",
    "apache license 2.0": "Apache-2.0", "apache license, version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0", "asl 2.0": "Apache-2.0",
    "mit license": "MIT", "the mit license": "MIT", "expat": "MIT", "bsd": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause", "bsd license": "BSD-3-Clause", "3-clause bsd": "BSD-3-Clause",
    "simplified bsd": "BSD-2-Clause", "2-clause bsd": "BSD-2-Clause", "gplv3": "GPL-3.0-only",
    "gplv2": "GPL-2.0-only", "gpl-3.0": "GPL-3.0-only", "gpl-2.0": "GPL-2.0-only", "lgplv3": "LGPL-3.0-only",
    "mpl 2.0": "MPL-2.0", "isc license": "ISC", "public domain": "Unlicense", "unlicense": "Unlicense",
}  # fmt: skip
METADATA_FILES = ("pyproject.toml", "package.json", "Cargo.toml", "composer.json", "setup.cfg")


def _words(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[\"'`*#>|]+", "", text)
    text = re.sub(r"[,;:()\[\]]", " ", text)
    return re.sub(r"\s+", " ", text)


def match_text(text: str) -> str | None:
    """The SPDX id of a licence text, or None."""
    words = _words(text[:200_000])
    head = words[:HEAD_CHARS]
    for spdx, phrases in TITLE_RULES:
        if all(p in head for p in phrases):
            return spdx
    for spdx, phrases in BODY_RULES:
        if all(p in words for p in phrases):
            if spdx == "0BSD" and _ISC_CONDITION in words:
                continue
            return spdx
    return None


@lru_cache(maxsize=1)
def _licensing():
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def normalize_expression(value: str) -> str | None:
    """A valid SPDX expression for a metadata licence string, or None."""
    value = value.strip()
    if not value or len(value) > 200:
        return None
    alias = ALIASES.get(value.lower().removesuffix(" license").strip()) or ALIASES.get(value.lower())
    if alias:
        return alias
    try:
        parsed = _licensing().parse(value, validate=True, strict=False)
    except Exception:  # noqa: BLE001 - license-expression raises several types on bad input
        return None
    return parsed.render() if parsed is not None else None


def _metadata_license(name: str, data: bytes) -> str | None:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: tomli where installed, else no TOML metadata
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            tomllib = None
    try:
        if name == "package.json" or name == "composer.json":
            value = json.loads(data).get("license")
        elif tomllib is None and name.endswith(".toml"):
            return None
        elif name == "pyproject.toml":
            project = tomllib.loads(data.decode("utf-8")).get("project", {})
            value = project.get("license")
            value = value.get("text") if isinstance(value, dict) else value
        elif name == "Cargo.toml":
            value = tomllib.loads(data.decode("utf-8")).get("package", {}).get("license")
        else:  # setup.cfg
            import configparser

            cfg = configparser.ConfigParser(interpolation=None)
            cfg.read_string(data.decode("utf-8"))
            value = cfg.get("metadata", "license", fallback=None)
    except Exception:  # noqa: BLE001 - a broken manifest means no licence from it, not a failed run
        return None
    return normalize_expression(value) if isinstance(value, str) else None


def detect_license(files: dict[str, bytes]) -> str:
    """The repository's SPDX expression from its root files (`name -> bytes`), or `unknown`."""
    for name in METADATA_FILES:
        if name in files:
            found = _metadata_license(name, files[name])
            if found:
                return found
    ids = set()
    for name, data in files.items():
        if LICENSE_FILE.match(name):
            spdx = match_text(data.decode("utf-8", "replace"))
            if spdx:
                ids.add(spdx)
    return " AND ".join(sorted(ids)) if ids else UNKNOWN


def file_license(head: bytes) -> str | None:
    """The SPDX expression of an `SPDX-License-Identifier:` line in a file's first bytes, if valid."""
    found = SPDX_LINE.search(head[:4096])
    return normalize_expression(found.group(1).decode("ascii", "replace")) if found else None


def is_license_candidate(name: str) -> bool:
    """Whether a root file name is read for licence detection."""
    return name in METADATA_FILES or bool(LICENSE_FILE.match(name))
