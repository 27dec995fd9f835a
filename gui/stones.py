"""Shaded stone images: a radial gradient lit from the top-left, drawn once per colour and radius.

Each image is square, ``2 * radius + 1`` pixels, transparent around the stone,
so it is blitted with its centre on the intersection. It is drawn at four times
the size and scaled down smoothly, which gives soft edges without gfxdraw.
"""

from __future__ import annotations

import functools

import pygame

from engine.game import BLACK
from gui import colors

OVERSAMPLE = 4
GRADIENT_STEPS = 24
LIGHT_OFFSET = 0.35  # where the highlight sits, as a share of the radius up and left


def _mix(a: tuple[int, ...], b: tuple[int, ...], share: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * share) for x, y in zip(a, b, strict=True))


@functools.lru_cache(maxsize=64)
def stone_image(color: int, radius: int, alpha: int = 255) -> pygame.Surface:
    """A ``color`` stone of ``radius`` pixels (``alpha`` < 255 for the ghost under the mouse)."""
    base, light = (
        (colors.BLACK_STONE, colors.BLACK_STONE_HIGHLIGHT)
        if color == BLACK
        else (colors.WHITE_STONE, colors.WHITE_STONE_HIGHLIGHT)
    )
    big_radius = radius * OVERSAMPLE
    side = 2 * big_radius + OVERSAMPLE
    big = pygame.Surface((side, side), pygame.SRCALPHA)
    center = side / 2
    pygame.draw.circle(big, base, (center, center), big_radius)
    # Ever smaller discs, ever lighter, sliding towards the light: a cheap sphere.
    for step in range(1, GRADIENT_STEPS + 1):
        share = step / GRADIENT_STEPS
        disc_radius = big_radius * (1 - share * 0.85)
        shift = big_radius * LIGHT_OFFSET * share
        shade = _mix(base, light, share**1.6)
        pygame.draw.circle(big, shade, (center - shift, center - shift), disc_radius)
    small_side = 2 * radius + 1
    image = pygame.transform.smoothscale(big, (small_side, small_side))
    if alpha < 255:
        image.fill((255, 255, 255, alpha), special_flags=pygame.BLEND_RGBA_MULT)
    return image


@functools.lru_cache(maxsize=16)
def shadow_image(radius: int) -> pygame.Surface:
    """The soft shadow a stone casts down and to the right."""
    side = 2 * radius + 1
    image = pygame.Surface((side, side), pygame.SRCALPHA)
    pygame.draw.circle(image, colors.STONE_SHADOW, (radius, radius), radius)
    return image


def draw_stone(surface: pygame.Surface, color: int, center: tuple[int, int], radius: int, alpha: int = 255) -> None:
    """A shaded stone centred on ``center``; with its shadow unless it is a ghost."""
    x, y = center
    if alpha == 255:
        offset = max(1, radius // 8)
        surface.blit(shadow_image(radius), (x - radius + offset, y - radius + offset))
    surface.blit(stone_image(color, radius, alpha), (x - radius, y - radius))
