"""Numba kernels of the search: select leaves, expand them, back up values.

Arrays of the trees are described in ``tree.py``; every kernel works on one game
``g`` of a batch at a time and is called for all games inside one compiled loop,
so Python is entered once per batch of leaves, not once per node or move.
The kernels Python calls take the whole tree as one argument ``tree``
(``tree.TreeArrays``, a named tuple, as mctx passes its ``Tree``), and a round's
leaves as one ``leaves`` (``batch.LeafBatch``). Inside, the arrays come out of the
tuples once per kernel: the steps run per simulation (selection, allocation,
backup, writing a leaf) take only the arrays they touch, with the utility's arrays
in place of the value's. Rare paths read ``tree`` itself.

The kernels run per simulation are compiled without Numba's reference counting
(``NO_REFCOUNTS``, below): with it, each array handed to a step and each row view
cost an atomic increment and decrement, most of them left in place by Numba's
pruning, and they took a third of the time of gathering leaves.

Scalar settings travel in one float64 array ``params`` indexed by the ``P_*``
constants, which keeps the kernel signatures stable as settings are added.

Score utility (KataGo's static score utility): each evaluation's utility is
``value + w * (2/pi) * atan(score / scale)``, backed up into ``utility_sum`` and
``raw_utility``, which selection reads in place of ``value_sum``/``raw_value``.
With it off (``P_UTILITY_ON`` 0) the trees pass ``value_sum``/``raw_value``
themselves as those arrays and nothing extra is written: the search is the
pure-value search, bit for bit. ``score_sum`` (points, the mover's view, as
``value_sum``) is backed up in any case, for the search's score lead.
"""

import math

import numpy as np
from numba import njit

from engine import _features as feature_kernels
from engine import rules
from mcts.tree import EXPANDED, ILLEGAL, NEW, NO_PARENT, ROOT, TERMINAL, UNVISITED

P_C_INIT = 0
P_C_BASE = 1
P_FPU_REDUCTION = 2
P_VIRTUAL_LOSS = 3
P_GUMBEL = 4  # 1.0: Gumbel root and interior selection; 0.0: PUCT
P_C_VISIT = 5
P_C_SCALE = 6
P_LEAVES_PER_GAME = 7
P_UTILITY_ON = 8  # 1.0: utility arrays of their own (score utility configured); 0.0: aliases of the value's
P_SCORE_UTILITY = 9  # w above (0 while the evaluator has no score)
P_SCORE_SCALE = 10  # points: scale above
P_FEATURES = 11  # the evaluator's input feature version (engine.features)
P_LENGTH = 12

NEG_INF = -np.inf

# Options of the kernels run per simulation: the rules' kernels' ``NO_REFCOUNTS`` (see
# there why; callgrind counted some 85 increment/decrement pairs a simulation before),
# with numpy's error model. They allocate nothing: their scratch comes from the search.
NO_REFCOUNTS = {**rules.NO_REFCOUNTS, "error_model": "numpy"}


@njit(cache=True, inline="always")
def _effective_visits(visits, virtual, g, child):
    return visits[g, child] + virtual[g, child]


@njit(**NO_REFCOUNTS)
def _child_q(visits, virtual, value_sum, g, child, virtual_loss):
    """Parent's Q of ``child`` with visits in flight counted as losses."""
    n = visits[g, child] + virtual[g, child]
    return (value_sum[g, child] - virtual_loss * virtual[g, child]) / n


@njit(cache=True, error_model="numpy", inline="always")
def select_puct(children, prior, visits, virtual, value_sum, g, node, params):
    """AlphaZero's PUCT choice at ``node``, with Leela Zero's first-play urgency."""
    parent_visits = visits[g, node] + virtual[g, node]
    c = params[P_C_INIT] + math.log((parent_visits + params[P_C_BASE] + 1.0) / params[P_C_BASE])
    explore = c * math.sqrt(max(parent_visits, 1))
    # The node's own value for its player to move is minus its mover's mean.
    parent_q = -value_sum[g, node] / visits[g, node] if visits[g, node] > 0 else 0.0
    fpu = parent_q - params[P_FPU_REDUCTION]
    virtual_loss = params[P_VIRTUAL_LOSS]
    best = -1
    best_score = NEG_INF
    for a in range(prior.shape[2]):
        p = prior[g, node, a]
        if p < 0.0:
            continue
        child = children[g, node, a]
        n = _effective_visits(visits, virtual, g, child) if child != UNVISITED else 0
        if n > 0:
            score = _child_q(visits, virtual, value_sum, g, child, virtual_loss) + explore * p / (1.0 + n)
        else:
            # Most actions are untried: first-play urgency, and p / (1 + 0) is exactly p,
            # so their score needs no division.
            score = fpu + explore * p
        if score > best_score:
            best_score = score
            best = a
    return best


@njit(**NO_REFCOUNTS)
def _completed_q(children, prior, visits, virtual, value_sum, raw_value, g, node, params, out):
    """The completed Q of every action of ``node`` into ``out`` (-inf if illegal), and
    ``(low, high)`` of it over the legal actions, the largest visit count among the
    children and their total visits (those in flight included).

    Visited actions keep their Q; unvisited legal ones get the mixed value of the
    node (network value blended with the prior-weighted Q of the visited ones).
    The first pass leaves each visited action's Q in ``out`` so the second does not
    divide again.
    """
    actions = prior.shape[2]
    virtual_loss = params[P_VIRTUAL_LOSS]
    total = 0
    max_visits = 0
    weighted_q = 0.0
    weighted_prior = 0.0
    for a in range(actions):
        p = prior[g, node, a]
        child = children[g, node, a]
        if p < 0.0 or child == UNVISITED:
            continue
        n = _effective_visits(visits, virtual, g, child)
        if n > 0:
            q = _child_q(visits, virtual, value_sum, g, child, virtual_loss)
            out[a] = q
            total += n
            max_visits = max(max_visits, n)
            weighted_q += p * q
            weighted_prior += p
    mixed = float(raw_value[g, node])
    if weighted_prior > 0.0:
        mixed = (mixed + total * weighted_q / weighted_prior) / (total + 1.0)
    low = np.inf
    high = NEG_INF
    for a in range(actions):
        if prior[g, node, a] < 0.0:
            out[a] = NEG_INF
            continue
        child = children[g, node, a]
        if child == UNVISITED or _effective_visits(visits, virtual, g, child) <= 0:
            out[a] = mixed
        low = min(low, out[a])
        high = max(high, out[a])
    return low, high, max_visits, total


@njit(**NO_REFCOUNTS)
def _sigma_scale(low, high, max_visits, params):
    return (params[P_C_VISIT] + max_visits) * params[P_C_SCALE] / max(high - low, 1e-8)


@njit(**NO_REFCOUNTS)
def _sigma(out, low, high, max_visits, params):
    """Completed Q in ``out`` to sigma: rescaled to [0, 1] over the legal actions, then
    scaled by ``(c_visit + max visits) * c_scale``; -inf stays."""
    scale = _sigma_scale(low, high, max_visits, params)
    for a in range(out.shape[0]):
        if out[a] != NEG_INF:
            out[a] = (out[a] - low) * scale


@njit(**NO_REFCOUNTS)
def completed_sigma(children, prior, visits, virtual, value_sum, raw_value, g, node, params, out):
    """Gumbel MuZero's sigma(completed Q) of every action of ``node`` into ``out``
    (see ``_completed_q`` and ``_sigma``); illegal actions get -inf.
    Returns the largest visit count among the children.
    """
    low, high, max_visits, _total = _completed_q(children, prior, visits, virtual, value_sum, raw_value, g, node,
                                                 params, out)  # fmt: skip
    _sigma(out, low, high, max_visits, params)
    return max_visits


@njit(**NO_REFCOUNTS)
def _improved_terms(children, prior, visits, virtual, value_sum, raw_value, g, node, params, logits, out):
    """exp(logits + sigma(completed Q) - max) of every action into ``out`` (0 if illegal):
    the improved policy before its division by their sum. ``logits`` [A] holds
    ``log(max(prior, 1e-30))`` of the node's actions. Returns the sum and the
    children's total visits (``_completed_q``).

    ``_sigma``'s rescaling and the logits are added in one pass: each element goes
    through the same operations, in the same order, as in two.
    """
    low, high, max_visits, visits_total = _completed_q(children, prior, visits, virtual, value_sum, raw_value, g,
                                                       node, params, out)  # fmt: skip
    scale = _sigma_scale(low, high, max_visits, params)
    top = NEG_INF
    for a in range(prior.shape[2]):
        x = out[a]
        if x != NEG_INF:
            x = (x - low) * scale
        if x != NEG_INF:
            x += logits[a]
            top = max(top, x)
        out[a] = x
    total = 0.0
    for a in range(prior.shape[2]):
        out[a] = math.exp(out[a] - top) if out[a] != NEG_INF else 0.0
        total += out[a]
    return total, visits_total


@njit(**NO_REFCOUNTS)
def _write_logits(prior, g, node, out):
    """``log(max(prior, 1e-30))`` of every action of ``node`` into ``out`` (illegal ones too: unread)."""
    for a in range(prior.shape[2]):
        out[a] = math.log(max(prior[g, node, a], 1e-30))


@njit(cache=True, error_model="numpy")
def improved_policy(children, prior, visits, virtual, value_sum, raw_value, g, node, params, out):
    """Gumbel AlphaZero's improved policy softmax(logits + sigma(completed Q)) into ``out``."""
    logits = np.empty(prior.shape[2], np.float64)
    _write_logits(prior, g, node, logits)
    total, _visits = _improved_terms(children, prior, visits, virtual, value_sum, raw_value, g, node, params, logits,
                                     out)  # fmt: skip
    for a in range(prior.shape[2]):
        out[a] /= total


@njit(**NO_REFCOUNTS)
def select_gumbel_interior(children, prior, visits, virtual, value_sum, raw_value, g, node, params, logits,
                           logits_ready, work, tried):  # fmt: skip
    """Deterministic interior choice: the action whose visit share lags its improved policy most.

    ``logits[g, node]`` caches the node's log priors, written on its first choice
    (``logits_ready[g, node]``): a node is chosen from once per visit, and a log per
    action is the dearest part after the exp. Most choices are settled by
    ``_interior_by_bounds`` without an exp per action; the rest by
    ``_interior_exact``, the definition.
    """
    if not logits_ready[g, node]:
        _write_logits(prior, g, node, logits[g, node])
        logits_ready[g, node] = True
    best = _interior_by_bounds(children, prior, visits, virtual, value_sum, raw_value, g, node, params,
                               logits[g, node], work, tried)  # fmt: skip
    if best >= 0:
        return best
    return _interior_exact(children, prior, visits, virtual, value_sum, raw_value, g, node, params, logits[g, node],
                           work)  # fmt: skip


@njit(**NO_REFCOUNTS)
def _interior_exact(children, prior, visits, virtual, value_sum, raw_value, g, node, params, logits, work):
    """``select_gumbel_interior`` by its definition: the improved policy of every action
    (``logits`` [A] the node's log priors), first best score in action order."""
    total, visits_total = _improved_terms(children, prior, visits, virtual, value_sum, raw_value, g, node, params,
                                          logits, work)  # fmt: skip
    best = -1
    best_score = NEG_INF
    for a in range(prior.shape[2]):
        if prior[g, node, a] < 0.0:
            continue
        child = children[g, node, a]
        n = _effective_visits(visits, virtual, g, child) if child != UNVISITED else 0
        # ``work[a] / total`` is the improved policy, divided here, not in a pass of its own.
        score = work[a] / total - n / (1.0 + visits_total)
        if score > best_score:
            best_score = score
            best = a
    return best


# A choice ``_interior_by_bounds`` settles must win by more than this: far above the
# ~1e-13 its shortcut for the untried actions' share can be off by.
DECIDED_MARGIN = 1e-9
# The winner's improved policy must be a normal number far from underflow, where
# different terms cannot round to the same value.
DECIDED_SMALLEST = 1e-250


@njit(**NO_REFCOUNTS)
def _interior_by_bounds(children, prior, visits, virtual, value_sum, raw_value, g, node, params, logits, work,
                        tried):  # fmt: skip
    """``_interior_exact``'s choice without an exp per action when it is clear, else -1.

    Every untried action has the same completed Q (the mixed value), so its term
    exp(logit + sigma - top) of the softmax is its prior, exp(logit), times one
    common factor: their sum is that factor times their prior mass, and the best of
    them is the one with the largest logit (the first, among equal logits). Only the
    tried actions, a few, need their own exp. The softmax's sum is then off by
    ~1e-13 of itself at most, so a candidate ahead of every other by
    ``DECIDED_MARGIN`` is the exact computation's choice too. Anything closer (ties,
    two untried logits nearly equal, a vanishing winner, non-finite values) returns
    -1 for the exact computation.

    ``tried`` (int [A]) lists the tried actions and ``work[i]`` follows the i-th of
    them (its Q, then its term), so only the first pass reads every action.
    """
    node_prior = prior[g, node]
    node_children = children[g, node]
    game_visits = visits[g]
    game_virtual = virtual[g]
    virtual_loss = params[P_VIRTUAL_LOSS]
    total = 0
    max_visits = 0
    weighted_q = 0.0
    weighted_prior = 0.0
    tried_low = np.inf
    tried_high = NEG_INF
    untried_mass = 0.0
    best_untried = -1
    best_logit = NEG_INF
    runner_up_logit = NEG_INF  # the best untried logit below ``best_logit``
    count = 0
    for a in range(node_prior.shape[0]):
        p = node_prior[a]
        if p < 0.0:
            continue
        child = node_children[a]
        n = game_visits[child] + game_virtual[child] if child != UNVISITED else 0
        if n > 0:
            # As _completed_q: the same sums in the same order.
            q = _child_q(visits, virtual, value_sum, g, child, virtual_loss)
            tried[count] = a
            work[count] = q
            count += 1
            total += n
            max_visits = max(max_visits, n)
            weighted_q += p * q
            weighted_prior += p
            tried_low = min(tried_low, q)
            tried_high = max(tried_high, q)
        else:
            untried_mass += max(p, 1e-30)
            logit = logits[a]
            if logit > best_logit:
                runner_up_logit = best_logit
                best_logit = logit
                best_untried = a
            elif best_logit > logit > runner_up_logit:
                runner_up_logit = logit
    mixed = float(raw_value[g, node])
    if weighted_prior > 0.0:
        mixed = (mixed + total * weighted_q / weighted_prior) / (total + 1.0)
    low = tried_low
    high = tried_high
    if best_untried >= 0:
        low = min(low, mixed)
        high = max(high, mixed)
    scale = _sigma_scale(low, high, max_visits, params)
    untried_sigma = (mixed - low) * scale
    top = untried_sigma + best_logit if best_untried >= 0 else NEG_INF
    for i in range(count):
        work[i] = (work[i] - low) * scale + logits[tried[i]]
        top = max(top, work[i])
    terms = math.exp(untried_sigma - top) * untried_mass if best_untried >= 0 else 0.0
    for i in range(count):
        work[i] = math.exp(work[i] - top)
        terms += work[i]
    if not 0.5 < terms < np.inf:  # at least the top term, exp(0); not NaN
        return -1
    best = -1
    best_score = NEG_INF
    runner_up_score = NEG_INF
    if best_untried >= 0:
        best = best_untried
        best_score = math.exp(untried_sigma + best_logit - top) / terms
    for i in range(count):
        child = node_children[tried[i]]
        score = work[i] / terms - (game_visits[child] + game_virtual[child]) / (1.0 + total)
        if score > best_score:
            runner_up_score = best_score
            best_score = score
            best = tried[i]
        elif score > runner_up_score:
            runner_up_score = score
    if not best_score - runner_up_score > DECIDED_MARGIN:
        return -1
    if best == best_untried and not (best_logit - runner_up_logit > DECIDED_MARGIN and best_score > DECIDED_SMALLEST):
        return -1
    return best


@njit(**NO_REFCOUNTS)
def select_gumbel_root(
    children, prior, visits, virtual, value_sum, raw_value, g, params, gumbel_score, considered, schedule, work
):
    """Sequential halving at the root: among the considered actions whose visits equal
    the schedule's count for this simulation, the best by gumbel + logits + sigma(Q).

    Only the considered actions' sigma is read, so only theirs is rescaled (as
    ``_sigma`` would: the same operations on the same completed Q).
    """
    low, high, max_visits, _total = _completed_q(children, prior, visits, virtual, value_sum, raw_value, g, ROOT,
                                                 params, work)  # fmt: skip
    scale = _sigma_scale(low, high, max_visits, params)
    # Index of this simulation among those after the root's own evaluation (its own
    # visit in flight is already counted in ``virtual``).
    k = visits[g, ROOT] + virtual[g, ROOT] - 2
    k = min(max(k, 0), schedule.shape[1] - 1)
    wanted = schedule[g, k]
    best = -1
    best_score = NEG_INF
    fallback = -1
    fallback_visits = 1 << 30
    fallback_score = NEG_INF
    for a in range(prior.shape[2]):
        if not considered[g, a]:
            continue
        child = children[g, ROOT, a]
        n = _effective_visits(visits, virtual, g, child) if child != UNVISITED else 0
        sigma = work[a]
        if sigma != NEG_INF:
            sigma = (sigma - low) * scale
        score = gumbel_score[g, a] + sigma
        if n == wanted and score > best_score:
            best_score = score
            best = a
        # With visits in flight the exact count may be missing: take the least visited.
        if n < fallback_visits or (n == fallback_visits and score > fallback_score):
            fallback_visits = n
            fallback_score = score
            fallback = a
    return best if best >= 0 else fallback


@njit(cache=True)
def halving_schedule(considered_count, simulations, out):
    """Visit count each simulation's root action should have (mctx's sequence of
    considered visits): ``considered_count`` actions, halved every phase."""
    if considered_count <= 1:
        for i in range(simulations):
            out[i] = i
        return
    log2max = int(math.ceil(math.log2(considered_count)))  # noqa: RUF046 - Numba's ceil is a float
    visits = np.zeros(considered_count, np.int32)
    count = considered_count
    i = 0
    while i < simulations:
        extra = max(1, simulations // (log2max * count))
        for _ in range(extra):
            for j in range(count):
                if i < simulations:
                    out[i] = visits[j]
                    i += 1
            for j in range(count):
                visits[j] += 1
        count = max(2, count // 2)


@njit(cache=True, inline="always")
def _copy(dst, src, count):
    """``dst[:count] = src[:count]`` as an element loop: Numba's slice assignment
    checks the slices for overlap and goes through a temporary, ten times slower
    on a position."""
    for i in range(count):
        dst[i] = src[i]


@njit(cache=True, error_model="numpy", inline="always")
def backup_scored(parent, visits, virtual, value_sum, score_sum, score_sq_sum, utility_sum, utility_on, g, node, value,
                  score, utility):  # fmt: skip
    """Add ``value``, ``score`` (points) and, when ``utility_on``, ``utility`` (all for the
    player who moved into ``node``) up to the root, flipping sides each level, and
    release one visit in flight on the way."""
    while node != NO_PARENT:
        value_sum[g, node] += value
        score_sum[g, node] += score
        score_sq_sum[g, node] += score * score
        if utility_on:
            utility_sum[g, node] += utility
        visits[g, node] += 1
        virtual[g, node] -= 1
        value = -value
        score = -score
        utility = -utility
        node = parent[g, node]


@njit(cache=True, error_model="numpy", inline="always")
def backup_in_tree(tree, utility_on, g, node, value, score, utility):
    """``backup_scored`` with the arrays taken from ``tree``: for the rare paths (a
    finished game reached); the hot ones pass the arrays their kernel took out once."""
    backup_scored(tree.parent, tree.visits, tree.virtual, tree.value_sum, tree.score_sum, tree.score_sq_sum,
                  tree.utility_sum, utility_on, g, node, value, score, utility)  # fmt: skip


@njit(cache=True, inline="always")
def score_utility(value, score, params):
    """KataGo's static score utility added to ``value``: ``value + w * (2/pi) * atan(score / scale)``."""
    return value + params[P_SCORE_UTILITY] * (2.0 / math.pi) * math.atan(score / params[P_SCORE_SCALE])


@njit(cache=True, error_model="numpy", inline="always")
def release(parent, virtual, g, node):
    """Take back one visit in flight from ``node`` up to the root (an abandoned path)."""
    while node != NO_PARENT:
        virtual[g, node] -= 1
        node = parent[g, node]


@njit(cache=True, error_model="numpy", inline="always")
def _new_node(node_count, parent, action, children, visits, virtual, value_sum, status, score_sum, score_sq_sum,
              utility_sum, g, from_node, a):  # fmt: skip
    """Allocate a node for ``a`` played at ``from_node``; -1 when the tree is full."""
    n = node_count[g]
    if n >= parent.shape[1]:
        return -1
    node_count[g] = n + 1
    parent[g, n] = from_node
    action[g, n] = a
    children[g, n, :] = UNVISITED
    visits[g, n] = 0
    virtual[g, n] = 0
    value_sum[g, n] = 0.0
    status[g, n] = NEW
    if from_node != NO_PARENT:
        children[g, from_node, a] = n
    score_sum[g, n] = 0.0
    score_sq_sum[g, n] = 0.0
    utility_sum[g, n] = 0.0  # value_sum itself without a score utility: zero again
    return n


@njit(cache=True, error_model="numpy", inline="always")
def new_node_in_tree(tree, g, from_node, a):
    """``_new_node`` with the arrays taken from ``tree``: for a root (once a search)."""
    return _new_node(tree.node_count, tree.parent, tree.action, tree.children, tree.visits, tree.virtual,
                     tree.value_sum, tree.status, tree.score_sum, tree.score_sq_sum, tree.utility_sum, g, from_node,
                     a)  # fmt: skip


@njit(cache=True)
def terminal_score_for_mover(state, komi, mover):
    """The Tromp-Taylor score (komi included) of a finished position for ``mover``."""
    score = rules.area_score(state, komi)
    return score if mover == rules.BLACK else -score


@njit(cache=True)
def terminal_value_for_mover(state, komi, mover):
    """+1, -1 or 0 for ``mover`` by the Tromp-Taylor score of a finished position."""
    score = rules.area_score(state, komi)
    if score == 0.0:
        return 0.0
    black_wins = score > 0.0
    return 1.0 if black_wins == (mover == rules.BLACK) else -1.0


# How a descent of the tree ends (``_descend``).
REACHED_NEW_LEAF = 0  # an action never tried: its position is the leaf to evaluate
REACHED_WAITING = 1  # a node whose evaluation is pending: the path is given back
REACHED_TERMINAL = 2  # a node where the game is over: its score is backed up again


@njit(**NO_REFCOUNTS)
def gather_leaves(
    tree, root_states, root_histories, komi, target, done, pending, params,
    gumbel_score, considered, schedule, logits, logits_ready,
    scratch_state, scratch_history, work, path, tried, leaves, keep_positions,
):  # fmt: skip
    """Select up to ``leaves_per_game`` leaves in every game still short of its target.

    ``tree`` is the trees' arrays (``mcts.tree.TreeArrays``). Each leaf's features and
    legal mask go to row ``r`` of the ``leaves`` batch (``mcts.batch.LeafBatch``; its
    position too when ``keep_positions``), with its game, node (-1: not stored, tree
    full) and the node it was reached from. Leaves where the game is over are scored
    by the rules and backed up at once. Returns the number of rows written and the
    number of simulations completed here (those ending at a finished game).

    Selection reads only the tree, so a simulation first walks down it
    (``_descend``), noting its actions in ``path``, and builds the board
    (``_replay``) only when it ends at a new leaf (the leaf step): a walk that
    ends at a terminal node or at a node still waiting for its evaluation never
    touches a board.

    The tree's and the batch's arrays come out of their tuples once, here, and the
    steps run per simulation take the arrays they touch. ``path`` (one simulation's
    actions from the root) and ``tried`` (scratch of Gumbel's interior choice) come
    from the caller: a kernel without reference counting cannot allocate.
    """
    games = root_states.shape[0]
    per_game = int(params[P_LEAVES_PER_GAME])
    use_gumbel = params[P_GUMBEL] > 0.0
    utility_on = params[P_UTILITY_ON] > 0.0
    version = int(params[P_FEATURES])
    (node_count, parent, action, children, prior, visits, virtual, value_sum, raw_value, status, score_sum,
     raw_score, utility_sum, raw_utility, score_sq_sum) = tree  # fmt: skip
    features, legal, leaf_game, leaf_node, leaf_parent, positions, position_histories, banned_until, ban_depth = leaves
    rows = 0
    finished = 0
    for g in range(games):
        if done[g] + pending[g] >= target[g]:
            continue
        # Playing a path only writes history past the root's entries: the root's
        # history is copied once for all of this game's leaves.
        _copy(scratch_history, root_histories[g], root_states[g, rules.META_HISTORY_LEN])
        for _ in range(per_game):
            if done[g] + pending[g] >= target[g] or rows >= features.shape[0]:
                break
            if node_count[g] == 0:
                # The root itself waits for its evaluation: nothing else can be chosen yet.
                rows = _start_root(tree, leaves, g, root_states[g], komi[g], version, scratch_state, scratch_history,
                                   keep_positions, rows)  # fmt: skip
                pending[g] += 1
                break
            if status[g, ROOT] == NEW:
                break
            if use_gumbel and virtual[g, ROOT] > 0 and _halving_phase_in_flight(visits, virtual, g, schedule):
                break
            reached, node, depth = _descend(children, prior, visits, virtual, status, utility_sum, raw_utility, g,
                                            params, gumbel_score, considered, schedule, logits, logits_ready, work,
                                            tried, path)  # fmt: skip
            if reached == REACHED_WAITING:
                # Another leaf of this batch is already waiting on that node: give the path
                # back and leave this game's remaining leaves to the next batch.
                release(parent, virtual, g, node)
                break
            if reached == REACHED_TERMINAL:
                # The game is over there: its stored score is backed up again.
                backup_scored(parent, visits, virtual, value_sum, score_sum, score_sq_sum, utility_sum, utility_on, g,
                              node, -raw_value[g, node], -raw_score[g, node], -raw_utility[g, node])  # fmt: skip
            if reached == REACHED_NEW_LEAF:
                # The leaf step: build the position of the action never tried, allocate its
                # node (unless the tree is full), and write it as this round's next leaf, or
                # score it by the rules at once if the game is over there.
                _replay(root_states[g], path, depth, scratch_state, scratch_history)
                child = _new_node(node_count, parent, action, children, visits, virtual, value_sum, status, score_sum,
                                  score_sq_sum, utility_sum, g, node, path[depth - 1])  # fmt: skip
                if not rules.is_over(scratch_state):
                    if child >= 0:
                        virtual[g, child] += 1
                    rows = _write_leaf(scratch_state, scratch_history, komi[g], version, features, legal, banned_until,
                                       ban_depth, leaf_game, leaf_node, leaf_parent, positions, position_histories,
                                       keep_positions, rows, g, child, node, depth)  # fmt: skip
                    pending[g] += 1
                    continue
                _score_finished_leaf(tree, g, node, child, scratch_state, komi[g], params)
            done[g] += 1
            finished += 1
    return rows, finished


@njit(cache=True, error_model="numpy", inline="always")
def _start_root(tree, leaves, g, root_state, komi, version, state, history, keep_positions, row):
    """The root step: allocate game ``g``'s root, with its visit in flight, and write its
    position as the leaf of row ``row``. Returns the next row."""
    root = new_node_in_tree(tree, g, NO_PARENT, 0)
    tree.virtual[g, root] += 1
    _copy(state, root_state, state.shape[0])
    return _write_leaf(state, history, komi, version, leaves.features, leaves.legal, leaves.banned_until,
                       leaves.ban_depth, leaves.game, leaves.node, leaves.parent, leaves.positions,
                       leaves.position_histories, keep_positions, row, g, root, NO_PARENT, 0)  # fmt: skip


@njit(cache=True, error_model="numpy", inline="always")
def _halving_phase_in_flight(visits, virtual, g, schedule):
    """Whether the next simulation of game ``g``'s Gumbel root belongs to a later phase of
    sequential halving than one still in flight: halving compares arms after each
    phase, so the next phase must wait for this one's results."""
    last = schedule.shape[1] - 1
    starting = min(visits[g, ROOT] + virtual[g, ROOT] - 1, last)
    oldest_in_flight = min(visits[g, ROOT] - 1, last)
    return schedule[g, starting] != schedule[g, oldest_in_flight]


@njit(cache=True, error_model="numpy", inline="always")
def _descend(children, prior, visits, virtual, status, utility_sum, raw_utility, g, params, gumbel_score,
             considered, schedule, logits, logits_ready, work, tried, path):  # fmt: skip
    """The descent: walk game ``g``'s tree down from the root, one visit in flight on
    each node passed, noting the actions in ``path``, until an action never tried
    (``REACHED_NEW_LEAF``), a child waiting for its evaluation (``REACHED_WAITING``)
    or a terminal node (``REACHED_TERMINAL``). Returns how it ended, the last node
    reached (for a waiting child, its parent) and the number of actions in ``path``;
    the caller gives back or backs up the path.

    Selection is Gumbel's at the root and inside the tree, or PUCT; all of them
    maximise the utility (the value itself without a score utility).
    """
    use_gumbel = params[P_GUMBEL] > 0.0
    node = ROOT
    virtual[g, node] += 1
    depth = 0
    while True:
        if use_gumbel and node == ROOT:
            a = select_gumbel_root(children, prior, visits, virtual, utility_sum, raw_utility, g, params, gumbel_score,
                                   considered, schedule, work)  # fmt: skip
        elif use_gumbel:
            a = select_gumbel_interior(children, prior, visits, virtual, utility_sum, raw_utility, g, node, params,
                                       logits, logits_ready, work, tried)  # fmt: skip
        else:
            a = select_puct(children, prior, visits, virtual, utility_sum, g, node, params)
        path[depth] = a
        depth += 1
        child = children[g, node, a]
        if child == UNVISITED:
            return REACHED_NEW_LEAF, node, depth
        if status[g, child] == NEW:
            return REACHED_WAITING, node, depth
        virtual[g, child] += 1
        node = child
        if status[g, node] == TERMINAL:
            return REACHED_TERMINAL, node, depth


@njit(cache=True, error_model="numpy", inline="always")
def _score_finished_leaf(tree, g, node, child, state, komi, params):
    """The leaf step where the game is over (``state``, reached from ``node``; ``child``
    its new node, -1 when the tree is full): the rules' final score, its sign as the
    value and the utility with its score term, stored and backed up at once."""
    mover = 3 - state[rules.META_TO_PLAY]  # who played the last action
    utility_on = params[P_UTILITY_ON] > 0.0
    score = terminal_score_for_mover(state, komi, mover)
    value = 0.0 if score == 0.0 else (1.0 if score > 0.0 else -1.0)
    utility = score_utility(value, score, params) if utility_on else value
    if child >= 0:
        tree.status[g, child] = TERMINAL
        tree.raw_value[g, child] = -value
        tree.raw_score[g, child] = -score
        if utility_on:
            tree.raw_utility[g, child] = -utility
        tree.virtual[g, child] += 1
        backup_in_tree(tree, utility_on, g, child, value, score, utility)
    else:
        backup_in_tree(tree, utility_on, g, node, -value, -score, -utility)


@njit(cache=True, error_model="numpy", inline="always")
def _replay(root_state, path, depth, state, history):
    """The position after the ``depth`` actions of ``path`` from ``root_state``, into
    ``state``; ``history`` must hold the root's entries already (moves only append).

    Only the last ``PAST_SLOTS`` moves record the board before them for the history
    planes: those moves write every slot of the ring, so earlier moves' records
    would be overwritten, and so would the root's own slots, which then need no copy.
    """
    count = state.shape[0]
    if depth >= rules.PAST_SLOTS:
        count = rules.present_length(root_state[rules.META_SIZE])
    _copy(state, root_state, count)
    for i in range(depth):
        rules.play_flat(state, history, path[i], state[rules.META_TO_PLAY], i >= depth - rules.PAST_SLOTS)


@njit(cache=True, error_model="numpy", inline="always")
def _write_leaf(state, history, komi, version, features, legal, banned_until, ban_depth, leaf_game, leaf_node,
                leaf_parent, positions, position_histories, keep_positions, row, g, node, from_node, depth):  # fmt: skip
    """The position as row ``row`` of the leaf batch (its arrays: ``mcts.batch.LeafBatch``):
    its legal mask, its planes of feature ``version``, its position when
    ``keep_positions``, and where in the tree it belongs; ``depth`` plies below the
    root. Returns the next row."""
    rules.legal_mask(state, history, state[rules.META_TO_PLAY], legal[row])
    if version == 2:
        # The ko and superko bans are the empty points the mask refuses for repetition.
        feature_kernels.write_features_v2_with_legal(state, legal[row], komi, features[row])
    else:
        rules.write_features(state, features[row])
    # After the planes: the features show the rules' legality, the search obeys the analysis's bans too.
    side = state[rules.META_TO_PLAY] - 1
    if depth < ban_depth[g, side]:  # below every ban (or none set): nothing to take out
        _apply_bans(banned_until[g, side], depth, legal[row])
    if keep_positions:
        _copy(positions[row], state, state.shape[0])
        _copy(position_histories[row], history, state[rules.META_HISTORY_LEN])
    leaf_game[row] = g
    leaf_node[row] = node
    leaf_parent[row] = from_node
    return row + 1


@njit(cache=True, error_model="numpy", inline="always")
def _apply_bans(banned_until, depth, legal):
    """Take out of ``legal`` the actions banned at ``depth`` (KataGo's avoid/allow):
    expansion then gives them ``ILLEGAL`` priors, so no selection ever takes them. A
    position where the bans leave nothing keeps the pass (always legal): a node
    needs a move, and passing is what an engine with no allowed move does."""
    pass_move = legal.shape[0] - 1
    pass_legal = legal[pass_move]
    left = 0
    for a in range(legal.shape[0]):
        if legal[a] and depth < banned_until[a]:
            legal[a] = False
        elif legal[a]:
            left += 1
    if left == 0:
        legal[pass_move] = pass_legal


@njit(**NO_REFCOUNTS)
def expand_and_backup(tree, logits_ready, rows, leaves, priors, values, scores, done, pending, target, params):
    """Store the evaluator's answers for the ``rows`` leaves of ``leaves`` and back their
    values up.

    ``priors[r]`` are renormalised over the legal moves (uniform if the evaluator
    gave them no mass); ``values[r]`` and ``scores[r]`` (points) are for the leaf's
    player to move; the utility follows from both (see the module docstring). A node's
    cached log priors (``select_gumbel_interior``) are stale from here on.
    Returns the number of games still short of their ``target`` and the number of
    roots expanded (the search's two questions after a round, answered here
    rather than by array operations in Python).
    """
    # The arrays come out of the tuple once (see gather_leaves).
    (_node_count, parent, _action, _children, prior, visits, virtual, value_sum, raw_value, status, score_sum,
     raw_score, utility_sum, raw_utility, score_sq_sum) = tree  # fmt: skip
    actions = prior.shape[2]
    utility_on = params[P_UTILITY_ON] > 0.0
    legal, leaf_game, leaf_node, leaf_parent = leaves.legal, leaves.game, leaves.node, leaves.parent
    roots = 0
    for r in range(rows):
        g = leaf_game[r]
        node = leaf_node[r]
        value = float(values[r])
        score = float(scores[r])
        utility = score_utility(value, score, params) if utility_on else value
        if node >= 0:
            total = 0.0
            count = 0
            for a in range(actions):
                if legal[r, a]:
                    total += max(float(priors[r, a]), 0.0)
                    count += 1
            for a in range(actions):
                if not legal[r, a]:
                    prior[g, node, a] = ILLEGAL
                elif total > 0.0:
                    prior[g, node, a] = max(float(priors[r, a]), 0.0) / total
                else:
                    prior[g, node, a] = 1.0 / count
            raw_value[g, node] = value
            raw_score[g, node] = score
            if utility_on:
                raw_utility[g, node] = utility
            status[g, node] = EXPANDED
            logits_ready[g, node] = False
            if node == ROOT:
                roots += 1
            backup_scored(parent, visits, virtual, value_sum, score_sum, score_sq_sum, utility_sum, utility_on, g, node,
                          -value, -score, -utility)  # fmt: skip
        else:
            backup_scored(parent, visits, virtual, value_sum, score_sum, score_sq_sum, utility_sum, utility_on, g,
                          leaf_parent[r], value, score, utility)  # fmt: skip
        pending[g] -= 1
        done[g] += 1
    short = 0
    for g in range(done.shape[0]):
        if done[g] < target[g]:
            short += 1
    return short, roots


@njit(cache=True)
def add_dirichlet_noise(prior, g, node, noise, weight):
    """Mix ``noise`` (a Dirichlet sample over the legal moves, zero elsewhere; drawn by
    the caller's own generator) into the legal priors of ``node``: AlphaZero's root noise."""
    for a in range(prior.shape[2]):
        if prior[g, node, a] >= 0.0:
            prior[g, node, a] = (1.0 - weight) * prior[g, node, a] + weight * noise[a]


@njit(cache=True)
def setup_gumbel_root(prior, g, considered_limit, simulations, gumbel_score, considered, schedule, gumbel):
    """Add the Gumbel(0, 1) sample ``gumbel`` [A] (drawn by the caller; zeros for no
    noise) to each legal root action's logit, keep the top ``considered_limit`` by
    gumbel + logit, and lay out the halving schedule."""
    actions = prior.shape[2]
    legal_count = 0
    for a in range(actions):
        considered[g, a] = False
        if prior[g, ROOT, a] >= 0.0:
            gumbel_score[g, a] = gumbel[a] + math.log(max(prior[g, ROOT, a], 1e-30))
            legal_count += 1
        else:
            gumbel_score[g, a] = NEG_INF
    count = min(considered_limit, legal_count)
    for _ in range(count):
        best = -1
        for a in range(actions):
            available = gumbel_score[g, a] != NEG_INF and not considered[g, a]
            if available and (best < 0 or gumbel_score[g, a] > gumbel_score[g, best]):
                best = a
        considered[g, best] = True
    halving_schedule(count, simulations, schedule[g])
    return count


@njit(cache=True)
def setup_gumbel_roots(prior, games, considered_limit, target, gumbel, gumbel_score, considered, schedule):
    """``setup_gumbel_root`` for each of ``games`` with its row of ``gumbel`` [len(games), A]
    and ``target[g] - 1`` simulations after the root's own (at least 1): one call for
    all the roots a round expanded."""
    for i in range(games.shape[0]):
        g = games[i]
        setup_gumbel_root(prior, g, considered_limit, max(target[g] - 1, 1), gumbel_score, considered, schedule,
                          gumbel[i])  # fmt: skip


@njit(cache=True)
def gumbel_final_action(children, prior, visits, virtual, value_sum, raw_value, g, params, gumbel_score, considered,
                        work):  # fmt: skip
    """The move Gumbel search plays: among the most visited considered actions, the best
    by gumbel + logit + sigma(Q)."""
    completed_sigma(children, prior, visits, virtual, value_sum, raw_value, g, ROOT, params, work)
    most = -1
    for a in range(prior.shape[2]):
        child = children[g, ROOT, a]
        if considered[g, a] and child != UNVISITED:
            most = max(most, visits[g, child])
    best = -1
    best_score = NEG_INF
    for a in range(prior.shape[2]):
        if not considered[g, a]:
            continue
        child = children[g, ROOT, a]
        n = visits[g, child] if child != UNVISITED else 0
        score = gumbel_score[g, a] + work[a]
        if n == max(most, 0) and score > best_score:
            best_score = score
            best = a
    return best


@njit(**NO_REFCOUNTS)
def compact_subtree(tree, g, new_root, order, remap):
    """Make ``new_root``'s subtree the whole tree of game ``g`` (tree reuse).

    Kept nodes are renumbered in their old order, so the new root is ``ROOT``,
    parents still precede children, and moving node ``old`` to ``remap[old] <= old``
    in increasing order never overwrites a node still to be read.
    ``order``/``remap`` are scratch of length T. Nodes whose evaluation is pending
    cannot be kept and are dropped.
    """
    # Arrays taken out of the tuple once, as in the other kernels.
    (node_count, parent, action, children, prior, visits, virtual, value_sum, raw_value, status, score_sum, raw_score,
     utility_sum, raw_utility, score_sq_sum) = tree  # fmt: skip
    count = node_count[g]
    for i in range(count):
        remap[i] = -1
    # Find the subtree (breadth-first), marking its nodes.
    order[0] = new_root
    remap[new_root] = 0
    found = 1
    scan = 0
    while scan < found:
        old = order[scan]
        scan += 1
        for a in range(children.shape[2]):
            c = children[g, old, a]
            if c != UNVISITED and status[g, c] != NEW:
                remap[c] = 0
                order[found] = c
                found += 1
    kept = 0
    for old in range(new_root, count):
        if remap[old] >= 0:
            remap[old] = kept
            kept += 1
    for old in range(new_root, count):
        new = remap[old]
        if new < 0:
            continue
        parent[g, new] = NO_PARENT if old == new_root else remap[parent[g, old]]
        action[g, new] = action[g, old]
        visits[g, new] = visits[g, old]
        virtual[g, new] = 0
        value_sum[g, new] = value_sum[g, old]
        raw_value[g, new] = raw_value[g, old]
        score_sum[g, new] = score_sum[g, old]
        score_sq_sum[g, new] = score_sq_sum[g, old]
        raw_score[g, new] = raw_score[g, old]
        # Aliases of value_sum/raw_value when the utility is off: the same copy again.
        utility_sum[g, new] = utility_sum[g, old]
        raw_utility[g, new] = raw_utility[g, old]
        status[g, new] = status[g, old]
        for a in range(children.shape[2]):
            c = children[g, old, a]
            children[g, new, a] = remap[c] if c != UNVISITED and remap[c] >= 0 else UNVISITED
            prior[g, new, a] = prior[g, old, a]
    node_count[g] = kept
