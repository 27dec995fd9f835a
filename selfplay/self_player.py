"""``SelfPlayer``: many self-play games advanced together through one batched search.

Plain Python over ``mcts.BatchedSearch`` and any evaluator, so it runs in tests
without Ray; ``worker`` wraps it in a Ray actor. Each ``step`` plays one move in
every game: one search call for all of them (full and fast searches mixed, see
``SelfPlayConfig``), then the moves, then finished games are replaced by new ones
and returned as ``SelfPlayGame`` records.

Besides the search's target, each recorded move keeps its policy surprise and
each move the network's raw root value, for surprise weighting (``surprise``).
Full searches use ``search.simulations_at(network version)``: the simulation
schedule follows the weights as they arrive (``set_evaluator``). Games can start
with moves drawn from the raw policy: an opening, or the forking move of a game
branched from the one that just ended in the same slot (``SelfPlayConfig``).
"""

from __future__ import annotations

import time

import numpy as np

from engine.game import GameState, owner_signs
from engine.sgf import game_to_sgf
from mcts.config import SearchConfig
from mcts.search import BatchedSearch
from selfplay.records import SelfPlayGame
from selfplay.settings import RulesConfig, SelfPlayConfig
from selfplay.surprise import policy_surprise

# KataGo's forking move: the raw policy at temperature 1 (70%), at 2 (25%), else any legal move.
FORK_TEMPERATURES = ((0.70, 1.0), (0.95, 2.0), (1.0, float("inf")))


class _Slot:
    """One game in progress and what is being recorded for it."""

    def __init__(self, game: GameState, resign_enabled: bool):
        self.game = game
        self.resign_enabled = resign_enabled
        self.would_have_resigned = 0
        self.recorded: list[bool] = []
        self.policies: list[np.ndarray] = []
        self.root_values: list[float] = []
        self.raw_values: list[float] = []  # the network's own value of each root (value surprise)
        self.policy_surprise: list[float] = []  # KL(target || raw prior) of each recorded move
        self.policy_moves = 0  # moves still to draw from the raw policy (an opening, a forking move)
        self.fork_pending = False  # the next policy move is a forking move
        self.start_moves = 0  # leading moves not searched here
        self.forked = False


class SelfPlayer:
    """``config.games_per_worker`` games of self-play with ``evaluator``."""

    def __init__(self, rules: RulesConfig, search: SearchConfig, selfplay: SelfPlayConfig, evaluator,
                 seed: int = 0, worker: int = 0):  # fmt: skip
        self.rules, self.selfplay, self.worker = rules, selfplay, worker
        self.rng = np.random.default_rng(seed)
        self.search_config = search
        # Fast searches pick a move only: no root noise, no temperature (KataGo).
        self.search = BatchedSearch(search, rules.size, selfplay.games_per_worker, evaluator,
                                    seed=int(self.rng.integers(2**31)),
                                    max_game_length=rules.move_cap() + 1)  # fmt: skip
        self.network_version = 0
        self.simulations = search.simulations_at(0)  # of a full search, by the schedule
        self.slots = [self._new_slot() for _ in range(selfplay.games_per_worker)]
        self.moves_played = 0
        self.last_search_seconds = 0.0

    def set_evaluator(self, evaluator, version: int) -> None:
        """Use new network weights from the next move on (trees are dropped: their
        values came from the old network)."""
        self.search.evaluator = evaluator
        self.network_version = version
        self.simulations = self.search_config.simulations_at(version)
        for g in range(self.search.games):
            self.search.trees.clear(g)

    def _new_slot(self, fork_of: SelfPlayGame | None = None) -> _Slot:
        """A new game: from the empty board, or the start of ``fork_of`` and a forking move."""
        game = GameState(self.rules.size, self.rules.komi, self.rules.move_cap())
        enabled = self.rng.random() >= self.selfplay.resign_disabled_fraction
        slot = _Slot(game, enabled)
        area = self.rules.size**2
        if fork_of is not None:
            # Never the whole game: a prefix of a finished game is not over (two passes end it last).
            played = min(int(self.rng.exponential() * self.selfplay.early_fork_move_fraction * area),
                         max(fork_of.length - 1, 0))  # fmt: skip
            for move in fork_of.moves[:played]:
                game.play(int(move))
            slot.recorded = [False] * played
            slot.root_values = [float(v) for v in fork_of.root_values[:played]]
            slot.raw_values = [float(v) for v in fork_of.raw_values[:played]]
            slot.start_moves, slot.forked = played, True
            slot.policy_moves, slot.fork_pending = 1, True
        elif self.selfplay.policy_opening_fraction > 0:
            slot.policy_moves = int(self.rng.exponential() * self.selfplay.policy_opening_fraction * area)
        return slot

    def step(self) -> list[SelfPlayGame]:
        """One move in every game; returns the games that ended."""
        full = self.rng.random(len(self.slots)) < self.selfplay.full_search_probability
        # A move drawn from the policy needs only the network's answer at the root: one simulation.
        free = [slot.policy_moves > 0 for slot in self.slots]
        counts = [1 if free[g] else self.simulations if f else self.selfplay.fast_simulations
                  for g, f in enumerate(full)]  # fmt: skip
        noise = [bool(f) and not free[g] for g, f in enumerate(full)]
        for g, slot in enumerate(self.slots):
            self.search.set_position(g, slot.game)
        started = time.perf_counter()
        self.search.search(simulations=counts, root_noise=noise)
        self.last_search_seconds = time.perf_counter() - started  # network time included
        finished = []
        for g, slot in enumerate(self.slots):
            if free[g]:
                self._play_from_policy(g, slot)
            else:
                self._play(g, slot, bool(full[g]))
            if slot.game.is_over():
                record = self._record(slot)
                finished.append(record)
                fork = self.selfplay.early_fork_probability > 0 and \
                    self.rng.random() < self.selfplay.early_fork_probability  # fmt: skip
                self.slots[g] = self._new_slot(record if fork else None)
                self.search.trees.clear(g)
        self.moves_played += len(self.slots)
        return finished

    def _play_from_policy(self, g: int, slot: _Slot) -> None:
        """An opening or forking move: drawn from the raw policy, not searched, not recorded."""
        temperature = self.selfplay.policy_opening_temperature
        if slot.fork_pending:
            draw = self.rng.random()
            temperature = next(t for bound, t in FORK_TEMPERATURES if draw < bound)
            slot.fork_pending = False
        move = policy_move(self.search.root_prior(g), slot.game.legal_moves(), temperature, self.rng)
        slot.recorded.append(False)
        slot.root_values.append(self.search.root_value(g))
        slot.raw_values.append(self.search.root_raw_value(g))
        slot.policy_moves -= 1
        slot.start_moves += 1
        slot.game.play(move)

    def _play(self, g: int, slot: _Slot, full: bool) -> None:
        game = slot.game
        value = self.search.root_value(g)
        if value < self.selfplay.resign_threshold:
            if slot.resign_enabled:
                game.resign(game.to_play)
                return
            slot.would_have_resigned = slot.would_have_resigned or game.to_play
        slot.recorded.append(full)
        slot.root_values.append(value)
        slot.raw_values.append(self.search.root_raw_value(g))
        if full:
            target = self.search.policy_target(g)
            slot.policies.append(target)
            slot.policy_surprise.append(policy_surprise(target, self.search.root_prior(g)))
            move = self.search.choose_move(g, game.move_number)
        else:
            move = self._fast_move(g)
        game.play(move)

    def _fast_move(self, g: int) -> int:
        """The most visited move (Gumbel: its final action), no temperature."""
        if self.search_config.gumbel:
            return self.search.choose_move(g, 1 << 30)
        visits = self.search.root_visits(g)
        return int(np.argmax(visits))

    def _record(self, slot: _Slot) -> SelfPlayGame:
        game = slot.game
        ownership = owner_signs(game.owner())
        actions = self.rules.size**2 + 1
        policies = np.array(slot.policies, np.float16).reshape(-1, actions)
        return SelfPlayGame(
            size=self.rules.size,
            komi=self.rules.komi,
            moves=np.array([m for _c, m in game.moves], np.int16),
            recorded=np.array(slot.recorded, np.bool_),
            policies=policies,
            root_values=np.array(slot.root_values, np.float16),
            score=game.score(),
            ownership=ownership,
            resigned=game.resigned,
            resign_disabled=not slot.resign_enabled,
            would_have_resigned=slot.would_have_resigned,
            sgf=game_to_sgf(game, black=f"dosaku-v{self.network_version}", white=f"dosaku-v{self.network_version}"),
            worker=self.worker,
            network_version=self.network_version,
            policy_surprise=np.array(slot.policy_surprise, np.float32),
            raw_values=np.array(slot.raw_values, np.float16),
            start_moves=slot.start_moves,
            forked=slot.forked,
        )


def policy_move(prior: np.ndarray, legal: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """A legal move drawn with probability proportional to ``prior ** (1 / temperature)``
    (``inf``: uniformly); never a pass while any point is legal."""
    points = np.asarray(legal, np.bool_).copy()
    points[-1] = False
    if not points.any():
        return len(points) - 1
    weights = points.astype(np.float64)
    prior = np.asarray(prior, np.float64)
    if np.isfinite(temperature) and (prior[points] > 0).any():
        # In logs: prior ** (1 / t) underflows at low temperatures.
        with np.errstate(divide="ignore"):
            logits = np.where(points, np.log(np.maximum(prior, 0.0)) / temperature, -np.inf)
        weights = np.exp(logits - logits.max())
    return int(rng.choice(len(weights), p=weights / weights.sum()))
