"""``GameState``: the rules of Go for Python callers, a thin shell over the kernels.

Colours are ``BLACK = 1`` and ``WHITE = 2`` (``EMPTY = 0``); moves are flat
(``0 .. N*N-1`` row-major from the top-left, ``PASS = N*N``; see ``coords``).
Scores are Tromp-Taylor area, black minus white minus komi.

``play`` validates and raises ``IllegalMoveError`` with the reason;
``play_unchecked`` trusts its caller. ``copy`` is the only way to branch a game.
"""

from __future__ import annotations

import math

import numpy as np

from engine import _features, rules
from engine.coords import NO_LOC, PASS_LOC, check_size, flat_to_gtp, flat_to_padded, padded_cells, padded_to_flat
from engine.features import feature_planes

EMPTY, BLACK, WHITE = rules.EMPTY, rules.BLACK, rules.WHITE
FEATURE_PLANES = _features.V1_PLANES  # version 1's; ``engine.features`` has every version's
FEATURE_VERSION = 1  # the default version (AlphaGo Zero's 17 planes); ``NetConfig.features`` picks one

REASONS = {
    rules.REASON_OCCUPIED: "occupied",
    rules.REASON_SUICIDE: "suicide",
    rules.REASON_SUPERKO: "superko (the move repeats an earlier position)",
}


class IllegalMoveError(ValueError):
    """A move the rules forbid; ``reason`` is one word-ish phrase for people."""

    def __init__(self, move_text: str, reason: str):
        super().__init__(f"illegal move {move_text}: {reason}")
        self.reason = reason


def opponent(color: int) -> int:
    return 3 - color


def color_name(color: int) -> str:
    return {BLACK: "black", WHITE: "white"}[color]


def check_color(color: int) -> int:
    if color not in (BLACK, WHITE):
        raise ValueError(f"colour must be BLACK ({BLACK}) or WHITE ({WHITE}), got {color!r}")
    return color


class GameState:
    """One game: position, player to move, move history, komi and move cap.

    ``max_moves`` (0 = none) ends the game after that many moves, for self-play;
    the position is then scored as it stands.
    """

    def __init__(self, size: int = 9, komi: float = 7.5, max_moves: int = 0):
        self.size = check_size(size)
        if not isinstance(komi, (int, float)) or not math.isfinite(komi):
            raise ValueError(f"komi must be a finite number, got {komi!r}")
        if not isinstance(max_moves, int) or max_moves < 0:
            raise ValueError(f"max_moves must be a non-negative integer, got {max_moves!r}")
        self.komi = float(komi)
        self.max_moves = max_moves
        self.state = np.zeros(rules.state_length(size), np.int32)
        self.history = np.zeros((max_moves or 4 * size * size) + 8, np.uint64)
        rules.init_state(self.state, self.history, size, max_moves)
        self.setup: list[tuple[int, int]] = []  # (colour, move) stones placed before move 1
        self.moves: list[tuple[int, int]] = []  # (colour, move) in order
        self.resigned = EMPTY  # colour that resigned, if any
        self.start_to_play = BLACK  # who was to play before the first move

    # --- reading -------------------------------------------------------------

    @property
    def pass_move(self) -> int:
        return self.size * self.size

    @property
    def to_play(self) -> int:
        return int(self.state[rules.META_TO_PLAY])

    @to_play.setter
    def to_play(self, color: int) -> None:
        self.state[rules.META_TO_PLAY] = check_color(color)

    @property
    def move_number(self) -> int:
        return int(self.state[rules.META_MOVE_NUMBER])

    @property
    def consecutive_passes(self) -> int:
        return int(self.state[rules.META_PASSES])

    @property
    def last_move(self) -> int | None:
        return self.moves[-1][1] if self.moves else None

    def captures(self, color: int) -> int:
        """Stones captured so far *by* ``color``."""
        return int(self.state[rules.META_CAPTURES + check_color(color) - 1])

    def board(self) -> np.ndarray:
        """Colours of the points, int8 ``[N, N]``, row 0 at the top."""
        n = self.size
        cells = self.state[rules.META_LENGTH : rules.META_LENGTH + padded_cells(n)]  # the colors section
        return cells[n + 1 : (n + 1) * (n + 1)].reshape(n, n + 1)[:, 1:].astype(np.int8)

    def stones(self, color: int) -> list[int]:
        """Flat moves holding a stone of ``color``, ascending."""
        return [int(m) for m in np.flatnonzero(self.board().ravel() == check_color(color))]

    def hash(self) -> int:
        """Zobrist hash of the board (not of the player to move)."""
        return int(self.history[self.state[rules.META_HISTORY_LEN] - 1])

    def is_over(self) -> bool:
        return self.resigned != EMPTY or bool(rules.is_over(self.state))

    def score(self) -> float:
        """Tromp-Taylor area score of the position as it stands: black - white - komi."""
        return float(rules.area_score(self.state, self.komi))

    def winner(self) -> int:
        """``BLACK``, ``WHITE``, or ``EMPTY`` for a draw, judging the position as it stands."""
        if self.resigned != EMPTY:
            return opponent(self.resigned)
        score = self.score()
        return BLACK if score > 0 else WHITE if score < 0 else EMPTY

    def result(self) -> str:
        """SGF-style result: ``B+3.5``, ``W+R``, ``0`` for a draw."""
        if self.resigned != EMPTY:
            return f"{'W' if self.resigned == BLACK else 'B'}+R"
        return score_text(self.score())

    def owner(self) -> np.ndarray:
        """Tromp-Taylor owner of each point, int8 ``[N*N]``: BLACK, WHITE or EMPTY (neutral)."""
        out = np.empty(self.size * self.size, np.int8)
        rules.owner_map(self.state, out)
        return out

    def features(self, out: np.ndarray | None = None, version: int = FEATURE_VERSION) -> np.ndarray:
        """The network's input planes of feature ``version`` (see ``engine.features``),
        float32 ``[C, N, N]``: version 1 is AlphaGo Zero's 17, version 2 KataGo-style."""
        shape = (feature_planes(version), self.size, self.size)
        if out is None:
            out = np.empty(shape, np.float32)
        elif out.shape != shape or out.dtype != np.float32:
            raise ValueError(f"feature buffer must be float32 {shape}, got {out.dtype} {out.shape}")
        _features.write_features_of_version(version, self.state, self.history, self.komi, out)
        return out

    # --- legality ------------------------------------------------------------

    def _check_move(self, move: int) -> int:
        if not isinstance(move, (int, np.integer)) or not 0 <= move <= self.pass_move:
            raise ValueError(f"move must be a flat index from 0 to {self.pass_move} (pass), got {move!r}")
        return int(move)

    def illegal_reason(self, move: int, color: int | None = None) -> str | None:
        """Why ``color`` (default: the player to move) may not play ``move``; None if it may."""
        move = self._check_move(move)
        color = self.to_play if color is None else check_color(color)
        if self.is_over():
            return "the game is over"
        reason = rules.legality(self.state, self.history, flat_to_padded(move, self.size), color)
        return REASONS.get(int(reason))

    def is_legal(self, move: int, color: int | None = None) -> bool:
        return self.illegal_reason(move, color) is None

    def legal_moves(self, color: int | None = None) -> np.ndarray:
        """Bool mask ``[N*N+1]`` of the moves ``color`` may play (pass is the last entry)."""
        color = self.to_play if color is None else check_color(color)
        mask = np.empty(self.pass_move + 1, np.bool_)
        if self.is_over():
            mask[:] = False
            return mask
        rules.legal_mask(self.state, self.history, color, mask)
        return mask

    # --- changing ------------------------------------------------------------

    def play(self, move: int, color: int | None = None) -> int:
        """Play ``move`` for ``color`` (default: the player to move); return stones captured.

        Raises ``IllegalMoveError`` (occupied, suicide, superko, game over).
        """
        color = self.to_play if color is None else check_color(color)
        reason = self.illegal_reason(move, color)
        if reason is not None:
            raise IllegalMoveError(f"{color_name(color)} {flat_to_gtp(int(move), self.size)}", reason)
        return self.play_unchecked(int(move), color)

    def play_unchecked(self, move: int, color: int | None = None) -> int:
        """Play a move known to be legal; return stones captured."""
        color = self.to_play if color is None else color
        length = int(self.state[rules.META_HISTORY_LEN])
        if length >= len(self.history):
            grown = np.zeros(2 * len(self.history), np.uint64)
            grown[:length] = self.history[:length]
            self.history = grown
        if not self.moves:
            self.start_to_play = self.to_play  # undo back to the start restores it
        captured = rules.play_flat(self.state, self.history, move, color, True)
        self.moves.append((color, move))
        return int(captured)

    def place_setup_stones(self, color: int, moves: list[int]) -> None:
        """Put stones on the board before the first move (handicap, SGF AB/AW).

        The resulting position becomes the start of the game's history. Raises
        ValueError if a move was played already, a point is taken, or a stone
        would have no liberty.
        """
        check_color(color)
        if self.moves:
            raise ValueError("setup stones can only be placed before the first move")
        moves = [self._check_move(move) for move in moves]  # any iterable, read once
        # Work on copies so that a refused stone leaves the game as it was.
        state, history = self.state.copy(), self.history.copy()
        for move in moves:
            if move == self.pass_move:
                raise ValueError("a setup stone cannot be a pass")
            vertex = flat_to_gtp(move, self.size)
            loc = flat_to_padded(move, self.size)
            reason = rules.legality(state, history, loc, color)
            if reason == rules.REASON_OCCUPIED:
                raise ValueError(f"setup stone at {vertex}: the point is taken")
            if reason == rules.REASON_SUICIDE:
                raise ValueError(f"setup stone at {vertex} would have no liberty")
            captured, key = rules.place_stone(state, loc, color)
            if captured:
                raise ValueError(f"setup stone at {vertex} would capture stones")
            history[0] ^= key
        state[rules.META_LAST_MOVE] = NO_LOC
        self.state, self.history = state, history
        self.setup.extend((color, move) for move in moves)

    def resume(self) -> None:
        """Go on after two passes ended the game, as a GTP controller may do (KGS's
        clean-up phase, a GUI whose user keeps playing): the passes no longer count."""
        if self.resigned == EMPTY and self.consecutive_passes >= 2:
            self.state[rules.META_PASSES] = 0

    def resign(self, color: int | None = None) -> None:
        """``color`` (default: the player to move) resigns; the game is over."""
        self.resigned = self.to_play if color is None else check_color(color)

    def undo(self) -> None:
        """Take back the last move (or a resignation). Raises ValueError at the start."""
        if self.resigned != EMPTY:
            self.resigned = EMPTY
            return
        if not self.moves:
            raise ValueError("no move to undo")
        self.replace_with(self.replayed(self.moves[:-1]))

    def replayed(self, moves: list[tuple[int, int]]) -> GameState:
        """A new game with this game's size, komi, cap and setup, and ``moves`` played."""
        game = GameState(self.size, self.komi, self.max_moves)
        for color in (BLACK, WHITE):
            game.place_setup_stones(color, [m for c, m in self.setup if c == color])
        game.state[rules.META_TO_PLAY] = self.initial_to_play()
        for color, move in moves:
            game.resume()  # the game was played on after two passes
            game.play(move, color)
        return game

    def initial_to_play(self) -> int:
        """Who was to play at the start (after any setup stones)."""
        return self.start_to_play if self.moves else self.to_play

    def replace_with(self, other: GameState) -> None:
        self.__dict__.update(other.copy().__dict__)

    def copy(self) -> GameState:
        twin = object.__new__(GameState)
        twin.size, twin.komi, twin.max_moves = self.size, self.komi, self.max_moves
        twin.state = self.state.copy()
        twin.history = self.history.copy()
        twin.setup = list(self.setup)
        twin.moves = list(self.moves)
        twin.resigned = self.resigned
        twin.start_to_play = self.start_to_play
        return twin

    def __repr__(self) -> str:
        return f"GameState(size={self.size}, komi={self.komi}, moves={len(self.moves)}, to_play={color_name(self.to_play)})"


def owner_signs(owner: np.ndarray) -> np.ndarray:
    """``GameState.owner()`` as signs, int8 ``[N*N]``: +1 black's, -1 white's, 0 neutral."""
    owner = np.asarray(owner)
    return (owner == BLACK).astype(np.int8) - (owner == WHITE).astype(np.int8)


def score_text(score: float) -> str:
    """A score (black minus white) as SGF and GTP write it: ``B+3.5``, ``W+0.5``, ``0``."""
    if score == 0:
        return "0"
    return f"{'B' if score > 0 else 'W'}+{abs(score):g}"


def move_from_padded(loc: int, size: int) -> int:
    """Flat move of a padded location returned by a kernel."""
    return size * size if loc == PASS_LOC else int(padded_to_flat(loc, size))
