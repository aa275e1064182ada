"""Seeds of a crawl: plain URL lists, a projects CSV, a market-data API's coin list."""

from curate.sources.seeds.projects import Seed, seeds_from_csv, seeds_from_urls, unique_seeds

__all__ = ["Seed", "seeds_from_csv", "seeds_from_urls", "unique_seeds"]
