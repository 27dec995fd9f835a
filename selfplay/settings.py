"""Config sections of a run that belong to the learning loop (frozen, validated)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RulesConfig:
    """The game self-play plays: board size, komi, move cap (0: 2 * N * N)."""

    size: int = 9
    komi: float = 7.5
    max_moves: int = 0

    def __post_init__(self):
        if not 2 <= self.size <= 19:
            raise ValueError("rules: size must be 2..19")
        if self.max_moves < 0:
            raise ValueError("rules: max_moves cannot be negative")

    def move_cap(self) -> int:
        return self.max_moves or 2 * self.size * self.size


@dataclass(frozen=True)
class SelfPlayConfig:
    """How workers play.

    ``games_per_worker``: games each worker advances at once (one batched network
    call serves them all). Playout cap randomisation (KataGo): a move gets a full
    search (``search.simulations``, root noise, recorded as a policy target) with
    probability ``full_search_probability``, else a fast search of
    ``fast_simulations`` that only chooses the move. Resignation below
    ``resign_threshold`` (root value for the player to move), except in
    ``resign_disabled_fraction`` of games, which measure how often it would have
    been wrong. ``backend``: what runs the network in workers and the in-loop
    evaluation (``nets.evaluator``: auto = OpenVINO on a CPU where it runs, else torch).

    Diversity of positions (KataGo; all off by default). ``policy_opening_fraction``:
    a new game first plays ``floor(Exp(1) * fraction * N * N)`` moves drawn from the
    network's raw policy at ``policy_opening_temperature`` (KataGo's policyInitAreaProp
    0.04: 3.2 moves on average on 9x9), never a pass. ``early_fork_probability``: when
    a game ends, the next game in its slot is, with this probability, a fork of it: its
    first ``floor(Exp(1) * early_fork_move_fraction * N * N)`` moves (KataGo's
    earlyForkGameExpectedMoveProp 0.025: 2 moves on 9x9), then one move drawn from the
    raw policy (KataGo's forking move: temperature 1 70%, 2 25%, any legal move 5%).
    These moves are played without search and are not training targets (as in
    KataGo, whose games start after them); the record keeps them, so every game is
    still a full game from the empty board, and counts them in ``start_moves``.
    Komi stays fixed. (KataGo's side positions are left out: their value target is a
    search's value, not a game's outcome, which the samples here do not carry.)
    """

    games_per_worker: int = 32
    full_search_probability: float = 0.25
    fast_simulations: int = 16
    resign_threshold: float = -0.9
    resign_disabled_fraction: float = 0.1
    backend: str = "auto"
    policy_opening_fraction: float = 0.0
    policy_opening_temperature: float = 1.0
    early_fork_probability: float = 0.0
    early_fork_move_fraction: float = 0.025

    def __post_init__(self):
        if not 0 <= self.policy_opening_fraction <= 1 or not 0 <= self.early_fork_move_fraction <= 1:
            raise ValueError("selfplay: policy_opening_fraction and early_fork_move_fraction must be in [0, 1]")
        if not 0 < self.policy_opening_temperature < float("inf"):
            raise ValueError("selfplay: policy_opening_temperature must be a positive number")
        if not 0 <= self.early_fork_probability <= 1:
            raise ValueError("selfplay: early_fork_probability must be in [0, 1]")
        if self.backend not in ("auto", "torch", "openvino"):
            raise ValueError(f"selfplay: backend must be auto, torch or openvino, got {self.backend!r}")
        if self.games_per_worker < 1:
            raise ValueError("selfplay: games_per_worker must be at least 1")
        if not 0 < self.full_search_probability <= 1:
            raise ValueError("selfplay: full_search_probability must be in (0, 1]")
        if self.fast_simulations < 1:
            raise ValueError("selfplay: fast_simulations must be at least 1")
        if not -1 <= self.resign_threshold <= 1 or not 0 <= self.resign_disabled_fraction <= 1:
            raise ValueError("selfplay: resign_threshold in [-1, 1], resign_disabled_fraction in [0, 1]")


@dataclass(frozen=True)
class TrainingConfig:
    """The trainer: synchronous data-parallel SGD over replay-buffer samples.

    ``batch_size`` is the global batch, split evenly over the data-parallel
    workers. ``lr_schedule``: ``[[step, learning_rate], ...]`` piecewise constant
    from each step on. A checkpoint every ``checkpoint_every`` steps; the last
    ``keep_last`` are kept, and every ``keep_every``-th for good. New weights go
    to the self-play workers every ``publish_every`` steps. ``ema_decay``: above 0,
    what is published, checkpointed as the network, evaluated and shipped is an
    exponential moving average of the weights with this decay (``nets.weight_average``;
    KataGo's averaging), while training goes on from the raw weights; 0 publishes the
    raw weights. ``score_loss_weight``:
    the score head's loss weight (``nets.loss.LossWeights.score``; read only when
    the network has a score head). ``opponent_policy_loss_weight``: the opponent-reply
    head's (``LossWeights.opponent_policy``, KataGo's 0.15; read only with the head).
    """

    steps: int = 10_000
    batch_size: int = 256
    lr_schedule: tuple[tuple[int, float], ...] = ((0, 0.02), (20_000, 0.002))
    momentum: float = 0.9
    weight_decay: float = 1e-4
    bf16: bool = True
    checkpoint_every: int = 500
    publish_every: int = 100
    keep_last: int = 3
    keep_every: int = 5_000
    max_grad_norm: float = 5.0
    ema_decay: float = 0.0
    score_loss_weight: float = 0.5
    opponent_policy_loss_weight: float = 0.15

    def __post_init__(self):
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"training: ema_decay must be in [0, 1), got {self.ema_decay!r}")
        if self.steps < 1 or self.batch_size < 1:
            raise ValueError("training: steps and batch_size must be at least 1")
        if not self.lr_schedule or self.lr_schedule[0][0] != 0:
            raise ValueError("training: lr_schedule must start at step 0")
        if any(b[0] <= a[0] for a, b in zip(self.lr_schedule, self.lr_schedule[1:])):
            raise ValueError("training: lr_schedule steps must increase")
        if any(lr <= 0 for _, lr in self.lr_schedule):
            raise ValueError("training: learning rates must be positive")
        if min(self.checkpoint_every, self.publish_every, self.keep_last, self.keep_every) < 1:
            raise ValueError("training: checkpoint_every, publish_every, keep_last, keep_every must be at least 1")
        for name in ("score_loss_weight", "opponent_policy_loss_weight"):
            weight = getattr(self, name)
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight < float("inf"):
                raise ValueError(f"training: {name} must be a finite number >= 0, got {weight!r}")

    def learning_rate(self, step: int) -> float:
        rate = self.lr_schedule[0][1]
        for start, value in self.lr_schedule:
            if step >= start:
                rate = value
        return rate


@dataclass(frozen=True)
class EvaluationConfig:
    """Matches in the loop: every ``every_checkpoints`` checkpoints, the newest
    network plays ``games`` games against the previous one and against pure
    rollout search with ``baseline_simulations`` (0 disables)."""

    every_checkpoints: int = 2
    games: int = 10
    simulations: int = 64
    baseline_simulations: int = 200

    def __post_init__(self):
        if self.every_checkpoints < 1 or self.games < 0 or self.simulations < 1 or self.baseline_simulations < 0:
            raise ValueError("evaluation: every_checkpoints >= 1, games >= 0, simulations >= 1, baseline >= 0")
