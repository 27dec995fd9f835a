"""Speed of the search: simulations per second with stub evaluators, and rollout search.

Everything runs on one core (the Numba kernels are single-threaded) after a
warm-up search that compiles or loads the cached kernels. Times are the
process's CPU time (``time.process_time``), as in ``engine/benchmark.py``, so
other work on the machine does not count against the search.

Figures (``benchmark_mcts``'s dict):

* ``sims_per_s``: completed simulations a second of ``BatchedSearch`` over
  ``games`` concurrent games with ``UniformEvaluator`` and PUCT; the cost of the
  search itself, since the evaluator is nearly free. The leaves' input planes are
  of feature version ``features`` (1: AlphaGo Zero's, 2: KataGo-style), as a
  network of that version would have them written.
* ``sims_per_s_gumbel``: the same with Gumbel root search (sequential halving).
* ``search_share`` / ``search_share_gumbel``: the fraction of that time spent
  outside the evaluator call (gathering leaves, expanding, backing up).
* ``evaluator_rows_mean``: leaves per evaluator call (the batch a network would see).
* ``rollout_sims_per_s`` / ``playouts_per_s``: ``MCTSPlayer`` with
  ``RolloutEvaluator`` choosing a move from a short opening: simulations, and
  random playouts (simulations x playouts per leaf), a second.
* ``rollout_search_share``: the part of the rollout player's time outside its playouts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from engine.features import check_feature_version, feature_version_of
from engine.game import GameState
from mcts.config import SearchConfig
from mcts.evaluators import RolloutEvaluator, UniformEvaluator
from mcts.players import MCTSPlayer, RandomPlayer
from mcts.search import BatchedSearch

WARM_UP_SIMULATIONS = 16  # enough to run every kernel once (root, interior, backup)


@dataclass
class TimedEvaluator:
    """Wraps an evaluator and adds up the time spent in its ``evaluate`` calls: CPU time
    by default, or any ``clock`` (wall time where the caller measures wall time).
    ``features``: the feature version the search writes (default: the inner evaluator's)."""

    inner: object
    seconds: float = 0.0
    calls: int = 0
    rows: int = 0
    clock: Callable[[], float] = time.process_time
    features: int | None = None

    @property
    def needs_positions(self) -> bool:
        return bool(getattr(self.inner, "needs_positions", False))

    @property
    def feature_version(self) -> int:
        return feature_version_of(self.inner) if self.features is None else self.features

    def evaluate(self, features, legal, **kwargs):
        start = self.clock()
        answer = self.inner.evaluate(features, legal, **kwargs)
        self.seconds += self.clock() - start
        self.calls += 1
        self.rows += len(legal)
        return answer

    def reset(self) -> None:
        self.seconds, self.calls, self.rows = 0.0, 0, 0


def opening_positions(size: int, count: int, seed: int, max_moves: int | None = None) -> list[GameState]:
    """``count`` games a few random moves in (0 to ``max_moves``, default ``size``), so
    the searched positions differ a little, as the games of a self-play batch do."""
    player = RandomPlayer(seed)
    choose = np.random.default_rng(seed)
    limit = size if max_moves is None else max_moves
    games = []
    for _ in range(count):
        game = GameState(size)
        for _ in range(int(choose.integers(0, limit + 1))):
            move = player.genmove(game).move
            if move == game.pass_move:
                break  # keep the position far from over
            game.play(move)
        games.append(game)
    return games


def _repeat_for(seconds: float, step) -> tuple[int, float]:
    """Call ``step()`` until ``seconds`` of CPU time have passed (at least once);
    return (calls, CPU seconds)."""
    calls, elapsed = 0, 0.0
    while calls == 0 or elapsed < seconds:
        start = time.process_time()
        step()
        elapsed += time.process_time() - start
        calls += 1
    return calls, elapsed


def benchmark_batched(config: SearchConfig, positions: list[GameState], seconds: float, seed: int = 0,
                      features: int = 1) -> dict:  # fmt: skip
    """Simulations a second of ``BatchedSearch`` with the uniform evaluator over ``positions``.

    Every measured search starts from fresh trees (no reuse), so each one does
    exactly ``config.simulations`` simulations in every game.
    """
    config = replace(config, reuse_tree=False)
    size, games = positions[0].size, len(positions)
    evaluator = TimedEvaluator(UniformEvaluator(), features=features)
    search = BatchedSearch(config, size, games, evaluator, seed=seed)

    def one_search(simulations: int | None = None) -> None:
        for g, game in enumerate(positions):
            search.set_position(g, game)
        search.search(simulations=simulations)

    one_search(min(WARM_UP_SIMULATIONS, config.simulations))  # warm-up: compile or load the kernels
    evaluator.reset()
    calls, elapsed = _repeat_for(seconds, one_search)
    return {
        "sims_per_s": calls * games * config.simulations / elapsed,
        "search_share": 1.0 - evaluator.seconds / elapsed,
        "evaluator_rows_mean": evaluator.rows / max(evaluator.calls, 1),
    }


def benchmark_rollout_player(size: int, simulations: int, playouts: int, seconds: float, seed: int = 0) -> dict:
    """Simulations and playouts a second of the rollout player's ``genmove`` on an opening."""
    game = opening_positions(size, 1, seed, max_moves=4)[0]
    config = SearchConfig(reuse_tree=False)  # every genmove searches from scratch
    warm = MCTSPlayer(RolloutEvaluator(playouts, seed), WARM_UP_SIMULATIONS, config, seed)
    warm.genmove(game)  # warm-up: compile or load the kernels
    evaluator = TimedEvaluator(RolloutEvaluator(playouts, seed))
    player = MCTSPlayer(evaluator, simulations, config, seed)
    calls, elapsed = _repeat_for(seconds, lambda: player.genmove(game))
    sims_per_s = calls * simulations / elapsed
    return {
        "rollout_sims_per_s": sims_per_s,
        "playouts_per_s": sims_per_s * playouts,
        "rollout_search_share": 1.0 - evaluator.seconds / elapsed,
    }


def benchmark_mcts(size: int = 9, games: int = 64, simulations: int = 200, seconds: float = 3.0,
                   rollout_simulations: int = 1000, playouts: int = 1, seed: int = 0, features: int = 1) -> dict:  # fmt: skip
    """Named figures of the search's speed (see the module docstring).

    ``seconds`` of CPU time go to each of the three measurements (PUCT, Gumbel,
    rollout player), after their warm-ups.
    """
    if games < 1 or simulations < 1 or rollout_simulations < 1 or playouts < 1:
        raise ValueError("games, simulations, rollout simulations and playouts must be at least 1")
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    check_feature_version(features)
    positions = opening_positions(size, games, seed)
    puct = benchmark_batched(SearchConfig(simulations=simulations), positions, seconds, seed, features)
    gumbel = benchmark_batched(SearchConfig(simulations=simulations, gumbel=True), positions, seconds, seed, features)
    rollout = benchmark_rollout_player(size, rollout_simulations, playouts, seconds, seed)
    return {
        "size": size,
        "games": games,
        "simulations": simulations,
        "leaves_per_game": SearchConfig().leaves_per_game,
        "features": features,
        "sims_per_s": round(puct["sims_per_s"], 1),
        "search_share": round(puct["search_share"], 3),
        "evaluator_rows_mean": round(puct["evaluator_rows_mean"], 1),
        "sims_per_s_gumbel": round(gumbel["sims_per_s"], 1),
        "search_share_gumbel": round(gumbel["search_share"], 3),
        "rollout_simulations": rollout_simulations,
        "rollout_playouts": playouts,
        "rollout_sims_per_s": round(rollout["rollout_sims_per_s"], 1),
        "playouts_per_s": round(rollout["playouts_per_s"], 1),
        "rollout_search_share": round(rollout["rollout_search_share"], 3),
    }
