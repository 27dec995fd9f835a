"""Games and matches (arena/match.py), engines as players (gtp/player.py), and the
search player behind ``dosaku gtp --player mcts``, over GTP against GNU Go and Dosaku itself.

Small boards keep games to a fraction of a second; GNU Go tests skip without it
(and fail with DOSAKU_REQUIRE_GNUGO=1, see conftest.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from arena.match import IllegalPlayerMoveError, play_game, play_match, play_out
from cli.main import build_parser
from engine.coords import gtp_to_flat
from engine.game import BLACK, EMPTY, WHITE, GameState
from gtp.client import GTPClient
from gtp.player import GTPPlayer
from mcts.evaluators import RolloutEvaluator
from mcts.players import RESIGN, Decision, MCTSPlayer, RandomPlayer

REPO_ROOT = Path(__file__).resolve().parents[1]


class ScriptedPlayer:
    """Plays the given GTP vertices in order, then passes."""

    def __init__(self, name: str, vertices: list[str]):
        self.name, self.vertices = name, list(vertices)

    def genmove(self, game: GameState) -> Decision:
        vertex = self.vertices.pop(0) if self.vertices else "pass"
        return Decision(RESIGN if vertex == "resign" else gtp_to_flat(vertex, game.size))


# --- play_game ------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_random_games_end_and_are_scored_as_the_rules_score_them(seed):
    game = play_game(RandomPlayer(seed), RandomPlayer(seed + 100), size=7, komi=7.5)
    assert game.is_over()
    assert game.consecutive_passes >= 2 or len(game.moves) == 3 * 7 * 7
    score = game.score()
    assert game.winner() == (BLACK if score > 0 else WHITE)
    assert game.result() == (f"B+{score:g}" if score > 0 else f"W+{-score:g}")
    # The referee's record replays to the same position.
    assert game.replayed(game.moves).hash() == game.hash()


def test_a_resignation_ends_the_game_for_the_other_colour():
    game = play_game(ScriptedPlayer("b", ["C3"]), ScriptedPlayer("w", ["resign"]), size=5)
    assert game.result() == "B+R" and game.winner() == BLACK
    assert game.moves == [(BLACK, gtp_to_flat("C3", 5))]


def test_an_illegal_move_names_the_player_and_the_move():
    with pytest.raises(IllegalPlayerMoveError, match=r"clumsy \(white\) chose an illegal move C3: occupied"):
        play_game(ScriptedPlayer("steady", ["C3"]), ScriptedPlayer("clumsy", ["C3"]), size=5)


def test_players_get_a_copy_of_the_game():
    class Vandal(RandomPlayer):
        def genmove(self, game):
            decision = super().genmove(game)
            game.play(decision.move)  # plays on its copy, not on the referee's game
            return decision

    # Had the vandal played on the referee's game, the referee would find the point taken.
    assert play_game(Vandal(1), RandomPlayer(2), size=5).is_over()


def test_the_move_cap_ends_a_game():
    game = play_game(RandomPlayer(1), RandomPlayer(2), size=9, max_moves=10)
    assert len(game.moves) == 10 and game.is_over()


# --- play_match -----------------------------------------------------------------


def test_colours_alternate_and_the_tally_adds_up():
    match = play_match(RandomPlayer(1), RandomPlayer(2), games=6, size=5, komi=0)
    assert [record.black for record in match.games] == ["random#1", "random#2"] * 3
    assert [record.white for record in match.games] == ["random#2", "random#1"] * 3
    for record in match.games:
        winner = record.game.winner()
        expected = None if winner == EMPTY else record.black if winner == BLACK else record.white
        assert record.winner == expected
        assert record.result == record.game.result() and record.moves == len(record.game.moves)
    summary = match.summary()
    assert summary["wins_a"] + summary["wins_b"] + summary["draws"] == 6
    assert summary["black_wins"] + summary["white_wins"] + summary["draws"] == 6


def test_rollout_search_beats_the_random_player():
    # 200 simulations on 7x7, komi 7.5: over seeds 0-5 the search won 8 to 10 of
    # 10 (its losses are games where one-playout leaves misled it); 7 leaves room.
    search = MCTSPlayer(RolloutEvaluator(1, seed=3), simulations=200, seed=3, name="rollouts")
    match = play_match(search, RandomPlayer(103), games=10, size=7, komi=7.5)
    assert match.wins_a >= 7, [record.result for record in match.games]


# --- engines over GTP -------------------------------------------------------------


def test_gnu_go_level_1_plays_whole_games_through_gtp_player(gnugo):
    # --capture-all-dead: under Tromp-Taylor scoring, dead stones left on the board count.
    engine = GTPPlayer(gnugo(5, 7.5, "--level", "1", "--capture-all-dead"), name="gnugo")
    match = play_match(engine, RandomPlayer(7), games=2, size=5, komi=7.5)
    assert [record.game.is_over() for record in match.games] == [True, True]
    assert match.wins_a == 2, [record.result for record in match.games]
    # The engine's board follows the referee's, including the second game's restart.
    final = match.games[-1].game
    engine.sync(final)
    for color, name in ((BLACK, "black"), (WHITE, "white")):
        stones = engine.client.send(f"list_stones {name}").split()
        assert sorted(gtp_to_flat(vertex, 5) for vertex in stones) == final.stones(color)


def dosaku_gtp(*args: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", "gtp", *args]


def test_dosaku_gtp_mcts_answers_genmove_and_plays_a_game():
    # The timeout turns a hung search into a failure; the first call loads kernels.
    with GTPClient(dosaku_gtp("--player", "mcts", "--sims", "50", "--size", "5"), timeout=120) as client:
        assert client.send("genmove b").upper() != "RESIGN"
        client.send("clear_board")
        player = GTPPlayer(client, name="dosaku-mcts")
        match = play_match(player, RandomPlayer(5), games=2, size=5, komi=7.5)
        assert len(match.games) == 2


def test_dosaku_gtp_mcts_searches_for_whoever_genmove_asks_for():
    # A5 is suicide for white. The tree searched for black, reused for white, plays
    # moves illegal for white inside the search: with these settings its rollouts
    # hung (without the guard in cli/gtp.py). Every answer must be legal for its colour.
    with GTPClient(dosaku_gtp("--player", "mcts", "--sims", "2000", "--size", "5"), timeout=60) as client:
        client.send_many(["komi 0.5", "play b B5", "play b A4", "play w E1"])
        for color in ("b", "w"):
            vertex = client.send(f"reg_genmove {color}")
            assert vertex.lower() == "pass" or client.send(f"is_legal {color} {vertex}") == "1", color
        # genmove plays the move; the engine answers '?' if its player chose an illegal one.
        for color in ("w", "w", "b", "w"):
            client.send(f"genmove {color}")


def test_cli_options_of_the_search_player():
    from arena.player_spec import make_player
    from cli.players import options_spec

    args = build_parser().parse_args(["gtp", "--player", "mcts"])
    assert (args.sims, args.playouts) == (None, 1)
    assert make_player(options_spec(args), 0).config.simulations == 1000  # rollout search's default
    args = build_parser().parse_args(["play", "--player", "mcts", "--sims", "20", "--playouts", "2"])
    assert (args.player, args.sims, args.playouts) == ("mcts", 20, 2)
    for bad in (["gtp", "--sims", "0"], ["play", "--playouts", "-1"], ["gtp", "--sims", "many"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(bad)


def test_play_out_keeps_the_moves_before_a_player_fails():
    class Breaks(RandomPlayer):
        def genmove(self, game):
            if len(game.moves) >= 4:
                raise RuntimeError("engine gone")
            return super().genmove(game)

    game = GameState(5, 7.5, 75)
    with pytest.raises(RuntimeError, match="engine gone"):
        play_out(game, Breaks(1), RandomPlayer(2))
    assert len(game.moves) == 4 and not game.is_over()  # the partial game, for the record of an aborted one
