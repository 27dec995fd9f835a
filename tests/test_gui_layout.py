"""The window's geometry (gui.layout): pure arithmetic, no window needed."""

from __future__ import annotations

import pytest

from engine.coords import gtp_to_flat
from gui.layout import Rect, board_geometry, centered_box, panel_buttons, window_layout

WINDOWS = [(1000, 720), (640, 480), (600, 900), (1920, 1080), (400, 400), (300, 700)]


@pytest.mark.parametrize("size", range(5, 20))
@pytest.mark.parametrize("width, height", WINDOWS)
def test_every_point_maps_to_its_pixel_and_back(size, width, height):
    board = window_layout(width, height, size).board
    for move in range(size * size):
        x, y = board.point_center(move)
        assert board.move_at(x, y) == move
        # A click anywhere within a third of a spacing still lands on the point.
        nudge = board.spacing / 3
        assert board.move_at(x + nudge, y - nudge) == move
        assert board.wood.contains(x, y)


@pytest.mark.parametrize("size", [5, 9, 13, 19])
def test_clicks_off_the_grid_are_no_move(size):
    board = window_layout(1000, 720, size).board
    left, top = board.origin
    assert board.move_at(left - board.spacing, top) is None
    assert board.move_at(left, top + board.grid_extent + board.spacing) is None
    assert board.move_at(-5, -5) is None


def test_row_zero_is_the_top_line_and_gtp_a1_the_bottom_left():
    board = window_layout(1000, 720, 9).board
    a9_x, a9_y = board.point_center(gtp_to_flat("A9", 9))
    a1_x, a1_y = board.point_center(gtp_to_flat("A1", 9))
    j1_x, j1_y = board.point_center(gtp_to_flat("J1", 9))
    assert a9_x == a1_x and a9_y < a1_y
    assert a1_y == j1_y and a1_x < j1_x


def test_a_wide_window_has_the_panel_beside_and_a_tall_one_below():
    wide = window_layout(1000, 720, 9)
    assert wide.panel_is_beside and wide.panel.x >= wide.board.wood.right
    tall = window_layout(600, 900, 9)
    assert not tall.panel_is_beside and tall.panel.y >= tall.board.wood.bottom


@pytest.mark.parametrize("width, height", WINDOWS)
def test_board_and_panel_stay_inside_the_window_without_overlapping(width, height):
    layout = window_layout(width, height, 19)
    wood, panel = layout.board.wood, layout.panel
    for box in (wood, panel):
        assert 0 <= box.x and box.right <= width and 0 <= box.y and box.bottom <= height
    assert wood.right <= panel.x or wood.bottom <= panel.y


def test_the_board_grows_with_the_window():
    small = window_layout(640, 480, 9).board
    large = window_layout(1600, 1200, 9).board
    assert large.spacing > 2 * small.spacing
    assert large.stone_radius > small.stone_radius


@pytest.mark.parametrize("width, height", WINDOWS)
def test_panel_buttons_fit_the_panel_and_do_not_overlap(width, height):
    panel = window_layout(width, height, 9).panel
    boxes = panel_buttons(panel, 9)
    for box in boxes:
        assert panel.x <= box.x and box.right <= panel.right and panel.y <= box.y and box.bottom <= panel.bottom
    for index, first in enumerate(boxes):
        for second in boxes[index + 1 :]:
            apart = first.right <= second.x or second.right <= first.x
            assert apart or first.bottom <= second.y or second.bottom <= first.y


def test_a_tiny_window_still_lays_out():
    layout = window_layout(10, 10, 19)
    assert layout.board.spacing > 0
    assert layout.board.move_at(*layout.board.point_center(0)) == 0


def test_the_board_is_centred_in_its_area():
    board = board_geometry(Rect(0, 0, 500, 300), 9)
    assert board.wood.height <= 300 and board.wood.width == board.wood.height
    assert abs((board.wood.x + board.wood.right) / 2 - 250) <= 1


def test_dialog_boxes_are_centred_and_shrink_to_fit():
    box = centered_box(1000, 700, 400, 300)
    assert box.center == (500, 350)
    assert centered_box(300, 200, 400, 300).width < 300
