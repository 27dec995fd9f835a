"""The replay buffer: a window over the most recent self-play games.

The window counts *positions* and grows with the run as in KataGo (Wu 2019,
section 4.1): with ``total`` positions generated so far it holds

    window = min_window                                    while total < min_window
    window = min_window * (1 + growth * ((total / min_window) ** exponent - 1) / exponent)

capped at ``max_window`` (``growth = 0`` keeps it fixed at ``min_window``). Early
data from weak networks thus leaves the window quickly, while a long run still
trains on a large, decorrelated set.

Only *recorded* positions (full searches, see playout cap randomisation) are
sampled. ``ratio`` bounds training samples per new position: the trainer asks
``trainable(batch)`` before each step and waits for self-play when it is ahead,
so it neither starves on old data nor overfits it.

Sampling is uniform over the window's recorded positions, or, with
``surprise_weight``/``value_surprise_weight``, proportional to KataGo's surprise
frequency weights (``selfplay.surprise``): one draw against the cumulative weights
(``searchsorted``) per batch. Games without surprise data weigh 1 per position.

Samples come from an index of the window (its positions' games, moves and targets in
flat arrays). Building it copies the whole window (about 0.1 s at 230,000 positions),
so it is rebuilt once the games added since the last build hold ``REINDEX_SHARE`` of
the window's positions, not on every add: the newest games wait a moment to be
sampled, as they do behind KataGo's shuffler. Until then the index keeps the games
it was built with, the ones just trimmed included.

This class is plain Python (tests and resume use it directly); ``buffer_actor``
wraps it in a Ray actor.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from engine.features import DEFAULT_FEATURE_VERSION, check_feature_version
from selfplay.records import SelfPlayGame
from selfplay.replay import opponent_reply_targets, samples, score_targets
from selfplay.surprise import frequency_weights

# New positions, as a share of the window's, that make the next sample rebuild the index.
# On every add it cost ~8% of a core at the campaign's window and pace (9x9, 230,000 positions, ~50 adds a minute).
REINDEX_SHARE = 0.01


@dataclass(frozen=True)
class BufferConfig:
    """Window and sampling ratio; see the module docstring."""

    min_window: int = 20_000
    max_window: int = 500_000
    growth: float = 0.4
    exponent: float = 0.75
    ratio: float = 4.0  # training samples per new recorded position, at most
    min_positions: int = 2_000  # recorded positions before training starts
    # Surprise weighting (KataGo: 0.5 and 0.1); 0 and 0: uniform sampling, as before.
    surprise_weight: float = 0.0  # share of the sampling weight given by policy surprise
    value_surprise_weight: float = 0.0  # share given by value surprise

    def __post_init__(self):
        if not 0 < self.min_window <= self.max_window:
            raise ValueError("buffer: need 0 < min_window <= max_window")
        if self.growth < 0 or not 0 < self.exponent <= 1:
            raise ValueError("buffer: growth must be >= 0 and exponent in (0, 1]")
        if self.ratio <= 0 or self.min_positions < 1:
            raise ValueError("buffer: ratio must be positive and min_positions at least 1")
        if min(self.surprise_weight, self.value_surprise_weight) < 0 or \
                self.surprise_weight + self.value_surprise_weight >= 1:  # fmt: skip
            raise ValueError("buffer: surprise_weight and value_surprise_weight must be >= 0 with a sum below 1 "
                             "(the rest is the uniform share that keeps every position sampled)")

    @property
    def weighted(self) -> bool:
        return self.surprise_weight > 0 or self.value_surprise_weight > 0

    def window(self, total_positions: int) -> int:
        """Positions kept when ``total_positions`` have been generated."""
        c = self.min_window
        if total_positions <= c or self.growth == 0:
            return c
        grown = c * (1 + self.growth * ((total_positions / c) ** self.exponent - 1) / self.exponent)
        return int(min(self.max_window, grown))


class ReplayBuffer:
    """Games in arrival order; samples of (planes, policy, value, ownership, score), the
    planes of input feature version ``features`` (the network's, see ``engine.features``)."""

    def __init__(self, config: BufferConfig, size: int, seed: int = 0, features: int = DEFAULT_FEATURE_VERSION):
        self.config, self.size = config, size
        self.features = check_feature_version(features)
        self.rng = np.random.default_rng(seed)
        self.games: list[SelfPlayGame] = []
        self.weights: list[np.ndarray] = []  # per game: sampling weight of each recorded position
        self.window_tallies: Counter = Counter()  # game_tallies summed over the window, kept as games come and go
        self.total_games = 0
        self.total_positions = 0  # recorded positions ever added
        self.total_moves = 0
        self.samples_drawn = 0
        self._index = None  # built lazily after games arrive
        self._unindexed_positions = 0  # recorded positions added since the index was built

    # --- filling -------------------------------------------------------------

    def add(self, games: list[SelfPlayGame]) -> None:
        for game in games:
            if game.size != self.size:
                raise ValueError(f"a {game.size}x{game.size} game cannot join a {self.size}x{self.size} buffer")
            self.games.append(game)
            self.weights.append(frequency_weights(game, self.config.surprise_weight, self.config.value_surprise_weight)
                                if self.config.weighted else None)  # fmt: skip
            tallies = game_tallies(game)
            self.window_tallies.update(tallies)
            self.total_games += 1
            self.total_positions += tallies["positions"]
            self.total_moves += game.length
            self._unindexed_positions += tallies["positions"]
        self._trim()

    def _trim(self) -> None:
        """Drop the oldest games beyond the window (keeping at least the newest game).

        From the oldest, with the running tallies: a resume adds thousands of shards one
        by one, and counting the window afresh on each add made it quadratic (minutes).
        """
        window = self.config.window(self.total_positions)
        drop = 0
        while len(self.games) - drop > 1 and self.positions_in_window > window:
            self.window_tallies.subtract(game_tallies(self.games[drop]))
            drop += 1
        if drop:
            del self.games[:drop], self.weights[:drop]

    @property
    def positions_in_window(self) -> int:
        return self.window_tallies["positions"]

    # --- sampling ------------------------------------------------------------

    def trainable(self, batch: int) -> bool:
        """True if a batch now keeps samples per new position within ``ratio``."""
        if self.total_positions < self.config.min_positions:
            return False
        return self.samples_drawn + batch <= self.config.ratio * self.total_positions

    def draw(self, batch: int) -> np.ndarray:
        """Rows of the index for ``batch`` positions: uniform, or by surprise weight."""
        index = self._build_index()
        if index["count"] == 0:
            raise ValueError("the replay buffer has no recorded position yet")
        if index["cumulative"] is None:
            return self.rng.integers(0, index["count"], size=batch)
        cumulative = index["cumulative"]
        chosen = np.searchsorted(cumulative, self.rng.random(batch) * cumulative[-1], side="right")
        return np.minimum(chosen, index["count"] - 1)  # a draw of exactly the total (rounding)

    def sample(self, batch: int) -> dict[str, np.ndarray]:
        """``batch`` positions from the window (see ``draw``), as training arrays.

        Returns planes float32 [B, C, N, N], policy [B, N*N+1], value [B],
        ownership [B, N*N], score [B] (points; NaN for resigned games), all from
        the view of each position's player to move, and opponent_policy int64 [B]:
        the opponent's reply (a policy index; -1 after the game's last move).
        Symmetries are applied by the trainer (``nets.augment``).
        """
        chosen = self.draw(batch)
        index = self._index
        games = index["game"][chosen]
        positions = index["move"][chosen]
        policies = index["policies"][chosen]
        self.samples_drawn += batch
        planes, policy, value, ownership, score = samples(
            index["moves"], index["move_offsets"], games, positions, self.size, index["winners"],
            index["ownership"], policies, index["scores"], komi=index["komi"], features=self.features,
        )  # fmt: skip
        reply = opponent_reply_targets(index["moves"], index["move_offsets"], games, positions)
        return {"planes": planes, "policy": policy, "value": value, "ownership": ownership, "score": score,
                "opponent_policy": reply}  # fmt: skip

    def _build_index(self) -> dict:
        if self._index is not None and self._unindexed_positions < REINDEX_SHARE * self.positions_in_window:
            return self._index
        self._unindexed_positions = 0
        games = self.games
        lengths = np.array([g.length for g in games], np.int64)
        move_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        recorded_game, recorded_move = [], []
        for i, game in enumerate(games):
            moves_recorded = np.flatnonzero(game.recorded)
            recorded_game.append(np.full(len(moves_recorded), i, np.int64))
            recorded_move.append(moves_recorded.astype(np.int64))
        actions = self.size * self.size + 1
        self._index = {
            "count": int(sum(len(m) for m in recorded_move)),
            "game": np.concatenate(recorded_game) if games else np.zeros(0, np.int64),
            "move": np.concatenate(recorded_move) if games else np.zeros(0, np.int64),
            "policies": (np.concatenate([g.policies.reshape(-1, actions) for g in games])
                         if games else np.zeros((0, actions), np.float16)),
            "moves": np.concatenate([g.moves.astype(np.int16) for g in games]) if games else np.zeros(0, np.int16),
            "move_offsets": move_offsets,
            "winners": np.array([g.winner for g in games], np.int64),
            "scores": score_targets([g.score for g in games], [g.resigned for g in games]),
            "komi": np.array([g.komi for g in games], np.float64),
            "ownership": np.stack([g.ownership for g in games]) if games else np.zeros((0, actions - 1), np.int8),
            "cumulative": (np.cumsum(np.concatenate(self.weights)) if self.config.weighted and games else None),
        }
        return self._index

    def stats(self) -> dict[str, float]:
        figures = {
            "games": self.total_games,
            "positions": self.total_positions,
            "moves": self.total_moves,
            "window_positions": self.positions_in_window,
            "samples_drawn": self.samples_drawn,
        }
        # How far search still moves the network's policy: falls as the network catches up.
        measured = [g.policy_surprise for g in self.games if g.has_surprise and len(g.policy_surprise)]
        if measured:
            figures["policy_surprise"] = float(np.concatenate(measured).astype(np.float64).mean())
        return figures

    def game_figures(self) -> dict[str, float]:
        """What the window's games say about self-play: average length, black's wins,
        resignations, forks and, over the games that could not resign, the share whose
        would-be resigner went on to win. Over the window, not the run: the figures
        follow the networks that play now, and a resumed run has them from its shards."""
        tally, games = self.window_tallies, len(self.games)
        if not games:
            return {}
        figures = {"average_game_length": tally["moves"] / games, "black_win_rate": tally["black_wins"] / games,
                   "resign_rate": tally["resigned"] / games, "forked_share": tally["forked"] / games}  # fmt: skip
        if tally["resign_probes"]:
            figures["resign_false_positive_rate"] = tally["false_resigns"] / tally["resign_probes"]
        return figures


def game_tallies(game: SelfPlayGame) -> dict[str, int]:
    """A game's counts behind the window's positions and ``ReplayBuffer.game_figures``."""
    probe = bool(game.would_have_resigned)  # resignation was off, and the game would have resigned
    return {"positions": int(game.recorded.sum()), "moves": game.length, "black_wins": int(game.winner == 1),
            "resigned": int(bool(game.resigned)), "forked": int(game.forked), "resign_probes": int(probe),
            "false_resigns": int(probe and game.winner == game.would_have_resigned)}  # fmt: skip


def resumed_samples_drawn(step: int, batch_size: int, ratio: float, positions: int) -> int:
    """The samples a resumed run counts as drawn: its steps' batches, but at most ``ratio`` per position on disk.

    A run with all its shards has drawn no more than that (the trainer keeps to the ratio), so for it this
    is ``step * batch_size``. A run directory seeded from a campaign's trainer state (``arena/campaign/``)
    holds only a slice of the games behind its step: counted as used up to the ratio, the slice lets the
    trainer go on at the ratio on new games, instead of waiting for as many positions as the step drew.
    """
    return min(step * batch_size, int(ratio * positions))
