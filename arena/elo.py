"""Elo ratings from game results: the Bradley-Terry model fitted by maximum likelihood.

Model: player i beats player j with probability ``1 / (1 + 10 ** ((r_j - r_i) / 400))``;
a draw counts as half a win for each. Ratings are in Elo points, anchored: the
anchor player is 0 by definition and every other rating is relative to it.

The fit maximises the log-likelihood by Newton's method (it is concave in the
ratings, so Newton converges from zero). A player who won or lost every game
has no finite maximum; ``virtual_draws`` adds that many drawn games to every
pairing that played (BayesElo's habit, smaller), which keeps such ratings finite
and moves others by little once a pairing has more than a few games. 0 gives the
pure maximum likelihood estimate.

Intervals: the ratings' covariance is the inverse of the observed information
(minus the Hessian of the log-likelihood, anchor held fixed); a 95% interval is
the estimate +- 1.96 standard errors. It describes the gap to the anchor, so
the anchor's own interval is zero wide.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

ELO_PER_NATURAL_UNIT = 400.0 / math.log(10.0)  # Elo points per unit of the logistic's natural scale
Z_95 = 1.959964  # two-sided 95% quantile of the normal distribution
DEFAULT_VIRTUAL_DRAWS = 1.0
DIVERGED = "the Elo fit diverged: a player won or lost every game (virtual draws keep such ratings finite)"
MAX_NEWTON_STEP = 2.0  # natural units (about 350 Elo) a rating may move in one Newton step


@dataclass(frozen=True)
class PairResult:
    """Games between two players: ``score_a`` is A's points (wins + half the draws)."""

    a: str
    b: str
    games: float
    score_a: float


@dataclass(frozen=True)
class Rating:
    """One player's fitted rating, its 95% interval and its record."""

    name: str
    elo: float
    low: float  # 95% interval bounds, Elo
    high: float
    games: int
    score: float  # points: wins + half the draws

    @property
    def interval(self) -> float:
        """Half the width of the 95% interval, in Elo points."""
        return (self.high - self.low) / 2


def pair_results(games: Iterable[tuple[str, str, float]]) -> list[PairResult]:
    """Tally ``(player, opponent, player's points)`` games into one ``PairResult`` per pairing."""
    tally: dict[tuple[str, str], list[float]] = {}
    for a, b, points in games:
        if a == b:
            raise ValueError(f"{a!r} cannot play itself")
        key, points = ((a, b), points) if a < b else ((b, a), 1.0 - points)
        entry = tally.setdefault(key, [0.0, 0.0])
        entry[0] += 1
        entry[1] += points
    return [PairResult(a, b, games, score) for (a, b), (games, score) in sorted(tally.items())]


def fit_elo(
    players: Sequence[str],
    results: Iterable[PairResult],
    anchor: str,
    virtual_draws: float = DEFAULT_VIRTUAL_DRAWS,
) -> dict[str, Rating]:
    """Ratings of ``players`` from ``results``, the anchor at 0 (see the module docstring).

    Players without games get no rating (they are left out). ValueError when
    the anchor has no games, or a player with games is not connected to the
    anchor through a chain of opponents (then nothing ties its rating to it).
    """
    results = [r for r in results if r.games > 0]
    index = {name: i for i, name in enumerate(players)}
    if anchor not in index:
        raise ValueError(f"anchor {anchor!r} is not one of the players")
    for result in results:
        for name in (result.a, result.b):
            if name not in index:
                raise ValueError(f"result for unknown player {name!r}")
    played = sorted({index[r.a] for r in results} | {index[r.b] for r in results})
    if index[anchor] not in played:
        raise ValueError(f"the anchor {anchor!r} has no games, so nothing fixes the scale")
    _check_connected(players, results, anchor)

    count = len(players)
    games = np.zeros((count, count))  # games[i, j]: games between i and j (symmetric)
    scores = np.zeros((count, count))  # scores[i, j]: i's points against j
    for r in results:
        i, j = index[r.a], index[r.b]
        games[i, j] += r.games + virtual_draws
        games[j, i] += r.games + virtual_draws
        scores[i, j] += r.score_a + virtual_draws / 2
        scores[j, i] += r.games - r.score_a + virtual_draws / 2

    free = [i for i in played if i != index[anchor]]  # ratings to fit; the anchor stays at 0
    theta = np.zeros(count)  # natural-scale ratings
    for _ in range(200):
        gradient, information = _derivatives(theta, games, scores)
        if not free:
            break
        try:
            step = np.linalg.solve(information[np.ix_(free, free)], gradient[free])
        except np.linalg.LinAlgError:
            raise ValueError(DIVERGED) from None
        # Damped: a full Newton step from far away can overshoot on lopsided results.
        step = np.clip(step, -MAX_NEWTON_STEP, MAX_NEWTON_STEP)
        theta[free] += step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        raise ValueError(DIVERGED)
    if not np.all(np.isfinite(theta)):
        raise ValueError(DIVERGED)

    _, information = _derivatives(theta, games, scores)
    errors = np.zeros(count)
    if free:
        covariance = np.linalg.inv(information[np.ix_(free, free)])
        errors[free] = np.sqrt(np.clip(np.diag(covariance), 0, None))
    ratings = {}
    for i in played:
        name = players[i]
        elo, half = theta[i] * ELO_PER_NATURAL_UNIT, Z_95 * errors[i] * ELO_PER_NATURAL_UNIT
        real_games = sum(r.games for r in results if name in (r.a, r.b))
        real_score = sum(r.score_a if r.a == name else r.games - r.score_a for r in results if name in (r.a, r.b))
        ratings[name] = Rating(name, float(elo), float(elo - half), float(elo + half), int(real_games), real_score)
    return ratings


def _derivatives(theta: np.ndarray, games: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradient of the log-likelihood and the observed information (minus its Hessian), natural scale."""
    difference = theta[:, None] - theta[None, :]
    expected = 1.0 / (1.0 + np.exp(-difference))  # expected[i, j]: P(i beats j)
    gradient = (scores - games * expected).sum(axis=1)
    weights = games * expected * (1.0 - expected)
    information = np.diag(weights.sum(axis=1)) - weights
    return gradient, information


def _check_connected(players: Sequence[str], results: list[PairResult], anchor: str) -> None:
    """ValueError naming the players with games whom no chain of opponents links to the anchor."""
    neighbours: dict[str, set[str]] = {name: set() for name in players}
    for r in results:
        neighbours[r.a].add(r.b)
        neighbours[r.b].add(r.a)
    reached, frontier = {anchor}, [anchor]
    while frontier:
        for other in neighbours[frontier.pop()] - reached:
            reached.add(other)
            frontier.append(other)
    cut_off = [name for name in players if neighbours[name] and name not in reached]
    if cut_off:
        raise ValueError(f"no chain of games links {', '.join(cut_off)} to the anchor {anchor!r}")


def expected_score(elo_a: float, elo_b: float) -> float:
    """A's expected points per game against B under the model."""
    return 1.0 / (1.0 + 10.0 ** ((elo_b - elo_a) / 400.0))
