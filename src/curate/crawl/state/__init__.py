"""What a crawl remembers across tasks and runs: the SQLite frontier and the WARC bodies."""
