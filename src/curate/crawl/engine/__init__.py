"""The crawl of one task: seeds in, host turns on fetch threads, documents out."""
