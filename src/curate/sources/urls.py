"""`urls` source: fetch a list of URLs, or the URL columns of a projects CSV, once each.

A plain fetcher for seeds (the `crawl` source discovers and follows links). URLs are split
across tasks by host (`crc32(host) % world_size`), so one host is only fetched by one task.
Every request has a DNS timeout, a connect and read timeout, a total deadline and a body size
cap; a URL that fails for any reason becomes a rejected document (`stage: sources`,
`reason: fetch_<why>`), so offline every URL fails fast and is reported.
"""

from __future__ import annotations

import csv
import time
import zlib
from pathlib import Path
from urllib.parse import urlsplit

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from loguru import logger

from curate import data as M
from curate.errors import ConfigError
from curate.sources.kinds import guess_kind
from curate.sources.local import now_iso
from curate.sources.netguard import FetchError, resolve
from curate.sources.settings import DEFAULT_USER_AGENT

STAGE = "sources"
__all__ = ["DEFAULT_USER_AGENT", "FetchError", "UrlsSource", "fetch", "resolve"]


def fetch(
    url: str,
    *,
    session,
    connect_timeout_s: float,
    read_timeout_s: float,
    total_timeout_s: float,
    max_bytes: int,
) -> tuple[bytes, dict]:
    """GET `url`; return (body, info) or raise FetchError. The body is streamed and capped."""
    import requests

    host = urlsplit(url).hostname
    if not host:
        raise FetchError("bad_url", f"no host in {url!r}")
    resolve(host, connect_timeout_s)
    deadline = time.monotonic() + total_timeout_s
    try:
        with session.get(url, stream=True, timeout=(connect_timeout_s, read_timeout_s)) as resp:
            if resp.status_code >= 400:
                raise FetchError(f"http_{resp.status_code}")
            chunks, size = [], 0
            for chunk in resp.iter_content(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError("body_too_large", f"more than {max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError("fetch_too_slow", f"not done within {total_timeout_s}s")
                chunks.append(chunk)
            info = {
                M.FINAL_URL: resp.url,
                M.HTTP_STATUS: resp.status_code,
                M.CONTENT_TYPE: resp.headers.get("content-type", "").split(";")[0].strip().lower(),
            }
            return b"".join(chunks), info
    except requests.exceptions.Timeout as exc:
        raise FetchError("fetch_timeout", str(exc)) from None
    except requests.exceptions.TooManyRedirects as exc:
        raise FetchError("too_many_redirects", str(exc)) from None
    except requests.exceptions.RequestException as exc:
        raise FetchError("fetch_connection_error", str(exc)[:300]) from None


class UrlsSource(PipelineStep):
    """Fetch URLs given inline or taken from columns of a projects CSV.

    Args:
        urls: URLs to fetch.
        projects_csv: CSV with a `name` column and URL columns (see `columns`).
        columns: CSV columns holding URLs; the column name is the document kind when it is one.
        limit: fetch at most this many URLs (after de-duplication), None for all.
        source: name recorded in the `source` column.
        user_agent: identifying User-Agent header.
        connect_timeout_s / read_timeout_s: socket timeouts in seconds (DNS uses the connect one).
        total_timeout_s: deadline for a whole response, so a trickling server is cut off.
        max_bytes: largest body accepted; larger bodies are cut off and rejected.
        max_redirects: redirects followed before giving up.
    """

    name = "urls"
    type = "📖 - SOURCE"

    def __init__(
        self,
        urls: list[str] = (),
        projects_csv: str | None = None,
        columns: list[str] = ("whitepaper", "blog", "docs", "homepage"),
        limit: int | None = None,
        source: str = "urls",
        user_agent: str = DEFAULT_USER_AGENT,
        connect_timeout_s: float = 5.0,
        read_timeout_s: float = 15.0,
        total_timeout_s: float = 60.0,
        max_bytes: int = 20 * 2**20,
        max_redirects: int = 5,
    ):
        super().__init__()
        if not urls and not projects_csv:
            raise ConfigError("expected `urls` or `projects_csv`, found neither")
        if limit is not None and limit < 0:
            raise ConfigError(f"limit: expected a number >= 0, found {limit}")
        self.urls = list(urls)
        self.projects_csv = projects_csv
        self.columns = list(columns)
        self.limit = limit
        self.source = source
        self.user_agent = user_agent
        self.connect_timeout_s = connect_timeout_s
        self.read_timeout_s = read_timeout_s
        self.total_timeout_s = total_timeout_s
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects

    def seeds(self) -> list[tuple[str, str | None, str]]:
        """(url, project, kind) for every URL to fetch, de-duplicated, in a stable order."""
        seeds = [(u, None, guess_kind(u)) for u in self.urls]
        if self.projects_csv:
            with Path(self.projects_csv).open(newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    for column in self.columns:
                        url = (row.get(column) or "").strip()
                        if url:
                            kind = column if column in ("whitepaper", "blog", "docs") else guess_kind(url)
                            seeds.append((url, row.get("name"), kind))
        seen, unique = set(), []
        for seed in seeds:
            if seed[0] not in seen:
                seen.add(seed[0])
                unique.append(seed)
        return unique[: self.limit] if self.limit is not None else unique

    def run(self, data: DocumentsPipeline = None, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        import requests

        if data:
            yield from data
        try:
            seeds = self.seeds()
        except OSError as exc:
            if rank == 0:
                logger.warning(f"urls source {self.source!r}: cannot read {self.projects_csv}: {exc}")
                doc = Document(
                    text="", id=f"{self.source}:{self.projects_csv}", metadata={M.SOURCE: self.source}
                )
                yield M.reject(doc, STAGE, "path_not_found", error=str(exc))
            return
        mine = [s for s in seeds if zlib.crc32((urlsplit(s[0]).hostname or "").encode()) % world_size == rank]
        logger.info(f"urls source {self.source!r}: fetching {len(mine)} of {len(seeds)} URLs in task {rank}")
        session = requests.Session()
        session.headers["User-Agent"] = self.user_agent
        session.max_redirects = self.max_redirects
        failed = 0
        for url, project, kind in mine:
            meta = {M.SOURCE: self.source, M.URL: url, M.KIND: kind, M.FETCHED_AT: now_iso()}
            if project:
                meta[M.PROJECT] = project
            doc = Document(text="", id=url, metadata=meta)
            self.stat_update("documents")
            try:
                body, info = fetch(
                    url,
                    session=session,
                    connect_timeout_s=self.connect_timeout_s,
                    read_timeout_s=self.read_timeout_s,
                    total_timeout_s=self.total_timeout_s,
                    max_bytes=self.max_bytes,
                )
            except FetchError as exc:
                failed += 1
                self.stat_update(exc.reason)
                yield M.reject(doc, STAGE, exc.reason, error=str(exc)[:300])
                continue
            doc.metadata.update(info)
            doc.metadata[M.RAW] = body
            yield doc
        if failed:
            logger.warning(f"urls source {self.source!r}: {failed} of {len(mine)} URLs failed in task {rank}")
