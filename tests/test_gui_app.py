"""The play window driven through its real event loop, headless: games, undo, passes, SGF, dialogs.

Clicks and keys are posted as pygame events and ``App.step()`` handles them, as
``App.run()`` does frame after frame; the bot is a scripted stand-in
(``test_gui_support``), so every game goes the same way.
"""

from __future__ import annotations

import pygame
from test_gui_support import (  # noqa: F401 (the *_fixture names are fixtures)
    Bots,
    click,
    click_at,
    click_button,
    headless_fixture,
    open_window_fixture,
    press,
    replace_field,
    settle,
    type_text,
)

from engine.coords import flat_to_gtp, gtp_to_flat
from engine.game import BLACK, WHITE
from engine.handicap import fixed_handicap_moves
from engine.sgf import game_to_sgf, load_sgf_file, record_from_game
from gui.app_view import board_scene, panel_scene, status_line
from gui.dialogs import NewGameDialog, PathPrompt
from gui.opponent import AREA_SOURCE
from gui.settings import GameSettings


def moves_of(app) -> list[tuple[int, str]]:
    return [(color, flat_to_gtp(move, app.game.size)) for color, move in app.game.moves]


def test_a_short_game_with_undo_played_to_two_passes_saves_an_sgf_that_loads_back(open_window, tmp_path):
    app = open_window(Bots(replies=["C7", "G3", "G7"]))
    click(app, "E5")
    settle(app)
    click(app, "D4")
    settle(app)
    assert moves_of(app) == [(BLACK, "E5"), (WHITE, "C7"), (BLACK, "D4"), (WHITE, "G3")]

    press(app, pygame.K_u)  # takes back the bot's reply and the person's move
    assert moves_of(app) == [(BLACK, "E5"), (WHITE, "C7")]
    assert "Took back D4, G3" in app.message
    click(app, "C3")
    settle(app)
    assert moves_of(app)[-2:] == [(BLACK, "C3"), (WHITE, "G3")]

    click_button(app, "pass")  # the scripted bot answers a pass with a pass
    settle(app)
    assert app.game.is_over() and app.game.consecutive_passes == 2
    status = status_line(app)
    assert status.startswith("Game over: ") and app.game.result() in status
    assert board_scene(app, app.layout()).territory is not None  # area shown on the board
    assert any(text.startswith("Area: black ") for text, _ in panel_scene(app, app.buttons()).lines)

    press(app, pygame.K_s)
    assert isinstance(app.dialog, PathPrompt) and app.dialog.purpose == "save"
    default = app.dialog.field.text
    assert default.startswith(str(tmp_path / "games")) and default.endswith(".sgf")
    saved = tmp_path / "records" / "short game.sgf"
    replace_field(app, str(saved))
    press(app, pygame.K_RETURN)
    assert app.dialog is None and saved.is_file()
    assert "Saved" in app.message
    played = app.game.copy()

    press(app, pygame.K_n)  # a fresh board, so that loading has something to restore
    press(app, pygame.K_RETURN)
    assert app.game.moves == []

    press(app, pygame.K_l)
    assert isinstance(app.dialog, PathPrompt) and app.dialog.field.text == str(saved)
    press(app, pygame.K_RETURN)
    assert app.dialog is None
    assert app.game.moves == played.moves and app.game.setup == played.setup
    assert (app.game.board() == played.board()).all() and app.game.komi == played.komi
    assert app.game.is_over() and app.game.result() == played.result()
    assert load_sgf_file(saved) == record_from_game(played, black="You", white=f"Dosaku ({app.opponent.description})")
    assert game_to_sgf(app.game, black="You", white=f"Dosaku ({app.opponent.description})") == saved.read_text()


KO_AND_SUICIDE_SGF = (
    # Black to play on 5x5: white has just taken a ko at B4; E5 would be suicide for black.
    "(;GM[1]FF[4]SZ[5]KM[0.5]AB[ba][ab][bc][cb]AW[ca][db][cc][da][eb];W[bb])"
)


def test_an_illegal_click_changes_nothing_and_says_why(open_window, tmp_path):
    app = open_window(Bots(replies=["A1"]), GameSettings(5, komi=0.5))
    record = tmp_path / "ko.sgf"
    record.write_text(KO_AND_SUICIDE_SGF)
    press(app, pygame.K_l)
    replace_field(app, str(record))
    press(app, pygame.K_RETURN)
    assert app.dialog is None and app.game.to_play == BLACK

    for vertex, reason in [("C4", "ko"), ("B5", "occupied"), ("E5", "suicide")]:
        before_moves, before_board = list(app.game.moves), app.game.board()
        click(app, vertex)
        assert app.game.moves == before_moves and (app.game.board() == before_board).all()
        assert app.message.startswith(f"{vertex} is illegal: ") and reason in app.message
        assert panel_scene(app, app.buttons()).message == app.message  # what the panel shows
        assert app.waiting == {}  # the bot was not asked to move

    click(app, "C2")  # a legal move is still accepted afterwards
    settle(app)
    assert app.game.moves[-2:] == [(BLACK, gtp_to_flat("C2", 5)), (WHITE, gtp_to_flat("A1", 5))]


def test_clicks_while_the_game_is_over_or_in_the_margin_change_nothing(open_window):
    app = open_window(Bots())
    wood = app.layout().board.wood
    click_at(app, (wood.x + 2, wood.y + 2))  # the corner of the wood, beyond the grid
    assert app.game.moves == []
    press(app, pygame.K_p)
    settle(app)
    assert app.game.is_over()
    click(app, "E5")
    assert app.game.moves == [(BLACK, 81), (WHITE, 81)]
    assert "game is over" in app.message


def test_resign_and_undo_the_resignation(open_window):
    app = open_window(Bots(replies=["C3"]))
    click(app, "E5")
    settle(app)
    click_button(app, "resign")
    assert app.game.is_over() and app.game.result() == "W+R"
    assert status_line(app) == "Game over: White wins by resignation (W+R)"
    press(app, pygame.K_u)
    assert not app.game.is_over() and len(app.game.moves) == 2


def test_the_new_game_dialog_sets_size_colour_komi_handicap_and_strength(open_window):
    bots = Bots(replies=["C3"])
    app = open_window(bots)
    click_button(app, "new")
    dialog = app.dialog
    assert isinstance(dialog, NewGameDialog)
    for _ in range(4):
        click_at(app, dialog.size.rects["plus"].center)  # 9 -> 13
    for _ in range(14):
        click_at(app, dialog.komi.rects["minus"].center)  # 7.5 -> 0.5
    for _ in range(2):
        click_at(app, dialog.handicap.rects["plus"].center)  # none -> 2 -> 3
    click_at(app, dialog.strength.rects["plus"].center)  # default -> 25 simulations
    assert dialog.settings() == GameSettings(13, BLACK, 0.5, 3, 25)
    click_at(app, dialog.buttons[0].rect.center)  # Start
    assert app.dialog is None
    assert bots.asked[-1] == GameSettings(13, BLACK, 0.5, 3, 25)
    assert app.game.size == 13 and app.game.komi == 0.5
    assert sorted(move for _, move in app.game.setup) == sorted(fixed_handicap_moves(13, 3))
    assert app.is_thinking()  # with a handicap white, the bot, moves first
    settle(app)
    assert app.game.moves == [(WHITE, gtp_to_flat("C3", 13))]

    click_button(app, "new")
    click_at(app, app.dialog.color.rects["plus"].center)  # you play white
    press(app, pygame.K_ESCAPE)  # ...but cancel: nothing changes
    assert app.dialog is None and app.settings.human_color == BLACK and len(app.game.moves) == 1


def test_playing_white_the_bot_opens(open_window):
    app = open_window(Bots(replies=["E5"]), GameSettings(9, WHITE))
    settle(app)
    assert app.game.moves == [(BLACK, gtp_to_flat("E5", 9))]
    assert status_line(app) == "Move 2: your turn (white)"


def test_hint_shows_the_bots_move_for_the_person(open_window):
    app = open_window(Bots(replies=["F6", "D4"]))
    press(app, pygame.K_h)
    assert "looking for a move" in app.message
    settle(app)
    assert app.hint_move == gtp_to_flat("F6", 9)
    assert board_scene(app, app.layout()).hint == app.hint_move
    assert "F6" in app.message
    assert app.game.moves == []  # a hint plays nothing
    click(app, "C3")
    assert app.hint_move is None  # the hint was for the position before


def test_overlays_show_the_last_search_and_the_ownership(open_window):
    app = open_window(Bots(replies=["C3"]))
    click(app, "E5")
    settle(app)
    assert board_scene(app, app.layout()).heat is None  # off until asked for
    press(app, pygame.K_v)
    heat = board_scene(app, app.layout()).heat
    assert heat is not None and heat.argmax() == gtp_to_flat("C3", 9)
    assert app.bot_win_rate() == (0.3 + 1) / 2
    assert panel_scene(app, app.buttons()).black_win_rate == 1 - app.bot_win_rate()  # the bot plays white

    press(app, pygame.K_o)
    settle(app)
    scene = board_scene(app, app.layout())
    assert scene.ownership is not None and scene.ownership[gtp_to_flat("E5", 9)] == 1.0
    assert app.ownership.source == AREA_SOURCE
    assert f"Ownership: {AREA_SOURCE}" in [text for text, _ in panel_scene(app, app.buttons()).lines]
    press(app, pygame.K_o)
    press(app, pygame.K_v)
    scene = board_scene(app, app.layout())
    assert scene.ownership is None and scene.heat is None


def test_the_ghost_stone_follows_the_mouse_on_legal_points_only(open_window):
    app = open_window(Bots(replies=["C3"]))
    pygame.event.post(
        pygame.event.Event(pygame.MOUSEMOTION, pos=app.layout().board.point_center(40), rel=(0, 0), buttons=(0, 0, 0))
    )
    app.step()
    assert board_scene(app, app.layout()).ghost == (BLACK, 40)
    click(app, "E5")
    settle(app)
    assert board_scene(app, app.layout()).ghost is None  # E5 is taken now


def test_a_resized_window_lays_out_again_and_clicks_land_where_drawn(open_window):
    app = open_window(Bots(replies=["C3"]))
    before = app.layout().board.point_center(gtp_to_flat("E5", 9))
    pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, size=(600, 900), w=600, h=900))
    app.step()
    assert app.screen.get_size() == (600, 900)
    layout = app.layout()
    assert not layout.panel_is_beside
    assert layout.board.point_center(gtp_to_flat("E5", 9)) != before
    click(app, "G7")
    assert app.game.moves[0] == (BLACK, gtp_to_flat("G7", 9))


def test_a_bad_path_keeps_the_prompt_open_with_the_reason(open_window, tmp_path):
    app = open_window(Bots())
    press(app, pygame.K_l)
    replace_field(app, str(tmp_path / "missing.sgf"))
    press(app, pygame.K_RETURN)
    assert isinstance(app.dialog, PathPrompt) and "missing.sgf" in app.dialog.error
    (tmp_path / "bad.sgf").write_text("not a game")
    replace_field(app, str(tmp_path / "bad.sgf"))
    press(app, pygame.K_RETURN)
    assert isinstance(app.dialog, PathPrompt) and "SGF" in app.dialog.error
    press(app, pygame.K_ESCAPE)
    assert app.dialog is None and app.game.moves == []


def test_typing_in_a_prompt_does_not_trigger_shortcuts(open_window):
    app = open_window(Bots())
    press(app, pygame.K_s)
    replace_field(app, "")
    type_text(app, "p")  # SDL sends a key press and the text for each letter typed
    press(app, pygame.K_p)
    assert app.dialog.field.text == "p" and app.game.moves == []
    press(app, pygame.K_ESCAPE)
    assert app.dialog is None
