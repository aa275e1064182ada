"""datatrove's check that a step's dependencies are installed, without parsing every installed package.

Creating a datatrove step checks its `_requires_dependencies` (the stage reader and writer need
`orjson`) with `datatrove.utils._import_utils._is_distribution_available(name)`, which reads and
parses the METADATA of every installed distribution to compare names: about 40 ms with the ~160
distributions of curate's environment, once in every process that creates or unpickles a step
(the run's process, each worker of a datatrove pool). `fast_distribution_check()` answers from
`importlib.metadata.distribution(name)`, one lookup by name, whenever that finds a distribution
whose `Name` is exactly the one asked for; every other case (not found, a name spelled otherwise)
goes to datatrove's own scan, so the answer is always the one datatrove would give.

It replaces a private datatrove function, so it applies only to the releases it was checked on
(`CHECKED_VERSIONS`: an `lru_cache`d module function of the distribution name, called by
`check_required_dependencies` through the module's globals); anything else is left alone.
"""

from __future__ import annotations

import functools

CHECKED_VERSIONS = ("0.10.",)  # datatrove releases whose `_is_distribution_available` this was checked on


def fast_distribution_check() -> bool:
    """Answer datatrove's installed-distribution check by name lookup first; True if applied."""
    import importlib.metadata

    try:
        from datatrove.utils import _import_utils as utils
    except ImportError:
        return False
    try:
        version = importlib.metadata.version("datatrove")
    except importlib.metadata.PackageNotFoundError:
        return False
    original = getattr(utils, "_is_distribution_available", None)
    if getattr(original, "curate_fast", False):
        return True
    if not version.startswith(CHECKED_VERSIONS) or not hasattr(original, "cache_clear"):
        return False
    scan = original.__wrapped__

    @functools.lru_cache
    def is_distribution_available(distribution_name: str) -> bool | None:
        try:
            name = importlib.metadata.distribution(distribution_name).metadata.get("Name")
        except (importlib.metadata.PackageNotFoundError, ValueError):
            name = None
        if name and name.lower() == distribution_name:
            return True
        return scan(distribution_name)

    is_distribution_available.curate_fast = True  # type: ignore[attr-defined]
    is_distribution_available.original = original  # type: ignore[attr-defined]
    utils._is_distribution_available = is_distribution_available
    return True
