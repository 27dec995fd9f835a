"""Evaluators that need no network: shapes, priors, and the values of random playouts.

``RolloutEvaluator`` is checked on positions whose playouts have one result (a
settled board: +1 for the winner, -1 for the loser, 0 for a draw with integer
komi), on the empty board (colour symmetry: the side to move scores the same
whichever colour it is), and inside the search (the root's value is the
evaluator's value of the root position).
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import rules
from engine.coords import gtp_to_flat
from engine.diagram import game_from_diagram
from engine.game import BLACK, WHITE, GameState
from mcts.config import SearchConfig
from mcts.evaluators import RolloutEvaluator, UniformEvaluator, uniform_priors
from mcts.search import BatchedSearch
from mcts.tree import ROOT
from tests.positions import CAPTURE_9X9

# Two single-point eyes each, nothing else playable by the random players:
# black's area 15, white's 10, so the score is 5 - komi in every playout.
SETTLED_5X5 = """
    . X X O .
    X X X O O
    X X X O .
    X X X O O
    . X X O .
"""


def batch(games: list[GameState]):
    """Features, legal masks and ``positions`` for ``evaluate``, with room in the
    histories for whole playouts."""
    size = games[0].size
    used = [int(game.state[rules.META_HISTORY_LEN]) for game in games]
    histories = np.zeros((len(games), max(used) + 3 * size * size + 16), np.uint64)
    for row, (game, n) in enumerate(zip(games, used, strict=True)):
        histories[row, :n] = game.history[:n]
    states = np.stack([game.state for game in games])
    komi = np.array([game.komi for game in games], np.float64)
    features = np.stack([game.features() for game in games])
    legal = np.stack([game.legal_moves() for game in games])
    return features, legal, (states, histories, komi)


def evaluate(evaluator, games):
    features, legal, positions = batch(games)
    return evaluator.evaluate(features, legal, positions=positions)


# --- uniform -----------------------------------------------------------------------


def test_uniform_priors_spread_over_the_legal_moves_of_each_row():
    legal = np.array([[True, False, True, True], [False, False, False, True], [False] * 4])
    priors = uniform_priors(legal)
    assert priors.dtype == np.float32 and priors.shape == (3, 4)
    np.testing.assert_allclose(priors[0], [1 / 3, 0, 1 / 3, 1 / 3])
    np.testing.assert_allclose(priors[1], [0, 0, 0, 1])
    np.testing.assert_array_equal(priors[2], 0)  # no legal move: nothing, and no division by zero


def test_uniform_evaluator_shapes_and_values():
    games = [GameState(5, 0.5), game_from_diagram(SETTLED_5X5, komi=0.5, to_play=WHITE)]
    features, legal, _ = batch(games)
    priors, values = UniformEvaluator().evaluate(features, legal)
    assert priors.shape == (2, 26) and priors.dtype == np.float32
    assert values.shape == (2,) and values.dtype == np.float32
    np.testing.assert_array_equal(values, 0)
    np.testing.assert_allclose(priors.sum(axis=1), 1, atol=1e-6)
    assert (priors[~legal] == 0).all()
    np.testing.assert_allclose(priors[0], 1 / 26)
    # White in the settled position: its three eyes and the pass.
    assert np.flatnonzero(priors[1]).tolist() == [4, 14, 24, 25]


# --- rollouts ----------------------------------------------------------------------


def test_rollout_evaluator_refuses_bad_use():
    with pytest.raises(ValueError, match="at least 1"):
        RolloutEvaluator(0)
    evaluator = RolloutEvaluator(4)
    assert evaluator.needs_positions
    features, legal, _ = batch([GameState(5, 0.5)])
    with pytest.raises(ValueError, match="positions"):
        evaluator.evaluate(features, legal)


def test_rollouts_of_a_settled_position_score_it_for_the_player_to_move():
    """Komi 4.5: black wins by 0.5 in every playout; 5: a draw; 5.5: white wins by 0.5."""
    evaluator = RolloutEvaluator(16, seed=1)
    games = [
        game_from_diagram(SETTLED_5X5, komi=komi, to_play=color) for komi in (4.5, 5.0, 5.5) for color in (BLACK, WHITE)
    ]
    priors, values = evaluate(evaluator, games)
    np.testing.assert_array_equal(values, [1, -1, 0, 0, -1, 1])
    assert values.dtype == np.float32
    _, legal, _ = batch(games)
    np.testing.assert_allclose(priors, uniform_priors(legal))


def test_rollouts_see_who_wins_a_won_position():
    """Black has captured the big group in atari (9x9, 0.5 komi): random play cannot undo it."""
    game = game_from_diagram(CAPTURE_9X9, komi=0.5)
    game.play(gtp_to_flat("E5", 9))  # captures six stones
    assert game.captures(BLACK) == 6
    evaluator = RolloutEvaluator(400, seed=2)
    (value_white,) = evaluate(evaluator, [game])[1]  # white to move
    assert value_white < -0.8
    game.play(game.pass_move)
    (value_black,) = evaluate(evaluator, [game])[1]
    assert value_black > 0.8


def test_rollouts_on_the_empty_board_are_colour_symmetric():
    """Komi 0 on an empty 5x5: the side to move scores the same whether it is black or
    white, and random play is close to even (the first move is worth a little)."""
    black_first = GameState(5, 0.0)
    white_first = GameState(5, 0.0)
    white_first.to_play = WHITE
    _, values = evaluate(RolloutEvaluator(4000, seed=3), [black_first, white_first])
    assert abs(values[0] - values[1]) < 0.08
    assert abs(values[0]) < 0.15 and abs(values[1]) < 0.15


def test_rollout_values_are_means_of_whole_results():
    games = [GameState(5, 7.5), GameState(7, 0.5)]
    for game, playouts in zip(games, (5, 8), strict=True):
        _, values = evaluate(RolloutEvaluator(playouts, seed=4), [game] * 3)
        assert (np.abs(values) <= 1).all()
        # Half-point komi: no draws, each playout adds +-1.
        np.testing.assert_allclose(values * playouts, np.round(values * playouts), atol=1e-5)
        assert np.all(np.round(values * playouts) % 2 == playouts % 2)


def test_rollouts_are_reproducible_from_the_seed():
    games = [GameState(5, 0.5), GameState(5, 0.5)]
    first = evaluate(RolloutEvaluator(50, seed=7), games)[1]
    second = evaluate(RolloutEvaluator(50, seed=7), games)[1]
    other = evaluate(RolloutEvaluator(50, seed=8), games)[1]
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)
    assert first[0] != first[1]  # one stream: the rows get different playouts


def test_the_search_gives_rollouts_the_leaf_positions_and_komi():
    """The root's evaluation in a search is the evaluator's value of the root position
    (same seed, so the same playouts), whatever the komi."""
    for komi, to_play in ((0.5, BLACK), (9.5, WHITE), (-3.5, BLACK)):
        game = game_from_diagram(
            """
            . . X O .
            . X X O .
            . X O O .
            . X O . .
            . X O . .
            """,
            komi=komi,
            to_play=to_play,
        )
        search = BatchedSearch(SearchConfig(simulations=1), 5, 1, RolloutEvaluator(64, seed=5))
        search.set_position(0, game)
        search.search()
        (direct,) = evaluate(RolloutEvaluator(64, seed=5), [game])[1]
        assert search.trees.raw_value[0, ROOT] == direct
        assert search.root_value(0) == pytest.approx(direct)
