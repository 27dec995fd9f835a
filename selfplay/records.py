"""Self-play game records and the compressed shards that hold them on disk.

A record keeps what training needs and nothing it can recompute: the moves (the
positions are replayed into features at sampling time, so a shard is ~100x
smaller than stored planes), the search's policy target for each *recorded* move
(KataGo's playout cap randomisation leaves fast-search moves unrecorded), the
final score and Tromp-Taylor ownership, and how the game ended.

Conventions: self-play games start from the empty board with black to move, so
move ``i`` is black's when ``i`` is even. A game whose first moves were not searched
(an opening drawn from the policy, or a fork of an earlier game: see
``SelfPlayConfig``) keeps those moves, unrecorded, and counts them in ``start_moves``. Ownership is ``+1`` black, ``-1``
white, ``0`` neutral. Scores are black minus white minus komi.

A shard is one ``.npz`` (compressed) of several games concatenated, with offsets;
written atomically, and checked on reading: a corrupt shard raises ``ShardError``.
Version 2 adds what surprise weighting needs (``policy_surprise``, ``raw_values``)
and ``start_moves``/``forked``; version-1 shards still read, without surprise data
(the buffer then samples their positions uniformly).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.files import atomic_write_bytes

SHARD_VERSION = 2
READABLE_VERSIONS = (1, 2)


class ShardError(ValueError):
    """A shard that cannot be read; the message names the file and the problem."""


@dataclass
class SelfPlayGame:
    """One finished self-play game."""

    size: int
    komi: float
    moves: np.ndarray  # int16 [M] flat moves, pass = N*N
    recorded: np.ndarray  # bool [M] whether the move's policy target is kept
    policies: np.ndarray  # float16 [R, N*N+1] targets of the recorded moves, in order
    root_values: np.ndarray  # float16 [M] search value for the player to move
    score: float  # black - white - komi of the final position (as it stands)
    ownership: np.ndarray  # int8 [N*N] final owner of each point
    resigned: int = 0  # colour that resigned (0: none)
    resign_disabled: bool = False  # resignation was off in this game (false-positive probe)
    would_have_resigned: int = 0  # colour that would have resigned when it was off (0: none)
    sgf: str = ""
    worker: int = -1
    network_version: int = 0
    # Surprise weighting (``selfplay.surprise``); None in games from version-1 shards.
    policy_surprise: np.ndarray | None = None  # float32 [R] KL(target || raw prior) of the recorded moves
    raw_values: np.ndarray | None = None  # float16 [M] the network's raw root value for the player to move
    start_moves: int = 0  # leading moves this game did not search (policy opening, fork prefix and move)
    forked: bool = False  # the game branched from an earlier one (KataGo's early fork)
    extra: dict = field(default_factory=dict)

    @property
    def has_surprise(self) -> bool:
        return self.policy_surprise is not None and self.raw_values is not None

    @property
    def winner(self) -> int:
        """1 black, 2 white, 0 draw."""
        if self.resigned:
            return 3 - self.resigned
        return 1 if self.score > 0 else 2 if self.score < 0 else 0

    @property
    def length(self) -> int:
        return len(self.moves)


_PER_GAME = ("size", "komi", "score", "resigned", "resign_disabled", "would_have_resigned", "worker", "network_version",
             "start_moves", "forked", "has_surprise")  # fmt: skip


def shard_bytes(games: list[SelfPlayGame]) -> bytes:
    """Serialise games into the bytes of one compressed ``.npz`` shard."""
    if not games:
        raise ValueError("a shard needs at least one game")
    move_offsets = np.cumsum([0] + [g.length for g in games]).astype(np.int64)
    policy_offsets = np.cumsum([0] + [len(g.policies) for g in games]).astype(np.int64)
    arrays = {
        "version": np.array(SHARD_VERSION),
        "move_offsets": move_offsets,
        "policy_offsets": policy_offsets,
        "moves": np.concatenate([g.moves.astype(np.int16) for g in games]),
        "recorded": np.concatenate([g.recorded.astype(np.bool_) for g in games]),
        "root_values": np.concatenate([g.root_values.astype(np.float16) for g in games]),
        # reshape(-1, A), not (R, -1): a game may have no recorded move (an early resignation).
        "policies": np.concatenate([g.policies.astype(np.float16).reshape(-1, g.size * g.size + 1) for g in games]),
        "ownership": np.stack([g.ownership.astype(np.int8) for g in games]),
        "sgf": np.array([g.sgf for g in games], dtype=np.str_),
        # NaN where a game has no surprise data (``has_surprise`` says which).
        "policy_surprise": np.concatenate([_or_nan(g.policy_surprise, len(g.policies), np.float32) for g in games]),
        "raw_values": np.concatenate([_or_nan(g.raw_values, g.length, np.float16) for g in games]),
    }
    for name in _PER_GAME:
        arrays[name] = np.array([getattr(g, name) for g in games])
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _or_nan(values: np.ndarray | None, length: int, dtype) -> np.ndarray:
    if values is None:
        return np.full(length, np.nan, dtype)
    if len(values) != length:
        raise ValueError(f"surprise data of {len(values)} entries for {length} moves")
    return np.asarray(values, dtype)


def write_shard(path: str | Path, games: list[SelfPlayGame]) -> None:
    """Write a shard atomically: a crash or a full disk leaves no partial file."""
    atomic_write_bytes(path, shard_bytes(games))


def read_shard(path: str | Path) -> list[SelfPlayGame]:
    """The games of a shard; ShardError naming the file when it is corrupt or foreign."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except Exception as err:  # noqa: BLE001 - see below
        # A damaged file surfaces as whatever the layer that trips over it raises:
        # OSError, BadZipFile, EOFError, KeyError, ValueError, but also zlib.error
        # (bad deflate data), NotImplementedError (a mangled compression method or
        # flag) and tokenize.TokenError (a mangled .npy header). All mean the same.
        raise ShardError(f"shard {path} is unreadable ({type(err).__name__}: {err})") from None
    try:
        return _games_from_arrays(arrays)
    except (KeyError, ValueError, IndexError) as err:
        raise ShardError(f"shard {path} is corrupt ({type(err).__name__}: {err})") from None


def _games_from_arrays(arrays: dict[str, np.ndarray]) -> list[SelfPlayGame]:
    version = int(arrays["version"])
    if version not in READABLE_VERSIONS:
        raise ValueError(f"shard version {version}, expected one of {READABLE_VERSIONS}")
    move_offsets, policy_offsets = arrays["move_offsets"], arrays["policy_offsets"]
    count = len(move_offsets) - 1
    if count < 1 or len(policy_offsets) != count + 1 or move_offsets[-1] != len(arrays["moves"]):
        raise ValueError("offsets do not match the arrays")
    games = []
    for i in range(count):
        m0, m1 = int(move_offsets[i]), int(move_offsets[i + 1])
        p0, p1 = int(policy_offsets[i]), int(policy_offsets[i + 1])
        size = int(arrays["size"][i])
        recorded = arrays["recorded"][m0:m1]
        policies = arrays["policies"][p0:p1]
        if int(recorded.sum()) != p1 - p0 or (p1 > p0 and policies.shape[1] != size * size + 1):
            raise ValueError(f"game {i}: recorded moves and policy targets disagree")
        moves = arrays["moves"][m0:m1]
        if moves.size and (moves.min() < 0 or moves.max() > size * size):
            raise ValueError(f"game {i}: a move is off the {size}x{size} board")
        later = _version_2_fields(arrays, i, m0, m1, p0, p1) if version >= 2 else {}
        games.append(
            SelfPlayGame(
                size=size,
                komi=float(arrays["komi"][i]),
                moves=moves,
                recorded=recorded,
                policies=policies,
                root_values=arrays["root_values"][m0:m1],
                score=float(arrays["score"][i]),
                ownership=arrays["ownership"][i],
                resigned=int(arrays["resigned"][i]),
                resign_disabled=bool(arrays["resign_disabled"][i]),
                would_have_resigned=int(arrays["would_have_resigned"][i]),
                sgf=str(arrays["sgf"][i]),
                worker=int(arrays["worker"][i]),
                network_version=int(arrays["network_version"][i]),
                **later,
            )
        )
    return games


def _version_2_fields(arrays: dict[str, np.ndarray], i: int, m0: int, m1: int, p0: int, p1: int) -> dict:
    """Surprise data, start moves and the fork flag of game ``i`` (shard version 2)."""
    start_moves = int(arrays["start_moves"][i])
    if not 0 <= start_moves <= m1 - m0:
        raise ValueError(f"game {i}: {start_moves} start moves in a game of {m1 - m0}")
    fields = {"start_moves": start_moves, "forked": bool(arrays["forked"][i])}
    if bool(arrays["has_surprise"][i]):
        surprise = arrays["policy_surprise"][p0:p1]
        raw_values = arrays["raw_values"][m0:m1]
        if len(surprise) != p1 - p0 or not (np.isfinite(surprise).all() and (surprise >= 0).all()):
            raise ValueError(f"game {i}: policy surprises must be finite and non-negative")
        if len(raw_values) != m1 - m0 or not (np.abs(raw_values.astype(np.float32)) <= 1).all():
            raise ValueError(f"game {i}: raw values must lie in [-1, 1]")
        fields.update(policy_surprise=surprise, raw_values=raw_values)
    return fields
