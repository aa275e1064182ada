"""The polite crawler behind the `crawl` and `urls` sources.

Packages in the order a request meets them: `policy` (settings, robots.txt, scope, traps) decides
whether a URL may be fetched, `http` fetches it (one `requests` session over a guarded urllib3
pool: address guard, deadline, size limits, retry policy), `state` remembers it (SQLite frontier,
WARC bodies), and `engine` runs the crawl of one task (host scheduler, host turns, what a response
becomes). `job` holds the typed inputs of a crawl; `urlnorm` the URL canonical form.
"""
