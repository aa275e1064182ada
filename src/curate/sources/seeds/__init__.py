"""Seeds of a crawl: plain URL lists, a projects CSV, a market-data API's coin list."""

from curate.crawl.job import Seed
from curate.sources.seeds.projects import cell_urls, seeds_from_csv, seeds_from_urls, unique_seeds
from curate.sources.seeds.read import read_seeds

__all__ = ["Seed", "cell_urls", "read_seeds", "seeds_from_csv", "seeds_from_urls", "unique_seeds"]
