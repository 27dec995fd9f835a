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
from arena.player_spec import PlayerSpec, make_player, search_spec


def network_spec(checkpoint: str, simulations: int, size: int, name: str) -> PlayerSpec:
    """The network of ``checkpoint``, its first ``max(2, size // 2)`` moves drawn by visits."""
    return search_spec("net", name, path=checkpoint, sims=simulations, opening=max(2, size // 2))


def rollout_spec(simulations: int, size: int) -> PlayerSpec:
    """Rollout search, one playout a leaf, its openings varied as the network's."""
    return search_spec("mcts", "rollout", sims=simulations, playouts=1, opening=max(2, size // 2))


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
    newest = make_player(network_spec(new, simulations, size, "new"), seed, size, backend=backend, threads=1)
    if previous is not None and games:
        older = make_player(network_spec(previous, simulations, size, "previous"), seed + 1, size,
                            backend=backend, threads=1)  # fmt: skip
        match = play_match(newest, older, games, size, komi)
        figures["eval_vs_previous"] = score(match.wins_a, match.draws, games)
    if baseline_simulations and games:
        baseline = make_player(rollout_spec(baseline_simulations, size), seed + 2)
        match = play_match(newest, baseline, games, size, komi)
        fraction = score(match.wins_a, match.draws, games)
        figures["eval_vs_rollout"] = fraction
        figures["elo_vs_rollout"] = elo_difference(fraction, games)
    return figures
