"""Which document of a duplicate cluster is kept: a configurable, documented rule.

Documents already kept by an earlier run (rows of the persistent index) always win: they are in
the published corpus. Among the documents of this run the rule is a lexicographic order over the
criteria in `keep`, each one breaking the ties of the one before:

- `kind`: earlier in `prefer_kind` wins (default whitepaper > docs > research > blog > news >
  other); a kind not in the list, or none, ranks after every listed kind;
- `longest` / `shortest`: more / fewer characters of text wins;
- `earliest` / `latest`: earlier / later `fetched_at` wins; a document without one ranks last.

Remaining ties go to input order (ingest task, then position), so the choice is deterministic;
`keep: []` is input order alone (the first seen is kept).
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from curate.errors import ConfigError

KeepCriterion = Literal["kind", "longest", "shortest", "earliest", "latest"]
DEFAULT_KEEP: list[KeepCriterion] = ["kind", "longest", "earliest"]
DEFAULT_PREFER_KIND = ["whitepaper", "docs", "research", "blog", "news", "other"]
_OPPOSITES = ({"longest", "shortest"}, {"earliest", "latest"})


def check_keep(keep: list[str], prefer_kind: list[str]) -> None:
    """Raise `ConfigError` for a rule that repeats or contradicts itself."""
    if len(set(keep)) != len(keep):
        raise ConfigError(f"keep: each criterion may appear once, found {keep}")
    for pair in _OPPOSITES:
        if pair <= set(keep):
            raise ConfigError(f"keep: {' and '.join(sorted(pair))} contradict each other, found {keep}")
    if len(set(prefer_kind)) != len(prefer_kind):
        raise ConfigError(f"prefer_kind: each kind may appear once, found {prefer_kind}")
    if "kind" in keep and not prefer_kind:
        raise ConfigError("prefer_kind: the keep rule uses 'kind' but no kinds are listed")


def keep_rank(
    keep: list[str],
    prefer_kind: list[str],
    kind_vocab: list[str],
    kind: np.ndarray,
    length: np.ndarray,
    fetched: np.ndarray,
) -> np.ndarray:
    """Rank of every row under the rule (0 = kept first); rows are in input order.

    `kind` holds codes into `kind_vocab` (-1: no kind), `length` characters, `fetched` Unix
    seconds (NaN: unknown).
    """
    n = len(kind)
    kind_rank = np.array([prefer_kind.index(k) if k in prefer_kind else len(prefer_kind) for k in kind_vocab])
    columns = {
        "kind": np.where(
            kind >= 0, kind_rank[np.maximum(kind, 0)] if len(kind_rank) else 0, len(prefer_kind)
        ),
        "longest": -length,
        "shortest": length,
        "earliest": np.where(np.isnan(fetched), np.inf, fetched),
        "latest": np.where(np.isnan(fetched), np.inf, -fetched),
    }
    keys = [np.arange(n)] + [columns[c] for c in reversed(keep)]  # np.lexsort: last key is primary
    order = np.lexsort(keys)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    return rank
