"""The two dialogs: new game settings, and the path of an SGF file to save or load.

Both are modal boxes over the window. ``place`` lays them out for the window's
size (pure arithmetic, so clicks can be tested without drawing); ``click``
answers ``"ok"``, ``"cancel"`` or None; the app handles Enter and Escape the same way.
"""

from __future__ import annotations

import pygame

from engine.coords import MAX_SIZE
from engine.game import BLACK, WHITE, color_name
from engine.handicap import max_fixed_handicap
from gui import colors
from gui.fonts import draw_text, fit_text
from gui.layout import Rect, centered_box, grid_cells
from gui.settings import GameSettings
from gui.widgets import Button, Stepper, TextField, button_at

ROW_HEIGHT = 32
PADDING = 16
SMALLEST_BOARD = 5  # smaller boards are legal, but not a game a person would pick
KOMI_CHOICES = [half / 2 for half in range(-40, 41)]  # -20 to 20 in half points
SIMULATION_CHOICES = [None, 25, 50, 100, 200, 400, 800, 1600, 3200, 6400]


def handicap_choices(size: int) -> list[int]:
    return [0, *range(2, max_fixed_handicap(size) + 1)]


class Dialog:
    """A titled box with a body and OK / Cancel buttons along its bottom."""

    title = ""
    ok_label = "OK"
    box_size = (460, 300)

    def __init__(self):
        self.box = Rect(0, 0, 1, 1)
        self.buttons: list[Button] = []

    def place(self, width: int, height: int) -> None:
        self.box = centered_box(width, height, *self.box_size)
        row = Rect(
            self.box.x + PADDING, self.box.bottom - PADDING - ROW_HEIGHT, self.box.width - 2 * PADDING, ROW_HEIGHT
        )
        ok, cancel = grid_cells(row, 2, 2, ROW_HEIGHT, gap=PADDING)
        self.buttons = [Button("ok", self.ok_label, ok), Button("cancel", "Cancel", cancel)]
        self.place_body(
            Rect(self.box.x + PADDING, self.box.y + 2 * PADDING + 10, row.width, row.y - self.box.y - 3 * PADDING)
        )

    def place_body(self, body: Rect) -> None:
        """Lay out what lies between the title and the buttons."""

    def click(self, x: float, y: float) -> str | None:
        button = button_at(self.buttons, x, y)
        return button.action if button else None

    def draw(self, surface: pygame.Surface) -> None:
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill(colors.SHADE)
        surface.blit(shade, (0, 0))
        pygame.draw.rect(surface, colors.DIALOG, self.box.as_tuple(), border_radius=8)
        pygame.draw.rect(surface, colors.DIALOG_FRAME, self.box.as_tuple(), width=2, border_radius=8)
        draw_text(surface, self.title, 24, colors.PANEL_TEXT, (self.box.x + PADDING, self.box.y + PADDING))
        self.draw_body(surface)
        for button in self.buttons:
            button.draw(surface)

    def draw_body(self, surface: pygame.Surface) -> None:
        pass


class NewGameDialog(Dialog):
    """Size, colour, komi, handicap and strength of the next game."""

    title = "New game"
    ok_label = "Start"
    box_size = (460, 330)

    def __init__(self, settings: GameSettings):
        super().__init__()
        sizes = sorted(set(range(SMALLEST_BOARD, MAX_SIZE + 1)) | {settings.size})
        self.size = Stepper("Board size", sizes, show=lambda n: f"{n} x {n}")
        self.color = Stepper("You play", [BLACK, WHITE], show=color_name, wrap=True)
        self.komi = Stepper("Komi", sorted(set(KOMI_CHOICES) | {settings.komi}), show=lambda k: f"{k:g}")
        self.handicap = Stepper("Handicap", handicap_choices(settings.size), show=lambda h: str(h) if h else "none")
        strengths = SIMULATION_CHOICES + (
            [settings.simulations] if settings.simulations not in SIMULATION_CHOICES else []
        )
        self.strength = Stepper("Strength", strengths, show=lambda s: "default" if s is None else f"{s} simulations")
        self.size.select(settings.size)
        self.color.select(settings.human_color)
        self.komi.select(settings.komi)
        self.handicap.select(settings.handicap)
        self.strength.select(settings.simulations)
        self.steppers = [self.size, self.color, self.komi, self.handicap, self.strength]

    def place_body(self, body: Rect) -> None:
        for stepper, row in zip(self.steppers, grid_cells(body, len(self.steppers), 1, ROW_HEIGHT - 4), strict=True):
            stepper.place(row)

    def click(self, x: float, y: float) -> str | None:
        for stepper in self.steppers:
            if stepper.click(x, y):
                if stepper is self.size:
                    self.handicap.set_choices(handicap_choices(self.size.value))
                return None
        return super().click(x, y)

    def settings(self) -> GameSettings:
        return GameSettings(
            self.size.value, self.color.value, self.komi.value, self.handicap.value, self.strength.value
        )

    def draw_body(self, surface: pygame.Surface) -> None:
        for stepper in self.steppers:
            stepper.draw(surface)


class PathPrompt(Dialog):
    """The path of an SGF file to save to or load from; ``error`` says why the last try failed."""

    box_size = (620, 190)

    def __init__(self, purpose: str, path: str):
        super().__init__()
        if purpose not in ("save", "load"):
            raise ValueError(f"a path prompt is for save or load, not {purpose!r}")
        self.purpose = purpose
        self.title = "Save the game as SGF" if purpose == "save" else "Load an SGF game"
        self.ok_label = "Save" if purpose == "save" else "Load"
        self.field = TextField(path)
        self.error = ""
        self.field_rect = Rect(0, 0, 1, 1)

    def place_body(self, body: Rect) -> None:
        self.field_rect = Rect(body.x, body.y, body.width, ROW_HEIGHT)

    def draw_body(self, surface: pygame.Surface) -> None:
        self.field.draw(surface, self.field_rect)
        below = (self.field_rect.x, self.field_rect.bottom + 8)
        if self.error:
            draw_text(surface, fit_text(self.error, 18, self.field_rect.width), 18, colors.MESSAGE_TEXT, below)
        else:
            draw_text(surface, "Type a path; Enter to confirm, Esc to cancel.", 18, colors.PANEL_DIM_TEXT, below)
