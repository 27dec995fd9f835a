"""Arguments of GTP commands: colours, integers, numbers and vertices as the spec
writes them (ASCII only), and argument counts. Each parser raises ``GTPCommandError``
with the spec's ``syntax error`` and a short reason that quotes the bad argument.
"""

from __future__ import annotations

import math
import re

from engine.coords import gtp_to_flat
from engine.game import BLACK, WHITE
from gtp.protocol import SYNTAX_ERROR, GTPCommandError

_COLORS = {"b": BLACK, "black": BLACK, "w": WHITE, "white": WHITE}
# ASCII only: Python's \d would also accept other scripts' digits.
_VERTEX_RE = re.compile(r"[A-HJ-Ta-hj-t][0-9]{1,2}")
_INT_RE = re.compile(r"[+-]?[0-9]+")
_FLOAT_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_HUGE = 10**18  # stands for integers too long to convert (Python refuses > 4300 digits)


def parse_color(text: str) -> int:
    """``b``/``black``/``w``/``white`` in any case to ``BLACK``/``WHITE``."""
    color = _COLORS.get(text.lower())
    if color is None:
        raise GTPCommandError(f"{SYNTAX_ERROR} (expected a colour, got {_quote(text)})")
    return color


def parse_int(text: str) -> int:
    """A decimal integer; ones too long to convert become ``±10**18`` (out of every range)."""
    if not _INT_RE.fullmatch(text):
        raise GTPCommandError(f"{SYNTAX_ERROR} (expected an integer, got {_quote(text)})")
    if len(text.lstrip("+-").lstrip("0")) > 18:
        return -_HUGE if text.startswith("-") else _HUGE
    return int(text)


def parse_float(text: str) -> float:
    """A finite decimal number (no ``nan``, ``inf``, underscores or non-ASCII digits)."""
    if not _FLOAT_RE.fullmatch(text):
        raise GTPCommandError(f"{SYNTAX_ERROR} (expected a number, got {_quote(text)})")
    value = float(text)
    if not math.isfinite(value):
        raise GTPCommandError(f"{SYNTAX_ERROR} (number out of range: {_quote(text)})")
    return value


def parse_vertex(text: str, size: int) -> int:
    """A GTP vertex (any case) or ``pass`` to a flat move.

    Raises ``GTPCommandError`` with ``syntax error`` if the text is no vertex at all, and
    ``CoordinateError`` if it names a point off this board, so that each command
    can name that failure in its own words.
    """
    if text.lower() == "pass":
        return size * size
    if not _VERTEX_RE.fullmatch(text):
        raise GTPCommandError(f"{SYNTAX_ERROR} (expected a vertex, got {_quote(text)})")
    return gtp_to_flat(text, size)


def expect_args(args: list[str], *counts: int) -> None:
    """Raise a syntax error unless ``len(args)`` is one of ``counts``."""
    if len(args) not in counts:
        wanted = " or ".join(str(c) for c in counts)
        raise GTPCommandError(
            f"{SYNTAX_ERROR} (expected {wanted} argument{'s' if counts != (1,) else ''}, got {len(args)})"
        )


def _quote(text: str, limit: int = 40) -> str:
    """``text`` cut short for an error message, so a huge argument makes a short line."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
