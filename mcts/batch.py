"""``LeafBatch``: the rows one round of the search gathers and the evaluator answers.

Row ``r`` is one leaf: its input planes and legal mask (what the evaluator reads),
its position when the evaluator asks for positions (random rollouts), and where
in the trees its answer goes, and the per-game restrictions that the leaf step
applies to the legal masks (``banned_until``). A named tuple, so that the kernels take the batch
as one argument (``mcts._kernels.gather_leaves``, ``expand_and_backup``).
"""

from __future__ import annotations

from collections import namedtuple

LeafBatch = namedtuple(
    "LeafBatch",
    [
        "features",  # float32 [R, C, N, N]: the planes of the evaluator's feature version
        "legal",  # bool [R, N*N+1]
        "game",  # int32 [R]: the game of the leaf
        "node",  # int32 [R]: its node, -1 when the tree was full (evaluated, not stored)
        "parent",  # int32 [R]: the node it was reached from (NO_PARENT for a root)
        "positions",  # int32 [R, state length]: its state (one unused row without positions)
        "position_histories",  # uint64 [R, history capacity]: its history of hashes
        # int32 [G, 2, N*N+1], per game, not per row: the moves the analysis forbids
        # (KataGo's avoid/allow), by the colour to move (black 0, white 1): action a is
        # kept out of a leaf's legal mask while the leaf's depth is below entry a (0: never).
        "banned_until",
        # int32 [G, 2]: the deepest ban of each game and colour (the maximum of its
        # banned_until row; 0: no bans), so that a leaf below it skips the scan.
        "ban_depth",
    ],
)
