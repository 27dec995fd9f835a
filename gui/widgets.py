"""Buttons, a one-line text field and a value stepper: the window's only controls.

Widgets hold state and answer hit tests; they draw themselves with ``draw``.
Rectangles are ``layout.Rect``; a button names the *action* it triggers (the same
names the keyboard shortcuts map to), so the app has one dispatch for both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pygame

from gui import colors
from gui.fonts import draw_text, fit_text, font
from gui.layout import Rect


@dataclass
class Button:
    """A labelled box that triggers ``action`` when clicked (if ``enabled``); ``on`` marks a toggle that is on."""

    action: str
    label: str
    rect: Rect
    enabled: bool = True
    on: bool = False

    def draw(self, surface: pygame.Surface, hovered: bool = False) -> None:
        if not self.enabled:
            fill, text = colors.BUTTON_DISABLED, colors.BUTTON_DISABLED_TEXT
        else:
            fill = colors.BUTTON_ON if self.on else colors.BUTTON_HOVER if hovered else colors.BUTTON
            text = colors.BUTTON_TEXT
        box = self.rect
        pygame.draw.rect(surface, fill, box.as_tuple(), border_radius=5)
        height = min(box.height * 0.55, 22)
        draw_text(surface, fit_text(self.label, height, box.width - 6), height, text, box.center, "center")


def button_at(buttons: list[Button], x: float, y: float) -> Button | None:
    """The enabled button under pixel ``(x, y)``, if any."""
    for button in buttons:
        if button.enabled and button.rect.contains(x, y):
            return button
    return None


@dataclass
class TextField:
    """One line of editable text; the caret stays at the end (typing, backspace, paste by typing)."""

    text: str = ""

    def insert(self, typed: str) -> None:
        # Control characters have no business in a path and would not render.
        self.text += "".join(ch for ch in typed if ch.isprintable())

    def backspace(self) -> None:
        self.text = self.text[:-1]

    def clear(self) -> None:
        self.text = ""

    def draw(self, surface: pygame.Surface, rect: Rect) -> None:
        pygame.draw.rect(surface, colors.FIELD, rect.as_tuple(), border_radius=3)
        height = min(rect.height * 0.6, 22)
        # Show the end of a long path: that is where the caret and the file name are.
        shown = self.text
        face = font(height)
        while shown and face.size(shown + "|")[0] > rect.width - 10:
            shown = shown[1:]
        draw_text(surface, shown + "|", height, colors.FIELD_TEXT, (rect.x + 5, rect.center[1]), "midleft")


@dataclass
class Stepper:
    """A setting chosen from ``choices`` with - and + buttons; ``show`` names a value for people."""

    label: str
    choices: list
    index: int = 0
    show: Callable[[Any], str] = str
    wrap: bool = False  # cycle round (colours) rather than stop at the ends (numbers)
    rects: dict[str, Rect] = field(default_factory=dict)  # "row", "minus", "value", "plus": set by place

    @property
    def value(self):
        return self.choices[self.index]

    def select(self, value) -> None:
        """Show ``value`` if it is a choice, else the nearest choice (numbers) or the first."""
        if value in self.choices:
            self.index = self.choices.index(value)
        elif all(isinstance(choice, (int, float)) for choice in self.choices):
            self.index = min(range(len(self.choices)), key=lambda i: abs(self.choices[i] - value))
        else:
            self.index = 0

    def step(self, delta: int) -> None:
        if self.wrap:
            self.index = (self.index + delta) % len(self.choices)
        else:
            self.index = max(0, min(len(self.choices) - 1, self.index + delta))

    def set_choices(self, choices: list) -> None:
        """New choices (handicap after a size change), keeping the value or the nearest one."""
        value = self.value
        self.choices = list(choices)
        self.select(value)

    def click(self, x: float, y: float) -> bool:
        """Step if ``(x, y)`` is on the - or + button; True if it was."""
        for name, delta in (("minus", -1), ("plus", 1)):
            if name in self.rects and self.rects[name].contains(x, y):
                self.step(delta)
                return True
        return False

    def place(self, row: Rect) -> None:
        """Put the label on the left of ``row`` and [-] value [+] on its right."""
        button = row.height
        value_width = min(120, max(60, row.width // 3))
        plus = Rect(row.right - button, row.y, button, row.height)
        value = Rect(plus.x - 4 - value_width, row.y, value_width, row.height)
        minus = Rect(value.x - 4 - button, row.y, button, row.height)
        self.rects = {"row": row, "minus": minus, "value": value, "plus": plus}

    def draw(self, surface: pygame.Surface) -> None:
        row, minus, value, plus = (self.rects[name] for name in ("row", "minus", "value", "plus"))
        height = min(row.height * 0.6, 22)
        draw_text(surface, self.label, height, colors.PANEL_TEXT, (row.x, row.center[1]), "midleft")
        for rect, text in ((minus, "-"), (plus, "+")):
            pygame.draw.rect(surface, colors.BUTTON, rect.as_tuple(), border_radius=4)
            draw_text(surface, text, height * 1.2, colors.BUTTON_TEXT, rect.center, "center")
        pygame.draw.rect(surface, colors.FIELD, value.as_tuple(), border_radius=3)
        shown = fit_text(self.show(self.value), height, value.width - 6)
        draw_text(surface, shown, height, colors.FIELD_TEXT, value.center, "center")
