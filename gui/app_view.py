"""What the window shows of an ``App``: the board's and the panel's scenes, and the whole frame.

Reads the app's state and never changes it; ``board_view``, ``panel_view`` and
``graph_view`` paint. While the person reviews an earlier move, the board shows that
position alone (the overlays are of the game's latest position) and the panel says
how the bot saw it.
"""

from __future__ import annotations

import numpy as np

from engine.game import BLACK, EMPTY, color_name
from engine.outcome import result_sentence
from gui import colors, game_text
from gui.board_view import BoardScene, draw_board
from gui.graph_view import graph_scene
from gui.layout import WindowLayout
from gui.panel_view import PanelScene, draw_panel
from gui.widgets import Button, button_at

THINKING_BLINK = 8  # frames between steps of the "thinking" dots


def draw_window(app) -> None:
    """Paint the whole window into the app's surface (``App.step`` shows it)."""
    layout = app.layout()
    app.screen.fill(colors.BACKGROUND)
    draw_board(app.screen, layout.board, board_scene(app, layout))
    draw_panel(app.screen, layout.panel, panel_scene(app, app.buttons()))
    if app.dialog is not None:
        app.dialog.draw(app.screen)


def board_scene(app, layout: WindowLayout) -> BoardScene:
    """The stones, the marks, and the overlays that are switched on (none while reviewing)."""
    if app.reviewed is not None:
        shown = app.shown_game()
        return BoardScene(stones=shown.board(), last_move=shown.last_move)
    game = app.game
    scene = BoardScene(stones=game.board(), last_move=game.last_move, hint=app.hint_move)
    if app.mouse is not None and app.dialog is None and app.is_humans_turn():
        move = layout.board.move_at(*app.mouse)
        if move is not None and app.legal_mask()[move]:
            scene.ghost = (app.human_color, move)
    search = app.last_search
    if app.show_heat and search is not None and search.root_visits > 0:
        scene.heat = np.asarray(search.visits, np.float64) / search.root_visits
    if app.show_ownership and app.ownership is not None:
        scene.ownership = app.ownership.values
    if game.is_over() and game.resigned == EMPTY:
        scene.territory = game.owner()
    return scene


def panel_scene(app, buttons: list[Button]) -> PanelScene:
    """Whose turn or the result first, then the latest message, the win-rate, and the rest."""
    game = app.game
    lines = []
    if game.is_over() and game.resigned == EMPTY:
        lines.append((game_text.area_sentence(game), colors.PANEL_TEXT))
    lines.append((game_text.captures_sentence(game), colors.PANEL_TEXT))
    lines.append((f"Against {app.opponent.description}", colors.PANEL_DIM_TEXT))
    lines.append((game_text.game_line(game, app.human_color), colors.PANEL_DIM_TEXT))
    if app.show_ownership and app.ownership is not None:
        lines.append((f"Ownership: {app.ownership.source}", colors.PANEL_DIM_TEXT))
    if app.reviewed is not None:
        evaluation = app.evaluations.at(app.reviewed)
        label = game_text.review_sentence(app.reviewed, evaluation)
        black_win_rate = None if evaluation is None else evaluation.black_win_rate
    else:
        win_rate = app.bot_win_rate()
        label = game_text.win_rate_sentence(win_rate, app.black_lead())
        black_win_rate = None
        if win_rate is not None:
            black_win_rate = win_rate if app.bot_color == BLACK else 1 - win_rate
    hovered = button_at(buttons, *app.mouse) if app.mouse is not None else None
    return PanelScene(
        title="Dosaku",
        status=status_line(app),
        message=app.message,
        win_rate_label=label,
        black_win_rate=black_win_rate,
        lines=lines,
        buttons=buttons,
        hovered=hovered.action if hovered else None,
        graph=graph_scene(app.evaluations, len(game.moves), app.reviewed),
        graph_geometry=app.graph_geometry(),
    )


def status_line(app) -> str:
    game = app.game
    if app.reviewed is not None:
        return game_text.review_status(app.reviewed, len(game.moves))
    if game.is_over():
        return f"Game over: {result_sentence(game)}"
    if app.is_thinking():
        dots = "." * (1 + (app.frame // THINKING_BLINK) % 3)
        return f"Dosaku ({color_name(app.bot_color)}) is thinking{dots}"
    if game.to_play == app.human_color:
        return f"Move {game.move_number + 1}: your turn ({color_name(app.human_color)})"
    return f"Move {game.move_number + 1}: Dosaku to play"
