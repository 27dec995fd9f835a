"""Dead stones at the end of a game: ``final_status_list`` (which chains are alive,
dead or in seki); the engine's count of a finished game (``final_score``, and the
``RE`` of ``printsgf``) made as GNU Go and KataGo make it, the dead stones taken off
first; ``dosaku-tromp_taylor_score`` (the count of the board as it stands, as
self-play scores its games); ``kgs-genmove_cleanup`` (capture the dead before
passing). The judging is ``gtp/status.py``'s."""

from __future__ import annotations

from functools import partial

from engine.coords import flat_to_gtp
from engine.game import GameState, score_text
from engine.ruleset import SGF_RULES_DEAD_REMOVED
from gtp.arguments import expect_args, parse_color
from gtp.engine import GTPEngine
from gtp.protocol import SYNTAX_ERROR, GTPCommandError
from gtp.status import FINAL_DEAD_BELOW, STATUSES, cleanup_move, final_ownership, final_statuses, score_without


def register(engine: GTPEngine) -> None:
    """Add ``final_status_list``, ``dosaku-tromp_taylor_score`` and ``kgs-genmove_cleanup``
    to ``engine``, and make it count finished games (``final_score``, ``printsgf``'s
    ``RE``) with the dead stones taken off first."""
    engine.count = partial(count_without_dead, engine)
    engine.sgf_rules = SGF_RULES_DEAD_REMOVED
    engine.register("dosaku-tromp_taylor_score", partial(tromp_taylor_score, engine))
    engine.register("final_status_list", partial(final_status_list, engine))
    engine.register("kgs-genmove_cleanup", partial(genmove_cleanup, engine))


def final_status_list(engine: GTPEngine, args: list[str]) -> str:
    """The stones of that status, one chain per line (as GNU Go answers)."""
    expect_args(args, 1)
    wanted = args[0].lower()
    if wanted not in STATUSES:
        raise GTPCommandError(f"{SYNTAX_ERROR} (status must be alive, dead or seki)")
    game = engine.game
    return "\n".join(
        " ".join(flat_to_gtp(m, game.size) for m in stones)
        for status, stones in final_statuses(engine.player, game, engine.log)
        if status == wanted
    )


def count_without_dead(engine: GTPEngine, game: GameState) -> float:
    """The area score once the stones ``final_status_list dead`` names are off the board."""
    dead = [m for status, stones in final_statuses(engine.player, game, engine.log) if status == "dead" for m in stones]
    return score_without(game, dead)


def tromp_taylor_score(engine: GTPEngine, args: list[str]) -> str:
    """Tromp-Taylor's count of the board as it stands, every stone alive."""
    expect_args(args, 0)
    return score_text(engine.game.score())


def genmove_cleanup(engine: GTPEngine, args: list[str]) -> str:
    """``genmove`` that does not pass while dead opponent stones stand in its area:
    it takes them off first, so that Tromp-Taylor scoring counts the area right."""
    expect_args(args, 1)
    color = parse_color(args[0])
    engine.game.resume()
    view = engine.game.copy()
    view.to_play = color
    ownership, _ = final_ownership(engine.player, view, engine.log)
    move = cleanup_move(view, color, ownership, dead_below=FINAL_DEAD_BELOW)
    if move is None:
        return engine.move_text(engine.genmove_and_play(color))
    engine.game.play(move, color)
    engine.generated.add(color)
    return flat_to_gtp(move, engine.size)
