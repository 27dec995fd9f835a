"""The terminal game: scripted players on small boards, and the real ``dosaku play --text``."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import build_parser
from cli.text_game import TextGame, draw_area, result_sentence
from engine.coords import gtp_to_flat
from engine.diagram import diagram, game_from_diagram
from engine.game import BLACK, EMPTY, WHITE, GameState
from mcts.players import Decision, RandomPlayer

REPO_ROOT = Path(__file__).resolve().parents[1]


class ScriptedBot:
    """A bot that plays the given GTP vertices in order, then passes."""

    name = "scripted"

    def __init__(self, *vertices: str):
        self.vertices = list(vertices)

    def genmove(self, game: GameState) -> Decision:
        if not self.vertices:
            return Decision(game.pass_move)
        return Decision(gtp_to_flat(self.vertices.pop(0), game.size))


class InterruptingStream:
    """An input stream whose reader presses Ctrl-C."""

    def readline(self) -> str:
        raise KeyboardInterrupt


def play_script(script: str, game: GameState | None = None, bot=None, human=BLACK) -> tuple[GameState, str, int]:
    """Run a TextGame on ``script`` (lines typed); return the game, everything printed, the exit code."""
    game = game if game is not None else GameState(5, 7.5)
    bot = bot if bot is not None else ScriptedBot()
    output = io.StringIO()
    code = TextGame(game, bot, human, io.StringIO(script), output).run()
    return game, output.getvalue(), code


def answers(output: str) -> list[str]:
    """The first line printed after each prompt, in order (one per line typed, then one at the end)."""
    return [line[2:] for line in output.splitlines() if line.startswith("> ")]


def test_moves_are_played_and_the_board_drawn():
    game, output, code = play_script("c3\nD2\nquit\n", bot=ScriptedBot("b4", "e5"))
    assert code == 0
    assert diagram(game).split() == [
        "....O",
        ".O...",
        "..X..",
        "...X.",
        ".....",
    ]
    assert "You (black) play C3." in output
    assert "Dosaku (white) plays B4." in output
    assert " 3 . .(X). . 3" in output  # the board with coordinates, the last move marked
    assert "Move 3: black (X) to play, your turn." in output
    assert output.rstrip().endswith("Goodbye.")


def test_illegal_input_is_explained_in_one_line_and_the_game_goes_on():
    game, output, code = play_script("c3\nc3\nZ9\nf1\nhello\nd4\nquit\n", bot=ScriptedBot("b4", "e5"))
    said = answers(output)
    assert said[1] == "Illegal move black C3: occupied; try another move."
    assert said[2] == "Z9 is not on this board: columns A-E (no I), rows 1-5."
    assert said[3] == "F1 is not on this board: columns A-E (no I), rows 1-5."
    assert said[4] == "Unknown command 'hello': type a move like C3, or help."
    assert said[5] == "You (black) play D4."  # the game went on
    assert code == 0
    assert [move for _, move in game.moves] == [gtp_to_flat(v, 5) for v in ("c3", "b4", "d4", "e5")]


def test_suicide_is_refused():
    game = game_from_diagram(
        """
        .O...
        O....
        .....
        .....
        .....""",
        komi=7.5,
    )
    _, output, _ = play_script("a5\nquit\n", game=game)
    assert answers(output)[0] == "Illegal move black A5: suicide; try another move."


def test_retaking_a_ko_at_once_is_refused():
    # White's D3 will capture black's C3; black may not take back at C3 at once.
    game = game_from_diagram(
        """
        .....
        ..OX.
        .OX.X
        ..OX.
        .....""",
        komi=7.5,
    )
    game, output, _ = play_script("a1\nc3\nquit\n", game=game, bot=ScriptedBot("d3"))
    assert "Dosaku (white) plays D3." in output
    assert answers(output)[1].startswith("Illegal move black C3: superko")
    assert game.board()[2, 2] == EMPTY


def test_undo_takes_back_the_bots_reply_and_the_humans_move():
    game, output, _ = play_script("c3\nd4\nundo\nquit\n", bot=ScriptedBot("b4", "e5"))
    assert "Took back D4, E5." in output
    assert diagram(game).split() == [
        ".....",
        ".O...",
        "..X..",
        ".....",
        ".....",
    ]
    assert game.to_play == BLACK


def test_undo_at_the_start_says_there_is_nothing_to_undo():
    game, output, _ = play_script("undo\nc3\nundo\nundo\nquit\n", bot=ScriptedBot("b4"))
    said = answers(output)
    assert said[0] == "Nothing to undo: you have not moved yet."
    assert said[3] == "Nothing to undo: you have not moved yet."
    assert game.moves == [] and game.to_play == BLACK


def test_two_passes_end_the_game_with_the_score_and_the_area():
    # The bot passes at once; then the person's pass is the second in a row.
    game, output, code = play_script("c3\npass\nd4\nquit\n")
    assert game.is_over()
    assert "Two passes in a row: the game is over." in output
    assert "Black wins by 17.5 points (B+17.5)." in output  # 25 points of area, komi 7.5
    assert "Area: black 25, white 0, komi 7.5." in output
    assert " 3 x x X x x 3" in output  # empty points drawn by owner
    assert answers(output)[2] == "The game is over (B+17.5): type undo to take moves back, or quit."
    assert code == 0


def test_undo_after_the_end_takes_back_only_the_humans_final_pass():
    game, output, _ = play_script("c3\npass\nundo\nquit\n")
    assert "Took back pass." in output
    assert not game.is_over() and game.to_play == BLACK
    assert len(game.moves) == 2


def test_an_even_score_is_a_draw():
    game, output, _ = play_script("pass\nquit\n", game=GameState(5, 0))
    assert "Draw (0)." in output
    assert result_sentence(game) == "Draw (0)."


def test_score_shows_the_position_as_it_stands():
    _, output, _ = play_script("c3\nscore\nquit\n", bot=ScriptedBot("b4"))
    assert answers(output)[1] == (
        "Score as it stands: black 1 - white 1 - komi 7.5 = -7.5; White leads by 7.5 points (W+7.5)."
    )


def test_resign_ends_the_game_and_later_moves_are_refused():
    game, output, code = play_script("resign\nc3\nresign\nquit\n")
    said = answers(output)
    assert said[0] == "You resign."
    assert "White wins by resignation (W+R)." in output
    assert said[1] == "The game is over (W+R): type undo to take moves back, or quit."
    assert said[2] == "The game is over already (W+R)."
    assert game.winner() == WHITE and code == 0


def test_undo_takes_back_a_resignation():
    game, output, _ = play_script("c3\nresign\nundo\nquit\n", bot=ScriptedBot("b4"))
    assert "Resignation taken back." in output
    assert not game.is_over() and len(game.moves) == 2


def test_quit_and_end_of_input_and_ctrl_c_leave_cleanly():
    _, output, code = play_script("quit\nc3\n")
    assert code == 0 and output.endswith("> Goodbye.\n")

    _, output, code = play_script("c3\n")  # Ctrl-D: the input just ends
    assert code == 0 and output.endswith("> \nGoodbye.\n")

    output = io.StringIO()
    code = TextGame(GameState(5), ScriptedBot(), BLACK, InterruptingStream(), output).run()
    assert code == 0 and output.getvalue().endswith("> \nGoodbye.\n")


def test_help_lists_the_commands():
    _, output, _ = play_script("help\nquit\n")
    for word in ("pass", "undo", "resign", "score", "quit"):
        assert f"  {word} " in output


def test_the_bot_moves_first_when_the_human_is_white():
    game, output, _ = play_script("undo\nd4\nundo\nquit\n", bot=ScriptedBot("c3", "b2", "b4"), human=WHITE)
    said = answers(output)
    assert output.index("Dosaku (black) plays C3.") < output.index("> ")
    assert "Move 2: white (O) to play, your turn." in output
    assert said[0] == "Nothing to undo: you have not moved yet."  # the bot's opening stays
    assert said[2] == "Took back D4, B2."
    assert [move for _, move in game.moves] == [gtp_to_flat("c3", 5)]
    assert game.to_play == WHITE


def test_a_whole_game_against_the_random_player_ends():
    # The person only passes; the random bot fills the board up to its eyes, then passes.
    game, output, code = play_script("pass\n" * 40 + "quit\n", bot=RandomPlayer(seed=3))
    assert game.is_over() and code == 0
    assert re.search(r"(Black|White) wins by [0-9.]+ points? \([BW]\+[0-9.]+\)\.|Draw \(0\)\.", output)
    assert draw_area(game) in output


def test_the_installed_command_plays_a_game_in_the_terminal():
    script = "pass\n" * 40 + "quit\n"
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "play", "--text", "--size", "5", "--seed", "1"],
        input=script,
        check=False,  # the exit code is asserted below, with stderr shown
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Seed 1 (replay this game with --seed 1)." in done.stdout
    assert "Two passes in a row: the game is over." in done.stdout
    assert re.search(r"(Black|White) wins by|Draw", done.stdout)
    assert done.stdout.rstrip().endswith("Goodbye.")
    assert "note:" not in done.stderr  # --text asks for the terminal: no note about the window


@pytest.mark.parametrize(
    "options",
    [["--size", "1"], ["--size", "20"], ["--size", "x"], ["--komi", "nan"], ["--color", "red"], ["--seed", "-1"]],
)
def test_bad_options_are_refused_by_the_parser(options):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["play", "--text", *options])
    assert exit_info.value.code == 2
