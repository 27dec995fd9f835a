"""Set openings for matches: a few random moves, the same for both colours, drawn from a seed.

Two deterministic players (networks at a fixed number of simulations) would
replay the same two games over and over; sampling their first moves instead
changes how they play. Engine testing (fishtest, cutechess) does it differently:
each *pair* of games starts from the same opening, once with each player as
black, and the players then play as well as they can. Any edge the opening gives
one colour is then given to both players, and the pair measures only who plays
the rest better.

Here an opening is ``moves`` uniformly random legal moves, alternating colours
from black. On boards of 7x7 and up the first line is left out: a random stone
on the edge is a wasted move that decides nothing but tempo. Policy-sampled
openings would look more like Go, but from whose policy? Either network's would
lead into positions it knows; uniform moves favour neither. Opening ``index`` is
drawn from ``(seed, index)`` alone, so it is the same in every process, on every
resume, and in every pairing of an experiment (game pair k of A vs B and of A vs
a reference start alike).
"""

from __future__ import annotations

import numpy as np

from engine.game import GameState

EDGE_FREE_FROM = 7  # boards this size and up keep openings off the first line


def default_opening_moves(size: int) -> int:
    """Moves in an opening when not told: a third of the side (1 on 5x5, 3 on 9x9)."""
    return max(1, size // 3)


def random_opening(size: int, moves: int, seed: int, index: int) -> tuple[int, ...]:
    """Opening ``index``: ``moves`` random legal moves (flat, black first) from ``(seed, index)``."""
    if moves < 0:
        raise ValueError(f"an opening cannot have {moves} moves")
    if moves >= size * size // 2:
        raise ValueError(f"an opening of {moves} moves leaves little of a {size}x{size} board to play")
    rng = np.random.default_rng([abs(seed), int(seed < 0), index])
    allowed = _allowed_points(size)
    game = GameState(size, 0.0)
    opening = []
    for _ in range(moves):
        legal = np.flatnonzero(game.legal_moves()[: size * size] & allowed)
        move = int(legal[rng.integers(len(legal))])
        game.play(move)
        opening.append(move)
    return tuple(opening)


def _allowed_points(size: int) -> np.ndarray:
    """Bool mask of the points an opening may use: all, or all off the first line on larger boards."""
    allowed = np.ones((size, size), np.bool_)
    if size >= EDGE_FREE_FROM:
        allowed[0, :] = allowed[-1, :] = allowed[:, 0] = allowed[:, -1] = False
    return allowed.ravel()
