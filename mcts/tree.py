"""Search trees as preallocated struct-of-arrays, one tree per game of a batch.

Nodes are allocated in simulation order; node ``ROOT`` is the position searched
from. Each node knows its parent and the action that led to it; ``children``
maps every action of a node to its child node or ``UNVISITED``.

Values: ``value_sum[g, n]`` adds up results from the point of view of the player
who *moved into* node ``n`` (the player to move at its parent), so the mean
``value_sum / visits`` of a child is the parent's Q for that action, directly.
``raw_value`` is the evaluator's value of the node for *its* player to move.
``score_sum``/``raw_score`` are the same for the score in points (the evaluator's
score head, or the rules' final score at a terminal node; ``score_sq_sum`` adds
their squares, for the scores' spread), and
``utility_sum``/``raw_utility`` for the utility selection maximises (value plus
the score utility, see ``mcts._kernels``). Without a score utility those two are
``value_sum``/``raw_value`` themselves, not copies.

A full tree stops growing: a leaf found when no node is left is evaluated and
backed up through its parent without being stored.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

ROOT = 0
UNVISITED = -1  # ``children`` entry of an action never tried
NO_PARENT = -1  # ``parent`` of the root
ILLEGAL = -1.0  # ``prior`` of an illegal action

# ``status`` of a node
NEW = 0  # created, its evaluation pending
EXPANDED = 1  # evaluated: priors and raw value known
TERMINAL = 2  # the game is over there; ``raw_value`` holds the result


# The trees' arrays as one argument of the kernels, the way mctx passes its ``Tree``:
# a named tuple, which Numba compiles to a struct of the arrays (no copy, fields
# found at compile time), cached like any argument type.
TreeArrays = namedtuple(
    "TreeArrays",
    [
        "node_count",
        "parent",
        "action",
        "children",
        "prior",
        "visits",
        "virtual",
        "value_sum",
        "raw_value",
        "status",
        "score_sum",
        "raw_score",
        "utility_sum",
        "raw_utility",
        "score_sq_sum",
    ],
)


class Trees:
    """``games`` trees of ``capacity`` nodes over ``actions`` = N*N+1 moves."""

    def __init__(self, games: int, capacity: int, actions: int, utility: bool = False):
        self.games, self.capacity, self.actions = games, capacity, actions
        self.node_count = np.zeros(games, np.int32)  # [G]
        self.parent = np.full((games, capacity), NO_PARENT, np.int32)  # [G, T]
        self.action = np.zeros((games, capacity), np.int32)  # [G, T] action from the parent
        self.children = np.full((games, capacity, actions), UNVISITED, np.int32)  # [G, T, A]
        self.prior = np.zeros((games, capacity, actions), np.float32)  # [G, T, A]
        self.visits = np.zeros((games, capacity), np.int32)  # [G, T] completed visits
        self.virtual = np.zeros((games, capacity), np.int32)  # [G, T] visits in flight
        self.value_sum = np.zeros((games, capacity), np.float64)  # [G, T] mover's point of view
        self.raw_value = np.zeros((games, capacity), np.float32)  # [G, T] node player's point of view
        self.status = np.zeros((games, capacity), np.int8)  # [G, T] NEW, EXPANDED, TERMINAL
        self.score_sum = np.zeros((games, capacity), np.float64)  # [G, T] points, mover's point of view
        self.raw_score = np.zeros((games, capacity), np.float32)  # [G, T] points, node player's point of view
        # Sum of the squared scores backed up (no sign to flip): the spread of the search's
        # scores, KataGo's scoreStdev, is sqrt(score_sq_sum / visits - mean^2).
        self.score_sq_sum = np.zeros((games, capacity), np.float64)  # [G, T] points squared
        self.utility = utility
        self.utility_sum = np.zeros_like(self.value_sum) if utility else self.value_sum  # [G, T] as value_sum
        self.raw_utility = np.zeros_like(self.raw_value) if utility else self.raw_value  # [G, T] as raw_value
        # The arrays never move, so their tuple is made once.
        self.arrays = TreeArrays(
            self.node_count,
            self.parent,
            self.action,
            self.children,
            self.prior,
            self.visits,
            self.virtual,
            self.value_sum,
            self.raw_value,
            self.status,
            self.score_sum,
            self.raw_score,
            self.utility_sum,
            self.raw_utility,
            self.score_sq_sum,
        )

    def clear(self, game: int) -> None:
        """Forget game ``game``'s tree (nodes are reset as they are reallocated)."""
        self.node_count[game] = 0
