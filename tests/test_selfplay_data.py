"""Self-play data levers (issue 12): surprise weighting, policy openings and early
forks, the simulation schedule, and shard version 2 next to version 1.

The default settings must play the same games and draw the same samples as before
these levers existed: the fingerprints below were taken with the code of the
commit before them, with an evaluator whose numbers are exact on any CPU.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.game import BLACK, WHITE, GameState
from engine.sgf import parse_sgf
from mcts.config import SearchConfig
from mcts.evaluators import UniformEvaluator
from selfplay.buffer import BufferConfig, ReplayBuffer
from selfplay.config_loading import ConfigError
from selfplay.records import SHARD_VERSION, read_shard, shard_bytes, write_shard
from selfplay.run_config import load_run_config
from selfplay.self_player import SelfPlayer, policy_move
from selfplay.settings import RulesConfig, SelfPlayConfig
from selfplay.surprise import frequency_weights, game_value_surprises, now_factor, policy_surprise
from tests.test_selfplay_units import SIZE, assert_same_games, random_game_record

V1_SHARD = Path(__file__).parent / "data" / "shard_v1.npz"


class PatternEvaluator:
    """Priors and values from the stones around each point, in exact arithmetic
    (powers of two, small integer ratios): the same numbers on any CPU."""

    def evaluate(self, features, legal):
        own, opp = features[:, 0], features[:, 8]
        b, n, _ = own.shape

        def neighbours(plane):
            pad = np.pad(plane, ((0, 0), (1, 1), (1, 1)))
            return pad[:, :-2, 1:-1] + pad[:, 2:, 1:-1] + pad[:, 1:-1, :-2] + pad[:, 1:-1, 2:]

        bias = (np.arange(n * n).reshape(n, n) * 7 % 5).astype(np.float64)
        logits = np.concatenate([(2 * neighbours(opp) - neighbours(own) + bias).reshape(b, -1), np.zeros((b, 1))], 1)
        priors = np.exp2(logits / 2).astype(np.float32)
        values = ((own.sum(axis=(1, 2)) - opp.sum(axis=(1, 2))) / (n * n)).astype(np.float32)
        return priors, values


def masked_priors(evaluator, game: GameState) -> tuple[np.ndarray, float]:
    """The evaluator's prior over ``game``'s legal moves (normalised) and its value."""
    legal = game.legal_moves()
    priors, values = evaluator.evaluate(game.features()[None], legal[None])
    prior = np.where(legal, priors[0].astype(np.float64), 0.0)
    return prior / prior.sum(), float(values[0])


def fingerprint(games) -> str:
    digest = hashlib.sha256()
    for g in sorted(games, key=lambda g: (g.length, g.moves.tobytes())):
        for array in (g.moves.astype(np.int16), g.recorded.astype(np.bool_), g.policies.astype(np.float16),
                      g.root_values.astype(np.float16)):  # fmt: skip
            digest.update(array.tobytes())
        digest.update(repr((g.score, g.resigned, g.resign_disabled, g.would_have_resigned)).encode())
    return digest.hexdigest()[:16]


def pattern_player(gumbel: bool, selfplay: SelfPlayConfig | None = None, **search) -> SelfPlayer:
    rules = RulesConfig(size=SIZE, komi=0.5, max_moves=40)
    search_config = SearchConfig(simulations=16, leaves_per_game=4, gumbel=gumbel, gumbel_considered=8,
                                 dirichlet_weight=0.25, temperature=1.0, temperature_moves=8, **search)  # fmt: skip
    selfplay = selfplay or SelfPlayConfig(games_per_worker=6, full_search_probability=0.4, fast_simulations=4,
                                          resign_threshold=-0.8, resign_disabled_fraction=0.2)  # fmt: skip
    return SelfPlayer(rules, search_config, selfplay, PatternEvaluator(), seed=5, worker=1)


def steps(player: SelfPlayer, count: int) -> list:
    games = []
    for _ in range(count):
        games += player.step()
    return games


def replay_checked(record) -> GameState:
    """Every move of ``record`` through the rules from the empty board (raises on an illegal one)."""
    game = GameState(record.size, record.komi, 40)
    for move in record.moves:
        game.play(int(move))
    return game


# --- defaults: today's games and samples ------------------------------------------


@pytest.mark.parametrize("gumbel, expected", [(False, "12544ae314372231"), (True, "faee0b3393a9af2f")],
                         ids=["puct", "gumbel"])  # fmt: skip
def test_defaults_play_the_same_games_as_before(gumbel, expected):
    games = steps(pattern_player(gumbel), 60)
    assert (len(games), sum(g.length for g in games)) == (7, 243)
    assert fingerprint(games) == expected
    assert all(g.start_moves == 0 and not g.forked and g.has_surprise for g in games)


def test_default_buffer_draws_the_same_samples_as_before():
    buffer = ReplayBuffer(BufferConfig(min_window=100_000, max_window=100_000, min_positions=1), SIZE, seed=3)
    buffer.add([random_game_record(seed) for seed in range(12)])
    digest = hashlib.sha256()
    for _ in range(3):
        batch = buffer.sample(64)
        for name in ("planes", "policy", "value", "ownership"):
            digest.update(batch[name].tobytes())
    assert digest.hexdigest()[:16] == "8db1bfcb0d39aaed"


# --- surprise: the numbers ---------------------------------------------------------


def test_policy_surprise_is_the_kl_divergence_of_the_target_from_the_prior():
    assert policy_surprise([0.5, 0.5, 0.0], [0.25, 0.25, 0.5]) == pytest.approx(math.log(2))
    assert policy_surprise([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == pytest.approx(0.0, abs=1e-12)
    assert policy_surprise([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))
    # A prior that underflowed to 0 where the search went still gives a finite surprise.
    assert math.isfinite(policy_surprise([1.0, 0.0], [0.0, 1.0]))


def surprise_game(seed: int, policy: np.ndarray | None = None):
    """A random game with surprise data: policy surprises, raw root values."""
    record = random_game_record(seed, record_probability=0.6)
    rng = np.random.default_rng(1000 + seed)
    recorded = int(record.recorded.sum())
    if policy is None:
        policy = rng.exponential(0.3, recorded)
    return replace(record, policy_surprise=np.asarray(policy, np.float32),
                   raw_values=rng.uniform(-1, 1, record.length).astype(np.float16))  # fmt: skip


def test_frequency_weights_split_as_katago_splits_them():
    record = surprise_game(0)
    recorded = int(record.recorded.sum())
    policy = np.zeros(recorded)
    policy[:4] = [0.0, 1.0, 2.0, 1.0]
    record = replace(record, policy_surprise=policy.astype(np.float32))
    # Policy only: half uniform, half by surprise, summing to the recorded count.
    weights = frequency_weights(record, 0.5, 0.0)
    expected = 0.5 + 0.5 * policy * recorded / 4.0
    np.testing.assert_allclose(weights, expected, rtol=1e-6)
    assert weights.sum() == pytest.approx(recorded)
    # Value surprise, from a second implementation of KataGo's recursion (its forward form).
    values = game_value_surprises(record)
    f, m = now_factor(SIZE), record.length
    final = 1.0 if record.winner == BLACK else 0.0 if record.winner == WHITE else 0.5
    sign = np.where(np.arange(m) % 2 == 0, 1.0, -1.0)
    search = (1 + sign * record.root_values.astype(np.float64)) / 2
    raw = np.clip((1 + sign * record.raw_values.astype(np.float64)) / 2, 1e-10, 1 - 1e-10)
    for i in range(m):
        ahead = np.arange(i, m)
        target = (1 - f) ** (m - i) * final + np.sum(f * (1 - f) ** (ahead - i) * search[ahead])
        kl = sum(t * math.log(t / r) for t, r in ((target, raw[i]), (1 - target, 1 - raw[i])) if t > 1e-12)
        assert values[i] == pytest.approx(min(max(kl, 0.0), 1.0), abs=1e-9), i
    chosen = values[record.recorded]
    weights = frequency_weights(record, 0.5, 0.1)
    np.testing.assert_allclose(weights, 0.4 + 0.5 * policy * recorded / 4.0 + 0.1 * chosen * recorded / chosen.sum())
    # A drawn game the network saw as even throughout never surprised the value head:
    # the value share goes back to the uniform one (KataGo scales it by mean / 0.01).
    zeros = np.zeros(record.length, np.float16)
    calm = replace(record, score=0.0, root_values=zeros, raw_values=zeros)
    np.testing.assert_array_equal(game_value_surprises(calm), 0.0)
    np.testing.assert_allclose(frequency_weights(calm, 0.5, 0.1), expected, rtol=1e-6)


def test_a_game_without_surprise_data_weighs_one_per_position():
    record = random_game_record(3)
    assert not record.has_surprise
    np.testing.assert_array_equal(frequency_weights(record, 0.5, 0.1), np.ones(int(record.recorded.sum())))


# --- surprise: the buffer samples by it ------------------------------------------------


def chi_square_bound(df: int, z: float = 4.0) -> float:
    """The chi-square quantile about ``z`` sigmas up (Wilson-Hilferty)."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def test_surprise_weights_are_positive_and_the_buffer_samples_by_them():
    games = [surprise_game(seed) for seed in range(10)]
    # One game with no policy surprise at all, one from a version-1 shard (no surprise data).
    games[2] = replace(games[2], policy_surprise=np.zeros(int(games[2].recorded.sum()), np.float32))
    games[5] = replace(games[5], policy_surprise=None, raw_values=None)
    config = BufferConfig(min_window=100_000, max_window=100_000, min_positions=1, surprise_weight=0.5,
                          value_surprise_weight=0.1)  # fmt: skip
    buffer = ReplayBuffer(config, SIZE, seed=7)
    buffer.add(games)
    weights = np.concatenate(buffer.weights)
    assert (weights >= 0.4 - 1e-9).all()  # the uniform share: every position stays in play
    for game, w in zip(games, buffer.weights, strict=True):
        assert w.sum() == pytest.approx(int(game.recorded.sum()))  # a game's total is its positions
    np.testing.assert_array_equal(buffer.weights[5], 1.0)
    draws = 400_000
    counts = np.bincount(buffer.draw(draws), minlength=len(weights))
    expected = draws * weights / weights.sum()
    chi_square = float(np.sum((counts - expected) ** 2 / expected))
    assert chi_square < chi_square_bound(len(weights) - 1), chi_square
    uniform = np.full(len(weights), draws / len(weights))
    assert np.sum((counts - uniform) ** 2 / uniform) > 10 * chi_square_bound(len(weights) - 1)
    # Samples are those positions, with their own targets.
    where = {}
    for g, game in enumerate(games):
        for row, move in enumerate(np.flatnonzero(game.recorded)):
            where[game.policies[row].astype(np.float32).tobytes()] = (g, int(move))
    batch = buffer.sample(64)
    for i in range(64):
        g, move = where[batch["policy"][i].tobytes()]
        np.testing.assert_array_equal(batch["planes"][i], replay_checked_prefix(games[g], move).features())


def replay_checked_prefix(record, moves: int) -> GameState:
    game = GameState(record.size, record.komi, 4 * record.size**2)
    for move in record.moves[:moves]:
        game.play(int(move))
    return game


def test_surprise_weights_follow_the_window():
    config = BufferConfig(min_window=40, max_window=40, growth=0.0, min_positions=1, surprise_weight=0.5)
    buffer = ReplayBuffer(config, SIZE, seed=1)
    buffer.add([surprise_game(seed) for seed in range(10)])
    assert len(buffer.weights) == len(buffer.games)
    assert [len(w) for w in buffer.weights] == [int(g.recorded.sum()) for g in buffer.games]
    assert buffer.draw(1000).max() < sum(len(w) for w in buffer.weights)


# --- shards: version 2, and version 1 still read -------------------------------------


def test_version_1_shards_still_read_and_sample_uniformly(tmp_path):
    with np.load(V1_SHARD) as data:
        assert int(data["version"]) == 1 and "raw_values" not in data.files
    games = read_shard(V1_SHARD)
    assert [g.length for g in games] == [37, 43, 47]
    assert all(not g.has_surprise and g.start_moves == 0 and not g.forked for g in games)
    config = BufferConfig(min_positions=1, surprise_weight=0.5, value_surprise_weight=0.1)
    buffer = ReplayBuffer(config, SIZE, seed=0)
    buffer.add(games)
    np.testing.assert_array_equal(np.concatenate(buffer.weights), 1.0)
    assert buffer.sample(16)["planes"].shape == (16, 17, SIZE, SIZE)
    # Written again, they are version 2 and the same games.
    write_shard(tmp_path / "again.npz", games)
    assert_same_games(games, read_shard(tmp_path / "again.npz"))


def test_version_2_shards_keep_surprise_data_start_moves_and_forks(tmp_path):
    games = [surprise_game(seed) for seed in range(4)] + [random_game_record(9)]
    games[1] = replace(games[1], start_moves=5, forked=True)
    write_shard(tmp_path / "v2.npz", games)
    with np.load(tmp_path / "v2.npz") as data:
        assert int(data["version"]) == SHARD_VERSION == 2
    back = read_shard(tmp_path / "v2.npz")
    assert_same_games(games, back)
    for a, b in zip(games, back, strict=True):
        assert (a.start_moves, a.forked, a.has_surprise) == (b.start_moves, b.forked, b.has_surprise)
        if a.has_surprise:
            np.testing.assert_array_equal(a.policy_surprise, b.policy_surprise)
            np.testing.assert_array_equal(a.raw_values, b.raw_values)


def test_corrupt_surprise_data_is_a_shard_error(tmp_path):
    import io

    from selfplay.records import ShardError

    with np.load(io.BytesIO(shard_bytes([surprise_game(0)]))) as data:
        arrays = {name: data[name] for name in data.files}
    for name, value in (("policy_surprise", -1.0), ("raw_values", 3.0), ("start_moves", 999)):
        broken = dict(arrays)
        broken[name] = arrays[name].copy()
        broken[name][0] = value
        np.savez_compressed(tmp_path / f"{name}.npz", **broken)
        with pytest.raises(ShardError, match=f"{name}.npz"):
            read_shard(tmp_path / f"{name}.npz")


# --- the worker records surprise against the raw prior ----------------------------------


@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_self_play_records_policy_surprise_against_the_raw_prior_and_raw_values(gumbel):
    player = pattern_player(gumbel)
    games = steps(player, 40)
    evaluator = PatternEvaluator()
    checked = 0
    for record in games:
        assert record.has_surprise and len(record.policy_surprise) == int(record.recorded.sum())
        assert len(record.raw_values) == record.length
        game = GameState(SIZE, 0.5, 40)
        row = 0
        for i, move in enumerate(record.moves):
            prior, value = masked_priors(evaluator, game)
            assert float(record.raw_values[i]) == pytest.approx(value, abs=1e-3)
            if record.recorded[i]:
                target = record.policies[row].astype(np.float64)
                # Dirichlet noise (PUCT) changed the searched prior, not the one measured against.
                assert record.policy_surprise[row] == pytest.approx(policy_surprise(target, prior), rel=0.02, abs=2e-3)
                row += 1
                checked += 1
            game.play(int(move))
    assert checked > 20


# --- openings and early forks ----------------------------------------------------------


def test_policy_moves_follow_the_prior_at_the_temperature():
    rng = np.random.default_rng(0)
    prior = np.array([0.5, 0.3, 0.2, 0.4, 0.0, 0.9])  # point 3 illegal, point 4 prior 0, then pass
    legal = np.array([True, True, True, False, True, True])
    draws = 20_000
    for temperature, expected in ((1.0, [0.5, 0.3, 0.2, 0, 0, 0]), (2.0, np.sqrt([0.5, 0.3, 0.2, 0, 0, 0])),
                                  (float("inf"), [1, 1, 1, 0, 1, 0])):  # fmt: skip
        expected = np.asarray(expected, np.float64) / np.sum(expected)
        counts = np.bincount([policy_move(prior, legal, temperature, rng) for _ in range(draws)], minlength=6)
        sigma = np.sqrt(draws * expected * (1 - expected))
        assert (np.abs(counts - draws * expected) <= 4 * sigma + 1e-9).all(), (temperature, counts)
    # Pass only when no point is legal; a cold temperature does not underflow.
    assert policy_move(prior, np.array([False] * 5 + [True]), 1.0, rng) == 5
    assert policy_move(np.array([1e-300, 1e-301, 0, 0, 0, 0]), legal, 0.01, rng) == 0


def test_openings_and_forks_are_legal_full_games_recorded_after_their_free_moves():
    selfplay = SelfPlayConfig(games_per_worker=6, full_search_probability=0.5, fast_simulations=4,
                              resign_threshold=-0.8, resign_disabled_fraction=0.2, policy_opening_fraction=0.12,
                              early_fork_probability=0.5, early_fork_move_fraction=0.3)  # fmt: skip
    player = pattern_player(False, selfplay)
    games = steps(player, 80)
    assert len(games) >= 10
    forked = [g for g in games if g.forked]
    opened = [g for g in games if not g.forked and g.start_moves > 0]
    assert forked and opened
    for index, record in enumerate(games):
        game = replay_checked(record)  # every move legal, from the empty board, black first
        assert game.is_over() or record.resigned
        if not record.resigned:
            assert record.score == game.score()
        assert not record.recorded[: record.start_moves].any()  # the free moves are no targets
        assert len(record.policies) == int(record.recorded.sum()) == len(record.policy_surprise)
        assert len(record.root_values) == len(record.raw_values) == record.length
        sgf = parse_sgf(record.sgf)
        assert [m for _c, m in sgf.moves] == [int(m) for m in record.moves]
        assert [c for c, _m in sgf.moves] == [BLACK if i % 2 == 0 else WHITE for i in range(record.length)]
        if record.forked:
            # A fork keeps the start of a game that ended before it, then one move of its own.
            prefix = record.moves[: record.start_moves - 1]
            assert any(np.array_equal(p.moves[: len(prefix)], prefix) for p in games[:index]), index
        # Its recorded positions reach the buffer and replay into features.
    buffer = ReplayBuffer(BufferConfig(min_positions=1, surprise_weight=0.5), SIZE, seed=2)
    buffer.add(games)
    assert buffer.sample(32)["planes"].shape == (32, 17, SIZE, SIZE)
    # About half the games after the first ones are forks (binomial, 4 sigma).
    later = len(games) - selfplay.games_per_worker
    assert abs(len(forked) - 0.5 * later) <= 4 * math.sqrt(0.25 * later) + 1


# --- the simulation schedule -----------------------------------------------------------


def test_the_simulation_schedule_reaches_the_search_with_new_weights():
    rules = RulesConfig(size=SIZE, komi=0.5, max_moves=20)
    search = SearchConfig(simulations=8, leaves_per_game=2, simulations_schedule=((0, 4), (100, 12), (300, 6)))
    assert search.node_capacity() == 2 * 12 + 2
    selfplay = SelfPlayConfig(games_per_worker=3, full_search_probability=1.0, resign_threshold=-1.0)
    player = SelfPlayer(rules, search, selfplay, UniformEvaluator(), seed=0)
    for version, expected in ((None, 4), (99, 4), (100, 12), (299, 12), (300, 6), (5000, 6)):
        if version is not None:
            player.set_evaluator(UniformEvaluator(), version)
        player.step()
        np.testing.assert_array_equal(player.search.target, expected)
        assert all(player.search.trees.visits[g, 0] >= expected for g in range(3))
    # No schedule: the constant count, as before.
    assert SearchConfig(simulations=8).simulations_at(10**6) == 8


def test_new_settings_load_from_the_run_config_and_bad_values_are_config_errors():
    config = load_run_config("configs/5x5.toml", [
        "search.simulations_schedule=[[0, 16], [2000, 32]]", "buffer.surprise_weight=0.5",
        "buffer.value_surprise_weight=0.1", "selfplay.policy_opening_fraction=0.04",
        "selfplay.early_fork_probability=0.04",
    ])  # fmt: skip
    assert config.search.simulations_schedule == ((0, 16), (2000, 32))
    assert config.search.simulations_at(2500) == 32
    assert (config.buffer.surprise_weight, config.buffer.value_surprise_weight) == (0.5, 0.1)
    assert config.selfplay.policy_opening_fraction == 0.04 and config.selfplay.early_fork_probability == 0.04
    defaults = load_run_config("configs/5x5.toml")
    assert defaults.search.simulations_schedule == () and not defaults.buffer.weighted
    for override, named in (("search.simulations_schedule=[[5, 16]]", "version 0"),
                            ("search.simulations_schedule=[[0, 16], [0, 32]]", "increase"),
                            ("search.simulations_schedule=[[0, 0]]", "at least 1"),
                            ("buffer.surprise_weight=1.0", "below 1"),
                            ("buffer.value_surprise_weight=-0.1", "surprise"),
                            ("selfplay.early_fork_probability=1.5", "early_fork_probability"),
                            ("selfplay.policy_opening_temperature=0", "policy_opening_temperature")):  # fmt: skip
        with pytest.raises(ConfigError, match=named):
            load_run_config("configs/5x5.toml", [override])
