"""The Pygame play window. ``gui.app.App`` is the controller; one small module per concern.

``layout`` (geometry from the window size, no pygame); ``app_view``, ``board_view``,
``panel_view``, ``graph_view``, ``stones``, ``fonts`` and ``colors`` (drawing); ``widgets``,
``dialogs`` and ``controls`` (buttons, keys, dialogs); ``bot_worker`` and
``opponent`` (the bot, off the window's thread); ``settings``, ``sgf_files``,
``game_text`` and ``evaluations`` (the game's side, no pygame: the evaluations are the
graph's points); ``window`` (opening the display); ``driver``
(posting events into the loop, for scripts and tests). Only this package imports pygame.
"""

import os

# pygame greets on stdout when imported; the command's output is for the game.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
