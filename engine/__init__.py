"""The rules of Go: Numba kernels over flat arrays, and ``GameState`` for Python callers."""

from engine.game import BLACK, EMPTY, WHITE, GameState, IllegalMoveError, opponent

__all__ = ["BLACK", "EMPTY", "WHITE", "GameState", "IllegalMoveError", "opponent"]
