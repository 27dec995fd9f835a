"""Fixed handicap placement as GTP (section 4.1.1) fixes it, free handicap placement,
and a handicap game's start.

19x19 and 13x13 use the 4th line, 9x9 the 3rd; odd boards from 9x9 take up to 9
stones, 7x7 and even boards up to 4; nothing below 7x7.
"""

import numpy as np
import pytest

from engine.coords import flat_to_gtp, gtp_to_flat
from engine.diagram import draw_board, parse_diagram
from engine.game import BLACK, EMPTY, WHITE, GameState
from engine.handicap import fixed_handicap_moves, free_handicap_moves, max_fixed_handicap

TABLES = {
    19: {
        2: "D4 Q16",
        3: "D4 Q16 D16",
        4: "D4 Q16 D16 Q4",
        5: "D4 Q16 D16 Q4 K10",
        6: "D4 Q16 D16 Q4 D10 Q10",
        7: "D4 Q16 D16 Q4 D10 Q10 K10",
        8: "D4 Q16 D16 Q4 D10 Q10 K4 K16",
        9: "D4 Q16 D16 Q4 D10 Q10 K4 K16 K10",
    },
    13: {
        2: "D4 K10",
        3: "D4 K10 D10",
        4: "D4 K10 D10 K4",
        5: "D4 K10 D10 K4 G7",
        6: "D4 K10 D10 K4 D7 K7",
        7: "D4 K10 D10 K4 D7 K7 G7",
        8: "D4 K10 D10 K4 D7 K7 G4 G10",
        9: "D4 K10 D10 K4 D7 K7 G4 G10 G7",
    },
    9: {
        2: "C3 G7",
        3: "C3 G7 C7",
        4: "C3 G7 C7 G3",
        5: "C3 G7 C7 G3 E5",
        6: "C3 G7 C7 G3 C5 G5",
        7: "C3 G7 C7 G3 C5 G5 E5",
        8: "C3 G7 C7 G3 C5 G5 E3 E7",
        9: "C3 G7 C7 G3 C5 G5 E3 E7 E5",
    },
    # 7x7 and even boards: the corners only (as GNU Go, GTP's reference implementation,
    # places them). 12x12 is left out on purpose: GNU Go puts its stones on the 4th
    # line, gomill and Dosaku on the 3rd.
    7: {2: "C3 E5", 3: "C3 E5 C5", 4: "C3 E5 C5 E3"},
    8: {2: "C3 F6", 3: "C3 F6 C6", 4: "C3 F6 C6 F3"},
    14: {4: "D4 L11 D11 L4"},
}


def show(game):
    moves = " ".join(f"{'B' if c == BLACK else 'W'} {flat_to_gtp(m, game.size)}" for c, m in game.moves)
    setup = " ".join(flat_to_gtp(m, game.size) for _, m in game.setup)
    return f"\n{draw_board(game)}\nsetup: {setup or '-'}  moves: {moves or '-'}"


def vertices(size, moves):
    return " ".join(flat_to_gtp(m, size) for m in moves)


@pytest.mark.parametrize(
    ("size", "stones", "expected"),
    [(size, stones, expected) for size, table in TABLES.items() for stones, expected in table.items()],
)
def test_fixed_handicap_placement_follows_the_gtp_table(size, stones, expected):
    assert vertices(size, fixed_handicap_moves(size, stones)) == expected


@pytest.mark.parametrize(("size", "limit"), [(5, 0), (6, 0), (7, 4), (8, 4), (9, 9), (10, 4), (13, 9), (18, 4), (19, 9)])
def test_maximum_fixed_handicap(size, limit):
    assert max_fixed_handicap(size) == limit


@pytest.mark.parametrize(
    ("size", "stones", "message"),
    [
        (19, 10, "2 to 9"),
        (19, 1, "2 to 9"),
        (19, 0, "2 to 9"),
        (13, 10, "2 to 9"),
        (9, 10, "2 to 9"),
        (7, 5, "2 to 4"),
        (8, 5, "2 to 4"),
        (12, 9, "2 to 4"),
        (6, 2, "no fixed handicap"),
        (5, 2, "no fixed handicap"),
        (5, 4, "no fixed handicap"),
        (2, 2, "no fixed handicap"),
    ],
)
def test_impossible_fixed_handicap_is_refused(size, stones, message):
    with pytest.raises(ValueError, match=message):
        fixed_handicap_moves(size, stones)


def test_nine_stones_on_9x9_are_the_star_points():
    game = GameState(9, komi=0.5)
    game.place_setup_stones(BLACK, fixed_handicap_moves(9, 9))
    assert np.array_equal(game.board(), parse_diagram("""
        .........
        .........
        ..X.X.X..
        .........
        ..X.X.X..
        .........
        ..X.X.X..
        .........
        .........""")), show(game)


@pytest.mark.parametrize(("size", "stones"), [(9, 5), (13, 4), (19, 9), (19, 2), (7, 4)])
def test_handicap_game_starts_with_the_stones_and_white_to_move(size, stones):
    moves = fixed_handicap_moves(size, stones)
    game = GameState(size, komi=0.5)
    game.place_setup_stones(BLACK, moves)
    game.to_play = WHITE
    assert game.stones(BLACK) == sorted(moves) and game.stones(WHITE) == [], show(game)
    assert game.moves == [] and game.move_number == 0 and game.last_move is None, show(game)
    # Setup stones are the start position, not moves: no history planes yet, and
    # the player to move (white) sees them as the opponent's stones.
    features = game.features()
    assert np.array_equal(features[1].ravel(), game.board().ravel() == BLACK), show(game)
    assert not features[0].any() and not features[2:].any(), show(game)
    # Area counting: with nothing else on the board, black owns it all.
    assert game.result() == f"B+{size * size - 0.5:g}", show(game)
    # White moves first; undo goes back to the handicap position, white to move.
    centre = (size // 2) * size + size // 2
    first = centre if game.board().ravel()[centre] == EMPTY else gtp_to_flat("B2", size)
    game.play(first)
    assert game.moves == [(WHITE, first)] and game.to_play == BLACK, show(game)
    game.undo()
    assert game.to_play == WHITE and game.stones(BLACK) == sorted(moves) and game.moves == [], show(game)


@pytest.mark.parametrize("size", [2, 3, 4, 5, 6, 7, 8, 9, 13, 19])
def test_free_handicap_moves_are_distinct_and_fill_the_board_but_one_point(size):
    for stones_wanted in sorted({2, 3, 5, 9, 10, size * size // 2, size * size - 1} - {0, 1}):
        if stones_wanted >= size * size:
            continue
        moves = free_handicap_moves(size, stones_wanted)
        assert len(moves) == len(set(moves)) == stones_wanted
        assert all(0 <= m < size * size for m in moves)
        game = GameState(size, komi=0)
        game.place_setup_stones(BLACK, moves)  # every stone keeps a liberty
    with pytest.raises(ValueError):
        free_handicap_moves(size, size * size)


def test_free_handicap_starts_from_the_fixed_points_then_takes_the_roomiest_point():
    # 5x5 has no fixed handicap: the spec's order with the stones on the 2nd line, the centre for odd counts.
    assert [flat_to_gtp(m, 5) for m in free_handicap_moves(5, 5)] == ["B2", "D4", "B4", "D2", "C3"]
    # 9x9: the nine fixed points, then the 10th where room (nearest stone, or twice the
    # distance to the edge) is largest: 2 at best, and A9 is the first such point, top-left.
    moves = free_handicap_moves(9, 10)
    assert moves[:9] == fixed_handicap_moves(9, 9)
    assert flat_to_gtp(moves[9], 9) == "A9"
