"""Names a pipeline YAML may use, per section, mapped to the step classes that implement them.

Classes are given as `module:Class` strings and imported only when a config is validated or a
run starts, so `curate --help` stays instant. A YAML entry `{name: {kwargs}}` becomes
`Class(**kwargs)`; kwargs are checked against the class's `__init__` signature first.
"""

from __future__ import annotations

import importlib

STEPS: dict[str, dict[str, str]] = {
    "sources": {
        "files": "curate.sources.local:FilesSource",
        "urls": "curate.sources.urls:UrlsSource",
        "crawl": "curate.sources.crawl:CrawlSource",
        "warc": "curate.sources.warc:WarcSource",
        "git": "curate.sources.git:GitSource",
    },
    "extract": {
        "html": "curate.extract.html:HtmlExtract",
        "article": "curate.extract.article:ArticleExtract",
        "pdf": "curate.extract.pdf:PdfExtract",
        "text": "curate.extract.text:TextDecode",
    },
    "filters": {
        "length": "curate.filters.length:LengthFilter",
        "language": "curate.filters.language:LanguageFilter",
        "gopher_quality": "curate.filters.quality:GopherQuality",
        "gopher_repetition": "curate.filters.quality:GopherRepetition",
        "fineweb_quality": "curate.filters.quality:FineWebQuality",
        "japanese_quality": "curate.filters.japanese:JapaneseQuality",
        "relevance": "curate.filters.relevance:RelevanceFilter",
        "code_quality": "curate.filters.code:CodeQualityFilter",
        "license": "curate.filters.code:LicenseFilter",
        "secrets": "curate.filters.secrets:SecretsFilter",
    },
    "dedup": {
        "exact": "curate.dedup.exact:ExactDedup",
        "minhash": "curate.dedup.minhash:MinhashDedup",
    },
    "membership": {
        "score": "curate.membership.step:MembershipScore",
    },
}

SECTIONS = tuple(STEPS)


def resolve(section: str, name: str) -> type:
    """Import and return the class registered as `name` in `section`."""
    module_name, _, class_name = STEPS[section][name].partition(":")
    return getattr(importlib.import_module(module_name), class_name)
