"""``SearchConfig``: every knob of the search, frozen and validated when built."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchConfig:
    """Settings of one search; defaults are AlphaZero's where it gave them.

    ``simulations``: completed simulations per move (reused visits not counted).
    ``leaves_per_game``: leaves gathered per game per network call (virtual loss
    keeps them apart); more means bigger batches and a little less exact search.
    ``c_puct_init``/``c_puct_base``: AlphaZero's exploration, growing as
    ``c_init + log((N + c_base + 1) / c_base)`` with the parent's visits N.
    ``fpu_reduction``: first-play urgency; an unvisited child is valued at its
    parent's mean value minus this (Leela Zero), so search is not lured wide.
    ``dirichlet_alpha``: None scales to the board, ``0.03 * 361 / N**2``.
    ``temperature``: move choice by visits ** (1 / t) until ``temperature_moves``
    moves have been played, then the most visited move.
    ``gumbel``: Gumbel AlphaZero root search (sequential halving over
    ``gumbel_considered`` sampled actions) instead of PUCT with noise at the root.
    ``gumbel_sample``: draw the Gumbel noise (exploration without Dirichlet noise);
    off, the root keeps the top actions by prior.
    ``max_nodes``: tree capacity; 0 sizes it to ``2 * simulations + 2``.
    ``resign_threshold``: resign when the root value is below it (-1 disables).
    ``simulations_schedule``: self-play's progressive simulations (MiniZero):
    ``[[version, simulations], ...]``, piecewise constant from each network version
    (the training step of the weights) on, starting at version 0; empty keeps
    ``simulations`` for the whole run. Trees are sized for the largest count.
    ``score_utility``: KataGo's static score utility. Selection maximises
    ``value + score_utility * (2/pi) * atan(score / (score_utility_scale * N))``
    (KataGo: weight 0.1, scale 2 per sqrt(board points)), with the evaluator's
    score head at leaves and the rules' final score at terminal nodes, so that a
    won game keeps its margin and a lost one keeps fighting. Winrate, resignation
    and the reported value stay the pure win value. 0 (the default) is today's
    search exactly; an evaluator without a score head leaves it at 0.
    """

    simulations: int = 100
    leaves_per_game: int = 8
    c_puct_init: float = 1.25
    c_puct_base: float = 19652.0
    fpu_reduction: float = 0.25
    dirichlet_alpha: float | None = None
    dirichlet_weight: float = 0.0
    temperature: float = 0.0
    temperature_moves: int = 0
    gumbel: bool = False
    gumbel_considered: int = 16
    gumbel_c_visit: float = 50.0
    gumbel_c_scale: float = 0.1  # mctx's default, with Q rescaled to [0, 1]
    gumbel_sample: bool = True  # Gumbel noise at the root; off for deterministic play
    virtual_loss: float = 1.0
    reuse_tree: bool = True
    max_nodes: int = 0
    resign_threshold: float = -1.0
    simulations_schedule: tuple[tuple[int, int], ...] = ()
    score_utility: float = 0.0
    score_utility_scale: float = 2.0

    def __post_init__(self):
        checks = [
            (self.simulations >= 1, "simulations must be at least 1"),
            (self.leaves_per_game >= 1, "leaves_per_game must be at least 1"),
            (self.c_puct_init > 0 and self.c_puct_base > 0, "c_puct_init and c_puct_base must be positive"),
            (self.fpu_reduction >= 0, "fpu_reduction cannot be negative"),
            (self.dirichlet_alpha is None or self.dirichlet_alpha > 0, "dirichlet_alpha must be positive"),
            (0 <= self.dirichlet_weight <= 1, "dirichlet_weight must be in [0, 1]"),
            (self.temperature >= 0 and math.isfinite(self.temperature), "temperature must be a finite number >= 0"),
            (self.temperature_moves >= 0, "temperature_moves cannot be negative"),
            (self.gumbel_considered >= 1, "gumbel_considered must be at least 1"),
            (self.gumbel_c_visit > 0 and self.gumbel_c_scale > 0, "gumbel_c_visit and gumbel_c_scale must be positive"),
            (self.virtual_loss >= 0, "virtual_loss cannot be negative"),
            (self.max_nodes == 0 or self.max_nodes >= 2, "max_nodes must be 0 (automatic) or at least 2"),
            (-1 <= self.resign_threshold <= 1, "resign_threshold must be in [-1, 1]"),
            (not self.simulations_schedule or self.simulations_schedule[0][0] == 0,
             "simulations_schedule must start at version 0"),
            (all(b[0] > a[0] for a, b in zip(self.simulations_schedule, self.simulations_schedule[1:])),
             "simulations_schedule versions must increase"),
            (all(count >= 1 for _, count in self.simulations_schedule),
             "simulations_schedule counts must be at least 1"),
            (0 <= self.score_utility < math.inf, "score_utility must be a finite number >= 0"),
            (0 < self.score_utility_scale < math.inf, "score_utility_scale must be a finite positive number"),
        ]  # fmt: skip
        for ok, message in checks:
            if not ok:
                raise ValueError(f"search config: {message}")

    def alpha_for(self, size: int) -> float:
        """Dirichlet alpha for a board: as configured, else 0.03 scaled from 19x19."""
        return self.dirichlet_alpha if self.dirichlet_alpha is not None else 0.03 * 361 / (size * size)

    def simulations_at(self, version: int) -> int:
        """Simulations of a full search with network ``version``: the schedule's entry
        in force at that version, or ``simulations`` without a schedule."""
        count = self.simulations
        for start, scheduled in self.simulations_schedule:
            if version >= start:
                count = scheduled
        return count

    def most_simulations(self) -> int:
        return max([self.simulations, *(count for _, count in self.simulations_schedule)])
    def score_scale_for(self, size: int) -> float:
        """The score utility's scale in points on an N x N board: ``score_utility_scale * N``."""
        return self.score_utility_scale * size

    def node_capacity(self) -> int:
        return self.max_nodes or 2 * self.most_simulations() + 2
