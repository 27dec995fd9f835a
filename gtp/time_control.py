"""Time management for GTP play: what the controller said about the clocks, and
how long each move may think.

Units are seconds. Clock kinds, as KGS names them (``kgs-time_settings``):

* ``none``: no limit; the player searches its fixed number of simulations.
* ``absolute``: ``main_time`` for the whole game.
* ``canadian``: ``main_time``, then periods of ``byo_yomi_time`` for ``byo_yomi_stones``
  moves each (GTP's own ``time_settings``; byo-yomi time 0 means absolute, byo-yomi
  time > 0 with 0 stones means no limit, as the spec says).
* ``byoyomi`` (Japanese): ``main_time``, then ``periods`` periods of ``byo_yomi_time``;
  a move made within a period costs nothing, a longer one uses the period up.

``time_left COLOR SECONDS STONES`` is the controller's word on a clock: STONES 0 means
main time; otherwise the time left for that many stones (Canadian), or, as KGS does it
for Japanese byo-yomi, the time of the current period and the periods left.

Each move gets a budget (``MoveBudget``): a share of what is left (main time over
the moves the game is still expected to last, plus a share of a byo-yomi period)
and a hard cap that keeps a safety margin for lag and overhead. The search runs in
chunks and ``StopRule`` ends it once the budget is spent, after at least a minimal
number of simulations (enough for a sane move), or early when the leading move can
no longer be caught in the time left. The clock is injected, so tests run on a fake one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

KINDS = ("none", "absolute", "canadian", "byoyomi")
GAME_LENGTH_PER_POINT = 0.9  # plies a game lasts, per board point (9x9: about 73)
MIN_OWN_MOVES_SHARE = 0.1  # never plan for fewer than this share of N*N own moves left
PERIOD_SHARE = 0.6  # of a byo-yomi slot a move may use: the rest absorbs a slow chunk and lag
MARGIN_SHARE = 0.05  # of the time available, kept back besides the fixed lag
MAX_MOVE_SECONDS = 1800.0  # no move thinks longer, whatever clock a controller sends


@dataclass
class TimeSettings:
    """One clock setting as ``time_settings`` or ``kgs-time_settings`` gave it.

    ``byo_yomi_stones``: stones per Canadian period; ``periods``: Japanese periods.
    """

    main_time: float = 0.0
    byo_yomi_time: float = 0.0
    byo_yomi_stones: int = 0
    kind: str = "none"
    periods: int = 0

    @classmethod
    def from_gtp(cls, main_time: float, byo_yomi_time: float, stones: int) -> TimeSettings:
        """GTP's ``time_settings``: Canadian, absolute when byo-yomi time is 0, none when
        byo-yomi time > 0 comes with 0 stones."""
        if byo_yomi_time > 0 and stones == 0:
            kind = "none"
        elif byo_yomi_time == 0:
            kind = "absolute"
        else:
            kind = "canadian"
        return cls(main_time, byo_yomi_time, stones, kind)


@dataclass
class TimeLeft:
    """What ``time_left`` last said about one colour's clock (see the module docstring)."""

    seconds: float
    stones: int


@dataclass(frozen=True)
class MoveBudget:
    """How long one move should think (``target``) and must stop by (``limit``), seconds."""

    target: float
    limit: float


def expected_own_moves_left(size: int, move_number: int) -> float:
    """Moves the player still expects to make: half the plies a game of this size
    usually has left, never fewer than a tenth of the board (long games happen)."""
    points = size * size
    plies_left = GAME_LENGTH_PER_POINT * points - move_number
    return max(plies_left / 2, MIN_OWN_MOVES_SHARE * points)


def move_budget(settings: TimeSettings, left: TimeLeft | None, size: int, move_number: int,
                lag: float = 0.2) -> MoveBudget | None:  # fmt: skip
    """The budget of the next move under ``settings`` with ``left`` on the clock
    (None: the clock as it started); None when there is no time limit."""
    if settings.kind == "none":
        return None
    if left is None:
        left = TimeLeft(settings.main_time, 0)
    seconds = max(left.seconds, 0.0)
    own_moves = expected_own_moves_left(size, move_number)
    period = settings.byo_yomi_time
    if settings.kind == "absolute" or (left.stones == 0 and period <= 0):
        target, available = seconds / own_moves, seconds
    elif settings.kind == "canadian":
        if left.stones == 0:  # main time, then a fresh period for this move's share
            per_stone = period / max(settings.byo_yomi_stones, 1)
            target, available = seconds / own_moves + PERIOD_SHARE * per_stone, seconds + per_stone
        else:  # in a period: keep some of each stone's share back, for a slow chunk or lag
            per_stone = seconds / left.stones
            target, available = PERIOD_SHARE * per_stone, per_stone
    else:  # Japanese byo-yomi: a move within a period is free
        if left.stones == 0:
            target, available = seconds / own_moves + PERIOD_SHARE * period, seconds + period
        else:
            slot = min(seconds, period) if period > 0 else seconds
            target, available = PERIOD_SHARE * slot, slot
    limit = max(available - lag - MARGIN_SHARE * available, 0.0)
    return MoveBudget(target=min(target, limit), limit=limit)


class StopRule:
    """Ends a chunked search: ``rule(simulations, root_visits) -> stop now?``.

    Never before ``min_simulations``; then at ``max_simulations`` (if any), once
    ``budget`` seconds have passed since the rule was made, or when the most visited
    move leads the next by more visits than the rest of the budget can add at the
    rate seen so far (it cannot be overtaken: thinking on would not change the move).
    """

    def __init__(self, budget: float | None, min_simulations: int = 16, max_simulations: int | None = None,
                 clock: Callable[[], float] = time.monotonic, early_stop: bool = True):  # fmt: skip
        if budget is None and max_simulations is None:
            raise ValueError("a stop rule needs a time budget or a simulation limit")
        self.budget, self.clock, self.early_stop = budget, clock, early_stop
        self.min_simulations, self.max_simulations = min_simulations, max_simulations
        self.start = clock()

    def elapsed(self) -> float:
        return self.clock() - self.start

    def __call__(self, simulations: int, visits: np.ndarray) -> bool:
        if simulations < self.min_simulations:
            return False
        if self.max_simulations is not None and simulations >= self.max_simulations:
            return True
        if self.budget is None:
            return False
        elapsed = self.elapsed()
        if elapsed >= self.budget:
            return True
        if self.early_stop and elapsed > 0 and len(visits) >= 2:
            second, best = np.partition(np.asarray(visits), -2)[-2:]
            still_possible = simulations / elapsed * (self.budget - elapsed)
            return best - second > still_possible
        return False


class TimeManager:
    """The engine's clock keeper: the settings, each colour's time left, and the stop
    rule of each move.

    ``time_per_move``: a budget of its own (seconds) when the controller sets no
    clock, and a ceiling when it does. ``max_simulations``: a ceiling on a timed
    search (None: the budget alone decides). ``lag``: seconds kept back each move
    for the controller's and the network's delays. Between ``time_left`` commands
    the manager charges the engine's own thinking to its clock (``record``), so a
    controller that never sends ``time_left`` still cannot make it lose on time.
    """

    def __init__(self, time_per_move: float | None = None, max_simulations: int | None = None,
                 min_simulations: int = 16, lag: float = 0.2, clock: Callable[[], float] = time.monotonic):  # fmt: skip
        if time_per_move is not None and time_per_move <= 0:
            raise ValueError(f"time per move must be positive, got {time_per_move}")
        self.time_per_move, self.max_simulations = time_per_move, max_simulations
        self.min_simulations, self.lag, self.clock = min_simulations, lag, clock
        self.settings = TimeSettings()
        self.left: dict[int, TimeLeft] = {}

    def set_settings(self, settings: TimeSettings) -> None:
        """New clock settings; both clocks start afresh."""
        self.settings = settings
        self.left = {}

    def set_left(self, color: int, seconds: float, stones: int) -> None:
        self.left[color] = TimeLeft(seconds, stones)

    def stop_rule(self, color: int, size: int, move_number: int) -> StopRule | None:
        """The rule for ``color``'s next search; None: no limit, search as configured."""
        budget = move_budget(self.settings, self.left.get(color), size, move_number, self.lag)
        seconds = None if budget is None else budget.target
        if self.time_per_move is not None:
            seconds = self.time_per_move if seconds is None else min(seconds, self.time_per_move)
        if seconds is None:
            return None
        return StopRule(min(seconds, MAX_MOVE_SECONDS), self.min_simulations, self.max_simulations, self.clock)

    def record(self, color: int, seconds: float) -> None:
        """Charge a move's thinking to ``color``'s clock, as the controller's would."""
        settings = self.settings
        if settings.kind == "none":
            return
        left = self.left.get(color) or TimeLeft(settings.main_time, 0)
        period, stones = settings.byo_yomi_time, left.stones
        remaining = left.seconds - seconds
        if settings.kind == "absolute" or period <= 0 or (stones == 0 and remaining >= 0):  # main time
            self.left[color] = TimeLeft(remaining, 0)
        elif settings.kind == "canadian":
            if stones == 0:  # main time ran out during the move: the overflow counts in the period
                remaining, stones = period + remaining, settings.byo_yomi_stones
            stones -= 1
            self.left[color] = TimeLeft(remaining, stones) if stones > 0 else TimeLeft(period, settings.byo_yomi_stones)
        else:  # Japanese: a move within the period keeps it; a longer one uses one up
            periods = settings.periods if stones == 0 else stones
            overflow = -remaining if stones == 0 else seconds
            while overflow >= period and periods > 0:
                overflow -= period
                periods -= 1
            self.left[color] = TimeLeft(period, max(periods, 1))
