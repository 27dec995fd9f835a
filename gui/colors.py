"""The window's palette: RGB(A) tuples, named for what they paint."""

from __future__ import annotations

WOOD = (219, 178, 105)  # kaya-like yellow-brown
WOOD_GRAIN = (201, 158, 86)
WOOD_EDGE = (150, 110, 55)
GRID_LINE = (45, 32, 18)
COORDINATE_TEXT = (70, 50, 28)

BLACK_STONE = (22, 22, 24)
BLACK_STONE_HIGHLIGHT = (95, 95, 100)
WHITE_STONE = (214, 214, 208)
WHITE_STONE_HIGHLIGHT = (255, 255, 255)
STONE_SHADOW = (0, 0, 0, 70)
GHOST_ALPHA = 110  # the stone under the mouse: visible, clearly not played

LAST_MOVE_ON_BLACK = (235, 235, 235)
LAST_MOVE_ON_WHITE = (30, 30, 30)
HINT_RING = (20, 170, 70)
HEAT_LOW = (60, 120, 255)  # few visits...
HEAT_HIGH = (255, 60, 40)  # ...many visits
HEAT_TEXT = (255, 255, 255)
OWNERSHIP_BLACK = (10, 10, 10)
OWNERSHIP_WHITE = (250, 250, 250)

BACKGROUND = (48, 52, 58)
PANEL = (62, 67, 75)
PANEL_TEXT = (235, 235, 235)
PANEL_DIM_TEXT = (170, 175, 185)
MESSAGE_TEXT = (255, 210, 120)
BUTTON = (92, 100, 112)
BUTTON_HOVER = (116, 126, 140)
BUTTON_ON = (70, 130, 90)  # a toggle that is on
BUTTON_DISABLED = (75, 80, 88)
BUTTON_TEXT = (245, 245, 245)
BUTTON_DISABLED_TEXT = (140, 145, 150)
BAR_BLACK = (20, 20, 20)
BAR_WHITE = (235, 235, 230)
BAR_FRAME = (20, 20, 20)
DIALOG = (70, 76, 86)
DIALOG_FRAME = (180, 185, 195)
FIELD = (250, 250, 245)
FIELD_TEXT = (20, 20, 20)
SHADE = (0, 0, 0, 120)  # darkens the window behind a dialog
GRAPH_BACKGROUND = (40, 44, 50)
GRAPH_GRID = (90, 96, 106)
GRAPH_WIN_RATE = (90, 205, 120)  # black's win-rate, green as in Lizzie and KaTrain
GRAPH_LEAD = (95, 160, 255)  # black's score lead
GRAPH_MARKER = (255, 210, 120)  # the position on the board
