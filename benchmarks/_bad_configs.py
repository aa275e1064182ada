"""Bad pipeline configurations, each with the problem `curate validate` must report.

`cases(tmp)` returns `BadConfig`s: a name, the YAML bytes (paths under `tmp`, where any files a
case needs are created), and a substring of the expected `Error:` line. `curate validate` must
exit 2 and print that line for every one, without a traceback, and `curate run` must refuse it
the same way before doing any work (they share one path). Used by tests/test_bad_configs.py and
benchmarks/reliability.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class BadConfig:
    name: str
    text: bytes
    expect: str  # substring of one `Error:` line


def _pipeline(tmp: Path, top: str = "", steps: str = "", sources: str | None = None) -> bytes:
    sources = sources if sources is not None else f'  - files: {{paths: ["{tmp}/in/*.txt"]}}\n'
    text = f'name: bad\nsources:\n{sources}{steps}output: {{dir: "{tmp}/out"}}\n{top}'
    return text.encode()


def _bomb(levels: int = 9) -> str:
    """`description: [&a0 [9 strings], &a1 [*a0 x 9], ...]`: 9**levels strings once expanded, in a
    key that validation reads (and whose error message would print the value)."""
    parts = ['&a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    parts += [f"&a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return f"description: [{', '.join(parts)}]\n"


def cases(tmp: Path) -> list[BadConfig]:
    """At least 50 bad configurations; files they refer to are created under `tmp`."""
    tmp = Path(tmp)
    (tmp / "in").mkdir(parents=True, exist_ok=True)
    (tmp / "a_file").write_text("not a directory\n")
    missing = tmp / "missing"
    p = lambda **kw: _pipeline(tmp, **kw)  # noqa: E731 - short local helper
    step = lambda section, body: p(steps=f"{section}:\n  - {body}\n")  # noqa: E731
    files = lambda body: p(sources=f'  - files: {{paths: ["{tmp}/in/*.txt"], {body}}}\n')  # noqa: E731
    crawl = lambda body: p(sources=f'  - crawl: {{urls: ["https://example.org/"], {body}}}\n')  # noqa: E731
    out = [
        # executor and output
        BadConfig("tasks_zero", p(top="executor: {tasks: 0}\n"), "executor.tasks"),
        BadConfig("tasks_negative", p(top="executor: {tasks: -1}\n"), "executor.tasks"),
        BadConfig("tasks_huge", p(top="executor: {tasks: 1000000000000000000000000}\n"), "executor.tasks"),
        BadConfig("workers_zero", p(top="executor: {workers: 0}\n"), "executor.workers must be -1"),
        BadConfig("workers_minus_two", p(top="executor: {workers: -2}\n"), "executor.workers"),
        BadConfig("cpus_zero", p(top="executor: {cpus_per_task: 0}\n"), "executor.cpus_per_task"),
        BadConfig("mem_zero", p(top="executor: {mem_per_cpu_gb: 0}\n"), "executor.mem_per_cpu_gb"),
        BadConfig("mem_nan", p(top="executor: {mem_per_cpu_gb: .nan}\n"), "executor.mem_per_cpu_gb"),
        BadConfig("executor_type", p(top="executor: {type: kubernetes}\n"), "executor.type"),
        BadConfig("slurm_no_partition", p(top="executor: {type: slurm}\n"), "executor.slurm"),
        BadConfig("unknown_top_key", p(top="extra_key: 1\n"), "extra_key: unknown key"),
        BadConfig("name_missing", p().replace(b"name: bad\n", b""), "name: required key is missing"),
        BadConfig("name_invalid", p().replace(b"name: bad", b"name: ../etc"), "name:"),
        BadConfig("sources_empty", p(sources="  []\n").replace(b"sources:\n  []", b"sources: []"), "sources"),
        BadConfig(
            "shard_rows_zero",
            p(top="").replace(b"output: {dir", b"output: {max_shard_rows: 0, dir"),
            "output.max_shard_rows",
        ),
        BadConfig(
            "shard_bytes_tiny",
            p().replace(b"output: {dir", b"output: {max_shard_bytes: 10, dir"),
            "output.max_shard_bytes",
        ),
        BadConfig(
            "compression_unknown",
            p().replace(b"output: {dir", b"output: {compression: lz4, dir"),
            "output.compression",
        ),
        BadConfig(
            "output_dir_is_a_file",
            p().replace(f"{tmp}/out".encode(), f"{tmp}/a_file".encode()),
            "output.dir: expected a directory",
        ),
        BadConfig(
            "output_dir_under_a_file",
            p().replace(f"{tmp}/out".encode(), f"{tmp}/a_file/out".encode()),
            "output.dir: expected a directory",
        ),
        BadConfig("review_unknown_key", p(top="review: {nope: 1}\n"), "review.nope: unknown key"),
        # YAML itself
        BadConfig("duplicate_top_key", p(top="name: again\n"), "duplicate key 'name'"),
        BadConfig("duplicate_nested_key", p(top="executor: {tasks: 2, tasks: 3}\n"), "duplicate key 'tasks'"),
        BadConfig(
            "duplicate_section", p(steps="dedup: [exact]\ndedup: [minhash]\n"), "duplicate key 'dedup'"
        ),
        BadConfig("alias_bomb", p(top=_bomb()), "expands to"),
        BadConfig("deep_nesting", p(top="deep: " + "[" * 5000 + "]" * 5000 + "\n"), "nested deeper than"),
        BadConfig(
            "deep_block_nesting",
            p(top="".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "v: 1\n"),
            "nested deeper than",
        ),
        BadConfig("recursive_alias", p(top="loop: &loop [*loop]\n"), "refers to the node that contains it"),
        BadConfig("syntax_error", b"name: bad\nsources: [files\n", "invalid YAML"),
        BadConfig("python_tag", p(top="x: !!python/object/apply:os.system [echo hi]\n"), "invalid YAML"),
        BadConfig("top_level_list", b"- name: bad\n", "expected a mapping of keys"),
        BadConfig("empty_file", b"", "expected a mapping of keys"),
        BadConfig("not_utf8", b"name: caf\xe9\n", "cannot read the file"),
        # steps
        BadConfig("unknown_source", p(sources="  - ftp: {}\n"), "unknown sources step"),
        BadConfig("unknown_option", files("nope: 1"), "sources.0.files.nope: unknown key"),
        BadConfig("options_not_mapping", p(sources="  - files: 5\n"), "expected a mapping of options"),
        BadConfig("max_file_bytes_zero", files("max_file_bytes: 0"), "max_file_bytes: expected a positive"),
        BadConfig(
            "max_file_bytes_negative", files("max_file_bytes: -5"), "max_file_bytes: expected a positive"
        ),
        BadConfig(
            "max_record_bytes_zero", files("max_record_bytes: 0"), "max_record_bytes: expected a positive"
        ),
        BadConfig("max_decompressed_negative", files("max_decompressed_bytes: -1"), "max_decompressed_bytes"),
        BadConfig(
            "pdf_max_pages_zero", step("extract", "pdf: {max_pages: 0}"), "max_pages: expected a positive"
        ),
        BadConfig(
            "pdf_max_seconds_zero",
            step("extract", "pdf: {max_seconds: 0}"),
            "max_seconds: expected a positive",
        ),
        BadConfig("pdf_memory_negative", step("extract", "pdf: {max_memory_mb: -1}"), "max_memory_mb"),
        BadConfig("html_max_bytes_zero", step("extract", "html: {max_html_bytes: 0}"), "max_html_bytes"),
        BadConfig("extract_repeated", p(steps="extract: [html, html]\n"), "'html' repeats extract.0"),
        BadConfig(
            "front_matter_depth_zero",
            step("extract", "text: {max_front_matter_depth: 0}"),
            "max_front_matter_depth",
        ),
        BadConfig(
            "min_words_negative",
            step("filters", "length: {min_words: -1}"),
            "min_words: expected a number >= 0",
        ),
        BadConfig(
            "min_above_max_words",
            step("filters", "length: {min_words: 500, max_words: 100}"),
            "min_words (500) is larger than max_words",
        ),
        BadConfig(
            "language_score_above_one",
            step("filters", "language: {min_score: 1.5}"),
            "min_score: expected a probability",
        ),
        BadConfig("language_score_infinite", step("filters", "language: {min_score: .inf}"), "min_score"),
        BadConfig(
            "language_model_missing",
            step("filters", f"language: {{model_path: {missing}/lid.bin}}"),
            "no such file",
        ),
        BadConfig(
            "relevance_model_missing",
            step("filters", f"relevance: {{model_path: {missing}/rel.bin}}"),
            "no such file",
        ),
        BadConfig(
            "filter_repeated_identically",
            p(steps="filters:\n  - length: {min_words: 5}\n  - length: {min_words: 5}\n"),
            "repeats filters.0",
        ),
        BadConfig(
            "gopher_ratio_above_one",
            step("filters", "gopher_quality: {max_symbol_word_ratio: 2}"),
            "max_symbol_word_ratio",
        ),
        BadConfig("dedup_exact_twice", p(steps="dedup: [exact, exact]\n"), "'exact' repeats dedup.0"),
        BadConfig("dedup_minhash_twice", p(steps="dedup: [minhash, minhash]\n"), "'minhash' repeats dedup.0"),
        BadConfig(
            "minhash_threshold_zero",
            step("dedup", "minhash: {threshold: 0}"),
            "threshold: expected a Jaccard similarity",
        ),
        BadConfig("minhash_num_perm_zero", step("dedup", "minhash: {num_perm: 0}"), "num_perm"),
        BadConfig("minhash_ngram_zero", step("dedup", "minhash: {ngram: 0}"), "ngram"),
        BadConfig(
            "calibration_missing",
            step("membership", f"score: {{calibration: {missing}/cal.json}}"),
            "no such file",
        ),
        BadConfig(
            "target_model_missing",
            step("membership", f"score: {{target: {missing}/model.gguf}}"),
            "no such file or directory",
        ),
        BadConfig(
            "reference_model_missing",
            step("membership", f"score: {{references: [{missing}/ref]}}"),
            "references.0",
        ),
        BadConfig(
            "score_window_zero",
            step("membership", "score: {window: 0, stride: 0}"),
            "expected 1 <= stride < window",
        ),
        BadConfig(
            "score_stride_above_window",
            step("membership", "score: {window: 512, stride: 1024}"),
            "expected 1 <= stride < window",
        ),
        BadConfig(
            "membership_repeated", p(steps="membership: [score, score]\n"), "'score' repeats membership.0"
        ),
        BadConfig(
            "urls_projects_csv_missing",
            p(sources=f"  - urls: {{projects_csv: {missing}/projects.csv}}\n"),
            "no such file",
        ),
        BadConfig(
            "crawl_projects_csv_missing",
            p(sources=f"  - crawl: {{projects_csv: {missing}/projects.csv}}\n"),
            "no such file",
        ),
        BadConfig("crawl_timeout_zero", crawl("limits: {connect_timeout_s: 0}"), "connect_timeout_s"),
        BadConfig("crawl_workers_zero", crawl("politeness: {workers: 0}"), "workers"),
        BadConfig("crawl_pages_zero", crawl("scope: {max_pages_per_host: 0}"), "max_pages_per_host"),
        BadConfig(
            "urls_limit_zero",
            p(sources='  - urls: {urls: ["https://example.org/"], limit: 0}\n'),
            "limit: expected a number > 0",
        ),
    ]
    return out
