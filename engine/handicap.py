"""Handicap stone placement, as the GTP specification (section 4.1.1) fixes it.

Fixed handicap exists on boards of 7x7 and larger: 2 to 9 stones on odd sizes
(at most 4 on 7x7 and on even sizes, which have no centre lines). Stones go on
the 3rd line (index 2) below 13x13 and on the 4th line from 13x13 up.

Free handicap (GTP's ``place_free_handicap``) is the engine's own choice: the fixed
points first, then each further stone on the point that leaves the most room
(``free_handicap_moves``).
"""

from __future__ import annotations

import numpy as np

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


def free_handicap_moves(size: int, stones: int) -> list[int]:
    """Flat moves of ``stones`` free handicap stones on a ``size`` x ``size`` board.

    The fixed points come first where the board has them (2nd-line points stand in
    on 4x4 to 6x6); further stones go one at a time to the empty point that leaves
    the most room: the largest of min(distance to the nearest stone, twice the
    distance to the edge), because a stone near the edge owns only that much.
    Raises ValueError unless ``2 <= stones < size * size``.
    """
    if not 2 <= stones < size * size:
        raise ValueError(f"{stones} handicap stones do not fit a {size}x{size} board")
    moves = _handicap_pattern(size, stones)
    rows, cols = np.divmod(np.arange(size * size), size)
    line = np.minimum(np.minimum(rows, cols), np.minimum(size - 1 - rows, size - 1 - cols))
    room = 2.0 * (line + 1)
    for move in moves:
        room = np.minimum(room, np.hypot(rows - rows[move], cols - cols[move]))
    while len(moves) < stones:
        room[moves] = -1.0  # taken points are never chosen again
        move = int(np.argmax(room))  # first best point in row-major order: deterministic
        moves.append(move)
        room = np.minimum(room, np.hypot(rows - rows[move], cols - cols[move]))
    return moves


def _handicap_pattern(size: int, stones: int) -> list[int]:
    """The fixed-handicap points to start a free placement with (maybe none)."""
    limit = max_fixed_handicap(size)
    if limit >= 2:
        return fixed_handicap_moves(size, min(stones, limit))
    if not 4 <= size <= 6:
        return []
    # Boards too small for fixed handicap: the spec's order with the stones on the
    # 2nd line (index 1), up to 9 stones on 5x5 and 4 on the even sizes.
    low, mid, high = 1, size // 2, size - 2
    corners = [(high, low), (low, high), (low, low), (high, high)]
    sides = [(mid, low), (mid, high), (high, mid), (low, mid)]
    count = min(stones, 9 if size % 2 else 4)
    if count <= 4:
        points = corners[:count]
    elif count % 2 == 1:  # odd counts take the centre
        points = corners + sides[: count - 5] + [(mid, mid)]
    else:
        points = corners + sides[: count - 4]
    return [rowcol_to_flat(r, c, size) for r, c in points]
