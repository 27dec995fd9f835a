"""The rules of Go as Go problems: a position from a diagram, a move, the outcome.

Tromp-Taylor rules as DESIGN.md states them: captures, suicide illegal, positional
superko illegal (any earlier board, whoever was to move), area scoring with komi,
two passes end the game, resignation, a move cap. Points are GTP vertices (``C4``:
column C, row 4 counted from the bottom); diagrams have row 1 at the bottom.
"""

import numpy as np
import pytest

from engine.coords import flat_to_gtp, gtp_to_flat
from engine.diagram import draw_board, game_from_diagram, parse_diagram
from engine.game import BLACK, EMPTY, WHITE, GameState, IllegalMoveError

LETTER = {BLACK: "B", WHITE: "W"}


# --- helpers: GTP vertices in, failures that show the board ----------------------


def point(game, vertex):
    return gtp_to_flat(vertex, game.size)


def at(game, vertex):
    """Colour on ``vertex``."""
    return int(game.board().ravel()[point(game, vertex)])


def legal(game, vertex, color=None):
    return game.is_legal(point(game, vertex), color)


def reason(game, vertex, color=None):
    return game.illegal_reason(point(game, vertex), color)


def show(game):
    """The board with coordinates and the moves played, for assertion messages."""
    moves = " ".join(f"{LETTER[c]} {flat_to_gtp(m, game.size)}" for c, m in game.moves)
    return f"\n{draw_board(game)}\nto play: {LETTER[game.to_play]}  moves: {moves or '-'}"


def play(game, vertex, color=None):
    """Play one move (``'pass'`` allowed); return the stones it captured. Fails with the board."""
    try:
        return game.play(point(game, vertex), color)
    except IllegalMoveError as err:
        pytest.fail(f"{err}{show(game)}")


def play_moves(game, sequence):
    """Play ``'B D11, W J11, ...'`` with explicit colours; return the captures of each move."""
    captured = []
    for item in sequence.split(","):
        letter, vertex = item.split()
        captured.append(play(game, vertex, {"B": BLACK, "W": WHITE}[letter]))
    return captured


def board_after(game, vertex, color=None):
    """The board that ``vertex`` would produce, played without the legality check."""
    twin = game.copy()
    twin.play_unchecked(point(game, vertex), game.to_play if color is None else color)
    return twin.board()


def assert_empty(game, *vertices):
    for vertex in vertices:
        assert at(game, vertex) == EMPTY, f"{vertex} should be empty{show(game)}"


# --- captures ----------------------------------------------------------------------


def test_single_stone_capture_and_the_point_becomes_suicide_for_the_loser():
    game = game_from_diagram("""
        .....
        ..X..
        .XO..
        ..X..
        .....""")
    assert play(game, "D3") == 1, show(game)
    assert_empty(game, "C3")
    assert game.captures(BLACK) == 1 and game.captures(WHITE) == 0, show(game)
    assert reason(game, "C3", WHITE) == "suicide", show(game)


def test_multi_stone_capture():
    game = game_from_diagram("""
        .......
        .......
        .XXX...
        XOOO...
        .XXX...
        .......
        .......""")
    assert play(game, "E4") == 3, show(game)
    assert_empty(game, "B4", "C4", "D4")
    assert game.captures(BLACK) == 3, show(game)


def test_one_move_captures_four_groups_at_once():
    game = game_from_diagram("""
        .........
        .........
        ....X....
        ...XOX...
        ..XO.OX..
        ...XOX...
        ....X....
        .........
        .........""")
    assert play(game, "E5") == 4, show(game)
    assert_empty(game, "E6", "D5", "F5", "E4")
    assert game.captures(BLACK) == 4, show(game)


def test_one_move_captures_two_groups_of_different_sizes_on_the_edge():
    game = game_from_diagram("""
        .........
        .........
        .........
        .........
        .........
        .........
        .........
        .XXXXXX..
        XOO.OOOX.""")
    assert play(game, "D1") == 5, show(game)
    assert_empty(game, "B1", "C1", "E1", "F1", "G1")
    assert game.captures(BLACK) == 5, show(game)
    # Captures add up over the game and are kept per colour.
    assert play(game, "J9", WHITE) == 0, show(game)
    assert game.captures(BLACK) == 5 and game.captures(WHITE) == 0, show(game)


@pytest.mark.parametrize(
    ("where", "move", "captured"),
    [("corner", "A2", ["A1"]), ("edge", "C4", ["C5"]), ("edge pair", "E1", ["C1", "D1"])],
)
def test_capture_on_the_edge_and_in_the_corner(where, move, captured):
    game = game_from_diagram("""
        .XOX.
        .....
        .....
        ..XX.
        OXOO.""")
    assert play(game, move) == len(captured), f"{where}{show(game)}"
    assert_empty(game, *captured)
    assert at(game, move) == BLACK, show(game)


def test_captures_in_the_corners_and_on_the_edge_of_a_19x19_board():
    game = game_from_diagram("""
        OX......XOX........
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ...................
        ..................X
        ..................O""")
    assert play_moves(game, "B A18, W K10, B S1, W K9, B K18") == [1, 0, 1, 0, 1], show(game)
    assert_empty(game, "A19", "T1", "K19")
    assert game.captures(BLACK) == 3 and game.captures(WHITE) == 0, show(game)
    # The corner is black's now: a white stone at A19, between B19 and A18, is suicide.
    assert reason(game, "A19", WHITE) == "suicide", show(game)


# --- suicide -----------------------------------------------------------------------


def test_suicide_of_one_stone_is_illegal():
    game = game_from_diagram("""
        .X...
        X....
        ..X..
        .X.X.
        ..X..""")
    for vertex in ("A5", "C2"):
        assert reason(game, vertex, WHITE) == "suicide", f"white {vertex}{show(game)}"
        assert legal(game, vertex, BLACK), f"black may fill its own eye at {vertex}{show(game)}"
    game.to_play = WHITE
    with pytest.raises(IllegalMoveError, match="suicide") as err:
        game.play(point(game, "A5"))
    assert err.value.reason == "suicide"
    assert game.moves == [] and at(game, "A5") == EMPTY, show(game)


def test_suicide_of_several_stones_is_illegal_but_the_same_point_captures_for_the_other_side():
    game = game_from_diagram("""
        .......
        .......
        .......
        .......
        XXXX...
        OOOX...
        .OOX...""")
    assert reason(game, "A1", WHITE) == "suicide", show(game)  # would kill its own six stones
    game_two = game_from_diagram("""
        OX...
        .X...
        XX...
        .....
        .....""", to_play=WHITE)
    assert reason(game_two, "A4") == "suicide", show(game_two)  # two stones without a liberty
    # Black's A1 has no empty neighbour either, but it captures: legal.
    assert play(game, "A1", BLACK) == 5, show(game)
    assert_empty(game, "A2", "B2", "C2", "B1", "C1")


def test_move_that_looks_like_suicide_but_captures_is_legal():
    game = game_from_diagram("""
        .XO..
        XO...
        .....
        .....
        .....""", to_play=WHITE)
    assert legal(game, "A5"), show(game)  # no empty neighbour, but B5 has only A5
    assert play(game, "A5") == 1, show(game)
    assert_empty(game, "B5")
    assert at(game, "A5") == WHITE, show(game)


# --- snapback and ko -------------------------------------------------------------


def test_snapback():
    game = game_from_diagram("""
        .....
        .....
        XXXX.
        OOOX.
        ..OX.""")
    assert play_moves(game, "B B1, W A1, B B1") == [0, 1, 5], show(game)
    assert_empty(game, "A1", "A2", "B2", "C2", "C1")
    assert at(game, "B1") == BLACK, show(game)
    assert game.captures(BLACK) == 5 and game.captures(WHITE) == 1, show(game)


KO = """
    .........
    .........
    .........
    ...XO....
    ..X.XO...
    ...XO....
    .........
    XO.......
    .X......."""


def test_ko_immediate_retake_is_illegal():
    game = game_from_diagram(KO, to_play=WHITE)
    assert play(game, "D5") == 1, show(game)  # white takes the ko
    why = reason(game, "E5")
    assert why is not None and why.startswith("superko"), show(game)
    with pytest.raises(IllegalMoveError) as err:
        game.play(point(game, "E5"))
    assert err.value.reason.startswith("superko")
    # A pass changes nothing on the board: the retake stays illegal.
    play(game, "pass")
    assert reason(game, "E5", BLACK).startswith("superko"), show(game)


def test_ko_retake_is_legal_after_a_ko_threat_exchange():
    game = game_from_diagram(KO, to_play=WHITE)
    play(game, "D5")
    assert not legal(game, "E5"), show(game)
    play_moves(game, "B C2, W B3")  # black threatens B2, white answers
    assert legal(game, "E5"), show(game)
    assert play(game, "E5") == 1, show(game)  # black retakes
    assert reason(game, "D5").startswith("superko"), show(game)  # now white needs a threat


# --- superko -----------------------------------------------------------------------

# Three kos at once. Ko 1 (C11/D11) and ko 3 (C3/D3) hold a white stone black may
# take; ko 2 (J11/K11) holds a black stone white may take.
TRIPLE_KO = """
    .............
    ..XO....XO...
    .XO.O..X.XO..
    ..XO....XO...
    .............
    .............
    .............
    .............
    .............
    ..XO.........
    .XO.O........
    ..XO.........
    ............."""


def test_triple_ko_cycle_is_refused_by_positional_superko():
    game = game_from_diagram(TRIPLE_KO)
    start = game.board()
    # Each side takes a ko in turn; no move retakes the ko just taken.
    assert play_moves(game, "B D11, W J11, B D3, W C11, B K11") == [1, 1, 1, 1, 1], show(game)
    boards = [start]
    replay = game_from_diagram(TRIPLE_KO)
    for color, move in game.moves:
        replay.play(move, color)
        boards.append(replay.board())
    # White C3 takes ko 3 back. A simple-ko rule allows it: it does not recreate the
    # position before black's last move...
    after = board_after(game, "C3")
    assert not np.array_equal(after, boards[-2]), show(game)
    # ...but it recreates the start position, six moves ago.
    assert np.array_equal(after, start), show(game)
    why = reason(game, "C3")
    assert why is not None and why.startswith("superko"), show(game)
    # The ko black just took is an ordinary ko; the rest of the board is open.
    assert reason(game, "J11").startswith("superko"), show(game)
    assert legal(game, "G7") and legal(game, "pass"), show(game)


def test_sending_two_returning_one_cycle_is_refused_by_positional_superko():
    # Black throws in a second stone at C1, white takes two at A1, and black's
    # recapture of one stone at B1 would bring back the start position, now with white
    # to move. Not a ko retake, so simple ko allows it; nor did that board ever occur
    # with white to move, so situational superko would too. Positional superko does not.
    diagram = """
        .....
        .....
        .....
        XOO..
        .X.O."""
    game = game_from_diagram(diagram)
    assert play_moves(game, "B C1, W A1") == [0, 2], show(game)
    after = board_after(game, "B1")
    assert np.array_equal(after, game_from_diagram(diagram).board()), show(game)
    assert reason(game, "B1").startswith("superko"), show(game)
    assert not game.legal_moves()[point(game, "B1")], show(game)


def test_superko_refuses_a_move_that_captures_nothing():
    # The start has black's two stones B1-C1 in atari. White takes them, black takes
    # back one at B1, white passes, and black's C1 would rebuild the start: a repeat
    # made by a move that captures nothing, of a position from before the last capture.
    diagram = """
        .....
        .....
        .....
        XOO..
        .XXO."""
    game = game_from_diagram(diagram, to_play=WHITE)
    assert play_moves(game, "W A1, B B1, W pass") == [2, 1, 0], show(game)
    assert np.array_equal(board_after(game, "C1"), game_from_diagram(diagram).board()), show(game)
    assert reason(game, "C1").startswith("superko"), show(game)
    assert not game.legal_moves()[point(game, "C1")], show(game)
    assert legal(game, "C1", WHITE), show(game)  # white there makes a new position


def test_superko_sees_a_repeat_made_by_capturing_a_group_that_touches_the_move_twice():
    # White surrounds black's corner stone from both sides (B2, A2, then B1 takes A1)
    # while black passes. Black's A1 takes the three stones back, and that capture
    # touches the group through both A2 and B1: the board would be the start again.
    diagram = """
        .....
        .....
        XXX..
        ..X..
        X.X.."""
    game = game_from_diagram(diagram, to_play=WHITE)
    assert play_moves(game, "W B2, B pass, W A2, B pass, W B1") == [0, 0, 0, 0, 1], show(game)
    assert np.array_equal(board_after(game, "A1"), game_from_diagram(diagram).board()), show(game)
    assert reason(game, "A1").startswith("superko"), show(game)


# --- scoring -----------------------------------------------------------------------

SEKI = """
    .OOX.X.
    OOOXXXX
    .OOXXXX
    OOOXXXX
    OOOXXXX
    XXXOOOX
    .X.O.OX"""


def test_seki_is_seki():
    game = game_from_diagram(SEKI)
    # Neither side can approach: filling C1 puts one's own group in atari, and the
    # other's eye is suicide.
    assert reason(game, "E1", BLACK) == "suicide", show(game)
    assert reason(game, "A1", WHITE) == "suicide", show(game)
    twin = game.copy()
    play(twin, "C1", BLACK)
    assert play(twin, "A1", WHITE) == 5, show(twin)


def test_seki_scored_under_tromp_taylor():
    # Black: 24 stones + E7, G7 and A1 (reached by black only, even if it is an eye of
    # a group in seki) = 27. White: 18 stones + A7, A5, E1 = 21. C1 touches both: nobody's.
    game = game_from_diagram(SEKI, komi=7.5)
    assert game.score() == 27 - 21 - 7.5, show(game)
    assert game.result() == "W+1.5" and game.winner() == WHITE, show(game)
    game = game_from_diagram(SEKI, komi=0.5)
    assert game.result() == "B+5.5" and game.winner() == BLACK, show(game)


SPLIT = """
    ..XO.
    ..XO.
    ..XO.
    ..XO.
    ..XO."""


@pytest.mark.parametrize(
    ("komi", "result", "winner"),
    [(0.5, "B+4.5", BLACK), (7.5, "W+2.5", WHITE), (5, "0", EMPTY), (5.0, "0", EMPTY), (-2, "B+7", BLACK)],
)
def test_area_score_with_komi(komi, result, winner):
    # Black 15 points of area, white 10.
    game = game_from_diagram(SPLIT, komi=komi)
    assert game.score() == 15 - 10 - komi, show(game)
    assert game.result() == result, show(game)
    assert game.winner() == winner, show(game)


def test_empty_board_belongs_to_nobody():
    for size in (5, 9, 19):
        game = GameState(size, komi=7.5)
        assert game.score() == -7.5, show(game)
        assert game.result() == "W+7.5", show(game)
        assert (game.owner() == EMPTY).all(), show(game)


def test_one_stone_owns_the_whole_board():
    game = GameState(13, komi=6.5)
    play(game, "G7")
    assert game.score() == 169 - 6.5, show(game)
    assert game.result() == "B+162.5", show(game)


def test_dead_stones_count_as_they_stand():
    # Tromp-Taylor removes nothing: the hopeless white stone at B4 still counts for
    # white and spoils black's territory around it.
    game = game_from_diagram("""
        ..XO.
        .OXO.
        ..XO.
        ..XO.
        ..XO.""", komi=0)
    assert game.score() == (5 + 0) - (5 + 5 + 1), show(game)


def test_owner_map_of_a_finished_position():
    game = game_from_diagram(SEKI)
    play_moves(game, "B pass, W pass")
    assert game.is_over(), show(game)
    expected = np.array(parse_diagram("""
        OOOXXXX
        OOOXXXX
        OOOXXXX
        OOOXXXX
        OOOXXXX
        XXXOOOX
        XX.OOOX""")).ravel()
    assert np.array_equal(game.owner(), expected), f"owner\n{game.owner().reshape(7, 7)}{show(game)}"


def test_owner_map_with_dame():
    game = game_from_diagram("""
        .X.O.
        .X.O.
        XX.OO
        .....
        .....""")
    expected = np.array(parse_diagram("""
        XX.OO
        XX.OO
        XX.OO
        .....
        .....""")).ravel()
    assert np.array_equal(game.owner(), expected), f"owner\n{game.owner().reshape(5, 5)}{show(game)}"


# --- end of the game ---------------------------------------------------------------


def test_two_consecutive_passes_end_the_game():
    game = GameState(9, komi=7.5)
    play(game, "E5")
    play(game, "pass")
    assert not game.is_over() and game.consecutive_passes == 1, show(game)
    play(game, "pass")
    assert game.is_over(), show(game)
    assert not game.legal_moves().any(), show(game)
    for vertex in ("D4", "pass"):
        assert reason(game, vertex) == "the game is over", show(game)
        with pytest.raises(IllegalMoveError, match="over"):
            game.play(point(game, vertex))
    assert game.result() == "B+73.5", show(game)


def test_a_stone_between_passes_resets_the_count():
    game = GameState(7, komi=7.5)
    play_moves(game, "B pass, W D4, B pass, W pass")
    assert game.is_over(), show(game)
    game = GameState(7, komi=7.5)
    play_moves(game, "B pass, W D4")
    assert game.consecutive_passes == 0 and not game.is_over(), show(game)
    play(game, "pass")
    assert game.consecutive_passes == 1 and not game.is_over(), show(game)


def test_undo_after_the_end_reopens_the_game():
    game = GameState(5, komi=0.5)
    play_moves(game, "B C3, W pass, B pass")
    assert game.is_over(), show(game)
    game.undo()
    assert not game.is_over() and game.to_play == BLACK, show(game)
    assert legal(game, "D4"), show(game)


def test_resumed_game_after_two_passes_goes_on_and_ends_again():
    game = GameState(5, komi=0.5)
    play_moves(game, "B C3, W pass, B pass")
    assert game.is_over(), show(game)
    game.resume()  # a GTP clean-up phase: the passes no longer count
    assert not game.is_over() and game.consecutive_passes == 0, show(game)
    play_moves(game, "W D4, B pass, W pass")
    # One stone each, and every empty point touches both: 1 - 1 - 0.5.
    assert game.is_over() and game.result() == "W+0.5", show(game)


def test_resignation():
    game = GameState(9, komi=7.5)
    play(game, "E5")  # black far ahead on the board
    game.resign()  # white, to move, resigns
    assert game.is_over(), show(game)
    assert game.winner() == BLACK and game.result() == "B+R", show(game)
    assert not game.legal_moves().any(), show(game)
    assert reason(game, "D4") == "the game is over", show(game)
    game.undo()  # takes back the resignation, not the move
    assert not game.is_over() and game.result() == "B+73.5", show(game)
    assert len(game.moves) == 1 and game.to_play == WHITE, show(game)
    game.resign(BLACK)
    assert game.winner() == WHITE and game.result() == "W+R", show(game)


def test_move_cap_ends_the_game_and_scores_it_as_it_stands():
    game = GameState(5, komi=0.5, max_moves=3)
    play_moves(game, "B C3, W pass, B D3")
    assert game.is_over(), show(game)
    assert reason(game, "B2", WHITE) == "the game is over", show(game)
    assert game.result() == "B+24.5", show(game)
    game = game_from_diagram(SPLIT, komi=7.5, max_moves=2)
    play_moves(game, "B A1, W E1")
    assert game.is_over() and game.result() == "W+2.5", show(game)
