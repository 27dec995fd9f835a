"""The root's candidate moves as analysis shows them, and KataGo's avoid/allow.

Candidates: visited moves by visits (then value, then prior), then unvisited ones
by prior as far as ``min_moves`` asks, at most ``max_moves``; each with the
analysed player's winrate, LCB, utility, prior, principal variation and, with a
score head, score (``scoreLead``/``scoreMean``: the head predicts the expected
final score, so the two are one number) and its spread over the search
(``scoreStdev``).

LCB: the search keeps no variance of values, so the lower bound treats each visit
as a win-or-loss sample: ``winrate - 1.96 * sqrt(w (1 - w) / visits)``, 0 below 2 visits.

``pvVisits``/``pvEdgeVisits``: the visits of each node along the variation. KataGo
searches a graph (transpositions share nodes), where a node's visits can exceed
those of the edge into it; Dosaku's search is a tree, so the two lists are the same.

Bans (KataGo's ``avoid``/``allow``): ``avoid COLOUR MOVES DEPTH`` keeps MOVES out of
the search for COLOUR in the first DEPTH plies from the root (1: the root's move
only); ``allow COLOUR MOVES DEPTH`` keeps everything but MOVES out. Several avoids
combine; KataGo takes at most one allow, and not with an avoid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from engine.features import feature_version_of
from engine.game import BLACK, GameState
from mcts.tree import ROOT

LCB_Z = 1.96  # a 95% one-sided-ish bound, about what Leela Zero shows


@dataclass
class Ban:
    """One ``avoid`` (or ``allow``) of KataGo's: moves of ``color`` for ``until_depth`` plies."""

    color: int
    moves: list[int]  # flat moves, the pass included
    until_depth: int
    allow: bool = False


@dataclass
class Candidate:
    """One root move as analysis shows it (the analysed player's view)."""

    move: int
    visits: int
    winrate: float  # [0, 1]
    prior: float  # [0, 1]
    lcb: float  # [0, 1]
    order: int
    pv: list[int]
    score_lead: float | None = None  # points; None without a score head
    score_stdev: float | None = None  # points, spread of the scores backed up; None without a score head
    utility: float = 0.0  # what the search maximises, in [-1, 1] plus the score utility's share
    pv_visits: list[int] = field(default_factory=list)  # visits of each node along ``pv``


def check_bans(bans: list[Ban]) -> None:
    """KataGo's rules for combining bans; ValueError with the reason."""
    allows = [b for b in bans if b.allow]
    if len(allows) > 1 or (allows and len(allows) < len(bans)):
        raise ValueError("allow can be given once, and not with avoid")
    for ban in bans:
        if ban.until_depth < 0:
            raise ValueError("the depth of avoid/allow cannot be negative")


def ban_table(bans: list[Ban], actions: int) -> np.ndarray | None:
    """The search's ban table (``BatchedSearch.restrict_moves``): int32 ``[2, actions]``,
    black's row then white's, the ply below which each action is banned; None without bans."""
    if not bans:
        return None
    table = np.zeros((2, actions), np.int32)
    for ban in bans:
        row = table[ban.color - BLACK]
        if ban.allow:
            others = np.ones(actions, np.bool_)
            others[ban.moves] = False
            row[others] = np.maximum(row[others], ban.until_depth)
        else:
            row[ban.moves] = np.maximum(row[ban.moves], ban.until_depth)
    return table


def lower_confidence_bound(winrate: float, visits: int) -> float:
    """See the module docstring: 0 below 2 visits, else a normal bound clipped to [0, 1]."""
    if visits < 2:
        return 0.0
    return min(max(winrate - LCB_Z * math.sqrt(winrate * (1 - winrate) / visits), 0.0), 1.0)


def node_visits_along(search, g: int, line: list[int]) -> list[int]:
    """Completed visits of each node along ``line`` from the root (0 past the tree)."""
    t = search.trees
    found, node = [], ROOT
    for move in line:
        child = int(t.children[g, node, move]) if node >= 0 and t.node_count[g] else -1
        found.append(int(t.visits[g, child]) if child >= 0 else 0)
        node = child
    return found


def root_utility(search, g: int) -> float:
    """The root's mean utility for its player to move (the value without a score utility)."""
    t = search.trees
    if t.node_count[g] == 0 or t.visits[g, ROOT] == 0:
        return 0.0
    return float(-t.utility_sum[g, ROOT] / t.visits[g, ROOT])


def candidates(search, g: int = 0, min_moves: int = 0, max_moves: int | None = None,
               pv_length: int = 15) -> list[Candidate]:  # fmt: skip
    """Game ``g``'s root moves, best first (see the module docstring)."""
    t = search.trees
    stats = search.root_statistics(g)
    root_winrate = (search.root_value(g) + 1) / 2
    root_score = search.root_score(g)
    root_stdev = search.root_score_stdev(g)
    legal = np.flatnonzero(stats.priors >= 0)
    visited = [int(m) for m in legal if stats.visits[m] > 0]
    visited.sort(key=lambda m: (-int(stats.visits[m]), -float(stats.values[m]), -float(stats.priors[m])))
    unvisited = sorted((int(m) for m in legal if stats.visits[m] == 0), key=lambda m: -float(stats.priors[m]))
    chosen = visited + unvisited[: max(min_moves - len(visited), 0)]
    if max_moves is not None:
        chosen = chosen[:max_moves]
    found = []
    for order, move in enumerate(chosen):
        visits = int(stats.visits[move])
        winrate = (float(stats.values[move]) + 1) / 2 if visits else root_winrate
        winrate = min(max(winrate, 0.0), 1.0)
        child = int(t.children[g, ROOT, move])
        utility = float(t.utility_sum[g, child] / visits) if visits else root_utility(search, g)
        pv = search.principal_variation(g, pv_length, first=move)
        prior = min(max(float(stats.priors[move]), 0.0), 1.0)
        score = stdev = None
        if stats.scores is not None:
            score = float(stats.scores[move]) if visits else root_score
            stdev = float(stats.score_stdevs[move]) if visits else root_stdev
        found.append(Candidate(move, visits, winrate, prior, lower_confidence_bound(winrate, visits), order, pv,
                               score, stdev, utility, node_visits_along(search, g, pv)))  # fmt: skip
    return found


def candidate_ownership(evaluator, game: GameState, moves: list[int]) -> np.ndarray | None:
    """The evaluator's ownership head on the position after each of ``moves`` (played by
    ``game``'s player to move), float64 ``[len(moves), N*N]`` from black's view (+1
    black's), in one call; None when it has no head for this board."""
    if (
        not moves
        or not getattr(evaluator, "has_ownership", False)
        or getattr(evaluator, "size", game.size) != game.size
    ):
        return None
    version = feature_version_of(evaluator)
    children = []
    for move in moves:
        child = game.copy()
        child.play_unchecked(move)
        children.append(child)
    features = np.stack([c.features(version=version) for c in children])
    legal = np.stack([c.legal_moves() for c in children])
    ownership = evaluator.evaluate_full(features, legal).ownership
    if ownership is None:
        return None
    signs = np.array([1.0 if c.to_play == BLACK else -1.0 for c in children])  # the head speaks for the mover
    return signs[:, None] * np.asarray(ownership, np.float64)


def ownership_spread(ownership: np.ndarray, visits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Visit-weighted mean and standard deviation, per point, of the candidates'
    ownership ``[K, N*N]``: the search's ownership and KataGo's ``ownershipStdev``
    (how much the ownership of each point depends on the move chosen). Dosaku's
    search does not back up ownership node by node, so this is measured one ply
    down, over the root's visited moves, weighted by their visits."""
    weights = np.asarray(visits, np.float64)
    weights = weights / weights.sum()
    mean = weights @ ownership
    stdev = np.sqrt(np.maximum(weights @ (ownership - mean) ** 2, 0.0))
    return mean, stdev
