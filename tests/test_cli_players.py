"""The bots behind ``--player``/``--model`` of ``dosaku play`` and ``dosaku gtp``."""

import subprocess
import sys

import pytest

from arena.player_spec import NET_DEFAULT_SIMS, make_player, parse_player_spec
from cli.main import build_parser
from cli.play import resolve_size
from cli.players import options_spec
from mcts.players import MCTSPlayer, RandomPlayer


def test_model_implies_the_network_player_and_its_board_size(model_5x5):
    args = build_parser().parse_args(["play", "--model", model_5x5])
    player = make_player(options_spec(args), seed=1)
    assert isinstance(player, MCTSPlayer) and player.config.simulations == NET_DEFAULT_SIMS == 200
    # Facing a person, the network plays its most visited move from the first (a spelled one draws its opening).
    assert (player.name, player.config.temperature_moves) == ("dosaku-net", 0)
    assert resolve_size(args.size, args.model) == 5


def test_the_options_spell_the_same_players_as_the_arena():
    mcts = options_spec(build_parser().parse_args(["play", "--player", "mcts", "--sims", "20", "--playouts", "2"]))
    assert (mcts.kind, mcts.name, mcts.sims, mcts.playouts, mcts.opening) == ("mcts", "mcts", 20, 2, 0)
    spelled = parse_player_spec(mcts.text)  # the equivalent spelling, for records and messages
    assert (spelled.sims, spelled.playouts, spelled.opening) == (20, 2, 0)
    assert options_spec(build_parser().parse_args(["play"])).sims == 1000  # dosaku play's default bot
    random = make_player(options_spec(build_parser().parse_args(["play", "--player", "random"])), seed=4)
    assert isinstance(random, RandomPlayer)


def test_bad_player_combinations_are_one_line_errors(model_5x5):
    with pytest.raises(ValueError, match="needs --model"):
        options_spec(build_parser().parse_args(["play", "--player", "net"]))
    with pytest.raises(ValueError, match="for the net player"):
        options_spec(build_parser().parse_args(["play", "--player", "mcts", "--model", model_5x5]))
    with pytest.raises(ValueError, match="plays 5x5, not 9x9"):
        resolve_size(9, model_5x5)
    rollouts = make_player(options_spec(build_parser().parse_args(["gtp"])), 0)  # no model: rollout search
    assert isinstance(rollouts, MCTSPlayer)


def test_gtp_with_a_model_plays_legal_moves(model_5x5):
    commands = "genmove b\ngenmove w\nshowboard\nquit\n"
    done = subprocess.run([sys.executable, "-m", "cli.main", "gtp", "--model", model_5x5, "--sims", "8"],
                          input=commands, capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    answers = [block for block in done.stdout.split("\n\n") if block.strip()]
    assert all(a.startswith("=") for a in answers), done.stdout
    assert answers[0] != "= resign" and answers[1] != "= resign"


def test_a_missing_model_is_a_one_line_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "cli.main", "gtp", "--model", str(tmp_path / "none.pt")],
                          input="quit\n", capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "does not exist" in done.stderr


def test_match_spells_a_network_player(model_5x5):
    player = make_player(parse_player_spec(f"net:{model_5x5},sims=4"), seed=0)
    assert isinstance(player, MCTSPlayer) and player.config.simulations == 4
    with pytest.raises(ValueError, match="bad setting 'playouts=2'"):
        parse_player_spec(f"net:{model_5x5},playouts=2")
