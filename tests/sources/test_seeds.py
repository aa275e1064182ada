"""Seeds from a projects CSV: one reader for `crawl` and `urls`, several URLs per cell."""

from __future__ import annotations

from curate.sources.seeds import cell_urls, seeds_from_csv


def test_a_cell_with_several_urls_is_split():
    assert cell_urls("https://a.test/x.pdf https://b.test/y.pdf") == [
        "https://a.test/x.pdf",
        "https://b.test/y.pdf",
    ]
    assert cell_urls("https://a.test/;https://b.test/|http://c.test/") == [
        "https://a.test/", "https://b.test/", "http://c.test/"]  # fmt: skip
    assert cell_urls(" https://a.test/p?x=1;y=2,3 ") == ["https://a.test/p?x=1;y=2,3"]  # ; , inside a URL
    assert cell_urls("") == [] and cell_urls(None) == []


def test_projects_csv_seeds(tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text(
        "name,homepage,whitepaper,blog\n"
        'Alpha,https://alpha.test/,"https://alpha.test/wp.pdf\nhttps://mirror.test/wp.pdf",\n'
        "Beta,,,https://beta.test/sitemap.xml\n"
    )
    seeds = seeds_from_csv(path, ["homepage", "whitepaper", "blog"])
    assert [(s.url, s.project, s.kind, s.role) for s in seeds] == [
        ("https://alpha.test/", "Alpha", "other", "page"),
        ("https://alpha.test/wp.pdf", "Alpha", "whitepaper", "page"),
        ("https://mirror.test/wp.pdf", "Alpha", "whitepaper", "page"),
        ("https://beta.test/sitemap.xml", "Beta", "blog", "sitemap"),
    ]
