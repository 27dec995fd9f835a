"""Numba kernels of the rules of Go. Arrays and scalars in, arrays and scalars out.

A game position is two flat arrays, so that a batch of games is two 2-D arrays and
copying a position is two slice assignments:

``state``   int32 ``[state_length(N)]``: a few scalars (``META_*``), then sections of
            ``P = padded_cells(N)`` cells each (see ``coords``), named as KataGo's
            board arrays; ``board_arrays`` returns the first five as views:

            * ``colors``         colour of each cell: ``EMPTY=0, BLACK=1, WHITE=2, WALL=3``
            * ``chain_head``     for a stone, the location that names its chain (group)
            * ``next_in_chain``  for a stone, the next stone of its chain (a ring)
            * ``num_stones``     for a chain's head, its number of stones
            * ``num_liberties``  for a chain's head, its exact number of liberties
            * past boards        7 earlier ``colors`` (a ring, slot ``move_number % 7``,
                                 ``past_colors``) for the network's history planes

``history`` uint64 ``[capacity]``: the Zobrist hash of every position of the game,
            ``history[0]`` the start (after setup stones), ``history[len-1]`` now.

Superko: the hash is 64 bits wide and a hit is *not* confirmed against a stored
board. Over a game of ``M`` positions the chance of any false hit is about
``M**2 / 2**65``: 3e-14 for a 1,000-move 19x19 game, so one in ~10**13 games, far
below any other failure rate of the system, and confirming would mean keeping
every earlier board in the state that the search copies for every simulation.

Chain tracking is incremental, in the manner of KataGo's board: placing a stone
costs O(size of the smaller merged chain), a capture O(stones captured); liberty
counts are exact at all times, so legality needs no flood fill.

Kernels take *padded* locations; the ``*_flat`` entry points take flat moves.
Colours passed to kernels are ``BLACK`` or ``WHITE``.
"""

import numpy as np
from numba import njit

from engine._views import section_view
from engine.coords import (
    MAX_SIZE,
    NO_LOC,
    PASS_LOC,
    adjacent_offsets,
    diagonal_offsets,
    flat_to_padded,
    padded_cells,
    padded_to_flat,
)

EMPTY = 0
BLACK = 1
WHITE = 2
WALL = 3

PAST_SLOTS = 7  # with the current board, the 8 positions of AlphaGo Zero's features

# Scalars at the front of the state.
META_SIZE = 0  # board size N
META_TO_PLAY = 1  # BLACK or WHITE
META_PASSES = 2  # consecutive passes just played
META_MOVE_NUMBER = 3  # moves (passes included) since the start position
META_HISTORY_LEN = 4  # entries used in ``history``
META_MAX_MOVES = 5  # move cap after which the game is over; 0 for none
META_CAPTURES = 6  # [6] stones captured by black, [7] by white
META_LAST_MOVE = 8  # padded location of the last move, PASS_LOC or NO_LOC
META_LAST_CAPTURE = 9  # history index of the position made by the latest capture (0: none)
META_LENGTH = 16  # room to grow without changing the layout

# Answers of ``legality``.
REASON_LEGAL = 0
REASON_OCCUPIED = 1
REASON_SUICIDE = 2
REASON_SUPERKO = 3

# Every kernel that is not inlined says whether Numba counts its references to arrays.
# Counting costs an atomic increment and decrement for each array a kernel is handed
# and each view it takes, most of them left in place by Numba's pruning: a third of
# the search's time before its kernels went without. A kernel that allocates nothing,
# and calls only such kernels, goes without (``NO_REFCOUNTS``): it reads arrays its
# caller holds. One that allocates, or is handed an array one allocated, must count
# (``COUNTS_REFERENCES``), and says so: a kernel called from one compiled without
# counting inherits that unless it sets it, and Numba then refuses its allocation.
NO_REFCOUNTS = {"cache": True, "_nrt": False}
COUNTS_REFERENCES = {"cache": True, "_nrt": True}

# Zobrist keys: one per (colour, padded cell) of the largest board; smaller boards
# use a prefix. Fixed seed so that hashes are stable across processes and runs.
ZOBRIST = np.random.default_rng(0x5EED_D05A).integers(
    0, np.iinfo(np.int64).max, size=(3, padded_cells(MAX_SIZE)), dtype=np.int64, endpoint=True
).astype(np.uint64)


@njit(cache=True, inline="always")
def state_length(size):
    """Length of the ``state`` array of a ``size`` x ``size`` game."""
    return META_LENGTH + (5 + PAST_SLOTS) * padded_cells(size)


@njit(cache=True, inline="always")
def board_arrays(state):
    """The board sections of ``state``, named as KataGo's board arrays: ``colors``,
    ``chain_head``, ``next_in_chain``, ``num_stones`` and ``num_liberties`` (the last
    two read at a chain's head). They are views (``section_view``): nothing is
    copied, writes through them write the state, and making them costs nothing. For
    kernels only: a view holds no reference, so it is never handed back to Python."""
    cells = padded_cells(state[META_SIZE])
    return (
        section_view(state, META_LENGTH, cells),
        section_view(state, META_LENGTH + cells, cells),
        section_view(state, META_LENGTH + 2 * cells, cells),
        section_view(state, META_LENGTH + 3 * cells, cells),
        section_view(state, META_LENGTH + 4 * cells, cells),
    )


@njit(cache=True, inline="always")
def colors_of(state):
    """The ``colors`` section of ``state`` (``board_arrays``' first) alone."""
    return section_view(state, META_LENGTH, padded_cells(state[META_SIZE]))


@njit(cache=True, inline="always")
def past_colors(state, slot):
    """The colours of past board ``slot`` (``0 .. PAST_SLOTS-1``; the board before move
    ``m`` is in slot ``m % PAST_SLOTS``), a view."""
    cells = padded_cells(state[META_SIZE])
    return section_view(state, META_LENGTH + (5 + slot) * cells, cells)


@njit(cache=True, inline="always")
def present_length(size):
    """Length of the front of the state, scalars and board sections, before the past
    boards: all a copy needs when the past boards will be rewritten anyway."""
    return META_LENGTH + 5 * padded_cells(size)


@njit(cache=True, inline="always")
def adjacent_chains(colors, chain_head, loc, adjacent):
    """The distinct chains (of either colour) next to ``loc``, in neighbour order:
    their number and the heads, a 4-tuple with ``-1`` past that number.

    A chain touching ``loc`` on several sides is listed once, so that a liberty
    count changes once per chain and a capture is made once.
    """
    h0 = -1
    h1 = -1
    h2 = -1
    h3 = -1
    n = 0
    for k in range(4):
        nb = loc + adjacent[k]
        c = colors[nb]
        if c == BLACK or c == WHITE:
            h = chain_head[nb]
            if h != h0 and h != h1 and h != h2:
                if n == 0:
                    h0 = h
                elif n == 1:
                    h1 = h
                elif n == 2:
                    h2 = h
                else:
                    h3 = h
                n += 1
    return n, (h0, h1, h2, h3)


@njit(**COUNTS_REFERENCES)
def init_state(state, history, size, max_moves):
    """Empty ``size`` x ``size`` board, black to play."""
    state[:] = 0
    state[META_SIZE] = size
    state[META_TO_PLAY] = BLACK
    state[META_MAX_MOVES] = max_moves
    state[META_LAST_MOVE] = NO_LOC
    colors = colors_of(state)
    colors[:] = WALL
    for row in range(size):
        for col in range(size):
            colors[(row + 1) * (size + 1) + col + 1] = EMPTY
    for slot in range(PAST_SLOTS):
        past_colors(state, slot)[:] = colors
    history[0] = 0
    state[META_HISTORY_LEN] = 1


@njit(cache=True, inline="always")
def current_hash(state, history):
    return history[state[META_HISTORY_LEN] - 1]


@njit(cache=True, inline="always")
def is_over(state):
    """Two consecutive passes, or the move cap reached."""
    cap = state[META_MAX_MOVES]
    return state[META_PASSES] >= 2 or (cap > 0 and state[META_MOVE_NUMBER] >= cap)


@njit(cache=True, inline="always")
def _chain_key(next_in_chain, head, color):
    """XOR of the Zobrist keys of the stones of chain ``head``, of colour ``color``."""
    key = np.uint64(0)
    stone = head
    while True:
        key ^= ZOBRIST[color, stone]
        stone = next_in_chain[stone]
        if stone == head:
            break
    return key


@njit(**NO_REFCOUNTS)
def _captured_hash(state, loc, color):
    """XOR of the keys of the opponent stones that ``color`` at ``loc`` would capture."""
    colors, chain_head, next_in_chain, _num_stones, num_liberties = board_arrays(state)
    other = 3 - color
    key = np.uint64(0)
    count, heads = adjacent_chains(colors, chain_head, loc, adjacent_offsets(state[META_SIZE]))
    for i in range(count):
        h = heads[i]
        if colors[h] == other and num_liberties[h] == 1:
            key ^= _chain_key(next_in_chain, h, other)
    return key


@njit(**NO_REFCOUNTS)
def legality(state, history, loc, color):
    """Why ``color`` may not play at padded ``loc``: 0 legal, else a ``REASON_*``.

    Pass is always legal. Checks occupancy, suicide and positional superko.
    """
    if loc == PASS_LOC:
        return REASON_LEGAL
    colors, chain_head, _next_in_chain, _num_stones, num_liberties = board_arrays(state)
    adjacent = adjacent_offsets(state[META_SIZE])
    if colors[loc] != EMPTY:
        return REASON_OCCUPIED
    other = 3 - color
    has_liberty = False
    captures = False
    for k in range(4):
        nb = loc + adjacent[k]
        c = colors[nb]
        if c == EMPTY:
            has_liberty = True
        elif c == color:
            if num_liberties[chain_head[nb]] > 1:
                has_liberty = True
        elif c == other and num_liberties[chain_head[nb]] == 1:
            captures = True
    if not (has_liberty or captures):
        return REASON_SUICIDE
    new_hash = current_hash(state, history) ^ ZOBRIST[color, loc]
    if captures:
        new_hash ^= _captured_hash(state, loc, color)
        scan = state[META_HISTORY_LEN]
    else:
        # Since the latest capture every move added a stone (or passed), so those
        # positions all have fewer stones than the one this move makes: only the
        # positions before that capture can repeat.
        scan = state[META_LAST_CAPTURE]
    # A branch-free scan so LLVM vectorises it; histories are a few hundred long.
    hit = False
    for i in range(scan):
        hit |= history[i] == new_hash
    if hit:
        return REASON_SUPERKO
    return REASON_LEGAL


@njit(**NO_REFCOUNTS)
def _count_new_liberties(state, small, big, color):
    """Liberties of chain ``small`` that are not liberties of chain ``big``.

    Each liberty is counted once: from the first of its neighbours (in the fixed
    neighbour order) that belongs to ``small``, so no marker array is needed.
    """
    colors, chain_head, next_in_chain, _num_stones, _num_liberties = board_arrays(state)
    adjacent = adjacent_offsets(state[META_SIZE])
    count = 0
    stone = small
    while True:
        for k in range(4):
            lib = stone + adjacent[k]
            if colors[lib] != EMPTY:
                continue
            first_small = -1
            touches_big = False
            for j in range(4):
                nb = lib + adjacent[j]
                if colors[nb] == color:
                    h = chain_head[nb]
                    if h == big:
                        touches_big = True
                    elif h == small and first_small < 0:
                        first_small = nb
            if first_small == stone and not touches_big:
                count += 1
        stone = next_in_chain[stone]
        if stone == small:
            break
    return count


@njit(**NO_REFCOUNTS)
def _merge(state, a, c, color):
    """Merge chains with heads ``a`` and ``c``; return the head of the union."""
    _colors, chain_head, next_in_chain, num_stones, num_liberties = board_arrays(state)
    if num_stones[a] < num_stones[c]:
        a, c = c, a
    # ``a`` is the larger chain: count the smaller one's new liberties, relabel it.
    num_liberties[a] += _count_new_liberties(state, c, a, color)
    stone = c
    while True:
        chain_head[stone] = a
        stone = next_in_chain[stone]
        if stone == c:
            break
    # Splice the two rings.
    after_a = next_in_chain[a]
    next_in_chain[a] = next_in_chain[c]
    next_in_chain[c] = after_a
    num_stones[a] += num_stones[c]
    return a


@njit(**NO_REFCOUNTS)
def _remove_chain(state, h, capturer):
    """Take chain ``h`` off the board, crediting liberties to ``capturer``'s chains."""
    colors, chain_head, next_in_chain, _num_stones, num_liberties = board_arrays(state)
    adjacent = adjacent_offsets(state[META_SIZE])
    removed = 0
    stone = h
    while True:
        colors[stone] = EMPTY
        removed += 1
        count, heads = adjacent_chains(colors, chain_head, stone, adjacent)
        for i in range(count):
            if colors[heads[i]] == capturer:
                num_liberties[heads[i]] += 1
        following = next_in_chain[stone]
        chain_head[stone] = 0
        next_in_chain[stone] = 0
        stone = following
        if stone == h:
            break
    return removed


@njit(**NO_REFCOUNTS)
def place_stone(state, loc, color):
    """Put a stone down, merge, capture; no legality check, no turn bookkeeping.

    Returns the number of opponent stones captured and the hash delta of the board.
    """
    colors, chain_head, next_in_chain, num_stones, num_liberties = board_arrays(state)
    adjacent = adjacent_offsets(state[META_SIZE])
    other = 3 - color
    key = ZOBRIST[color, loc]

    colors[loc] = color
    # ``loc`` was a liberty of each distinct neighbouring chain, once.
    count, heads = adjacent_chains(colors, chain_head, loc, adjacent)
    for i in range(count):
        num_liberties[heads[i]] -= 1
    empties = 0
    for k in range(4):
        if colors[loc + adjacent[k]] == EMPTY:
            empties += 1

    chain_head[loc] = loc
    next_in_chain[loc] = loc
    num_stones[loc] = 1
    num_liberties[loc] = empties
    # A merge relabels only the smaller of its two chains, so the heads listed above
    # that are not yet merged still name their chains.
    mine = loc
    for i in range(count):
        if colors[heads[i]] == color:
            mine = _merge(state, mine, heads[i], color)

    captured = 0
    for i in range(count):
        h = heads[i]
        if colors[h] == other and num_liberties[h] == 0:
            key ^= _chain_key(next_in_chain, h, other)
            captured += _remove_chain(state, h, color)
    return captured, key


@njit(**NO_REFCOUNTS)
def play_unchecked(state, history, loc, color, keep_past):
    """Play ``color`` at padded ``loc`` (or ``PASS_LOC``), assumed legal.

    ``keep_past``: record the previous board for the history feature planes
    (random playouts skip it). ``history`` must have room for one more entry.
    Returns the number of stones captured.
    """
    if keep_past:
        colors = colors_of(state)
        past = past_colors(state, state[META_MOVE_NUMBER] % PAST_SLOTS)
        # An element loop: Numba's slice assignment checks the two slices of one
        # array for overlap and copies through a temporary, several times slower.
        for i in range(colors.shape[0]):
            past[i] = colors[i]
    n = state[META_HISTORY_LEN]
    captured = 0
    if loc == PASS_LOC:
        state[META_PASSES] += 1
        history[n] = history[n - 1]
    else:
        state[META_PASSES] = 0
        captured, key = place_stone(state, loc, color)
        state[META_CAPTURES + color - 1] += captured
        history[n] = history[n - 1] ^ key
        if captured > 0:
            state[META_LAST_CAPTURE] = n
    state[META_HISTORY_LEN] = n + 1
    state[META_MOVE_NUMBER] += 1
    state[META_LAST_MOVE] = loc
    state[META_TO_PLAY] = 3 - color
    return captured


@njit(**NO_REFCOUNTS)
def play_flat(state, history, move, color, keep_past):
    """``play_unchecked`` on a flat move."""
    return play_unchecked(state, history, flat_to_padded(move, state[META_SIZE]), color, keep_past)


@njit(**COUNTS_REFERENCES)
def _repeat_filter(history, scan):
    """A Bloom-style bitmap of the hashes ``history[:scan]`` (one bit each, about 16
    bits per hash) and the shift that turns a hash into its bit's index.

    A hash whose bit is clear is not in the list; a set bit only says "maybe", and
    ``_repeats`` then scans. Zobrist hashes are uniform, so their top bits serve as
    the index: a move that repeats nothing, the common case, costs one load.
    """
    log_bits = 6
    while (1 << log_bits) < 16 * scan and log_bits < 20:
        log_bits += 1
    bits = np.zeros(1 << (log_bits - 6), np.uint64)
    shift = np.uint64(64 - log_bits)
    for i in range(scan):
        index = history[i] >> shift
        bits[index >> np.uint64(6)] |= np.uint64(1) << (index & np.uint64(63))
    return bits, shift


@njit(cache=True, inline="always")
def _repeats(history, scan, new_hash, bits, shift):
    """Whether ``new_hash`` is among ``history[:scan]``, the list ``bits`` was made of."""
    index = new_hash >> shift
    if (bits[index >> np.uint64(6)] >> (index & np.uint64(63))) & np.uint64(1) == 0:
        return False
    hit = False
    for i in range(scan):
        hit |= history[i] == new_hash
    return hit


@njit(**COUNTS_REFERENCES)
def legal_mask(state, history, color, out):
    """Write into ``out`` (bool ``[N*N+1]``) which flat moves ``color`` may play.

    The answer of ``legality`` at every point, computed for the whole board at once:
    rows and columns walk the padded board without a division per point, and the
    superko scan of a move that captures nothing (the positions before the latest
    capture, the same list for every such move) goes through one ``_repeat_filter``
    of that list instead of a scan per point. A capturing move scans the whole
    history, as ``legality`` does.
    """
    size = state[META_SIZE]
    width = size + 1
    colors, chain_head, _next_in_chain, _num_stones, num_liberties = board_arrays(state)
    adjacent = adjacent_offsets(size)
    other = 3 - color
    here = current_hash(state, history)
    quiet_scan = state[META_LAST_CAPTURE]
    bits, shift = _repeat_filter(history, quiet_scan)
    for row in range(size):
        first = (row + 1) * width + 1
        for col in range(size):
            loc = first + col
            move = row * size + col
            if colors[loc] != EMPTY:
                out[move] = False
                continue
            has_liberty = False
            captures = False
            for k in range(4):
                nb = loc + adjacent[k]
                c = colors[nb]
                if c == EMPTY or (c == color and num_liberties[chain_head[nb]] > 1):
                    has_liberty = True
                elif c == other and num_liberties[chain_head[nb]] == 1:
                    captures = True
            if not (has_liberty or captures):
                out[move] = False
                continue
            new_hash = here ^ ZOBRIST[color, loc]
            if captures:
                new_hash ^= _captured_hash(state, loc, color)
                hit = False
                for i in range(state[META_HISTORY_LEN]):
                    hit |= history[i] == new_hash
                out[move] = not hit
            else:
                out[move] = quiet_scan == 0 or not _repeats(history, quiet_scan, new_hash, bits, shift)
    out[size * size] = True


@njit(**COUNTS_REFERENCES)
def area_score(state, komi):
    """Tromp-Taylor area score, black minus white minus ``komi``: the points
    ``owner_map`` gives each colour (its stones, and the empty regions that touch
    its stones only)."""
    size = state[META_SIZE]
    owners = np.empty(size * size, np.int8)
    owner_map(state, owners)
    black = 0
    white = 0
    for i in range(size * size):
        if owners[i] == BLACK:
            black += 1
        elif owners[i] == WHITE:
            white += 1
    return black - white - komi


@njit(**COUNTS_REFERENCES)
def owner_map(state, out):
    """Write the Tromp-Taylor owner of every point into ``out`` (int8 ``[N*N]``):
    ``BLACK``, ``WHITE`` or ``EMPTY`` (neutral: a dame or seki point).

    A stone is owned by its colour; an empty point by the colour whose stones, and
    only whose stones, its empty region (its connected empty points) touches.
    """
    size = state[META_SIZE]
    width = size + 1
    colors = colors_of(state)
    adjacent = adjacent_offsets(size)
    flooded = np.zeros(colors.shape[0], np.bool_)  # empty points already in a region
    members = np.empty(colors.shape[0], np.int32)  # the region being flooded, in order
    for row in range(size):
        for col in range(size):
            loc = (row + 1) * width + col + 1
            c = colors[loc]
            if c != EMPTY:
                out[row * size + col] = c
            elif not flooded[loc]:
                flooded[loc] = True
                members[0] = loc
                filled = 1
                scan = 0
                touches = 0  # bit 1 black, bit 2 white
                while scan < filled:
                    p = members[scan]
                    scan += 1
                    for k in range(4):
                        nb = p + adjacent[k]
                        cn = colors[nb]
                        if cn == EMPTY:
                            if not flooded[nb]:
                                flooded[nb] = True
                                members[filled] = nb
                                filled += 1
                        elif cn == BLACK or cn == WHITE:
                            touches |= cn
                owner = touches if touches == BLACK or touches == WHITE else EMPTY
                for i in range(filled):
                    out[padded_to_flat(members[i], size)] = owner


@njit(**NO_REFCOUNTS)
def is_own_eye(state, loc, color):
    """True if ``loc`` is an eye of ``color`` that a random player must not fill.

    All four neighbours are ``color`` or wall, and the diagonals hold at most one
    opponent stone in the middle of the board, none on the edge (the usual
    playout rule of Pachi, Fuego and GNU Go's Monte Carlo mode).
    """
    size = state[META_SIZE]
    colors = colors_of(state)
    adjacent = adjacent_offsets(size)
    on_edge = 0
    for k in range(4):
        c = colors[loc + adjacent[k]]
        if c == WALL:
            on_edge = 1
        elif c != color:
            return False
    other = 3 - color
    diagonal = diagonal_offsets(size)
    bad = 0
    for k in range(4):
        if colors[loc + diagonal[k]] == other:
            bad += 1
    return bad + on_edge < 2


@njit(**COUNTS_REFERENCES)
def check_groups(state):
    """Recompute chains and liberties from the board; True if the state agrees.

    A debugging and testing aid: O(N^4), never on a hot path.
    """
    colors, chain_head, next_in_chain, num_stones, num_liberties = board_arrays(state)
    adjacent = adjacent_offsets(state[META_SIZE])
    cells = colors.shape[0]
    label = np.full(cells, -1, np.int32)
    stack = np.empty(cells, np.int32)
    for loc in range(cells):
        c = colors[loc]
        if (c != BLACK and c != WHITE) or label[loc] >= 0:
            continue
        # Flood the true chain of ``loc``.
        label[loc] = loc
        stack[0] = loc
        top = 1
        count = 0
        members = np.zeros(cells, np.bool_)
        lib_points = np.zeros(cells, np.bool_)
        while top > 0:
            top -= 1
            p = stack[top]
            members[p] = True
            count += 1
            for k in range(4):
                nb = p + adjacent[k]
                if colors[nb] == c and label[nb] < 0:
                    label[nb] = loc
                    stack[top] = nb
                    top += 1
                elif colors[nb] == EMPTY:
                    lib_points[nb] = True
        h = chain_head[loc]
        if not members[h] or num_stones[h] != count or num_liberties[h] != lib_points.sum():
            return False
        ring = 0
        stone = h
        while True:
            if not members[stone] or chain_head[stone] != h:
                return False
            ring += 1
            stone = next_in_chain[stone]
            if stone == h or ring > count:
                break
        if ring != count:
            return False
    return True


@njit(cache=True, inline="always")
def random_below(rng, bound):
    """Uniform integer in ``[0, bound)`` from the xorshift64* generator ``rng[0]``."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    r = (x * np.uint64(2685821657736338717)) >> np.uint64(32)
    return np.int64((r * np.uint64(bound)) >> np.uint64(32))


@njit(**NO_REFCOUNTS)
def seed_rng(rng, seed):
    """Seed an xorshift64* state from any integer (splitmix64 scrambles it)."""
    z = np.uint64(seed) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    if z == 0:
        z = np.uint64(1)
    rng[0] = z


@njit(**COUNTS_REFERENCES)
def random_move(state, history, rng):
    """A uniformly random legal move of the player to move that does not fill its own
    eye, as a padded location; ``PASS_LOC`` when there is none."""
    size = state[META_SIZE]
    color = state[META_TO_PLAY]
    candidates = np.empty(size * size, np.int32)
    n = _collect_empty(state, candidates, np.empty(padded_cells(size), np.int32))
    # Rejection sampling without replacement: exactly uniform over the valid moves.
    while n > 0:
        i = random_below(rng, n)
        loc = candidates[i]
        if not is_own_eye(state, loc, color) and legality(state, history, loc, color) == REASON_LEGAL:
            return loc
        n -= 1
        candidates[i] = candidates[n]
    return PASS_LOC


@njit(**NO_REFCOUNTS)
def _collect_empty(state, empties, index_of):
    """List the empty points into ``empties``; ``index_of[loc]`` is each one's slot."""
    size = state[META_SIZE]
    colors = colors_of(state)
    n = 0
    for row in range(size):
        for col in range(size):
            loc = (row + 1) * (size + 1) + col + 1
            if colors[loc] == EMPTY:
                empties[n] = loc
                index_of[loc] = n
                n += 1
    return n


@njit(**COUNTS_REFERENCES)
def playout(state, history, rng, max_moves):
    """Play random moves (see ``random_move``) until two passes or ``max_moves`` more
    moves; modifies ``state`` and ``history`` in place (give it a copy).

    ``history`` needs room for ``max_moves`` more entries. Returns the number of
    moves played. Keeps a list of empty points (with each one's slot, for O(1)
    removal) instead of scanning the board, and rebuilds it only after captures,
    which are rare.
    """
    size = state[META_SIZE]
    empties = np.empty(size * size, np.int32)
    index_of = np.empty(padded_cells(size), np.int32)
    n_empty = _collect_empty(state, empties, index_of)
    played = 0
    while state[META_PASSES] < 2 and played < max_moves:
        color = state[META_TO_PLAY]
        loc = PASS_LOC
        n = n_empty
        while n > 0:
            i = random_below(rng, n)
            candidate = empties[i]
            if not is_own_eye(state, candidate, color) and legality(state, history, candidate, color) == REASON_LEGAL:
                loc = candidate
                break
            # Move the rejected point behind the live range; the list stays a set.
            n -= 1
            moved = empties[n]
            empties[i] = moved
            index_of[moved] = i
            empties[n] = candidate
            index_of[candidate] = n
        captured = play_unchecked(state, history, loc, color, False)
        played += 1
        if captured > 0:
            n_empty = _collect_empty(state, empties, index_of)
        elif loc != PASS_LOC:
            n_empty -= 1
            j = index_of[loc]
            moved = empties[n_empty]
            empties[j] = moved
            index_of[moved] = j
    return played


@njit(**NO_REFCOUNTS)
def write_features(state, out):
    """AlphaGo Zero's 17 input planes of the position into ``out`` (float32 ``[17, N, N]``).

    Planes ``2t`` and ``2t+1`` hold the stones of the player to move and of the
    opponent ``t`` moves ago (t = 0..7; all zero before the start of the game);
    plane 16 is all ones when black is to move.
    """
    size = state[META_SIZE]
    width = size + 1
    me = state[META_TO_PLAY]
    other = 3 - me
    moves = state[META_MOVE_NUMBER]
    for t in range(8):
        if t > moves:  # before the start of the game: no stones
            out[2 * t, :, :] = 0.0
            out[2 * t + 1, :, :] = 0.0
            continue
        # The board t moves ago: the one before move ``moves - t``.
        colors = colors_of(state) if t == 0 else past_colors(state, (moves - t) % PAST_SLOTS)
        for row in range(size):
            for col in range(size):
                c = colors[(row + 1) * width + col + 1]
                out[2 * t, row, col] = 1.0 if c == me else 0.0
                out[2 * t + 1, row, col] = 1.0 if c == other else 0.0
    colour_plane = 1.0 if me == BLACK else 0.0
    for row in range(size):
        for col in range(size):
            out[16, row, col] = colour_plane
