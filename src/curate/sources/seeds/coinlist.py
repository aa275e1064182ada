"""Seeds from a market-data API's coin list: the top N coins by market cap and their links.

Speaks CoinGecko's JSON shape: `GET {base_url}/coins/markets?vs_currency=usd&order=market_cap_desc
&per_page=..&page=..` for the ranking, then `GET {base_url}/coins/{id}` per coin for `links`:
`homepage` (list), `whitepaper` (string), `announcement_url` (list; the project's blog). The key
is sent in `api_key_header`, from `api_key` or the environment variable `api_key_env`. Calls are
`delay_s` apart (free tiers allow ~30 per minute, so 100 coins take ~3.5 minutes); a 429 waits
for its Retry-After (at most 60 s) twice. The list is cached in `<state_dir>/seeds/coins.json`
for `cache_ttl_s` and shared by all tasks (file lock). Offline, DNS fails at once and
`CoinListError` says so; an older cached list is used when there is one.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from loguru import logger

from curate.crawl.http.fetcher import Fetcher
from curate.crawl.http.netguard import FetchError
from curate.crawl.http.retry import retry_after_s
from curate.crawl.job import Seed
from curate.crawl.policy.settings import CoinList
from curate.io import write_json_atomic

HOST_LEVEL = ("fetch_dns_error", "fetch_dns_timeout", "blocked_address", "fetch_connection_error")


class CoinListError(Exception):
    """The coin list could not be read; the message says why and what to do."""


def _get_json(cfg: CoinList, fetcher: Fetcher, path: str, params: dict) -> object:
    key = cfg.api_key or (os.environ.get(cfg.api_key_env) if cfg.api_key_env else None)
    headers = {"Accept": "application/json", **({cfg.api_key_header: key} if key else {})}
    url = f"{cfg.base_url.rstrip('/')}/{path}?{urlencode(params)}"
    for attempt in range(3):
        resp = fetcher.get(url, headers=headers, accept=lambda _: True)
        if resp.status == 429 and attempt < 2:
            time.sleep(min(60.0, retry_after_s(resp.headers.get("retry-after")) or cfg.delay_s * 5))
            continue
        if resp.status != 200:
            raise FetchError(f"http_{resp.status}", f"{url}: HTTP {resp.status}")
        try:
            return json.loads(resp.body)
        except ValueError:
            raise FetchError("bad_json", f"{url}: not JSON") from None
    raise FetchError("http_429", f"{url}: still rate limited")


def download(cfg: CoinList, fetcher: Fetcher) -> dict:
    """The ranking and each coin's links: {"coins": [...], "problems": [[id, reason], ...]}."""
    coins: list[dict] = []
    try:
        page = 1
        while len(coins) < cfg.top_n:
            params = {"vs_currency": cfg.vs_currency, "order": "market_cap_desc", "per_page": cfg.per_page}
            batch = _get_json(cfg, fetcher, "coins/markets", {**params, "page": page})
            if not isinstance(batch, list) or not batch:
                break
            coins += [c for c in batch if isinstance(c, dict) and c.get("id")]
            page += 1
            time.sleep(cfg.delay_s)
    except FetchError as exc:
        raise CoinListError(
            f"coin list: cannot read {cfg.base_url}/coins/markets ({exc.reason}: {exc}); "
            "the crawl goes on with the other seeds"
        ) from None
    problems: list[list[str]] = []
    out = []
    for coin in coins[: cfg.top_n]:
        params = {"localization": "false", "tickers": "false", "market_data": "false"}
        params.update(community_data="false", developer_data="false", sparkline="false")
        try:
            detail = _get_json(cfg, fetcher, f"coins/{quote(coin['id'], safe='')}", params)
        except FetchError as exc:
            if exc.reason in HOST_LEVEL:
                raise CoinListError(f"coin list: {cfg.base_url} became unreachable ({exc.reason})") from None
            problems.append([coin["id"], exc.reason])
            continue
        finally:
            time.sleep(cfg.delay_s)
        links = detail.get("links") or {} if isinstance(detail, dict) else {}
        out.append({"id": coin["id"], "name": coin.get("name") or coin["id"], "links": links})
    return {"coins": out, "problems": problems}


def _seeds(data: dict) -> list[Seed]:
    seeds = []
    for coin in data["coins"]:
        links, name = coin["links"], coin["name"]
        homepages = [u for u in links.get("homepage") or [] if u][:1]
        blogs = [u for u in links.get("announcement_url") or [] if u][:1]
        whitepaper = links.get("whitepaper")
        seeds += [Seed(u, name, "other") for u in homepages]
        if isinstance(whitepaper, str) and whitepaper:
            seeds.append(Seed(whitepaper, name, "whitepaper"))
        seeds += [Seed(u, name, "blog") for u in blogs]
    return seeds


def coin_seeds(cfg: CoinList, fetcher: Fetcher, cache_dir: Path) -> tuple[list[Seed], list[list[str]]]:
    """Seeds of the top coins and the coins whose links could not be read ([id, reason])."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache = cache_dir / "coins.json"
    with open(cache_dir / "coins.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one task downloads, the others read its result
        cached = json.loads(cache.read_text()) if cache.exists() else None
        fresh = cached and cached.get("base_url") == cfg.base_url and cached.get("top_n") == cfg.top_n
        if fresh and time.time() - cached["fetched_at"] < cfg.cache_ttl_s:
            return _seeds(cached), cached["problems"]
        try:
            data = download(cfg, fetcher)
        except CoinListError:
            if not cached:
                raise
            logger.warning(f"coin list: {cfg.base_url} unreachable, using the list cached at {cache}")
            return _seeds(cached), cached["problems"]
        data.update(fetched_at=time.time(), base_url=cfg.base_url, top_n=cfg.top_n)
        write_json_atomic(cache, data, indent=None)
        return _seeds(data), data["problems"]
