"""``kgs-time_settings``: the clock kinds KGS sends (``gtp/time_control.py`` keeps the clocks)."""

from __future__ import annotations

from functools import partial

from gtp.arguments import expect_args, parse_float, parse_int
from gtp.engine import GTPEngine
from gtp.protocol import SYNTAX_ERROR, GTPCommandError
from gtp.time_control import KINDS, TimeSettings


def register(engine: GTPEngine) -> None:
    """Add ``kgs-time_settings`` to ``engine``."""
    engine.register("kgs-time_settings", partial(kgs_time_settings, engine))


def kgs_time_settings(engine: GTPEngine, args: list[str]) -> str:
    """``none``, ``absolute MAIN``, ``canadian MAIN PERIOD STONES`` or ``byoyomi MAIN PERIOD PERIODS``."""
    if not args or args[0].lower() not in KINDS:
        raise GTPCommandError(f"{SYNTAX_ERROR} (expected one of {', '.join(KINDS)})")
    kind = args[0].lower()
    counts = {"none": 1, "absolute": 2, "canadian": 4, "byoyomi": 4}
    expect_args(args, counts[kind])
    main_time = parse_float(args[1]) if kind != "none" else 0.0
    period = parse_float(args[2]) if len(args) == 4 else 0.0
    count = parse_int(args[3]) if len(args) == 4 else 0
    if main_time < 0 or period < 0 or count < 0:
        raise GTPCommandError(f"{SYNTAX_ERROR} (times and counts cannot be negative)")
    if kind != "none" and len(args) == 4 and (period == 0 or count == 0):
        kind = "absolute"  # no overtime to speak of
    stones, periods = (count, 0) if kind == "canadian" else (0, count)
    engine.timing.set_settings(TimeSettings(main_time, period, stones, kind, periods))
    return ""
