"""The bot thinks off the window's thread: the window stays responsive, stale answers are dropped,
and closing never waits for a search. The bot here blocks on a threading.Event until the test
lets it go, so nothing depends on how fast anything runs."""

from __future__ import annotations

import threading

import pygame
from test_gui_support import (  # noqa: F401 (the *_fixture names are fixtures)
    NO_HANG,
    Bots,
    ScriptedPlayer,
    click,
    headless_fixture,
    open_window_fixture,
    press,
    settle,
)

from engine.coords import gtp_to_flat
from engine.game import BLACK, WHITE, GameState
from gui.app_view import board_scene, status_line
from gui.bot_worker import MOVE, OWNERSHIP, BotWorker, Job
from gui.opponent import Opponent


def test_the_window_handles_events_while_the_bot_thinks(open_window):
    gate = threading.Event()
    bots = Bots(replies=["C3"], gate=gate)
    app = open_window(bots)
    try:
        click(app, "E5")
        assert app.is_thinking() and "thinking" in status_line(app)
        frames = app.frame

        press(app, pygame.K_v)  # a toggle
        assert app.show_heat
        position = app.layout().board.point_center(gtp_to_flat("D4", 9))
        pygame.event.post(pygame.event.Event(pygame.MOUSEMOTION, pos=position, rel=(0, 0), buttons=(0, 0, 0)))
        app.step()
        assert app.mouse == position
        assert board_scene(app, app.layout()).ghost is None  # not the person's turn: no ghost stone
        click(app, "D4")  # a move out of turn is refused, politely
        assert "thinking" in app.message and app.game.moves == [(BLACK, gtp_to_flat("E5", 9))]
        press(app, pygame.K_h)
        assert "your turn" in app.message
        assert app.frame > frames and app.is_thinking()
    finally:
        gate.set()
    settle(app)
    assert app.game.moves[-1] == (WHITE, gtp_to_flat("C3", 9))
    assert not app.is_thinking() and bots.players[0].calls == 1


def test_an_answer_for_an_undone_position_is_thrown_away(open_window):
    gate = threading.Event()
    bots = Bots(replies=["C3"], gate=gate)
    app = open_window(bots)
    click(app, "E5")
    assert app.is_thinking()
    press(app, pygame.K_u)  # takes back E5 while the bot is still searching it
    assert app.game.moves == [] and not app.is_thinking()
    gate.set()
    assert app.worker.wait(NO_HANG), "the bot never answered"
    app.step()  # the answer arrives, for a position that is gone
    assert app.game.moves == [] and app.waiting.get(MOVE) != app.generation
    assert bots.players[0].calls == 1
    assert (app.game.board() == 0).all()


def test_a_new_game_while_the_bot_thinks_drops_its_answer(open_window):
    gate = threading.Event()
    app = open_window(Bots(replies=["C3"], gate=gate))
    click(app, "E5")
    press(app, pygame.K_n)
    press(app, pygame.K_RETURN)
    assert app.game.moves == []
    gate.set()
    assert app.worker.wait(NO_HANG), "the bot never answered"
    app.step()
    assert app.game.moves == []


def test_closing_while_the_bot_thinks_returns_at_once(open_window):
    gate = threading.Event()
    app = open_window(Bots(replies=["C3"], gate=gate))
    try:
        click(app, "E5")
        assert app.is_thinking()
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        assert app.step() is False
        app.close()  # returns though the search never finishes: the bot's thread is a daemon
        assert app.worker._thread.daemon and app.worker._thread.is_alive()
    finally:
        gate.set()  # let the stand-in's thread end


def test_a_failing_bot_is_reported_and_the_window_goes_on(open_window):
    class Broken:
        def genmove(self, game):
            raise RuntimeError("no network here")

    app = open_window(lambda settings: Opponent("a broken bot", Broken))
    click(app, "E5")
    settle(app)
    assert "no network here" in app.message
    press(app, pygame.K_u)
    assert app.game.moves == []


def test_the_worker_answers_jobs_in_order_with_their_generation():
    worker = BotWorker()
    opponent = Opponent("scripted", lambda: ScriptedPlayer(["C3"]))
    game = GameState(5)
    worker.submit(Job(MOVE, 1, game.copy(), opponent))
    worker.submit(Job(OWNERSHIP, 2, game.copy(), opponent))
    answers = []
    while len(answers) < 2:
        assert worker.wait(NO_HANG), "the worker never answered"
        answers += worker.answers()
    worker.stop()
    assert [(a.kind, a.generation, a.error) for a in answers] == [(MOVE, 1, None), (OWNERSHIP, 2, None)]
    assert answers[0].result.move == gtp_to_flat("C3", 5)
    assert answers[1].result.values.shape == (25,)
