"""The bot thinks off the window's thread: the window stays responsive, stale answers are dropped,
and closing never waits for a search. The bot here blocks on a threading.Event until the test
lets it go, so nothing depends on how fast anything runs."""

from __future__ import annotations

import threading
import time

import numpy as np
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

from arena.player_spec import make_player, parse_player_spec
from engine.coords import gtp_to_flat
from engine.game import BLACK, WHITE, GameState
from gui.app_view import board_scene, status_line
from gui.bot_worker import MOVE, OWNERSHIP, BotWorker, Job
from gui.opponent import Opponent
from mcts.config import SearchConfig
from mcts.players import CHUNK_SIMULATIONS, Decision


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
    assert bots.players[0].started.wait(NO_HANG)  # searching, not just asked (a queued job is dropped unrun)
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
    bots = Bots(replies=["C3"], gate=gate)
    app = open_window(bots)
    click(app, "E5")
    assert bots.players[0].started.wait(NO_HANG)
    press(app, pygame.K_n)
    press(app, pygame.K_RETURN)
    assert app.game.moves == []
    gate.set()
    assert app.worker.wait(NO_HANG), "the bot never answered"
    app.step()
    assert app.game.moves == []


def test_closing_while_the_bot_thinks_returns_at_once(open_window):
    gate = threading.Event()
    bots = Bots(replies=["C3"], gate=gate)
    app = open_window(bots)
    try:
        click(app, "E5")
        assert app.is_thinking() and bots.players[0].started.wait(NO_HANG)
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        assert app.step() is False
        app.close()  # returns though this search cannot be stopped: the bot's thread is a daemon
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


class EndlessSearch:
    """A search that runs until its stop rule says so, as MCTSPlayer's anytime search does."""

    def __init__(self):
        self.config = SearchConfig(simulations=10**9)
        self.finished = 0
        self.running = threading.Event()

    def genmove(self, game: GameState, stop=None, max_simulations=None) -> Decision:
        self.running.set()
        done = 0
        while not stop(done, np.zeros(game.pass_move + 1)):
            done += 1
            time.sleep(0.001)  # a simulation's worth of work, without spinning a core
        self.finished += 1
        return Decision(game.pass_move)


def test_undo_and_close_cut_a_running_search_short(open_window):
    search = EndlessSearch()
    app = open_window(lambda settings: Opponent("an endless search", lambda: search))
    click(app, "E5")
    assert app.is_thinking() and search.running.wait(NO_HANG)
    press(app, pygame.K_u)  # the position it searches is gone: the search is told to stop
    assert app.worker.wait(NO_HANG), "the cancelled search never ended"
    app.step()
    assert search.finished == 1 and app.game.moves == []
    search.running.clear()
    click(app, "E5")
    assert search.running.wait(NO_HANG), "the second search never started"
    app.close()  # stops the search too, so the thread ends instead of searching on
    app.worker._thread.join(NO_HANG)
    assert not app.worker._thread.is_alive() and search.finished == 2


def test_a_cancelled_rollout_search_stops_after_one_chunk():
    opponent = Opponent("rollouts", lambda: make_player(parse_player_spec("mcts"), seed=0))
    cancelled = threading.Event()
    cancelled.set()
    decision = opponent.genmove(GameState(9), cancelled)
    assert 0 < decision.search.root_visits <= CHUNK_SIMULATIONS + 1
    full = opponent.genmove(GameState(7), threading.Event())
    assert full.search.root_visits >= 1000
