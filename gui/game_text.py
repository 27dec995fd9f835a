"""What the window says about the game, as plain sentences (no pygame here)."""

from __future__ import annotations

from engine.game import BLACK, WHITE, GameState, color_name
from engine.outcome import area_counts
from gui.evaluations import Evaluation

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


def lead_text(black_lead: float) -> str:
    """Black's expected lead in points as a result is written: ``B+3.5``, ``W+0.5``, ``even`` (under 0.05)."""
    if abs(black_lead) < 0.05:
        return "even"
    return f"{'B' if black_lead > 0 else 'W'}+{abs(black_lead):.1f}"


def win_rate_sentence(bot_win_rate: float | None, black_lead: float | None = None) -> str:
    """The bot's win-rate, with its score estimate (``Dosaku: B+3.5``) when its network has a score head."""
    if bot_win_rate is None:
        return "Dosaku's win-rate: not searched yet"
    if black_lead is None:
        return f"Dosaku's win-rate: {100 * bot_win_rate:.0f}%"
    return f"Dosaku: {lead_text(black_lead)}, win-rate {100 * bot_win_rate:.0f}%"


def review_sentence(position: int, evaluation: Evaluation | None) -> str:
    """What the graph says of the position the board shows while reviewing (black's view, as the graph)."""
    if evaluation is None:
        return f"Move {position}: not searched by Dosaku"
    sentence = f"Move {position}: black's win-rate {100 * evaluation.black_win_rate:.0f}%"
    if evaluation.black_lead is not None:
        sentence += f", {lead_text(evaluation.black_lead)}"
    return sentence


def review_status(position: int, moves_played: int) -> str:
    return f"Reviewing move {position} of {moves_played}: End, Esc or the graph's last point returns to the game"


def game_line(game: GameState, human_color: int) -> str:
    """``9x9, komi 7.5, you play black`` (and the handicap, if any)."""
    stones = sum(1 for color, _ in game.setup if color == BLACK)
    handicap = f", handicap {stones}" if stones and not any(color == WHITE for color, _ in game.setup) else ""
    return f"{game.size}x{game.size}, komi {game.komi:g}{handicap}, you play {color_name(human_color)}"
