"""``SelfPlayer``: many self-play games advanced together through one batched search.

Plain Python over ``mcts.BatchedSearch`` and any evaluator, so it runs in tests
without Ray; ``worker`` wraps it in a Ray actor. Each ``step`` plays one move in
every game: one search call for all of them (full and fast searches mixed, see
``SelfPlayConfig``), then the moves, then finished games are replaced by new ones
and returned as ``SelfPlayGame`` records.
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


class _Slot:
    """One game in progress and what is being recorded for it."""

    def __init__(self, game: GameState, resign_enabled: bool):
        self.game = game
        self.resign_enabled = resign_enabled
        self.would_have_resigned = 0
        self.recorded: list[bool] = []
        self.policies: list[np.ndarray] = []
        self.root_values: list[float] = []


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
        self.slots = [self._new_slot() for _ in range(selfplay.games_per_worker)]
        self.moves_played = 0
        self.last_search_seconds = 0.0

    def set_evaluator(self, evaluator, version: int) -> None:
        """Use new network weights from the next move on (trees are dropped: their
        values came from the old network)."""
        self.search.evaluator = evaluator
        self.network_version = version
        for g in range(self.search.games):
            self.search.trees.clear(g)

    def _new_slot(self) -> _Slot:
        game = GameState(self.rules.size, self.rules.komi, self.rules.move_cap())
        enabled = self.rng.random() >= self.selfplay.resign_disabled_fraction
        return _Slot(game, enabled)

    def step(self) -> list[SelfPlayGame]:
        """One move in every game; returns the games that ended."""
        full = self.rng.random(len(self.slots)) < self.selfplay.full_search_probability
        counts = [self.search_config.simulations if f else self.selfplay.fast_simulations for f in full]
        for g, slot in enumerate(self.slots):
            self.search.set_position(g, slot.game)
        started = time.perf_counter()
        self.search.search(simulations=counts, root_noise=list(full))
        self.last_search_seconds = time.perf_counter() - started  # network time included
        finished = []
        for g, slot in enumerate(self.slots):
            self._play(g, slot, bool(full[g]))
            if slot.game.is_over():
                finished.append(self._record(slot))
                self.slots[g] = self._new_slot()
                self.search.trees.clear(g)
        self.moves_played += len(self.slots)
        return finished

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
        if full:
            slot.policies.append(self.search.policy_target(g))
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
        )
