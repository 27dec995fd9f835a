"""What the window says about the game, as plain sentences (no pygame here)."""

from __future__ import annotations

from engine.game import BLACK, WHITE, GameState, color_name
from engine.outcome import area_counts, lead_phrase

SUPERKO_PREFIX = "superko"


def explain_illegal(reason: str) -> str:
    """The engine's reason, worded for a person who just clicked (ko is the common superko)."""
    if reason.startswith(SUPERKO_PREFIX):
        return "ko: it would repeat an earlier position (superko)"
    if reason == "occupied":
        return "the point is occupied"
    if reason == "suicide":
        return "suicide: the stone would have no liberty"
    return reason


def area_sentence(game: GameState) -> str:
    black, white = area_counts(game)
    return f"Area: black {black}, white {white}, komi {game.komi:g}"


def captures_sentence(game: GameState) -> str:
    return f"Captures: black {game.captures(BLACK)}, white {game.captures(WHITE)}"


def win_rate_sentence(bot_win_rate: float | None, bot_score: float | None = None) -> str:
    """The bot's win-rate, and its score estimate (points, for the bot) when its network has a score head."""
    if bot_win_rate is None:
        return "Dosaku's win-rate: not searched yet"
    sentence = f"Dosaku's win-rate: {100 * bot_win_rate:.0f}%"
    if bot_score is not None:
        sentence += f", {lead_phrase(bot_score)}"
    return sentence


def game_line(game: GameState, human_color: int) -> str:
    """``9x9, komi 7.5, you play black`` (and the handicap, if any)."""
    stones = sum(1 for color, _ in game.setup if color == BLACK)
    handicap = f", handicap {stones}" if stones and not any(color == WHITE for color, _ in game.setup) else ""
    return f"{game.size}x{game.size}, komi {game.komi:g}{handicap}, you play {color_name(human_color)}"
