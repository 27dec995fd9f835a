"""Dead stones at the end of a game: ``final_status_list`` (which chains are alive,
dead or in seki) and ``kgs-genmove_cleanup`` (capture the dead before passing).
The judging is ``gtp/status.py``'s."""

from __future__ import annotations

from functools import partial

from engine.coords import flat_to_gtp
from gtp.arguments import expect_args, parse_color
from gtp.engine import GTPEngine
from gtp.protocol import SYNTAX_ERROR, GTPCommandError
from gtp.status import STATUSES, chain_statuses, cleanup_move, player_ownership


def register(engine: GTPEngine) -> None:
    """Add ``final_status_list`` and ``kgs-genmove_cleanup`` to ``engine``."""
    engine.register("final_status_list", partial(final_status_list, engine))
    engine.register("kgs-genmove_cleanup", partial(genmove_cleanup, engine))


def final_status_list(engine: GTPEngine, args: list[str]) -> str:
    """The stones of that status, one chain per line (as GNU Go answers)."""
    expect_args(args, 1)
    wanted = args[0].lower()
    if wanted not in STATUSES:
        raise GTPCommandError(f"{SYNTAX_ERROR} (status must be alive, dead or seki)")
    game = engine.game
    judged = chain_statuses(game, *player_ownership(engine.player, game, engine.log))
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
    move = cleanup_move(view, color, player_ownership(engine.player, view, engine.log)[0])
    if move is None:
        return engine.move_text(engine.genmove_and_play(color))
    engine.game.play(move, color)
    engine.generated.add(color)
    return flat_to_gtp(move, engine.size)
