"""`secrets` step: remove keys, tokens and passwords from code (and, if asked, any text).

Detection is Yelp's detect-secrets (offline, maintained): pattern plugins for AWS, GitHub,
GitLab, Slack, Stripe, OpenAI, PyPI, npm, JWT, private keys, basic-auth URLs and
password/secret/token assignments, plus Shannon-entropy plugins for quoted base64 (> 4.5
bits/char) and hex (> 3.0 bits/char) strings, with its default false-positive filters
(sequential strings, UUIDs, templates, test-looking values, ...). Public IP addresses are not
secrets and are left alone. Only lines a cheap prefilter flags (a keyword, a long token, a
credential URL) are handed to the plugins, which keeps the cost near a regex scan.

Each secret found is replaced by `placeholder` (a PEM private key block as a whole); the count
is recorded as `secrets_removed` on the document (0 when none). Documents are never dropped for
a secret unless `drop: true` (then `contains_secrets`).
"""

from __future__ import annotations

import re
from contextlib import contextmanager

from datatrove.data import Document, DocumentsPipeline

from curate import data as M
from curate.steps import CurateStep

SECRETS_REMOVED = "secrets_removed"
_CANDIDATE = re.compile(
    r"(?i:key|secret|token|passw|pwd|auth|credential|private|bearer)|[A-Za-z0-9+/=_\-]{16,}|://[^/\s:@]+:[^@\s]+@"
)
_PEM = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----|\Z)", re.S
)
SKIP_PLUGINS = {"IPPublicDetector"}


@contextmanager
def detector_settings():
    """detect-secrets' settings (every plugin but public IPs, default filters) while the block runs."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.settings import transient_settings

    plugins = [{"name": c.__name__} for c in get_mapping_from_secret_type_to_class().values()]
    with transient_settings({"plugins_used": [p for p in plugins if p["name"] not in SKIP_PLUGINS]}):
        yield


def find_secrets(text: str, filename: str = "file.txt") -> list[tuple[int, str]]:
    """(1-based line number, secret value) of every secret detect-secrets finds (inside
    `detector_settings`); `filename`'s extension picks the keyword rules for the language."""
    from detect_secrets.core.scan import _process_line_based_plugins

    lines = text.split("\n")
    candidates = [(i, line) for i, line in enumerate(lines, 1) if _CANDIDATE.search(line)]
    if not candidates:
        return []
    found = _process_line_based_plugins(candidates, filename)
    return [(s.line_number, s.secret_value) for s in found if s.secret_value]


def remove_secrets(text: str, filename: str, placeholder: str) -> tuple[str, int]:
    """The text with every secret replaced by `placeholder`, and how many were replaced."""
    text, n = _PEM.subn(placeholder, text)
    found = find_secrets(text, filename)
    if not found:
        return text, n
    lines = text.split("\n")
    for number, value in sorted(found, key=lambda f: -len(f[1])):  # longest first: a key before its prefix
        line = lines[number - 1]
        if len(value) >= 6 and value in line:
            lines[number - 1] = line.replace(value, placeholder)
            n += 1
    return "\n".join(lines), n


class SecretsFilter(CurateStep):
    """Replace secrets found by detect-secrets; count them in `secrets_removed`.

    Args:
        placeholder: what a secret is replaced by.
        kinds: document kinds scanned (default `code`; empty scans every document).
        drop: reject documents that contained a secret (`contains_secrets`) instead of cleaning them.
    """

    name = "secrets"
    type = "🔻 - FILTER"
    stage = "filters"

    def __init__(self, placeholder: str = "<SECRET>", kinds: list[str] = ("code",), drop: bool = False):
        super().__init__()
        self.placeholder = placeholder
        self.kinds = set(kinds)
        self.drop = drop

    def process(self, doc: Document) -> None:
        if self.kinds and doc.metadata.get(M.KIND) not in self.kinds:
            return
        name = (doc.metadata.get(M.PATH) or "file.txt").rsplit("/", 1)[-1]
        cleaned, n = remove_secrets(doc.text, name, self.placeholder)
        doc.metadata[SECRETS_REMOVED] = n
        if n and self.drop:
            M.reject(doc, self.stage, "contains_secrets")
        elif n:
            doc.text = cleaned

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        with detector_settings():
            yield from super().run(data, rank, world_size)
