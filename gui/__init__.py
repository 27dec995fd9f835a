"""The Pygame play window: ``gui.app.App`` drives it, one small module per concern.

``layout`` (geometry from the window size, no pygame), ``board_view`` and
``panel_view`` (drawing), ``stones`` and ``fonts`` (drawing helpers), ``widgets``
and ``dialogs`` (controls), ``bot_worker`` and ``opponent`` (the bot, off the
window's thread), ``settings``, ``sgf_files`` and ``game_text`` (the game's side).
Only this package imports pygame.
"""

import os

# pygame greets on stdout when imported; the command's output is for the game.
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
