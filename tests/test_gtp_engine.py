"""The GTP engine (gtp/engine.py, with gtp/build.py's extensions): every command through the engine object, the
wire format through ``serve`` and a real ``dosaku gtp`` subprocess, and fuzzing:
whatever a client sends, every command gets ``=`` or ``?`` and the engine keeps going.

Vertices are GTP's (``A1`` bottom-left); small boards keep the positions readable.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import build_parser
from engine.coords import CoordinateError, flat_to_gtp, gtp_to_flat
from engine.game import BLACK, WHITE, GameState
from gtp.build import build_engine
from gtp.engine import GTPEngine
from gtp.extensions import kgs_time
from gtp.protocol import MAX_LINE_CHARS, GTPCommandError, preprocess, split_command
from gtp.time_control import TimeManager
from mcts.evaluators import UniformEvaluator
from mcts.players import RESIGN, Decision, MCTSPlayer, RandomPlayer
from tests.gtp_process import REPO_ROOT, RESPONSE_RE, EngineProcess

REQUIRED_COMMANDS = [
    "protocol_version", "name", "version", "known_command", "list_commands", "quit", "boardsize",
    "clear_board", "komi", "play", "genmove", "undo", "showboard", "final_score", "fixed_handicap",
    "place_free_handicap", "set_free_handicap", "loadsgf", "printsgf", "reg_genmove", "time_settings",
    "time_left", "is_legal", "list_stones",
]  # fmt: skip
EXTENSION_COMMANDS = [
    "kgs-time_settings", "final_status_list", "kgs-genmove_cleanup", "lz-analyze", "kata-analyze",
    "dosaku-analyze", "lz-genmove_analyze", "kata-genmove_analyze", "dosaku-genmove_analyze",
    "dosaku-tromp_taylor_score", "kata-get-rules", "kata-set-rules", "kata-set-rule", "kgs-rules", "cputime",
    "gomill-cpu_time", "get_komi", "stop", "clear_cache",
]  # fmt: skip


# --- helpers -----------------------------------------------------------------


def make_engine(size: int = 9, komi: float = 7.5, seed: int = 0, player=None) -> GTPEngine:
    """An engine with a seeded random player whose diagnostics go nowhere."""
    return build_engine(player or RandomPlayer(seed), size=size, komi=komi, log=io.StringIO())


def ask(engine: GTPEngine, line: str) -> str:
    """The raw response to ``line``, checked for framing."""
    response = engine.handle_line(line)
    assert response is not None, line
    assert response.endswith("\n\n") and "\n\n" not in response[:-2], response
    assert RESPONSE_RE.fullmatch(response[:-2]), response
    return response


def ok(engine: GTPEngine, line: str) -> str:
    """The text of a successful response to a command without id."""
    response = ask(engine, line)
    assert response.startswith("= "), f"{line!r} -> {response!r}"
    return response[2:-2]


def fail(engine: GTPEngine, line: str) -> str:
    """The message of a failed response to a command without id."""
    response = ask(engine, line)
    assert response.startswith("? "), f"{line!r} -> {response!r}"
    return response[2:-2]


def play_all(engine: GTPEngine, *moves: str) -> None:
    """``play`` each ``"b c3"``-style move; all must be legal."""
    for move in moves:
        ok(engine, f"play {move}")


def stones(engine: GTPEngine, color: str) -> set[str]:
    return set(ok(engine, f"list_stones {color}").split())


def serve_bytes(data: bytes, engine: GTPEngine | None = None) -> list[str]:
    """Run ``serve`` over ``data``; return the responses (each without its blank line)."""
    engine = engine or make_engine()
    out = io.BytesIO()
    assert engine.serve(io.BytesIO(data), out) == 0
    text = out.getvalue().decode("utf-8")
    assert text == "" or text.endswith("\n\n"), text[-200:]
    responses = text.split("\n\n")[:-1]
    for response in responses:
        assert RESPONSE_RE.fullmatch(response), response
    return responses


# --- protocol ----------------------------------------------------------------


def test_administrative_commands():
    engine = make_engine()
    assert ok(engine, "protocol_version") == "2"
    assert ok(engine, "name") == "Dosaku"
    assert re.fullmatch(r"[0-9][0-9a-z.+-]*|unknown", ok(engine, "version"))
    listed = ok(engine, "list_commands").split("\n")
    assert set(REQUIRED_COMMANDS) <= set(listed)
    assert set(EXTENSION_COMMANDS) <= set(listed)
    for command in REQUIRED_COMMANDS + EXTENSION_COMMANDS:
        assert ok(engine, f"known_command {command}") == "true"
    assert ok(engine, "known_command frobnicate") == "false"
    assert fail(engine, "known_command").startswith("syntax error")


def test_the_engine_alone_has_the_standard_commands_and_extensions_register_on_it():
    bare = GTPEngine(RandomPlayer(0), size=9, log=io.StringIO())
    assert sorted(ok(bare, "list_commands").split("\n")) == sorted(REQUIRED_COMMANDS)
    assert fail(bare, "kgs-time_settings absolute 60") == "unknown command"
    kgs_time.register(bare)  # one extension, on an engine that knows nothing of it
    assert ok(bare, "kgs-time_settings absolute 60") == ""
    assert bare.timing.settings.kind == "absolute" and bare.timing.settings.main_time == 60
    assert ok(bare, "list_commands").split("\n")[-1] == "kgs-time_settings"
    # build_engine installs every extension after the standard commands, in a fixed order.
    # (dead_stones replaces final_score, which keeps its place among the standard commands.)
    assert ok(make_engine(), "list_commands").split("\n") == ok(bare, "list_commands").split("\n") + [
        "dosaku-tromp_taylor_score", "final_status_list", "kgs-genmove_cleanup", "lz-analyze",
        "lz-genmove_analyze", "kata-analyze", "kata-genmove_analyze", "dosaku-analyze", "dosaku-genmove_analyze",
        "kata-get-rules", "kata-set-rules", "kata-set-rule", "kgs-rules", "cputime", "gomill-cpu_time",
        "get_komi", "stop", "clear_cache",
    ]  # fmt: skip


def test_ids_are_echoed_on_success_and_failure():
    engine = make_engine()
    assert ask(engine, "12 protocol_version") == "=12 2\n\n"
    assert ask(engine, "7 frobnicate") == "?7 unknown command\n\n"
    assert ask(engine, "0 clear_board") == "=0 \n\n"
    assert ask(engine, "3 play b z9").startswith("?3 ")
    assert ask(engine, "42").startswith("?42 syntax error")
    huge_id = "9" * 5000  # more digits than Python converts to int by default
    assert ask(engine, f"{huge_id} name") == f"={huge_id} Dosaku\n\n"


def test_preprocessing_comments_blank_lines_tabs_and_control_characters():
    engine = make_engine()
    for skipped in ("", "   ", "\t\t", "# a comment", "   # indented comment", "\x01\x02"):
        assert engine.handle_line(skipped) is None
    assert ask(engine, "5\tprotocol_version\t# trailing comment") == "=5 2\n\n"
    assert ask(engine, "proto\x00col_ver\x7fsion\r") == "= 2\n\n"
    assert ask(engine, "  name  ") == "= Dosaku\n\n"
    assert preprocess("play\tb\tc3 # why") == "play b c3"
    assert split_command("12 play b c3") == ("12", "play", ["b", "c3"])
    assert split_command("play") == ("", "play", [])


def test_unknown_commands_and_exceptions_in_handlers_become_errors():
    engine = make_engine()
    assert fail(engine, "frobnicate now") == "unknown command"
    engine.register("boom", lambda args: str(1 / 0))
    message = fail(engine, "boom")
    assert message.startswith("internal error") and "ZeroDivisionError" in message
    assert "Traceback" in engine.log.getvalue()  # the diagnostic went to the log, not the wire

    def raise_gtp_error(args):
        raise GTPCommandError("not\nwith a newline")

    engine.register("bad", raise_gtp_error)
    assert fail(engine, "bad") == "not with a newline"  # error messages stay one line
    assert ok(engine, "protocol_version") == "2"


def test_command_names_are_case_insensitive_and_colours_and_vertices_too():
    engine = make_engine(5)
    ok(engine, "PLAY Black C3")
    ok(engine, "play WHITE d4")
    ok(engine, "Play w b2")
    assert stones(engine, "B") == {"C3"}
    assert stones(engine, "white") == {"D4", "B2"}


# --- setup commands ----------------------------------------------------------


def test_boardsize_and_clear_board():
    engine = make_engine()
    play_all(engine, "b e5")
    ok(engine, "boardsize 13")
    assert engine.game.size == 13 and stones(engine, "b") == set()
    for size in ("2", "19"):
        ok(engine, f"boardsize {size}")
    for bad in ("1", "20", "0", "-3", "99999999999999999999999999"):
        assert fail(engine, f"boardsize {bad}") == "unacceptable size"
    for bad in ("nine", "9.5", "", "9 9"):
        assert fail(engine, f"boardsize {bad}").startswith("syntax error")
    assert engine.game.size == 19  # failed commands change nothing
    play_all(engine, "b a1", "w t19")
    ok(engine, "clear_board")
    assert engine.game.size == 19 and engine.game.moves == [] and engine.game.to_play == BLACK
    assert stones(engine, "b") == stones(engine, "w") == set()


def test_komi():
    engine = make_engine()
    ok(engine, "komi 0.5")
    assert ok(engine, "final_score") == "W+0.5"
    ok(engine, "komi -3")
    assert ok(engine, "final_score") == "B+3"
    ok(engine, "clear_board")
    assert engine.game.komi == -3  # komi survives clear_board
    for bad in ("", "seven", "nan", "inf", "1e999", "7,5", "1_0"):
        assert fail(engine, f"komi {bad}").startswith("syntax error")
    # More komi than the board is odd but legal, and survives undo.
    ok(engine, "komi 1000")
    ok(engine, "play b e5")
    ok(engine, "undo")
    assert engine.game.komi == 1000 and ok(engine, "final_score") == "W+1000"
    ok(engine, "komi 7.5")
    ok(engine, "boardsize 2")
    assert ok(engine, "final_score") == "W+7.5"


def test_fixed_handicap():
    engine = make_engine()
    assert ok(engine, "fixed_handicap 2") == "C3 G7"
    assert engine.game.to_play == WHITE
    assert stones(engine, "b") == {"C3", "G7"}
    assert fail(engine, "fixed_handicap 2") == "board not empty"
    ok(engine, "boardsize 19")
    assert ok(engine, "fixed_handicap 9") == "D4 Q16 D16 Q4 D10 Q10 K4 K16 K10"
    ok(engine, "clear_board")
    for bad in ("1", "10", "0", "-2"):
        assert fail(engine, f"fixed_handicap {bad}") == "invalid number of stones"
    assert fail(engine, "fixed_handicap two").startswith("syntax error")
    ok(engine, "boardsize 5")
    assert fail(engine, "fixed_handicap 2") == "invalid number of stones"  # none below 7x7
    ok(engine, "boardsize 9")
    play_all(engine, "b pass", "w pass")
    assert ok(engine, "fixed_handicap 3").split() == ["C3", "G7", "C7"]  # board empty: accepted


def test_handicap_stones_are_not_moves():
    engine = make_engine()
    ok(engine, "fixed_handicap 4")
    assert fail(engine, "undo") == "cannot undo"
    ok(engine, "play w e5")
    ok(engine, "undo")
    assert stones(engine, "b") == {"C3", "G7", "C7", "G3"} and stones(engine, "w") == set()
    assert engine.game.to_play == WHITE


def test_place_free_handicap_uses_fixed_points_then_spreads():
    engine = make_engine()
    assert ok(engine, "place_free_handicap 4").split() == ["C3", "G7", "C7", "G3"]
    assert engine.game.to_play == WHITE
    assert fail(engine, "place_free_handicap 2") == "board not empty"
    ok(engine, "clear_board")
    placed = ok(engine, "place_free_handicap 12").split()
    assert len(placed) == len(set(placed)) == 12 and set(placed) == stones(engine, "b")
    for bad in ("1", "81", "0"):
        ok(engine, "clear_board")
        assert fail(engine, f"place_free_handicap {bad}") == "invalid number of stones"
    ok(engine, "boardsize 5")
    assert ok(engine, "place_free_handicap 2").split() == ["B2", "D4"]
    ok(engine, "boardsize 2")
    assert len(ok(engine, "place_free_handicap 3").split()) == 3


def test_set_free_handicap():
    engine = make_engine()
    assert ok(engine, "set_free_handicap d4 F6 e5") == ""
    assert stones(engine, "b") == {"D4", "F6", "E5"} and engine.game.to_play == WHITE
    assert fail(engine, "set_free_handicap a1 a2") == "board not empty"
    ok(engine, "clear_board")
    for bad in ("a1", "", "a1 a1", "a1 pass", "a1 b1 z1"):
        message = fail(engine, f"set_free_handicap {bad}")
        assert message.startswith(("bad vertex list", "syntax error")), message
    assert fail(engine, "set_free_handicap a1 a1").startswith("bad vertex list")
    assert fail(engine, "set_free_handicap a1 hello").startswith("syntax error")
    ok(engine, "boardsize 2")
    assert fail(engine, "set_free_handicap a1 a2 b1 b2").startswith("bad vertex list")  # no room left
    ok(engine, "set_free_handicap a1 a2 b1")
    assert stones(engine, "b") == {"A1", "A2", "B1"}


# --- playing -----------------------------------------------------------------


def test_play_legal_and_illegal_moves():
    engine = make_engine(5)
    play_all(engine, "b c3", "b d3", "w pass")  # either colour, in any order; pass is a move
    assert fail(engine, "play w c3").startswith("illegal move")  # occupied
    assert fail(engine, "play b f1").startswith("illegal move")  # off a 5x5 board
    for bad in ("play", "play b", "play b c3 d4", "play x c3", "play b i3", "play b c", "play b 3c", "play b A٣"):
        assert fail(engine, bad).startswith("syntax error"), bad
    assert stones(engine, "b") == {"C3", "D3"}


def test_suicide_is_an_illegal_move():
    engine = make_engine(5)
    play_all(engine, "b a2", "b b1")
    assert ok(engine, "is_legal w a1") == "0"
    assert fail(engine, "play w a1") == "illegal move (suicide)"
    assert ok(engine, "is_legal b a1") == "1"  # filling one's own eye is legal, if silly


def test_ko_recapture_is_an_illegal_move():
    engine = make_engine(5)
    # . X O . .
    # X O . O .     black takes at C3, white may not retake at B3 at once
    # . X O . .
    play_all(engine, "b b4", "w c4", "b a3", "w b3", "b b2", "w c2", "b e5", "w d3", "b c3")
    assert "B3" not in stones(engine, "w")
    assert ok(engine, "is_legal w b3") == "0"
    assert fail(engine, "play w b3").startswith("illegal move (superko")
    play_all(engine, "w e1", "b a5")  # a ko threat elsewhere ...
    ok(engine, "play w b3")  # ... and the position no longer repeats


def test_genmove_plays_and_reg_genmove_does_not():
    engine = make_engine(9, seed=3)
    move = ok(engine, "genmove b")
    assert stones(engine, "b") == {move}
    assert engine.game.to_play == WHITE
    ok(engine, "genmove b")  # the same colour twice is allowed
    assert len(stones(engine, "b")) == 2
    before = engine.game.copy()
    for _ in range(5):
        vertex = ok(engine, "reg_genmove w")
        assert gtp_to_flat(vertex, 9) in range(82)
    assert engine.game.moves == before.moves
    assert fail(engine, "genmove").startswith("syntax error")
    assert fail(engine, "genmove purple").startswith("syntax error")


def test_genmove_answers_resign_when_the_player_resigns():
    class Resigner:
        def genmove(self, game):
            return Decision(RESIGN)

    engine = make_engine(player=Resigner())
    assert ok(engine, "genmove b") == "resign"
    assert ok(engine, "reg_genmove w") == "resign"
    assert engine.game.moves == []
    ok(engine, "play b e5")  # the engine goes on if the controller does


def test_play_goes_on_after_two_passes_as_in_a_clean_up_phase():
    engine = make_engine(5)
    play_all(engine, "b pass", "w pass")
    assert engine.game.is_over()
    ok(engine, "play b c3")  # the controller plays on: the passes no longer end the game
    assert not engine.game.is_over()
    assert ok(engine, "genmove w") != "resign"
    ok(engine, "undo")
    ok(engine, "undo")  # undo replays through the two passes
    assert engine.game.is_over() and engine.game.stones(1) == []


def test_random_games_through_genmove_end_and_undo_back_to_the_start():
    engine = make_engine(7, seed=11)
    colors = ["b", "w"]
    replies = []
    while not engine.game.is_over():
        replies.append(ok(engine, f"genmove {colors[len(replies) % 2]}"))
    assert replies[-2:] == ["pass", "pass"]
    assert ok(engine, "final_score") == engine.game.result()
    for _ in replies:
        ok(engine, "undo")
    assert fail(engine, "undo") == "cannot undo"
    assert stones(engine, "b") == stones(engine, "w") == set()


def test_undo_restores_captured_stones():
    engine = make_engine(5)
    play_all(engine, "b a2", "w a1", "b b1")  # black captures A1
    assert stones(engine, "w") == set()
    ok(engine, "undo")
    assert stones(engine, "w") == {"A1"} and stones(engine, "b") == {"A2"}
    assert engine.game.to_play == BLACK
    ok(engine, "undo")
    ok(engine, "undo")
    assert fail(engine, "undo") == "cannot undo"


# --- reading the position ----------------------------------------------------


def test_showboard_is_one_response_without_blank_lines():
    engine = make_engine(5)
    play_all(engine, "b c3", "w d4")
    response = ask(engine, "4 showboard")
    assert response.startswith("=4 \n")
    body = response[3:-2].split("\n")[1:]
    assert body[0].split() == ["A", "B", "C", "D", "E"]
    assert len(body) >= 7
    assert "X" in body[3] and "O" in body[2]  # row 3 holds black, row 4 white


def test_final_score_of_a_known_position():
    engine = make_engine(5)
    # Black owns columns A-C (15 points), white D-E (10 points).
    for row in range(1, 6):
        play_all(engine, f"b c{row}", f"w d{row}")
    assert ok(engine, "final_score") == "W+2.5"
    ok(engine, "komi 2.5")
    assert ok(engine, "final_score") == "B+2.5"
    ok(engine, "komi 5")
    assert ok(engine, "final_score") == "0"
    ok(engine, "clear_board")
    assert ok(engine, "final_score") == "W+5"


def test_is_legal_and_list_stones():
    engine = make_engine(5)
    assert ok(engine, "list_stones b") == ""
    assert ok(engine, "is_legal b c3") == "1"
    assert ok(engine, "is_legal w pass") == "1"
    play_all(engine, "b c3", "b a5", "w e1")
    assert ok(engine, "list_stones b") == "A5 C3"  # top-left first
    assert ok(engine, "list_stones WHITE") == "E1"
    assert ok(engine, "is_legal w c3") == "0"
    for bad in ("is_legal b", "is_legal b f6", "is_legal c c3", "is_legal b c3 d4", "list_stones", "list_stones x"):
        assert fail(engine, bad).startswith("syntax error"), bad


# --- time --------------------------------------------------------------------


def test_time_settings_and_time_left_are_stored_and_checked():
    engine = make_engine()
    ok(engine, "time_settings 300 30 5")
    settings_ = engine.time_settings
    assert (settings_.main_time, settings_.byo_yomi_time, settings_.byo_yomi_stones) == (300, 30, 5)
    ok(engine, "time_left b 120 0")
    ok(engine, "time_left WHITE 25.5 3")
    assert engine.time_left[BLACK].seconds == 120 and engine.time_left[WHITE].stones == 3
    for bad in ("time_settings 300 30", "time_settings -1 30 5", "time_settings a b c", "time_settings 1 1 1.5"):
        assert fail(engine, bad).startswith("syntax error"), bad
    for bad in ("time_left b 10", "time_left x 10 0", "time_left b ten 0", "time_left b 10 -1"):
        assert fail(engine, bad).startswith("syntax error"), bad


# --- SGF -----------------------------------------------------------------------


def test_printsgf_and_loadsgf_round_trip(tmp_path):
    from engine import sgf

    engine = make_engine(9, komi=6.5, seed=2)
    ok(engine, "fixed_handicap 2")
    for color in "wbwbwb":
        ok(engine, f"genmove {color}")
    text = ok(engine, "printsgf")
    assert text.startswith("(;")
    assert sgf.parse_sgf(text).moves == engine.game.moves
    path = tmp_path / "game.sgf"
    assert ok(engine, f"printsgf {path}") == ""
    played_black, played_white = stones(engine, "b"), stones(engine, "w")
    moves = list(engine.game.moves)

    ok(engine, "boardsize 13")
    ok(engine, "komi 0.5")
    ok(engine, f"loadsgf {path}")
    assert engine.game.size == 9 and engine.game.komi == 6.5
    assert (stones(engine, "b"), stones(engine, "w")) == (played_black, played_white)
    assert engine.game.moves == moves

    ok(engine, f"loadsgf {path} 3")  # the position before move 3: two moves played
    assert engine.game.moves == moves[:2]
    assert engine.game.to_play == moves[2][0]
    assert stones(engine, "b") == {"C3", "G7", flat_to_gtp(moves[1][1], 9)}
    ok(engine, f"loadsgf {path} 1")
    assert engine.game.moves == [] and engine.game.to_play == WHITE
    ok(engine, f"loadsgf {path} 1000")
    assert engine.game.moves == moves


def test_loadsgf_failures_leave_the_game_alone(tmp_path):
    engine = make_engine(5)
    play_all(engine, "b c3")
    garbage = tmp_path / "garbage.sgf"
    garbage.write_bytes(b"\xff\x00 not an sgf (;")
    illegal = tmp_path / "illegal.sgf"
    illegal.write_text("(;GM[1]FF[4]SZ[5];B[cc];W[cc])")
    for path in (tmp_path / "missing.sgf", garbage, illegal, tmp_path):
        assert fail(engine, f"loadsgf {path}").startswith("cannot load file"), path
    for bad in ("loadsgf", f"loadsgf {illegal} 0", f"loadsgf {illegal} x", f"loadsgf {illegal} 1 2"):
        assert fail(engine, bad).startswith("syntax error"), bad
    assert stones(engine, "b") == {"C3"} and engine.game.size == 5


def test_printsgf_to_a_bad_path_fails(tmp_path):
    engine = make_engine()
    assert fail(engine, f"printsgf {tmp_path / 'no' / 'such' / 'dir.sgf'}").startswith("cannot save file")
    assert fail(engine, "printsgf a b").startswith("syntax error")


# --- the wire: serve ---------------------------------------------------------


def test_serve_answers_until_quit():
    out = io.BytesIO()
    engine = make_engine()
    assert engine.serve(io.BytesIO(b"1 name\n\n# comment\nquit\nname\n"), out) == 0
    assert out.getvalue() == b"=1 Dosaku\n\n= \n\n"


def test_serve_ends_cleanly_at_end_of_input_even_mid_line():
    assert serve_bytes(b"") == []
    assert serve_bytes(b"protocol_version") == ["= 2"]
    assert serve_bytes(b"protocol_version\r\nname\r\n") == ["= 2", "= Dosaku"]


def test_serve_refuses_huge_lines_and_keeps_the_id():
    huge = b"7 play b " + b"a" * (2 * MAX_LINE_CHARS)
    responses = serve_bytes(huge + b"\nprotocol_version\n" + b"x" * (3 * MAX_LINE_CHARS))
    assert responses[0].startswith("?7 line too long")
    assert responses[1:] == ["= 2", "? line too long (over 100000 characters)"]
    just_fits = b"name " + b"x" * (MAX_LINE_CHARS - 5)
    assert serve_bytes(just_fits + b"\n") == ["= Dosaku"]


def test_serve_survives_invalid_utf8_and_control_characters():
    responses = serve_bytes(b"\xff\xfe\n3 name \xff\xc3\n\x00\x01\x02\nplay b \xe9\xe9\nprotocol_version\n")
    assert responses[0] == "? unknown command"
    assert responses[1] == "=3 Dosaku"
    assert responses[2].startswith("? syntax error")
    assert responses[3] == "= 2"


def test_serve_stops_when_the_controller_goes_away():
    class ClosedPipe(io.RawIOBase):
        def write(self, data):
            raise BrokenPipeError

    engine = make_engine()
    assert engine.serve(io.BytesIO(b"name\nname\n"), ClosedPipe()) == 0


# --- the wire: a real subprocess ---------------------------------------------


def test_subprocess_plays_a_game_against_a_local_player():
    engine = EngineProcess("--size", "7", "--komi", "6.5", "--player", "random", "--seed", "4")
    try:
        assert engine.ask("1 protocol_version") == "=1 2"
        local, white = GameState(7, 6.5), RandomPlayer(99)
        number = 2
        while not local.is_over():
            if local.to_play == BLACK:
                reply = engine.ask(f"{number} genmove b")
                assert reply.startswith(f"={number} ")
                local.play(gtp_to_flat(reply.split(" ", 1)[1], 7), BLACK)
            else:
                vertex = flat_to_gtp(white.genmove(local).move, 7)
                assert engine.ask(f"{number} play w {vertex}") == f"={number} "
                local.play(gtp_to_flat(vertex, 7), WHITE)
            number += 1
        assert engine.ask("final_score") == f"= {local.result()}"
        board = {flat_to_gtp(m, 7) for m in local.stones(BLACK)}
        assert set(engine.ask("list_stones black")[2:].split()) == board
        assert engine.ask("showboard").startswith("= \n")
        assert engine.ask("quit") == "= "
        status, errors = engine.close()
        assert status == 0, errors
    finally:
        engine.kill()


def test_subprocess_survives_garbage_and_ends_at_end_of_input():
    data = (
        b"\xff\xfe\x00garbage \x80\n"
        + b"9 " + b"y" * (3 * MAX_LINE_CHARS) + b"\n"
        + b"boardsize 1000\nplay q q\nundo\ngenmove b\n\n\n#\n"
        + b"protocol_version"  # no final newline
    )  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "gtp"],
        cwd=REPO_ROOT,
        input=data,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    responses = result.stdout.decode().split("\n\n")
    assert responses[-1] == "" and responses[-2] == "= 2"
    assert responses[0] == "? unknown command" and responses[1].startswith("?9 line too long")
    assert len(responses) == 8
    assert b"Traceback" not in result.stderr


def test_cli_parser_defaults_and_choices():
    args = build_parser().parse_args(["gtp"])
    assert (args.komi, args.seed) == (7.5, 0)
    from arena.player_spec import make_player
    from cli import gtp
    from cli.play import resolve_size
    from cli.players import make_search_player, options_spec

    # Size and player are resolved after parsing: a --model decides both when given;
    # without one, rollout search.
    assert resolve_size(args.size, args.model) == 9
    assert isinstance(make_player(options_spec(args), args.seed), MCTSPlayer)
    assert (args.time_per_move, args.resign_threshold) == (None, 0.05)
    player, timing = make_search_player(args, args.seed, log=io.StringIO())
    assert player.resign.winrate == 0.05 and timing.time_per_move is None and timing.max_simulations is None
    args = build_parser().parse_args(["gtp", "--time-per-move", "2.5", "--sims", "300", "--resign-threshold", "0"])
    player, timing = make_search_player(args, args.seed, log=io.StringIO())
    assert (timing.time_per_move, timing.max_simulations, player.resign.enabled) == (2.5, 300, False)
    for bad in (["--time-per-move", "0"], ["--time-per-move", "-1"], ["--time-per-move", "inf"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["gtp", *bad])
    random = options_spec(build_parser().parse_args(["gtp", "--player", "random"]))
    assert isinstance(make_player(random, 0), RandomPlayer)

    assert args.run is gtp.run
    args = build_parser().parse_args(["gtp", "--size", "13", "--komi", "6.5", "--seed", "3"])
    assert (args.size, args.komi, args.seed) == (13, 6.5, 3)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["gtp", "--player", "nobody"])


# --- fuzzing -----------------------------------------------------------------

# printsgf writes only here. Named at import (the strategies need it) but made by the
# fixture, so a process that collects the module without running it leaves nothing behind.
FUZZ_DIR = os.path.join(tempfile.gettempdir(), f"dosaku-gtp-fuzz-{os.getpid()}")


@pytest.fixture(scope="module", autouse=True)
def fuzz_dir():
    """Make the fuzz tests' directory, and remove it with what they wrote once the module is done."""
    os.makedirs(FUZZ_DIR, exist_ok=True)
    yield FUZZ_DIR
    shutil.rmtree(FUZZ_DIR, ignore_errors=True)


FUZZ_NAMES = sorted(set(REQUIRED_COMMANDS) - {"quit", "printsgf"}) + ["frobnicate", "PLAY", "GenMove", "12"]
FUZZ_TOKENS = (
    "b w black WHITE B x pass PASS A1 a1 T19 t19 J9 e5 C3 I5 Z1 A0 A99 A-1 "
    "0 1 2 3 -1 5 7 9 13 19 20 81 360 400 7.5 -3 1e3 nan inf 1e999 99999999999999999999999 "
    f"{FUZZ_DIR}/x.sgf {FUZZ_DIR} /nonexistent.sgf"
).split()
token = st.one_of(
    st.sampled_from(FUZZ_TOKENS),
    st.text(st.characters(blacklist_characters="\n#", blacklist_categories=("Cs",)), min_size=1, max_size=6),
)
command_line = st.one_of(
    st.tuples(st.sampled_from(FUZZ_NAMES), st.lists(token, max_size=4)).map(lambda t: " ".join([t[0], *t[1]])),
    # printsgf takes only safe arguments: a random one would be a file name to write.
    st.sampled_from(["printsgf", f"printsgf {FUZZ_DIR}/y.sgf", "printsgf /nonexistent/dir/z.sgf"]),
)
EXTENSION_TOKENS = [
    "interval",
    "maxmoves",
    "minmoves",
    "ownership",
    "true",
    "false",
    "pvlength",
    "avoid",
    "allow",
    "1",
    "5",
    "10",
    "50",
    "0",
    "-1",
    "b",
    "w",
    "d4,e5",
    "none",
    "absolute",
    "canadian",
    "byoyomi",
    "dead",
    "alive",
    "seki",
    "0.5",
    "3600",
    "1e308",
    "chinese",
    "japanese",
    '{"ko":"POSITIONAL"}',
]
extension_line = st.tuples(
    st.sampled_from(EXTENSION_COMMANDS + ["genmove", "play", "time_settings", "time_left", "undo", "boardsize"]),
    st.lists(st.one_of(st.sampled_from(EXTENSION_TOKENS), token), max_size=6),
).map(lambda t: " ".join([t[0], *t[1]]))


class SteppingClock:
    """A fake clock that moves a second at every reading: a timed search stops at its minimum."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def search_engine(size: int = 5, seed: int = 0) -> GTPEngine:
    """An engine with a small uniform search (analysis works) on a fake clock (time settings cost nothing)."""
    player = MCTSPlayer(UniformEvaluator(), simulations=16, seed=seed)
    timing = TimeManager(clock=SteppingClock())
    return build_engine(player, size=size, komi=7.5, log=io.StringIO(), timing=timing)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(command_line, max_size=25), st.lists(st.booleans(), min_size=25, max_size=25))
def test_fuzz_commands_every_line_gets_one_answer(lines, with_ids):
    numbered = [f"{i} {line}" if with_id else line for i, (line, with_id) in enumerate(zip(lines, with_ids))]
    data = "\n".join([*numbered, "protocol_version", ""]).encode("utf-8")
    responses = serve_bytes(data, make_engine(5, seed=len(lines)))
    assert len(responses) == len(lines) + 1
    assert responses[-1] == "= 2"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(extension_line, max_size=15), st.lists(st.booleans(), min_size=15, max_size=15))
def test_fuzz_extension_commands_and_interrupted_analyses_every_line_gets_one_answer(lines, with_ids):
    # Each analysis is interrupted by the line after it (or by the end of input).
    numbered = [f"{i} {line}" if with_id else line for i, (line, with_id) in enumerate(zip(lines, with_ids))]
    data = "\n".join([*numbered, "protocol_version", ""]).encode("utf-8")
    engine = search_engine(seed=len(lines))
    responses = serve_bytes(data, engine)
    assert len(responses) == len(lines) + 1
    assert responses[-1] == "= 2"
    assert "Traceback" not in engine.log.getvalue()


def test_fuzz_analysis_handled_line_by_line_and_on_finished_games():
    engine = search_engine(seed=3)
    for line in ("play b pass", "play w pass", "lz-analyze 1", "kata-analyze w 1 ownership true",
                 "final_status_list dead", "kgs-genmove_cleanup b", "lz-genmove_analyze w 1",
                 "boardsize 2", "kata-genmove_analyze 1", "dosaku-analyze 0", "final_status_list seki"):  # fmt: skip
        response = engine.handle_line(line)
        assert response.startswith(("= ", "? ")) and response.endswith("\n\n"), (line, response)
        assert "\n\n" not in response[:-2]
    assert "Traceback" not in engine.log.getvalue()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=60), max_size=20))
def test_fuzz_random_bytes_never_silence_the_engine(chunks):
    data = b"\n".join(chunks)
    while b"quit" in data:  # the one command that may stop the answers
        data = data.replace(b"quit", b"")
    responses = serve_bytes(data + b"\nprotocol_version\n")
    assert responses[-1] == "= 2"
    assert len(responses) <= data.count(b"\n") + 2  # at most one answer a line


def test_fuzz_seeded_byte_streams_with_huge_lines_and_commands_out_of_order():
    rng = random.Random(20240531)
    pieces = [
        b"genmove b", b"undo", b"undo", b"fixed_handicap 4", b"boardsize 19", b"place_free_handicap 360",
        b"play w t19", b"loadsgf", b"komi 1e308", b"time_left b 1 1", b"set_free_handicap", b"showboard",
        b"clear_board", b"final_score", b"is_legal b a1", b"list_stones w", b"reg_genmove w", b"boardsize 2",
        b"lz-analyze 1", b"kata-analyze b 1 ownership true", b"final_status_list dead", b"kgs-genmove_cleanup w",
        b"lz-genmove_analyze b 1", b"kgs-time_settings byoyomi 1 1 1", b"time_settings 0 1 1",
    ]  # fmt: skip
    for _ in range(30):
        parts = []
        for _ in range(rng.randrange(1, 40)):
            roll = rng.random()
            if roll < 0.5:
                parts.append(rng.choice(pieces) + b" " + bytes(rng.randrange(256) for _ in range(rng.randrange(4))))
            elif roll < 0.95:
                parts.append(bytes(rng.randrange(256) for _ in range(rng.randrange(80))))
            else:
                parts.append(b"x" * rng.randrange(MAX_LINE_CHARS - 10, 2 * MAX_LINE_CHARS))
        data = b"\n".join(parts).replace(b"quit", b"")  # random bytes spelling quit: no fear, but no risk
        responses = serve_bytes(data + b"\nprotocol_version\n", search_engine(9, seed=rng.randrange(100)))
        assert responses[-1] == "= 2"
        assert len(responses) <= data.count(b"\n") + 2


# --- engine bugs found on the way (see the report) ---------------------------


@pytest.mark.parametrize("vertex", ["A٣", "A²"])
def test_gtp_to_flat_refuses_non_ascii_digits(vertex):
    with pytest.raises(CoordinateError):
        gtp_to_flat(vertex, 9)
