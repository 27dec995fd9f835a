"""A person against the bot (``engine.human_game.HumanGame``), the rules both front ends share:
turns, the bot's answer, resigning, and undo back to the person's turn."""

from __future__ import annotations

import pytest

from engine.coords import flat_to_gtp, gtp_to_flat
from engine.diagram import draw_board
from engine.game import BLACK, WHITE, GameState, IllegalMoveError
from engine.handicap import handicap_game
from engine.human_game import HumanGame, Undone
from mcts.players import RESIGN, Decision


def bot(vertex: str, size: int = 5) -> Decision:
    return Decision(gtp_to_flat(vertex, size))


def vertices(game: GameState) -> list[tuple[int, str]]:
    return [(color, flat_to_gtp(move, game.size)) for color, move in game.moves]


def test_undo_takes_back_the_bots_reply_and_your_move_then_there_is_nothing_left():
    versus = HumanGame(GameState(5, 7.5), BLACK)
    assert versus.is_humans_turn() and not versus.is_bots_turn() and not versus.can_undo()
    versus.play(gtp_to_flat("C3", 5))
    assert versus.is_bots_turn()
    versus.bot_moved(bot("D4"))
    board_after_one_exchange = draw_board(versus.game)
    versus.play(gtp_to_flat("B2", 5))
    versus.bot_moved(bot("D2"))
    assert versus.moves_to_undo() == 2
    assert versus.undo() == Undone(moves=(gtp_to_flat("B2", 5), gtp_to_flat("D2", 5)))
    assert draw_board(versus.game) == board_after_one_exchange and versus.is_humans_turn()
    assert versus.undo() == Undone(moves=(gtp_to_flat("C3", 5), gtp_to_flat("D4", 5)))
    assert versus.game.moves == [] and versus.game.to_play == BLACK
    assert versus.undo() == Undone() and not versus.can_undo()  # at the start: nothing, and no error


def test_undo_before_the_bot_answers_takes_back_only_your_move():
    versus = HumanGame(GameState(5, 7.5), BLACK)
    versus.play(gtp_to_flat("C3", 5))
    assert versus.moves_to_undo() == 1
    assert versus.undo() == Undone(moves=(gtp_to_flat("C3", 5),)) and versus.is_humans_turn()


def test_you_cannot_move_for_the_bot_and_an_illegal_move_changes_nothing():
    versus = HumanGame(GameState(5, 7.5), BLACK)
    versus.play(gtp_to_flat("C3", 5))
    with pytest.raises(ValueError, match="the bot's turn"):
        versus.play(gtp_to_flat("D4", 5))
    versus.bot_moved(bot("D4"))
    with pytest.raises(IllegalMoveError, match="occupied"):
        versus.play(gtp_to_flat("D4", 5))
    assert vertices(versus.game) == [(BLACK, "C3"), (WHITE, "D4")] and versus.is_humans_turn()


def test_playing_white_the_bot_opens_and_undo_stops_at_its_opening():
    versus = HumanGame(GameState(5, 7.5), WHITE)
    assert versus.is_bots_turn() and not versus.can_undo()
    versus.bot_moved(bot("C3"))
    assert versus.moves_to_undo() == 0 and versus.undo() == Undone()  # the bot's opening is not yours to undo
    versus.play(gtp_to_flat("C4", 5))
    versus.bot_moved(bot("D3"))
    assert versus.undo() == Undone(moves=(gtp_to_flat("C4", 5), gtp_to_flat("D3", 5)))
    assert vertices(versus.game) == [(BLACK, "C3")] and versus.is_humans_turn()


def test_with_handicap_stones_white_moves_first_and_undo_returns_to_the_stones():
    game = handicap_game(9, 0.5, 2)
    versus = HumanGame(game, WHITE)
    assert versus.is_humans_turn()
    versus.play(gtp_to_flat("E5", 9))
    versus.bot_moved(Decision(game.pass_move))
    assert versus.undo().moves == (gtp_to_flat("E5", 9), game.pass_move)
    assert game.moves == [] and len(game.setup) == 2 and versus.is_humans_turn()


def test_your_resignation_ends_the_game_and_undo_takes_back_only_the_resignation():
    versus = HumanGame(GameState(5, 7.5), BLACK)
    versus.play(gtp_to_flat("C3", 5))
    versus.bot_moved(bot("D4"))
    versus.resign()
    assert versus.game.is_over() and versus.game.result() == "W+R"
    assert not versus.is_humans_turn() and not versus.is_bots_turn() and versus.can_undo()
    with pytest.raises(ValueError, match=r"over already \(W\+R\)"):
        versus.resign()
    assert versus.undo() == Undone(resignation=True)
    assert not versus.game.is_over() and vertices(versus.game) == [(BLACK, "C3"), (WHITE, "D4")]
    assert versus.is_humans_turn()


def test_the_bots_resignation_ends_the_game_and_can_be_taken_back():
    versus = HumanGame(GameState(5, 7.5), WHITE)
    versus.bot_moved(Decision(RESIGN))
    assert versus.game.result() == "W+R" and versus.game.moves == []
    assert versus.undo() == Undone(resignation=True) and versus.is_bots_turn()


def test_two_passes_end_the_game_and_undo_takes_back_your_final_pass():
    versus = HumanGame(GameState(5, 0.5), BLACK)
    versus.play(gtp_to_flat("C3", 5))
    versus.bot_moved(Decision(versus.game.pass_move))
    versus.play(versus.game.pass_move)
    assert versus.game.is_over() and versus.game.result() == "B+24.5"
    assert not versus.is_humans_turn() and not versus.is_bots_turn()
    with pytest.raises(IllegalMoveError, match="the game is over"):
        versus.play(gtp_to_flat("A1", 5))
    assert versus.undo() == Undone(moves=(versus.game.pass_move,))
    assert not versus.game.is_over() and versus.is_humans_turn()


def test_a_bots_illegal_move_is_a_bug_and_raises():
    versus = HumanGame(GameState(5, 7.5), BLACK)
    versus.play(gtp_to_flat("C3", 5))
    with pytest.raises(IllegalMoveError, match="occupied"):
        versus.bot_moved(bot("C3"))
    assert versus.is_bots_turn()
