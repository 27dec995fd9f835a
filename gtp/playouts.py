"""Numba kernels of the ownership playouts behind ``final_status_list`` (``gtp/status.py``).

Light random playouts (the engine's ``playout``) let a player fill its own area down
to one eye and die, so walls that are plainly alive come out owned half the time.
These playouts keep the two rules Monte Carlo Go programs use for judging the end
of a game: never fill one's own eye, and never play a self-atari (a move that
leaves the mover's chain with one liberty without capturing). Groups with room
for two eyes then live, dead stones are taken off, and a seki stays a seki (its
shared liberties are self-ataris for both sides, so they stay empty).

Arrays in, arrays out; positions are the engine's ``state``/``history`` (see
``engine/rules.py``), locations padded.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine import rules
from engine.coords import PASS_LOC, adjacent_offsets, flat_to_padded


@njit(cache=True)
def is_self_atari(state, loc, color):
    """True if ``color`` at empty ``loc`` leaves its chain one liberty or none, capturing nothing."""
    colors, chain_head, next_in_chain, _num_stones, num_liberties = rules.board_arrays(state)
    offsets = adjacent_offsets(state[rules.META_SIZE])
    other = 3 - color
    found = -1  # the one liberty found so far (padded), -1 for none
    for k in range(4):
        nb = loc + offsets[k]
        c = colors[nb]
        if c == rules.EMPTY:
            if found < 0:
                found = nb
            elif nb != found:
                return False
        elif c == other:
            if num_liberties[chain_head[nb]] == 1:
                return False  # captures: the capture makes liberties
        elif c == color:
            h = chain_head[nb]
            if num_liberties[h] >= 3:
                return False  # at least two left besides loc
            stone = h
            while True:  # a chain with one or two liberties: find them
                for j in range(4):
                    lib = stone + offsets[j]
                    if lib != loc and colors[lib] == rules.EMPTY:
                        if found < 0:
                            found = lib
                        elif lib != found:
                            return False
                stone = next_in_chain[stone]
                if stone == h:
                    break
    return True


@njit(cache=True)
def _playout_move(state, history, rng, candidates):
    """A random legal move of the player to move that neither fills its own eye nor is
    a self-atari; ``PASS_LOC`` when none is left."""
    size = state[rules.META_SIZE]
    color = state[rules.META_TO_PLAY]
    colors = rules.board_arrays(state)[0]
    n = 0
    for move in range(size * size):
        loc = flat_to_padded(move, size)
        if colors[loc] == rules.EMPTY:
            candidates[n] = loc
            n += 1
    while n > 0:  # rejection sampling without replacement: uniform over the valid moves
        i = rules.random_below(rng, n)
        loc = candidates[i]
        if (
            not rules.is_own_eye(state, loc, color)
            and not is_self_atari(state, loc, color)
            and rules.legality(state, history, loc, color) == rules.REASON_LEGAL
        ):
            return loc
        n -= 1
        candidates[i] = candidates[n]
    return PASS_LOC


@njit(cache=True)
def ownership_counts(state, history, rng, playouts, max_moves, black, white):
    """Play ``playouts`` games out from ``state`` (two passes or ``max_moves`` moves)
    and add 1 to ``black``/``white`` (float64 ``[N*N]``) where each colour owns a point
    at the end. ``history`` needs room for ``max_moves`` entries past the game's own."""
    size = state[rules.META_SIZE]
    scratch = np.empty_like(state)
    owner = np.empty(size * size, np.int8)
    candidates = np.empty(size * size, np.int32)
    for _ in range(playouts):
        scratch[:] = state  # the history past the game's own length is scratch space
        scratch[rules.META_PASSES] = 0  # play on even after two passes ended the game
        played = 0
        while scratch[rules.META_PASSES] < 2 and played < max_moves:
            loc = _playout_move(scratch, history, rng, candidates)
            rules.play_unchecked(scratch, history, loc, scratch[rules.META_TO_PLAY], False)
            played += 1
        rules.owner_map(scratch, owner)
        for i in range(size * size):
            if owner[i] == rules.BLACK:
                black[i] += 1.0
            elif owner[i] == rules.WHITE:
                white[i] += 1.0
