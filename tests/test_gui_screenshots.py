"""Screenshots of the window (saved with pygame.image.save, read back) show what the game holds:
stones of the right colour at the intersections the layout computes, on every board size and in
wide and tall windows; the last-move mark, the visit heat map and the territory at the end."""

from __future__ import annotations

import pygame
import pytest
from test_gui_support import (  # noqa: F401 (the *_fixture names are fixtures)
    Bots,
    click,
    headless_fixture,
    open_window_fixture,
    press,
    screenshot,
    settle,
)

from engine.game import BLACK, EMPTY, WHITE
from gui.app_view import board_scene
from gui.settings import GameSettings


def is_black_stone(pixel) -> bool:
    return max(pixel[:3]) < 90


def is_white_stone(pixel) -> bool:
    return min(pixel[:3]) > 150


def is_wood(pixel) -> bool:
    red, _, blue = pixel[:3]
    return red > 150 and red - blue > 40


def on_stone(app, move: int) -> tuple[int, int]:
    """A pixel of the stone at ``move``, off its centre so that the last-move mark is not sampled."""
    x, y = app.layout().board.point_center(move)
    offset = round(app.layout().board.stone_radius * 0.45)
    return x + offset, y + offset


def between_lines(app, move: int) -> tuple[int, int]:
    """A pixel of wood near ``move`` but clear of the grid lines and star points."""
    x, y = app.layout().board.point_center(move)
    offset = round(app.layout().board.spacing / 4)
    return x + offset, y + offset


@pytest.mark.parametrize("size", [5, 7, 9, 13, 19])
@pytest.mark.parametrize("window", [(1000, 720), (620, 900)])
def test_stones_are_drawn_at_their_intersections_in_their_colour(open_window, tmp_path, size, window):
    app = open_window(Bots(replies=["D4", "B2"]), GameSettings(size), size=window)
    for vertex in ("C3", "B4"):
        click(app, vertex)
        settle(app)
    image = screenshot(app, tmp_path / "board.png")
    stones = app.game.board().ravel()
    assert (stones == BLACK).sum() == 2 and (stones == WHITE).sum() == 2
    for move, color in enumerate(stones):
        if color == BLACK:
            assert is_black_stone(image.get_at(on_stone(app, move))), move
        elif color == WHITE:
            assert is_white_stone(image.get_at(on_stone(app, move))), move
        else:
            assert is_wood(image.get_at(between_lines(app, move))), move


def test_the_last_move_is_marked(open_window, tmp_path):
    app = open_window(Bots(replies=["C3"]), GameSettings(9))
    click(app, "E5")
    settle(app)
    image = screenshot(app, tmp_path / "board.png")
    x, y = app.layout().board.point_center(app.game.last_move)
    radius = app.layout().board.stone_radius
    ring = [image.get_at((x + dx, y)) for dx in range(round(radius * 0.2), round(radius * 0.5))]
    assert any(is_black_stone(pixel) for pixel in ring)  # a dark ring on the white stone
    assert is_white_stone(image.get_at(on_stone(app, app.game.last_move)))


def test_the_visit_heat_map_colours_the_searched_points(open_window, tmp_path):
    app = open_window(Bots(replies=["C3"]), GameSettings(9))
    click(app, "E5")
    settle(app)
    plain = screenshot(app, tmp_path / "plain.png")
    press(app, pygame.K_v)
    heat = screenshot(app, tmp_path / "heat.png")
    searched = [move for move, share in enumerate(board_scene(app, app.layout()).heat[:81]) if share > 0]
    empty = [move for move in searched if app.game.board().ravel()[move] == EMPTY]
    assert empty
    for move in empty:
        point = app.layout().board.point_center(move)
        assert plain.get_at(point) != heat.get_at(point)


def test_the_end_of_the_game_shows_the_territory(open_window, tmp_path):
    app = open_window(Bots(replies=[]), GameSettings(5, komi=0.5))  # the bot only passes
    click(app, "C3")
    settle(app)
    press(app, pygame.K_p)
    settle(app)
    assert app.game.is_over() and app.game.result() == "B+24.5"
    image = screenshot(app, tmp_path / "end.png")
    for move, color in enumerate(app.game.board().ravel()):
        if color == EMPTY:  # all of it black's area: a dark square on each empty point
            assert is_black_stone(image.get_at(app.layout().board.point_center(move))), move
