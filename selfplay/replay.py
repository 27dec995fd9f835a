"""Re-encoding recorded positions into training samples (features and targets).

Positions are stored as move lists (see ``records``) and replayed here, inside
one Numba kernel per batch, into AlphaGo Zero's feature planes: replaying ~50
moves costs ~15 us a sample, far below a training step, and keeps the buffer
~100x smaller than stored planes.

Targets are for the player to move at the sampled position: value +1 if that
player won, -1 if lost, 0 for a draw; ownership +1 for points that player owned
at the end, -1 for the opponent's, 0 neutral; score the final area score (komi
included) as that player's points minus the opponent's.

A resigned game has no final score: its record's ``score`` is the position as it
stood at the resignation (stones still to be captured, territory still open), so
its score target is NaN and the loss leaves those positions out (KataGo trains
its score heads only on games played out). Its value target still counts.

The opponent-reply target (``opponent_reply_targets``) is the move the opponent
played right after the sampled position's move, as a policy index (the pass is
N*N); the sampled position's move being the game's last, there is none (-1) and
the loss leaves the position out of that term.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from engine import _features as feature_kernels
from engine import rules
from engine.features import feature_planes


@njit(cache=True)
def replay_features(moves, move_offsets, games, positions, size, komi, version, out):
    """Features (of ``version``) of position ``positions[i]`` (moves played) of game
    ``games[i]`` into ``out[i]``.

    ``moves``/``move_offsets``: all games' moves concatenated, and where each starts;
    ``komi``: each game's komi.
    """
    state = np.empty(rules.state_length(size), np.int32)
    longest = 0
    for g in range(len(move_offsets) - 1):
        longest = max(longest, move_offsets[g + 1] - move_offsets[g])
    history = np.empty(longest + 8, np.uint64)
    for i in range(len(games)):
        rules.init_state(state, history, size, 0)
        start = move_offsets[games[i]]
        for j in range(positions[i]):
            rules.play_flat(state, history, moves[start + j], state[rules.META_TO_PLAY], True)
        feature_kernels.write_features_of_version(version, state, history, komi[games[i]], out[i])


def samples(moves, move_offsets, games, positions, size, winners, ownership, policies, scores=None, *, komi=None,
            features=1):
    """Training arrays for the chosen positions.

    ``winners`` [G] (1 black, 2 white, 0 draw), ``ownership`` [G, N*N] (+1 black),
    ``policies`` [S, N*N+1] the targets already gathered for these samples,
    ``scores`` [G] black's final score minus komi (NaN: none, a resignation),
    ``komi`` [G] each game's komi (version 2's planes need it; version 1 ignores it),
    ``features`` the feature version. Returns planes [S, C, N, N], policy [S, A],
    value [S], ownership [S, N*N], score [S] (NaN where unknown, all NaN without ``scores``).
    """
    count = len(games)
    if komi is None and features != 1:
        raise ValueError(f"feature version {features} needs each game's komi")
    komi = np.zeros(len(move_offsets) - 1) if komi is None else np.asarray(komi, np.float64)
    planes = np.empty((count, feature_planes(features), size, size), np.float32)
    replay_features(moves, move_offsets, games, positions, size, komi, features, planes)
    to_play_black = positions % 2 == 0  # self-play starts from the empty board, black first
    side = np.where(to_play_black, 1.0, -1.0).astype(np.float32)
    winner = winners[games]
    value = np.where(winner == 0, 0.0, np.where((winner == 1) == to_play_black, 1.0, -1.0)).astype(np.float32)
    owner = ownership[games].astype(np.float32) * side[:, None]
    score = np.full(count, np.nan, np.float32) if scores is None else (scores[games] * side).astype(np.float32)
    return planes, policies.astype(np.float32), value, owner, score


NO_REPLY = -1  # the opponent-reply target of a position whose move ended the game


def opponent_reply_targets(moves, move_offsets, games, positions) -> np.ndarray:
    """int64 [S]: for position ``positions[i]`` (moves played) of game ``games[i]``, the move
    played after the next one (``moves[positions + 1]`` of that game: the opponent's reply
    to the move the policy target predicts), or ``NO_REPLY`` past the game's end."""
    move_offsets = np.asarray(move_offsets, np.int64)
    games, positions = np.asarray(games, np.int64), np.asarray(positions, np.int64)
    starts, lengths = move_offsets[games], move_offsets[games + 1] - move_offsets[games]
    reply = positions + 1
    present = reply < lengths
    at = np.where(present, starts + reply, 0)
    return np.where(present, np.asarray(moves)[at], NO_REPLY).astype(np.int64)


def score_targets(scores, resigned) -> np.ndarray:
    """Per game, the final score to train on: the record's ``score`` (black - white - komi),
    NaN for a resigned game (see the module docstring)."""
    scores = np.asarray(scores, np.float64)
    return np.where(np.asarray(resigned) != 0, np.nan, scores)
