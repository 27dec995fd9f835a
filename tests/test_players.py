"""Players: ``RandomPlayer``'s moves and ``MCTSPlayer``'s decisions.

``RandomPlayer`` is checked move by move against an independent statement of its
rule (uniform among the legal moves that do not fill its own eye, pass only when
none is left). ``MCTSPlayer`` is checked through the ``Decision`` it returns:
the move, the search's view of the root, resignation, and the tree it keeps from
one move to the next.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.coords import flat_to_rowcol
from engine.diagram import game_from_diagram
from engine.game import BLACK, WHITE, GameState
from mcts.config import SearchConfig
from mcts.evaluators import RolloutEvaluator, UniformEvaluator
from mcts.players import RESIGN, Decision, MCTSPlayer, RandomPlayer
from tests.positions import random_position


def fills_own_eye(game: GameState, move: int) -> bool:
    """The random player's eye rule, from the board: every neighbour is the player's
    own stone, and the diagonals hold at most one opponent stone in the middle of the
    board, none on the edge."""
    board = game.board()
    size = game.size
    me = game.to_play
    row, col = flat_to_rowcol(move, size)
    on_edge = 0
    for r, c in ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1)):
        if not (0 <= r < size and 0 <= c < size):
            on_edge = 1
        elif board[r, c] != me:
            return False
    opponents = sum(
        1
        for r, c in ((row - 1, col - 1), (row - 1, col + 1), (row + 1, col - 1), (row + 1, col + 1))
        if 0 <= r < size and 0 <= c < size and board[r, c] == 3 - me
    )
    return opponents + on_edge < 2


# --- RandomPlayer ------------------------------------------------------------------


@pytest.mark.parametrize("size, seed", [(5, 0), (5, 1), (7, 2), (9, 3)])
def test_random_player_never_fills_its_eyes_and_passes_only_when_nothing_else_is_left(size, seed):
    game = GameState(size, 7.5)
    player = RandomPlayer(seed)
    for _ in range(10 * size * size):
        if game.is_over():
            break
        move = player.genmove(game).move
        legal = game.legal_moves()
        candidates = {int(m) for m in np.flatnonzero(legal[:-1]) if not fills_own_eye(game, int(m))}
        if move == game.pass_move:
            assert not candidates, f"passed with {sorted(candidates)} left"
        else:
            assert move in candidates
        game.play(move)
    assert game.is_over(), "a random game should end by two passes"
    # At the end no empty point is a legal non-eye move for the player to move.
    game.resume()
    assert not {int(m) for m in np.flatnonzero(game.legal_moves()[:-1]) if not fills_own_eye(game, int(m))}


def test_random_player_is_uniform_over_its_candidates():
    game = game_from_diagram(
        """
        . . . X .
        . . . X X
        . . . . .
        . . . . .
        . . . . .
        """
    )  # E5 is black's eye: 21 candidates
    player = RandomPlayer(5)
    draws = 11_000
    counts = np.bincount([player.genmove(game).move for _ in range(draws)], minlength=26)
    eye = 4
    assert counts[eye] == 0 and counts[25] == 0
    occupied = [3, 8, 9]
    assert counts[occupied].sum() == 0
    others = np.delete(counts[:25], occupied + [eye])
    assert len(others) == 21
    expected = draws / len(others)
    assert np.all(np.abs(others - expected) < 5 * np.sqrt(expected))


def test_random_player_is_reproducible_from_its_seed():
    def moves(seed):
        game = GameState(7, 7.5)
        player = RandomPlayer(seed)
        for _ in range(30):
            game.play(player.genmove(game).move)
        return [m for _c, m in game.moves]

    assert moves(4) == moves(4)
    assert moves(4) != moves(5)


def test_players_pass_in_a_finished_game():
    game = GameState(5, 0.5)
    game.play(game.pass_move)
    game.play(game.pass_move)
    assert RandomPlayer(0).genmove(game).move == game.pass_move
    decision = MCTSPlayer(UniformEvaluator(), simulations=10).genmove(game)
    assert decision.move == game.pass_move and decision.search is None


# --- MCTSPlayer --------------------------------------------------------------------


@pytest.mark.parametrize("leaves", [1, 8])
def test_mcts_decision_carries_the_search_that_made_it(leaves):
    game = random_position(7, 6, 14)
    simulations = 64
    config = SearchConfig(leaves_per_game=leaves)
    player = MCTSPlayer(RolloutEvaluator(2, seed=1), simulations=simulations, config=config, seed=1)
    decision = player.genmove(game)
    assert isinstance(decision, Decision) and not decision.resigns
    assert game.legal_moves()[decision.move]
    result = decision.search
    assert result.root_visits == simulations
    # The root's own evaluation is the first simulation; every other went to a child.
    assert result.visits.sum() == simulations - 1
    assert (result.visits[~game.legal_moves()] == 0).all()
    np.testing.assert_allclose(result.policy, result.visits / result.visits.sum(), atol=1e-6)
    assert -1.0 <= result.value <= 1.0
    assert result.principal_variation[0] == decision.move
    assert decision.move == int(np.argmax(result.visits))
    line = game.copy()
    for move in result.principal_variation:  # a line of legal moves
        line.play(move)
        if line.is_over():
            break


def test_mcts_gumbel_decision():
    game = random_position(7, 8, 10)
    config = SearchConfig(gumbel=True, leaves_per_game=1)
    decision = MCTSPlayer(RolloutEvaluator(2, seed=2), simulations=32, config=config, seed=2).genmove(game)
    legal = game.legal_moves()
    assert legal[decision.move]
    result = decision.search
    assert result.root_visits == 32 and result.visits.sum() == 31
    assert result.policy.sum() == pytest.approx(1.0, abs=1e-5)
    assert (result.policy[~legal] == 0).all()
    assert -1.0 <= result.value <= 1.0


class RampEvaluator:
    """Priors growing with the action index (the pass the most likely); value 0."""

    def evaluate(self, features, legal):
        return legal * np.arange(1, legal.shape[1] + 1, dtype=np.float32), np.zeros(len(legal), np.float32)


def test_principal_variation_starts_with_the_move_played_even_on_a_tie():
    """Five simulations on an empty 3x3 with priors growing with the action: pass and J1
    (action 8) end with two visits each. The move played breaks the tie by the prior
    (pass); the reported line must start with that move, not with the lower index."""
    game = GameState(3, 0.5)
    decision = MCTSPlayer(RampEvaluator(), simulations=5, config=SearchConfig(leaves_per_game=1)).genmove(game)
    visits = decision.search.visits
    assert visits[8] == visits[9] == 2
    assert decision.search.principal_variation[0] == decision.move


# White's wall has six eyes; black's single stone has a strip under it without room
# for two eyes: black loses every line, whoever plays what.
HOPELESS_5X5 = """
    . O . O .
    O O O O O
    . O . O .
    O O O O O
    . . . . X
"""


def test_resigns_when_the_root_value_is_below_the_threshold():
    game = game_from_diagram(HOPELESS_5X5, komi=0.5, to_play=BLACK)
    config = SearchConfig(resign_threshold=-0.9)
    decision = MCTSPlayer(RolloutEvaluator(4, seed=0), simulations=40, config=config).genmove(game)
    assert decision.resigns and decision.move == RESIGN
    assert decision.search.value < -0.9
    # Off by default: the same search plays on.
    decision = MCTSPlayer(RolloutEvaluator(4, seed=0), simulations=40).genmove(game)
    assert not decision.resigns and game.legal_moves()[decision.move]
    # The winner never resigns.
    white = game_from_diagram(HOPELESS_5X5, komi=0.5, to_play=WHITE)
    decision = MCTSPlayer(RolloutEvaluator(4, seed=0), simulations=40, config=config).genmove(white)
    assert not decision.resigns and decision.search.value > 0.9


def test_tree_is_reused_across_moves():
    game = random_position(7, 9, 12)
    simulations = 80
    player = MCTSPlayer(RolloutEvaluator(2, seed=3), simulations=simulations, config=SearchConfig(leaves_per_game=1))
    first = player.genmove(game)
    line = first.search.principal_variation
    assert len(line) >= 2 and line[0] == first.move
    game.play(line[0])
    game.play(line[1])  # the opponent answers as the search expected
    second = player.genmove(game)
    assert second.search.root_visits > simulations
    assert second.search.visits.sum() == second.search.root_visits - 1
    assert game.legal_moves()[second.move]
    # Without reuse every search starts afresh.
    fresh = MCTSPlayer(RolloutEvaluator(2, seed=3), simulations=simulations,
                       config=SearchConfig(leaves_per_game=1, reuse_tree=False))  # fmt: skip
    fresh.genmove(game)
    assert fresh.genmove(game).search.root_visits == simulations


def test_genmove_for_either_colour_searches_a_tree_of_that_colour():
    """GTP may ask for a move of the colour not to move (``genmove w`` with black to play):
    the player gets a copy of the game with the other colour to move."""
    game = random_position(5, 4, 6)
    player = MCTSPlayer(UniformEvaluator(), simulations=30)
    player.genmove(game)
    other = game.copy()
    other.to_play = 3 - game.to_play
    decision = player.genmove(other)
    assert decision.search.root_visits == 30
    assert other.legal_moves()[decision.move]


def test_mcts_player_follows_the_board_size():
    player = MCTSPlayer(UniformEvaluator(), simulations=12)
    for size in (5, 7, 5):
        decision = player.genmove(GameState(size, 0.5))
        assert 0 <= decision.move <= size * size
        assert len(decision.search.visits) == size * size + 1


def test_mcts_player_is_reproducible_from_its_seed():
    game = random_position(7, 10, 12)

    def decide(seed):
        return MCTSPlayer(RolloutEvaluator(2, seed=seed), simulations=60, seed=seed).genmove(game)

    first, second = decide(3), decide(3)
    assert first.move == second.move
    np.testing.assert_array_equal(first.search.visits, second.search.visits)


def test_mcts_player_plays_on_in_a_game_longer_than_four_board_areas():
    """After two passes a GTP controller may resume the game (clean-up phase), so games can
    run past 4 N^2 positions; the player must still answer with a move."""
    game = GameState(5, 0.5)
    player = RandomPlayer(1)
    while len(game.moves) < 110:
        if game.is_over():
            game.resume()
        game.play(player.genmove(game).move)
    game.resume()
    assert not game.is_over()
    decision = MCTSPlayer(UniformEvaluator(), simulations=10).genmove(game)
    assert game.legal_moves()[decision.move]
