"""``Opponent``: the bot of a game, as the window sees it: a name, moves, and an ownership estimate.

The player itself (anything with ``genmove(game) -> Decision``, ``mcts.players``)
is built lazily by ``build_player``, in the bot's thread, so loading a network
never freezes the window. Ownership comes from the player's evaluator when it
has an ownership head (``nets.evaluator.NetEvaluator.evaluate_full``, found by
duck typing: gui does not import nets); otherwise from the Tromp-Taylor owner
of each point as the position stands, and ``Ownership.source`` says which.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.game import GameState, owner_signs
from mcts.evaluators import head_ownership

NET_SOURCE = "the network's ownership head"
AREA_SOURCE = "Tromp-Taylor area as it stands (no ownership head)"


@dataclass
class Ownership:
    """Who owns each point, float32 ``[N*N]`` in [-1, 1], +1 black's; and where the estimate came from."""

    values: np.ndarray
    source: str


class Opponent:
    """A bot called ``description`` in the window, whose player ``build_player`` makes on first use."""

    def __init__(self, description: str, build_player: Callable[[], object]):
        self.description = description
        self._build_player = build_player
        self._player = None
        self._lock = threading.Lock()  # one search at a time: players are not thread-safe

    def player(self):
        if self._player is None:
            self._player = self._build_player()
        return self._player

    def genmove(self, game: GameState, cancelled: threading.Event | None = None):
        """The player's ``Decision`` for the player to move in ``game``.

        A search that takes a stop rule (``mcts.players.MCTSPlayer``) runs its usual
        simulations but stops early once ``cancelled`` is set; the answer is then
        unwanted, so its quality does not matter. Other players just finish.
        """
        with self._lock:
            player = self.player()
            if cancelled is None or not takes_stop_rule(player):
                return player.genmove(game)
            simulations = player.config.simulations
            return player.genmove(game, stop=lambda _done, _visits: cancelled.is_set(), max_simulations=simulations)

    def ownership(self, game: GameState) -> Ownership:
        """The evaluator's ownership of ``game`` if it has the head, else the Tromp-Taylor owners."""
        with self._lock:
            values = head_ownership(getattr(self.player(), "evaluator", None), game)
            if values is not None:
                return Ownership(values.astype(np.float32), NET_SOURCE)
        return Ownership(area_ownership(game), AREA_SOURCE)


def takes_stop_rule(player) -> bool:
    """Whether ``player.genmove`` takes ``stop`` (a search on a budget it can be told to cut short)."""
    try:
        return "stop" in inspect.signature(player.genmove).parameters and hasattr(player, "config")
    except (TypeError, ValueError):
        return False


def area_ownership(game: GameState) -> np.ndarray:
    """Tromp-Taylor owners as ownership values: +1 black's, -1 white's, 0 neutral."""
    return owner_signs(game.owner()).astype(np.float32)
