"""Saving and loading the window's games as SGF files, with the paths it offers by default."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

from engine.game import BLACK, WHITE, GameState
from engine.handicap import fixed_handicap_moves
from engine.sgf import SGFError, game_to_sgf, load_sgf_file, record_to_game, save_sgf_file
from gui.settings import GameSettings

GAMES_FOLDER = "dosaku-games"


def default_games_dir() -> Path:
    """``~/dosaku-games`` when there is a home folder, else the current directory."""
    home = Path.home()
    return home / GAMES_FOLDER if home.is_dir() else Path.cwd()


def timestamped_path(folder: Path) -> Path:
    """A new file name in ``folder`` from the clock: ``dosaku-20260101-120000.sgf``."""
    return folder / time.strftime("dosaku-%Y%m%d-%H%M%S.sgf")


def save_game(path: str, game: GameState, human_color: int, bot_name: str) -> Path:
    """Write ``game`` to ``path`` (``~`` expanded, folders made); return the path written."""
    target = Path(os.path.expanduser(path.strip()))
    if not target.name:
        raise ValueError("the path names a folder, not a file")
    target.parent.mkdir(parents=True, exist_ok=True)
    names = {human_color: "You", WHITE if human_color == BLACK else BLACK: f"Dosaku ({bot_name})"}
    save_sgf_file(target, game_to_sgf(game, black=names[BLACK], white=names[WHITE]))
    return target


def load_game(path: str, settings: GameSettings) -> tuple[GameState, GameSettings]:
    """The game in the SGF file at ``path`` and ``settings`` updated to its size, komi and handicap.

    Raises OSError or SGFError (a ValueError), both naming the problem.
    """
    record_path = Path(os.path.expanduser(path.strip()))
    record = load_sgf_file(record_path)
    game = record_to_game(record)
    handicap = 0
    count = len(record.setup_black)
    if count >= 2 and not record.setup_white:
        try:
            if sorted(fixed_handicap_moves(record.size, count)) == sorted(record.setup_black):
                handicap = count
        except ValueError:
            pass  # free placement: the stones are in the game, the settings just do not name them
    try:
        settings = dataclasses.replace(settings, size=record.size, komi=record.komi, handicap=handicap)
    except ValueError as err:
        raise SGFError(f"{record_path}: {err}") from None
    return game, settings
