"""Wald's sequential probability ratio test on the score of a new player against an old one.

Each game scores 1 (win), 0.5 (draw) or 0 (loss) for the new player; p is its
expected score per game. The test weighs

    H0: p = p0 = 0.5         (the new player is no better)
    H1: p = p1 = threshold   (it is as much better as the gate asks, e.g. 0.55)

by the log-likelihood ratio of the games so far, a draw counting as half a win
and half a loss: ``LLR += x log(p1/p0) + (1-x) log((1-p1)/(1-p0))``. It accepts
H1 (pass) once ``LLR >= log((1-beta)/alpha)`` and H0 (fail) once
``LLR <= log(beta/(1-alpha))``. The likelihood ratio is monotone in the score,
so the same test controls the composite hypotheses: it passes a player with
p <= 0.5 with probability at most alpha, and fails one with p >= threshold with
probability at most beta. Between the two it may take long; ``max_games`` caps
it, and then the answer is "undecided".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PASS = "pass"
FAIL = "fail"
UNDECIDED = "undecided"  # max games reached without crossing a bound
CONTINUE = "continue"


@dataclass(frozen=True)
class SPRT:
    """The test's settings: H0 p = ``p0``, H1 p = ``p1``, error rates ``alpha`` (false pass), ``beta`` (false fail)."""

    p1: float = 0.55
    p0: float = 0.5
    alpha: float = 0.05
    beta: float = 0.05
    max_games: int = 400

    def __post_init__(self):
        if not 0 < self.p0 < self.p1 < 1:
            raise ValueError(f"the SPRT needs 0 < p0 < p1 < 1, got p0={self.p0}, p1={self.p1} (threshold above 0.5)")
        if not (0 < self.alpha < 0.5 and 0 < self.beta < 0.5):
            raise ValueError(f"alpha and beta must be in (0, 0.5), got {self.alpha}, {self.beta}")
        if self.max_games < 1:
            raise ValueError(f"max games must be at least 1, got {self.max_games}")

    @property
    def upper(self) -> float:
        """LLR at or above which H1 is accepted (pass)."""
        return math.log((1 - self.beta) / self.alpha)

    @property
    def lower(self) -> float:
        """LLR at or below which H0 is accepted (fail)."""
        return math.log(self.beta / (1 - self.alpha))

    def game_llr(self, points: float) -> float:
        """The log-likelihood ratio of one game the new player scored ``points`` in (0, 0.5 or 1)."""
        if not 0 <= points <= 1:
            raise ValueError(f"a game scores 0 to 1 points, got {points}")
        return points * math.log(self.p1 / self.p0) + (1 - points) * math.log((1 - self.p1) / (1 - self.p0))


@dataclass
class SPRTState:
    """The test so far: games, points and LLR of the new player; ``decision`` after each ``add``."""

    test: SPRT
    games: int = 0
    points: float = 0.0
    llr: float = 0.0

    def add(self, points: float) -> str:
        """Count one more game; return the decision (``PASS``, ``FAIL``, ``UNDECIDED`` or ``CONTINUE``)."""
        if self.decided:
            raise ValueError(f"the test is already decided ({self.decision})")
        self.llr += self.test.game_llr(points)
        self.games += 1
        self.points += points
        return self.decision

    @property
    def decision(self) -> str:
        if self.llr >= self.test.upper:
            return PASS
        if self.llr <= self.test.lower:
            return FAIL
        return UNDECIDED if self.games >= self.test.max_games else CONTINUE

    @property
    def decided(self) -> bool:
        return self.decision != CONTINUE

    @property
    def score(self) -> float:
        """Points per game so far (0.5 before any game)."""
        return self.points / self.games if self.games else 0.5


def run_sprt(test: SPRT, points: list[float]) -> SPRTState:
    """Feed game scores in order until the test decides; the state says when and how."""
    state = SPRTState(test)
    for value in points:
        if state.add(value) != CONTINUE:
            break
    return state
