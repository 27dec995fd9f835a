"""Evaluators that need no network: what the search calls at its leaves.

``UniformEvaluator``: equal priors over the legal moves, value 0 — search then
explores by visit counts alone; the cheapest possible leaf, for benchmarks and tests.

``RolloutEvaluator``: equal priors, and the value of light random playouts
(the engine's playout kernel) from each leaf: the pure Monte Carlo baseline
that needs no network. Values are the mean result for the leaf's player to move,
+1 a win, -1 a loss, 0 a draw, scored by Tromp-Taylor with the game's komi.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine import rules
from engine.features import feature_version_of
from engine.game import BLACK, GameState


def uniform_priors(legal: np.ndarray) -> np.ndarray:
    """Equal probability over the legal moves of each row, float32 ``[B, A]``."""
    priors = legal.astype(np.float32)
    priors /= np.maximum(priors.sum(axis=1, keepdims=True), 1.0)
    return priors


def head_ownership(evaluator, game: GameState) -> np.ndarray | None:
    """An evaluator's ownership head on ``game`` as float64 ``[N*N]`` from black's view
    (+1 black's); None when it has no head (``has_ownership``) or one for another size."""
    if not getattr(evaluator, "has_ownership", False) or getattr(evaluator, "size", game.size) != game.size:
        return None
    features = game.features(version=feature_version_of(evaluator))
    ownership = evaluator.evaluate_full(features[None], game.legal_moves()[None]).ownership
    if ownership is None:
        return None
    sign = 1.0 if game.to_play == BLACK else -1.0  # the head speaks for the player to move
    return sign * np.asarray(ownership[0], np.float64)


class UniformEvaluator:
    """Uniform priors over legal moves and value 0."""

    def evaluate(self, features: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return uniform_priors(legal), np.zeros(len(legal), np.float32)


@njit(cache=True)
def rollout_values(states, histories, komi, playouts, rng, scratch_state, scratch_history, max_moves, out):
    """Mean playout result of each position for its player to move, into ``out`` [B]."""
    for r in range(states.shape[0]):
        me = states[r, rules.META_TO_PLAY]
        used = states[r, rules.META_HISTORY_LEN]
        total = 0.0
        for _ in range(playouts):
            scratch_state[:] = states[r]
            scratch_history[:used] = histories[r, :used]
            room = scratch_history.shape[0] - used - 1
            rules.playout(scratch_state, scratch_history, rng, min(max_moves, room))
            score = rules.area_score(scratch_state, komi[r])
            if score != 0.0:
                total += 1.0 if (score > 0.0) == (me == rules.BLACK) else -1.0
        out[r] = total / playouts


class RolloutEvaluator:
    """Uniform priors; value from ``playouts`` random games per leaf."""

    needs_positions = True

    def __init__(self, playouts: int = 1, seed: int = 0):
        if playouts < 1:
            raise ValueError(f"playouts must be at least 1, got {playouts}")
        self.playouts = playouts
        self.rng = np.zeros(1, np.uint64)
        rules.seed_rng(self.rng, seed)
        self._scratch: tuple[np.ndarray, np.ndarray] | None = None

    def evaluate(self, features, legal, positions=None):
        if positions is None:
            raise ValueError("RolloutEvaluator needs the leaf positions (search with needs_positions)")
        states, histories, komi = positions
        size = int(states[0, rules.META_SIZE])
        if self._scratch is None or self._scratch[0].shape != states.shape[1:] or \
                self._scratch[1].shape != histories.shape[1:]:  # fmt: skip
            self._scratch = (np.empty(states.shape[1], np.int32), np.empty(histories.shape[1], np.uint64))
        values = np.empty(len(states), np.float32)
        # A random game rarely runs past 3 N^2 moves; cap it so superko fights end.
        rollout_values(states, histories, np.asarray(komi, np.float64), self.playouts, self.rng,
                       self._scratch[0], self._scratch[1], 3 * size * size, values)  # fmt: skip
        return uniform_priors(legal), values
