"""Time management (gtp/time_control.py): each move's budget under every clock kind,
the stop rule of a chunked search, the engine's own bookkeeping, and ``genmove`` under
``time_settings`` / ``time_left`` / ``kgs-time_settings``.

No test looks at the wall clock: every rule runs on a fake clock that the test moves.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from engine.game import BLACK, WHITE
from gtp.build import build_engine
from gtp.engine import GTPEngine
from gtp.time_control import (
    MAX_MOVE_SECONDS,
    StopRule,
    TimeLeft,
    TimeManager,
    TimeSettings,
    expected_own_moves_left,
    move_budget,
)
from mcts.evaluators import UniformEvaluator
from mcts.players import CHUNK_SIMULATIONS, MCTSPlayer


class FakeClock:
    """A clock that moves only when told, or by ``step`` seconds at every reading."""

    def __init__(self, step: float = 0.0):
        self.now, self.step, self.readings = 1000.0, step, 0

    def __call__(self) -> float:
        self.readings += 1
        self.now += self.step
        return self.now


NO_VISITS = np.zeros(82, np.int64)


# --- settings ------------------------------------------------------------------


def test_gtp_time_settings_kinds_follow_the_spec():
    assert TimeSettings.from_gtp(300, 30, 5).kind == "canadian"
    assert TimeSettings.from_gtp(300, 0, 0).kind == "absolute"
    assert TimeSettings.from_gtp(0, 1, 0).kind == "none"  # byo-yomi time without stones: no limit
    assert TimeSettings().kind == "none"


def test_expected_moves_shrink_as_the_game_goes_on_but_never_below_a_floor():
    early, late = expected_own_moves_left(9, 0), expected_own_moves_left(9, 60)
    assert early > late >= 0.1 * 81
    assert expected_own_moves_left(9, 500) == pytest.approx(8.1)
    assert expected_own_moves_left(19, 0) > expected_own_moves_left(9, 0)


# --- budgets -------------------------------------------------------------------


def test_no_clock_no_budget():
    assert move_budget(TimeSettings(), None, 9, 0) is None
    assert move_budget(TimeSettings.from_gtp(0, 5, 0), None, 9, 0) is None


def test_absolute_time_is_shared_over_the_moves_left():
    settings = TimeSettings.from_gtp(60, 0, 0)
    budget = move_budget(settings, None, 9, 0, lag=0.2)
    assert budget.target == pytest.approx(60 / expected_own_moves_left(9, 0))
    assert budget.limit == pytest.approx(60 - 0.2 - 0.05 * 60)
    later = move_budget(settings, TimeLeft(10, 0), 9, 40, lag=0.2)
    assert later.target == pytest.approx(10 / expected_own_moves_left(9, 40))
    assert move_budget(settings, TimeLeft(-3, 0), 9, 40).target == 0  # lost already: think least


def test_canadian_byo_yomi_spends_a_period_share_and_never_more_than_a_stone_s_time():
    settings = TimeSettings.from_gtp(0, 1, 1)  # one second a move, from the first
    budget = move_budget(settings, None, 9, 0, lag=0.2)
    assert 0 < budget.target <= budget.limit < 1.0
    in_period = move_budget(TimeSettings.from_gtp(600, 30, 10), TimeLeft(12, 4), 9, 50, lag=0.2)
    assert in_period.limit == pytest.approx(3 - 0.2 - 0.05 * 3)  # 12 s for 4 stones
    assert in_period.target < in_period.limit
    main = move_budget(TimeSettings.from_gtp(600, 30, 10), None, 9, 0, lag=0.2)
    assert main.target > 600 / expected_own_moves_left(9, 0)  # a share of the period comes on top
    assert main.limit < 600 + 3


def test_japanese_byo_yomi_uses_part_of_each_free_period():
    settings = TimeSettings(0, 10, 0, "byoyomi", 3)
    in_periods = move_budget(settings, TimeLeft(10, 3), 9, 30, lag=0.2)
    assert in_periods.target < in_periods.limit < 10
    assert in_periods.target >= 5
    with_main = move_budget(TimeSettings(100, 10, 0, "byoyomi", 3), None, 9, 0, lag=0.2)
    assert with_main.target > 100 / expected_own_moves_left(9, 0)


# --- the stop rule ---------------------------------------------------------------


def test_stop_rule_waits_for_the_minimum_then_stops_when_the_budget_is_spent():
    clock = FakeClock()
    rule = StopRule(2.0, min_simulations=64, clock=clock, early_stop=False)
    clock.now += 10  # the budget is long gone ...
    assert not rule(32, NO_VISITS)  # ... but a move needs a few simulations
    assert rule(64, NO_VISITS)
    clock = FakeClock()
    rule = StopRule(2.0, min_simulations=16, clock=clock, early_stop=False)
    clock.now += 1.0
    assert not rule(500, NO_VISITS)
    clock.now += 1.0
    assert rule(1000, NO_VISITS)


def test_stop_rule_stops_at_the_simulation_ceiling_and_needs_a_limit():
    clock = FakeClock()
    assert StopRule(None, min_simulations=16, max_simulations=100, clock=clock)(100, NO_VISITS)
    assert not StopRule(None, min_simulations=16, max_simulations=100, clock=clock)(99, NO_VISITS)
    with pytest.raises(ValueError):
        StopRule(None)


def test_stop_rule_stops_early_when_the_leader_cannot_be_caught():
    clock = FakeClock()
    rule = StopRule(10.0, min_simulations=16, clock=clock)
    clock.now += 8.0  # 1000 simulations in 8 s: 250 more in the 2 s left
    visits = np.zeros(82, np.int64)
    visits[[10, 20]] = [500, 300]
    assert not rule(1000, visits)  # a lead of 200: the second could still overtake
    visits[[10, 20]] = [900, 50]
    assert rule(1000, visits)  # a lead of 850: thinking on cannot change the move


# --- the manager's bookkeeping -----------------------------------------------------


def test_manager_charges_its_own_thinking_when_the_controller_sends_no_time_left():
    manager = TimeManager()
    manager.set_settings(TimeSettings.from_gtp(10, 5, 2))
    manager.record(BLACK, 4)
    assert manager.left[BLACK] == TimeLeft(6, 0)
    manager.record(BLACK, 7)  # main time runs out; one second of the period is used
    assert manager.left[BLACK] == TimeLeft(4, 1)
    manager.record(BLACK, 1)  # the period's last stone: a fresh period
    assert manager.left[BLACK] == TimeLeft(5, 2)
    assert WHITE not in manager.left
    japanese = TimeManager()
    japanese.set_settings(TimeSettings(0, 10, 0, "byoyomi", 3))
    japanese.record(WHITE, 4)
    assert japanese.left[WHITE] == TimeLeft(10, 3)  # within the period: free
    japanese.record(WHITE, 12)
    assert japanese.left[WHITE] == TimeLeft(10, 2)


def test_manager_combines_the_clock_with_time_per_move_and_caps_absurd_clocks():
    clock = FakeClock()
    manager = TimeManager(time_per_move=3.0, clock=clock)
    assert manager.stop_rule(BLACK, 9, 0).budget == 3.0  # no clock: the user's figure
    manager.set_settings(TimeSettings.from_gtp(0, 1, 1))
    assert manager.stop_rule(BLACK, 9, 0).budget < 1.0  # the clock shortens it
    manager.set_settings(TimeSettings.from_gtp(1e12, 0, 0))
    assert TimeManager(clock=clock).stop_rule(BLACK, 9, 0) is None
    huge = TimeManager(clock=clock)
    huge.set_settings(TimeSettings.from_gtp(1e12, 0, 0))
    assert huge.stop_rule(BLACK, 9, 0).budget == MAX_MOVE_SECONDS
    with pytest.raises(ValueError):
        TimeManager(time_per_move=0)


# --- genmove under a clock ---------------------------------------------------------


def timed_engine(clock: FakeClock, simulations: int = 10_000) -> tuple[GTPEngine, MCTSPlayer]:
    """A 9x9 engine whose search (uniform evaluator) would run long without a clock."""
    player = MCTSPlayer(UniformEvaluator(), simulations=simulations, seed=1)
    timing = TimeManager(min_simulations=16, clock=clock)
    return build_engine(player, size=9, log=io.StringIO(), timing=timing), player


def answer(engine: GTPEngine, line: str) -> str:
    response = engine.handle_line(line)
    assert response.startswith("= "), response
    return response[2:-2]


def test_genmove_with_one_second_a_move_stops_soon_after_the_minimum():
    clock = FakeClock(step=0.05)  # every reading costs 50 ms of fake time
    engine, player = timed_engine(clock)
    answer(engine, "time_settings 0 1 1")
    answer(engine, "time_left b 1 1")
    rule = engine.timing.stop_rule(BLACK, 9, 0)
    assert rule.budget <= 0.75  # well inside the second, margin kept back
    readings = clock.readings
    move = answer(engine, "genmove b")
    assert move != "resign"
    searched = player.search.result(0).root_visits
    budget_chunks = int(rule.budget / 0.05) + 2  # one clock reading per chunk
    assert CHUNK_SIMULATIONS <= searched <= (budget_chunks + 1) * CHUNK_SIMULATIONS < 10_000
    assert clock.readings - readings <= budget_chunks + 3


def test_genmove_on_a_clock_that_ran_out_still_searches_the_minimum():
    clock = FakeClock(step=100.0)
    engine, player = timed_engine(clock)
    answer(engine, "kgs-time_settings absolute 5")
    answer(engine, "time_left w 0.01 0")
    answer(engine, "genmove w")
    assert 16 <= player.search.result(0).root_visits <= 2 * CHUNK_SIMULATIONS


def test_without_a_clock_genmove_searches_the_configured_simulations():
    clock = FakeClock(step=100.0)
    engine, player = timed_engine(clock, simulations=200)
    answer(engine, "genmove b")
    assert player.search.result(0).root_visits >= 200


def test_kgs_time_settings_parses_every_kind_and_refuses_nonsense():
    engine, _ = timed_engine(FakeClock())
    answer(engine, "kgs-time_settings none")
    assert engine.time_settings.kind == "none"
    answer(engine, "kgs-time_settings absolute 300")
    assert (engine.time_settings.kind, engine.time_settings.main_time) == ("absolute", 300)
    answer(engine, "kgs-time_settings canadian 300 30 5")
    assert (engine.time_settings.byo_yomi_time, engine.time_settings.byo_yomi_stones) == (30, 5)
    answer(engine, "kgs-time_settings byoyomi 300 30 5")
    assert (engine.time_settings.kind, engine.time_settings.periods) == ("byoyomi", 5)
    for bad in ("", "fischer 300 10", "absolute", "absolute -1", "canadian 300 30", "byoyomi 1 2 x", "none 5"):
        assert engine.handle_line(f"kgs-time_settings {bad}").startswith("? syntax error"), bad
    assert engine.time_settings.kind == "byoyomi"  # failures change nothing
