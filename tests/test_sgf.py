"""SGF records: round trips through text, a known game, malformed files, atomic saving."""

from __future__ import annotations

import datetime
import os

import numpy as np
import pytest

from engine.coords import gtp_to_flat
from engine.diagram import diagram, game_from_diagram
from engine.files import atomic_write_bytes, atomic_write_text
from engine.game import BLACK, WHITE, GameState
from engine.handicap import fixed_handicap_moves
from engine.ruleset import SGF_RULES
from engine.sgf import (
    GameRecord,
    SGFError,
    game_to_sgf,
    load_sgf_file,
    parse_sgf,
    record_from_game,
    record_to_game,
    save_sgf_file,
    write_sgf,
)
from mcts.players import RandomPlayer

# --- helpers -------------------------------------------------------------------


def random_game(size: int, seed: int, max_length: int, pass_every: int = 0, game: GameState | None = None) -> GameState:
    """A random game (no eye filling) of at most ``max_length`` moves, with a pass every ``pass_every`` moves."""
    game = GameState(size, 7.5) if game is None else game
    player = RandomPlayer(seed)
    while not game.is_over() and len(game.moves) < max_length:
        if pass_every and len(game.moves) % pass_every == pass_every - 1:
            game.play(game.pass_move)
        else:
            game.play(player.genmove(game).move)
    return game


def assert_same_game(actual: GameState, expected: GameState) -> None:
    """Same size, komi, setup, moves, position, player to move, captures and outcome."""
    assert actual.size == expected.size
    assert actual.komi == expected.komi
    assert sorted(actual.setup) == sorted(expected.setup)
    assert actual.moves == expected.moves
    assert np.array_equal(actual.board(), expected.board())
    assert actual.hash() == expected.hash()
    assert actual.to_play == expected.to_play
    assert actual.captures(BLACK) == expected.captures(BLACK)
    assert actual.captures(WHITE) == expected.captures(WHITE)
    assert actual.is_over() == expected.is_over()
    if expected.is_over():
        assert actual.result() == expected.result()


def moves_from_gtp(size: int, *items: str) -> list[tuple[int, int]]:
    """``"B E5", "W pass"`` -> ``[(BLACK, flat), (WHITE, pass)]``."""
    colours = {"B": BLACK, "W": WHITE}
    return [(colours[item.split()[0]], gtp_to_flat(item.split()[1], size)) for item in items]


# --- round trips ---------------------------------------------------------------


@pytest.mark.parametrize("size, max_length", [(5, 400), (9, 400), (13, 400), (19, 250)])
def test_random_game_round_trips_through_sgf_text(size, max_length):
    game = random_game(size, seed=size, max_length=max_length, pass_every=23)
    assert game.captures(BLACK) + game.captures(WHITE) > 0, "the game should exercise captures"
    assert any(move == game.pass_move for _, move in game.moves), "the game should exercise passes"
    comments = {0: "root: a game ] with \\ escapes\nand two lines", 1: "first move", len(game.moves): "碁 the end"}

    text = game_to_sgf(game, black="Black Bot", white="White Bot", date="2024-05-06", comments=comments)
    record = parse_sgf(text)

    assert record.size == size
    assert record.komi == 7.5
    assert (record.black, record.white, record.date, record.rules) == (
        "Black Bot",
        "White Bot",
        "2024-05-06",
        SGF_RULES,
    )
    assert record.result == (game.result() if game.is_over() else None)
    assert record.comments == comments
    assert record.moves == game.moves
    assert_same_game(record_to_game(record), game)


def test_finished_games_carry_their_result():
    game = random_game(9, seed=3, max_length=1000)
    assert game.is_over()
    record = parse_sgf(game_to_sgf(game))
    assert record.result == game.result()
    assert [move for _, move in record.moves[-2:]] == [game.pass_move, game.pass_move]  # ended by two passes


def test_handicap_game_round_trips_with_white_first():
    game = GameState(9, 0.5)
    game.place_setup_stones(BLACK, fixed_handicap_moves(9, 4))
    game.to_play = WHITE
    random_game(9, seed=11, max_length=60, pass_every=17, game=game)

    text = game_to_sgf(game)
    assert "PL[" not in text, "white's first move already says who starts"
    record = parse_sgf(text)

    assert record.setup_black == sorted(gtp_to_flat(v, 9) for v in ("C3", "G7", "C7", "G3"))
    assert record.setup_white == []
    assert record.moves[0][0] == WHITE
    assert_same_game(record_to_game(record), game)


def test_setup_position_round_trips_with_the_player_to_move():
    game = game_from_diagram(
        """
        .XO..
        XO.O.
        .XO..
        .....
        .....""",
        komi=2.0,
        to_play=WHITE,
    )
    back = record_to_game(parse_sgf(game_to_sgf(game)))
    assert_same_game(back, game)
    assert diagram(back) == diagram(game)


def test_resignation_round_trips():
    game = random_game(9, seed=5, max_length=20)
    game.resign(BLACK)
    text = game_to_sgf(game)
    assert "RE[W+R]" in text
    back = record_to_game(parse_sgf(text))
    assert back.result() == "W+R"
    assert back.moves == game.moves


# --- a known game -------------------------------------------------------------

# Black surrounds the white stone at D5 and captures it with D4 (move 7).
KNOWN_GAME = """
(;GM[1]FF[4]CA[UTF-8]SZ[9]KM[6.5]RU[Japanese]PB[Honinbo Shusaku]PW[Gennan Inseki]
DT[1846-09-11]RE[B+2]C[A short game \\] with a capture.]
;B[ee];W[de];B[dd];W[gg];B[ce];W[cc];B[df]C[Captures D5.];W[];B[tt])
"""


def test_known_game_parses_to_expected_moves():
    record = parse_sgf(KNOWN_GAME)

    assert (record.size, record.komi, record.rules) == (9, 6.5, "Japanese")
    assert (record.black, record.white) == ("Honinbo Shusaku", "Gennan Inseki")
    assert (record.date, record.result) == ("1846-09-11", "B+2")
    assert record.comments == {0: "A short game ] with a capture.", 7: "Captures D5."}
    assert record.first_player == BLACK
    assert record.moves == moves_from_gtp(9, "B E5", "W D5", "B D6", "W G3", "B C5", "W C7", "B D4", "W pass", "B pass")


def test_known_game_replays_to_the_expected_position():
    game = record_to_game(parse_sgf(KNOWN_GAME))
    expected = game_from_diagram(
        """
        .........
        .........
        ..O......
        ...X.....
        ..X.X....
        ...X.....
        ......O..
        .........
        ........."""
    )
    assert diagram(game) == diagram(expected)
    assert game.captures(BLACK) == 1
    assert game.is_over()  # two passes


def test_game_information_is_written():
    game = random_game(9, seed=1, max_length=10)
    text = game_to_sgf(game, black="Alice", white="Bob", result="B+R", date="2024-01-02", rules="Japanese")
    for expected in ("GM[1]", "FF[4]", "CA[UTF-8]", "AP[Dosaku:", "SZ[9]", "KM[7.5]", "RU[Japanese]"):
        assert expected in text
    for expected in ("PB[Alice]", "PW[Bob]", "RE[B+R]", "DT[2024-01-02]"):
        assert expected in text


def test_passes_are_written_as_empty_values_and_read_in_both_forms():
    game = GameState(9, 7.5)
    game.play(game.pass_move)
    game.play(gtp_to_flat("E5", 9))
    text = game_to_sgf(game)
    assert ";B[]" in text and "tt" not in text
    assert parse_sgf("(;SZ[9];B[];W[tt])").moves == moves_from_gtp(9, "B pass", "W pass")


def test_record_from_game_defaults():
    game = random_game(5, seed=2, max_length=4)
    record = record_from_game(game)
    assert record.date == datetime.date.today().isoformat()
    assert record.result is None  # the game is not over
    assert record.first_player == BLACK
    game.play(game.pass_move)
    game.play(game.pass_move)
    assert record_from_game(game).result == game.result()


# --- reading leniently --------------------------------------------------------


def test_missing_size_and_komi_default_to_19_and_0():
    record = parse_sgf("(;GM[1];B[pd])")
    assert record.size == 19
    assert record.komi == 0.0
    assert record.moves == moves_from_gtp(19, "B Q16")


def test_several_games_in_one_file_reads_the_first():
    record = parse_sgf(b"(;SZ[9];B[ee];W[cc])\n(;SZ[13];B[aa])")
    assert record.size == 9
    assert record.moves == moves_from_gtp(9, "B E5", "W C7")


def test_variations_are_ignored():
    record = parse_sgf("(;SZ[9];B[ee](;W[cc];B[gg])(;W[gc]))")
    assert record.moves == moves_from_gtp(9, "B E5", "W C7", "B G3")


def test_moves_out_of_colour_order_are_played_as_recorded():
    game = record_to_game(parse_sgf("(;SZ[9];B[ee];B[cc];W[gg])"))
    assert game.moves == moves_from_gtp(9, "B E5", "B C7", "W G3")
    assert game.to_play == BLACK


@pytest.mark.parametrize(
    "sgf_text, to_play",
    [
        ("(;SZ[9]AB[cc][gg])", WHITE),  # handicap: white starts
        ("(;SZ[9]AB[cc][gg]AW[ee])", BLACK),  # a position: black starts
        ("(;SZ[9]AB[cc][gg]PL[B])", BLACK),  # PL decides
        ("(;SZ[9]AB[cc][gg];B[ee])", BLACK),  # so does the first move
    ],
)
def test_player_to_move_after_setup(sgf_text, to_play):
    record = parse_sgf(sgf_text)
    game = record_to_game(record, up_to=0)
    assert game.to_play == to_play
    assert game.stones(BLACK) == sorted(gtp_to_flat(v, 9) for v in ("C7", "G3"))


def test_setup_nodes_before_the_first_move_accumulate():
    record = parse_sgf("(;SZ[9]AB[cc][gg]C[start];AE[gg]AW[ee]C[edited];W[dd])")
    assert record.setup_black == [gtp_to_flat("C7", 9)]
    assert record.setup_white == [gtp_to_flat("E5", 9)]
    assert record.comments == {0: "start\n\nedited"}
    assert record.moves == moves_from_gtp(9, "W D6")


def test_up_to_stops_early_with_the_next_recorded_player_to_move():
    record = parse_sgf("(;SZ[9];B[ee];W[cc];W[gg];B[dd])")
    game = record_to_game(record, up_to=2)
    assert game.moves == moves_from_gtp(9, "B E5", "W C7")
    assert game.to_play == WHITE  # move 3 is white's again
    assert record_to_game(record, up_to=99).moves == record.moves


def test_max_moves_caps_the_replay():
    record = parse_sgf("(;SZ[9];B[ee];W[cc];B[gg])")
    with pytest.raises(SGFError, match=r"move 3 \(B G3\): illegal move: the game is over"):
        record_to_game(record, max_moves=2)


# --- malformed input ----------------------------------------------------------


@pytest.mark.parametrize(
    "sgf_text, message",
    [
        ("this is not a game record", r"malformed SGF: no SGF data found"),
        ("(;GM[1]SZ[9];B[ee];W[", r"malformed SGF: unexpected end"),
        ("", r"malformed SGF"),
        ("(;SZ[25])", r"SZ\[25\]: unsupported board size"),
        ("(;SZ[1])", r"SZ\[1\]: unsupported board size"),
        ("(;SZ[abc])", r"SZ\[abc\] is not a board size"),
        ("(;SZ[9:13])", r"SZ\[9:13\] is not a board size"),
        ("(;GM[2]SZ[9])", r"GM\[2\] is not a game of Go"),
        ("(;SZ[9]KM[x])", r"KM\[x\] is not a number"),
        ("(;SZ[9]PL[x];B[aa])", r"PL\[x\] is not a colour"),
        ("(;SZ[9];B[ee];W[zz])", r"move 2: W\[zz\] is not a point of a 9x9 board"),
        ("(;SZ[9];B[e])", r"move 1: B\[e\] is not a point of a 9x9 board"),
        ("(;SZ[9];B[ee]W[cc])", r"move 1: one node holds both a black and a white move"),
        ("(;SZ[9]AB[zz])", r"AB\[zz\] is not a list of points of a 9x9 board"),
        ("(;SZ[9]AB[ee]AW[ee])", r"setup point E5 is in both AB and AW"),
        ("(;SZ[9];B[ee];W[cc];AB[gg];B[dd])", r"setup stones after move 2 are not supported"),
    ],
)
def test_malformed_input_raises_sgf_error(sgf_text, message):
    with pytest.raises(SGFError, match=message):
        parse_sgf(sgf_text)


def test_illegal_move_names_the_move_number():
    record = parse_sgf("(;SZ[9];B[ee];W[cc];B[cc])")  # parsing does not judge legality
    with pytest.raises(SGFError, match=r"^move 3 \(B C7\): illegal move: occupied$"):
        record_to_game(record)


def test_suicide_in_a_record_is_illegal():
    record = parse_sgf("(;SZ[5]AB[ba][ab];W[aa])")
    with pytest.raises(SGFError, match=r"^move 1 \(W A5\): illegal move: suicide$"):
        record_to_game(record)


@pytest.mark.parametrize("komi", ["inf", "nan", "1e400"])
def test_impossible_komi_is_an_sgf_error(komi):
    with pytest.raises(SGFError, match="komi"):
        record_to_game(parse_sgf(f"(;SZ[5]KM[{komi}])"))


def test_large_komi_is_kept():
    assert record_to_game(parse_sgf("(;SZ[5]KM[1000])")).komi == 1000


def test_bad_encoding_is_an_sgf_error():
    with pytest.raises(SGFError, match=r"PB\[.*\] is not text"):
        parse_sgf(b"(;CA[UTF-8]SZ[9]PB[\xff\xfe])")


def test_write_rejects_comments_on_missing_moves():
    record = GameRecord(size=9, komi=7.5, moves=moves_from_gtp(9, "B E5"), comments={2: "no such move"})
    with pytest.raises(SGFError, match=r"comments on moves \[2\], but the record has 1 moves"):
        write_sgf(record)


# --- files ---------------------------------------------------------------------


def test_save_and_load_file_round_trip(tmp_path):
    game = random_game(9, seed=8, max_length=30)
    path = tmp_path / "game.sgf"
    save_sgf_file(path, game_to_sgf(game, black="黒", comments={0: "ü"}))
    record = load_sgf_file(path)
    assert record.black == "黒"
    assert record.comments == {0: "ü"}
    assert_same_game(record_to_game(record), game)
    assert os.listdir(tmp_path) == ["game.sgf"]


def test_load_errors_name_the_path(tmp_path):
    missing = tmp_path / "missing.sgf"
    with pytest.raises(OSError, match="missing.sgf"):
        load_sgf_file(missing)
    broken = tmp_path / "broken.sgf"
    broken.write_bytes(b"(;SZ[9];B[ee")
    with pytest.raises(SGFError, match=r"broken\.sgf: malformed SGF"):
        load_sgf_file(broken)


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_atomic_write_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch, failing):
    path = tmp_path / "game.sgf"
    path.write_text("original")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError, match="No space left"):
        atomic_write_text(path, "new contents")
    monkeypatch.undo()

    assert path.read_text() == "original"
    assert os.listdir(tmp_path) == ["game.sgf"]


def test_atomic_write_creates_and_replaces(tmp_path):
    path = tmp_path / "data.bin"
    atomic_write_bytes(path, b"one")
    atomic_write_bytes(str(path), b"two")
    assert path.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["data.bin"]


def test_error_messages_stay_on_one_line():
    with pytest.raises(SGFError) as caught:
        parse_sgf("(;SZ[9]KM[seven\nand a half])")
    assert "\n" not in str(caught.value)
    assert r"KM[seven\nand a half] is not a number" in str(caught.value)
