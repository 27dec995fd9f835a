"""The bots behind ``--player``/``--model`` of ``dosaku play`` and ``dosaku gtp``."""

import subprocess
import sys

import pytest

from cli.main import build_parser
from cli.play import resolve_size
from cli.players import make_player
from mcts.players import MCTSPlayer


def test_model_implies_the_network_player_and_its_board_size(model_5x5):
    args = build_parser().parse_args(["play", "--model", model_5x5])
    player = make_player(args, seed=1)
    assert isinstance(player, MCTSPlayer) and player.config.simulations == 200
    assert resolve_size(args.size, args.model) == 5


def test_bad_player_combinations_are_one_line_errors(model_5x5):
    with pytest.raises(ValueError, match="needs --model"):
        make_player(build_parser().parse_args(["play", "--player", "net"]), 0)
    with pytest.raises(ValueError, match="for the net player"):
        make_player(build_parser().parse_args(["play", "--player", "mcts", "--model", model_5x5]), 0)
    with pytest.raises(ValueError, match="plays 5x5, not 9x9"):
        resolve_size(9, model_5x5)
    assert isinstance(make_player(build_parser().parse_args(["gtp"]), 0), MCTSPlayer)  # rollout search without a model


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
    from cli.match import make_player as match_player

    player = match_player(f"net:{model_5x5},sims=4", seed=0)
    assert isinstance(player, MCTSPlayer) and player.config.simulations == 4
    with pytest.raises(ValueError, match="bad setting 'playouts=2'"):
        match_player(f"net:{model_5x5},playouts=2", seed=0)
