"""The window's controls: each action with its button label and its keys.

A button and its shortcut name the same action, so ``App.act`` is the one place
that says what an action does. The review keys have no button: the graph is their
mouse (a click on it shows that move); the arrows step through the game, Home goes to
its start, End and Esc back to the game, as in KaTrain and Lizzie.
"""

from __future__ import annotations

import pygame

# (action, button label); the keys below trigger the same actions.
ACTIONS = [
    ("pass", "Pass (P)"),
    ("undo", "Undo (U)"),
    ("resign", "Resign (R)"),
    ("hint", "Hint (H)"),
    ("new", "New game (N)"),
    ("heatmap", "Visits (V)"),
    ("save", "Save SGF (S)"),
    ("load", "Load SGF (L)"),
    ("ownership", "Ownership (O)"),
]
KEY_ACTIONS = {
    pygame.K_p: "pass",
    pygame.K_u: "undo",
    pygame.K_BACKSPACE: "undo",
    pygame.K_r: "resign",
    pygame.K_h: "hint",
    pygame.K_n: "new",
    pygame.K_v: "heatmap",
    pygame.K_s: "save",
    pygame.K_l: "load",
    pygame.K_o: "ownership",
    pygame.K_LEFT: "review_back",
    pygame.K_RIGHT: "review_forward",
    pygame.K_HOME: "review_start",
    pygame.K_END: "live",
    pygame.K_ESCAPE: "live",
}
CONFIRM_KEYS = (pygame.K_RETURN, pygame.K_KP_ENTER)
