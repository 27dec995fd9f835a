"""``RunConfig``: everything a training run is, from one TOML file plus overrides.

Sections: ``[rules]``, ``[search]`` (``mcts.SearchConfig``), ``[network]``
(``nets.NetConfig``; its board size is the rules' size), ``[selfplay]``,
``[buffer]``, ``[training]``, ``[evaluation]``, and top-level ``seed``,
``workers`` (self-play actors) and ``trainers`` (data-parallel training workers).
The resolved config is written into the run directory and every checkpoint.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from pathlib import Path

from mcts.config import SearchConfig
from nets.config import NetConfig
from selfplay.buffer import BufferConfig
from selfplay.config_loading import ConfigError, apply_override, build, read_toml
from selfplay.settings import EvaluationConfig, RulesConfig, SelfPlayConfig, TrainingConfig


@dataclass(frozen=True)
class RunConfig:
    rules: RulesConfig = field(default_factory=RulesConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    network: NetConfig = field(default_factory=NetConfig)
    selfplay: SelfPlayConfig = field(default_factory=SelfPlayConfig)
    buffer: BufferConfig = field(default_factory=BufferConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    seed: int = 0
    workers: int = 1
    trainers: int = 1

    def __post_init__(self):
        if self.workers < 1 or self.trainers < 1:
            raise ValueError("workers and trainers must be at least 1")
        if self.network.board_size != self.rules.size:
            raise ValueError(f"network is for {self.network.board_size}x{self.network.board_size}, "
                             f"rules for {self.rules.size}x{self.rules.size}")  # fmt: skip
        if self.training.batch_size % self.trainers:
            raise ValueError(f"training.batch_size {self.training.batch_size} does not split over {self.trainers} trainers")


_SECTIONS = {
    "rules": RulesConfig,
    "search": SearchConfig,
    "network": NetConfig,
    "selfplay": SelfPlayConfig,
    "buffer": BufferConfig,
    "training": TrainingConfig,
    "evaluation": EvaluationConfig,
}
_SCALARS = ("seed", "workers", "trainers")


def run_config_from_dict(tree: dict) -> RunConfig:
    """Build and validate; the network's board size follows ``rules.size`` unless given."""
    unknown = sorted(set(tree) - set(_SECTIONS) - set(_SCALARS))
    if unknown:
        raise ConfigError(f"unknown section or key {unknown[0]!r} (known: {', '.join([*_SECTIONS, *_SCALARS])})")
    sections = {name: build(cls, tree.get(name), name) for name, cls in _SECTIONS.items()}
    if "board_size" not in (tree.get("network") or {}):
        sections["network"] = replace(sections["network"], board_size=sections["rules"].size)
    scalars = {}
    for name in _SCALARS:
        if name in tree:
            if isinstance(tree[name], bool) or not isinstance(tree[name], int):
                raise ConfigError(f"{name}: {tree[name]!r} is not an integer")
            scalars[name] = tree[name]
    try:
        return RunConfig(**sections, **scalars)
    except ValueError as err:
        raise ConfigError(str(err)) from None


def load_run_config(path: str | Path | None, overrides: list[str] = ()) -> RunConfig:
    """The config of ``path`` (or all defaults) with ``section.key=value`` overrides applied."""
    tree = read_toml(path) if path is not None else {}
    for assignment in overrides:
        apply_override(tree, assignment)
    return run_config_from_dict(tree)


def run_config_to_dict(config: RunConfig) -> dict:
    """Plain nested dict (tuples as lists) for TOML, JSON and checkpoints."""
    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if v is not None}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    return plain(dataclasses.asdict(config))


def toml_text(config: RunConfig) -> str:
    """The resolved config as TOML (for the run directory)."""
    tree = run_config_to_dict(config)
    lines = [f"{name} = {_toml_value(tree[name])}" for name in _SCALARS]
    for section in _SECTIONS:
        lines.append(f"\n[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in tree[section].items()]
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)
