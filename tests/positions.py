"""Positions shared by the search, player, evaluator and end-of-game (status, final score) tests."""

from __future__ import annotations

from engine.game import GameState
from mcts.players import RandomPlayer

# White's six stones B5-D4 have one liberty, E5. Black E5 captures them and the
# black wall stays connected (E4, E6); if black plays elsewhere, white E5 joins
# them to the living white wall (F5) and black's own eye space shrinks.
CAPTURE_9X9 = """
    . . . X . O . . .
    . . . X X O . . .
    . . . . X O . . .
    X X X X X O O O O
    X O O O . O . . .
    X O O O X O O O O
    X X X X X O . . .
    . . . X . O . . .
    . . . X . O . . .
"""


# The end of a game: black's groups on the left, white's on the right, each with
# eyes; a black stone at G6 and a white one at B5 have no room to live.
INTRUDERS = """
    . X . X O . O . .
    X X X X O O O O O
    . X . X O . . O .
    X X X X O . X O O
    . O . X O . . . O
    X X X X O O O O O
    . X . X O . O . O
    X X X X O O . O .
    . X . X O . O . O"""
SETTLED = INTRUDERS.replace("O . X O O", "O . . O O").replace(". O . X O . .", ". . . X O . .")


def random_position(size: int, seed: int, moves: int, komi: float = 7.5) -> GameState:
    """A game after ``moves`` moves of two random players (no eye fills), or fewer if
    one had nothing left but to pass; never finished."""
    game = GameState(size, komi)
    player = RandomPlayer(seed)
    for _ in range(moves):
        move = player.genmove(game).move
        if move == game.pass_move:
            break
        game.play(move)
    assert not game.is_over()
    return game
