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
    been wrong.
    """

    games_per_worker: int = 32
    full_search_probability: float = 0.25
    fast_simulations: int = 16
    resign_threshold: float = -0.9
    resign_disabled_fraction: float = 0.1
    games_per_shard: int = 16

    def __post_init__(self):
        if self.games_per_worker < 1 or self.games_per_shard < 1:
            raise ValueError("selfplay: games_per_worker and games_per_shard must be at least 1")
        if not 0 < self.full_search_probability <= 1:
            raise ValueError("selfplay: full_search_probability must be in (0, 1]")
        if self.fast_simulations < 1:
            raise ValueError("selfplay: fast_simulations must be at least 1")
        if not -1 <= self.resign_threshold <= 1 or not 0 <= self.resign_disabled_fraction <= 1:
            raise ValueError("selfplay: resign_threshold in [-1, 1], resign_disabled_fraction in [0, 1]")
