"""Players: objects with ``genmove(game) -> Decision`` for the front ends and matches.

``RandomPlayer`` plays uniformly among the legal moves that do not fill its own
eye and passes when nothing else is left, so its games end; the weakest baseline.

``MCTSPlayer`` searches with any evaluator (rollouts, uniform, a network) and
keeps its tree from one move to the next. It resigns when the root value falls
below the configured threshold (off by default).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from engine import _kernels as kernels
from engine.game import GameState, move_from_padded
from mcts.config import SearchConfig
from mcts.search import BatchedSearch, SearchResult

RESIGN = -1  # the move of a player who resigns


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
        kernels.seed_rng(self.rng, seed)

    def genmove(self, game: GameState) -> Decision:
        """A move for the player to move (the pass when nothing else is left)."""
        if game.is_over():
            return Decision(game.pass_move)
        loc = kernels.random_move(game.state, game.history, self.rng)
        return Decision(move_from_padded(loc, game.size))


class MCTSPlayer:
    """Tree search with ``evaluator`` and ``simulations`` per move (or a full ``config``)."""

    def __init__(self, evaluator, simulations: int = 800, config: SearchConfig | None = None, seed: int = 0,
                 name: str = "mcts"):  # fmt: skip
        self.evaluator = evaluator
        self.config = replace(config or SearchConfig(), simulations=simulations)
        self.seed = seed
        self.name = name
        self._search: BatchedSearch | None = None

    def _search_for(self, game: GameState) -> BatchedSearch:
        """The search, rebuilt for a new board size or a game longer than it allows
        (GTP games can go on past two passes)."""
        length = len(game.moves) + 1
        search = self._search
        if search is None or search.size != game.size or length > search.max_game_length:
            longest = max(4 * game.size * game.size, 2 * length)
            search = BatchedSearch(self.config, game.size, 1, self.evaluator, seed=self.seed, max_game_length=longest)
            self._search = search
        return search

    def genmove(self, game: GameState) -> Decision:
        """Search the position and choose; the search's view comes with the move."""
        if game.is_over():
            return Decision(game.pass_move)
        search = self._search_for(game)
        search.set_position(0, game)
        search.search()
        result = search.result(0)
        if result.value < self.config.resign_threshold:
            return Decision(RESIGN, result)
        return Decision(search.choose_move(0, game.move_number), result)
