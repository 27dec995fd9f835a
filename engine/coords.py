"""Every conversion between the ways Dosaku names a point on the board.

Conventions (see docs/DESIGN.md):

* **flat move**: ``0 .. N*N-1`` row-major from the top-left corner, ``PASS = N*N``.
  This is the only encoding used outside the engine (search, network, records).
* **padded location**: index into the engine's bordered board of
  ``(N+1)*(N+2)+1`` cells (KataGo layout: a one-cell ``WALL`` border, row stride
  ``N+1``, so the four neighbours of ``loc`` are ``loc-(N+1), loc-1, loc+1,
  loc+(N+1)`` and no kernel ever bounds-checks). ``PASS_LOC`` is the padded pass.
* **(row, col)**: row 0 is the top line, col 0 the left line.
* **GTP vertex**: ``A``..``T`` without ``I`` for columns, row ``1`` at the bottom,
  case-insensitive on input; ``pass`` for the pass.
* **SGF point**: ``aa`` is the top-left corner; the pass is ``""`` (``tt`` is
  accepted on input for boards up to 19x19, as FF[3] wrote it).

This module defines the padded layout: its size, the neighbour steps
(``adjacent_offsets``, ``diagonal_offsets``) and the conversions. The Numba kernels
that walk the padded board (``engine/rules.py``, ``engine/_features.py`` and the GTP
engine's playouts) do their own index arithmetic on it with those steps, and walk
rows as ``(row + 1) * (N + 1) + col + 1`` to spare a division per point. Everything
else names points by flat moves (or the text encodings above) and converts with
the functions here.
"""

from __future__ import annotations

from numba import njit

MIN_SIZE = 2
MAX_SIZE = 19  # GTP's range; the board letters stop at T.

PASS_LOC = -1  # padded pass
NO_LOC = -2  # "no move yet" in the padded encoding

GTP_COLUMNS = "ABCDEFGHJKLMNOPQRST"  # no I, as GTP and every Go board


class CoordinateError(ValueError):
    """A point name that does not exist on this board."""


@njit(cache=True, inline="always")
def padded_cells(size):
    """Number of cells of the padded board of a ``size`` x ``size`` game."""
    return (size + 1) * (size + 2) + 1


@njit(cache=True, inline="always")
def adjacent_offsets(size):
    """The steps from a padded location to its four neighbours, in the order every
    kernel visits them (above, left, right, below): KataGo's ``adj_offsets``."""
    width = size + 1
    return (-width, -1, 1, width)


@njit(cache=True, inline="always")
def diagonal_offsets(size):
    """The steps from a padded location to its four diagonal neighbours."""
    width = size + 1
    return (-width - 1, -width + 1, width - 1, width + 1)


@njit(cache=True, inline="always")
def flat_to_padded(move, size):
    """Flat move (pass included) to padded location."""
    if move == size * size:
        return PASS_LOC
    return (move // size + 1) * (size + 1) + move % size + 1


@njit(cache=True, inline="always")
def padded_to_flat(loc, size):
    """Padded location (``PASS_LOC`` included) to flat move."""
    if loc == PASS_LOC:
        return size * size
    return (loc // (size + 1) - 1) * size + loc % (size + 1) - 1


def check_size(size: int) -> int:
    """Return ``size`` if it is a legal board size, else raise ValueError."""
    if not isinstance(size, int) or not MIN_SIZE <= size <= MAX_SIZE:
        raise ValueError(f"board size must be an integer from {MIN_SIZE} to {MAX_SIZE}, got {size!r}")
    return size


def pass_move(size: int) -> int:
    """The flat pass move of a ``size`` x ``size`` board."""
    return size * size


def flat_to_rowcol(move: int, size: int) -> tuple[int, int]:
    """Flat move (not pass) to ``(row, col)``."""
    if not 0 <= move < size * size:
        raise CoordinateError(f"flat move {move} is not a point of a {size}x{size} board")
    return divmod(move, size)


def rowcol_to_flat(row: int, col: int, size: int) -> int:
    """``(row, col)`` to flat move."""
    if not (0 <= row < size and 0 <= col < size):
        raise CoordinateError(f"({row}, {col}) is off a {size}x{size} board")
    return row * size + col


def flat_to_gtp(move: int, size: int) -> str:
    """Flat move to GTP vertex (``pass`` for the pass)."""
    if move == size * size:
        return "pass"
    row, col = flat_to_rowcol(move, size)
    return f"{GTP_COLUMNS[col]}{size - row}"


def gtp_to_flat(vertex: str, size: int) -> int:
    """GTP vertex (``D4``, ``pass``; any case) to flat move."""
    text = vertex.strip().upper()
    if text == "PASS":
        return size * size
    if len(text) < 2 or text[0] not in GTP_COLUMNS or not (text[1:].isascii() and text[1:].isdigit()):
        raise CoordinateError(f"{vertex!r} is not a vertex (expected a letter A-T without I and a number, or pass)")
    col = GTP_COLUMNS.index(text[0])
    number = int(text[1:])
    if col >= size or not 1 <= number <= size:
        raise CoordinateError(f"{vertex!r} is off a {size}x{size} board")
    return rowcol_to_flat(size - number, col, size)


def flat_to_sgf(move: int, size: int) -> str:
    """Flat move to SGF point (``""`` for the pass)."""
    if move == size * size:
        return ""
    row, col = flat_to_rowcol(move, size)
    return chr(ord("a") + col) + chr(ord("a") + row)


def sgf_to_flat(point: str, size: int) -> int:
    """SGF point (``""``, or ``tt`` on boards up to 19x19, for the pass) to flat move."""
    if point == "" or (point == "tt" and size <= 19):
        return size * size
    if len(point) != 2 or not point.isalpha() or not point.islower():
        raise CoordinateError(f"{point!r} is not an SGF point")
    col, row = ord(point[0]) - ord("a"), ord(point[1]) - ord("a")
    return rowcol_to_flat(row, col, size)


def rowcol_to_sgfmill(row: int, col: int, size: int) -> tuple[int, int]:
    """``(row, col)`` to sgfmill's ``(row, col)``, whose row 0 is the *bottom* line."""
    return size - 1 - row, col


def sgfmill_to_flat(point: tuple[int, int] | None, size: int) -> int:
    """sgfmill's point (``None`` for the pass, row 0 at the bottom) to flat move."""
    if point is None:
        return size * size
    row, col = point
    return rowcol_to_flat(size - 1 - row, col, size)


def flat_to_sgfmill(move: int, size: int) -> tuple[int, int] | None:
    """Flat move to sgfmill's point (``None`` for the pass)."""
    if move == size * size:
        return None
    row, col = flat_to_rowcol(move, size)
    return rowcol_to_sgfmill(row, col, size)
