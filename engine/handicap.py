"""Handicap stone placement, as the GTP specification (section 4.1.1) fixes it.

Fixed handicap exists on boards of 7x7 and larger: 2 to 9 stones on odd sizes
(at most 4 on 7x7 and on even sizes, which have no centre lines). Stones go on
the 3rd line (index 2) below 13x13 and on the 4th line from 13x13 up.
"""

from __future__ import annotations

from engine.coords import rowcol_to_flat
from engine.game import BLACK, WHITE, GameState


def max_fixed_handicap(size: int) -> int:
    if size < 7:
        return 0
    if size == 7 or size % 2 == 0:
        return 4
    return 9


def fixed_handicap_moves(size: int, stones: int) -> list[int]:
    """Flat moves of ``stones`` handicap stones in the spec's order; ValueError if impossible."""
    limit = max_fixed_handicap(size)
    if not 2 <= stones <= max(limit, 1) or limit == 0:
        raise ValueError(
            f"fixed handicap on {size}x{size} takes 2 to {limit} stones, not {stones}"
            if limit
            else f"no fixed handicap on a {size}x{size} board"
        )
    edge = 3 if size >= 13 else 2
    low, mid, high = edge, size // 2, size - 1 - edge
    # (row, col) with row 0 at the top: "D4" is bottom-left, "Q16" top-right.
    bottom_left, top_right = (high, low), (low, high)
    top_left, bottom_right = (low, low), (high, high)
    left, right, top, bottom, centre = (mid, low), (mid, high), (low, mid), (high, mid), (mid, mid)
    order = {
        2: [bottom_left, top_right],
        3: [bottom_left, top_right, top_left],
        4: [bottom_left, top_right, top_left, bottom_right],
        5: [bottom_left, top_right, top_left, bottom_right, centre],
        6: [bottom_left, top_right, top_left, bottom_right, left, right],
        7: [bottom_left, top_right, top_left, bottom_right, left, right, centre],
        8: [bottom_left, top_right, top_left, bottom_right, left, right, bottom, top],
        9: [bottom_left, top_right, top_left, bottom_right, left, right, bottom, top, centre],
    }[stones]
    return [rowcol_to_flat(r, c, size) for r, c in order]


def handicap_game(size: int, komi: float, stones: int) -> GameState:
    """A new game with ``stones`` fixed handicap stones for black, white to move;
    0 stones is an even game, black to move. ValueError for a handicap the board has not."""
    game = GameState(size, komi)
    if stones:
        game.place_setup_stones(BLACK, fixed_handicap_moves(size, stones))
        game.to_play = WHITE
    return game
