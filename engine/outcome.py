"""A game's outcome in words, shared by the terminal game and the window."""

from __future__ import annotations

from engine.game import BLACK, EMPTY, WHITE, GameState, color_name


def area_counts(game: GameState) -> tuple[int, int]:
    """Points (stones plus surrounded empty points) that count for black and for white."""
    owner = game.owner()
    return int((owner == BLACK).sum()), int((owner == WHITE).sum())


def points_text(amount: float) -> str:
    """``1 point``, ``3.5 points``."""
    return f"{amount:g} point" + ("" if amount == 1 else "s")


def result_sentence(game: GameState) -> str:
    """``Black wins by 3.5 points (B+3.5)``, ``White wins by resignation (W+R)`` or ``Draw (0)``."""
    winner = game.winner()
    if winner == EMPTY:
        return "Draw (0)"
    name = color_name(winner).capitalize()
    if game.resigned != EMPTY:
        return f"{name} wins by resignation ({game.result()})"
    return f"{name} wins by {points_text(abs(game.score()))} ({game.result()})"


def lead_phrase(score: float) -> str:
    """``it leads by 4.5`` / ``it trails by 2.0`` / ``even``: a player's own score estimate in points."""
    if abs(score) < 0.05:
        return "even"
    return f"it {'leads' if score > 0 else 'trails'} by {abs(score):.1f}"
