"""All seeds of a `crawl` or `urls` step, and the problems met reading them."""

from __future__ import annotations

from pathlib import Path

from loguru import logger

from curate.crawl.job import Seed
from curate.crawl.policy.settings import CoinList, Limits, Politeness
from curate.sources.seeds.projects import seeds_from_csv, seeds_from_urls, unique_seeds


def read_seeds(
    urls: list[str],
    projects_csv: str | None,
    columns: list[str],
    coin_list: CoinList | None,
    politeness: Politeness,
    limits: Limits,
    state_dir: Path,
) -> tuple[list[Seed], list[tuple[str, str, str]]]:
    """Unique seeds in order, and the problems as (id, reason, detail): an unreadable CSV is
    `path_not_found`, an unreachable coin list `coin_list_unavailable`."""
    seeds = seeds_from_urls(urls)
    problems: list[tuple[str, str, str]] = []
    if projects_csv:
        try:
            seeds += seeds_from_csv(projects_csv, columns)
        except (OSError, UnicodeDecodeError) as exc:
            problems.append((projects_csv, "path_not_found", str(exc)))
    if coin_list is not None:
        from curate.crawl.http.fetcher import Fetcher
        from curate.sources.seeds.coinlist import CoinListError, coin_seeds

        t = coin_list.timeout_s
        api_limits = limits.model_copy(
            update={"connect_timeout_s": t, "read_timeout_s": t, "total_timeout_s": 3 * t}
        )
        fetcher = Fetcher(api_limits, politeness.user_agent, num_pools=4)
        try:
            coins, failed = coin_seeds(coin_list, fetcher, state_dir / "seeds")
            seeds += coins
            problems += [(f"{coin_list.base_url}/coins/{cid}", "coin_details_unavailable", why)
                         for cid, why in failed]  # fmt: skip
        except CoinListError as exc:
            logger.error(str(exc))
            problems.append((coin_list.base_url, "coin_list_unavailable", str(exc)))
        finally:
            fetcher.close()
    return unique_seeds(seeds), problems
