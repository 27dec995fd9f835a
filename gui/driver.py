"""Driving the window from a script: post clicks and keys into its real event loop, wait for the bot.

For tests and ``scripts/make_screenshot.py``, which run the window headless
(``SDL_VIDEODRIVER=dummy``). Every helper posts pygame events and runs one
``App.step()``, the same frame ``App.run()`` repeats, so nothing here bypasses
the event handling a person's mouse and keyboard go through.
"""

from __future__ import annotations

import time

import pygame

from engine.coords import gtp_to_flat
from gui.app import App


def point_center(app: App, vertex: str) -> tuple[int, int]:
    """Pixel of ``vertex`` (GTP, e.g. ``D4``) where the window draws it now."""
    return app.layout().board.point_center(gtp_to_flat(vertex, app.game.size))


def click_at(app: App, position: tuple[int, int]) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=position, button=1))
    pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=position, button=1))
    app.step()


def click(app: App, vertex: str) -> None:
    """Click the intersection of ``vertex``."""
    click_at(app, point_center(app, vertex))


def hover(app: App, position: tuple[int, int]) -> None:
    pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=position, rel=(0, 0), buttons=(0, 0, 0)))
    app.step()


def press(app: App, key: int) -> None:
    """Press and release ``key`` (a pygame key constant)."""
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode="", scancode=0))
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=0, unicode="", scancode=0))
    app.step()


def type_text(app: App, text: str) -> None:
    """Type ``text`` into the open path prompt (SDL's text input event)."""
    pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=text))
    app.step()


def settle(app: App, timeout: float = 60.0) -> None:
    """Step until the bot has answered all it was asked about the position on the board.

    ``timeout`` only guards against a hang; TimeoutError if it passes.
    """
    deadline = time.monotonic() + timeout
    while any(generation == app.generation for generation in app.waiting.values()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the bot did not answer within {timeout:g} s")
        app.worker.wait(0.05)
        app.step()
    app.step()
