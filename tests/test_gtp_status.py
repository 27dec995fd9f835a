"""Life and death at the end of a game (gtp/status.py) and the GTP commands on it:
``final_status_list`` and ``kgs-genmove_cleanup``, on positions from diagrams.

Vertices are GTP's (``A1`` bottom-left); ``X`` black, ``O`` white.
"""

from __future__ import annotations

import io

import numpy as np

from engine.coords import flat_to_gtp, gtp_to_flat
from engine.diagram import game_from_diagram
from engine.game import BLACK, WHITE, score_text
from gtp.build import build_engine
from gtp.engine import GTPEngine
from gtp.status import (
    chain_statuses,
    chains,
    cleanup_move,
    estimate_ownership,
    playout_estimate,
    playout_ownership,
)
from mcts.evaluators import UniformEvaluator
from mcts.players import MCTSPlayer, RandomPlayer
from tests.positions import INTRUDERS, SETTLED

# A seki on the top edge: black E9 and white's C9-G9 chain share the liberties D9 and
# F9; whoever plays there puts its own chain in atari. Both big groups live.
SEKI = """
    . X O . X . O X .
    X X O O O O O X X
    . X X X X X X X .
    X X X X X X X X X
    O O O O O O O O O
    . O . O . O . O .
    O O O O O O O O O
    . O . O . O . O .
    O O O O O O O O O"""


def engine_on(diagram: str, player=None, to_play: int = BLACK, komi: float = 0.5) -> GTPEngine:
    engine = build_engine(player or RandomPlayer(3), size=9, komi=komi, log=io.StringIO())
    engine.game = game_from_diagram(diagram, komi=komi, to_play=to_play)
    engine.size = engine.game.size
    return engine


def answer(engine: GTPEngine, line: str) -> str:
    response = engine.handle_line(line)
    assert response.startswith("= ") and response.endswith("\n\n"), response
    return response[2:-2]


def vertices(text: str) -> set[str]:
    return set(text.split())


def test_playout_ownership_gives_each_side_its_area_and_the_intruders_to_the_other():
    game = game_from_diagram(INTRUDERS, komi=0.5)
    ownership, neutral = playout_estimate(game, seed=1)
    point = {v: ownership[gtp_to_flat(v, 9)] for v in ("A9", "D5", "E5", "J1", "G6", "B5")}
    assert point["A9"] > 0.9 and point["D5"] > 0.9  # black's
    assert point["E5"] < -0.9 and point["J1"] < -0.9  # white's
    assert point["G6"] < -0.9  # the black intruder's point is white's in the end
    assert point["B5"] > 0.9
    assert np.all(neutral < 0.1)  # no seki, no dame
    assert np.array_equal(ownership, playout_ownership(game, seed=1))  # reproducible


def test_final_status_list_names_the_dead_intruders_and_the_living_groups():
    engine = engine_on(INTRUDERS)
    assert vertices(answer(engine, "final_status_list dead")) == {"G6", "B5"}
    alive = vertices(answer(engine, "final_status_list alive"))
    board = vertices(answer(engine, "list_stones b")) | vertices(answer(engine, "list_stones w"))
    assert alive == board - {"G6", "B5"}
    assert answer(engine, "final_status_list seki") == ""
    dead_lines = answer(engine, "FINAL_STATUS_LIST DEAD").split("\n")
    assert sorted(dead_lines) == ["B5", "G6"]  # one chain per line
    for bad in ("final_status_list", "final_status_list undead", "final_status_list dead alive"):
        assert engine.handle_line(bad).startswith("? syntax error")


def test_a_dead_chain_of_several_stones_is_listed_whole_on_one_line():
    engine = engine_on(INTRUDERS.replace(". . O .\n", ". X O .\n", 1))
    assert answer(engine, "final_status_list dead").split("\n") == ["G7 G6", "B5"]


def test_statuses_are_colour_symmetric():
    flipped = INTRUDERS.replace("X", "b").replace("O", "X").replace("b", "O")
    engine = engine_on(flipped, to_play=WHITE)
    assert vertices(answer(engine, "final_status_list dead")) == {"G6", "B5"}


def test_a_seki_is_listed_as_seki_and_its_neighbours_alive():
    engine = engine_on(SEKI)
    seki = answer(engine, "final_status_list seki").split("\n")
    assert sorted(seki) == ["C9 G9 C8 D8 E8 F8 G8", "E9"]
    assert answer(engine, "final_status_list dead") == ""
    assert "A8" in vertices(answer(engine, "final_status_list alive"))


def test_seki_from_a_network_s_ownership_is_shared_ownership_next_to_a_neutral_point():
    # Judged from an ownership map alone (as a network gives it, with no neutral share).
    game = game_from_diagram("\n".join(["X . O . ."] * 5))
    ownership = np.zeros(25)
    statuses = [status for status, _ in chain_statuses(game, ownership)]
    assert statuses == ["seki", "seki"]  # owned by neither, next to the dame of column B
    ownership[:] = -1.0  # white's all over: the black chain is dead, white's alive
    assert [status for status, _ in chain_statuses(game, ownership)] == ["dead", "alive"]
    ownership[:] = 0.9
    assert [status for status, _ in chain_statuses(game, ownership)] == ["alive", "dead"]


def test_chains_have_their_stones_and_liberties():
    game = game_from_diagram("""
        X X .
        O . .
        . . .""")
    found = {(color, tuple(flat_to_gtp(m, 3) for m in stones)): {flat_to_gtp(m, 3) for m in libs}
             for color, stones, libs in chains(game)}  # fmt: skip
    assert found == {(BLACK, ("A3", "B3")): {"C3", "B2"}, (WHITE, ("A2",)): {"B2", "A1"}}


def test_ownership_comes_from_a_network_head_when_the_player_has_one():
    class HeadOnly:
        has_ownership, size = True, 7

        def evaluate_full(self, features, legal):
            class Answer:  # the player to move owns the top half
                ownership = np.where(np.arange(49) < 21, 1.0, -1.0)[None].astype(np.float32)

            return Answer()

    game = game_from_diagram("\n".join([". . X O . . ."] * 7), to_play=WHITE)
    ownership, neutral = estimate_ownership(game, HeadOnly())
    assert neutral is None
    assert ownership[0] == -1.0 and ownership[48] == 1.0  # white to move: signs flip to black's view
    from_playouts, neutral = estimate_ownership(game, UniformEvaluator())  # no head: playouts
    assert neutral is not None and not np.array_equal(from_playouts, ownership)


# --- clean-up ------------------------------------------------------------------------


def test_cleanup_move_attacks_the_dead_stone_in_its_own_area():
    game = game_from_diagram(INTRUDERS, komi=0.5)
    ownership = playout_ownership(game)
    assert flat_to_gtp(cleanup_move(game, WHITE, ownership), 9) in {"F6", "G7", "G5"}  # a liberty of G6
    assert flat_to_gtp(cleanup_move(game, BLACK, ownership), 9) in {"A5", "C5"}  # one of B5
    settled = game_from_diagram(SETTLED)
    assert cleanup_move(settled, BLACK, playout_ownership(settled)) is None
    assert cleanup_move(settled, WHITE, playout_ownership(settled)) is None


def test_genmove_cleanup_captures_before_passing_so_the_score_is_right():
    player = MCTSPlayer(UniformEvaluator(), simulations=16, seed=2)
    engine = engine_on(INTRUDERS, player=player, to_play=WHITE)
    settled = game_from_diagram(SETTLED, komi=0.5)
    # Tromp-Taylor counts the intruders where they stand, and the areas they touch for nobody;
    # final_score takes them off first, so it already gives the settled count.
    assert answer(engine, "dosaku-tromp_taylor_score") != score_text(settled.score())
    assert answer(engine, "final_score") == score_text(settled.score())
    for _ in range(3):  # G6 has three liberties; black does not defend it
        assert answer(engine, "kgs-genmove_cleanup w") != "pass"
        answer(engine, "play b pass")
        if "G6" not in vertices(answer(engine, "list_stones b")):
            break
    assert "G6" not in vertices(answer(engine, "list_stones b"))
    for _ in range(2):  # B5 has two
        assert answer(engine, "kgs-genmove_cleanup b") != "pass"
        answer(engine, "play w pass")
        if "B5" not in vertices(answer(engine, "list_stones w")):
            break
    assert "B5" not in vertices(answer(engine, "list_stones w"))
    assert answer(engine, "final_status_list dead") == ""
    assert answer(engine, "final_score") == score_text(settled.score())
    assert answer(engine, "dosaku-tromp_taylor_score") == score_text(settled.score())  # nothing left to remove
    assert engine.handle_line("kgs-genmove_cleanup purple").startswith("? syntax error")
