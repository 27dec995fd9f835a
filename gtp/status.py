"""Life and death at the end of a game: ``final_status_list``, ``final_score`` and ``kgs-genmove_cleanup``.

Ownership: float ``[N*N]`` in [-1, 1], +1 = black will own the point, -1 = white
(flat moves, row 0 at the top). It comes from the network's ownership head when
the player has one, else from playouts (``gtp/playouts.py``: random moves that
neither fill their own eyes nor self-atari): the mean Tromp-Taylor owner of each
point over many games played out from the position. Playouts capture what is
clearly dead, keep what has two eyes, and leave a seki's shared liberties empty,
so playouts also give each point's ``neutral`` share: the games that end with it
owned by nobody.

A chain (a string of stones) is judged by the mean ownership of its points from its
own colour's view: ``dead`` below a threshold (``chain_statuses``' ``dead_below``);
``seki`` when a liberty of it stays neutral in most playouts (with a network's
ownership alone: when its own ownership is within ``SHARED_OWNERSHIP`` of 0 and it
touches a neutral point); ``alive`` otherwise.

At the end of a game (``final_statuses``, behind ``final_status_list`` and
``final_score``) the ownership of each chain is the network's where the network is
sure of it (mean beyond ``CONFIDENT_OWNERSHIP``), else the playouts'; a chain is
dead when the opponent owns it more often than not (mean below 0). Measured on 27
finished 9x9 games of GNU Go levels 0-4 against itself with dead stones left on
the board, this judged every chain as GNU Go 3.8 (``--chinese-rules``) does, and
the count after removing them (``score_without``) gave GNU Go's ``final_score`` in
26 games, one point less in the other. Trusting the network from 0.8 put one game
3 points off; stricter dead thresholds (below -0.2 or -0.5, which leave unsure
invaders on the board) named the wrong winner in 3 and 5 games. The search keeps
no ownership of its own (``mcts`` averages values, not ownership), so where the
network is unsure the playouts decide.
"""

from __future__ import annotations

import numpy as np

from engine import rules
from engine.coords import flat_to_padded, flat_to_rowcol, rowcol_to_flat
from engine.game import BLACK, EMPTY, WHITE, GameState, opponent
from gtp.playouts import ownership_counts
from mcts.evaluators import head_ownership

PLAYOUTS = 400  # enough for a steady mean (standard error below 0.05 per point)
DEAD_OWNERSHIP = 0.5  # an ownership map alone: dead when the opponent owns the chain this surely
CONFIDENT_OWNERSHIP = 0.9  # at the end of a game: a network this sure of a chain decides it alone
FINAL_DEAD_BELOW = 0.0  # at the end of a game: dead when captured in more playouts than not
SHARED_OWNERSHIP = 0.3
SEKI_NEUTRAL = 0.5  # a liberty empty at the end of this share of playouts is a seki's
STATUSES = ("alive", "dead", "seki")
OWNERSHIP_SEED = 0  # playout estimates are reproducible: the same position, the same answer


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


def network_ownership(player, game: GameState, log) -> np.ndarray | None:
    """The player's network ownership head on ``game`` (black +1), or None when it has
    none for this board; ``log`` hears why a head that exists was not used."""
    evaluator = getattr(player, "evaluator", None)
    if evaluator is None:
        return None
    try:
        return head_ownership(evaluator, game)
    except (ValueError, RuntimeError) as err:  # a network for another board, say
        print(f"gtp: ownership from playouts ({err})", file=log)
        return None


def player_ownership(player, game: GameState, log) -> tuple[np.ndarray, np.ndarray | None]:
    """Ownership of ``game`` (black +1) and its neutral share: the player's network head
    if it has one (no neutral share), else playouts; ``log`` hears why a head was not used."""
    head = network_ownership(player, game, log)
    return (head, None) if head is not None else playout_estimate(game, seed=OWNERSHIP_SEED)


def final_ownership(player, game: GameState, log) -> tuple[np.ndarray, np.ndarray]:
    """Ownership (black +1) and neutral share for judging the end of ``game``: the
    playouts', with each chain the network's head is sure of (mean beyond
    ``CONFIDENT_OWNERSHIP``) taking the head's values."""
    ownership, neutral = playout_estimate(game, seed=OWNERSHIP_SEED)
    head = network_ownership(player, game, log)
    if head is None:
        return ownership, neutral
    for _color, stones, _liberties in chains(game):
        if abs(float(np.mean(head[stones]))) >= CONFIDENT_OWNERSHIP:
            ownership[stones] = head[stones]
    return ownership, neutral


def final_statuses(player, game: GameState, log) -> list[tuple[str, list[int]]]:
    """``(status, stones)`` of every chain at the end of ``game`` (module docstring)."""
    return chain_statuses(game, *final_ownership(player, game, log), dead_below=FINAL_DEAD_BELOW)


def score_without(game: GameState, dead: list[int]) -> float:
    """The area score (black - white - komi) once the ``dead`` stones are taken off:
    their points then lie in the capturer's area, and the rest counts as Tromp-Taylor does."""
    state = game.state.copy()  # a scratch copy: only its board is read, by the owner kernel
    for move in dead:
        state[rules.META_LENGTH + flat_to_padded(move, game.size)] = EMPTY
    owner = np.empty(game.size * game.size, np.int8)
    rules.owner_map(state, owner)
    return float(np.count_nonzero(owner == BLACK) - np.count_nonzero(owner == WHITE)) - game.komi


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


def chain_statuses(game: GameState, ownership: np.ndarray, neutral: np.ndarray | None = None,
                   dead_below: float = -DEAD_OWNERSHIP) -> list[tuple[str, list[int]]]:  # fmt: skip
    """``(status, stones)`` of every chain (see the module docstring for the rule): dead
    when its mean ownership from its own colour's view is below ``dead_below``."""
    dame = game.owner() == EMPTY  # Tromp-Taylor's owner as the board stands
    judged = []
    for color, stones, liberties in chains(game):
        mine = float(np.mean(ownership[stones])) * (1.0 if color == BLACK else -1.0)
        if neutral is not None:
            shared = any(neutral[p] >= SEKI_NEUTRAL for p in liberties)
        else:
            shared = abs(mine) <= SHARED_OWNERSHIP and any(dame[p] for p in liberties)
        if mine < dead_below:
            status = "dead"
        elif shared:
            status = "seki"
        else:
            status = "alive"
        judged.append((status, stones))
    return judged


def cleanup_move(game: GameState, color: int, ownership: np.ndarray,
                 dead_below: float = -DEAD_OWNERSHIP) -> int | None:  # fmt: skip
    """A move for ``color`` that removes dead opponent stones (those whose own mean
    ownership is below ``dead_below``), or None when none are left.

    Plays a liberty of the dead chain closest to capture (fewest liberties); among
    its liberties, one where the new stone keeps the most liberties itself, so the
    opponent cannot take it back (a lone stone dropped into atari would be wasted).
    """
    dead = [(len(libs), stones, libs) for c, stones, libs in chains(game) if c == opponent(color)
            and float(np.mean(ownership[stones])) * (1.0 if color == BLACK else -1.0) > -dead_below]  # fmt: skip
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
