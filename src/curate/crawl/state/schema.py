"""SQLite schema of the crawl state (see `frontier`); columns documented where they are declared."""

from __future__ import annotations

SQL = """
CREATE TABLE IF NOT EXISTS urls (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,       -- normalized URL
    host TEXT NOT NULL,             -- politeness key, host[:port]
    part INTEGER NOT NULL,          -- partition key: hash of the registrable domain
    project TEXT,
    kind TEXT,                      -- whitepaper | blog | docs | news | research | other
    role TEXT NOT NULL,             -- page | sitemap | feed
    depth INTEGER NOT NULL,         -- link hops from a seed
    revisit INTEGER NOT NULL DEFAULT 1,  -- re-queued by a new pass (0: redirect targets, aliases)
    quiet INTEGER NOT NULL DEFAULT 0,    -- a failure is not a document (guessed /sitemap.xml)
    origin TEXT,                    -- first URL of the redirect chain that led here
    chain TEXT,                     -- JSON list: the URLs of that chain, in order
    pass INTEGER,                   -- pass in which the outcome below was recorded; NULL = queued
    status TEXT,                    -- doc | rejected | redirected | discovered | silent | waiting
                                    -- (waiting: for the canonical URL in `detail`, see `waiting`)
    reason TEXT,
    detail TEXT,
    http_status INTEGER,
    final_url TEXT,
    content_type TEXT,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT,                -- ISO-8601 UTC
    sha1 TEXT,                      -- sha1 of the body
    n_bytes INTEGER,
    warc TEXT,                      -- WARC file holding the body, relative to the state dir
    warc_offset INTEGER
);
CREATE INDEX IF NOT EXISTS urls_host ON urls (host, id);
CREATE INDEX IF NOT EXISTS urls_waiting ON urls (detail) WHERE status = 'waiting';
CREATE TABLE IF NOT EXISTS passes (
    no INTEGER PRIMARY KEY,
    world_size INTEGER NOT NULL,
    started REAL NOT NULL,
    started_ranks TEXT NOT NULL,    -- JSON list of the ranks that started this pass
    finished TEXT NOT NULL          -- JSON list of the ranks that finished this pass
);
CREATE TABLE IF NOT EXISTS hosts (
    host TEXT PRIMARY KEY,
    last_request REAL,              -- unix time the last response ended (the delay counts from it)
    fetched INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS robots (
    host TEXT PRIMARY KEY,
    url TEXT,
    fetched_at REAL,
    status INTEGER,                 -- HTTP status, or 0 when the fetch failed
    body BLOB
);
"""

HOST_UPSERT = """
INSERT INTO hosts (host, last_request, fetched, failed, last_error)
VALUES (:host, :last_request, :fetched, :failed, :last_error)
ON CONFLICT(host) DO UPDATE SET last_request=excluded.last_request, fetched=hosts.fetched + excluded.fetched,
    failed=hosts.failed + excluded.failed, last_error=coalesce(excluded.last_error, hosts.last_error)
"""
