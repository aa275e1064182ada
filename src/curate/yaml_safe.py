"""A YAML loader for pipeline files that refuses what `yaml.safe_load` lets through.

`yaml.safe_load` builds no Python objects from tags, but it still accepts:

- duplicate keys (the last one silently wins: `dedup:` written twice loses the first list);
- alias bombs: ten lines of `&a [*b, *b, ...]` anchors expand to 10^9 nodes once anything walks
  the result (validation, `model_dump`, the resolved config), taking minutes and all memory;
- deep nesting: the composer recurses once per level, so 5,000 nested `[` raise RecursionError.

`load_yaml` composes the node graph with a depth limit (`MAX_DEPTH` levels, checked while
composing, before Python's recursion limit), counts the nodes the document expands to with
aliases followed (memoised per node, so counting a bomb is cheap; refused above `MAX_NODES`),
then constructs it with a constructor that rejects duplicate keys. Every refusal is a
`ConfigError` naming the file, line and column.
"""

from __future__ import annotations

from typing import Any

import yaml

from curate.errors import ConfigError

MAX_DEPTH = 64
MAX_NODES = 100_000
MAX_BYTES = 4 * 2**20


class _Refused(yaml.YAMLError):
    def __init__(self, problem: str, mark: Any = None):
        super().__init__(problem)
        self.problem, self.problem_mark = problem, mark


class LimitedLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` with a nesting limit and no duplicate keys."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _Refused(f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # unhashable: SafeConstructor reports it below
                    continue
                if first is not None:
                    raise _Refused(
                        f"duplicate key {key!r} (first at line {first.line + 1}); give each key once",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark
        return super().construct_mapping(node, deep=deep)


LimitedLoader.add_constructor("tag:yaml.org,2002:map", LimitedLoader.construct_yaml_map)


def expanded_size(node: Any) -> int:
    """Nodes `node` stands for with every alias expanded (a shared node counts each time it appears;
    a recursive alias is refused). Iterative, memoised per node."""
    memo: dict[int, int] = {}  # id(node) -> size, or -1 while its children are being counted
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        current, children_done = stack.pop()
        if children_done:
            sizes = [memo.get(id(c), -1) for c in _children(current)]
            if -1 in sizes:
                raise _Refused("an alias refers to the node that contains it", current.start_mark)
            memo[id(current)] = 1 + sum(sizes)
            continue
        if id(current) in memo:
            continue
        memo[id(current)] = -1
        stack.append((current, True))
        stack.extend((c, False) for c in _children(current) if id(c) not in memo)
    return memo[id(node)]


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load_yaml(text: str, where: str) -> Any:
    """Parse one YAML document with the limits above; raise `ConfigError` (file:line:col) on refusal."""
    if len(text) > MAX_BYTES:
        raise ConfigError(
            f"{where}: the file has {len(text):,} characters; a pipeline file may have {MAX_BYTES:,}"
        )
    loader = LimitedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = expanded_size(node)
        if size > MAX_NODES:
            raise _Refused(
                f"the document expands to {size:,} values through aliases (at most {MAX_NODES:,}); "
                f"write it out instead of nesting anchors",
                node.start_mark,
            )
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"{where}:{mark.line + 1}:{mark.column + 1}" if mark else where
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{place}: invalid YAML: {problem}") from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise ConfigError(f"{where}: invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
