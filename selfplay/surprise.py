"""Surprise weighting (KataGo's g170 runs, docs/KataGoMethods.md "Policy Surprise Weighting").

Positions that surprised the network are trained on more often. Self-play records,
for each recorded (full-search) move, the *policy surprise* KL(target || prior): how
far the search's policy target moved from the network's raw prior at the root
(before Dirichlet noise). For every move it also records the network's raw value of
the root, from which the buffer derives the *value surprise*: KL(smoothed outcome ||
raw value), where the smoothed outcome blends each move's search value with the
values that follow it up to the game's result (KataGo's ``nowFactor`` of
``1 / (1 + 0.016 * N * N)``), capped at 1.

Within a game, the recorded positions' frequency weights keep their sum (one per
position) and are split as KataGo splits them:

    w_i = (1 - p - v) + p * R * ps_i / sum(ps) + v * R * vs_i / sum(vs)

with ``p`` the policy weight (KataGo: 0.5), ``v`` the value weight (KataGo: 0.1,
scaled down when a game's mean value surprise is below 0.01), ``R`` the recorded
positions of the game. ``1 - p - v > 0`` is the uniform share: a position that is no
surprise at all is still sampled. KataGo writes a row ``floor(w) + Bernoulli(frac(w))``
times; the replay buffer instead samples each position with probability
proportional to ``w`` (the same expectation without the rounding noise). Games
without surprise data (version-1 shards) weigh 1 per position.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from selfplay.records import SelfPlayGame

MIN_PRIOR = 1e-8  # a prior that underflowed to 0 still gives a finite surprise
VALUE_SURPRISE_CAP = 1.0  # KataGo: no ridiculous weight on one move
LOW_VALUE_SURPRISE = 0.010  # KataGo: below this mean, the value share shrinks in proportion


def policy_surprise(target: np.ndarray, prior: np.ndarray) -> float:
    """KL(target || prior) in nats over the actions where the target is positive."""
    target = np.asarray(target, np.float64)
    prior = np.asarray(prior, np.float64)
    where = target > 0
    t = target[where] / target[where].sum() if where.any() else target[where]
    p = np.maximum(prior[where], MIN_PRIOR)
    return float(max(0.0, np.sum(t * (np.log(t) - np.log(p)))))


def now_factor(size: int) -> float:
    """How much of each move's own search value goes into its smoothed value target."""
    return 1.0 / (1.0 + 0.016 * size * size)


@njit(cache=True)
def value_surprises(root_values, raw_values, final_black, factor, cap, out):
    """KL(smoothed win probability || raw win probability) of each move, into ``out``.

    ``root_values``/``raw_values``: search and raw network values of each move's root
    for its player to move, in [-1, 1]; move ``i`` is black's when ``i`` is even.
    ``final_black``: the game's result for black, +1, -1 or 0 for a draw.
    Win probabilities are ``(1 + value) / 2`` from black's view; the smoothed target
    runs backwards from the result, ``t_i = t_{i+1} + factor * (search_i - t_{i+1})``.
    """
    target = (1.0 + final_black) / 2.0
    for i in range(len(root_values) - 1, -1, -1):
        sign = 1.0 if i % 2 == 0 else -1.0
        search = (1.0 + sign * float(root_values[i])) / 2.0
        target = target + factor * (search - target)
        raw = (1.0 + sign * float(raw_values[i])) / 2.0
        raw = min(max(raw, 1e-10), 1.0 - 1e-10)
        kl = 0.0
        if target > 1e-12:
            kl += target * (np.log(target) - np.log(raw))
        if 1.0 - target > 1e-12:
            kl += (1.0 - target) * (np.log(1.0 - target) - np.log(1.0 - raw))
        out[i] = min(max(kl, 0.0), cap)


def game_value_surprises(game: SelfPlayGame) -> np.ndarray:
    """The value surprise of every move of ``game`` (float64 ``[M]``)."""
    out = np.zeros(game.length, np.float64)
    if game.length:
        final = 1.0 if game.winner == 1 else -1.0 if game.winner == 2 else 0.0
        value_surprises(game.root_values.astype(np.float64), game.raw_values.astype(np.float64), final,
                        now_factor(game.size), VALUE_SURPRISE_CAP, out)  # fmt: skip
    return out


def frequency_weights(game: SelfPlayGame, policy_weight: float, value_weight: float) -> np.ndarray:
    """Sampling weight of each recorded position of ``game`` (float64 ``[R]``, mean 1)."""
    recorded = int(game.recorded.sum())
    weights = np.ones(recorded, np.float64)
    if recorded == 0 or not game.has_surprise or policy_weight + value_weight == 0:
        return weights
    policy = np.asarray(game.policy_surprise, np.float64)
    value = game_value_surprises(game)[np.asarray(game.recorded, np.bool_)]
    mean_value = float(value.mean())
    if mean_value < LOW_VALUE_SURPRISE:  # a game that never changed its mind: little to say
        value_weight *= mean_value / LOW_VALUE_SURPRISE
    weights = np.full(recorded, 1.0 - policy_weight - value_weight)
    for share, surprise in ((policy_weight, policy), (value_weight, value)):
        total = float(surprise.sum())
        # A game with no surprise at all spreads this share evenly (its weights still sum to R).
        weights += share * (surprise * recorded / total if total > 1e-10 else 1.0)
    return weights
