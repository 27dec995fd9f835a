"""Boards as text: ASCII diagrams in (tests, problems) and out (GTP showboard, terminal).

Diagram input: one line per row from the top, ``X`` (or ``#``, ``B``) black,
``O`` (or ``W``) white, ``.`` (or ``+``) empty; spaces are ignored, so rows may be
indented or spaced out. The drawing output uses the same letters with GTP
coordinates around the board.
"""

from __future__ import annotations

from engine.coords import GTP_COLUMNS, rowcol_to_flat
from engine.game import BLACK, EMPTY, WHITE, GameState

_SYMBOLS = {"X": BLACK, "#": BLACK, "B": BLACK, "O": WHITE, "W": WHITE, ".": EMPTY, "+": EMPTY}


def parse_diagram(text: str) -> list[list[int]]:
    """Rows of colours from a diagram; raises ValueError on a bad or ragged one."""
    rows = []
    for line in text.strip("\n").splitlines():
        cells = line.replace(" ", "").replace("\t", "")
        if not cells:
            continue
        try:
            rows.append([_SYMBOLS[ch.upper()] for ch in cells])
        except KeyError as err:
            raise ValueError(f"diagram row {len(rows) + 1}: unknown symbol {err.args[0]!r}") from None
    size = len(rows)
    if any(len(row) != size for row in rows):
        raise ValueError(f"diagram is not square: {size} rows of lengths {[len(r) for r in rows]}")
    return rows


def game_from_diagram(text: str, komi: float = 0.0, to_play: int = BLACK, max_moves: int = 0) -> GameState:
    """A game whose start position is the diagram (stones placed as setup), ``to_play`` to move."""
    rows = parse_diagram(text)
    size = len(rows)
    game = GameState(size, komi, max_moves)
    for color in (BLACK, WHITE):
        points = [rowcol_to_flat(r, c, size) for r, row in enumerate(rows) for c, v in enumerate(row) if v == color]
        game.place_setup_stones(color, points)
    game.to_play = to_play
    return game


def diagram(game: GameState) -> str:
    """The bare diagram of the position (the inverse of ``parse_diagram``)."""
    letters = {EMPTY: ".", BLACK: "X", WHITE: "O"}
    return "\n".join("".join(letters[int(v)] for v in row) for row in game.board())


def draw_board(game: GameState, mark_last: bool = True) -> str:
    """The position with GTP coordinates, the last move in parentheses, and the captures."""
    size = game.size
    letters = {EMPTY: ".", BLACK: "X", WHITE: "O"}
    last = game.last_move if mark_last else None
    header = "   " + " ".join(GTP_COLUMNS[c] for c in range(size))
    lines = [header]
    board = game.board()
    for r in range(size):
        # Each point is drawn after a separator: "(" before the last move and ")"
        # after it, so the marked stone keeps its column.
        cells = ""
        separator = " "
        for c in range(size):
            point = rowcol_to_flat(r, c, size)
            symbol = letters[int(board[r, c])]
            if symbol == "." and _is_star_point(r, c, size):
                symbol = "+"
            if point == last:
                separator = "("
            cells += separator + symbol
            separator = ")" if point == last else " "
        lines.append(f"{size - r:2d}{cells}{separator}{size - r:d}")
    lines.append(header)
    lines.append(f"captured by black: {game.captures(BLACK)}  captured by white: {game.captures(WHITE)}")
    return "\n".join(lines)


def _is_star_point(row: int, col: int, size: int) -> bool:
    if size < 7:
        return False
    edge = 3 if size >= 13 else 2
    lines = {edge, size - 1 - edge}
    if size % 2 == 1:
        lines.add(size // 2)
    return row in lines and col in lines
