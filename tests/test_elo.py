"""Elo by maximum likelihood (arena/elo.py): known ratings come back, within their intervals."""

from __future__ import annotations

import numpy as np
import pytest

from arena.elo import PairResult, expected_score, fit_elo, pair_results

TRUE_RATINGS = {"random": 0.0, "weak": 150.0, "middle": 300.0, "strong": 450.0, "stronger": 520.0}


def simulated_round_robin(ratings: dict[str, float], games: int, rng: np.random.Generator, draw_rate: float = 0.0):
    """``games`` games per pairing under the Bradley-Terry model; a share of them drawn."""
    names = list(ratings)
    results = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            p = expected_score(ratings[a], ratings[b])
            draws = rng.binomial(games, draw_rate)
            # Draws are half a win each: with expected score p the decisive games go to A with p - draw_rate / 2.
            wins = rng.binomial(games - draws, (p - draw_rate / 2) / (1 - draw_rate))
            results.append(PairResult(a, b, games, wins + 0.5 * draws))
    return names, results


def test_known_ratings_are_recovered_within_their_intervals():
    names, results = simulated_round_robin(TRUE_RATINGS, 300, np.random.default_rng(7))
    ratings = fit_elo(names, results, anchor="random", virtual_draws=0)
    assert ratings["random"].elo == 0 and ratings["random"].low == ratings["random"].high == 0
    for name, true in TRUE_RATINGS.items():
        assert ratings[name].low <= true <= ratings[name].high, (name, ratings[name])
        assert 10 < ratings[name].interval < 100 or name == "random"
    assert sorted(names, key=lambda n: ratings[n].elo) == list(TRUE_RATINGS)


def test_intervals_cover_the_truth_about_95_percent_of_the_time():
    rng = np.random.default_rng(11)
    inside = []
    for _ in range(60):
        names, results = simulated_round_robin(TRUE_RATINGS, 60, rng, draw_rate=0.05)
        ratings = fit_elo(names, results, anchor="random", virtual_draws=0)
        inside += [ratings[n].low <= TRUE_RATINGS[n] <= ratings[n].high for n in names if n != "random"]
    coverage = np.mean(inside)
    # 240 intervals: a true 95% coverage lands in [0.90, 0.99] with probability above 0.99.
    assert 0.88 <= coverage <= 1.0, coverage


def test_the_anchor_can_be_any_player_and_only_shifts_the_scale():
    names, results = simulated_round_robin(TRUE_RATINGS, 100, np.random.default_rng(3))
    by_random = fit_elo(names, results, anchor="random")
    by_middle = fit_elo(names, results, anchor="middle")
    shift = by_random["middle"].elo
    for name in names:
        assert by_middle[name].elo == pytest.approx(by_random[name].elo - shift, abs=1e-6)
    assert by_middle["middle"].interval == 0


def test_draws_are_half_points():
    even = fit_elo(["a", "b"], [PairResult("a", "b", 20, 10.0)], "a", virtual_draws=0)
    assert even["b"].elo == pytest.approx(0, abs=1e-9)
    # 3 wins, 2 draws, 5 losses of 10: 4 points, the same rating as 4 wins and 6 losses.
    drawn = fit_elo(["a", "b"], [PairResult("a", "b", 10, 4.0)], "a", virtual_draws=0)
    assert drawn["b"].elo == pytest.approx(400 * np.log10(6 / 4))


def test_a_clean_sweep_is_finite_with_virtual_draws_and_refused_without():
    sweep = [PairResult("random", "strong", 10, 0.0)]
    ratings = fit_elo(["random", "strong"], sweep, "random")
    # One virtual draw: 10.5 points of 11, about +370.
    assert ratings["strong"].elo == pytest.approx(400 * np.log10(10.5 / 0.5), rel=1e-6)
    with pytest.raises(ValueError, match="won or lost every game"):
        fit_elo(["random", "strong"], sweep, "random", virtual_draws=0)


def test_players_must_be_linked_to_the_anchor():
    results = [PairResult("a", "b", 10, 5.0), PairResult("c", "d", 10, 5.0)]
    with pytest.raises(ValueError, match="no chain of games links c, d"):
        fit_elo(["a", "b", "c", "d"], results, "a")
    with pytest.raises(ValueError, match="anchor 'e' has no games"):
        fit_elo(["a", "b", "e"], results[:1], "e")
    # A player with no games at all is simply not rated.
    assert set(fit_elo(["a", "b", "e"], results[:1], "a")) == {"a", "b"}


def test_pair_results_tally_both_orders_of_a_pairing():
    tallied = pair_results([("b", "a", 1.0), ("a", "b", 0.5), ("a", "b", 0.0), ("c", "a", 1.0)])
    assert tallied == [PairResult("a", "b", 3, 0.5), PairResult("a", "c", 1, 0.0)]
