"""``BatchedSearch`` against known answers, its own invariants, and itself.

* Known answers under a fixed seed (rollout evaluator, PUCT with one leaf per
  game and with the default eight): capture a large group in atari, save one's
  own group from atari, the only winning move of a 5x5 endgame (checked by
  exhaustive search in the test), passing when the opponent has passed and the
  score decides.
* Tree invariants after search, fresh and reused: root visits are the
  simulations plus the reused visits, nothing left in flight, every node's visits
  are its own evaluation plus its children's, value sums add up the same way,
  Q within [-1, 1], priors ILLEGAL exactly on the illegal moves of each node's
  position (replayed with ``GameState``), terminal nodes scored by the rules; a
  full tree degrades without losing simulations.
* G games in one batch give bit for bit the trees of G separate searches with a
  deterministic evaluator.
* Gumbel search: mctx's halving schedule, every considered arm visited, the
  best arm of a stub with known values chosen with few simulations.
* Root noise and temperature: Dirichlet noise stays a distribution over the
  legal moves; moves are sampled by visits ** (1 / T), then the most visited.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from engine import rules
from engine.coords import flat_to_gtp, gtp_to_flat
from engine.diagram import draw_board, game_from_diagram
from engine.game import BLACK, WHITE, GameState
from mcts import _kernels as kernels
from mcts.config import SearchConfig
from mcts.evaluators import RolloutEvaluator, UniformEvaluator, uniform_priors
from mcts.players import MCTSPlayer
from mcts.search import BatchedSearch
from mcts.tree import EXPANDED, ILLEGAL, NEW, NO_PARENT, ROOT, TERMINAL, UNVISITED
from tests.positions import CAPTURE_9X9, random_position

LEAVES = [1, 8]  # PUCT with one leaf per game per round, and the default batch of leaves

# --- stub evaluators ---------------------------------------------------------------


class LinearEvaluator:
    """Priors and values from a fixed random linear map of the feature planes.

    Deterministic, and computed row by row with the same operations, so a row's
    answer does not depend on the batch it came in.
    """

    def __init__(self, size: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        inputs = 17 * size * size
        self.policy = rng.normal(0.0, 0.4, (inputs, size * size + 1))
        self.value = rng.normal(0.0, 0.15, inputs)

    def evaluate(self, features, legal):
        rows = len(legal)
        priors = np.empty(legal.shape, np.float32)
        values = np.empty(rows, np.float32)
        for r in range(rows):
            x = features[r].reshape(-1).astype(np.float64)
            logits = x @ self.policy
            priors[r] = np.exp(logits - logits.max())
            values[r] = math.tanh(float(x @ self.value))
        return priors, values


class ArmValueEvaluator:
    """Uniform priors; every position below root move ``a`` is worth ``arm_values[a]``
    to the root's player (so Q of arm ``a`` is exactly that), the root itself 0.

    The root move of a leaf is read from its history: the Zobrist hash of the
    position after the root move (a pass repeats the root's hash).
    """

    needs_positions = True

    def __init__(self, root: GameState, arm_values: dict[int, float]):
        self.root_length = int(root.state[rules.META_HISTORY_LEN])
        self.root_player = root.to_play
        self.by_hash = {}
        for move, value in arm_values.items():
            child = root.copy()
            child.play(move)
            self.by_hash[child.hash()] = value

    def evaluate(self, features, legal, positions=None):
        states, histories, _komi = positions
        values = np.zeros(len(legal), np.float32)
        for r in range(len(legal)):
            if states[r, rules.META_HISTORY_LEN] == self.root_length:
                continue  # the root
            value = self.by_hash[int(histories[r, self.root_length])]
            values[r] = value if states[r, rules.META_TO_PLAY] == self.root_player else -value
        return uniform_priors(legal), values


# --- helpers -----------------------------------------------------------------------


def show(game: GameState) -> str:
    return "\n" + draw_board(game) + f"\nto play: {'B' if game.to_play == BLACK else 'W'}"


def value_for_player_to_move(game: GameState) -> float:
    score = game.score()
    sign = 0.0 if score == 0 else (1.0 if score > 0 else -1.0)
    return sign if game.to_play == BLACK else -sign


def node_positions(search: BatchedSearch, g: int, root: GameState) -> list[GameState]:
    """The position of every node, replayed from ``root`` with checked moves."""
    t = search.trees
    positions = [root.copy()]
    for node in range(1, int(t.node_count[g])):
        game = positions[t.parent[g, node]].copy()
        game.play(int(t.action[g, node]))  # raises if the tree played an illegal move
        positions.append(game)
    return positions


def check_tree(search: BatchedSearch, g: int, root: GameState, overflowed: bool | None = None) -> None:
    """Every invariant of game ``g``'s tree that holds between searches.

    ``overflowed``: whether the tree may have been full at some point (default: it is
    full now); a full tree backs up the leaves it cannot store through their parents,
    so a node may then hold more visits than its own evaluation and its children's.
    """
    t = search.trees
    count = int(t.node_count[g])
    assert 1 <= count <= t.capacity
    parent = t.parent[g, :count]
    action = t.action[g, :count]
    children = t.children[g, :count]
    visits = t.visits[g, :count]
    value_sum = t.value_sum[g, :count]
    raw_value = t.raw_value[g, :count]
    status = t.status[g, :count]
    assert search.is_settled()
    assert not t.virtual[g, :count].any(), "virtual loss left behind"
    assert not (status == NEW).any(), "node still waiting for its evaluation"
    assert status[ROOT] == EXPANDED and parent[ROOT] == NO_PARENT
    # Links: parents precede children, and parent and child name each other.
    for node in range(1, count):
        p = parent[node]
        assert 0 <= p < node, f"node {node} has parent {p}"
        assert status[p] == EXPANDED
        assert children[p, action[node]] == node, f"node {node} is not its parent's child"
    linked = children[children != UNVISITED]
    assert len(np.unique(linked)) == len(linked) == count - 1, "a node with two parents or an orphan"
    # Visits and values: every node was visited; Q is a mean of values in [-1, 1].
    assert (visits >= 1).all()
    q = value_sum / visits
    assert (np.abs(q) <= 1.0 + 1e-9).all(), f"Q out of [-1, 1]: {q[np.abs(q) > 1]}"
    assert (np.abs(raw_value) <= 1.0).all()
    full = count == t.capacity if overflowed is None else overflowed
    for node in range(count):
        kids = children[node][children[node] != UNVISITED]
        if status[node] == TERMINAL:
            assert len(kids) == 0
            assert raw_value[node] in (-1.0, 0.0, 1.0)
            assert value_sum[node] == pytest.approx(-raw_value[node] * visits[node])
            continue
        child_visits = int(visits[kids].sum())
        if full:
            assert visits[node] >= 1 + child_visits
        else:
            assert visits[node] == 1 + child_visits, f"node {node}: {visits[node]} visits, children {child_visits}"
            # Its own evaluation (from the mover's side) and its children's sums (the other side's).
            expected = -float(raw_value[node]) - float(value_sum[kids].sum())
            assert value_sum[node] == pytest.approx(expected, abs=1e-6)
    # Positions: legal moves, terminal nodes and their scores.
    for node, game in enumerate(node_positions(search, g, root)):
        if status[node] == TERMINAL:
            assert game.is_over(), f"node {node} terminal in a game not over{show(game)}"
            assert raw_value[node] == value_for_player_to_move(game)
            continue
        assert not game.is_over()
        legal = game.legal_moves()
        prior = t.prior[g, node]
        assert np.array_equal(prior == ILLEGAL, ~legal), f"node {node}: illegal priors{show(game)}"
        assert (prior[legal] >= 0).all()
        assert prior[legal].sum() == pytest.approx(1.0, abs=1e-5)


def subtree(t, g: int, node: int) -> dict:
    """Statistics of ``node``'s subtree in trees ``t``, keyed by the path of moves from it."""
    out = {}
    stack = [((), node)]
    while stack:
        path, n = stack.pop()
        out[path] = (
            int(t.visits[g, n]), float(t.value_sum[g, n]), float(t.raw_value[g, n]), int(t.status[g, n]),
            t.prior[g, n].tobytes() if t.status[g, n] == EXPANDED else b"",
        )  # fmt: skip
        for a in np.flatnonzero(t.children[g, n] != UNVISITED):
            stack.append((path + (int(a),), int(t.children[g, n, a])))
    return out


def search_one(config: SearchConfig, game: GameState, evaluator, seed: int = 0) -> BatchedSearch:
    search = BatchedSearch(config, game.size, 1, evaluator, seed=seed)
    search.set_position(0, game)
    search.search()
    return search


def root_q(search: BatchedSearch, g: int, move: int) -> float:
    t = search.trees
    child = t.children[g, ROOT, move]
    assert child != UNVISITED, f"{flat_to_gtp(move, search.size)} never visited"
    return float(t.value_sum[g, child] / t.visits[g, child])


# --- known answers -----------------------------------------------------------------

# Black's four stones B5-C4 have one liberty, D5. Black D5 joins them to the
# living black wall; white D5 would capture them.
SAVE_7X7 = """
    . . O . X . .
    O O O O X . .
    O X X . X . .
    O X X O X X X
    O O O O X . .
    . . O . X . .
    . . O . X . .
"""

# Mutual atari: white C2-C1 and black D1-E1 share their last liberty D2; black
# D2 wins, every other black move (or a pass) loses (exhaustive search below).
ENDGAME_5X5 = """
    . X . O .
    X . X O O
    . X X X O
    X X O . O
    . X O X X
"""
ENDGAME_KOMI = 3.5


def settled_score(diagram: str, komi: float, moves: list[tuple[int, str]]) -> float:
    game = game_from_diagram(diagram, komi=komi)
    for color, vertex in moves:
        game.play(gtp_to_flat(vertex, game.size), color)
    return game.score()


def test_the_known_answers_really_decide_the_game():
    """The answers are worth the game: taking the point wins, leaving it to the opponent loses."""
    assert settled_score(CAPTURE_9X9, 0.5, [(BLACK, "E5")]) > 0
    assert settled_score(CAPTURE_9X9, 0.5, [(WHITE, "E5")]) < 0
    captured = game_from_diagram(CAPTURE_9X9, komi=0.5)
    captured.play(gtp_to_flat("E5", 9))
    assert captured.captures(BLACK) == 6
    assert settled_score(SAVE_7X7, 0.5, [(BLACK, "D5")]) > 0
    assert settled_score(SAVE_7X7, 0.5, [(WHITE, "D5")]) < 0


def test_exhaustive_search_finds_exactly_one_winning_move_in_the_5x5_endgame():
    game = game_from_diagram(ENDGAME_5X5, komi=ENDGAME_KOMI, to_play=BLACK)
    results = {flat_to_gtp(move, 5): result for move, result in exact_results(game).items()}
    assert results == {"A5": -1, "C5": -1, "B4": -1, "A3": -1, "D2": 1, "A1": -1, "pass": -1}


class OutOfBudget(Exception):
    pass


def exact_results(game: GameState, max_nodes: int = 40_000, max_depth: int = 40) -> dict[int, int]:
    """Game-theoretic result (+1 win, -1 loss, 0 draw) of every legal move for the
    player to move: plain negamax to the end of the game (two passes), no
    transposition table (superko makes positions depend on their history)."""
    nodes = [0]

    def negamax(position: GameState, depth: int) -> int:
        if position.is_over():
            return int(value_for_player_to_move(position))
        nodes[0] += 1
        if depth == 0 or nodes[0] > max_nodes:
            raise OutOfBudget
        best = -1
        for move in np.flatnonzero(position.legal_moves())[::-1]:  # pass first: short games first
            child = position.copy()
            child.play_unchecked(int(move))
            best = max(best, -negamax(child, depth - 1))
            if best == 1:
                break
        return best

    out = {}
    for move in np.flatnonzero(game.legal_moves()):
        child = game.copy()
        child.play_unchecked(int(move))
        out[int(move)] = -negamax(child, max_depth)
    return out


@pytest.mark.parametrize("leaves", LEAVES)
@pytest.mark.parametrize(
    "name, diagram, komi, simulations, answer",
    [
        ("capture", CAPTURE_9X9, 0.5, 400, "E5"),
        ("save", SAVE_7X7, 0.5, 200, "D5"),
        ("endgame", ENDGAME_5X5, ENDGAME_KOMI, 100, "D2"),
    ],
)
def test_rollout_search_finds_the_move_that_decides_the_game(name, diagram, komi, simulations, answer, leaves):
    game = game_from_diagram(diagram, komi=komi, to_play=BLACK)
    config = SearchConfig(leaves_per_game=leaves)
    player = MCTSPlayer(RolloutEvaluator(4, seed=11), simulations=simulations, config=config, seed=11)
    decision = player.genmove(game)
    visits = decision.search.visits
    assert flat_to_gtp(decision.move, game.size) == answer, (
        f"{name}: chose {flat_to_gtp(decision.move, game.size)}, visits "
        f"{ {flat_to_gtp(int(m), game.size): int(visits[m]) for m in np.flatnonzero(visits)} }{show(game)}"
    )
    assert decision.search.value > 0  # the root's mean includes the early exploration
    # The winning move holds the most visits and a clearly better mean than any other.
    search = player._search
    q = root_q(search, 0, decision.move)
    assert q > 0.5
    others = [root_q(search, 0, int(m)) for m in np.flatnonzero(visits) if m != decision.move and visits[m] >= 4]
    assert all(q > other + 0.3 for other in others)


# A settled 5x5: each side has two single-point eyes and no other empty point
# is playable for black except its own eyes, whose filling gets the group
# captured. Black's area 15, white's 10.
SETTLED_5X5 = """
    . X X O .
    X X X O O
    X X X O .
    X X X O O
    . X X O .
"""
# The same with one neutral point, C3, that black can still fill (a dame).
DAME_5X5 = """
    . X X O .
    X X X O O
    X X . O .
    X X X O O
    . X X O .
"""


@pytest.mark.parametrize("leaves", LEAVES)
def test_after_a_pass_passing_wins_when_ahead(leaves):
    """White passed; black leads by 0.5, so black's pass ends a won game: the pass node is
    terminal with value exactly +1 and the only other moves (own eye fills) lose."""
    game = game_from_diagram(SETTLED_5X5, komi=4.5, to_play=WHITE)
    game.play(game.pass_move)
    search = search_one(SearchConfig(simulations=100, leaves_per_game=leaves), game, RolloutEvaluator(4, seed=3), 3)
    check_tree(search, 0, game)
    assert search.choose_move(0, game.move_number) == game.pass_move
    child = search.trees.children[0, ROOT, game.pass_move]
    assert search.trees.status[0, child] == TERMINAL
    assert root_q(search, 0, game.pass_move) == 1.0
    assert search.root_value(0) > 0.8


@pytest.mark.parametrize("leaves", LEAVES)
def test_after_a_pass_passing_is_avoided_when_behind(leaves):
    """White passed; black is 0.5 behind, so passing loses at once (value exactly -1),
    while filling the last neutral point, C3, wins."""
    game = game_from_diagram(DAME_5X5, komi=4.5, to_play=WHITE)
    game.play(game.pass_move)
    assert game.score() < 0
    search = search_one(SearchConfig(simulations=100, leaves_per_game=leaves), game, RolloutEvaluator(4, seed=3), 3)
    check_tree(search, 0, game)
    move = search.choose_move(0, game.move_number)
    assert flat_to_gtp(move, 5) == "C3"
    assert root_q(search, 0, game.pass_move) == -1.0
    assert search.root_value(0) > 0


@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_at_the_move_cap_every_child_is_terminal_and_the_score_decides(gumbel):
    """One move before the cap every move ends the game; black is 0.5 behind and only
    filling the neutral point C3 turns the score. The values are the rules', not the
    evaluator's (uniform, value 0)."""
    game = game_from_diagram(DAME_5X5, komi=4.5, to_play=BLACK, max_moves=1)
    config = SearchConfig(simulations=40, gumbel=gumbel, gumbel_sample=False)
    search = search_one(config, game, UniformEvaluator())
    check_tree(search, 0, game)
    t = search.trees
    legal = np.flatnonzero(game.legal_moves())
    for move in legal:
        child = t.children[0, ROOT, move]
        assert child != UNVISITED and t.status[0, child] == TERMINAL
        assert root_q(search, 0, int(move)) == (1.0 if flat_to_gtp(int(move), 5) == "C3" else -1.0)
    assert flat_to_gtp(search.choose_move(0, 0), 5) == "C3"


# White's B4 is in atari; black C4 takes it, and white may not take back at once.
KO_5X5 = """
    . X O . .
    X O . O .
    . X O . .
    . . . . .
    . . . . .
"""


@pytest.mark.parametrize("leaves", LEAVES)
def test_the_tree_knows_the_ko_rule(leaves):
    game = game_from_diagram(KO_5X5, komi=0.5, to_play=BLACK)
    search = search_one(SearchConfig(simulations=200, leaves_per_game=leaves), game, UniformEvaluator())
    check_tree(search, 0, game)
    t = search.trees
    take = t.children[0, ROOT, gtp_to_flat("C4", 5)]
    assert take != UNVISITED and t.status[0, take] == EXPANDED
    assert t.prior[0, take, gtp_to_flat("B4", 5)] == ILLEGAL  # the immediate retake
    assert t.prior[0, ROOT, gtp_to_flat("B4", 5)] == ILLEGAL  # black's suicide
    assert t.prior[0, ROOT, gtp_to_flat("C4", 5)] >= 0


# --- tree invariants ---------------------------------------------------------------

POSITIONS = [(5, 1, 8), (7, 2, 16), (9, 3, 30)]  # (size, seed, random moves played)


def make_evaluator(kind: str, size: int):
    return {
        "uniform": lambda: UniformEvaluator(),
        "rollout": lambda: RolloutEvaluator(2, seed=5),
        "linear": lambda: LinearEvaluator(size, seed=5),
    }[kind]()


@pytest.mark.parametrize("kind", ["uniform", "rollout", "linear"])
@pytest.mark.parametrize("leaves", LEAVES)
@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_tree_invariants_after_search_and_after_reuse(kind, leaves, gumbel):
    simulations = 120
    config = SearchConfig(simulations=simulations, leaves_per_game=leaves, gumbel=gumbel)
    for size, seed, moves in POSITIONS:
        game = random_position(size, seed, moves)
        search = BatchedSearch(config, size, 1, make_evaluator(kind, size), seed=seed)
        search.set_position(0, game)
        search.search()
        t = search.trees
        assert t.visits[0, ROOT] == simulations
        assert search.root_visits(0).sum() == simulations - 1
        check_tree(search, 0, game)

        # The opponent answers with its most visited reply; the search keeps that subtree.
        move = search.choose_move(0, game.move_number)
        child = t.children[0, ROOT, move]
        replies = np.where(t.children[0, child] >= 0, t.visits[0, np.maximum(t.children[0, child], 0)], -1)
        reply = int(np.argmax(replies))
        grandchild = int(t.children[0, child, reply])
        assert grandchild != UNVISITED and t.status[0, grandchild] == EXPANDED, "pick a position with a deeper tree"
        kept = subtree(search.trees, 0, grandchild)
        reused = kept[()][0]
        game.play(move)
        game.play(reply)
        search.set_position(0, game)
        if gumbel:  # sequential halving plans from a fresh root
            assert t.node_count[0] == 0
            reused = 0
        else:
            assert subtree(search.trees, 0, ROOT) == kept, "the reused subtree changed"
            assert t.node_count[0] == len(kept)
            check_tree(search, 0, game)
        search.search()
        assert t.visits[0, ROOT] == simulations + reused
        check_tree(search, 0, game)


@pytest.mark.parametrize("kind", ["uniform", "linear"])
def test_reuse_keeps_the_subtree_of_the_first_grandchild(kind):
    """The first grandchild (node 2) heads a subtree holding many of the earliest nodes,
    whose breadth-first order differs from their allocation order: a renumbering in
    place must not overwrite nodes it has yet to read (it once did, here)."""
    game = GameState(5, 0.5)
    search = search_one(SearchConfig(simulations=100, leaves_per_game=1), game, make_evaluator(kind, 5))
    t = search.trees
    assert t.parent[0, 2] == 1 and t.parent[0, 1] == ROOT and t.status[0, 2] == EXPANDED
    kept = subtree(t, 0, 2)
    assert len(kept) > 10
    game.play(int(t.action[0, 1]))
    game.play(int(t.action[0, 2]))
    search.set_position(0, game)
    assert subtree(t, 0, ROOT) == kept
    check_tree(search, 0, game)
    search.search()
    check_tree(search, 0, game)
    assert t.visits[0, ROOT] == 100 + kept[()][0]


def test_compact_subtree_on_a_tree_built_by_hand():
    """Nodes: 0 root; 1 = 0->a0 (the kept subtree); 2 = 1->a1; 3 = 2->a0; 4 = 0->a1 (dropped);
    5 = 1->a0; 6 = 5->a0. Breadth-first the subtree reads 1, 5, 2, 6, 3: node 3 comes
    after node 6, which a breadth-first renumbering in place would have written over it."""
    from mcts.tree import Trees

    t = Trees(1, 16, 4)
    links = [(NO_PARENT, 0), (0, 0), (1, 1), (2, 0), (0, 1), (1, 0), (5, 0)]
    for node, (parent, action) in enumerate(links):
        kernels.new_node_in_tree(t.arrays, 0, parent, action)
        t.status[0, node] = EXPANDED
        t.visits[0, node] = 100 + node
        t.value_sum[0, node] = node / 10
        t.prior[0, node] = node
    order, remap = np.zeros(16, np.int32), np.zeros(16, np.int32)
    kernels.compact_subtree(t.arrays, 0, 1, order, remap)
    assert t.node_count[0] == 5
    # Keyed by the path from the new root: old nodes 1, 5, 6, 2, 3.
    old_nodes = {(): 1, (0,): 5, (0, 0): 6, (1,): 2, (1, 0): 3}
    expected = {
        path: (100 + old, old / 10, 0.0, EXPANDED, np.full(4, old, np.float32).tobytes())
        for path, old in old_nodes.items()
    }
    assert subtree(t, 0, ROOT) == expected
    for node in range(1, 5):
        assert t.parent[0, node] < node
        assert t.children[0, t.parent[0, node], t.action[0, node]] == node


@pytest.mark.parametrize("leaves", LEAVES)
@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_a_full_tree_still_completes_its_simulations(leaves, gumbel):
    game = random_position(7, 4, 12)
    config = SearchConfig(simulations=150, max_nodes=12, leaves_per_game=leaves, gumbel=gumbel)
    search = search_one(config, game, RolloutEvaluator(2, seed=1), seed=1)
    t = search.trees
    assert t.node_count[0] == 12
    assert t.visits[0, ROOT] == 150
    check_tree(search, 0, game)
    move = search.choose_move(0, game.move_number)
    assert game.legal_moves()[move]
    # Reusing a full tree keeps it consistent too.
    child = t.children[0, ROOT, move]
    reused = int(t.visits[0, child]) if not gumbel and t.status[0, child] == EXPANDED else 0
    game.play(move)
    search.set_position(0, game)
    assert reused > 0 or gumbel
    if reused:
        check_tree(search, 0, game, overflowed=True)
    search.search()
    check_tree(search, 0, game, overflowed=True)
    assert t.visits[0, ROOT] == 150 + reused


def test_searches_of_a_subset_of_games_leave_the_others_alone():
    games = [random_position(5, seed, 6) for seed in range(3)]
    search = BatchedSearch(SearchConfig(simulations=30), 5, 3, UniformEvaluator())
    for g, game in enumerate(games):
        search.set_position(g, game)
    search.search(games=[1])
    assert list(search.trees.node_count[[0, 2]]) == [0, 0]
    assert search.trees.visits[1, ROOT] == 30
    search.search(games=[0, 2], simulations=10)
    assert list(search.trees.visits[:, ROOT]) == [10, 30, 10]
    for g, game in enumerate(games):
        check_tree(search, g, game)


def test_set_position_refuses_a_finished_game_or_another_board_size():
    search = BatchedSearch(SearchConfig(simulations=10), 5, 1, UniformEvaluator())
    with pytest.raises(ValueError, match="9x9"):
        search.set_position(0, GameState(9))
    over = GameState(5, 0.5)
    over.play(over.pass_move)
    over.play(over.pass_move)
    with pytest.raises(ValueError, match="finished"):
        search.set_position(0, over)


def test_the_tree_of_one_player_is_not_reused_for_the_other_with_the_same_moves():
    """Same stones and moves, the other colour to move (GTP ``reg_genmove b`` then
    ``reg_genmove w``, or ``genmove`` for the colour not to move): the old tree's priors
    and values belong to the other player and must not be reused."""
    black = game_from_diagram(SETTLED_5X5, komi=0.5, to_play=BLACK)
    white = game_from_diagram(SETTLED_5X5, komi=0.5, to_play=WHITE)
    search = BatchedSearch(SearchConfig(simulations=20), 5, 1, UniformEvaluator())
    search.set_position(0, black)
    search.search()
    search.set_position(0, white)
    # Checked before searching: searching the other player's tree plays its legal moves
    # for this player (illegal here), and random playouts then never end.
    assert search.trees.node_count[0] == 0, "black's tree kept for white to move"


def test_the_tree_is_not_reused_when_the_same_colour_moves_twice():
    """GTP lets one colour move twice (``play b`` after ``genmove b``): the subtree below
    black's move is a white-to-move tree, wrong for black to move again."""
    game = random_position(5, 2, 6)
    search = BatchedSearch(SearchConfig(simulations=40), 5, 1, UniformEvaluator())
    search.set_position(0, game)
    search.search()
    me = game.to_play
    move = search.choose_move(0, game.move_number)
    game.play(move, me)
    game.to_play = me  # the same colour to move again
    search.set_position(0, game)
    assert search.trees.node_count[0] == 0, "a tree for the other colour kept"


# --- batched search equals separate searches --------------------------------------


def tree_arrays(search: BatchedSearch, g: int) -> list[np.ndarray]:
    t = search.trees
    count = int(t.node_count[g])
    return [
        np.array([count]), t.parent[g, :count], t.action[g, :count], t.children[g, :count], t.prior[g, :count],
        t.visits[g, :count], t.value_sum[g, :count], t.raw_value[g, :count], t.status[g, :count],
    ]  # fmt: skip


@pytest.mark.parametrize("leaves", LEAVES)
@pytest.mark.parametrize(
    "gumbel, sample", [(False, False), (True, False)], ids=["puct", "gumbel-deterministic"]
)  # fmt: skip
@pytest.mark.parametrize("kind", ["uniform", "linear"])
def test_batched_search_equals_separate_searches(leaves, gumbel, sample, kind):
    """With a deterministic evaluator, PUCT without root noise and Gumbel without Gumbel
    noise are deterministic: a game's tree does not depend on the others in its batch."""
    size = 7
    games = [random_position(size, seed, moves) for seed, moves in [(1, 0), (2, 9), (3, 17), (4, 24)]]
    config = SearchConfig(simulations=64, leaves_per_game=leaves, gumbel=gumbel, gumbel_sample=sample)
    batched = BatchedSearch(config, size, len(games), make_evaluator(kind, size))
    for g, game in enumerate(games):
        batched.set_position(g, game)
    batched.search()
    for g, game in enumerate(games):
        alone = search_one(config, game, make_evaluator(kind, size))
        for ours, theirs in zip(tree_arrays(batched, g), tree_arrays(alone, 0), strict=True):
            np.testing.assert_array_equal(ours, theirs)
        assert batched.choose_move(g, 0) == alone.choose_move(0, 0)
        np.testing.assert_array_equal(batched.policy_target(g), alone.policy_target(0))
        assert batched.root_value(g) == alone.root_value(0)


@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel-deterministic"])
def test_batched_search_with_one_simulation_count_per_game(gumbel):
    """Playout cap randomisation mixes fast and full searches in one batch: each game's
    tree is the one a lone search with its own count would grow."""
    size = 7
    games = [random_position(size, seed, moves) for seed, moves in [(5, 4), (6, 11), (7, 20)]]
    counts = [8, 64, 100]  # the last above the config's own count
    config = SearchConfig(simulations=64, gumbel=gumbel, gumbel_sample=False)
    batched = BatchedSearch(config, size, len(games), LinearEvaluator(size, seed=3))
    for g, game in enumerate(games):
        batched.set_position(g, game)
    batched.search(simulations=counts)
    for g, (game, count) in enumerate(zip(games, counts, strict=True)):
        assert batched.trees.visits[g, ROOT] == count
        check_tree(batched, g, game)
        alone = BatchedSearch(replace(config, simulations=count), size, 1, LinearEvaluator(size, seed=3))
        alone.set_position(0, game)
        alone.search()
        for ours, theirs in zip(tree_arrays(batched, g), tree_arrays(alone, 0), strict=True):
            np.testing.assert_array_equal(ours, theirs)
        assert batched.choose_move(g, 0) == alone.choose_move(0, 0)


def test_batched_gumbel_noise_is_reproducible_from_the_seed():
    """With Gumbel noise the draws come from one stream per search, in game order: the same
    seed gives the same trees (a batch equals separate searches only for its first game)."""
    size = 5
    games = [random_position(size, seed, 5) for seed in range(3)]
    config = SearchConfig(simulations=24, gumbel=True)

    def batched_run(seed):
        search = BatchedSearch(config, size, len(games), UniformEvaluator(), seed=seed)
        for g, game in enumerate(games):
            search.set_position(g, game)
        search.search()
        return search

    first, second = batched_run(9), batched_run(9)
    # Game 0's root is prepared first, so it draws first: it matches a lone search.
    for g in range(len(games)):
        for ours, theirs in zip(tree_arrays(first, g), tree_arrays(second, g), strict=True):
            np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(first.gumbel_score[g], second.gumbel_score[g])
    alone = search_one(config, games[0], UniformEvaluator(), seed=9)
    np.testing.assert_array_equal(first.gumbel_score[0], alone.gumbel_score[0])
    assert first.choose_move(0, 0) == alone.choose_move(0, 0)


def test_root_noise_depends_only_on_the_search_s_own_seed():
    """Two searches with the same seed draw the same Gumbel noise, whatever other search
    was created in between (an arena match holds two players' searches at once)."""
    game = GameState(5, 0.5)
    config = SearchConfig(simulations=20, gumbel=True)
    alone = search_one(config, game, UniformEvaluator(), seed=7)
    first = BatchedSearch(config, 5, 1, UniformEvaluator(), seed=7)
    BatchedSearch(config, 5, 1, UniformEvaluator(), seed=8)  # e.g. the opponent's search
    first.set_position(0, game)
    first.search()
    np.testing.assert_array_equal(first.gumbel_score[0], alone.gumbel_score[0])


# --- Gumbel ------------------------------------------------------------------------


def mctx_considered_visits(considered: int, simulations: int) -> list[int]:
    """mctx's ``get_sequence_of_considered_visits``, transcribed."""
    if considered <= 1:
        return list(range(simulations))
    log2max = math.ceil(math.log2(considered))
    sequence = []
    visits = [0] * considered
    count = considered
    while len(sequence) < simulations:
        extra = max(1, int(simulations / (log2max * count)))
        for _ in range(extra):
            sequence.extend(visits[:count])
            for i in range(count):
                visits[i] += 1
        count = max(2, count // 2)
    return sequence[:simulations]


def halving(considered: int, simulations: int) -> list[int]:
    out = np.full(simulations, -1, np.int32)
    kernels.halving_schedule(considered, simulations, out)
    return out.tolist()


@pytest.mark.parametrize(
    "considered, simulations, expected",
    [
        # 4 arms, log2 = 2: one visit each, then the best 2 get 2 more each.
        (4, 8, [0, 0, 0, 0, 1, 1, 2, 2]),
        # 16 arms, log2 = 4: 16 firsts; 8 seconds; then 4 arms twice (32 // 16 = 2 rounds).
        (16, 32, [0] * 16 + [1] * 8 + [2] * 4 + [3] * 4),
        # 3 arms, log2 = 2: one each; then 2 arms, 10 // 4 = 2 rounds per phase.
        (3, 10, [0, 0, 0, 1, 1, 2, 2, 3, 3, 4]),
        (2, 5, [0, 0, 1, 1, 2]),
        (1, 4, [0, 1, 2, 3]),
    ],
)
def test_halving_schedule_is_mctx_sequence(considered, simulations, expected):
    assert halving(considered, simulations) == expected
    assert mctx_considered_visits(considered, simulations) == expected


def test_halving_schedule_matches_mctx_over_a_grid():
    for considered in range(1, 20):
        for simulations in range(1, 70):
            assert halving(considered, simulations) == mctx_considered_visits(considered, simulations), (
                considered,
                simulations,
            )


# 3x3 empty board: 10 legal moves (pass included), all of them considered (<= 16).
def arm_values(game: GameState, best: int) -> dict[int, float]:
    """The best arm +0.9; the others spread over [-0.9, -0.5] in a shuffled order."""
    legal = [int(m) for m in np.flatnonzero(game.legal_moves()) if m != best]
    others = np.linspace(-0.9, -0.5, len(legal))
    np.random.default_rng(0).shuffle(others)
    values = dict(zip(legal, others.tolist(), strict=True))
    values[best] = 0.9
    return values


@pytest.mark.parametrize("leaves", LEAVES)
@pytest.mark.parametrize("simulations", [16, 32])
def test_gumbel_picks_the_best_arm_with_few_simulations(leaves, simulations):
    game = GameState(3, 0.5)
    best = gtp_to_flat("C1", 3)
    config = SearchConfig(simulations=simulations, gumbel=True, leaves_per_game=leaves)
    hits = 0
    for seed in range(20):
        evaluator = ArmValueEvaluator(game, arm_values(game, best))
        search = search_one(config, game, evaluator, seed=seed)
        check_tree(search, 0, game)
        assert search.considered[0].sum() == 10
        # Every arm is visited once before halving, and the values are exact.
        visits = search.root_visits(0)
        assert (visits[:10] >= 1).all()
        for move, value in arm_values(game, best).items():
            assert root_q(search, 0, move) == pytest.approx(value, abs=1e-6)
        policy = search.policy_target(0)
        assert int(np.argmax(policy)) == best
        assert policy.sum() == pytest.approx(1.0, abs=1e-5)
        hits += search.choose_move(0, 0) == best
    # The final choice adds the Gumbel sample to logits + sigma(Q), so the best arm is
    # not certain: another arm's noise beats the Q gap about 13% of the time (a
    # logistic tail per arm), while chance alone would pick it 2 times in 20.
    assert hits >= 16, f"best arm chosen {hits} times in 20"


@pytest.mark.parametrize("leaves", LEAVES)
def test_gumbel_without_noise_always_picks_the_best_arm(leaves):
    game = GameState(3, 0.5)
    for best in (0, 4, 9):  # a corner, the centre, the pass
        config = SearchConfig(simulations=16, gumbel=True, gumbel_sample=False, leaves_per_game=leaves)
        search = search_one(config, game, ArmValueEvaluator(game, arm_values(game, best)))
        assert search.choose_move(0, 0) == best


@pytest.mark.parametrize("leaves", LEAVES)
def test_gumbel_visits_each_considered_arm_once_with_one_simulation_more_than_arms(leaves):
    """The root's own evaluation is the first simulation: the next ``m`` go one to each of
    the ``m`` considered arms (mctx's schedule starts with ``m`` zeros)."""
    game = GameState(3, 0.5)
    for considered in (4, 10):
        config = SearchConfig(simulations=considered + 1, gumbel=True, gumbel_considered=considered,
                              leaves_per_game=leaves)  # fmt: skip
        for seed in range(5):
            search = search_one(config, game, UniformEvaluator(), seed=seed)
            assert search.considered[0].sum() == considered
            visits = search.root_visits(0)
            assert (visits[search.considered[0]] == 1).all(), visits
            assert (visits[~search.considered[0]] == 0).all()


def test_gumbel_visits_only_the_considered_arms():
    game = random_position(7, 3, 10)
    config = SearchConfig(simulations=40, gumbel=True, gumbel_considered=4)
    search = search_one(config, game, LinearEvaluator(7, seed=2), seed=2)
    considered = search.considered[0]
    assert considered.sum() == 4
    assert (search.root_visits(0)[~considered] == 0).all()
    assert considered[search.choose_move(0, 0)]


# --- root noise and temperature ----------------------------------------------------


def test_dirichlet_noise_changes_root_priors_but_keeps_a_distribution_over_legal_moves():
    game = random_position(7, 6, 14)
    legal = game.legal_moves()
    plain = search_one(SearchConfig(simulations=30), game, UniformEvaluator())
    noisy = search_one(SearchConfig(simulations=30, dirichlet_weight=0.25), game, UniformEvaluator(), seed=1)
    other = search_one(SearchConfig(simulations=30, dirichlet_weight=0.25), game, UniformEvaluator(), seed=2)
    prior = noisy.trees.prior[0, ROOT]
    assert np.array_equal(prior == ILLEGAL, ~legal)
    assert (prior[legal] >= 0).all()
    assert prior[legal].sum() == pytest.approx(1.0, abs=1e-5)
    assert not np.allclose(prior, plain.trees.prior[0, ROOT])
    assert not np.allclose(prior, other.trees.prior[0, ROOT])
    # A quarter of the mass is the noise's: each legal move keeps 3/4 of its uniform prior.
    assert (prior[legal] >= 0.75 / legal.sum() - 1e-6).all()
    # Only the root: the other nodes keep the evaluator's uniform priors.
    check_tree(noisy, 0, game)
    t = noisy.trees
    for node in range(1, int(t.node_count[0])):
        if t.status[0, node] == EXPANDED:
            p = t.prior[0, node]
            assert np.allclose(p[p >= 0], p[p >= 0].max())


def test_searching_the_same_position_again_does_not_compound_root_noise():
    """The tree of an unchanged position is kept (GTP ``reg_genmove`` twice, a second
    ``genmove`` after ``undo``); its root's priors must stay the evaluator's mixed once
    with noise, not noise mixed into noise on every search."""
    game = GameState(5, 0.5)
    legal = game.legal_moves()
    weight = 0.25
    search = BatchedSearch(SearchConfig(simulations=30, dirichlet_weight=weight), 5, 1, UniformEvaluator(), seed=1)
    for round_ in range(1, 4):
        search.set_position(0, game)
        search.search()
        assert search.trees.visits[0, ROOT] == 30 * round_  # the tree is reused
        prior = search.trees.prior[0, ROOT]
        assert prior[legal].sum() == pytest.approx(1.0, abs=1e-5)
        assert prior[legal].min() >= (1 - weight) / legal.sum() - 1e-6, f"search {round_}: noise compounded"


def test_one_simulation_with_temperature_still_chooses_a_legal_move():
    """With one simulation (the root's evaluation) no move has visits; sampling by
    visits ** (1 / T) then has no weights at all."""
    game = random_position(5, 3, 6)
    config = SearchConfig(simulations=1, temperature=1.0, temperature_moves=10)
    search = search_one(config, game, UniformEvaluator())
    assert game.legal_moves()[search.choose_move(0, game.move_number)]


def visits_for_sampling(temperature: float = 1.0) -> BatchedSearch:
    # Visits [21, 1, 5, 25, 0, 4, 1, 3, 43, 16] over the ten moves of an empty 3x3.
    config = SearchConfig(simulations=120, leaves_per_game=1, temperature=temperature, temperature_moves=4)
    return search_one(config, GameState(3, 0.5), LinearEvaluator(3, seed=1), seed=4)


@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0])
def test_temperature_samples_moves_by_visits_to_the_power_one_over_t(temperature):
    search = visits_for_sampling(temperature)
    visits = search.root_visits(0).astype(float)
    assert (visits > 0).sum() >= 6 and (visits == 0).any(), visits
    expected = visits ** (1 / temperature)
    expected /= expected.sum()
    draws = 4000
    counts = np.bincount([search.choose_move(0, 3) for _ in range(draws)], minlength=len(visits))
    assert counts[visits == 0].sum() == 0
    np.testing.assert_allclose(counts / draws, expected, atol=0.03)


def test_after_the_temperature_moves_the_most_visited_move_is_played():
    search = visits_for_sampling()
    visits = search.root_visits(0)
    best = int(np.argmax(visits))
    assert (visits == visits[best]).sum() == 1, "a tie would make the check depend on priors"
    assert {search.choose_move(0, move_number) for move_number in (4, 5, 50) for _ in range(100)} == {best}
