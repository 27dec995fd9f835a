"""What the search shows an analysis display (mcts/search.py): each root action's
visits, mean value and prior, the variation through each root action, a full tree."""

from __future__ import annotations

import numpy as np

from engine.diagram import game_from_diagram
from engine.game import BLACK, GameState
from mcts.config import SearchConfig
from mcts.evaluators import RolloutEvaluator, UniformEvaluator
from mcts.search import BatchedSearch


def searched(game: GameState, simulations: int = 200, evaluator=None, max_nodes: int = 0) -> BatchedSearch:
    config = SearchConfig(simulations=simulations, max_nodes=max_nodes)
    search = BatchedSearch(config, game.size, 1, evaluator or UniformEvaluator(), seed=0)
    search.set_position(0, game)
    search.search()
    return search


def test_root_statistics_agree_with_the_tree_and_mark_illegal_moves():
    game = game_from_diagram("""
        . X . . .
        X . . . .
        . . . . .
        . . . . .
        . . . . .""", to_play=2)  # fmt: skip
    search = searched(game)
    stats = search.root_statistics(0)
    assert np.array_equal(stats.visits, search.root_visits(0))
    assert stats.visits.sum() == search.result(0).root_visits - 1
    assert stats.priors[0] == -1  # A5: suicide for white
    legal = stats.priors >= 0
    assert np.isclose(stats.priors[legal].sum(), 1.0, atol=1e-5)
    visited = stats.visits > 0
    assert np.all(np.isnan(stats.values[~visited]))
    assert np.all(np.abs(stats.values[visited]) <= 1)
    # The root's value is the visit-weighted mean of its children's (plus its own first look).
    mean = float(np.sum(stats.values[visited] * stats.visits[visited]) / stats.visits[visited].sum())
    assert abs(mean - search.root_value(0)) < 0.05


def test_a_capture_has_the_best_value_from_the_root_player_s_view():
    game = game_from_diagram("""
        . . . . .
        . . X . .
        . X O X .
        . . . . .
        . . . . .""", komi=0.5)  # fmt: skip
    search = searched(game, 400, RolloutEvaluator(4, seed=1))
    stats = search.root_statistics(0)
    capture = 3 * 5 + 2  # C2 takes the white stone
    assert stats.values[capture] == np.nanmax(stats.values[stats.visits >= 10])


def test_principal_variation_through_each_root_action():
    game = GameState(5, 7.5)
    search = searched(game, 300)
    best_line = search.principal_variation(0)
    assert search.principal_variation(0, first=best_line[0]) == best_line
    stats = search.root_statistics(0)
    for move in np.flatnonzero(stats.visits > 0):
        line = search.principal_variation(0, 10, first=int(move))
        assert line[0] == move and len(line) <= 10
        position = game.copy()
        for played in line:  # a legal sequence from the root
            assert position.is_legal(played)
            position.play(played)
    unvisited = int(np.flatnonzero((stats.visits == 0) & (stats.priors >= 0))[0]) if (stats.visits == 0).any() else 25
    assert search.principal_variation(0, first=unvisited)[0] == unvisited


def test_a_full_tree_says_so():
    search = searched(GameState(5, 7.5), simulations=100)
    assert not search.is_full(0)
    small = searched(GameState(5, 7.5), simulations=100, max_nodes=20)
    assert small.is_full(0)
    before = small.root_visits(0).copy()
    small.search([0], 50)
    assert np.array_equal(small.root_visits(0), before)  # here nothing below the root moves any more
    assert small.result(0).root_visits > before.sum() + 1


def test_root_statistics_of_an_empty_tree():
    config = SearchConfig(simulations=10)
    search = BatchedSearch(config, 5, 1, UniformEvaluator())
    search.set_position(0, GameState(5))
    stats = search.root_statistics(0)
    assert stats.visits.sum() == 0 and np.all(stats.priors == -1) and np.all(np.isnan(stats.values))
    assert search.principal_variation(0, first=12) == [12]
    assert search.result(0).root_visits == 0 and BLACK == 1
