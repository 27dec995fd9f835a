"""The evaluation graph and reviewing earlier moves: the history of evaluations (plain data), the
graph's geometry, and the window driven headless through its event loop (a scripted bot whose
searches report a win-rate and, like a network with a score head, a score)."""

from __future__ import annotations

import threading

import numpy as np
import pygame
import pytest
from test_gui_support import (  # noqa: F401 (the *_fixture names are fixtures)
    Bots,
    click,
    click_at,
    click_button,
    headless_fixture,
    open_window_fixture,
    press,
    screenshot,
    settle,
)

from engine.coords import gtp_to_flat
from engine.game import BLACK, EMPTY, WHITE
from gui import colors
from gui.app_view import board_scene, panel_scene, status_line
from gui.evaluations import Evaluation, EvaluationHistory, evaluation_of
from gui.game_text import lead_text
from gui.graph_view import graph_scene, lead_scale
from gui.layout import GRAPH_MIN_SPAN, GraphGeometry, Rect, panel_buttons, panel_graph, window_layout
from mcts.search import SearchResult

WINDOWS = [(1000, 720), (640, 480), (600, 900), (1920, 1080), (300, 700)]


def search(value: float, score: float | None) -> SearchResult:
    visits = np.ones(26, np.int32)
    return SearchResult(visits, visits / visits.sum(), value, int(visits.sum()), [0], score)


# --- plain data ------------------------------------------------------------------------


def test_evaluations_are_turned_to_black_s_view_and_forget_undone_positions():
    assert evaluation_of(search(0.5, 3.0), BLACK) == Evaluation(0.75, 3.0)
    assert evaluation_of(search(0.5, 3.0), WHITE) == Evaluation(0.25, -3.0)
    assert evaluation_of(search(-0.2, None), WHITE) == Evaluation(0.6, None)
    history = EvaluationHistory()
    for position, rate in [(3, 0.4), (1, 0.5), (5, 0.7)]:
        history.record(position, Evaluation(rate, None))
    assert [position for position, _ in history.points()] == [1, 3, 5] and not history.has_leads()
    history.record(3, Evaluation(0.45, -1.5))  # a later search of the same position replaces the first
    assert history.at(3) == Evaluation(0.45, -1.5) and history.has_leads() and len(history) == 3
    history.keep_up_to(3)
    assert [position for position, _ in history.points()] == [1, 3] and history.at(5) is None
    scene = graph_scene(history, moves_played=4, shown=1)
    assert scene.win_rates == [(1, 0.5), (3, 0.45)] and scene.leads == [(3, -1.5)] and scene.marker == 1
    assert graph_scene(history, 4).marker == 4


def test_leads_are_written_as_results_and_scaled_to_the_largest():
    assert [lead_text(x) for x in (3.46, -0.5, 0.04, -12.0)] == ["B+3.5", "W+0.5", "even", "W+12.0"]
    assert lead_scale([]) == 5.0 and lead_scale([(1, 2.0), (2, -4.9)]) == 5.0
    assert lead_scale([(1, 7.5), (2, -12.0)]) == 15.0


@pytest.mark.parametrize("moves", [0, 1, 7, GRAPH_MIN_SPAN, 61, 250])
def test_every_played_position_has_its_column_on_the_graph_and_clicks_past_the_end_are_the_last(moves):
    geometry = GraphGeometry(Rect(700, 400, 276, 120), moves)
    for position in range(moves + 1):
        assert geometry.position_at(geometry.x_of(position), 450) == position
    assert geometry.position_at(geometry.box.right - 1, 450) == moves
    assert geometry.position_at(geometry.box.x - 1, 450) is None
    assert geometry.position_at(geometry.box.x + 5, geometry.box.bottom) is None
    assert geometry.y_of(1.0) == geometry.box.y and geometry.y_of(0.0) == geometry.box.bottom - 1


@pytest.mark.parametrize("width, height", WINDOWS)
def test_the_graph_sits_in_the_panel_above_the_buttons(width, height):
    panel = window_layout(width, height, 9).panel
    buttons = panel_buttons(panel, 9)
    box = panel_graph(panel, buttons)
    assert panel.x <= box.x and box.right <= panel.right and panel.y < box.y
    assert box.bottom <= min(button.y for button in buttons) and box.height >= 1


# --- the window ------------------------------------------------------------------------


def play(app, *vertices: str) -> None:
    for vertex in vertices:
        click(app, vertex)
        settle(app)


def graph_click(app, position: int) -> None:
    geometry = app.graph_geometry()
    click_at(app, (round(geometry.x_of(position)), geometry.box.center[1]))


def test_the_bot_s_score_shows_beside_its_win_rate_only_with_a_score_head(open_window):
    scored = open_window(Bots(replies=["C7", "G3"], score=2.5))  # white leads by 2.5 in its own view
    play(scored, "E5")
    assert panel_scene(scored, scored.buttons()).win_rate_label == "Dosaku: W+2.5, win-rate 65%"
    assert scored.evaluations.at(1) == Evaluation(0.35, -2.5)  # the position it searched, black's view

    plain = open_window(Bots(replies=["C7"]))
    play(plain, "E5")
    assert panel_scene(plain, plain.buttons()).win_rate_label == "Dosaku's win-rate: 65%"
    scene = panel_scene(plain, plain.buttons()).graph
    assert scene.win_rates == [(1, 0.35)] and scene.leads == []  # no head: no lead invented


def test_the_graph_gets_a_point_per_search_and_loses_undone_ones(open_window):
    app = open_window(Bots(replies=["C7", "G3", "G7"], score=1.0))
    play(app, "E5", "D4")
    click_button(app, "hint")  # a search for the person: a point for the person's position too
    settle(app)
    scene = panel_scene(app, app.buttons()).graph
    assert [position for position, _ in scene.win_rates] == [1, 3, 4] and scene.moves_played == 4
    assert scene.leads == [(1, -1.0), (3, -1.0), (4, 1.0)]  # the hint's search: black to move, black's view
    press(app, pygame.K_u)  # takes back D4 and G3: positions 3 and 4 are gone from the game
    assert [position for position, _ in panel_scene(app, app.buttons()).graph.win_rates] == [1]
    press(app, pygame.K_n)
    press(app, pygame.K_RETURN)
    assert len(app.evaluations) == 0 and panel_scene(app, app.buttons()).graph.moves_played == 0


def test_clicking_the_graph_shows_that_move_and_playing_waits_until_the_game_is_back(open_window):
    app = open_window(Bots(replies=["C7", "G3", "G7"], score=1.0))
    play(app, "E5", "D4", "F4")
    live_board = app.game.board()
    graph_click(app, 2)
    assert app.reviewed == 2 and app.shown_position() == 2
    scene = board_scene(app, app.layout())
    expected = np.zeros(81, np.int8)
    expected[gtp_to_flat("E5", 9)], expected[gtp_to_flat("C7", 9)] = BLACK, WHITE
    assert (np.asarray(scene.stones).ravel() == expected).all()
    assert scene.last_move == gtp_to_flat("C7", 9) and scene.ghost is None and scene.heat is None
    assert status_line(app).startswith("Reviewing move 2 of 6")
    assert panel_scene(app, app.buttons()).win_rate_label == "Move 2: not searched by Dosaku"
    assert panel_scene(app, app.buttons()).graph.marker == 2

    before = list(app.game.moves)
    click(app, "A1")  # the board plays nothing in review, and says how to return
    press(app, pygame.K_p)  # nor do the game's keys
    assert app.game.moves == before and (app.game.board() == live_board).all()
    assert "End or Esc" in app.message and app.waiting == {}
    enabled = {button.action: button.enabled for button in app.buttons()}
    assert not any(enabled[action] for action in ("pass", "undo", "resign", "hint"))

    press(app, pygame.K_LEFT)
    assert app.reviewed == 1
    assert panel_scene(app, app.buttons()).win_rate_label == "Move 1: black's win-rate 35%, W+1.0"
    press(app, pygame.K_HOME)
    assert app.reviewed == 0 and (np.asarray(board_scene(app, app.layout()).stones) == EMPTY).all()
    press(app, pygame.K_RIGHT)
    assert app.reviewed == 1
    press(app, pygame.K_END)
    assert app.reviewed is None and app.message == "Back to the game."
    press(app, pygame.K_LEFT)  # from the game, the arrow steps back one move
    assert app.reviewed == 5
    press(app, pygame.K_ESCAPE)
    assert app.reviewed is None
    graph_click(app, 3)
    graph_click(app, 6)  # the last point: the game itself
    assert app.reviewed is None
    click(app, "A1")
    settle(app)
    assert app.game.moves[-2][1] == gtp_to_flat("A1", 9)  # playing works again


def test_the_game_goes_on_behind_a_review(open_window):
    gate = threading.Event()
    app = open_window(Bots(replies=["C7", "G3"], gate=gate))
    click(app, "E5")
    graph_click(app, 0)  # while the bot thinks
    assert app.reviewed == 0 and app.is_thinking()
    gate.set()
    settle(app)
    assert len(app.game.moves) == 2 and app.reviewed == 0  # the bot moved; the board still shows the start
    assert (np.asarray(board_scene(app, app.layout()).stones) == EMPTY).all()
    assert panel_scene(app, app.buttons()).graph.moves_played == 2


def test_the_graph_is_drawn_where_the_layout_puts_it(open_window, tmp_path):
    app = open_window(Bots(replies=["C7", "G3", "G7"], score=4.0), size=(1000, 720))
    play(app, "E5", "D4")
    graph_click(app, 1)
    image = screenshot(app, tmp_path / "graph.png")
    geometry = app.graph_geometry()

    def near(x: float, y: float, color) -> bool:
        """The colour within a pixel of (x, y): lines are 2 pixels wide and rounded."""
        return any(
            tuple(image.get_at((round(x) + dx, round(y) + dy)))[:3] == color for dx in (-1, 0, 1) for dy in (-1, 0, 1)
        )

    scale = lead_scale([(1, -4.0)])
    for position in (1, 3):
        assert near(geometry.x_of(position), geometry.y_of(0.35), colors.GRAPH_WIN_RATE)
        assert near(geometry.x_of(position), geometry.y_of(0.5 - 4.0 / (2 * scale)), colors.GRAPH_LEAD)
    assert near(geometry.x_of(1), geometry.box.y + 2, colors.GRAPH_MARKER)  # the reviewed move
    assert tuple(image.get_at((geometry.box.x + 3, geometry.box.bottom - 3)))[:3] == colors.GRAPH_BACKGROUND
