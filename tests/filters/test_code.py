"""Code filters: line lengths, alphanumeric fraction, licence allow-list, secrets removal."""

from __future__ import annotations

from datatrove.data import Document

from curate import data as M
from curate.filters.code import CodeQualityFilter, LicenseFilter, license_allowed
from curate.filters.secrets import SecretsFilter
from tests.sources.gitrepo import APP


def code(text: str, **meta) -> Document:
    return Document(text=text, id=meta.pop("id", "r:f.py"), metadata={M.KIND: "code", M.PATH: "f.py", **meta})


def run(step, docs):
    return list(step.run(docs))


def test_code_quality_reasons():
    docs = [
        code(APP, id="ok"),
        code("x = 1\n" + "y" * 1200 + "\n", id="long_line"),
        code("\n".join("a = '" + "b" * 150 + "'" for _ in range(20)), id="long_mean"),
        code("\n".join("{} [] () ;; ,, :: -- ++ == !!" for _ in range(30)), id="symbols"),
        Document(text="z" * 5000, id="prose", metadata={M.KIND: "blog"}),
    ]
    reasons = {d.id: d.metadata.get(M.REASON) for d in run(CodeQualityFilter(), docs)}
    assert reasons == {
        "ok": None,
        "long_line": "code_line_too_long",
        "long_mean": "code_mean_line_too_long",
        "symbols": "code_low_alnum_fraction",
        "prose": None,  # not code: not judged
    }


def test_license_allow_list():
    assert license_allowed("MIT OR GPL-3.0-only", {"MIT"}) and not license_allowed(
        "MIT AND GPL-3.0-only", {"MIT"}
    )
    assert license_allowed("Apache-2.0 WITH LLVM-exception", {"Apache-2.0"})
    licences = {"mit": "MIT", "gpl": "GPL-3.0-only", "both": "GPL-3.0-only AND MIT", "none": "unknown"}
    docs = [code("x", id=i, license=lic) for i, lic in licences.items()]
    reasons = {d.id: d.metadata.get(M.REASON) for d in run(LicenseFilter(), docs)}
    assert reasons == {"mit": None, "gpl": "license_not_allowed", "both": "license_not_allowed",
                       "none": "license_unknown"}  # fmt: skip
    docs = [code("x", id="gpl", license="GPL-3.0-only"), code("x", id="none", license="unknown")]
    kept = run(LicenseFilter(allow=["GPL-3.0-only"], allow_unknown=True), docs)
    assert not any(M.is_decided(d) for d in kept)


def test_secrets_are_replaced_and_counted():
    key = (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1234567890abcdefghij\n-----END RSA PRIVATE KEY-----"
    )
    text = APP + f'\ntoken = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"\n{key}\nserver = "8.8.8.8"\n'
    clean = code("def add(a, b):\n    return a + b\n", id="clean")
    [dirty, clean] = run(SecretsFilter(), [code(text, id="dirty"), clean])
    assert dirty.metadata["secrets_removed"] == 4 and not M.is_decided(dirty)
    for secret in ("AKIAIOSFODNN7EXAMPLE", "hunter2-Xq9v!Lm3#pR8zT", "ghp_abcdef", "MIIEpAIBAAKCAQEA"):
        assert secret not in dirty.text
    assert 'API_KEY = "<SECRET>"' in dirty.text and 'server = "8.8.8.8"' in dirty.text
    assert "def match(bids, asks):" in dirty.text  # code around the secrets is untouched
    assert clean.metadata["secrets_removed"] == 0 and clean.text.startswith("def add")
    [dropped] = run(SecretsFilter(drop=True), [code(text)])
    assert dropped.metadata[M.REASON] == "contains_secrets"
    prose = Document(text=text, id="p", metadata={M.KIND: "blog"})
    assert "AKIAIOSFODNN7EXAMPLE" in run(SecretsFilter(), [prose])[0].text  # code only by default
    assert "AKIAIOSFODNN7EXAMPLE" not in run(SecretsFilter(kinds=[]), [prose])[0].text


def test_prose_filters_let_code_through():
    from curate.filters.language import LanguageFilter
    from curate.filters.quality import GopherQuality

    source = code(APP, id="code")
    prose = Document(text="Ceci n'est pas un texte anglais, mais il est assez long pour être jugé.", id="fr")
    out = {d.id: d for d in run(GopherQuality(), run(LanguageFilter(languages=["en"]), [source, prose]))}
    assert not M.is_decided(out["code"]) and out["code"].text == APP
    assert out["fr"].metadata[M.REASON] == "language_not_allowed"
