"""The search's and the rules' shortcuts against the definitions they stand for.

* Gumbel's interior choice settled by bounds (``_interior_by_bounds``, one exp per
  tried action) is the choice of the definition (``_interior_exact``, the improved
  policy of every action) whenever it settles one, over searched trees, visits in
  flight, ties and near-ties, and it settles nearly all of them.
* What a leaf shows the evaluator (features of either version, legal moves, the
  position) is the position of its node replayed move by move with ``GameState``,
  also on paths of more than seven moves, whose history planes come from the
  replayed path alone.
* The superko filter of ``legal_mask`` answers as a plain scan of the history.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import rules
from engine.coords import flat_to_padded, gtp_to_flat
from engine.game import GameState
from mcts import _kernels as kernels
from mcts.config import SearchConfig
from mcts.evaluators import UniformEvaluator, uniform_priors
from mcts.search import BatchedSearch
from mcts.tree import EXPANDED
from tests.positions import random_position
from tests.test_search import LinearEvaluator, node_positions

# --- Gumbel's interior choice --------------------------------------------------------


def interior_choices(search: BatchedSearch) -> tuple[int, int]:
    """Both interior choices at every expanded non-root node of every game: (settled, all)."""
    t = search.trees
    work = np.zeros(search.actions, np.float64)
    tried = np.zeros(search.actions, np.int32)
    settled = total = 0
    for g in range(search.games):
        for node in range(1, int(t.node_count[g])):
            if t.status[g, node] != EXPANDED:
                continue
            logits = np.log(np.maximum(t.prior[g, node].astype(np.float64), 1e-30))
            exact = kernels._interior_exact(t.children, t.prior, t.visits, t.virtual, t.value_sum, t.raw_value, g,
                                            node, search.params, logits, work)  # fmt: skip
            quick = kernels._interior_by_bounds(t.children, t.prior, t.visits, t.virtual, t.value_sum,
                                                t.raw_value, g, node, search.params, logits, work, tried)  # fmt: skip
            assert quick in (-1, exact), f"game {g} node {node}: bounds chose {quick}, the definition {exact}"
            settled += quick >= 0
            total += 1
    return settled, total


def searched(size: int, evaluator, simulations: int = 64, games: int = 6, seed: int = 0) -> BatchedSearch:
    config = SearchConfig(simulations=simulations, gumbel=True, gumbel_considered=8, leaves_per_game=4)
    search = BatchedSearch(config, size, games, evaluator, seed=seed)
    for g in range(games):
        search.set_position(g, random_position(size, seed * 100 + g, 3 * g))
    search.search()
    return search


@pytest.mark.parametrize("kind", ["linear", "uniform"])
@pytest.mark.parametrize("size", [5, 9])
def test_the_interior_choice_by_bounds_is_the_choice_of_the_definition(kind, size):
    evaluator = LinearEvaluator(size, seed=size) if kind == "linear" else UniformEvaluator()
    search = searched(size, evaluator, simulations=96 if size == 5 else 64)
    settled, total = interior_choices(search)
    assert total > 50
    assert settled >= 0.9 * total, f"bounds settled only {settled} of {total} choices"
    # With visits in flight (virtual loss) the values and counts shift: still the same choices.
    t = search.trees
    rng = np.random.default_rng(1)
    for g in range(search.games):
        count = int(t.node_count[g])
        t.virtual[g, :count] = rng.integers(0, 3, count)
    interior_choices(search)
    t.virtual[:] = 0


def test_ties_and_near_ties_go_to_the_definition():
    """Equal priors make equal scores (the first action wins); priors a hair apart, and
    tried actions whose scores nearly meet, are left to the exact computation."""
    search = searched(5, UniformEvaluator(), simulations=40, games=2)
    t = search.trees
    rng = np.random.default_rng(7)
    for g in range(search.games):
        for node in range(1, int(t.node_count[g])):
            if t.status[g, node] != EXPANDED:
                continue
            legal = np.flatnonzero(t.prior[g, node] >= 0)
            prior = rng.choice([0.25, 0.25 * (1 + 1e-7), 0.5, 1e-35], len(legal)).astype(np.float32)
            t.prior[g, node, legal] = prior / prior.sum()
            # Values that make two tried children's scores nearly equal.
            kids = t.children[g, node][t.children[g, node] >= 0]
            t.value_sum[g, kids] = t.visits[g, kids] * rng.choice([0.0, 0.5, 0.5 + 1e-12], len(kids))
    interior_choices(search)


@pytest.mark.parametrize(("below", "above"), [(-2.0, -0.8), (0.0, 2.0)], ids=["untried-tried", "tried-tried"])
def test_a_choice_closer_than_the_margin_is_left_to_the_definition(below, above):
    """Two tried actions (7 and 11) and the untried ones; the value of action 7 moved by
    bisection to where the definition's choice flips (from the best untried action to
    11, or from 11 to 7): there two scores are a rounding apart, and the bounds must
    not decide. Away from it they do, and agree."""
    config = SearchConfig(simulations=8, gumbel=True)
    search = BatchedSearch(config, 5, 1, UniformEvaluator())
    t = search.trees
    actions = search.actions
    for parent, action in [(-1, 0), (0, 3), (1, 7), (1, 11)]:  # root, the interior node, its tried children
        kernels.new_node_in_tree(t.arrays, 0, parent, action)
    node = 1
    prior = np.linspace(1.0, 2.0, actions).astype(np.float32)
    t.prior[0, node] = prior / prior.sum()
    t.status[0, :4] = EXPANDED
    t.raw_value[0, node] = -0.5
    t.visits[0, 2:4] = 2
    t.value_sum[0, 3] = 2 * 0.6
    logits = np.log(np.maximum(t.prior[0, node].astype(np.float64), 1e-30))
    work, tried = np.zeros(actions), np.zeros(actions, np.int32)

    def exact(value_sum: float) -> int:
        t.value_sum[0, 2] = value_sum
        return kernels._interior_exact(t.children, t.prior, t.visits, t.virtual, t.value_sum, t.raw_value, 0, node,
                                       search.params, logits, work)  # fmt: skip

    def by_bounds(value_sum: float) -> int:
        t.value_sum[0, 2] = value_sum
        return kernels._interior_by_bounds(t.children, t.prior, t.visits, t.virtual, t.value_sum, t.raw_value, 0,
                                           node, search.params, logits, work, tried)  # fmt: skip

    low, high = below, above
    first, second = exact(low), exact(high)
    assert first != second and second in (7, 11)
    assert by_bounds(low) == first and by_bounds(high) == second
    while (low + high) / 2 not in (low, high):
        middle = (low + high) / 2
        low, high = (low, middle) if exact(middle) == second else (middle, high)
    assert (exact(low), exact(high)) == (first, second)
    assert by_bounds(low) == by_bounds(high) == -1, "decided a choice that a rounding settles"
    assert kernels.select_gumbel_interior(t.children, t.prior, t.visits, t.virtual, t.value_sum, t.raw_value, 0,
                                          node, search.params, search.logits, search.logits_ready, work,
                                          tried) == second  # fmt: skip


# --- what a leaf shows the evaluator -----------------------------------------------


class LeafRecorder:
    """Uniform evaluator that keeps what each stored leaf showed it, by (game, node)."""

    needs_positions = True

    def __init__(self, feature_version: int = 1):
        self.feature_version = feature_version
        self.search: BatchedSearch | None = None
        self.seen: dict[tuple[int, int], tuple] = {}

    def evaluate(self, features, legal, positions=None):
        states, histories, _komi = positions
        for r in range(len(legal)):
            g, node = int(self.search.leaves.game[r]), int(self.search.leaves.node[r])
            if node >= 0:
                used = int(states[r, rules.META_HISTORY_LEN])
                self.seen[g, node] = (features[r].copy(), legal[r].copy(), states[r].copy(), histories[r, :used].copy())
        return uniform_priors(legal), np.zeros(len(legal), np.float32)


@pytest.mark.parametrize("features", [1, 2], ids=["v1", "v2"])
@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_every_leaf_shows_the_evaluator_its_replayed_position(gumbel, features):
    # The uniform evaluator's equal values send PUCT deep: paths of 7+ moves.
    size, games = 7, 3
    config = SearchConfig(simulations=150, gumbel=gumbel, leaves_per_game=8)
    recorder = LeafRecorder(features)
    search = BatchedSearch(config, size, games, recorder, seed=3)
    recorder.search = search
    roots = [random_position(size, 40 + g, 10 + 6 * g) for g in range(games)]
    for g, root in enumerate(roots):
        search.set_position(g, root)
    search.search()
    deepest = 0
    for g, root in enumerate(roots):
        for node, game in enumerate(node_positions(search, g, root)):
            if (g, node) not in recorder.seen:
                continue  # a terminal node: scored by the rules, never shown
            seen_features, legal, state, history = recorder.seen[g, node]
            assert np.array_equal(seen_features, game.features(version=features)), f"game {g} node {node}: features"
            assert np.array_equal(legal, game.legal_moves()), f"game {g} node {node}: legal moves"
            assert np.array_equal(state, game.state), f"game {g} node {node}: state"
            assert np.array_equal(history, game.history[: len(history)]), f"game {g} node {node}: history"
            deepest = max(deepest, game.move_number - root.move_number)
    if not gumbel:
        assert deepest > rules.PAST_SLOTS, f"no path longer than the history ring ({deepest} moves)"


# --- the superko filter -------------------------------------------------------------


@pytest.mark.parametrize("scan", [0, 1, 5, 63, 300, 5000])
def test_the_repeat_filter_answers_as_a_scan(scan):
    rng = np.random.default_rng(scan)
    history = rng.integers(0, np.iinfo(np.int64).max, scan + 50, dtype=np.int64, endpoint=True).astype(np.uint64)
    bits, shift = rules._repeat_filter(history, scan)
    probes = np.concatenate([history[:scan], history[scan:], rng.integers(0, 2**63, 200).astype(np.uint64)])
    for h in probes:
        assert rules._repeats(history, scan, h, bits, shift) == bool((history[:scan] == h).any())


# A random 4x4 game (found by search) where black's D4 captures nothing yet remakes a
# position from before the latest capture.
QUIET_REPEAT_GAME = (
    "D4 D1 B2 B1 B3 C3 C1 C4 D3 B4 A4 A2 C2 pass C3 A1 C4 pass A3 A1 A2 pass D2 pass B4 pass B1 pass A1 D1"
)


def test_legal_mask_refuses_a_quiet_move_that_repeats_a_position_before_the_last_capture():
    game = GameState(4, 0.5, 0)
    for vertex in QUIET_REPEAT_GAME.split():
        game.play(game.pass_move if vertex == "pass" else gtp_to_flat(vertex, 4))
    move = gtp_to_flat("D4", 4)
    assert game.state[rules.META_LAST_CAPTURE] > 0, "the filter covers the positions before the latest capture"
    assert rules._captured_hash(game.state, flat_to_padded(move, 4), game.to_play) == 0, "D4 captures nothing"
    assert game.illegal_reason(move) is not None and "superko" in game.illegal_reason(move)
    mask = game.legal_moves()
    assert not mask[move]
    assert np.array_equal(mask, [game.is_legal(m) for m in range(game.pass_move + 1)])


def test_legal_mask_agrees_with_single_checks_through_long_games_with_captures():
    checked = 0
    for seed in range(4):
        game = GameState(5, 0.5, 0)
        rng = np.random.default_rng(seed)
        for _ in range(150):
            if game.is_over():
                break
            for color in (1, 2):
                mask = game.legal_moves(color)
                singles = np.array([game.is_legal(m, color) for m in range(game.pass_move + 1)])
                assert np.array_equal(mask, singles)
                checked += int(game.state[rules.META_LAST_CAPTURE] > 0)
            legal = np.flatnonzero(game.legal_moves()[:-1])
            game.play(int(rng.choice(legal)) if len(legal) and rng.random() < 0.97 else game.pass_move)
    assert checked > 100, "the games should reach positions after captures, where the filter is used"
