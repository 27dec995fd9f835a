"""Anytime search and resigning in ``MCTSPlayer`` (mcts/players.py): chunks of
simulations until a stop rule says enough, search that goes on from the same tree,
and the resign rule (a low winrate several moves running, never in the opening)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.game import BLACK, WHITE, GameState
from mcts.evaluators import UniformEvaluator
from mcts.players import CHUNK_SIMULATIONS, RESIGN, MCTSPlayer, ResignRule
from mcts.search import SearchResult


def test_genmove_searches_in_chunks_until_the_stop_rule_says_enough():
    calls = []

    def stop(simulations, visits):
        calls.append((simulations, int(visits.sum())))
        return simulations >= 3 * CHUNK_SIMULATIONS

    player = MCTSPlayer(UniformEvaluator(), simulations=10_000, seed=1)
    decision = player.genmove(GameState(5), stop=stop)
    assert [c[0] for c in calls] == [CHUNK_SIMULATIONS, 2 * CHUNK_SIMULATIONS, 3 * CHUNK_SIMULATIONS]
    assert [c[1] for c in calls] == sorted(c[1] for c in calls)  # visits only grow
    assert decision.search.root_visits == 3 * CHUNK_SIMULATIONS
    assert 0 <= decision.move <= 25


def test_a_ceiling_on_simulations_is_exact_not_rounded_up_to_a_chunk():
    player = MCTSPlayer(UniformEvaluator(), simulations=10_000, seed=1)
    budget = 2 * CHUNK_SIMULATIONS + 5
    decision = player.genmove(GameState(5), stop=lambda simulations, visits: False, max_simulations=budget)
    assert decision.search.root_visits == budget


def test_a_full_tree_ends_a_timed_search():
    player = MCTSPlayer(UniformEvaluator(), simulations=20, seed=1)  # a tree of 42 nodes
    decision = player.genmove(GameState(5), stop=lambda simulations, visits: False)  # never says stop
    assert player.search.is_full(0) and decision.move >= 0


def test_analyze_and_search_more_keep_the_tree():
    player = MCTSPlayer(UniformEvaluator(), simulations=50, seed=1)
    game = GameState(5)
    search = player.analyze(game)
    player.search_more(40)
    first = search.result(0).root_visits
    assert player.analyze(game) is search  # the same position: the same tree
    player.search_more(40)
    assert search.result(0).root_visits == first + 40
    with pytest.raises(RuntimeError):
        MCTSPlayer(UniformEvaluator()).search_more(10)
    finished = GameState(5)
    finished.play(finished.pass_move)
    finished.play(finished.pass_move)
    with pytest.raises(ValueError):
        player.analyze(finished)


def test_node_memory_makes_room_beyond_the_nominal_simulations():
    player = MCTSPlayer(UniformEvaluator(), simulations=10, seed=1)
    player.node_memory = 2**20
    player.genmove(GameState(5))
    assert player.search.trees.capacity == 2**20 // (8 * 26)


class Hopeless:
    """A player whose search always sees ``winrate`` (stubbed search results)."""

    def __init__(self, rule: ResignRule, winrate: float):
        self.player = MCTSPlayer(UniformEvaluator(), simulations=8, resign=rule)
        self.result = SearchResult(np.zeros(82), np.zeros(82), 2 * winrate - 1, 100, [])

    def resigns(self, move_number: int, color: int = BLACK, size: int = 9) -> bool:
        game = GameState(size)
        for _ in range(move_number):  # passes make move numbers cheaply
            game.play(game.pass_move)
            if game.is_over():
                game.resume()
        game.to_play = color
        return self.player._should_resign(game, self.result)


def test_resign_rule_needs_several_hopeless_moves_in_a_row_after_the_opening():
    lost = Hopeless(ResignRule(winrate=0.05, moves=3, opening_fraction=0.25), winrate=0.01)
    opening = int(0.25 * 81)
    assert not lost.resigns(2) and not lost.resigns(4)
    assert not lost.resigns(6)  # three in a row, but still the opening
    assert lost.resigns(opening + 2)  # four in a row, past the opening


def test_resign_rule_counts_afresh_after_a_hopeful_move_or_a_new_game_and_can_be_off():
    rule = ResignRule(winrate=0.05, moves=2, opening_fraction=0.0)
    lost, fine = Hopeless(rule, 0.01), 0.5
    assert not lost.resigns(10)
    lost.result = SearchResult(np.zeros(82), np.zeros(82), 2 * fine - 1, 100, [])
    assert not lost.resigns(12)  # a hopeful look breaks the run
    lost.result = SearchResult(np.zeros(82), np.zeros(82), -0.98, 100, [])
    assert not lost.resigns(14)
    assert not lost.resigns(2)  # an earlier move number: a new game, the count starts over
    assert lost.resigns(4)
    assert not lost.resigns(6, color=WHITE)  # each colour counts for itself
    off = Hopeless(ResignRule(winrate=0.0, moves=1, opening_fraction=0.0), 0.0)
    assert not off.resigns(30)
    shallow = Hopeless(ResignRule(winrate=0.05, moves=1, opening_fraction=0.0, min_visits=1000), 0.01)
    assert not shallow.resigns(30)  # too small a search to give up on


def test_genmove_resigns_when_the_rule_is_met():
    class Losing(UniformEvaluator):
        def evaluate(self, features, legal):
            priors, _ = super().evaluate(features, legal)
            black_to_move = features[:, 16, 0, 0] == 1  # the colour plane
            return priors, np.where(black_to_move, -1.0, 1.0).astype(np.float32)  # black always loses

    player = MCTSPlayer(Losing(), simulations=64, seed=0, resign=ResignRule(0.05, 1, 0.0, 10))
    assert player.genmove(GameState(5)).move == RESIGN
    keeps_playing = MCTSPlayer(Losing(), simulations=64, seed=0)
    assert keeps_playing.genmove(GameState(5)).move != RESIGN
