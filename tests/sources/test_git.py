"""The `git` source: one document per file, skips with reasons, language, licences, re-runs."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from curate import data as M
from curate.config import load_config
from curate.errors import ConfigError
from curate.runner import run_pipeline
from curate.sources.git import GitSource
from tests.sources.gitrepo import APP, git, make_repo, write


def read(paths, **kwargs):
    return {d.metadata.get(M.PATH): d for d in GitSource(paths=paths, **kwargs).run()}


def test_files_become_documents_and_the_rest_is_skipped_with_a_reason(tmp_path):
    repo = make_repo(tmp_path / "repo")
    docs = read([str(repo)], max_file_bytes=2000)
    reasons = {path: d.metadata.get(M.REASON) for path, d in docs.items()}
    assert reasons == {
        "LICENSE": None,
        "COPYING": None,
        "src/app.py": None,
        "src/util.go": None,
        "src/header.c": None,
        "bin/shout": None,
        "vendor/lib/left_pad.js": "vendored",
        "node_modules/dep/index.js": "vendored",
        "package-lock.json": "lock_file",
        "src/schema_pb2.py": "generated_file",
        "web/app.min.js": "minified",
        "assets/logo.png": "binary_file",
        "data/big.txt": "file_too_large",
    }
    app = docs["src/app.py"]
    assert app.text == APP and app.metadata[M.KIND] == "code"
    commit = git(repo, "rev-parse", "HEAD")
    assert app.metadata["commit"] == commit and app.metadata["ref"] == "HEAD"
    assert app.metadata["repo"] == str(repo) and app.id == f"{repo}:src/app.py"
    assert app.metadata[M.FETCHED_AT].endswith("Z")
    languages = {p: d.metadata.get("code_language") for p, d in docs.items() if not M.is_decided(d)}
    assert languages["src/app.py"] == "Python" and languages["src/util.go"] == "Go"
    assert languages["bin/shout"] == "Python"  # no extension: the shebang decides
    assert languages["src/header.c"] == "C"


def test_two_licences_and_a_file_header(tmp_path):
    repo = make_repo(tmp_path / "repo")
    docs = read([str(repo)])
    assert docs["src/app.py"].metadata["license"] == "GPL-3.0-only AND MIT"
    assert docs["src/header.c"].metadata["license"] == "Apache-2.0"  # its SPDX-License-Identifier line


def test_package_metadata_licence_and_a_bare_repository(tmp_path):
    pyproject = '[project]\nname = "x"\nlicense = "MIT OR Apache-2.0"\n'
    repo = make_repo(tmp_path / "repo", {"pyproject.toml": pyproject, "x.py": "print('hi')\n"})
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    docs = read([str(bare)])
    assert docs["x.py"].metadata["license"] == "MIT OR Apache-2.0" and not M.is_decided(docs["x.py"])
    none = make_repo(tmp_path / "none", {"a.py": "x = 1\n"})
    assert read([str(none)])["a.py"].metadata["license"] == "unknown"


def test_a_ref_other_than_head(tmp_path):
    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n"})
    git(repo, "tag", "v1")
    write(repo, {"a.py": "x = 2\n", "b.py": "y = 1\n"})
    docs = read([str(repo)], ref="v1")
    assert set(docs) == {"a.py"} and docs["a.py"].text == "x = 1\n" and docs["a.py"].metadata["ref"] == "v1"


def test_bad_repositories_and_options(tmp_path):
    (tmp_path / "plain").mkdir()
    docs = list(GitSource(paths=[str(tmp_path / "plain"), str(tmp_path / "missing")]).run())
    assert [d.metadata[M.REASON] for d in docs] == ["not_a_repository", "not_a_repository"]
    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n"})
    docs = list(GitSource(paths=[str(repo)], ref="no-such-branch").run())
    assert [d.metadata[M.REASON] for d in docs] == ["bad_ref"]
    with pytest.raises(ConfigError):
        GitSource(paths=[])
    with pytest.raises(ConfigError):
        GitSource(paths=["x"], ref="--output=/tmp/x")


def test_files_are_split_across_tasks(tmp_path):
    repo = make_repo(tmp_path / "repo")
    parts = [{d.id for d in GitSource(paths=[str(repo)]).run(rank=r, world_size=3)} for r in range(3)]
    assert sum(len(p) for p in parts) == len(set().union(*parts)) == 13


def test_rerun_reads_only_files_changed_since_the_last_run(tmp_path, write_pipeline):
    repo = make_repo(tmp_path / "repo", {"a.py": "x = 1\n", "b.py": "y = 2\n", "c.py": "z = 3\n"})
    config = write_pipeline(
        """
        name: code
        sources:
          - git: {paths: ["{tmp}/repo"]}
        output: {dir: "{tmp}/out"}
        """
    )

    def paths(run_id):
        run = run_pipeline(load_config(config), run_id=run_id)
        assert run["accounted"]
        shards = sorted((tmp_path / "out/code" / run_id).glob("*/*.parquet"))
        return sorted(r["path"] for s in shards for r in pq.read_table(s).to_pylist())

    assert paths("r1") == ["a.py", "b.py", "c.py"]
    assert paths("r2") == []  # HEAD has not moved
    write(repo, {"b.py": "y = 3\n", "d.py": "w = 4\n"})
    assert paths("r3") == ["b.py", "d.py"]
