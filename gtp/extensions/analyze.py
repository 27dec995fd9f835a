"""Live analysis commands: ``lz-analyze``, ``kata-analyze``, ``dosaku-analyze`` and
their ``*-genmove_analyze`` forms. Formats and the searching session are
``gtp/analysis.py``'s; analysis needs an anytime search player."""

from __future__ import annotations

from functools import partial

from engine.game import BLACK
from gtp.analysis import FORMATS, AnalysisSession, parse_request
from gtp.arguments import parse_color, parse_int, parse_vertex
from gtp.engine import GTPEngine
from gtp.protocol import SYNTAX_ERROR, GTPCommandError, Streamed
from gtp.status import player_ownership


def register(engine: GTPEngine) -> None:
    """Add both analysis commands of every format to ``engine``."""
    for fmt in FORMATS:
        engine.register(f"{fmt}-analyze", partial(analyze, engine, fmt))
        engine.register(f"{fmt}-genmove_analyze", partial(genmove_analyze, engine, fmt))


def _session(engine: GTPEngine, fmt: str, args: list[str]) -> tuple[AnalysisSession, int]:
    """The analysis session the arguments ask for, and the colour analysed."""
    if not hasattr(engine.player, "search_more"):
        raise GTPCommandError("analysis needs a search player (--player mcts or --model PATH)")
    trained = getattr(getattr(engine.player, "evaluator", None), "size", engine.size)
    if trained != engine.size:  # say so now: once the answer has begun, it cannot be an error
        raise GTPCommandError(f"the network plays {trained}x{trained}, not {engine.size}x{engine.size}")
    try:
        request = parse_request(fmt, args, parse_color, parse_int, lambda text: parse_vertex(text, engine.size))
    except ValueError as err:
        raise GTPCommandError(f"{SYNTAX_ERROR} ({err})") from None
    color = request.color or engine.game.to_play
    view = engine.game.copy()
    view.resume()
    view.to_play = color
    # Ownership of the game as it stands (whoever is to move there), shown for the analysed player.
    sign = 1.0 if color == BLACK else -1.0
    game = engine.game.copy()
    game.resume()
    session = AnalysisSession(
        engine.player, view, request, ownership=lambda: sign * player_ownership(engine.player, game, engine.log)[0]
    )
    return session, color


def _banned(engine: GTPEngine, session: AnalysisSession, search):
    """Run ``search`` under the session's avoid/allow: they hold for this command only."""
    engine.player.banned_until = session.bans()
    try:
        return search()
    finally:
        engine.player.banned_until = None


def analyze(engine: GTPEngine, fmt: str, args: list[str]) -> Streamed:
    """``lz-analyze``/``kata-analyze``/``dosaku-analyze``: lines until the next command."""
    session, _ = _session(engine, fmt, args)
    return Streamed(lambda emit, interrupted: _banned(engine, session, partial(session.run, emit, interrupted)))


def genmove_analyze(engine: GTPEngine, fmt: str, args: list[str]) -> Streamed:
    """``genmove`` with analysis lines while it searches, then ``play MOVE``."""
    session, color = _session(engine, fmt, args)

    def run(emit, interrupted) -> str:  # a genmove is not interrupted by the next command
        move = _banned(engine, session, partial(engine.genmove_and_play, color, watch=session.watcher(emit)))
        return f"play {engine.move_text(move)}"

    return Streamed(run)
