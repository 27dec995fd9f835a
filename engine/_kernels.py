"""Numba kernels of the rules of Go. Arrays and scalars in, arrays and scalars out.

A game position is two flat arrays, so that a batch of games is two 2-D arrays and
copying a position is two slice assignments:

``state``   int32 ``[state_length(N)]``: a few scalars (``META_*``), then sections of
            ``P = padded_cells(N)`` cells each (see ``coords``):

            * ``board``   colour of each cell: ``EMPTY=0, BLACK=1, WHITE=2, WALL=3``
            * ``head``    for a stone, the location that names its group (chain)
            * ``next``    for a stone, the next stone of its group (a ring)
            * ``stones``  for a group head, its number of stones
            * ``libs``    for a group head, its exact number of liberties
            * ``past``    7 earlier boards (a ring, slot ``move_number % 7``) for the
                          network's history planes

``history`` uint64 ``[capacity]``: the Zobrist hash of every position of the game,
            ``history[0]`` the start (after setup stones), ``history[len-1]`` now.

Superko: the hash is 64 bits wide and a hit is *not* confirmed against a stored
board. Over a game of ``M`` positions the chance of any false hit is about
``M**2 / 2**65``: 3e-14 for a 1,000-move 19x19 game, so one in ~10**13 games, far
below any other failure rate of the system, and confirming would mean keeping
every earlier board in the state that the search copies for every simulation.

Group tracking is incremental, in the manner of KataGo's board: placing a stone
costs O(size of the smaller merged group), a capture O(stones captured); liberty
counts are exact at all times, so legality needs no flood fill.

Kernels take *padded* locations; the ``*_flat`` entry points take flat moves.
Colours passed to kernels are ``BLACK`` or ``WHITE``.
"""

import numpy as np
from numba import njit

from engine.coords import MAX_SIZE, NO_LOC, PASS_LOC, flat_to_padded, padded_cells, padded_to_flat

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
def _section(state, k):
    """Start index of section ``k`` (0 board, 1 head, 2 next, 3 stones, 4 libs, 5.. past)."""
    return META_LENGTH + k * padded_cells(state[META_SIZE])


@njit(cache=True)
def init_state(state, history, size, max_moves):
    """Empty ``size`` x ``size`` board, black to play."""
    cells = padded_cells(size)
    state[:] = 0
    state[META_SIZE] = size
    state[META_TO_PLAY] = BLACK
    state[META_MAX_MOVES] = max_moves
    state[META_LAST_MOVE] = NO_LOC
    board = META_LENGTH
    for loc in range(cells):
        state[board + loc] = WALL
    for row in range(size):
        for col in range(size):
            state[board + (row + 1) * (size + 1) + col + 1] = EMPTY
    for slot in range(PAST_SLOTS):
        past = META_LENGTH + (5 + slot) * cells
        for loc in range(cells):
            state[past + loc] = state[board + loc]
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


@njit(cache=True)
def _captured_hash(state, loc, color):
    """XOR of the keys of the opponent stones that ``color`` at ``loc`` would capture."""
    size = state[META_SIZE]
    width = size + 1
    b = META_LENGTH
    cells = padded_cells(size)
    head, nxt, libs = b + cells, b + 2 * cells, b + 4 * cells
    other = 3 - color
    key = np.uint64(0)
    seen0 = -1
    seen1 = -1
    seen2 = -1
    for k in range(4):
        nb = loc + (-width, -1, 1, width)[k]
        if state[b + nb] == other:
            h = state[head + nb]
            if state[libs + h] == 1 and h != seen0 and h != seen1 and h != seen2:
                if seen0 < 0:
                    seen0 = h
                elif seen1 < 0:
                    seen1 = h
                else:
                    seen2 = h
                stone = h
                while True:
                    key ^= ZOBRIST[other, stone]
                    stone = state[nxt + stone]
                    if stone == h:
                        break
    return key


@njit(cache=True)
def legality(state, history, loc, color):
    """Why ``color`` may not play at padded ``loc``: 0 legal, else a ``REASON_*``.

    Pass is always legal. Checks occupancy, suicide and positional superko.
    """
    if loc == PASS_LOC:
        return REASON_LEGAL
    size = state[META_SIZE]
    width = size + 1
    b = META_LENGTH
    cells = padded_cells(size)
    head, libs = b + cells, b + 4 * cells
    if state[b + loc] != EMPTY:
        return REASON_OCCUPIED
    other = 3 - color
    has_liberty = False
    captures = False
    for k in range(4):
        nb = loc + (-width, -1, 1, width)[k]
        c = state[b + nb]
        if c == EMPTY:
            has_liberty = True
        elif c == color:
            if state[libs + state[head + nb]] > 1:
                has_liberty = True
        elif c == other:
            if state[libs + state[head + nb]] == 1:
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



@njit(cache=True)
def _count_new_liberties(state, small, big, color):
    """Liberties of group ``small`` that are not liberties of group ``big``.

    Each liberty is counted once: from the first of its neighbours (in the fixed
    neighbour order) that belongs to ``small``, so no marker array is needed.
    """
    size = state[META_SIZE]
    width = size + 1
    b = META_LENGTH
    cells = padded_cells(size)
    head, nxt = b + cells, b + 2 * cells
    count = 0
    stone = small
    while True:
        for k in range(4):
            lib = stone + (-width, -1, 1, width)[k]
            if state[b + lib] != EMPTY:
                continue
            first_small = -1
            touches_big = False
            for j in range(4):
                nb = lib + (-width, -1, 1, width)[j]
                if state[b + nb] == color:
                    h = state[head + nb]
                    if h == big:
                        touches_big = True
                    elif h == small and first_small < 0:
                        first_small = nb
            if first_small == stone and not touches_big:
                count += 1
        stone = state[nxt + stone]
        if stone == small:
            break
    return count


@njit(cache=True)
def _merge(state, a, c, color):
    """Merge groups with heads ``a`` and ``c``; return the head of the union."""
    cells = padded_cells(state[META_SIZE])
    b = META_LENGTH
    head, nxt, stones, libs = b + cells, b + 2 * cells, b + 3 * cells, b + 4 * cells
    if state[stones + a] < state[stones + c]:
        a, c = c, a
    # ``a`` is the larger group: count the smaller one's new liberties, relabel it.
    state[libs + a] += _count_new_liberties(state, c, a, color)
    stone = c
    while True:
        state[head + stone] = a
        stone = state[nxt + stone]
        if stone == c:
            break
    # Splice the two rings.
    after_a = state[nxt + a]
    state[nxt + a] = state[nxt + c]
    state[nxt + c] = after_a
    state[stones + a] += state[stones + c]
    return a


@njit(cache=True)
def _remove_group(state, h, capturer):
    """Take group ``h`` off the board, crediting liberties to ``capturer``'s groups."""
    size = state[META_SIZE]
    width = size + 1
    b = META_LENGTH
    cells = padded_cells(size)
    head, nxt, libs = b + cells, b + 2 * cells, b + 4 * cells
    removed = 0
    stone = h
    while True:
        state[b + stone] = EMPTY
        removed += 1
        h0 = -1
        h1 = -1
        h2 = -1
        for k in range(4):
            nb = stone + (-width, -1, 1, width)[k]
            if state[b + nb] == capturer:
                g = state[head + nb]
                if g != h0 and g != h1 and g != h2:
                    state[libs + g] += 1
                    if h0 < 0:
                        h0 = g
                    elif h1 < 0:
                        h1 = g
                    else:
                        h2 = g
        following = state[nxt + stone]
        state[head + stone] = 0
        state[nxt + stone] = 0
        stone = following
        if stone == h:
            break
    return removed


@njit(cache=True)
def place_stone(state, loc, color):
    """Put a stone down, merge, capture; no legality check, no turn bookkeeping.

    Returns the number of opponent stones captured and the hash delta of the board.
    """
    size = state[META_SIZE]
    width = size + 1
    b = META_LENGTH
    cells = padded_cells(size)
    head, nxt, stones, libs = b + cells, b + 2 * cells, b + 3 * cells, b + 4 * cells
    other = 3 - color
    key = ZOBRIST[color, loc]

    state[b + loc] = color
    # ``loc`` was a liberty of each distinct neighbouring group, once.
    h0 = -1
    h1 = -1
    h2 = -1
    empties = 0
    for k in range(4):
        nb = loc + (-width, -1, 1, width)[k]
        c = state[b + nb]
        if c == EMPTY:
            empties += 1
        elif c == BLACK or c == WHITE:
            g = state[head + nb]
            if g != h0 and g != h1 and g != h2:
                state[libs + g] -= 1
                if h0 < 0:
                    h0 = g
                elif h1 < 0:
                    h1 = g
                else:
                    h2 = g

    state[head + loc] = loc
    state[nxt + loc] = loc
    state[stones + loc] = 1
    state[libs + loc] = empties
    mine = loc
    for k in range(4):
        nb = loc + (-width, -1, 1, width)[k]
        if state[b + nb] == color and state[head + nb] != mine:
            mine = _merge(state, mine, state[head + nb], color)

    captured = 0
    for k in range(4):
        nb = loc + (-width, -1, 1, width)[k]
        if state[b + nb] == other:
            g = state[head + nb]
            if state[libs + g] == 0:
                stone = g
                while True:
                    key ^= ZOBRIST[other, stone]
                    stone = state[nxt + stone]
                    if stone == g:
                        break
                captured += _remove_group(state, g, color)
    return captured, key


@njit(cache=True)
def play_unchecked(state, history, loc, color, keep_past):
    """Play ``color`` at padded ``loc`` (or ``PASS_LOC``), assumed legal.

    ``keep_past``: record the previous board for the history feature planes
    (random playouts skip it). ``history`` must have room for one more entry.
    Returns the number of stones captured.
    """
    cells = padded_cells(state[META_SIZE])
    b = META_LENGTH
    if keep_past:
        past = META_LENGTH + (5 + state[META_MOVE_NUMBER] % PAST_SLOTS) * cells
        # An element loop: Numba's slice assignment checks the two slices of one
        # array for overlap and copies through a temporary, several times slower.
        for i in range(cells):
            state[past + i] = state[b + i]
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


@njit(cache=True)
def play_flat(state, history, move, color, keep_past):
    """``play_unchecked`` on a flat move."""
    return play_unchecked(state, history, flat_to_padded(move, state[META_SIZE]), color, keep_past)


@njit(cache=True)
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


@njit(cache=True)
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
    b = META_LENGTH
    cells = padded_cells(size)
    head, libs = b + cells, b + 4 * cells
    other = 3 - color
    here = current_hash(state, history)
    quiet_scan = state[META_LAST_CAPTURE]
    bits, shift = _repeat_filter(history, quiet_scan)
    for row in range(size):
        first = (row + 1) * width + 1
        for col in range(size):
            loc = first + col
            move = row * size + col
            if state[b + loc] != EMPTY:
                out[move] = False
                continue
            has_liberty = False
            captures = False
            for k in range(4):
                nb = loc + (-width, -1, 1, width)[k]
                c = state[b + nb]
                if c == EMPTY or (c == color and state[libs + state[head + nb]] > 1):
                    has_liberty = True
                elif c == other and state[libs + state[head + nb]] == 1:
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


@njit(cache=True)
def area_score(state, komi):
    """Tromp-Taylor area score, black minus white minus ``komi``.

    A point counts for a colour if it holds a stone of it, or is empty and every
    empty region it lies in touches stones of that colour only.
    """
    size = state[META_SIZE]
    width = size + 1
    cells = padded_cells(size)
    b = META_LENGTH
    region = np.zeros(cells, np.int32)  # 0 unvisited, else 1 + region id
    stack = np.empty(cells, np.int32)
    black = 0
    white = 0
    for row in range(size):
        for col in range(size):
            loc = (row + 1) * width + col + 1
            c = state[b + loc]
            if c == BLACK:
                black += 1
            elif c == WHITE:
                white += 1
            elif region[loc] == 0:
                # Flood the empty region, noting which colours it touches.
                region[loc] = 1
                stack[0] = loc
                top = 1
                points = 0
                touches = 0  # bit 1 black, bit 2 white
                while top > 0:
                    top -= 1
                    p = stack[top]
                    points += 1
                    for k in range(4):
                        nb = p + (-width, -1, 1, width)[k]
                        cn = state[b + nb]
                        if cn == EMPTY:
                            if region[nb] == 0:
                                region[nb] = 1
                                stack[top] = nb
                                top += 1
                        elif cn == BLACK or cn == WHITE:
                            touches |= cn
                if touches == BLACK:
                    black += points
                elif touches == WHITE:
                    white += points
    return black - white - komi


@njit(cache=True)
def owner_map(state, out):
    """Write the Tromp-Taylor owner of every point into ``out`` (int8 ``[N*N]``):
    ``BLACK``, ``WHITE`` or ``EMPTY`` (neutral: a dame or seki point)."""
    size = state[META_SIZE]
    width = size + 1
    cells = padded_cells(size)
    b = META_LENGTH
    region = np.zeros(cells, np.int32)
    members = np.empty(cells, np.int32)
    for row in range(size):
        for col in range(size):
            loc = (row + 1) * width + col + 1
            c = state[b + loc]
            if c != EMPTY:
                out[row * size + col] = c
            elif region[loc] == 0:
                region[loc] = 1
                members[0] = loc
                filled = 1
                scan = 0
                touches = 0
                while scan < filled:
                    p = members[scan]
                    scan += 1
                    for k in range(4):
                        nb = p + (-width, -1, 1, width)[k]
                        cn = state[b + nb]
                        if cn == EMPTY:
                            if region[nb] == 0:
                                region[nb] = 1
                                members[filled] = nb
                                filled += 1
                        elif cn == BLACK or cn == WHITE:
                            touches |= cn
                owner = touches if touches == BLACK or touches == WHITE else EMPTY
                for i in range(filled):
                    out[padded_to_flat(members[i], size)] = owner


@njit(cache=True)
def is_own_eye(state, loc, color):
    """True if ``loc`` is an eye of ``color`` that a random player must not fill.

    All four neighbours are ``color`` or wall, and the diagonals hold at most one
    opponent stone in the middle of the board, none on the edge (the usual
    playout rule of Pachi, Fuego and GNU Go's Monte Carlo mode).
    """
    size = state[META_SIZE]
    width = size + 1
    b = META_LENGTH
    on_edge = 0
    for k in range(4):
        c = state[b + loc + (-width, -1, 1, width)[k]]
        if c == WALL:
            on_edge = 1
        elif c != color:
            return False
    other = 3 - color
    bad = 0
    for k in range(4):
        if state[b + loc + (-width - 1, -width + 1, width - 1, width + 1)[k]] == other:
            bad += 1
    return bad + on_edge < 2


@njit(cache=True)
def check_groups(state):
    """Recompute groups and liberties from the board; True if the state agrees.

    A debugging and testing aid: O(N^4), never on a hot path.
    """
    size = state[META_SIZE]
    width = size + 1
    cells = padded_cells(size)
    b = META_LENGTH
    head, nxt, stones, libs = b + cells, b + 2 * cells, b + 3 * cells, b + 4 * cells
    label = np.full(cells, -1, np.int32)
    stack = np.empty(cells, np.int32)
    for loc in range(cells):
        c = state[b + loc]
        if (c != BLACK and c != WHITE) or label[loc] >= 0:
            continue
        # Flood the true group of ``loc``.
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
                nb = p + (-width, -1, 1, width)[k]
                if state[b + nb] == c and label[nb] < 0:
                    label[nb] = loc
                    stack[top] = nb
                    top += 1
                elif state[b + nb] == EMPTY:
                    lib_points[nb] = True
        h = state[head + loc]
        if not members[h] or state[stones + h] != count or state[libs + h] != lib_points.sum():
            return False
        ring = 0
        stone = h
        while True:
            if not members[stone] or state[head + stone] != h:
                return False
            ring += 1
            stone = state[nxt + stone]
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


@njit(cache=True)
def seed_rng(rng, seed):
    """Seed an xorshift64* state from any integer (splitmix64 scrambles it)."""
    z = np.uint64(seed) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    if z == 0:
        z = np.uint64(1)
    rng[0] = z


@njit(cache=True)
def random_move(state, history, rng):
    """A uniformly random legal move of the player to move that does not fill its own
    eye, as a padded location; ``PASS_LOC`` when there is none."""
    size = state[META_SIZE]
    color = state[META_TO_PLAY]
    b = META_LENGTH
    candidates = np.empty(size * size, np.int32)
    n = 0
    for row in range(size):
        for col in range(size):
            loc = (row + 1) * (size + 1) + col + 1
            if state[b + loc] == EMPTY:
                candidates[n] = loc
                n += 1
    # Rejection sampling without replacement: exactly uniform over the valid moves.
    while n > 0:
        i = random_below(rng, n)
        loc = candidates[i]
        if not is_own_eye(state, loc, color) and legality(state, history, loc, color) == REASON_LEGAL:
            return loc
        n -= 1
        candidates[i] = candidates[n]
    return PASS_LOC


@njit(cache=True)
def _collect_empty(state, empties, index_of):
    """List the empty points into ``empties``; ``index_of[loc]`` is each one's slot."""
    size = state[META_SIZE]
    b = META_LENGTH
    n = 0
    for row in range(size):
        for col in range(size):
            loc = (row + 1) * (size + 1) + col + 1
            if state[b + loc] == EMPTY:
                empties[n] = loc
                index_of[loc] = n
                n += 1
    return n


@njit(cache=True)
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


@njit(cache=True)
def write_features(state, out):
    """AlphaGo Zero's 17 input planes of the position into ``out`` (float32 ``[17, N, N]``).

    Planes ``2t`` and ``2t+1`` hold the stones of the player to move and of the
    opponent ``t`` moves ago (t = 0..7; all zero before the start of the game);
    plane 16 is all ones when black is to move.
    """
    size = state[META_SIZE]
    cells = padded_cells(size)
    width = size + 1
    me = state[META_TO_PLAY]
    other = 3 - me
    moves = state[META_MOVE_NUMBER]
    for t in range(8):
        if t == 0:
            start = META_LENGTH
        else:
            start = META_LENGTH + (5 + (moves - t) % PAST_SLOTS) * cells
        for row in range(size):
            for col in range(size):
                c = state[start + (row + 1) * width + col + 1] if t <= moves else EMPTY
                out[2 * t, row, col] = 1.0 if c == me else 0.0
                out[2 * t + 1, row, col] = 1.0 if c == other else 0.0
    colour_plane = 1.0 if me == BLACK else 0.0
    for row in range(size):
        for col in range(size):
            out[16, row, col] = colour_plane
