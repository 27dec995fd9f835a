"""GTP commands beyond the standard set, registered on a ``GTPEngine`` by ``install``:

* ``kgs-time_settings none|absolute|byoyomi|canadian ...`` (KGS's clock kinds);
* ``final_status_list dead|alive|seki`` and ``kgs-genmove_cleanup`` (``gtp_status``);
* ``lz-analyze``, ``kata-analyze``, ``dosaku-analyze`` and their ``*-genmove_analyze``
  forms (``gtp_analysis``); analysis needs an anytime search player.

The logic lives in those modules; this one parses arguments and wires them to the engine.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from arena.gtp_analysis import FORMATS, AnalysisSession, parse_request
from arena.gtp_engine import (
    SYNTAX_ERROR,
    GTPEngine,
    GTPError,
    Streamed,
    expect_args,
    parse_color,
    parse_float,
    parse_int,
)
from arena.gtp_status import STATUSES, chain_statuses, cleanup_move, estimate_ownership
from arena.time_control import KINDS, TimeSettings
from engine.coords import flat_to_gtp
from engine.game import BLACK, GameState

OWNERSHIP_SEED = 0  # playout estimates are reproducible: the same position, the same answer


def install(engine: GTPEngine) -> None:
    """Register every extension command on ``engine``."""
    engine.register("kgs-time_settings", partial(kgs_time_settings, engine))
    engine.register("final_status_list", partial(final_status_list, engine))
    engine.register("kgs-genmove_cleanup", partial(genmove_cleanup, engine))
    for fmt in FORMATS:
        engine.register(f"{fmt}-analyze", partial(analyze, engine, fmt))
        engine.register(f"{fmt}-genmove_analyze", partial(genmove_analyze, engine, fmt))


# --- time --------------------------------------------------------------------


def kgs_time_settings(engine: GTPEngine, args: list[str]) -> str:
    """``none``, ``absolute MAIN``, ``canadian MAIN PERIOD STONES`` or ``byoyomi MAIN PERIOD PERIODS``."""
    if not args or args[0].lower() not in KINDS:
        raise GTPError(f"{SYNTAX_ERROR} (expected one of {', '.join(KINDS)})")
    kind = args[0].lower()
    counts = {"none": 1, "absolute": 2, "canadian": 4, "byoyomi": 4}
    expect_args(args, counts[kind])
    main_time = parse_float(args[1]) if kind != "none" else 0.0
    period = parse_float(args[2]) if len(args) == 4 else 0.0
    count = parse_int(args[3]) if len(args) == 4 else 0
    if main_time < 0 or period < 0 or count < 0:
        raise GTPError(f"{SYNTAX_ERROR} (times and counts cannot be negative)")
    if kind != "none" and len(args) == 4 and (period == 0 or count == 0):
        kind = "absolute"  # no overtime to speak of
    stones, periods = (count, 0) if kind == "canadian" else (0, count)
    engine.timing.set_settings(TimeSettings(main_time, period, stones, kind, periods))
    return ""


# --- life and death ----------------------------------------------------------


def ownership_of(engine: GTPEngine, game: GameState) -> tuple[np.ndarray, np.ndarray | None]:
    """Ownership of ``game`` (black +1) and its neutral share: the player's network head
    if it has one (no neutral share), else playouts."""
    evaluator = getattr(engine.player, "evaluator", None)
    try:
        return estimate_ownership(game, evaluator, seed=OWNERSHIP_SEED)
    except (ValueError, RuntimeError) as err:  # a network for another board, say
        print(f"gtp: ownership from playouts ({err})", file=engine.log)
        return estimate_ownership(game, None, seed=OWNERSHIP_SEED)


def final_status_list(engine: GTPEngine, args: list[str]) -> str:
    """The stones of that status, one chain per line (as GNU Go answers)."""
    expect_args(args, 1)
    wanted = args[0].lower()
    if wanted not in STATUSES:
        raise GTPError(f"{SYNTAX_ERROR} (status must be alive, dead or seki)")
    game = engine.game
    judged = chain_statuses(game, *ownership_of(engine, game))
    return "\n".join(
        " ".join(flat_to_gtp(m, game.size) for m in stones) for status, stones in judged if status == wanted
    )


def genmove_cleanup(engine: GTPEngine, args: list[str]) -> str:
    """``genmove`` that does not pass while dead opponent stones stand in its area:
    it takes them off first, so that Tromp-Taylor scoring counts the area right."""
    expect_args(args, 1)
    color = parse_color(args[0])
    engine.game.resume()
    view = engine.game.copy()
    view.to_play = color
    move = cleanup_move(view, color, ownership_of(engine, view)[0])
    if move is None:
        return engine._move_text(engine.genmove_and_play(color))
    engine.game.play(move, color)
    engine.generated.add(color)
    return flat_to_gtp(move, engine.size)


# --- analysis ----------------------------------------------------------------


def _session(engine: GTPEngine, fmt: str, args: list[str]) -> tuple[AnalysisSession, int]:
    """The analysis session the arguments ask for, and the colour analysed."""
    if not hasattr(engine.player, "search_more"):
        raise GTPError("analysis needs a search player (--player mcts or --model PATH)")
    trained = getattr(getattr(engine.player, "evaluator", None), "size", engine.size)
    if trained != engine.size:  # say so now: once the answer has begun, it cannot be an error
        raise GTPError(f"the network plays {trained}x{trained}, not {engine.size}x{engine.size}")
    try:
        request = parse_request(fmt, args, parse_color, parse_int)
    except ValueError as err:
        raise GTPError(f"{SYNTAX_ERROR} ({err})") from None
    color = request.color or engine.game.to_play
    view = engine.game.copy()
    view.resume()
    view.to_play = color
    # Ownership of the game as it stands (whoever is to move there), shown for the analysed player.
    sign = 1.0 if color == BLACK else -1.0
    game = engine.game.copy()
    game.resume()
    session = AnalysisSession(engine.player, view, request, ownership=lambda: sign * ownership_of(engine, game)[0])
    return session, color


def analyze(engine: GTPEngine, fmt: str, args: list[str]) -> Streamed:
    """``lz-analyze``/``kata-analyze``/``dosaku-analyze``: lines until the next command."""
    session, _ = _session(engine, fmt, args)
    return Streamed(session.run)


def genmove_analyze(engine: GTPEngine, fmt: str, args: list[str]) -> Streamed:
    """``genmove`` with analysis lines while it searches, then ``play MOVE``."""
    session, color = _session(engine, fmt, args)

    def run(emit, interrupted) -> str:  # a genmove is not interrupted by the next command
        move = engine.genmove_and_play(color, watch=session.watcher(emit))
        return f"play {engine._move_text(move)}"

    return Streamed(run)
