"""Players: objects with ``genmove(game) -> Decision`` for the front ends and matches.

``RandomPlayer`` plays uniformly among the legal moves that do not fill its own
eye and passes when nothing else is left, so its games end; the weakest baseline.

``MCTSPlayer`` searches with any evaluator (rollouts, uniform, a network) and
keeps its tree from one move to the next. It resigns when the root value falls
below the configured threshold (off by default), or as a ``ResignRule`` says
(a winrate below a threshold for several of its moves in a row, never in the opening).

Anytime search: ``genmove(game, stop=...)`` searches in chunks of simulations on
the same tree and asks ``stop(simulations, root_visits)`` after each chunk
whether to go on (a clock's budget, see ``gtp/time_control.py``);
``analyze``/``search_more`` let a front end search a position for as long as it
likes and read the root's statistics in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from engine import rules
from engine.game import GameState, move_from_padded
from mcts.config import SearchConfig
from mcts.search import BatchedSearch, SearchResult

RESIGN = -1  # the move of a player who resigns
CHUNK_SIMULATIONS = 32  # simulations between two stop checks: a few batches, a few milliseconds

# stop(simulations done so far, completed visits of each root action [N*N+1]) -> stop now?
StopRule = Callable[[int, np.ndarray], bool]


@dataclass(frozen=True)
class ResignRule:
    """Resign when the root winrate stays below ``winrate`` for ``moves`` of the
    player's moves in a row, once ``opening_fraction * N * N`` moves have been played
    (no resigning in the opening, where the value is least reliable), and only
    after a search of at least ``min_visits`` (one noisy look is no reason).
    ``winrate <= 0`` never resigns."""

    winrate: float = 0.05
    moves: int = 3
    opening_fraction: float = 0.25
    min_visits: int = 50

    @property
    def enabled(self) -> bool:
        return self.winrate > 0


@dataclass
class Decision:
    """A player's move (flat, or ``RESIGN``) and what its search saw, if it searched."""

    move: int
    search: SearchResult | None = None

    @property
    def resigns(self) -> bool:
        return self.move == RESIGN


class RandomPlayer:
    """Uniformly random legal, non-eye-filling moves; reproducible from ``seed``."""

    name = "random"

    def __init__(self, seed: int = 0):
        self.rng = np.zeros(1, np.uint64)
        rules.seed_rng(self.rng, seed)

    def genmove(self, game: GameState) -> Decision:
        """A move for the player to move (the pass when nothing else is left)."""
        if game.is_over():
            return Decision(game.pass_move)
        loc = rules.random_move(game.state, game.history, self.rng)
        return Decision(move_from_padded(loc, game.size))


class MCTSPlayer:
    """Tree search with ``evaluator`` and ``simulations`` per move (or a full ``config``)."""

    def __init__(self, evaluator, simulations: int = 800, config: SearchConfig | None = None, seed: int = 0,
                 name: str = "mcts", resign: ResignRule | None = None):  # fmt: skip
        self.evaluator = evaluator
        self.config = replace(config or SearchConfig(), simulations=simulations)
        self.seed = seed
        self.name = name
        self.resign = resign
        # Bytes the tree may take; None keeps the config's capacity. A search that
        # runs on a clock needs room beyond its nominal simulations.
        self.node_memory: int | None = None
        self._search: BatchedSearch | None = None
        # Per colour: (move number of its last search, hopeless searches in a row).
        self._hopeless: dict[int, tuple[int, int]] = {}
        # KataGo's avoid/allow for the searches to come (``BatchedSearch.restrict_moves``); None: none.
        self.banned_until: np.ndarray | None = None

    def _search_for(self, game: GameState) -> BatchedSearch:
        """The search, rebuilt for a new board size or a game longer than it allows
        (GTP games can go on past two passes)."""
        length = len(game.moves) + 1
        search = self._search
        if search is None or search.size != game.size or length > search.max_game_length:
            longest = max(4 * game.size * game.size, 2 * length)
            config = self.config
            if self.node_memory is not None:  # children and priors: 8 bytes per action per node
                nodes = self.node_memory // (8 * (game.size * game.size + 1))
                config = replace(config, max_nodes=max(config.node_capacity(), nodes))
            search = BatchedSearch(config, game.size, 1, self.evaluator, seed=self.seed, max_game_length=longest)
            self._search = search
        return search

    def genmove(self, game: GameState, stop: StopRule | None = None, max_simulations: int | None = None) -> Decision:
        """Search the position and choose; the search's view comes with the move.

        Without ``stop``: the config's simulations. With it: chunks of
        ``CHUNK_SIMULATIONS`` until ``stop`` says enough, the last chunk cut short so
        that no more than ``max_simulations`` are searched (Gumbel's sequential halving
        plans its whole budget up front, so a Gumbel search ignores ``stop``).
        """
        if game.is_over():
            return Decision(game.pass_move)
        search = self.analyze(game)
        if stop is None or self.config.gumbel:
            search.search()
        else:
            done = 0
            while True:
                chunk = CHUNK_SIMULATIONS if max_simulations is None else min(CHUNK_SIMULATIONS, max_simulations - done)
                done += self.search_more(max(chunk, 1))
                if stop(done, search.root_visits(0)) or search.is_full(0):
                    break
                if max_simulations is not None and done >= max_simulations:
                    break
        result = search.result(0)
        if result.value < self.config.resign_threshold or self._should_resign(game, result):
            return Decision(RESIGN, result)
        return Decision(search.choose_move(0, game.move_number), result)

    def analyze(self, game: GameState) -> BatchedSearch:
        """Set up the search on ``game``'s position (keeping the tree where it can);
        follow with ``search_more`` and read ``search.root_statistics(0)``."""
        if game.is_over():
            raise ValueError("cannot search a finished game")
        search = self._search_for(game)
        search.restrict_moves(0, self.banned_until)
        search.set_position(0, game)
        return search

    def search_more(self, simulations: int) -> int:
        """Add ``simulations`` to the position ``analyze`` set up; returns how many."""
        if self._search is None:
            raise RuntimeError("search_more before analyze")
        self._search.search([0], simulations)
        return simulations

    @property
    def search(self) -> BatchedSearch | None:
        """The current search (None before the first move)."""
        return self._search

    def _should_resign(self, game: GameState, result: SearchResult) -> bool:
        """Count this colour's hopeless searches in a row (a new or rewound game starts
        the count afresh) and say whether the ``ResignRule`` has been met."""
        rule = self.resign
        if rule is None or not rule.enabled:
            return False
        color, number = game.to_play, game.move_number
        last_number, streak = self._hopeless.get(color, (-1, 0))
        if number <= last_number:
            streak = 0
        hopeless = (result.value + 1) / 2 < rule.winrate and result.root_visits >= rule.min_visits
        streak = streak + 1 if hopeless else 0
        self._hopeless[color] = (number, streak)
        return streak >= rule.moves and number >= rule.opening_fraction * game.size * game.size
