"""Numba kernels of the network's input features, version 2 (KataGo-style planes).

Version 1 is AlphaGo Zero's 17 planes (``rules.write_features``). Version 2
follows KataGo's inputs (``fillRowV7`` in its ``nninputs.cpp``), reduced to what
area scoring with positional superko needs, all from the view of the player to move:

====  ==========================================================================
0     ones on the board (convolutions pad with zeros, so this plane shows the edge)
1, 2  stones of the player to move, of the opponent
3-5   the player to move's chains with 1, 2, 3 or more liberties
6-8   the opponent's chains with 1, 2, 3 or more liberties
9     empty points the player to move may not play only because the move would
      repeat a position (ko, superko); not occupied points, not suicides
10    komi for the player to move (+komi for white, -komi for black) / 20
11-15 the last 5 moves, one plane each (11: the opponent's last move, 12: the one
      before, ...); a pass marks nothing here
16-20 whether each of those 5 moves was a pass (all ones if so)
====  ==========================================================================

History planes stop at the start of the game and at the first move that breaks the
alternation of colours (GTP lets one colour play twice), as KataGo's do. There is no
colour-to-move plane: under area scoring the rules treat both colours alike except
for komi, which plane 10 gives from the mover's side, so the colour adds nothing
(KataGo has none either). KataGo's pass flags are global inputs; this network has
only planes, so they are constant planes, as the komi is.

The last moves are read off the state's ring of earlier boards (the one version 1
stacks): the move ``t`` moves ago is the one point empty on the board ``t`` moves
ago and taken on the board after it (a capture only empties points, and suicide is
illegal); no point like that means a pass. Every plane is a property of the
position and its history that the 8 board symmetries carry along point by point,
and planes 0, 10 and 16-20 are the same at every point, so the planes of a
transformed position are the transformed planes.
"""

import numpy as np
from numba import njit

from engine import rules
from engine.coords import adjacent_offsets

V1_PLANES = 2 * (rules.PAST_SLOTS + 1) + 1  # AlphaGo Zero's: 8 boards of 2 colours, colour to move
V2_PLANES = 21
ON_BOARD = 0
OWN_STONES = 1
OPPONENT_STONES = 2
OWN_LIBERTIES = 3  # planes 3, 4, 5: 1, 2, 3+ liberties
OPPONENT_LIBERTIES = 6  # planes 6, 7, 8
REPETITION_BAN = 9
KOMI = 10
LAST_MOVES = 11  # planes 11..15
PASSES = 16  # planes 16..20
HISTORY_MOVES = 5
KOMI_SCALE = 20.0  # KataGo's V7 inputs: komi / 20


@njit(cache=True, inline="always")
def _playable_but_for_repetition(state, loc, color):
    """Whether ``color`` at the empty padded ``loc`` has a liberty or captures: a move
    that the legal mask still refuses can then only repeat a position."""
    colors, chain_head, _next_in_chain, _num_stones, num_liberties = rules.board_arrays(state)
    adjacent = adjacent_offsets(state[rules.META_SIZE])
    other = 3 - color
    for k in range(4):
        nb = loc + adjacent[k]
        c = colors[nb]
        if c == rules.EMPTY:
            return True
        if c == color and num_liberties[chain_head[nb]] > 1:
            return True
        if c == other and num_liberties[chain_head[nb]] == 1:
            return True
    return False


@njit(**rules.NO_REFCOUNTS)
def write_features_v2_with_legal(state, legal, komi, out):
    """Version 2 planes into ``out`` (float32 ``[21, N, N]``), given ``legal`` (bool
    ``[N*N+1]``), ``legal_mask``'s answer for the player to move of this position.

    The search computes that mask for every leaf anyway, so it is taken, not redone.
    """
    size = state[rules.META_SIZE]
    width = size + 1
    colors, chain_head, _next_in_chain, _num_stones, num_liberties = rules.board_arrays(state)
    me = state[rules.META_TO_PLAY]
    other = 3 - me
    own_komi = komi if me == rules.WHITE else -komi
    bound = size * size + 1.0  # as KataGo: a komi beyond the board's area means no more
    own_komi = min(max(own_komi, -bound), bound)
    komi_value = own_komi / KOMI_SCALE
    out[:] = 0.0
    for row in range(size):
        for col in range(size):
            loc = (row + 1) * width + col + 1
            out[ON_BOARD, row, col] = 1.0
            out[KOMI, row, col] = komi_value
            c = colors[loc]
            if c == rules.EMPTY:
                if not legal[row * size + col] and _playable_but_for_repetition(state, loc, me):
                    out[REPETITION_BAN, row, col] = 1.0
                continue
            liberties = min(num_liberties[chain_head[loc]], 3)
            if c == me:
                out[OWN_STONES, row, col] = 1.0
                out[OWN_LIBERTIES + liberties - 1, row, col] = 1.0
            else:
                out[OPPONENT_STONES, row, col] = 1.0
                out[OPPONENT_LIBERTIES + liberties - 1, row, col] = 1.0

    moves = state[rules.META_MOVE_NUMBER]
    mover = other  # who made the move t moves ago, if colours alternated
    for t in range(1, HISTORY_MOVES + 1):
        if t > moves:
            break
        # Board after the move t moves ago, and the board before it (the ring's slot
        # ``m % PAST_SLOTS`` holds the board before move ``m``).
        after = colors if t == 1 else rules.past_colors(state, (moves - t + 1) % rules.PAST_SLOTS)
        before = rules.past_colors(state, (moves - t) % rules.PAST_SLOTS)
        placed_row = -1
        placed_col = -1
        placed_color = rules.EMPTY
        for row in range(size):
            for col in range(size):
                loc = (row + 1) * width + col + 1
                if before[loc] == rules.EMPTY and after[loc] != rules.EMPTY:
                    placed_row, placed_col, placed_color = row, col, after[loc]
        if placed_row < 0:
            for row in range(size):
                for col in range(size):
                    out[PASSES + t - 1, row, col] = 1.0
        elif placed_color != mover:
            break  # one colour played twice: older moves would mislead
        else:
            out[LAST_MOVES + t - 1, placed_row, placed_col] = 1.0
        mover = 3 - mover


@njit(**rules.COUNTS_REFERENCES)
def write_features_v2(state, history, komi, out):
    """Version 2 planes of the position into ``out`` (float32 ``[21, N, N]``);
    ``history`` (the game's position hashes) decides the ko and superko bans."""
    size = state[rules.META_SIZE]
    legal = np.empty(size * size + 1, np.bool_)
    rules.legal_mask(state, history, state[rules.META_TO_PLAY], legal)
    write_features_v2_with_legal(state, legal, komi, out)


@njit(**rules.COUNTS_REFERENCES)
def write_features_of_version(version, state, history, komi, out):
    """The planes of feature ``version`` (1 or 2) into ``out``; see ``engine.features``."""
    if version == 2:
        write_features_v2(state, history, komi, out)
    else:
        rules.write_features(state, out)
