"""Players spelled as text (arena/player_spec.py), as ``dosaku match`` and ``dosaku arena`` take them."""

from __future__ import annotations

import pytest

from arena.player_spec import (
    GNUGO_RULE_FLAGS,
    RANDOM,
    check_available,
    checkpoint_step,
    make_player,
    parse_player_spec,
    search_spec,
)
from gtp.player import GTPPlayer
from mcts.players import MCTSPlayer, RandomPlayer
from tests.conftest import TINY_5X5_STEP


def test_random_and_rollout_search_spellings():
    assert parse_player_spec("random") == RANDOM
    spec = parse_player_spec("mcts:sims=50,playouts=2")
    assert (spec.kind, spec.name, spec.sims, spec.playouts) == ("mcts", "mcts:sims=50,playouts=2", 50, 2)
    assert parse_player_spec("mcts").sims == 1000
    player = make_player(spec, seed=3)
    assert isinstance(player, MCTSPlayer) and player.config.simulations == 50 and player.name == spec.name
    assert player.config.temperature_moves == 0  # rollout search varies by its seed: no opening drawn by visits
    assert isinstance(make_player(RANDOM, 1), RandomPlayer)


def test_a_checkpoint_path_with_settings_and_the_older_net_spelling(model_5x5):
    new = parse_player_spec(f"{model_5x5}:sims=16,opening=3")
    old = parse_player_spec(f"net:{model_5x5},sims=16,opening=3")
    for spec in (new, old):
        assert (spec.kind, spec.path, spec.sims, spec.opening, spec.score_utility) == ("net", model_5x5, 16, 3, 0.0)
    default = parse_player_spec(model_5x5)
    assert (default.sims, default.opening, default.score_utility) == (200, None, 0.0)
    player = make_player(new, seed=0, size=5)
    assert player.config.simulations == 16 and player.config.temperature_moves == 3
    # A network varies its openings by default: max(2, N // 2) moves drawn by visits.
    assert make_player(default, seed=0, size=5).config.temperature_moves == 2
    assert checkpoint_step(new) == TINY_5X5_STEP and checkpoint_step(parse_player_spec("random")) is None
    with pytest.raises(ValueError, match="for 5x5, expected 9x9"):
        make_player(new, seed=0, size=9)


def test_a_spec_built_from_settings_keeps_the_defaults_and_spells_itself(model_5x5):
    spec = search_spec("net", "dosaku-net", path=model_5x5, sims=None, opening=0, score_utility=0.2)
    assert (spec.name, spec.sims, spec.opening, spec.score_utility) == ("dosaku-net", 200, 0, 0.2)
    assert spec.text == f"net:{model_5x5},sims=200,opening=0,score_utility=0.2"
    spelled = parse_player_spec(spec.text)
    assert (spelled.kind, spelled.path, spelled.sims, spelled.opening, spelled.score_utility) == (
        "net", model_5x5, 200, 0, 0.2)  # fmt: skip
    assert search_spec("mcts", "rollout", opening=3).text == "mcts:sims=1000,playouts=1,opening=3"
    with pytest.raises(TypeError, match="no setting playouts"):
        search_spec("net", "net", path=model_5x5, playouts=2)


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
    with make_player(parse_player_spec(f"gtp:{gnugo_path} --mode gtp --level 1"), seed=0) as player:
        assert isinstance(player, GTPPlayer) and player.name == "gnugo --mode gtp --level 1"
        assert "--capture-all-dead" in player.client.command
        assert player.client.send("name").lower().startswith("gnu go")
