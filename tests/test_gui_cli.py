"""``dosaku play`` and the window: its bots (shipped network by size, else rollout search), the real
network's ownership, the command opening the window, and the terminal when no window can open."""

from __future__ import annotations

import io
import shutil
import sys

import numpy as np
import pygame
import pytest
from test_gui_support import headless_fixture  # noqa: F401 (a fixture)

from cli.main import main
from cli.play import MODELS_DIR, WindowBots, shipped_model
from engine.coords import gtp_to_flat
from engine.game import GameState
from gui.app import App
from gui.opponent import NET_SOURCE
from gui.settings import GameSettings
from gui.window import WindowUnavailable, open_window

SHIPPED_7X7 = MODELS_DIR / "7x7.pt"


def test_the_shipped_network_is_looked_up_by_size_when_asked(tmp_path):
    assert shipped_model(9, tmp_path) is None
    (tmp_path / "9x9.pt").write_bytes(b"")  # a network shipped after the program started
    assert shipped_model(9, tmp_path) == tmp_path / "9x9.pt"
    assert shipped_model(7, tmp_path) is None


def test_without_a_network_for_the_size_the_window_plays_rollout_search_and_says_so(tmp_path):
    bots = WindowBots(player=None, model=None, playouts=1, seed=0, models_dir=tmp_path)
    assert bots.opponent(GameSettings(9)).description == "rollout search, 1000 simulations (no trained network for 9x9)"
    assert bots.opponent(GameSettings(9, simulations=50)).description.startswith("rollout search, 50 simulations")
    shutil.copy(SHIPPED_7X7, tmp_path / "9x9.pt")  # appears later: picked up by the next game
    assert bots.opponent(GameSettings(9)).description == "the network 9x9.pt, 200 simulations"


def test_the_player_option_forces_a_kind_of_bot(tmp_path):
    shutil.copy(SHIPPED_7X7, tmp_path / "7x7.pt")
    rollouts = WindowBots(player="mcts", model=None, playouts=1, seed=0, models_dir=tmp_path)
    assert rollouts.opponent(GameSettings(7)).description == "rollout search, 1000 simulations"
    random = WindowBots(player="random", model=None, playouts=1, seed=0, models_dir=tmp_path)
    assert random.opponent(GameSettings(7)).description == "random moves"
    model = WindowBots(player=None, model=str(SHIPPED_7X7), playouts=1, seed=0, models_dir=tmp_path / "none")
    assert model.opponent(GameSettings(7)).description == "the network 7x7.pt, 200 simulations"
    assert "7x7.pt plays 7x7" in model.opponent(GameSettings(9)).description
    with pytest.raises(ValueError, match="needs --model"):
        WindowBots(player="net", model=None, playouts=1, seed=0)


def test_the_shipped_network_moves_and_estimates_ownership_for_black(one_torch_thread):
    opponent = WindowBots(None, None, 1, seed=0).opponent(GameSettings(7, simulations=16))
    game = GameState(7)
    game.play(gtp_to_flat("D4", 7))  # white to play: the head answers for white, the window for black
    decision = opponent.genmove(game)
    assert game.is_legal(decision.move) and decision.search.root_visits >= 16
    ownership = opponent.ownership(game)
    assert ownership.source == NET_SOURCE
    assert ownership.values.shape == (49,) and np.all(np.abs(ownership.values) <= 1)
    assert ownership.values[gtp_to_flat("D4", 7)] > 0.5  # black's own stone, seen from black


def test_dosaku_play_opens_the_window_and_closes_it(headless, monkeypatch, capsys):
    frames = []
    real_step = App.step

    def step_then_close(app):
        frames.append(app.frame)
        if len(frames) == 3:
            pygame.event.post(pygame.event.Event(pygame.QUIT))  # the person closes the window
        return real_step(app)

    monkeypatch.setattr(App, "step", step_then_close)
    assert main(["play", "--size", "5", "--player", "random", "--seed", "4", "--color", "white"]) == 0
    assert len(frames) == 3  # the frame that got the QUIT was the last
    assert capsys.readouterr().out.count("Seed 4") == 1


def test_without_a_display_dosaku_play_falls_back_to_the_terminal(monkeypatch, capsys):
    monkeypatch.setenv("SDL_VIDEODRIVER", "no-such-driver")  # SDL cannot open any window
    monkeypatch.setattr(sys, "stdin", io.StringIO("quit\n"))
    assert main(["play", "--size", "5", "--seed", "7", "--player", "random"]) == 0
    printed = capsys.readouterr()
    assert "the game window cannot open" in printed.err and "playing in the terminal" in printed.err
    assert printed.out.count("Seed 7") == 1 and "Goodbye." in printed.out


def test_handicap_in_the_terminal_game_lets_white_open(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("quit\n"))
    assert main(["play", "--text", "--size", "9", "--handicap", "2", "--player", "random", "--seed", "1"]) == 0
    assert "Dosaku (white) plays" in capsys.readouterr().out


@pytest.mark.parametrize("options", [["--size", "5", "--handicap", "2"], ["--player", "net"]])
def test_bad_window_options_are_one_line_errors(headless, options, capsys):
    assert main(["play", *options]) == 2
    assert "dosaku play: error:" in capsys.readouterr().err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY and WAYLAND_DISPLAY are Linux's")
def test_no_display_is_known_before_sdl_probes(monkeypatch):
    for variable in ("SDL_VIDEODRIVER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(WindowUnavailable, match="no display"):
        open_window((300, 200))
