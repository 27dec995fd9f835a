"""Numba kernels of the search: select leaves, expand them, back up values.

Arrays of the trees are described in ``tree.py``; every kernel works on one game
``g`` of a batch at a time and is called for all games inside one compiled loop,
so Python is entered once per batch of leaves, not once per node or move.

Scalar settings travel in one float64 array ``params`` indexed by the ``P_*``
constants, which keeps the kernel signatures stable as settings are added.
"""

import math

import numpy as np
from numba import njit

from engine import _kernels as rules
from mcts.tree import EXPANDED, ILLEGAL, NEW, NO_PARENT, ROOT, TERMINAL, UNVISITED

P_C_INIT = 0
P_C_BASE = 1
P_FPU_REDUCTION = 2
P_VIRTUAL_LOSS = 3
P_GUMBEL = 4  # 1.0: Gumbel root and interior selection; 0.0: PUCT
P_C_VISIT = 5
P_C_SCALE = 6
P_LEAVES_PER_GAME = 7
P_LENGTH = 8

NEG_INF = -np.inf


@njit(cache=True, inline="always")
def _effective_visits(visits, virtual, g, child):
    return visits[g, child] + virtual[g, child]


@njit(cache=True)
def _child_q(visits, virtual, value_sum, g, child, virtual_loss):
    """Parent's Q of ``child`` with visits in flight counted as losses."""
    n = visits[g, child] + virtual[g, child]
    return (value_sum[g, child] - virtual_loss * virtual[g, child]) / n


@njit(cache=True)
def select_puct(children, prior, visits, virtual, value_sum, g, node, params):
    """AlphaZero's PUCT choice at ``node``, with Leela Zero's first-play urgency."""
    parent_visits = visits[g, node] + virtual[g, node]
    c = params[P_C_INIT] + math.log((parent_visits + params[P_C_BASE] + 1.0) / params[P_C_BASE])
    explore = c * math.sqrt(max(parent_visits, 1))
    # The node's own value for its player to move is minus its mover's mean.
    parent_q = -value_sum[g, node] / visits[g, node] if visits[g, node] > 0 else 0.0
    fpu = parent_q - params[P_FPU_REDUCTION]
    best = -1
    best_score = NEG_INF
    for a in range(prior.shape[2]):
        p = prior[g, node, a]
        if p < 0.0:
            continue
        child = children[g, node, a]
        n = 0
        q = fpu
        if child != UNVISITED:
            n = _effective_visits(visits, virtual, g, child)
            if n > 0:
                q = _child_q(visits, virtual, value_sum, g, child, params[P_VIRTUAL_LOSS])
        score = q + explore * p / (1.0 + n)
        if score > best_score:
            best_score = score
            best = a
    return best


@njit(cache=True)
def completed_sigma(children, prior, visits, virtual, value_sum, raw_value, g, node, params, out):
    """Gumbel MuZero's sigma(completed Q) of every action of ``node`` into ``out``.

    Visited actions keep their Q; unvisited legal ones get the mixed value of the
    node (network value blended with the prior-weighted Q of the visited ones).
    Q is rescaled to [0, 1] over the legal actions, then scaled by
    ``(c_visit + max visits) * c_scale``. Illegal actions get -inf.
    Returns the largest visit count among the children.
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
        q = mixed
        if child != UNVISITED and _effective_visits(visits, virtual, g, child) > 0:
            q = _child_q(visits, virtual, value_sum, g, child, virtual_loss)
        out[a] = q
        low = min(low, q)
        high = max(high, q)
    scale = (params[P_C_VISIT] + max_visits) * params[P_C_SCALE] / max(high - low, 1e-8)
    for a in range(actions):
        if out[a] != NEG_INF:
            out[a] = (out[a] - low) * scale
    return max_visits


@njit(cache=True)
def improved_policy(children, prior, visits, virtual, value_sum, raw_value, g, node, params, out):
    """Gumbel AlphaZero's improved policy softmax(logits + sigma(completed Q)) into ``out``."""
    completed_sigma(children, prior, visits, virtual, value_sum, raw_value, g, node, params, out)
    top = NEG_INF
    for a in range(prior.shape[2]):
        if out[a] != NEG_INF:
            out[a] += math.log(max(prior[g, node, a], 1e-30))
            top = max(top, out[a])
    total = 0.0
    for a in range(prior.shape[2]):
        out[a] = math.exp(out[a] - top) if out[a] != NEG_INF else 0.0
        total += out[a]
    for a in range(prior.shape[2]):
        out[a] /= total


@njit(cache=True)
def select_gumbel_interior(children, prior, visits, virtual, value_sum, raw_value, g, node, params, work):
    """Deterministic interior choice: the action whose visit share lags its improved policy most."""
    improved_policy(children, prior, visits, virtual, value_sum, raw_value, g, node, params, work)
    total = 0
    for a in range(prior.shape[2]):
        child = children[g, node, a]
        if prior[g, node, a] >= 0.0 and child != UNVISITED:
            total += _effective_visits(visits, virtual, g, child)
    best = -1
    best_score = NEG_INF
    for a in range(prior.shape[2]):
        if prior[g, node, a] < 0.0:
            continue
        child = children[g, node, a]
        n = _effective_visits(visits, virtual, g, child) if child != UNVISITED else 0
        score = work[a] - n / (1.0 + total)
        if score > best_score:
            best_score = score
            best = a
    return best


@njit(cache=True)
def select_gumbel_root(
    children, prior, visits, virtual, value_sum, raw_value, g, params, gumbel_score, considered, schedule, work
):
    """Sequential halving at the root: among the considered actions whose visits equal
    the schedule's count for this simulation, the best by gumbel + logits + sigma(Q)."""
    completed_sigma(children, prior, visits, virtual, value_sum, raw_value, g, ROOT, params, work)
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
        score = gumbel_score[g, a] + work[a]
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


@njit(cache=True)
def backup(parent, visits, virtual, value_sum, g, node, value):
    """Add ``value`` (the point of view of the player who moved into ``node``) up to the
    root, flipping sides each level, and release one visit in flight on the way."""
    while node != NO_PARENT:
        value_sum[g, node] += value
        visits[g, node] += 1
        virtual[g, node] -= 1
        value = -value
        node = parent[g, node]


@njit(cache=True)
def release(parent, virtual, g, node):
    """Take back one visit in flight from ``node`` up to the root (an abandoned path)."""
    while node != NO_PARENT:
        virtual[g, node] -= 1
        node = parent[g, node]


@njit(cache=True)
def _new_node(node_count, parent, action, children, visits, virtual, value_sum, status, g, from_node, a):
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
    return n


@njit(cache=True)
def terminal_value_for_mover(state, komi, mover):
    """+1, -1 or 0 for ``mover`` by the Tromp-Taylor score of a finished position."""
    score = rules.area_score(state, komi)
    if score == 0.0:
        return 0.0
    black_wins = score > 0.0
    return 1.0 if black_wins == (mover == rules.BLACK) else -1.0


@njit(cache=True)
def gather_leaves(
    node_count, parent, action, children, prior, visits, virtual, value_sum, raw_value, status,
    root_states, root_histories, komi, target, done, pending, params,
    gumbel_score, considered, schedule,
    scratch_state, scratch_history, work,
    features, legal, leaf_game, leaf_node, leaf_parent, positions, position_histories, keep_positions,
):  # fmt: skip
    """Select up to ``leaves_per_game`` leaves in every game still short of its target.

    Each leaf's features and legal mask go to row ``r`` of ``features``/``legal``
    (and its position to ``positions`` when ``keep_positions``), with
    ``leaf_game[r]``, ``leaf_node[r]`` (-1: not stored, tree full) and
    ``leaf_parent[r]``. Leaves where the game is over are scored by the rules and
    backed up at once. Returns the number of rows written.
    """
    games = root_states.shape[0]
    leaves = int(params[P_LEAVES_PER_GAME])
    use_gumbel = params[P_GUMBEL] > 0.0
    rows = 0
    for g in range(games):
        for _ in range(leaves):
            if done[g] + pending[g] >= target[g] or rows >= features.shape[0]:
                break
            scratch_state[:] = root_states[g]
            used = root_states[g, rules.META_HISTORY_LEN]
            scratch_history[:used] = root_histories[g, :used]
            if node_count[g] == 0:
                # The root itself waits for its evaluation: nothing else can be chosen yet.
                root = _new_node(node_count, parent, action, children, visits, virtual, value_sum, status, g, NO_PARENT, 0)
                virtual[g, root] += 1
                rows = _write_leaf(scratch_state, scratch_history, features, legal, positions, position_histories,
                                   keep_positions, rows, leaf_game, leaf_node, leaf_parent, g, root, NO_PARENT)  # fmt: skip
                pending[g] += 1
                break
            if status[g, ROOT] == NEW:
                break
            if use_gumbel and virtual[g, ROOT] > 0:
                # Sequential halving compares arms after each phase: a simulation of the
                # next phase must wait for the results of this phase still in flight.
                last = schedule.shape[1] - 1
                starting = min(visits[g, ROOT] + virtual[g, ROOT] - 1, last)
                oldest_in_flight = min(visits[g, ROOT] - 1, last)
                if schedule[g, starting] != schedule[g, oldest_in_flight]:
                    break
            node = ROOT
            virtual[g, node] += 1
            stop_game = False
            while True:
                if use_gumbel and node == ROOT:
                    a = select_gumbel_root(children, prior, visits, virtual, value_sum, raw_value, g, params,
                                           gumbel_score, considered, schedule, work)  # fmt: skip
                elif use_gumbel:
                    a = select_gumbel_interior(children, prior, visits, virtual, value_sum, raw_value, g, node,
                                               params, work)  # fmt: skip
                else:
                    a = select_puct(children, prior, visits, virtual, value_sum, g, node, params)
                mover = scratch_state[rules.META_TO_PLAY]
                rules.play_flat(scratch_state, scratch_history, a, mover, True)
                child = children[g, node, a]
                if child == UNVISITED:
                    child = _new_node(node_count, parent, action, children, visits, virtual, value_sum, status, g, node, a)
                    if rules.is_over(scratch_state):
                        value = terminal_value_for_mover(scratch_state, komi[g], mover)
                        if child >= 0:
                            status[g, child] = TERMINAL
                            raw_value[g, child] = -value
                            virtual[g, child] += 1
                            backup(parent, visits, virtual, value_sum, g, child, value)
                        else:
                            backup(parent, visits, virtual, value_sum, g, node, -value)
                        done[g] += 1
                    else:
                        if child >= 0:
                            virtual[g, child] += 1
                        rows = _write_leaf(scratch_state, scratch_history, features, legal, positions,
                                           position_histories, keep_positions, rows, leaf_game, leaf_node,
                                           leaf_parent, g, child, node)  # fmt: skip
                        pending[g] += 1
                    break
                if status[g, child] == NEW:
                    # Another leaf of this batch is already waiting on this node: give the
                    # path back and leave this game's remaining leaves to the next batch.
                    release(parent, virtual, g, node)
                    stop_game = True
                    break
                virtual[g, child] += 1
                node = child
                if status[g, node] == TERMINAL:
                    backup(parent, visits, virtual, value_sum, g, node, -raw_value[g, node])
                    done[g] += 1
                    break
            if stop_game:
                break
    return rows


@njit(cache=True)
def _write_leaf(state, history, features, legal, positions, position_histories, keep_positions, row, leaf_game,
                leaf_node, leaf_parent, g, node, from_node):  # fmt: skip
    rules.write_features(state, features[row])
    rules.legal_mask(state, history, state[rules.META_TO_PLAY], legal[row])
    if keep_positions:
        positions[row] = state
        used = state[rules.META_HISTORY_LEN]
        position_histories[row, :used] = history[:used]
    leaf_game[row] = g
    leaf_node[row] = node
    leaf_parent[row] = from_node
    return row + 1


@njit(cache=True)
def expand_and_backup(
    parent, prior, visits, virtual, value_sum, raw_value, status,
    rows, leaf_game, leaf_node, leaf_parent, legal, priors, values, done, pending,
):  # fmt: skip
    """Store the evaluator's answers for the leaves and back their values up.

    ``priors[r]`` are renormalised over the legal moves (uniform if the evaluator
    gave them no mass); ``values[r]`` is for the leaf's player to move.
    """
    actions = prior.shape[2]
    for r in range(rows):
        g = leaf_game[r]
        node = leaf_node[r]
        value = float(values[r])
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
            status[g, node] = EXPANDED
            backup(parent, visits, virtual, value_sum, g, node, -value)
        else:
            backup(parent, visits, virtual, value_sum, g, leaf_parent[r], value)
        pending[g] -= 1
        done[g] += 1


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


@njit(cache=True)
def compact_subtree(
    node_count, parent, action, children, prior, visits, virtual, value_sum, raw_value, status,
    g, new_root, order, remap,
):  # fmt: skip
    """Make ``new_root``'s subtree the whole tree of game ``g`` (tree reuse).

    Kept nodes are renumbered in their old order, so the new root is ``ROOT``,
    parents still precede children, and moving node ``old`` to ``remap[old] <= old``
    in increasing order never overwrites a node still to be read.
    ``order``/``remap`` are scratch of length T. Nodes whose evaluation is pending
    cannot be kept and are dropped.
    """
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
        status[g, new] = status[g, old]
        for a in range(children.shape[2]):
            c = children[g, old, a]
            children[g, new, a] = remap[c] if c != UNVISITED and remap[c] >= 0 else UNVISITED
            prior[g, new, a] = prior[g, old, a]
    node_count[g] = kept
