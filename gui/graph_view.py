"""Draws the evaluation graph: black's win-rate, and score lead when known, over the moves played.

As KaTrain and Lizzie draw it: the 50% line across the middle, black's win-rate
above it when black is ahead, the score lead on the same middle line (its scale,
``±N`` points, written in the corner), and a marker on the position the board shows.
``GraphScene`` is the content as plain data; ``gui.layout.GraphGeometry`` places it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pygame

from gui import colors
from gui.evaluations import EvaluationHistory
from gui.fonts import draw_text
from gui.layout import GraphGeometry

LEAD_SCALE_STEP = 5.0  # the lead axis spans ±(the largest lead, rounded up to this), at least ±this
LABEL_HEIGHT = 13
LINE_WIDTH = 2
DOT_RADIUS = 2


@dataclass
class GraphScene:
    """The graph's content: points are (position number, value), in the order of the game."""

    moves_played: int
    win_rates: list[tuple[int, float]] = field(default_factory=list)  # black's, in [0, 1]
    leads: list[tuple[int, float]] = field(default_factory=list)  # black's, in points; empty without a score head
    shown: int | None = None  # the position on the board while reviewing; None: the game's latest

    @property
    def marker(self) -> int:
        return self.moves_played if self.shown is None else self.shown


def graph_scene(history: EvaluationHistory, moves_played: int, shown: int | None = None) -> GraphScene:
    """The scene of ``history`` for a game of ``moves_played`` moves."""
    points = history.points()
    return GraphScene(
        moves_played,
        [(position, evaluation.black_win_rate) for position, evaluation in points],
        [(position, evaluation.black_lead) for position, evaluation in points if evaluation.black_lead is not None],
        shown,
    )


def lead_scale(leads: list[tuple[int, float]]) -> float:
    """Points from the middle line to the top of the graph: the largest lead, rounded up."""
    largest = max((abs(lead) for _, lead in leads), default=0.0)
    return max(LEAD_SCALE_STEP, math.ceil(largest / LEAD_SCALE_STEP) * LEAD_SCALE_STEP)


def draw_graph(surface: pygame.Surface, geometry: GraphGeometry, scene: GraphScene) -> None:
    box = geometry.box
    pygame.draw.rect(surface, colors.GRAPH_BACKGROUND, box.as_tuple())
    middle = round(geometry.y_of(0.5))
    pygame.draw.line(surface, colors.GRAPH_GRID, (box.x, middle), (box.right - 1, middle), 1)
    if scene.leads:
        scale = lead_scale(scene.leads)
        _draw_series(surface, geometry, [(p, 0.5 + lead / (2 * scale)) for p, lead in scene.leads], colors.GRAPH_LEAD)
        draw_text(surface, f"score ±{scale:g}", LABEL_HEIGHT, colors.GRAPH_LEAD, (box.right - 3, box.y + 2), "topright")
    _draw_series(surface, geometry, scene.win_rates, colors.GRAPH_WIN_RATE)
    draw_text(surface, "black win-rate", LABEL_HEIGHT, colors.GRAPH_WIN_RATE, (box.x + 3, box.y + 2))
    x = round(geometry.x_of(scene.marker))
    pygame.draw.line(surface, colors.GRAPH_MARKER, (x, box.y), (x, box.bottom - 1), 1)
    pygame.draw.rect(surface, colors.GRAPH_GRID, box.as_tuple(), width=1)


def _draw_series(surface: pygame.Surface, geometry: GraphGeometry, points: list[tuple[int, float]], color) -> None:
    """A line through the points (shares of the height), with a dot on each: a lone point still shows."""
    pixels = [(round(geometry.x_of(position)), round(geometry.y_of(share))) for position, share in points]
    if len(pixels) >= 2:
        pygame.draw.lines(surface, color, False, pixels, LINE_WIDTH)
    for pixel in pixels:
        pygame.draw.circle(surface, color, pixel, DOT_RADIUS)
