"""Fonts by pixel height: pygame's built-in font, so the window needs no system fonts.

Fonts die with ``pygame.font.quit()``; the window calls ``forget_fonts`` when it
closes so that a later window (tests open many) never touches a dead one.
"""

from __future__ import annotations

import pygame

_FONTS: dict[int, pygame.font.Font] = {}
MIN_HEIGHT = 8  # smaller than this is unreadable anyway


def font(height: float) -> pygame.font.Font:
    """The built-in font at about ``height`` pixels."""
    height = max(MIN_HEIGHT, int(height))
    if height not in _FONTS:
        if not pygame.font.get_init():
            pygame.font.init()
        _FONTS[height] = pygame.font.Font(None, height)
    return _FONTS[height]


def forget_fonts() -> None:
    _FONTS.clear()


def draw_text(
    surface: pygame.Surface, text: str, height: float, color, position, anchor: str = "topleft"
) -> pygame.Rect:
    """Draw one line of ``text`` with its ``anchor`` point (a pygame.Rect attribute) at ``position``."""
    image = font(height).render(text, True, color)
    box = image.get_rect(**{anchor: position})
    surface.blit(image, box)
    return box


def fit_text(text: str, height: float, width: int) -> str:
    """``text``, cut short with an ellipsis if it is wider than ``width`` pixels at ``height``."""
    face = font(height)
    if face.size(text)[0] <= width:
        return text
    while text and face.size(text + "...")[0] > width:
        text = text[:-1]
    return text + "..."
