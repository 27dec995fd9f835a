"""The learning loop's parts without Ray: records and shards, the replay buffer,
the self-player, run configs, run directories and metrics.

Games come from the real engine: random games (``RandomPlayer``) where a test
needs many varied positions cheaply, and ``SelfPlayer`` with the uniform
evaluator where the self-play logic itself is under test.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from engine.game import BLACK, EMPTY, WHITE, GameState
from engine.sgf import parse_sgf
from mcts.config import SearchConfig
from mcts.evaluators import UniformEvaluator, uniform_priors
from mcts.players import RandomPlayer
from nets.loss import ownership_target
from selfplay.buffer import REINDEX_SHARE, BufferConfig, ReplayBuffer
from selfplay.config_loading import ConfigError
from selfplay.metrics import MetricsWriter, read_metrics
from selfplay.records import SelfPlayGame, ShardError, read_shard, shard_bytes, write_shard
from selfplay.run_config import load_run_config, toml_text
from selfplay.run_dir import RunDirectory
from selfplay.self_player import SelfPlayer
from selfplay.settings import RulesConfig, SelfPlayConfig

SIZE = 5
ACTIONS = SIZE * SIZE + 1
CONFIG_5X5 = "configs/5x5.toml"


# --- helpers -----------------------------------------------------------------


def random_game_record(seed: int, size: int = SIZE, komi: float = 0.5, record_probability: float = 0.5,
                       max_moves: int = 60) -> SelfPlayGame:  # fmt: skip
    """A finished random game (captures, passes) as a self-play record.

    Every recorded move gets a distinct random policy row, so a sampled row tells
    which position it came from.
    """
    rng = np.random.default_rng(seed)
    game = GameState(size, komi, max_moves)
    player = RandomPlayer(seed=seed)
    while not game.is_over():
        game.play(player.genmove(game).move)
    moves = np.array([m for _c, m in game.moves], np.int16)
    recorded = rng.random(len(moves)) < record_probability
    recorded[0] = True  # at least one recorded position per game
    policies = rng.dirichlet(np.ones(size * size + 1), size=int(recorded.sum())).astype(np.float16)
    owner = game.owner()
    ownership = np.where(owner == BLACK, 1, np.where(owner == WHITE, -1, 0)).astype(np.int8)
    return SelfPlayGame(size=size, komi=komi, moves=moves, recorded=recorded, policies=policies,
                        root_values=rng.uniform(-1, 1, len(moves)).astype(np.float16), score=game.score(),
                        ownership=ownership, sgf=f"(;GM[1]SZ[{size}]C[game {seed}])", worker=seed % 3,
                        network_version=seed)  # fmt: skip


def replay(record: SelfPlayGame, moves_played: int) -> GameState:
    game = GameState(record.size, record.komi, 4 * record.size**2)
    for move in record.moves[:moves_played]:
        game.play(int(move))
    return game


def assert_same_games(a: list[SelfPlayGame], b: list[SelfPlayGame]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        for name in ("size", "komi", "score", "resigned", "resign_disabled", "would_have_resigned", "sgf", "worker",
                     "network_version"):  # fmt: skip
            assert getattr(x, name) == getattr(y, name), name
        for name in ("moves", "recorded", "policies", "root_values", "ownership"):
            np.testing.assert_array_equal(getattr(x, name), getattr(y, name), err_msg=name)
        assert x.winner == y.winner


# --- records and shards ------------------------------------------------------


def test_shard_round_trip(tmp_path):
    games = [random_game_record(seed) for seed in range(5)]
    games[1] = replace(games[1], resigned=WHITE, would_have_resigned=0)
    games[2] = replace(games[2], resign_disabled=True, would_have_resigned=BLACK)
    path = tmp_path / "games.npz"
    write_shard(path, games)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["games.npz"]  # no temp file left behind
    back = read_shard(path)
    assert_same_games(games, back)
    assert back[1].winner == BLACK  # white resigned


def test_a_game_with_no_recorded_move_survives_a_shard(tmp_path):
    game = random_game_record(7)
    game = replace(game, recorded=np.zeros_like(game.recorded), policies=np.zeros((0, ACTIONS), np.float16))
    write_shard(tmp_path / "one.npz", [game, random_game_record(8)])
    assert_same_games([game, random_game_record(8)], read_shard(tmp_path / "one.npz"))


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "zeroed", "flipped"])
def test_damaged_shard_raises_shard_error_naming_the_file(tmp_path, damage):
    data = shard_bytes([random_game_record(seed) for seed in range(4)])
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = b"this is not a zip file" * 10
    elif damage == "empty":
        data = b""
    elif damage == "zeroed":  # a block of the compressed data wiped (a bad sector)
        middle = len(data) // 2
        data = data[:middle] + bytes(64) + data[middle + 64 :]
    else:  # every byte of the compressed payload inverted
        data = bytes(b ^ 0xFF if 100 < i < len(data) - 400 else b for i, b in enumerate(data))
    path = tmp_path / f"{damage}-shard.npz"
    path.write_bytes(data)
    with pytest.raises(ShardError, match=f"{damage}-shard.npz"):
        read_shard(path)


def test_random_corruption_always_gives_shard_error_or_the_true_games(tmp_path):
    """Whatever bytes are damaged, reading gives the true games or a ShardError (never
    another exception, which would stop a resume)."""
    games = [random_game_record(seed) for seed in range(3)]
    data = shard_bytes(games)
    rng = np.random.default_rng(5)
    path = tmp_path / "damaged.npz"
    for trial in range(300):
        damaged = bytearray(data)
        if trial % 2:
            start = int(rng.integers(len(data) - 16))
            damaged[start : start + 16] = rng.integers(0, 256, 16, dtype=np.uint8).tobytes()
        else:
            damaged = damaged[: int(rng.integers(len(data)))]
        path.write_bytes(bytes(damaged))
        try:
            back = read_shard(path)
        except ShardError as err:
            assert "damaged.npz" in str(err)
        else:
            assert_same_games(games, back)


def test_shard_with_inconsistent_contents_is_corrupt(tmp_path):
    games = [random_game_record(seed) for seed in range(2)]
    with np.load(__import__("io").BytesIO(shard_bytes(games))) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["move_offsets"] = arrays["move_offsets"] + 1  # offsets past the moves
    np.savez_compressed(tmp_path / "inconsistent.npz", **arrays)
    with pytest.raises(ShardError, match="inconsistent.npz.*corrupt"):
        read_shard(tmp_path / "inconsistent.npz")


# --- the replay buffer --------------------------------------------------------


def test_window_grows_as_in_katago():
    config = BufferConfig(min_window=100, max_window=400, growth=0.4, exponent=0.75, min_positions=1)
    assert config.window(0) == 100
    assert config.window(100) == 100
    # 100 * (1 + 0.4 * ((1600 / 100) ** 0.75 - 1) / 0.75) = 100 * (1 + 0.4 * 7 / 0.75) = 473.3, capped at 400
    assert config.window(1600) == 400
    uncapped = replace(config, max_window=10_000)
    assert uncapped.window(1600) == 473
    assert uncapped.window(200) == int(100 * (1 + 0.4 * (2**0.75 - 1) / 0.75))
    windows = [uncapped.window(total) for total in range(0, 20_000, 250)]
    assert windows == sorted(windows)  # never shrinks
    assert replace(config, growth=0.0).window(10**6) == 100


def test_buffer_config_is_validated():
    with pytest.raises(ValueError, match="min_window"):
        BufferConfig(min_window=10, max_window=5)
    with pytest.raises(ValueError, match="exponent"):
        BufferConfig(exponent=1.5)
    with pytest.raises(ValueError, match="ratio"):
        BufferConfig(ratio=0)


@pytest.mark.parametrize("per_add", [1, 4], ids=["one-game", "shards-of-4"])
def test_trimming_keeps_the_newest_games_within_the_window(per_add):
    config = BufferConfig(min_window=60, max_window=60, growth=0.0, min_positions=1)
    buffer = ReplayBuffer(config, SIZE, seed=0)
    added = []
    for first in range(0, 32, per_add):
        games = [random_game_record(seed) for seed in range(first, first + per_add)]
        added.extend(games)
        buffer.add(games)
        kept = buffer.games
        # the newest games, in order
        assert all(a is b for a, b in zip(kept, added[-len(kept) :], strict=True))
        in_window = sum(int(g.recorded.sum()) for g in kept)
        assert in_window == buffer.positions_in_window
        assert in_window <= 60 or len(kept) == 1
        if len(kept) < len(added):  # as many as fit: one more would overflow
            assert in_window + int(added[-len(kept) - 1].recorded.sum()) > 60
    assert buffer.total_games == 32
    assert buffer.total_positions == sum(int(g.recorded.sum()) for g in added)
    assert buffer.total_moves == sum(g.length for g in added)
    assert buffer.stats()["games"] == 32


def test_game_figures_are_those_of_the_games_in_the_window():
    """Length, black's wins, resignations, forks and false resignations of the window's games, kept
    as games come and go: a buffer refilled from the same games (a resume) says the same."""
    games = []
    for seed in range(40):
        game = random_game_record(seed)
        if seed % 5 == 1:  # resigned: the winner is the other colour
            game = replace(game, resigned=WHITE)
        if seed % 4 == 2:  # could not resign; every other would-be resigner went on to win
            loser = WHITE if game.winner == BLACK else BLACK
            game = replace(game, resign_disabled=True, would_have_resigned=loser if seed % 8 == 2 else game.winner)
        games.append(replace(game, forked=seed % 3 == 0))
    config = BufferConfig(min_window=200, max_window=200, growth=0.0, min_positions=1)
    buffer = ReplayBuffer(config, SIZE, seed=0)
    for first in range(0, len(games), 3):
        buffer.add(games[first : first + 3])
        kept = buffer.games
        probes = [g for g in kept if g.would_have_resigned]
        expected = {
            "average_game_length": sum(g.length for g in kept) / len(kept),
            "black_win_rate": sum(g.winner == BLACK for g in kept) / len(kept),
            "resign_rate": sum(bool(g.resigned) for g in kept) / len(kept),
            "forked_share": sum(g.forked for g in kept) / len(kept),
        }
        if probes:
            false_resigns = sum(g.winner == g.would_have_resigned for g in probes)
            expected["resign_false_positive_rate"] = false_resigns / len(probes)
        assert buffer.game_figures() == pytest.approx(expected)
    assert len(buffer.games) < len(games)  # the window dropped games, and the figures followed
    assert 0 < buffer.game_figures()["resign_false_positive_rate"] < 1
    resumed = ReplayBuffer(config, SIZE, seed=1)
    for game in games:
        resumed.add([game])
    assert resumed.game_figures() == pytest.approx(buffer.game_figures())
    assert ReplayBuffer(config, SIZE).game_figures() == {}


def test_the_sampling_index_is_rebuilt_once_new_games_hold_a_share_of_the_window():
    # 50 games, then games with a recorded position or two (each well below the share)
    games = [random_game_record(seed, record_probability=0.5 if seed < 50 else 0.02) for seed in range(70)]
    config = BufferConfig(min_window=10_000, max_window=10_000, growth=0.0, min_positions=1)
    buffer = ReplayBuffer(config, SIZE, seed=0)
    buffer.add(games[:50])
    built = buffer._build_index()
    assert built["count"] == buffer.positions_in_window  # a first build holds every game
    share = REINDEX_SHARE * buffer.positions_in_window
    added = 50
    while sum(int(g.recorded.sum()) for g in games[50 : added + 1]) < share:  # below the share: the same index
        buffer.add([games[added]])
        added += 1
        assert buffer._build_index() is built
        buffer.sample(8)
    assert added > 52  # the same index served several adds
    buffer.add([games[added]])  # now the new games reach the share: the next sample rebuilds
    buffer.sample(8)
    assert buffer._index is not built
    every_position = sum(int(g.recorded.sum()) for g in games[: added + 1])
    assert buffer._index["count"] == buffer.positions_in_window == every_position


def test_buffer_refuses_a_game_of_another_size():
    buffer = ReplayBuffer(BufferConfig(min_positions=1), SIZE)
    with pytest.raises(ValueError, match="7x7"):
        buffer.add([random_game_record(0, size=7)])


@pytest.mark.parametrize("features", [1, 2], ids=["v1", "v2"])
def test_samples_are_the_replayed_positions_with_targets_for_the_player_to_move(features):
    games = [random_game_record(seed, komi=0.5 + seed, record_probability=0.6) for seed in range(12)]
    # A resigned game (the winner is not the score's) and a draw.
    games[3] = replace(games[3], resigned=BLACK if games[3].score > 0 else WHITE)
    games[4] = replace(games[4], score=0.0)
    assert games[3].winner == (WHITE if games[3].score > 0 else BLACK) and games[4].winner == EMPTY
    config = BufferConfig(min_window=100_000, max_window=100_000, min_positions=1)
    buffer = ReplayBuffer(config, SIZE, seed=3, features=features)
    buffer.add(games)
    # Each recorded move's policy row is unique: it names the sampled position.
    where = {}
    for g, game in enumerate(games):
        for row, move in enumerate(np.flatnonzero(game.recorded)):
            where[game.policies[row].astype(np.float32).tobytes()] = (g, int(move), row)
    batch = buffer.sample(400)
    planes = {1: 17, 2: 21}[features]
    assert batch["planes"].shape == (400, planes, SIZE, SIZE) and batch["planes"].dtype == np.float32
    assert batch["policy"].shape == (400, ACTIONS)
    assert batch["value"].shape == (400,) and batch["ownership"].shape == (400, SIZE * SIZE)
    seen = set()
    for i in range(400):
        g, move, row = where[batch["policy"][i].tobytes()]
        seen.add(g)
        record = games[g]
        position = replay(record, move)
        expected_planes = position.features(version=features)  # version 2: each game's own komi
        np.testing.assert_array_equal(batch["planes"][i], expected_planes, err_msg=f"game {g} move {move}")
        me = position.to_play
        expected_value = 0.0 if record.winner == EMPTY else 1.0 if record.winner == me else -1.0
        assert batch["value"][i] == expected_value
        owner_colours = np.where(record.ownership == 1, BLACK, np.where(record.ownership == -1, WHITE, EMPTY))
        np.testing.assert_array_equal(batch["ownership"][i], ownership_target(owner_colours, me))
    assert len(seen) == len(games)  # 400 draws over 12 games reach them all
    assert buffer.samples_drawn == 400


def test_samples_come_only_from_recorded_positions_in_the_window():
    config = BufferConfig(min_window=40, max_window=40, growth=0.0, min_positions=1)
    buffer = ReplayBuffer(config, SIZE, seed=1)
    games = [random_game_record(seed) for seed in range(10)]
    buffer.add(games)
    allowed = {g.policies[r].astype(np.float32).tobytes() for g in buffer.games for r in range(len(g.policies))}
    batch = buffer.sample(300)
    assert {row.tobytes() for row in batch["policy"]} <= allowed


def test_trainable_waits_for_min_positions_and_bounds_samples_per_position():
    buffer = ReplayBuffer(BufferConfig(min_window=10_000, ratio=2.0, min_positions=50), SIZE, seed=0)
    assert not buffer.trainable(1)
    game = random_game_record(0, record_probability=1.0)
    while buffer.total_positions < 50:
        assert not buffer.trainable(1)
        buffer.add([game])
    positions = buffer.total_positions
    assert buffer.trainable(1)
    assert buffer.trainable(2 * positions)  # ratio 2: exactly at the bound is allowed
    assert not buffer.trainable(2 * positions + 1)
    buffer.sample(2 * positions - 10)
    assert buffer.trainable(10) and not buffer.trainable(11)
    buffer.add([game])  # new positions allow more samples
    assert buffer.trainable(10 + 2 * int(game.recorded.sum()))


# --- the self-player ------------------------------------------------------------


class ResignationEvaluator:
    """Uniform priors; black to move is lost (-0.99), white to move has won (+0.99),
    so black's root value sits below any resignation threshold above -0.99."""

    def evaluate(self, features, legal):
        black_to_move = features[:, 16, 0, 0] == 1.0
        return uniform_priors(legal), np.where(black_to_move, -0.99, 0.99).astype(np.float32)


def play_games(player: SelfPlayer, count: int, max_steps: int = 5_000) -> list[SelfPlayGame]:
    games: list[SelfPlayGame] = []
    for _ in range(max_steps):
        games += player.step()
        if len(games) >= count:
            return games
    raise AssertionError(f"only {len(games)} games finished in {max_steps} steps")


@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_self_play_games_end_with_playout_cap_randomisation(gumbel):
    rules = RulesConfig(size=SIZE, komi=0.5, max_moves=40)
    search = SearchConfig(simulations=16, leaves_per_game=4, gumbel=gumbel, gumbel_considered=8,
                          dirichlet_weight=0.25, temperature=1.0, temperature_moves=8)  # fmt: skip
    selfplay = SelfPlayConfig(games_per_worker=8, full_search_probability=0.3, fast_simulations=4,
                              resign_threshold=-1.0, resign_disabled_fraction=0.0)  # fmt: skip
    player = SelfPlayer(rules, search, selfplay, UniformEvaluator(), seed=11, worker=2)
    games = play_games(player, 40)
    moves = sum(g.length for g in games)
    recorded = sum(int(g.recorded.sum()) for g in games)
    # Each move is a full search with probability 0.3, independently: 4 sigma.
    sigma = math.sqrt(0.3 * 0.7 / moves)
    assert abs(recorded / moves - 0.3) < 4 * sigma, (recorded, moves)
    for record in games:
        assert record.size == SIZE and record.worker == 2 and record.resigned == 0
        assert 1 <= record.length <= 40
        assert len(record.policies) == int(record.recorded.sum())
        assert len(record.root_values) == record.length
        game = GameState(SIZE, 0.5, 40)
        row = 0
        for move, is_recorded in zip(record.moves, record.recorded, strict=True):
            if is_recorded:
                target = record.policies[row].astype(np.float64)
                legal = game.legal_moves()
                assert abs(target.sum() - 1.0) < 2e-3
                assert (target >= 0).all() and target[~legal].sum() == 0.0
                row += 1
            game.play(int(move))  # every move legal, in order
        assert game.is_over()  # two passes or the move cap
        assert record.score == game.score()
        owner = game.owner()
        np.testing.assert_array_equal(record.ownership, np.where(owner == BLACK, 1, np.where(owner == WHITE, -1, 0)))
        # The SGF of the game parses back to the same moves and result.
        sgf = parse_sgf(record.sgf)
        assert sgf.size == SIZE and sgf.komi == 0.5
        assert [m for _c, m in sgf.moves] == [int(m) for m in record.moves]
        assert [c for c, _m in sgf.moves] == [BLACK if i % 2 == 0 else WHITE for i in range(record.length)]
        assert sgf.result == game.result()


def test_resignation_and_its_disabled_fraction(tmp_path):
    rules = RulesConfig(size=SIZE, komi=0.5, max_moves=30)
    search = SearchConfig(simulations=8, leaves_per_game=4)
    selfplay = SelfPlayConfig(games_per_worker=16, full_search_probability=0.5, fast_simulations=4,
                              resign_threshold=-0.9, resign_disabled_fraction=0.25)  # fmt: skip
    player = SelfPlayer(rules, search, selfplay, ResignationEvaluator(), seed=4)
    games = play_games(player, 400)
    disabled = [g for g in games if g.resign_disabled]
    enabled = [g for g in games if not g.resign_disabled]
    # Black resigns at once where it may; where it may not, the game goes on and
    # records that black would have resigned (the false-positive probe).
    assert all(g.resigned == BLACK and g.length == 0 and g.winner == WHITE for g in enabled)
    assert all(g.resigned == 0 and g.would_have_resigned == BLACK and g.length > 0 for g in disabled)
    assert all(parse_sgf(g.sgf).result == "W+R" for g in enabled[:5])
    # Games finish in different orders, so count all; binomial, 4 sigma.
    fraction, sigma = len(disabled) / len(games), math.sqrt(0.25 * 0.75 / len(games))
    assert abs(fraction - 0.25) < 4 * sigma, (len(disabled), len(games))
    # Games resigned before any move (nothing recorded) store, load and sit in a buffer.
    mixed = enabled[:30] + disabled[:10]
    write_shard(tmp_path / "resigned.npz", mixed)
    assert_same_games(mixed, read_shard(tmp_path / "resigned.npz"))
    buffer = ReplayBuffer(BufferConfig(min_positions=1), SIZE)
    buffer.add(mixed)
    assert buffer.sample(8)["planes"].shape == (8, 17, SIZE, SIZE)


def test_set_evaluator_changes_the_network_version_of_later_games():
    rules = RulesConfig(size=SIZE, komi=0.5, max_moves=10)
    selfplay = SelfPlayConfig(games_per_worker=2, resign_threshold=-1.0, fast_simulations=2)
    player = SelfPlayer(rules, SearchConfig(simulations=4, leaves_per_game=2), selfplay, UniformEvaluator(), seed=0)
    assert all(g.network_version == 0 for g in play_games(player, 2))
    player.set_evaluator(UniformEvaluator(), 7)
    for _ in range(10):  # games in progress end within the move cap
        player.step()
    assert all(g.network_version == 7 for g in play_games(player, 2))


# --- run configs -------------------------------------------------------------


def test_load_run_config_with_overrides():
    config = load_run_config(CONFIG_5X5, ["training.steps=7", "network.blocks=1", "search.gumbel=false",
                                          "training.lr_schedule=[[0, 0.1], [5, 0.01]]", "workers=3",
                                          "rules.komi=2"])  # fmt: skip
    assert config.training.steps == 7 and config.network.blocks == 1 and not config.search.gumbel
    assert config.training.lr_schedule == ((0, 0.1), (5, 0.01))
    assert config.training.learning_rate(4) == 0.1 and config.training.learning_rate(5) == 0.01
    assert config.workers == 3 and config.rules.komi == 2.0 and isinstance(config.rules.komi, float)
    assert config.rules.size == 5 and config.network.board_size == 5  # the network follows the rules
    assert config.network.channels == 32  # from the file, untouched
    assert load_run_config(None).rules.size == 9  # all defaults


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("training.stepz=3", "stepz"),
        ("trainin.steps=3", "trainin"),
        ("training.steps=lots", "training.steps"),
        ("training.steps=1.5", "training.steps"),
        ("rules.komi=true", "rules.komi"),
        ("search.gumbel=3", "search.gumbel"),
        ("training.lr_schedule=[[0, 'fast']]", "training.lr_schedule"),
        ("workers=two", "workers"),
        ("seed=1.0", "seed"),
        ("training=3", "training"),
        ("nonsense", "nonsense"),
    ],
)
def test_bad_overrides_give_config_errors_naming_the_key(override, named):
    with pytest.raises(ConfigError, match=named):
        load_run_config(CONFIG_5X5, [override])


def test_invalid_values_and_files_give_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="rules"):
        load_run_config(CONFIG_5X5, ["rules.size=1"])
    with pytest.raises(ConfigError, match="trainers"):
        load_run_config(CONFIG_5X5, ["trainers=3"])  # batch 128 does not split in 3
    with pytest.raises(ConfigError, match="missing.toml"):
        load_run_config(tmp_path / "missing.toml")
    (tmp_path / "broken.toml").write_text("[rules\nsize = 5\n")
    with pytest.raises(ConfigError, match="broken.toml"):
        load_run_config(tmp_path / "broken.toml")
    (tmp_path / "typo.toml").write_text("[selfplay]\ngames_per_wroker = 4\n")
    with pytest.raises(ConfigError, match="games_per_wroker"):
        load_run_config(tmp_path / "typo.toml")


@pytest.mark.parametrize(
    "path", ["configs/5x5.toml", "configs/7x7.toml", "configs/9x9.toml", "configs/9x9-laptop.toml", None]
)
def test_toml_text_round_trip(tmp_path, path):
    config = load_run_config(path, ["search.dirichlet_alpha=0.3", "network.global_pooling_blocks=[1]"]
                             if path == CONFIG_5X5 else [])  # fmt: skip
    saved = tmp_path / "config.toml"
    saved.write_text(toml_text(config))
    assert load_run_config(saved) == config
    assert toml_text(load_run_config(saved)) == toml_text(config)


# --- run directories and metrics ------------------------------------------------


def test_prune_checkpoints_keeps_the_last_few_and_every_nth(tmp_path):
    run = RunDirectory(tmp_path / "run")
    run.create("seed = 1\n")
    with pytest.raises(FileExistsError):
        run.create("seed = 2\n")
    assert run.latest_checkpoint() is None
    for step in range(0, 1001, 100):
        run.checkpoint_path(step).write_bytes(b"x")
    (run.checkpoints / "notes.txt").write_text("not a checkpoint")
    doomed = run.prune_checkpoints(keep_last=3, keep_every=500)
    assert doomed == [100, 200, 300, 400, 600, 700]
    assert run.checkpoint_steps() == [0, 500, 800, 900, 1000]
    assert sorted(p.name for p in run.checkpoints.iterdir()) == [
        "notes.txt", "step-00000000.pt", "step-00000500.pt", "step-00000800.pt", "step-00000900.pt",
        "step-00001000.pt"]  # fmt: skip
    assert run.latest_checkpoint() == run.checkpoint_path(1000)
    run.checkpoint_path(1100).write_bytes(b"x")
    assert run.prune_checkpoints(keep_last=3, keep_every=500) == [800]
    assert run.checkpoint_steps() == [0, 500, 900, 1000, 1100]


def test_an_evaluated_checkpoint_outlives_pruning_until_released(tmp_path):
    # A run resumed at an odd step evaluates steps like 30500, which keep_every spares
    # not: the next evaluation must still find it to compare with.
    run = RunDirectory(tmp_path / "run")
    run.create("seed = 1\n")
    assert run.newest_evaluated() is None
    run.checkpoint_path(30500).write_bytes(b"weights of 30500")
    kept = run.keep_for_evaluation(30500)
    assert run.keep_for_evaluation(30500) == kept  # asked again: the same name
    for step in range(30750, 32501, 250):
        run.checkpoint_path(step).write_bytes(b"x")
    run.prune_checkpoints(keep_last=4, keep_every=1000)
    assert 30500 not in run.checkpoint_steps()
    assert kept.read_bytes() == b"weights of 30500"
    newer = run.keep_for_evaluation(32500)
    assert run.newest_evaluated() == newer  # what a resumed run compares with next
    run.release_evaluated({str(newer)})
    assert not kept.exists() and newer.exists()
    assert [p.name for p in run.evaluated.iterdir()] == ["step-00032500.pt"]
    with pytest.raises(FileNotFoundError):
        run.keep_for_evaluation(30750)  # pruned before its evaluation started


def test_shard_paths_are_in_writing_order_and_skip_temporary_files(tmp_path):
    run = RunDirectory(tmp_path / "run")
    run.create("seed = 1\n")
    for name in ("200-w000-000001.npz", "100-w001-000000.npz", ".300-w000.npz.abc.tmp", ".hidden.npz", "x.txt"):
        (run.games / name).write_bytes(b"")
    assert [p.name for p in run.shard_paths()] == ["100-w001-000000.npz", "200-w000-000001.npz"]


def test_metrics_writer_adds_columns_and_keeps_earlier_rows(tmp_path):
    path = tmp_path / "metrics.csv"
    writer = MetricsWriter(path)
    writer.write(1, {"loss": 2.5, "flag": True, "nan": float("nan"), "text": "x"})
    writer.write(2, {"loss": 2.0, "games": 10})
    writer.close()
    assert path.read_text().splitlines()[0] == "step,loss,games"
    assert read_metrics(path) == [{"step": 1, "loss": 2.5}, {"step": 2, "loss": 2.0, "games": 10}]
    resumed = MetricsWriter(path)  # a resumed run appends to the same file
    resumed.write(3, {"games": 12})
    resumed.write(4, {"elo": 35.5, "loss": 1.5})
    resumed.close()
    assert path.read_text().splitlines()[0] == "step,loss,games,elo"
    assert read_metrics(path) == [
        {"step": 1, "loss": 2.5},
        {"step": 2, "loss": 2.0, "games": 10},
        {"step": 3, "games": 12},
        {"step": 4, "loss": 1.5, "elo": 35.5},
    ]
