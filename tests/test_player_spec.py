"""Players spelled as text (arena/player_spec.py), as ``dosaku match`` and ``dosaku arena`` take them."""

from __future__ import annotations

import pytest

from arena.player_spec import (
    GNUGO_RULE_FLAGS,
    build_player,
    check_available,
    checkpoint_step,
    make_player,
    parse_player_spec,
)
from gtp.player import GTPPlayer
from mcts.players import MCTSPlayer, RandomPlayer
from tests.conftest import TINY_5X5_STEP


def test_random_and_rollout_search_spellings():
    assert parse_player_spec("random").kind == "random"
    spec = parse_player_spec("mcts:sims=50,playouts=2")
    assert (spec.kind, spec.name, spec.settings) == (
        "mcts",
        "mcts:sims=50,playouts=2",
        {"sims": 50, "playouts": 2, "opening": 0},
    )
    assert parse_player_spec("mcts").settings["sims"] == 1000
    player = build_player(spec, seed=3)
    assert isinstance(player, MCTSPlayer) and player.config.simulations == 50 and player.name == spec.name
    assert isinstance(make_player("random", 1), RandomPlayer)


def test_a_checkpoint_path_with_settings_and_the_older_net_spelling(model_5x5):
    new = parse_player_spec(f"{model_5x5}:sims=16,opening=3")
    old = parse_player_spec(f"net:{model_5x5},sims=16,opening=3")
    for spec in (new, old):
        assert (spec.kind, spec.path, spec.settings) == ("net", model_5x5, {"sims": 16, "opening": 3,
                                                                           "score_utility": 0.0})  # fmt: skip
    assert parse_player_spec(model_5x5).settings == {"sims": 200, "opening": None, "score_utility": 0.0}
    player = build_player(new, seed=0, size=5)
    assert player.config.simulations == 16 and player.config.temperature_moves == 3
    # A network varies its openings by default: max(2, N // 2) moves drawn by visits.
    assert build_player(parse_player_spec(model_5x5), seed=0, size=5).config.temperature_moves == 2
    assert checkpoint_step(new) == TINY_5X5_STEP and checkpoint_step(parse_player_spec("random")) is None
    with pytest.raises(ValueError, match="for 5x5, expected 9x9"):
        build_player(new, seed=0, size=9)


def test_gnu_go_gets_the_rule_flags_it_lacks_and_no_others():
    spec = parse_player_spec('gtp:"/usr/games/gnugo" --mode gtp --level 1 --chinese-rules')
    assert spec.name == "gnugo --mode gtp --level 1 --chinese-rules"  # as typed, without the directory
    assert spec.added_flags == ("--capture-all-dead", "--positional-superko")
    assert spec.command[:5] == ("/usr/games/gnugo", "--mode", "gtp", "--level", "1")
    assert all(spec.command.count(flag) == 1 for flag in GNUGO_RULE_FLAGS)
    other = parse_player_spec("gtp:pachi -t =500")
    assert other.command == ("pachi", "-t", "=500") and other.added_flags == ()


@pytest.mark.parametrize(
    "text, message",
    [
        ("randomly", "unknown player"),
        ("random:sims=3", "unknown player"),
        ("mcts:sims=0", "bad setting 'sims=0'"),
        ("mcts:depth=3", "bad setting 'depth=3'"),
        ("net:", "unknown player"),
        ("gtp:", "unknown player"),
        ('gtp:"unclosed', "cannot split"),
        ("model.pt:playouts=2", "bad setting 'playouts=2'"),
    ],
)
def test_spellings_that_name_no_player_are_one_line_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_player_spec(text)


def test_missing_checkpoints_and_engines_are_found_before_any_game(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        check_available(parse_player_spec(f"{tmp_path / 'none.pt'}:sims=8"))
    with pytest.raises(ValueError, match="not found"):
        check_available(parse_player_spec("gtp:no-such-engine-here --gtp"))
    check_available(parse_player_spec("random"))


def test_a_checkpoint_for_another_board_is_refused_before_any_game(model_5x5):
    check_available(parse_player_spec(model_5x5), size=5)
    with pytest.raises(ValueError, match="for 5x5, expected 9x9"):
        check_available(parse_player_spec(model_5x5), size=9)


def test_a_gtp_spelling_builds_an_engine_player(gnugo_path):
    with build_player(parse_player_spec(f"gtp:{gnugo_path} --mode gtp --level 1"), seed=0) as player:
        assert isinstance(player, GTPPlayer) and player.name == "gnugo --mode gtp --level 1"
        assert "--capture-all-dead" in player.client.command
        assert player.client.send("name").lower().startswith("gnu go")
