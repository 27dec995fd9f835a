"""Where everything goes in the window, computed from its size alone: pure geometry, no pygame.

Pixels: ``x`` to the right, ``y`` down, from the window's top-left corner. The
board is a square of wood whose grid has ``size`` lines each way, ``spacing``
pixels apart, with a margin of one ``spacing`` around the grid for the
coordinates. Points are flat moves (``engine.coords``: row 0 is the top line).
The side panel sits right of the board in a wide window and below it in a tall
one; dialogs are boxes centred on the window.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.coords import flat_to_rowcol, rowcol_to_flat

GAP = 12  # pixels between the window's edge, the board and the panel
MIN_SPACING = 4.0  # below this a point is not clickable anyway; keeps the maths sane in a tiny window
STONE_FILL = 0.48  # stone radius over spacing: neighbours almost touch, as on a real board
PANEL_SHARE = 0.32  # the panel's share of the window's width...
PANEL_WIDTH_RANGE = (230, 360)  # ...within these bounds, so its text, graph and buttons always fit
TALL_PANEL_SHARE = 0.36  # the same below the board in a tall window, where the buttons take fewer rows
PANEL_HEIGHT_RANGE = (300, 400)


@dataclass(frozen=True)
class Rect:
    """An axis-aligned box in pixels (``x``, ``y`` of the top-left corner)."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def center(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2

    def contains(self, x: float, y: float) -> bool:
        return self.x <= x < self.right and self.y <= y < self.bottom

    def as_tuple(self) -> tuple[int, int, int, int]:
        return self.x, self.y, self.width, self.height


@dataclass(frozen=True)
class BoardGeometry:
    """The board of a ``size`` x ``size`` game: wood square, grid, and point <-> pixel."""

    size: int
    wood: Rect
    spacing: float  # pixels between neighbouring lines
    origin: tuple[float, float]  # pixel of the top-left point (row 0, column 0)

    @property
    def stone_radius(self) -> int:
        return max(2, int(self.spacing * STONE_FILL))

    @property
    def grid_extent(self) -> float:
        """Pixels from the first line to the last."""
        return (self.size - 1) * self.spacing

    def rowcol_center(self, row: int, col: int) -> tuple[int, int]:
        return round(self.origin[0] + col * self.spacing), round(self.origin[1] + row * self.spacing)

    def point_center(self, move: int) -> tuple[int, int]:
        """Pixel of the intersection of flat ``move`` (not the pass)."""
        return self.rowcol_center(*flat_to_rowcol(move, self.size))

    def move_at(self, x: float, y: float) -> int | None:
        """The flat move whose intersection is nearest to pixel ``(x, y)``, None off the grid.

        A click counts within half a spacing of a point, so every pixel of a cell
        belongs to exactly one point and clicks just outside the outer lines still land.
        """
        col = round((x - self.origin[0]) / self.spacing)
        row = round((y - self.origin[1]) / self.spacing)
        if not (0 <= row < self.size and 0 <= col < self.size):
            return None
        return rowcol_to_flat(row, col, self.size)


@dataclass(frozen=True)
class WindowLayout:
    """The board and the panel of a window of ``width`` x ``height`` pixels."""

    width: int
    height: int
    board: BoardGeometry
    panel: Rect

    @property
    def panel_is_beside(self) -> bool:
        return self.panel.x >= self.board.wood.right


def board_geometry(area: Rect, size: int) -> BoardGeometry:
    """The largest board of ``size`` lines that fits ``area``, centred in it."""
    side = max(1, min(area.width, area.height))
    # The grid spans size - 1 spacings and the margins one spacing each: size + 1 in all.
    spacing = max(MIN_SPACING, side / (size + 1))
    side = round(spacing * (size + 1))
    x = area.x + (area.width - side) // 2
    y = area.y + (area.height - side) // 2
    return BoardGeometry(size, Rect(x, y, side, side), spacing, (x + spacing, y + spacing))


def window_layout(width: int, height: int, size: int) -> WindowLayout:
    """Board and panel for a window of ``width`` x ``height`` (a wide window: panel right; tall: below)."""
    width, height = max(width, 2 * GAP + 2), max(height, 2 * GAP + 2)
    if width >= height:
        panel_width = _clamp(int(width * PANEL_SHARE), *PANEL_WIDTH_RANGE)
        panel_width = min(panel_width, width - 2 * GAP - 1)
        board_area = Rect(GAP, GAP, max(1, width - panel_width - 3 * GAP), height - 2 * GAP)
        panel = Rect(board_area.right + GAP, GAP, panel_width, height - 2 * GAP)
    else:
        panel_height = _clamp(int(height * TALL_PANEL_SHARE), *PANEL_HEIGHT_RANGE)
        panel_height = min(panel_height, height - 2 * GAP - 1)
        board_area = Rect(GAP, GAP, width - 2 * GAP, max(1, height - panel_height - 3 * GAP))
        panel = Rect(GAP, board_area.bottom + GAP, width - 2 * GAP, panel_height)
    return WindowLayout(width, height, board_geometry(board_area, size), panel)


def grid_cells(area: Rect, count: int, columns: int, cell_height: int, gap: int = 6) -> list[Rect]:
    """``count`` boxes in rows of ``columns``, filling ``area``'s width from its top down."""
    cell_width = max(1, (area.width - (columns - 1) * gap) // columns)
    cells = []
    for index in range(count):
        row, col = divmod(index, columns)
        cells.append(
            Rect(area.x + col * (cell_width + gap), area.y + row * (cell_height + gap), cell_width, cell_height)
        )
    return cells


def rows_height(count: int, columns: int, cell_height: int, gap: int = 6) -> int:
    """Height of ``grid_cells``' boxes for ``count`` cells."""
    rows = -(-count // columns)
    return rows * cell_height + max(0, rows - 1) * gap


def centered_box(width: int, height: int, box_width: int, box_height: int) -> Rect:
    """A box of at most ``box_width`` x ``box_height``, shrunk to fit and centred in the window."""
    box_width, box_height = min(box_width, width - 2 * GAP), min(box_height, height - 2 * GAP)
    return Rect((width - box_width) // 2, (height - box_height) // 2, max(1, box_width), max(1, box_height))


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


PANEL_PADDING = 12
BUTTON_HEIGHT = 30
WIDE_PANEL = 420  # from this width the panel's buttons go three to a row


def panel_buttons(panel: Rect, count: int) -> list[Rect]:
    """``count`` button boxes along the bottom of the panel, two or three to a row."""
    columns = 3 if panel.width >= WIDE_PANEL else 2
    height = rows_height(count, columns, BUTTON_HEIGHT)
    area = Rect(panel.x + PANEL_PADDING, panel.bottom - PANEL_PADDING - height, panel.width - 2 * PANEL_PADDING, height)
    return grid_cells(area, count, columns, BUTTON_HEIGHT)


GRAPH_SHARE = 0.35  # the graph's share of the panel's height between its top and the buttons...
GRAPH_HEIGHT_RANGE = (50, 140)  # ...within these bounds
GRAPH_MIN_SPAN = 20  # moves the graph spans at least, so that a game's first moves are not stretched wide


def panel_graph(panel: Rect, buttons: list[Rect]) -> Rect:
    """The evaluation graph's box: the panel's width, just above its buttons."""
    top = min((button.y for button in buttons), default=panel.bottom - PANEL_PADDING) - PANEL_PADDING
    free = max(0, top - panel.y - PANEL_PADDING)
    height = min(_clamp(int(free * GRAPH_SHARE), *GRAPH_HEIGHT_RANGE), free // 2)
    return Rect(panel.x + PANEL_PADDING, top - height, panel.width - 2 * PANEL_PADDING, max(1, height))


@dataclass(frozen=True)
class GraphGeometry:
    """The graph of a game of ``moves_played`` moves: position number <-> x, a share of the height <-> y.

    Position ``n`` is the one after move ``n`` (0: the start); the x axis spans at least
    ``GRAPH_MIN_SPAN`` moves and the y axis goes from 0 at the bottom to 1 at the top.
    """

    box: Rect
    moves_played: int

    @property
    def span(self) -> int:
        return max(self.moves_played, GRAPH_MIN_SPAN)

    def x_of(self, position: int) -> float:
        return self.box.x + position / self.span * (self.box.width - 1)

    def y_of(self, share: float) -> float:
        return self.box.bottom - 1 - min(1.0, max(0.0, share)) * (self.box.height - 1)

    def position_at(self, x: float, y: float) -> int | None:
        """The played position nearest to pixel column ``x`` (a click past the last move is the last);
        None outside the box."""
        if not self.box.contains(x, y):
            return None
        position = round((x - self.box.x) / max(1, self.box.width - 1) * self.span)
        return min(self.moves_played, max(0, position))
