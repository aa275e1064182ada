"""The same pipeline on a real local Ray cluster (two raylet nodes on loopback) and locally."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from curate.config import load_config
from curate.runner import run_pipeline
from tests.conftest import article, html_page
from tests.crawl.conftest import site  # noqa: F401 - the loopback test site fixture

ray = pytest.importorskip("ray") if not os.environ.get("CI") else __import__("ray")

PIPELINE = """
name: scale
executor: {executor}
sources:
  - files: {{paths: ["{{tmp}}/in/*"], source: t}}
filters:
  - length: {{min_words: 30}}
dedup:
  - exact: {{keep: [kind, longest]}}   # ties go to input order, not to the second of reading
  - minhash: {{threshold: 0.8, keep: [kind, longest]}}
output: {{dir: "{{tmp}}/out-{name}"}}
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from ray.cluster_utils import Cluster

    temp = tmp_path_factory.mktemp("ray")
    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 1,
            "object_store_memory": 150 * 2**20,
            "include_dashboard": False,
        },
    )
    cluster.add_node(num_cpus=1, object_store_memory=150 * 2**20)
    cluster.wait_for_nodes()
    yield cluster
    ray.shutdown()
    cluster.shutdown()
    shutil.rmtree(temp, ignore_errors=True)


def kept_ids(run_dir: Path) -> set[str]:
    return set(pq.read_table(run_dir / "kept", columns=["id"])["id"].to_pylist())


def test_ray_run_equals_local_run(cluster, tmp_path, write_pipeline):
    src = tmp_path / "in"
    src.mkdir()
    topics = [
        "rollups",
        "oracles",
        "bridges",
        "custody",
        "fee markets",
        "light clients",
        "vesting",
        "staking",
    ]
    for i, topic in enumerate(topics):
        (src / f"{i:02d}.html").write_text(html_page(topic.title(), article(topic)))
    # copies at odd indices land in the other task than their originals (files are split by index)
    (src / "01-copy.html").write_text(html_page("Rollups", article("rollups")))
    near = article("oracles").replace("share the rewards", "split the rewards")
    (src / "00-near.html").write_text(html_page("Near", near))
    local = load_config(
        write_pipeline(PIPELINE.format(executor="{type: local, tasks: 2}", name="local"), "l.yaml")
    )
    on_ray = load_config(
        write_pipeline(
            PIPELINE.format(
                executor=f"{{type: ray, tasks: 2, ray_address: '{cluster.address}'}}", name="ray"
            ),
            "r.yaml",
        )
    )
    a = run_pipeline(local, run_id="x")
    b = run_pipeline(on_ray, run_id="x")
    assert a["kept"] == b["kept"] == 8
    assert kept_ids(tmp_path / "out-local" / "scale" / "x") == kept_ids(tmp_path / "out-ray" / "scale" / "x")
    rejected = pq.read_table(tmp_path / "out-ray" / "scale" / "x" / "rejected").to_pylist()
    reasons = {Path(r["path"]).name: r["reason"] for r in rejected}
    assert reasons == {"01-copy.html": "exact_duplicate", "00-near.html": "near_duplicate"} or set(
        reasons.values()
    ) == {"exact_duplicate", "near_duplicate"}
    nodes = {n["NodeID"] for n in ray.nodes() if n["Alive"]}
    assert len(nodes) == 2


CRAWL_PIPELINE = """
name: crawl
executor: {{type: ray, tasks: 2, ray_address: '{address}'}}
sources:
  - crawl:
      urls: {urls}
      politeness: {{delay_s: {delay}, backoff_base_s: 0.05, max_retries: 1, max_retry_after_s: 5}}
      limits: {{allow_networks: [127.0.0.0/8], total_timeout_s: 1.0, read_timeout_s: 2, connect_timeout_s: 2}}
      scope: {{max_url_variants: 3, max_depth: 3}}
output: {{dir: "{{tmp}}/out"}}
"""


def test_a_hosts_requests_never_overlap_across_ray_tasks(cluster, site, write_pipeline, tmp_path):  # noqa: F811
    delay = 0.1
    site.clear()
    urls = json.dumps([site.base[name] + "/" for name in ("alpha", "beta", "gamma")])
    config = CRAWL_PIPELINE.format(address=cluster.address, urls=urls, delay=delay)
    manifest = run_pipeline(load_config(write_pipeline(config, "crawl.yaml")), run_id="c")
    assert manifest["accounted"] and manifest["kept"] > 0
    for name in ("alpha", "beta", "gamma"):
        times = sorted(hit.at for hit in site.hits(name))
        assert len(times) > 1
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        # one request at a time per host, `delay` after the previous response: never two at once
        assert min(gaps) >= delay * 0.95, (name, min(gaps))
