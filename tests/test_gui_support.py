"""Helpers of the window tests (no tests here): a headless window, scripted bots, posted events.

Every test drives the real event loop: it posts pygame events and calls
``App.step()``, the frame ``App.run()`` repeats. ``SDL_VIDEODRIVER=dummy`` makes
the window headless; the fixture sets it for the test alone and closes the window
after, so that other test modules in the same process see the environment as it was.
"""

from __future__ import annotations

import threading

import numpy as np
import pygame
import pytest

from engine.coords import gtp_to_flat
from engine.game import GameState
from gui import driver
from gui.app import App
from gui.driver import click, click_at, hover, point_center, press, type_text  # noqa: F401 (for the test modules)
from gui.opponent import Opponent
from gui.settings import GameSettings
from mcts.players import Decision
from mcts.search import SearchResult

NO_HANG = 60.0  # seconds before a test gives up waiting for the bot: a hang guard, not a timing claim


class ScriptedPlayer:
    """Plays the first legal move of ``replies`` (GTP vertices) and passes when none is left or the
    person just passed; waits for ``gate`` (a threading.Event) first, when given one. Its search
    reports ``value`` and, as a network with a score head would, ``score`` (both for the player to move)."""

    def __init__(self, replies=(), gate: threading.Event | None = None, value: float = 0.3, score=None):
        self.replies = list(replies)
        self.gate = gate
        self.value = value
        self.score = score
        self.calls = 0
        self.started = threading.Event()  # set once a search has begun (and may be waiting for the gate)

    def genmove(self, game: GameState) -> Decision:
        self.calls += 1
        self.started.set()
        if self.gate is not None:
            self.gate.wait()
        move = game.pass_move
        human_passed = game.moves and game.moves[-1][1] == game.pass_move
        if not human_passed:
            for vertex in self.replies:
                candidate = gtp_to_flat(vertex, game.size)
                if game.is_legal(candidate):
                    move = candidate
                    break
        visits = np.zeros(game.pass_move + 1, np.int32)
        visits[move] = 30
        visits[game.legal_moves()] += 1
        visits[move] = max(visits[move], 1)
        search = SearchResult(visits, visits / visits.sum(), self.value, int(visits.sum()), [move], self.score)
        return Decision(move, search)


class Bots:
    """An opponent factory for the window that hands out ``ScriptedPlayer``s and remembers what it was asked."""

    def __init__(self, replies=(), gate: threading.Event | None = None, score=None):
        self.replies, self.gate, self.score = replies, gate, score
        self.asked: list[GameSettings] = []
        self.players: list[ScriptedPlayer] = []

    def __call__(self, settings: GameSettings) -> Opponent:
        self.asked.append(settings)
        player = ScriptedPlayer(self.replies, self.gate, score=self.score)
        self.players.append(player)
        return Opponent(f"a scripted bot ({settings.size}x{settings.size})", lambda: player)


# Named apart from the fixture, so that test modules can import it without their
# parameters shadowing the import (ruff F811).
@pytest.fixture(name="headless")
def headless_fixture(monkeypatch):
    """SDL without a screen or sound card, for this test only."""
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")


@pytest.fixture(name="open_window")
def open_window_fixture(headless, tmp_path):
    """A starter of windows: ``open_window(bots, settings=..., size=...)``; each is closed after the test."""
    windows: list[App] = []

    def start(bots, settings: GameSettings | None = None, size=(1000, 720)) -> App:
        app = App(settings or GameSettings(9), bots, window_size=size, games_dir=tmp_path / "games")
        windows.append(app)
        app.step()
        return app

    yield start
    for app in windows:
        app.close()


# --- driving the loop (gui.driver posts the events; these name what tests say) ----


def center(app: App, vertex: str) -> tuple[int, int]:
    return point_center(app, vertex)


def click_button(app: App, action: str) -> None:
    (button,) = [b for b in app.buttons() if b.action == action]
    click_at(app, button.rect.center)


def replace_field(app: App, text: str) -> None:
    """Empty the open path prompt with backspaces and type ``text``."""
    for _ in range(len(app.dialog.field.text)):
        press(app, pygame.K_BACKSPACE)
    type_text(app, text)


def settle(app: App) -> None:
    """Step until the bot has answered everything asked about the position on the board."""
    driver.settle(app, NO_HANG)


def screenshot(app: App, path) -> pygame.Surface:
    """Draw the window, save it as a PNG with pygame.image.save, and read the file back."""
    app.dirty = True
    app.step()
    pygame.image.save(app.screen, str(path))
    return pygame.image.load(str(path))
