"""``BatchedSearch``: MCTS over many games at once, one evaluator call per batch.

Each call of ``search`` runs every game's tree to its simulation target. A round
gathers up to ``leaves_per_game`` leaves per game (virtual loss keeps them
apart) into one ``(B, C, N, N)`` feature buffer with legal masks, calls the
evaluator once, then expands and backs up; selection, expansion and backup are
Numba kernels (``_kernels.py``). Python runs once per round, never per node.

The evaluator is anything with ``evaluate(features, legal) -> (priors, values)``:
``features`` float32 ``[B, C, N, N]``, the planes of the evaluator's
``feature_version`` (``engine.features``; 1, AlphaGo Zero's 17, when it has none),
``legal`` bool ``[B, N*N+1]``, ``priors`` ``[B, N*N+1]`` (need not be masked or
normalised), ``values`` ``[B]`` in [-1, 1] for each leaf's player to move. An
evaluator with ``needs_positions = True`` (random rollouts) is called as
``evaluate(features, legal, positions=(states, histories, komi))`` and gets the
engine's arrays of each leaf too. An evaluator
with ``has_score = True`` is called as ``evaluate_with_score(features, legal)
-> (priors, values, scores)`` instead, ``scores`` ``[B]`` in points for each
leaf's player to move: the search then keeps each node's mean score (the
``score`` of results and statistics) and can add the score utility
(``SearchConfig.score_utility``) to what it maximises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine import rules
from engine.features import feature_planes, feature_version_of
from engine.game import GameState
from mcts import _kernels as kernels
from mcts.batch import LeafBatch
from mcts.config import SearchConfig
from mcts.tree import EXPANDED, NEW, ROOT, UNVISITED, Trees


@dataclass
class SearchResult:
    """What one game's search saw at its root."""

    visits: np.ndarray  # [N*N+1] completed visits of each root action
    policy: np.ndarray  # [N*N+1] training target: visit shares, or Gumbel's improved policy
    value: float  # root value for the player to move, in [-1, 1]
    root_visits: int
    principal_variation: list[int]  # flat moves, most visited first
    score: float | None = None  # mean score in points for the player to move; None without a score head


@dataclass
class RootStatistics:
    """Every root action as an analysis display shows it, from the root player's view."""

    visits: np.ndarray  # [N*N+1] completed visits
    values: np.ndarray  # [N*N+1] mean value (Q) in [-1, 1]; NaN where never visited
    priors: np.ndarray  # [N*N+1] prior as searched (noise included); -1 for illegal moves
    scores: np.ndarray | None = None  # [N*N+1] mean score in points; NaN where never visited; None without a head
    score_stdevs: np.ndarray | None = None  # [N*N+1] spread (stdev) of the scores backed up; as ``scores``


class BatchedSearch:
    """Trees and root positions of ``games`` games of one board size."""

    def __init__(self, config: SearchConfig, size: int, games: int, evaluator, seed: int = 0,
                 max_game_length: int | None = None):  # fmt: skip
        self.config, self.size, self.games = config, size, games
        self.actions = size * size + 1
        capacity = config.node_capacity()
        self.trees = Trees(games, capacity, self.actions, utility=config.score_utility > 0)
        # Room in each history for the game so far plus the deepest path and any
        # rollout that follows it.
        self.max_game_length = max_game_length or 4 * size * size
        self.history_capacity = self.max_game_length + capacity + 3 * size * size + 8
        self.root_states = np.zeros((games, rules.state_length(size)), np.int32)
        self.root_histories = np.zeros((games, self.history_capacity), np.uint64)
        # What the tree was searched from, to tell whether it can be reused.
        self.root_moves: list[list[tuple[int, int]] | None] = [None] * games
        self.root_setup: list[tuple | None] = [None] * games
        self.komi = np.zeros(games, np.float64)
        self.target = np.zeros(games, np.int32)
        self.done = np.zeros(games, np.int32)
        self.pending = np.zeros(games, np.int32)
        self.root_prepared = np.zeros(games, np.bool_)

        rows = games * config.leaves_per_game
        self.keep_positions = bool(getattr(evaluator, "needs_positions", False))
        position_rows = rows if self.keep_positions else 1
        self.leaves = LeafBatch(
            features=np.zeros((rows, 0, size, size), np.float32),  # sized by the evaluator's planes
            legal=np.zeros((rows, self.actions), np.bool_),
            game=np.zeros(rows, np.int32),
            node=np.zeros(rows, np.int32),
            parent=np.zeros(rows, np.int32),
            positions=np.zeros((position_rows, self.root_states.shape[1]), np.int32),
            position_histories=np.zeros((position_rows, self.history_capacity), np.uint64),
            banned_until=np.zeros((games, 2, self.actions), np.int32),
            ban_depth=np.zeros((games, 2), np.int32),
        )

        self.params = np.zeros(kernels.P_LENGTH, np.float64)
        self.params[kernels.P_C_INIT] = config.c_puct_init
        self.params[kernels.P_C_BASE] = config.c_puct_base
        self.params[kernels.P_FPU_REDUCTION] = config.fpu_reduction
        self.params[kernels.P_VIRTUAL_LOSS] = config.virtual_loss
        self.params[kernels.P_GUMBEL] = 1.0 if config.gumbel else 0.0
        self.params[kernels.P_C_VISIT] = config.gumbel_c_visit
        self.params[kernels.P_C_SCALE] = config.gumbel_c_scale
        self.params[kernels.P_LEAVES_PER_GAME] = config.leaves_per_game
        self.params[kernels.P_UTILITY_ON] = 1.0 if self.trees.utility else 0.0
        self.params[kernels.P_SCORE_SCALE] = config.score_scale_for(size)
        self.no_scores = np.zeros(rows, np.float32)  # the leaves' scores when the evaluator has no score head
        self.evaluator = evaluator

        self.gumbel_score = np.zeros((games, self.actions), np.float64)
        # Log priors of the nodes Gumbel's interior choice has met, cached per node;
        # PUCT never reads them, so it keeps one row per game.
        self.logits = np.zeros((games, capacity if config.gumbel else 1, self.actions), np.float64)
        self.logits_ready = np.zeros((games, capacity), np.bool_)
        self.considered = np.zeros((games, self.actions), np.bool_)
        self.schedule = np.zeros((games, config.simulations + 1), np.int32)
        self.scratch_state = np.zeros(self.root_states.shape[1], np.int32)
        self.scratch_history = np.zeros(self.history_capacity, np.uint64)
        self.work = np.zeros(self.actions, np.float64)
        self.path = np.zeros(capacity + 1, np.int32)  # one simulation's actions from the root
        self.tried = np.zeros(self.actions, np.int32)  # scratch of Gumbel's interior choice
        self.order = np.zeros(capacity, np.int32)
        self.remap = np.zeros(capacity, np.int32)
        # All of this search's randomness (root noise, temperature) comes from here,
        # so a search is reproducible from its seed whatever other searches do.
        self.rng = np.random.default_rng(seed)
        self.root_noise = np.ones(games, np.bool_)  # Dirichlet noise wanted at this root
        # Each root's prior as the network gave it, kept before Dirichlet noise changes the
        # tree's copy: what self-play measures its policy surprise against (KataGo).
        self.root_raw_prior = np.zeros((games, self.actions), np.float32)

    @property
    def evaluator(self):
        return self._evaluator

    @evaluator.setter
    def evaluator(self, evaluator) -> None:
        """Take ``evaluator``; the leaves' planes follow its feature version."""
        version = feature_version_of(evaluator)
        planes = feature_planes(version)
        rows = self.leaves.features.shape[0]
        if self.leaves.features.shape[1] != planes:
            self.leaves = self.leaves._replace(features=np.zeros((rows, planes, self.size, self.size), np.float32))
        self.params[kernels.P_FEATURES] = version
        self._evaluator = evaluator

    # --- positions -----------------------------------------------------------

    def set_position(self, g: int, game: GameState) -> None:
        """Search game ``g`` from ``game``'s position, reusing the tree when ``game``
        only adds moves to the position searched last time."""
        if game.size != self.size:
            raise ValueError(f"search is for {self.size}x{self.size}, the game is {game.size}x{game.size}")
        if game.is_over():
            raise ValueError("cannot search a finished game")
        used = int(game.state[rules.META_HISTORY_LEN])
        if used + self.trees.capacity + 3 * self.size * self.size + 8 > self.history_capacity:
            raise ValueError(f"game of {used} positions is longer than this search allows ({self.max_game_length})")
        previous = self.root_moves[g]
        reused = (
            self.config.reuse_tree
            and not self.config.gumbel  # sequential halving plans from a fresh root
            and previous is not None
            and self.trees.node_count[g] > 0
            and self.root_setup[g] == (game.setup, game.komi)
            and game.moves[: len(previous)] == previous
            and self._alternates(g, game)
            # Bans count plies from the root: a subtree grown under an older root broke them differently.
            and (not self.leaves.banned_until[g].any() or len(game.moves) == len(previous))
            # Walk down the moves played since; _advance clears the tree if one is missing.
            and all(self._advance(g, move) for _color, move in game.moves[len(previous) :])
        )
        if not reused:
            self.trees.clear(g)
        # A root searched again with no move in between keeps its noise (once is enough).
        self.root_prepared[g] = reused and len(game.moves) == len(previous) and self.root_prepared[g]
        self.root_states[g] = game.state
        self.root_histories[g, :used] = game.history[:used]
        self.komi[g] = game.komi
        self.root_moves[g] = list(game.moves)
        self.root_setup[g] = (list(game.setup), game.komi)

    def forget(self, g: int) -> None:
        """Start game ``g``'s next search afresh: no tree kept for reuse (an analysis
        engine's queries are independent, each with its own visit budget)."""
        self.trees.clear(g)
        self.root_moves[g] = None

    def restrict_moves(self, g: int, banned_until: np.ndarray | None) -> None:
        """KataGo's ``avoid``/``allow`` for game ``g``: ``banned_until`` int ``[2, N*N+1]``
        (black's row, white's) holds, per action, the ply from the root below which the
        search may not take it (0: never banned); None lifts every ban. Changed bans
        clear the tree, whose nodes were expanded under the old ones."""
        new = np.zeros((2, self.actions), np.int32)
        if banned_until is not None:
            new[:] = banned_until
        if not np.array_equal(self.leaves.banned_until[g], new):
            self.leaves.banned_until[g] = new
            self.leaves.ban_depth[g] = new.max(axis=1)
            self.forget(g)

    def _alternates(self, g: int, game: GameState) -> bool:
        """Whether the tree's edges describe ``game``: each move since the last search
        was made by the player to move (GTP lets one colour play twice, or asks
        ``genmove`` for either colour), ending with ``game``'s player to move."""
        color = int(self.root_states[g, rules.META_TO_PLAY])
        for mover, _move in game.moves[len(self.root_moves[g]) :]:
            if mover != color:
                return False
            color = 3 - color
        return color == game.to_play

    def _advance(self, g: int, move: int) -> bool:
        """Keep the subtree of ``move``; False (tree cleared) when there is none."""
        t = self.trees
        child = t.children[g, ROOT, move] if t.node_count[g] > 0 else UNVISITED
        if child == UNVISITED or t.status[g, child] != EXPANDED:
            t.clear(g)
            return False
        kernels.compact_subtree(t.arrays, g, child, self.order, self.remap)
        self.logits_ready[g] = False  # nodes moved: cached log priors no longer match
        return True

    # --- searching -----------------------------------------------------------

    def search(self, games: list[int] | None = None, simulations: int | list[int] | None = None,
               root_noise: list[bool] | None = None) -> None:  # fmt: skip
        """Run new simulations in each of ``games``: the config's number, or
        ``simulations`` (one number for all, or one per listed game, as playout cap
        randomisation mixes fast and full searches in one batch). ``root_noise``:
        per game, whether its root gets Dirichlet noise (default: all, when the
        config asks for noise; KataGo's fast searches go without)."""
        games = list(range(self.games)) if games is None else list(games)
        for g, noise in zip(games, root_noise if root_noise is not None else [True] * len(games)):
            self.root_noise[g] = noise
        simulations = self.config.simulations if simulations is None else simulations
        counts = [simulations] * len(games) if np.isscalar(simulations) else list(simulations)
        if len(counts) != len(games) or min(counts, default=1) < 1:
            raise ValueError("need one positive simulation count per game searched")
        if max(counts, default=0) + 1 > self.schedule.shape[1]:
            self.schedule = np.zeros((self.games, max(counts) + 1), np.int32)
        self.target[:] = 0
        self.done[:] = 0
        self.pending[:] = 0
        for g, count in zip(games, counts):
            self.target[g] = count
            self._prepare_roots([g])  # a root evaluated before (a tree reused)
        # The weight is read here, not at construction: the evaluator may be replaced.
        self.params[kernels.P_SCORE_UTILITY] = self.config.score_utility if self.has_score else 0.0
        tree, leaves = self.trees.arrays, self.leaves
        while True:
            rows, finished = kernels.gather_leaves(
                tree, self.root_states, self.root_histories, self.komi, self.target, self.done, self.pending,
                self.params, self.gumbel_score, self.considered, self.schedule, self.logits, self.logits_ready,
                self.scratch_state, self.scratch_history, self.work, self.path, self.tried, leaves,
                self.keep_positions,
            )  # fmt: skip
            if rows:
                priors, values, scores = self._evaluate(rows)
                short, roots = kernels.expand_and_backup(
                    tree, self.logits_ready, rows, leaves, priors, values, scores, self.done, self.pending,
                    self.target, self.params,
                )  # fmt: skip
                if roots:
                    # Only a root expanded in this round can need its noise (one evaluated
                    # before the search was prepared above). Rows come in increasing game
                    # order, at most one root each, so the generator is drawn in game order.
                    self._prepare_roots(leaves.game[:rows][leaves.node[:rows] == ROOT].tolist())
                if short == 0:
                    return
            elif (self.done >= self.target).all():
                return
            elif finished == 0 and not self.pending.any():
                raise RuntimeError("search made no progress (no leaf, no terminal, nothing in flight)")

    @property
    def has_score(self) -> bool:
        """Whether the evaluator has a score head (``has_score``): then results carry scores."""
        return bool(getattr(self.evaluator, "has_score", False))

    def _evaluate(self, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Priors, values and scores (zeros without a score head) of the ``rows`` leaves."""
        scored = self.has_score
        call = self.evaluator.evaluate_with_score if scored else self.evaluator.evaluate
        leaves = self.leaves
        extra = {}
        if self.keep_positions:
            komi = self.komi[leaves.game[:rows]]
            extra["positions"] = (leaves.positions[:rows], leaves.position_histories[:rows], komi)
        answer = call(leaves.features[:rows], leaves.legal[:rows], **extra)
        priors = np.asarray(answer[0], np.float32).reshape(rows, self.actions)
        values = np.asarray(answer[1], np.float32).reshape(rows)
        scores = np.asarray(answer[2], np.float32).reshape(rows) if scored else self.no_scores[:rows]
        return priors, values, scores

    def _prepare_roots(self, games: list[int]) -> None:
        """Root noise (Dirichlet for PUCT, Gumbel sampling) of each of ``games``, in this
        order, whose root is expanded and not yet prepared."""
        t = self.trees
        ready = []
        for g in games:
            if not self.root_prepared[g] and t.node_count[g] > 0 and t.status[g, ROOT] == EXPANDED:
                self.root_prepared[g] = True
                ready.append(g)
        if not ready:
            return
        self.root_raw_prior[ready] = t.prior[ready, ROOT]
        config = self.config
        if config.gumbel:
            # One draw for all: the generator's numbers are those of one draw per game in turn.
            shape = (len(ready), self.actions)
            gumbel = self.rng.gumbel(size=shape) if config.gumbel_sample else np.zeros(shape)
            kernels.setup_gumbel_roots(
                t.prior, np.array(ready, np.int64), config.gumbel_considered, self.target, gumbel, self.gumbel_score,
                self.considered, self.schedule,
            )  # fmt: skip
        elif config.dirichlet_weight > 0:
            for g in ready:
                if self.root_noise[g]:
                    legal = t.prior[g, ROOT] >= 0
                    noise = np.zeros(self.actions)
                    noise[legal] = self.rng.dirichlet(np.full(int(legal.sum()), config.alpha_for(self.size)))
                    kernels.add_dirichlet_noise(t.prior, g, ROOT, noise, config.dirichlet_weight)
                    self.logits_ready[g, ROOT] = False

    # --- results -------------------------------------------------------------

    def root_visits(self, g: int) -> np.ndarray:
        """Completed visits of each root action, int ``[N*N+1]``."""
        return self.child_visits(g, ROOT)

    def child_visits(self, g: int, node: int) -> np.ndarray:
        """Completed visits of each action of ``node`` (0 where never tried), int ``[N*N+1]``."""
        t = self.trees
        children = t.children[g, node]
        return np.where(children >= 0, t.visits[g, np.maximum(children, 0)], 0).astype(np.int64)

    def root_value(self, g: int) -> float:
        """Mean value of the root for its player to move."""
        t = self.trees
        if t.node_count[g] == 0 or t.visits[g, ROOT] == 0:
            return 0.0
        return float(-t.value_sum[g, ROOT] / t.visits[g, ROOT])

    def root_prior(self, g: int) -> np.ndarray:
        """The network's prior at the root before any noise, float32 ``[N*N+1]``
        (normalised over the legal moves, 0 for illegal ones)."""
        return np.maximum(self.root_raw_prior[g], 0.0)

    def root_raw_value(self, g: int) -> float:
        """The network's own value of the root for its player to move (no search)."""
        t = self.trees
        if t.node_count[g] == 0 or t.status[g, ROOT] != EXPANDED:
            return 0.0
        return float(t.raw_value[g, ROOT])

    def root_score(self, g: int) -> float | None:
        """Mean score of the root in points for its player to move (the search's score
        lead); None when the evaluator has no score head."""
        t = self.trees
        if not self.has_score:
            return None
        if t.node_count[g] == 0 or t.visits[g, ROOT] == 0:
            return 0.0
        return float(-t.score_sum[g, ROOT] / t.visits[g, ROOT])

    def root_score_stdev(self, g: int) -> float | None:
        """Spread (standard deviation) of the scores backed up through the root, in
        points: KataGo's ``scoreStdev``, from the search alone (the network predicts
        no spread of its own); None without a score head."""
        t = self.trees
        if not self.has_score:
            return None
        visits = int(t.visits[g, ROOT]) if t.node_count[g] else 0
        if visits == 0:
            return 0.0
        mean = t.score_sum[g, ROOT] / visits
        return float(np.sqrt(max(t.score_sq_sum[g, ROOT] / visits - mean * mean, 0.0)))

    def policy_target(self, g: int) -> np.ndarray:
        """The training target: Gumbel's improved policy, else the visit distribution."""
        t = self.trees
        if self.config.gumbel:
            out = np.zeros(self.actions, np.float64)
            kernels.improved_policy(
                t.children, t.prior, t.visits, t.virtual, t.utility_sum, t.raw_utility, g, ROOT, self.params, out
            )
            return out.astype(np.float32)
        visits = self.root_visits(g).astype(np.float64)
        return (visits / max(visits.sum(), 1.0)).astype(np.float32)

    def choose_move(self, g: int, move_number: int) -> int:
        """The move to play: Gumbel's final action, or by visits with the temperature."""
        t = self.trees
        config = self.config
        if config.gumbel:
            return int(kernels.gumbel_final_action(
                t.children, t.prior, t.visits, t.virtual, t.utility_sum, t.raw_utility, g, self.params,
                self.gumbel_score, self.considered, self.work,
            ))  # fmt: skip
        visits = self.root_visits(g).astype(np.float64)
        temperature = config.temperature if move_number < config.temperature_moves else 0.0
        if temperature > 0 and visits.sum() > 0:
            weights = visits ** (1.0 / temperature)
            return int(self.rng.choice(self.actions, p=weights / weights.sum()))
        return self._most_visited(g, ROOT)

    def _most_visited(self, g: int, node: int) -> int:
        """The most visited action of ``node``; ties (rare with many simulations, and
        all of them with a single simulation) go to the higher prior."""
        t = self.trees
        visits = np.where(t.prior[g, node] >= 0, self.child_visits(g, node), -1)  # never an illegal move
        best = np.flatnonzero(visits == visits.max())
        return int(best[np.argmax(t.prior[g, node, best])])

    def root_statistics(self, g: int) -> RootStatistics:
        """Visits, mean values and priors of the root's actions (for analysis output)."""
        t = self.trees
        visits = self.root_visits(g)
        if t.node_count[g] == 0:
            empty = np.full(self.actions, np.nan)
            scored = self.has_score
            return RootStatistics(visits, empty, np.full(self.actions, -1.0, np.float32),
                                  empty.copy() if scored else None, empty.copy() if scored else None)  # fmt: skip
        children = t.children[g, ROOT]
        sums = np.where(children >= 0, t.value_sum[g, np.maximum(children, 0)], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(visits > 0, sums / np.maximum(visits, 1), np.nan)
        scores = stdevs = None
        if self.has_score:
            score_sums = np.where(children >= 0, t.score_sum[g, np.maximum(children, 0)], 0.0)
            scores = np.where(visits > 0, score_sums / np.maximum(visits, 1), np.nan)
            squares = np.where(children >= 0, t.score_sq_sum[g, np.maximum(children, 0)], 0.0)
            with np.errstate(invalid="ignore"):
                stdevs = np.sqrt(np.maximum(squares / np.maximum(visits, 1) - scores**2, 0.0))
        return RootStatistics(visits, values, t.prior[g, ROOT].copy(), scores, stdevs)

    def principal_variation(self, g: int, limit: int = 20, first: int | None = None) -> list[int]:
        """Most visited moves from the root down, as flat moves; with ``first``, the
        line that starts with that root action (just ``[first]`` if it was never expanded)."""
        t = self.trees
        line, node = [], ROOT
        if first is not None:
            child = int(t.children[g, ROOT, first]) if t.node_count[g] else UNVISITED
            line.append(int(first))
            if child < 0 or t.visits[g, child] <= 0:
                return line
            node = child
        while len(line) < limit and t.status[g, node] == EXPANDED:
            best = self._most_visited(g, node)
            child = int(t.children[g, node, best])
            if child < 0 or t.visits[g, child] <= 0:
                break
            line.append(best)
            node = child
        return line

    def result(self, g: int) -> SearchResult:
        t = self.trees
        return SearchResult(
            visits=self.root_visits(g),
            policy=self.policy_target(g),
            value=self.root_value(g),
            root_visits=int(t.visits[g, ROOT]) if t.node_count[g] else 0,
            principal_variation=self.principal_variation(g),
            score=self.root_score(g),
        )

    def is_full(self, g: int) -> bool:
        """Whether game ``g``'s tree has no node left: further simulations evaluate
        leaves without storing them, so the tree no longer deepens and a search may stop."""
        return int(self.trees.node_count[g]) >= self.trees.capacity

    def is_settled(self) -> bool:
        """No visit in flight and no node waiting for its evaluation (true between searches)."""
        t = self.trees
        allocated = np.arange(t.capacity)[None, :] < t.node_count[:, None]
        return not np.any(t.virtual[allocated]) and not np.any((t.status == NEW) & allocated)
