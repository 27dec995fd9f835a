"""Draws the board: wood, grid, star points, coordinates, stones and what lies on them.

``BoardScene`` is everything the board shows, as plain data; ``draw_board`` paints
it into the ``BoardGeometry`` the layout computed. Arrays are flat over the
points (``[N*N]``, ``engine.coords``' order); colours are ``engine.game``'s.
Ownership is from black's side: +1 black's, -1 white's.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

import numpy as np
import pygame

from engine.coords import GTP_COLUMNS, flat_to_rowcol, pass_move
from engine.game import BLACK, EMPTY
from gui import colors
from gui.fonts import draw_text
from gui.layout import BoardGeometry
from gui.stones import draw_stone

HEAT_LABELS = 3  # the most visited moves get their share written on them
MIN_HEAT_SHARE = 0.005  # moves below half a per cent of the visits are not worth a mark


@dataclass
class BoardScene:
    """What the board shows besides the lines."""

    stones: np.ndarray  # int8 [N, N], row 0 at the top
    last_move: int | None = None  # flat; None or the pass: no mark
    ghost: tuple[int, int] | None = None  # (colour, flat move) under the mouse
    hint: int | None = None  # flat move suggested to the person
    heat: np.ndarray | None = None  # float [N*N+1]: share of the root visits of each move
    ownership: np.ndarray | None = None  # float [N*N] in [-1, 1], +1 black's
    territory: np.ndarray | None = None  # int8 [N*N]: Tromp-Taylor owner of each point, at the end


def star_points(size: int) -> list[tuple[int, int]]:
    """(row, col) of the star points: 3-3 (4-4 from 13x13) corners, the centre, and the sides on big boards."""
    if size < 5:
        return []
    points = []
    if size >= 7:
        edge = 2 if size < 13 else 3
        far = size - 1 - edge
        points += [(edge, edge), (edge, far), (far, edge), (far, far)]
    middle = size // 2
    if size % 2 == 1:
        points.append((middle, middle))
        if size >= 15:
            edge = 3
            points += [(edge, middle), (size - 1 - edge, middle), (middle, edge), (middle, size - 1 - edge)]
    return points


def column_label(col: int) -> str:
    return GTP_COLUMNS[col]


def row_label(row: int, size: int) -> str:
    """GTP's row number: 1 at the bottom line."""
    return str(size - row)


def draw_board(surface: pygame.Surface, geometry: BoardGeometry, scene: BoardScene) -> None:
    """Paint the whole board of ``scene`` into ``geometry``'s square of ``surface``."""
    wood = geometry.wood
    surface.blit(wood_image(wood.width, wood.height), (wood.x, wood.y))
    pygame.draw.rect(surface, colors.WOOD_EDGE, wood.as_tuple(), width=max(1, int(geometry.spacing / 20)))
    _draw_grid(surface, geometry)
    _draw_coordinates(surface, geometry)
    if scene.territory is not None:
        _draw_territory(surface, geometry, scene.territory, scene.stones)
    _draw_stones(surface, geometry, scene.stones)
    # Ownership before the heat map: its squares show through the translucent discs,
    # and the discs' shares stay readable on top.
    if scene.ownership is not None:
        _draw_ownership(surface, geometry, scene.ownership)
    if scene.heat is not None:
        _draw_heat(surface, geometry, scene.heat, scene.stones)
    _draw_last_move(surface, geometry, scene)
    if scene.hint is not None and scene.hint < pass_move(geometry.size):
        radius = geometry.stone_radius
        pygame.draw.circle(surface, colors.HINT_RING, geometry.point_center(scene.hint), radius, max(2, radius // 5))
    if scene.ghost is not None:
        color, move = scene.ghost
        draw_stone(surface, color, geometry.point_center(move), geometry.stone_radius, alpha=colors.GHOST_ALPHA)


@functools.lru_cache(maxsize=4)
def wood_image(width: int, height: int) -> pygame.Surface:
    """The board's wood with a faint grain, the same every time for a given size."""
    image = pygame.Surface((width, height))
    image.fill(colors.WOOD)
    grain = random.Random(19)  # fixed: the grain must not shimmer between frames
    y = 0.0
    while y < height:
        shade = tuple(
            round(w + (g - w) * grain.random() * 0.6) for w, g in zip(colors.WOOD, colors.WOOD_GRAIN, strict=True)
        )
        thickness = max(1, round(grain.uniform(0.5, 2.5) * height / 400))
        pygame.draw.line(image, shade, (0, round(y)), (width, round(y + grain.uniform(-3, 3))), thickness)
        y += grain.uniform(2, 9) * height / 400
    return image


def _draw_grid(surface: pygame.Surface, geometry: BoardGeometry) -> None:
    size = geometry.size
    width = max(1, round(geometry.spacing / 30))
    for index in range(size):
        line_width = width + 1 if index in (0, size - 1) else width  # the edge reads as an edge
        pygame.draw.line(
            surface,
            colors.GRID_LINE,
            geometry.rowcol_center(index, 0),
            geometry.rowcol_center(index, size - 1),
            line_width,
        )
        pygame.draw.line(
            surface,
            colors.GRID_LINE,
            geometry.rowcol_center(0, index),
            geometry.rowcol_center(size - 1, index),
            line_width,
        )
    star_radius = max(2, round(geometry.spacing / 10))
    for row, col in star_points(size):
        pygame.draw.circle(surface, colors.GRID_LINE, geometry.rowcol_center(row, col), star_radius)


def _draw_coordinates(surface: pygame.Surface, geometry: BoardGeometry) -> None:
    """Letters above and below, numbers left and right, in the margin around the grid."""
    size, spacing = geometry.size, geometry.spacing
    height = min(spacing * 0.42, 26)
    if height < 8:
        return  # a tiny window: no room for readable labels
    reach = spacing * 0.62  # from the outer line to the label's centre
    for index in range(size):
        x, top = geometry.rowcol_center(0, index)
        _, bottom = geometry.rowcol_center(size - 1, index)
        label = column_label(index)
        draw_text(surface, label, height, colors.COORDINATE_TEXT, (x, round(top - reach)), "center")
        draw_text(surface, label, height, colors.COORDINATE_TEXT, (x, round(bottom + reach)), "center")
        left, y = geometry.rowcol_center(index, 0)
        right, _ = geometry.rowcol_center(index, size - 1)
        label = row_label(index, size)
        draw_text(surface, label, height, colors.COORDINATE_TEXT, (round(left - reach), y), "center")
        draw_text(surface, label, height, colors.COORDINATE_TEXT, (round(right + reach), y), "center")


def _draw_stones(surface: pygame.Surface, geometry: BoardGeometry, stones: np.ndarray) -> None:
    size, radius = geometry.size, geometry.stone_radius
    for row in range(size):
        for col in range(size):
            color = int(stones[row, col])
            if color != EMPTY:
                draw_stone(surface, color, geometry.rowcol_center(row, col), radius)


def _draw_last_move(surface: pygame.Surface, geometry: BoardGeometry, scene: BoardScene) -> None:
    move = scene.last_move
    if move is None or move >= pass_move(geometry.size):
        return
    row, col = flat_to_rowcol(move, geometry.size)
    color = int(scene.stones[row, col])
    if color == EMPTY:
        return  # the stone was captured since (or the move was undone)
    mark = colors.LAST_MOVE_ON_BLACK if color == BLACK else colors.LAST_MOVE_ON_WHITE
    radius = geometry.stone_radius
    pygame.draw.circle(surface, mark, geometry.point_center(move), max(2, radius * 0.38), max(1, radius // 7))


def _translucent(geometry: BoardGeometry) -> pygame.Surface:
    """A transparent layer the size of the wood, for marks that must let the board show through."""
    return pygame.Surface((geometry.wood.width, geometry.wood.height), pygame.SRCALPHA)


def _local(geometry: BoardGeometry, move: int) -> tuple[int, int]:
    x, y = geometry.point_center(move)
    return x - geometry.wood.x, y - geometry.wood.y


def _draw_territory(
    surface: pygame.Surface, geometry: BoardGeometry, territory: np.ndarray, stones: np.ndarray
) -> None:
    """Small squares on the empty points that count for black or white (Tromp-Taylor area)."""
    side = max(3, round(geometry.spacing * 0.36))
    flat_stones = stones.ravel()
    for move, owner in enumerate(territory):
        if owner == EMPTY or flat_stones[move] != EMPTY:
            continue
        x, y = geometry.point_center(move)
        fill = colors.OWNERSHIP_BLACK if owner == BLACK else colors.OWNERSHIP_WHITE
        pygame.draw.rect(surface, fill, (x - side // 2, y - side // 2, side, side))
        pygame.draw.rect(surface, colors.GRID_LINE, (x - side // 2, y - side // 2, side, side), 1)


def _draw_heat(surface: pygame.Surface, geometry: BoardGeometry, heat: np.ndarray, stones: np.ndarray) -> None:
    """Discs on the empty points the search visited, bigger and redder with more visits; shares on the top few."""
    points = pass_move(geometry.size)  # the heat of the pass is not drawn
    shares = np.asarray(heat[:points], dtype=np.float64)
    top = shares.max(initial=0.0)
    if top <= 0:
        return
    layer = _translucent(geometry)
    flat_stones = stones.ravel()
    labelled = [int(m) for m in np.argsort(-shares)[:HEAT_LABELS] if shares[m] >= MIN_HEAT_SHARE]
    radius = geometry.stone_radius
    for move in np.flatnonzero(shares >= MIN_HEAT_SHARE):
        if flat_stones[move] != EMPTY:
            continue
        strength = float(shares[move] / top)
        fill = tuple(round(lo + (hi - lo) * strength) for lo, hi in zip(colors.HEAT_LOW, colors.HEAT_HIGH, strict=True))
        pygame.draw.circle(
            layer,
            (*fill, round(90 + 130 * strength)),
            _local(geometry, int(move)),
            radius * (0.35 + 0.6 * strength**0.5),
        )
    surface.blit(layer, (geometry.wood.x, geometry.wood.y))
    for move in labelled:
        if flat_stones[move] == EMPTY:
            label = f"{100 * shares[move]:.0f}"
            draw_text(surface, label, radius * 0.9, colors.HEAT_TEXT, geometry.point_center(move), "center")


def _draw_ownership(surface: pygame.Surface, geometry: BoardGeometry, ownership: np.ndarray) -> None:
    """Squares on every point, black or white by owner, as large and opaque as the estimate is sure."""
    layer = _translucent(geometry)
    full = geometry.spacing * 0.5
    for move, value in enumerate(np.asarray(ownership, dtype=np.float64)):
        certainty = min(1.0, abs(value))
        if certainty < 0.1:
            continue  # contested points stay clear
        side = max(2, round(full * certainty**0.5))
        fill = colors.OWNERSHIP_BLACK if value > 0 else colors.OWNERSHIP_WHITE
        x, y = _local(geometry, move)
        pygame.draw.rect(layer, (*fill, round(110 + 120 * certainty)), (x - side // 2, y - side // 2, side, side))
    surface.blit(layer, (geometry.wood.x, geometry.wood.y))
