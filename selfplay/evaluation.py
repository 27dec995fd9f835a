"""Evaluation in the loop: short matches of a new network against the previous one and
against pure rollout search, as a Ray task so self-play and training go on meanwhile.

The arena's ``play_match`` plays the games; openings are varied by a temperature
over the first moves, else two deterministic players would repeat one game.
"""

from __future__ import annotations

import math

import ray
import torch

from arena.match import play_match
from mcts.config import SearchConfig
from mcts.evaluators import RolloutEvaluator
from mcts.players import MCTSPlayer
from nets.evaluator import NetEvaluator


def network_player(checkpoint: str, simulations: int, size: int, seed: int, name: str,
                   backend: str = "auto") -> MCTSPlayer:  # fmt: skip
    config = SearchConfig(temperature=1.0, temperature_moves=max(2, size // 2))
    evaluator = NetEvaluator(checkpoint, threads=1, backend=backend)
    return MCTSPlayer(evaluator, simulations, config=config, seed=seed, name=name)


def rollout_player(simulations: int, size: int, seed: int) -> MCTSPlayer:
    config = SearchConfig(temperature=1.0, temperature_moves=max(2, size // 2))
    return MCTSPlayer(RolloutEvaluator(1, seed=seed), simulations, config=config, seed=seed, name="rollout")


def score(wins: int, draws: int, games: int) -> float:
    return (wins + 0.5 * draws) / games if games else 0.5


def elo_difference(fraction: float, games: int) -> float:
    """Elo gap implied by a score fraction, kept finite for 0% and 100% (half a game's
    correction, so a clean sweep of 10 games reads about +400 rather than infinity)."""
    bound = 0.5 / max(games, 1)
    p = min(max(fraction, bound), 1 - bound)
    return 400.0 * math.log10(p / (1 - p))


@ray.remote(num_cpus=0)
def evaluate_checkpoint(new: str, previous: str | None, size: int, komi: float, games: int, simulations: int,
                        baseline_simulations: int, seed: int, backend: str = "auto") -> dict:  # fmt: skip
    """Figures of ``new`` against ``previous`` and against rollout search."""
    torch.set_num_threads(1)
    figures: dict[str, float] = {}
    newest = network_player(new, simulations, size, seed, "new", backend)
    if previous is not None and games:
        older = network_player(previous, simulations, size, seed + 1, "previous", backend)
        match = play_match(newest, older, games, size, komi)
        figures["eval_vs_previous"] = score(match.wins_a, match.draws, games)
    if baseline_simulations and games:
        baseline = rollout_player(baseline_simulations, size, seed + 2)
        match = play_match(newest, baseline, games, size, komi)
        fraction = score(match.wins_a, match.draws, games)
        figures["eval_vs_rollout"] = fraction
        figures["elo_vs_rollout"] = elo_difference(fraction, games)
    return figures
