"""Draws the side panel: who plays whom, whose turn, the win-rate bar, captures, messages,
the evaluation graph and the buttons.

``PanelScene`` is the panel's content as plain data; ``draw_panel`` lays the text
out from the top of the panel, and the graph and the buttons (already placed by the
layout) along its bottom. Text that does not fit is wrapped, then cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from gui import colors
from gui.fonts import draw_text, fit_text, font
from gui.graph_view import GraphScene, draw_graph
from gui.layout import PANEL_PADDING, GraphGeometry, Rect
from gui.widgets import Button

TITLE_HEIGHT = 30
TEXT_HEIGHT = 20
BAR_HEIGHT = 14
MESSAGE_LINES = 3


@dataclass
class PanelScene:
    """The panel's content, in the order drawn; ``black_win_rate`` None hides the bar."""

    title: str
    status: str  # whose turn, or the result
    message: str  # what just happened, or why a click was refused
    win_rate_label: str
    black_win_rate: float | None
    lines: list[tuple[str, tuple[int, int, int]]]  # (text, colour): the rest, most useful first
    buttons: list[Button] = field(default_factory=list)
    hovered: str | None = None  # the action of the button under the mouse
    graph: GraphScene | None = None  # the evaluation graph, drawn in ``graph_geometry``'s box
    graph_geometry: GraphGeometry | None = None


def wrap_text(text: str, height: float, width: int) -> list[str]:
    """``text`` broken into lines at spaces so that each fits ``width`` pixels (long words are cut)."""
    face, lines, line = font(height), [], ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if face.size(candidate)[0] <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return [fit_text(line, height, width) for line in lines]


def draw_panel(surface: pygame.Surface, panel: Rect, scene: PanelScene) -> None:
    pygame.draw.rect(surface, colors.PANEL, panel.as_tuple(), border_radius=8)
    width = panel.width - 2 * PANEL_PADDING
    x = panel.x + PANEL_PADDING
    limit = min((button.rect.y for button in scene.buttons), default=panel.bottom) - 6
    if scene.graph is not None and scene.graph_geometry is not None:
        limit = scene.graph_geometry.box.y - 6
    y = panel.y + PANEL_PADDING
    y = (
        draw_text(surface, fit_text(scene.title, TITLE_HEIGHT, width), TITLE_HEIGHT, colors.PANEL_TEXT, (x, y)).bottom
        + 6
    )

    def line(text: str, color, height: float = TEXT_HEIGHT) -> None:
        nonlocal y
        for part in wrap_text(text, height, width):
            if y + height > limit:
                return  # no room left above the buttons
            y = draw_text(surface, part, height, color, (x, y)).bottom + 3

    line(scene.status, colors.PANEL_TEXT)
    for part in wrap_text(scene.message, TEXT_HEIGHT, width)[:MESSAGE_LINES]:
        line(part, colors.MESSAGE_TEXT)
    if y + TEXT_HEIGHT + BAR_HEIGHT < limit:
        y += 4
        line(scene.win_rate_label, colors.PANEL_TEXT)
        if scene.black_win_rate is not None:
            _draw_bar(surface, Rect(x, y, width, BAR_HEIGHT), scene.black_win_rate)
            y += BAR_HEIGHT + 8
    for text, color in scene.lines:
        line(text, color)
    if scene.graph is not None and scene.graph_geometry is not None:
        draw_graph(surface, scene.graph_geometry, scene.graph)
    for button in scene.buttons:
        button.draw(surface, hovered=button.action == scene.hovered)


def _draw_bar(surface: pygame.Surface, box: Rect, black_share: float) -> None:
    """Black's chance from the left in black, white's from the right in white."""
    black_width = round(box.width * min(1.0, max(0.0, black_share)))
    pygame.draw.rect(surface, colors.BAR_WHITE, box.as_tuple())
    pygame.draw.rect(surface, colors.BAR_BLACK, (box.x, box.y, black_width, box.height))
    pygame.draw.rect(surface, colors.BAR_FRAME, box.as_tuple(), width=1)
    middle = box.x + box.width // 2
    pygame.draw.line(surface, colors.BUTTON_ON, (middle, box.y - 2), (middle, box.bottom + 1), 1)
