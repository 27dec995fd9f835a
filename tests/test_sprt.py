"""The sequential probability ratio test of gating (arena/sprt.py) on synthetic game sequences."""

from __future__ import annotations

import math

import numpy as np
import pytest

from arena.sprt import CONTINUE, FAIL, PASS, SPRT, UNDECIDED, SPRTState, run_sprt


def games(rng: np.random.Generator, score: float, count: int, draw_rate: float = 0.0) -> list[float]:
    """``count`` game scores (1, 0.5, 0) with expected value ``score``."""
    draws = rng.random(count) < draw_rate
    wins = rng.random(count) < (score - draw_rate / 2) / (1 - draw_rate)
    return [0.5 if d else float(w) for d, w in zip(draws, wins)]


def test_a_clearly_better_player_passes_early():
    test = SPRT(p1=0.55, max_games=400)
    state = run_sprt(test, games(np.random.default_rng(1), 0.85, 400))
    assert state.decision == PASS
    # Each win adds log(1.1) to the LLR, each loss takes log(0.9) away: about 45 games at 85%.
    assert state.games < 80, state.games
    assert state.llr >= test.upper


def test_a_clearly_worse_player_fails_early():
    state = run_sprt(SPRT(p1=0.55), games(np.random.default_rng(2), 0.2, 400))
    assert state.decision == FAIL and state.games < 60, state.games


def test_an_open_test_stops_undecided_at_max_games():
    test = SPRT(p1=0.55, max_games=30)
    # Alternating wins and losses: the LLR drifts slowly down and cannot reach a bound in 30 games.
    state = run_sprt(test, [1.0, 0.0] * 100)
    assert (state.decision, state.games) == (UNDECIDED, 30)
    assert test.lower < state.llr < test.upper
    with pytest.raises(ValueError, match="already decided"):
        state.add(1.0)


def test_a_draw_is_half_a_win_and_half_a_loss():
    test = SPRT(p1=0.6)
    assert test.game_llr(0.5) == pytest.approx((test.game_llr(1.0) + test.game_llr(0.0)) / 2)
    assert test.game_llr(1.0) == pytest.approx(math.log(0.6 / 0.5))
    assert test.upper == pytest.approx(math.log(19)) and test.lower == pytest.approx(-math.log(19))


def test_error_rates_stay_near_alpha_and_beta():
    # Wald's bounds hold for p = p0 (false passes <= alpha) and p = p1 (false fails <= beta),
    # up to the overshoot of the last game; 300 tests each, with draws.
    rng = np.random.default_rng(5)
    test = SPRT(p1=0.6, max_games=2000)
    false_passes = sum(run_sprt(test, games(rng, 0.5, 2000, 0.2)).decision == PASS for _ in range(300))
    false_fails = sum(run_sprt(test, games(rng, 0.6, 2000, 0.2)).decision == FAIL for _ in range(300))
    # Binomial(300, 0.05) exceeds 27 with probability below 0.001.
    assert false_passes <= 27 and false_fails <= 27, (false_passes, false_fails)


def test_state_reports_the_score_so_far():
    state = SPRTState(SPRT())
    assert state.decision == CONTINUE and state.score == 0.5
    for points in (1.0, 0.5, 0.0, 1.0):
        state.add(points)
    assert (state.games, state.points, state.score) == (4, 2.5, 0.625)


@pytest.mark.parametrize("settings", [{"p1": 0.5}, {"p1": 0.45}, {"p1": 1.0}, {"alpha": 0.0}, {"max_games": 0}])
def test_settings_that_make_no_test_are_refused(settings):
    with pytest.raises(ValueError):
        SPRT(**settings)
