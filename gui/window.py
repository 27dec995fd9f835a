"""Opening the window's display, and telling when there is no display to open it on."""

from __future__ import annotations

import os
import sys

import pygame

HEADLESS_DRIVERS = ("offscreen", "dummy")  # SDL video drivers that draw nowhere


class WindowUnavailable(RuntimeError):
    """The window cannot open here (no display); the message is SDL's reason."""


def open_window(size: tuple[int, int]) -> pygame.Surface:
    """The surface of a new resizable window; WindowUnavailable where no display can show it.

    Without a display SDL falls back to drivers that draw nowhere: a window nobody
    can see or close. Those are accepted only when asked for by name in
    ``SDL_VIDEODRIVER`` (read now, not at import), as headless tests and scripts do.
    """
    if _no_display_on_linux():
        raise WindowUnavailable("no display: neither DISPLAY nor WAYLAND_DISPLAY is set")
    try:
        pygame.display.init()
        surface = pygame.display.set_mode(size, pygame.RESIZABLE)
    except pygame.error as err:
        pygame.quit()
        raise WindowUnavailable(str(err) or "no display") from None
    driver = pygame.display.get_driver()
    if driver in HEADLESS_DRIVERS and os.environ.get("SDL_VIDEODRIVER") != driver:
        pygame.quit()
        raise WindowUnavailable("no display")
    return surface


def _no_display_on_linux() -> bool:
    """Linux without X11 or Wayland and no driver asked for: known before SDL probes (and complains)."""
    if not sys.platform.startswith("linux") or os.environ.get("SDL_VIDEODRIVER"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
