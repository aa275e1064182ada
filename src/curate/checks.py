"""Checks of a parsed pipeline that the schema alone cannot express: what `run` would fail on.

`curate validate` and `curate run` share them (both call `config.load_config`), so a pipeline
that validates does not fail later on its configuration:

- **value ranges on every number** of a step's options: `RANGES` gives the range of each option
  name (sizes, limits, timeouts and counts > 0; minimums >= 0; ratios, scores and rates in
  [0, 1]); `STEP_RANGES` overrides it for one step; a number without a declared range must be
  finite and >= 0. Cross-option rules (`min_words <= max_words`, ...) are in `PAIRS`.
- **files and models that must exist**: fastText and relevance models, calibration files,
  project CSVs (`FILES`), and the target and reference models of membership scoring (an alias or
  a path, `curate.membership.models.resolve`, no model is loaded);
- **repeated steps**: a step given twice in `extract`, `dedup` or `membership` does the same
  work twice (or the second silently does nothing); in `sources` and `filters` an identical
  repeat (same options) is refused;
- **output.dir** must be a directory or creatable (not a file, nor under one).

Each problem is one line, `file: key.path: what was expected, found what`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

# Steps are `curate.config.StepConfig`s (section, name, kwargs) and the config a `PipelineConfig`;
# this module does not import `curate.config`, which imports it.
StepConfig = PipelineConfig = Any

POSITIVE, NON_NEGATIVE, UNIT, ANY = (0, False, None), (0, True, None), (0, True, 1), (None, True, None)
INT_MAX = 2**63 - 1

RANGES: dict[str, tuple[float | None, bool, float | None]] = {
    # sizes, limits, timeouts, counts that must be > 0
    **dict.fromkeys(
        (
            "max_file_bytes",
            "max_record_bytes",
            "max_decompressed_bytes",
            "max_html_bytes",
            "max_pages",
            "max_seconds",
            "max_memory_mb",
            "max_front_matter_bytes",
            "max_front_matter_depth",
            "max_words",
            "max_chars",
            "max_doc_words",
            "max_avg_word_length",
            "max_line_length",
            "max_mean_line_length",
            "limit",
            "progress_every_s",
            "num_perm",
            "ngram",
            "bands",
            "rows",
            "window",
            "stride",
            "batch_tokens",
            "buffer_docs",
            "structured_ratio",
        ),
        POSITIVE,
    ),
    # minimums and counts that may be 0
    **dict.fromkeys(
        (
            "min_words",
            "min_chars",
            "min_tokens",
            "min_doc_words",
            "min_avg_word_length",
            "min_stop_words",
            "band",
            "lira_std_floor",
            "seed",
        ),
        NON_NEGATIVE,
    ),
    # ratios, scores, rates
    **dict.fromkeys(
        (
            "min_score",
            "unsure",
            "threshold",
            "target_fpr",
            "review_fpr",
            "mink_k",
            "link_density",
            "min_alnum_fraction",
            "max_symbol_word_ratio",
            "max_bullet_lines_ratio",
            "max_ellipsis_lines_ratio",
            "max_non_alpha_words_ratio",
        ),
        UNIT,
    ),
}
STEP_RANGES: dict[tuple[str, str, str], tuple[float | None, bool, float | None]] = {
    ("membership", "score", "threshold"): ANY,  # a score difference in bits per byte: any sign
    ("dedup", "minhash", "threshold"): (0, False, 1),  # 0 would make every pair a duplicate
}
PAIRS: list[tuple[str, str]] = [  # (smaller, larger) options of one step
    ("min_words", "max_words"),
    ("min_doc_words", "max_doc_words"),
    ("min_avg_word_length", "max_avg_word_length"),
    ("stride", "window"),
]
FILES: dict[tuple[str, str, str], str] = {
    ("filters", "language", "model_path"): "a fastText language model",
    ("filters", "relevance", "model_path"): "a fastText relevance model (curate review train writes one)",
    ("membership", "score", "calibration"): "a calibration file of known non-members",
    ("sources", "urls", "projects_csv"): "a projects CSV",
    ("sources", "crawl", "projects_csv"): "a projects CSV",
}
MODELS: set[tuple[str, str, str]] = {("membership", "score", "target"), ("membership", "score", "references")}
ONCE = ("extract", "dedup", "membership")  # sections where a step given twice is a mistake


def _range_problem(value: Any, rule: tuple[float | None, bool, float | None]) -> str | None:
    low, inclusive, high = rule
    if isinstance(value, float) and not math.isfinite(value):
        return "expected a finite number"
    if isinstance(value, int) and abs(value) > INT_MAX:
        return "expected a number below 2**63"
    if low is not None and (value < low or (value == low and not inclusive)):
        return f"expected a number {'>=' if inclusive else '>'} {low}"
    if high is not None and value > high:
        return f"expected a number <= {high}"
    return None


def _numbers(step: StepConfig) -> list[str]:
    problems = []
    for key, value in step.kwargs.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        rule = STEP_RANGES.get((step.section, step.name, key)) or RANGES.get(key, NON_NEGATIVE)
        problem = _range_problem(value, rule)
        if problem:
            problems.append(f"{key}: {problem}, found {value!r}")
    for small, large in PAIRS:
        a, b = step.kwargs.get(small), step.kwargs.get(large)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a > b:
            problems.append(f"{small}: expected at most {large} ({b!r}), found {a!r}")
    return problems


def _paths(step: StepConfig) -> list[str]:
    problems = []
    for key, value in step.kwargs.items():
        what = FILES.get((step.section, step.name, key))
        if what and value is not None and not Path(str(value)).expanduser().is_file():
            problems.append(f"{key}: expected {what}, no such file: {value}")
        if (step.section, step.name, key) in MODELS and value is not None:
            from curate.errors import CurateError
            from curate.membership.models import resolve

            for i, spec in enumerate(value if isinstance(value, list) else [value]):
                try:
                    resolve(str(spec))
                except CurateError as exc:
                    where = f"{key}.{i}" if isinstance(value, list) else key
                    problems.append(f"{where}: {exc}")
    return problems


def check_steps(file: str, steps: dict[str, list[StepConfig]], indexes: dict[str, list[int]]) -> list[str]:
    """Problems of the parsed steps (`indexes[section][k]` is the YAML position of step k)."""
    problems = []
    for section, configured in steps.items():
        seen: dict[Any, int] = {}
        for step, index in zip(configured, indexes.get(section, range(len(configured))), strict=False):
            where = f"{file}: {section}.{index}.{step.name}"
            problems += [f"{where}.{p}" for p in _numbers(step) + _paths(step)]
            key = step.name if section in ONCE else (step.name, repr(sorted(step.kwargs.items())))
            if key in seen:
                problems.append(
                    f"{file}: {section}.{index}: {step.name!r} repeats {section}.{seen[key]}; give each "
                    f"{'step' if section in ONCE else 'step with the same options'} once"
                )
            seen.setdefault(key, index)
    return problems


def check_output(file: str, config: PipelineConfig) -> list[str]:
    """`output.dir` must be a directory, or a path whose existing part is a directory."""
    path = Path(config.output.dir).expanduser()
    for part in (path, *path.parents):
        if part.exists():
            if not part.is_dir():
                what = "is a file" if part == path else f"is under {part}, which is a file"
                return [f"{file}: output.dir: expected a directory, found {str(path)!r}, which {what}"]
            break
    return []
