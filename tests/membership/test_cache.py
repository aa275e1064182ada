"""The score cache: a new cache file opened by several workers at once."""

from __future__ import annotations

import sqlite3

import pytest

from curate.membership import cache as cache_mod
from curate.membership.cache import ScoreCache
from curate.membership.scores import DocScore


class Contended:
    """A connection whose first `busy` WAL switches fail as SQLite fails them while another
    connection switches the same new file (an exclusive lock taken without the busy timeout)."""

    def __init__(self, db: sqlite3.Connection, busy: int):
        self.db, self.busy, self.tries = db, busy, 0

    def execute(self, sql: str, *args):
        if sql.startswith("PRAGMA journal_mode"):
            self.tries += 1
            if self.tries <= self.busy:
                raise sqlite3.OperationalError("database is locked")
        return self.db.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.db, name)

    def __enter__(self):
        return self.db.__enter__()

    def __exit__(self, *exc):
        return self.db.__exit__(*exc)


def contended(monkeypatch, busy: int) -> list[Contended]:
    made: list[Contended] = []
    connect = sqlite3.connect

    def fake(*args, **kwargs):
        made.append(Contended(connect(*args, **kwargs), busy))
        return made[-1]

    monkeypatch.setattr(cache_mod.sqlite3, "connect", fake)
    return made


def test_a_locked_wal_switch_is_retried_and_the_cache_works(tmp_path, monkeypatch):
    made = contended(monkeypatch, busy=3)
    cache = ScoreCache(tmp_path)
    score = DocScore(3, 1.5, 12, None)
    cache.put_many("k", {"a" * 40: score})
    assert cache.get_many("k", ["a" * 40, "b" * 40]) == {"a" * 40: score}
    assert made[0].tries == 4
    cache.close()
    monkeypatch.undo()
    assert sqlite3.connect(tmp_path / "scores.sqlite").execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_other_database_errors_are_not_retried(tmp_path, monkeypatch):
    made = contended(monkeypatch, busy=0)
    monkeypatch.setattr(cache_mod, "_SCHEMA", "CREATE TABLE broken (")
    with pytest.raises(sqlite3.OperationalError, match="syntax|incomplete"):
        ScoreCache(tmp_path).get_many("k", ["a" * 40])
    assert made[0].tries == 1
