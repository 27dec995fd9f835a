"""Life and death at the end of a game: ``final_status_list`` and ``kgs-genmove_cleanup``.

Ownership: float ``[N*N]`` in [-1, 1], +1 = black will own the point, -1 = white
(flat moves, row 0 at the top). It comes from the network's ownership head when
the player has one, else from playouts (``gtp_playouts.py``: random moves that
neither fill their own eyes nor self-atari): the mean Tromp-Taylor owner of each
point over many games played out from the position. Playouts capture what is
clearly dead, keep what has two eyes, and leave a seki's shared liberties empty,
so playouts also give each point's ``neutral`` share: the games that end with it
owned by nobody.

A chain (a string of stones) is judged by the mean ownership of its points from its
own colour's view: ``dead`` below ``-DEAD_OWNERSHIP`` (the opponent owns it with
high confidence); ``seki`` when a liberty of it stays neutral in most playouts
(with a network's ownership alone: when its own ownership is within
``SHARED_OWNERSHIP`` of 0 and it touches a neutral point); ``alive`` otherwise.
"""

from __future__ import annotations

import numpy as np

from arena.gtp_playouts import ownership_counts
from engine import rules
from engine.coords import flat_to_rowcol, rowcol_to_flat
from engine.game import BLACK, EMPTY, GameState, opponent
from mcts.evaluators import head_ownership

PLAYOUTS = 400  # enough for a steady mean (standard error below 0.05 per point)
DEAD_OWNERSHIP = 0.5
SHARED_OWNERSHIP = 0.3
SEKI_NEUTRAL = 0.5  # a liberty empty at the end of this share of playouts is a seki's
STATUSES = ("alive", "dead", "seki")


def playout_estimate(game: GameState, playouts: int = PLAYOUTS, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean final owner of each point over playouts from ``game`` (black +1), and the
    share of playouts that leave each point to nobody."""
    rng = np.zeros(1, np.uint64)
    rules.seed_rng(rng, seed)
    size = game.size
    used = int(game.state[rules.META_HISTORY_LEN])
    room = 3 * size * size  # a playout rarely runs longer; the cap ends superko fights
    history = np.zeros(used + room + 1, np.uint64)
    history[:used] = game.history[:used]
    black, white = np.zeros(size * size), np.zeros(size * size)
    ownership_counts(game.state, history, rng, playouts, room, black, white)
    return (black - white) / playouts, 1.0 - (black + white) / playouts


def playout_ownership(game: GameState, playouts: int = PLAYOUTS, seed: int = 0) -> np.ndarray:
    """The mean final owner of ``playout_estimate`` alone."""
    return playout_estimate(game, playouts, seed)[0]


def estimate_ownership(game: GameState, evaluator=None, playouts: int = PLAYOUTS,
                       seed: int = 0) -> tuple[np.ndarray, np.ndarray | None]:  # fmt: skip
    """``(ownership, neutral share)``: from the network when it has the head for this
    board (no neutral share then), else from playouts."""
    ownership = head_ownership(evaluator, game) if evaluator is not None else None
    return (ownership, None) if ownership is not None else playout_estimate(game, playouts, seed)


def neighbours(move: int, size: int) -> list[int]:
    """The up to four points next to ``move``."""
    row, col = flat_to_rowcol(move, size)
    steps = ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1))
    return [rowcol_to_flat(r, c, size) for r, c in steps if 0 <= r < size and 0 <= c < size]


def chains(game: GameState) -> list[tuple[int, list[int], set[int]]]:
    """Every chain on the board: ``(colour, stones ascending, liberties)``, top-left first."""
    size = game.size
    board = game.board().ravel()
    seen = np.zeros(size * size, np.bool_)
    found = []
    for start in range(size * size):
        color = int(board[start])
        if color == EMPTY or seen[start]:
            continue
        stones, liberties, stack = [], set(), [start]
        seen[start] = True
        while stack:
            point = stack.pop()
            stones.append(point)
            for nb in neighbours(point, size):
                if board[nb] == EMPTY:
                    liberties.add(nb)
                elif board[nb] == color and not seen[nb]:
                    seen[nb] = True
                    stack.append(nb)
        found.append((color, sorted(stones), liberties))
    return found


def chain_statuses(game: GameState, ownership: np.ndarray,
                   neutral: np.ndarray | None = None) -> list[tuple[str, list[int]]]:  # fmt: skip
    """``(status, stones)`` of every chain (see the module docstring for the rule)."""
    dame = game.owner() == EMPTY  # Tromp-Taylor's owner as the board stands
    judged = []
    for color, stones, liberties in chains(game):
        mine = float(np.mean(ownership[stones])) * (1.0 if color == BLACK else -1.0)
        if neutral is not None:
            shared = any(neutral[p] >= SEKI_NEUTRAL for p in liberties)
        else:
            shared = abs(mine) <= SHARED_OWNERSHIP and any(dame[p] for p in liberties)
        if mine < -DEAD_OWNERSHIP:
            status = "dead"
        elif shared:
            status = "seki"
        else:
            status = "alive"
        judged.append((status, stones))
    return judged


def cleanup_move(game: GameState, color: int, ownership: np.ndarray) -> int | None:
    """A move for ``color`` that removes dead opponent stones, or None when none are left.

    Plays a liberty of the dead chain closest to capture (fewest liberties); among
    its liberties, one where the new stone keeps the most liberties itself, so the
    opponent cannot take it back (a lone stone dropped into atari would be wasted).
    """
    dead = [(len(libs), stones, libs) for c, stones, libs in chains(game) if c == opponent(color)
            and float(np.mean(ownership[stones])) * (1.0 if color == BLACK else -1.0) > DEAD_OWNERSHIP]  # fmt: skip
    for _, _stones, liberties in sorted(dead, key=lambda d: (d[0], d[1])):
        best, best_room = None, -1
        for point in sorted(liberties):
            if not game.is_legal(point, color):
                continue
            after = game.copy()
            after.play(point, color)
            room = next(len(libs) for c, stones, libs in chains(after) if point in stones)
            if room > best_room:
                best, best_room = point, room
        if best is not None:
            return best
    return None
