"""The shipped 5x5 network knows the solved game (van der Werf 2003: black opens at the
centre and wins the whole board, B+25 at komi 0), learned from self-play alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from arena.match import play_game
from arena.player_spec import make_player, parse_player_spec
from engine.coords import flat_to_gtp
from engine.game import GameState
from nets.checkpoint import load_checkpoint
from nets.evaluator import NetEvaluator

MODEL = Path(__file__).resolve().parents[1] / "models" / "5x5.pt"


def test_it_opens_at_the_centre_with_400_simulations():
    player = make_player(parse_player_spec(f"{MODEL}:sims=400"), seed=0, size=5)
    game = GameState(5, komi=0.0)
    assert flat_to_gtp(player.genmove(game).move, 5) == "C3"


def test_its_score_head_sees_black_winning_about_the_whole_board():
    checkpoint = load_checkpoint(MODEL)
    evaluator = NetEvaluator(checkpoint.model, backend="torch")
    features = GameState(5, komi=0.0).features(version=checkpoint.config.features)[None]
    evaluation = evaluator.evaluate_full(features, np.ones((1, 26), bool))
    assert 20.0 <= float(evaluation.score[0]) <= 25.5  # black to move: black's lead
    assert float(evaluation.values[0]) > 0.9


def test_playing_itself_it_reaches_black_plus_25():
    spec = parse_player_spec(f"{MODEL}:sims=400")
    game = play_game(make_player(spec, seed=1, size=5), make_player(spec, seed=2, size=5), size=5, komi=0.0)
    assert game.result() == "B+25"
