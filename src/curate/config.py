"""Load and validate a pipeline YAML file: one file is the whole job.

The top level is a fixed schema (`PipelineConfig`); each step section (`sources`, `extract`,
`filters`, `dedup`, `membership`) is a list of one-key mappings `{step_name: {kwargs}}` (or a bare
`step_name`), where `step_name` comes from `curate.registry` and the kwargs are checked against the
step class's `__init__` signature. Every problem is reported, not just the first, each as
`file: key.path: what was expected, what was found`. Unknown keys are errors.
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from curate import checks, registry
from curate.errors import ConfigError
from curate.review.settings import ReviewConfig
from curate.yaml_safe import load_yaml

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
MAX_TASKS = 100_000  # datatrove writes one completion file and one log per task
DEFAULT_EXTRACT: list[Any] = ["html", "pdf", "text"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SlurmConfig(StrictModel):
    """Slurm job settings, passed to datatrove's `SlurmPipelineExecutor`."""

    partition: str
    time: str = Field("24:00:00", pattern=r"^(\d+-)?\d{1,2}(:\d{2}){1,2}$", description="job time limit")
    qos: str = "normal"
    job_name: str = "curate"
    venv_path: str | None = Field(None, description="activate script sourced by jobs; default: this venv's")
    env_command: str | None = None
    sbatch_args: dict[str, str | int] = Field(default_factory=dict)


class ExecutorConfig(StrictModel):
    """Where the pipeline runs; passed through to datatrove's executors."""

    type: Literal["local", "ray", "slurm"] = "local"
    tasks: int = Field(1, ge=1, le=MAX_TASKS, description="number of shards the work is split into")
    workers: int = Field(-1, ge=-1, le=MAX_TASKS, description="tasks run at once; -1 = all")
    cpus_per_task: int = Field(1, ge=1, le=4096)
    mem_per_cpu_gb: float = Field(2.0, gt=0, le=65536, allow_inf_nan=False)
    ray_address: str | None = Field(None, description="Ray cluster address; none starts Ray on this machine")
    slurm: SlurmConfig | None = None

    @model_validator(mode="after")
    def _slurm_settings(self) -> ExecutorConfig:
        if self.workers == 0:
            raise ValueError("executor.workers must be -1 (all tasks at once) or at least 1, found 0")
        if self.type == "slurm" and self.slurm is None:
            raise ValueError("executor.slurm (with at least `partition`) is required when type is slurm")
        return self


class OutputConfig(StrictModel):
    """Where and how shards are written."""

    dir: str = "out"
    max_shard_rows: int = Field(100_000, ge=1, le=2**40)
    max_shard_bytes: int = Field(
        256 * 2**20, ge=1024, le=2**50, description="approximate text bytes per shard"
    )
    compression: Literal["zstd", "snappy", "gzip", "none"] = "zstd"
    tokenizer: str | None = Field(
        None,
        description="tokenizer of the n_tokens counts (smollm2, a .gguf file or a folder, or 'bytes'); "
        "default: the membership target's, else smollm2",
    )


class MixConfig(StrictModel):
    """A mixture built from the corpus after every run (`curate mix` with these options)."""

    by: str = Field("lang", description="column the shares are over (lang, source, kind, project)")
    target: dict[str, float] = Field(min_length=1, description="share per group, summing to 1")
    budget_tokens: int = Field(10**12, ge=1, description="token budget (the mixture shrinks to fit the data)")
    seed: int = 0
    name: str = Field("default", pattern=NAME_PATTERN, description="out/<pipeline>/mixes/<name>")

    @model_validator(mode="after")
    def _shares(self) -> MixConfig:
        if any(v <= 0 for v in self.target.values()) or abs(sum(self.target.values()) - 1) > 1e-6:
            raise ValueError(f"mix.target: shares must be positive and sum to 1, found {self.target}")
        return self


class PipelineConfig(StrictModel):
    """The top level of a pipeline YAML file."""

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    executor: ExecutorConfig = ExecutorConfig()
    sources: list[Any] = Field(min_length=1)
    extract: list[Any] = Field(default_factory=lambda: list(DEFAULT_EXTRACT))
    filters: list[Any] = Field(default_factory=list)
    dedup: list[Any] = Field(default_factory=list)
    membership: list[Any] = Field(default_factory=list)
    output: OutputConfig = OutputConfig()
    review: ReviewConfig = ReviewConfig()
    mix: MixConfig | None = None


@dataclass
class StepConfig:
    """One configured step: section, registry name, class and validated kwargs."""

    section: str
    name: str
    cls: type
    kwargs: dict[str, Any]

    def build(self):
        """A fresh instance of the step."""
        return self.cls(**self.kwargs)


@dataclass
class Pipeline:
    """A validated pipeline file."""

    path: Path
    config: PipelineConfig
    steps: dict[str, list[StepConfig]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.config.name

    def resolved(self) -> dict[str, Any]:
        """The config with every default filled in, as written next to a run's outputs."""
        out = self.config.model_dump(mode="json")
        for section, steps in self.steps.items():
            out[section] = [{s.name: _plain(s.kwargs)} for s in steps]
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Path):
        return str(value)
    return value


def _kwargs_model(cls: type) -> type[BaseModel]:
    """A pydantic model of `cls.__init__`'s keyword arguments (types from its annotations)."""
    hints = typing.get_type_hints(cls.__init__)
    fields: dict[str, Any] = {}
    for pname, param in list(inspect.signature(cls.__init__).parameters.items())[1:]:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            continue
        default = ... if param.default is param.empty else param.default
        fields[pname] = (hints.get(pname, Any), default)
    return create_model(
        f"{cls.__name__}Args",
        __config__=ConfigDict(extra="forbid", arbitrary_types_allowed=True),
        **fields,
    )


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _format_error(file: str, loc: tuple, err: dict[str, Any]) -> str:
    path = ".".join(str(p) for p in loc) or "(top level)"
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return f"{file}: {path}: unknown key"
    if kind == "missing":
        return f"{file}: {path}: required key is missing"
    return f"{file}: {path}: {err['msg'].lower()}, found {_describe(err.get('input'))}"


def _loc_problems(file: str, prefix: tuple, exc: ValidationError) -> list[str]:
    return [_format_error(file, prefix + tuple(e["loc"]), e) for e in exc.errors()]


def _parse_step(file: str, section: str, index: int, entry: Any, problems: list[str]) -> StepConfig | None:
    where = f"{section}.{index}"
    known = registry.STEPS[section]
    if isinstance(entry, str):
        name, kwargs = entry, {}
    elif isinstance(entry, dict) and len(entry) == 1:
        name, kwargs = next(iter(entry.items()))
        kwargs = {} if kwargs is None else kwargs
    else:
        problems.append(
            f"{file}: {where}: expected a step name or a one-key mapping {{step: {{options}}}}, "
            f"found {_describe(entry)}"
        )
        return None
    if name not in known:
        problems.append(
            f"{file}: {where}: unknown {section} step, expected one of {sorted(known)}, found {name!r}"
        )
        return None
    if not isinstance(kwargs, dict):
        problems.append(f"{file}: {where}.{name}: expected a mapping of options, found {_describe(kwargs)}")
        return None
    cls = registry.resolve(section, name)
    model = _kwargs_model(cls)
    try:
        parsed = model.model_validate(kwargs)
    except ValidationError as exc:
        problems.extend(_loc_problems(file, (section, index, name), exc))
        return None
    values = {k: getattr(parsed, k) for k in model.model_fields}
    step = StepConfig(section, name, cls, values)
    try:
        step.build()  # __init__ checks combinations of options; it does no I/O
    except ConfigError as exc:
        problems.extend(f"{file}: {where}.{name}: {p}" for p in exc.problems)
        return None
    except (ValueError, TypeError, OverflowError) as exc:  # a step that checks less than it should
        problems.append(f"{file}: {where}.{name}: invalid options: {exc}")
        return None
    return step


def parse_config(data: Any, file: str = "<config>") -> Pipeline:
    """Validate already-loaded YAML data; raise `ConfigError` listing every problem."""
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: (top level): expected a mapping of keys, found {_describe(data)}")
    problems: list[str] = []
    try:
        config = PipelineConfig.model_validate(data)
    except ValidationError as exc:
        problems.extend(_loc_problems(file, (), exc))
        config = None
    steps: dict[str, list[StepConfig]] = {}
    indexes: dict[str, list[int]] = {}
    for section in registry.SECTIONS:
        entries = data.get(section, DEFAULT_EXTRACT if section == "extract" else [])
        if not isinstance(entries, list):
            if config is not None:  # pydantic has not already reported it
                problems.append(f"{file}: {section}: expected a list of steps, found {_describe(entries)}")
            continue
        parsed = [(i, _parse_step(file, section, i, e, problems)) for i, e in enumerate(entries)]
        steps[section] = [s for _, s in parsed if s is not None]
        indexes[section] = [i for i, s in parsed if s is not None]
    problems += checks.check_steps(file, steps, indexes)
    if config is not None:
        problems += checks.check_output(file, config)
    if problems:
        raise ConfigError(problems)
    return Pipeline(path=Path(file), config=config, steps=steps)


def load_config(path: str | Path) -> Pipeline:
    """Read and validate a pipeline YAML file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc})") from None
    data = load_yaml(text, str(path))  # no duplicate keys, alias bombs or deep nesting
    pipeline = parse_config(data, str(path))
    pipeline.path = path
    return pipeline
