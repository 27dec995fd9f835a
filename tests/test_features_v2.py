"""Input features version 2 (KataGo-style planes, ``engine._features``) on diagrams, under
the 8 symmetries, and end to end: a version 2 network searches, plays self-play and GTP
games, and is trained on samples of the same planes; version 1 networks play on."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import _features as f
from engine import symmetries as sym
from engine.coords import gtp_to_flat
from engine.diagram import game_from_diagram, parse_diagram
from engine.features import FEATURE_VERSIONS, check_feature_version, feature_planes
from engine.game import BLACK, EMPTY, WHITE, GameState
from mcts.config import SearchConfig
from mcts.players import MCTSPlayer
from nets.augment import transform_planes
from nets.checkpoint import load_checkpoint, save_checkpoint
from nets.config import NetConfig
from nets.evaluator import NetEvaluator
from nets.model import DualNet
from selfplay.buffer import BufferConfig, ReplayBuffer
from selfplay.config_loading import ConfigError
from selfplay.run_config import load_run_config, toml_text
from selfplay.self_player import SelfPlayer
from selfplay.settings import RulesConfig, SelfPlayConfig
from tests.gtp_process import REPO_ROOT, EngineProcess
from tests.positions import random_position

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def marks(text: str) -> np.ndarray:
    """A diagram of digits and dots as an int array (``.`` is 0)."""
    rows = [line.replace(" ", "") for line in text.strip("\n").splitlines() if line.strip()]
    return np.array([[0 if ch == "." else int(ch) for ch in row] for row in rows])


def liberty_marks(planes: np.ndarray, first: int) -> np.ndarray:
    """Planes ``first .. first+2`` (chains with 1, 2, 3+ liberties) as one array of 1, 2, 3."""
    return (planes[first] + 2 * planes[first + 1] + 3 * planes[first + 2]).astype(int)


def v2(game: GameState) -> np.ndarray:
    return game.features(version=2)


def play(game: GameState, *vertices: str) -> GameState:
    for vertex in vertices:
        game.play(game.pass_move if vertex == "pass" else gtp_to_flat(vertex, game.size))
    return game


# White B5 has one liberty, A5; black A5 takes it and makes a ko. Black C5 is in atari
# before the capture and has two liberties after it. White E1 would be a suicide.
KO = """
    . O X O .
    O X . . .
    . . . . .
    . . . . X
    . . . X .
"""


def test_versions_and_plane_counts():
    assert FEATURE_VERSIONS == {1: 17, 2: 21} and feature_planes(2) == f.V2_PLANES
    for bad in (0, 3, "2", 2.0, True):
        with pytest.raises(ValueError, match="feature version must be one of 1, 2"):
            check_feature_version(bad)
    game = GameState(5)
    assert game.features().shape == (17, 5, 5) and v2(game).shape == (21, 5, 5)
    with pytest.raises(ValueError, match=r"float32 \(21, 5, 5\)"):
        game.features(np.zeros((17, 5, 5), np.float32), version=2)


def test_stones_and_liberties_before_and_after_a_capture():
    game = game_from_diagram(KO, komi=0.5, to_play=BLACK)
    planes = v2(game)
    board = game.board()
    assert np.array_equal(planes[f.OWN_STONES], board == BLACK)
    assert np.array_equal(planes[f.OPPONENT_STONES], board == WHITE)
    assert np.array_equal(
        liberty_marks(planes, f.OWN_LIBERTIES),
        marks("""
        . . 1 . .
        . 2 . . .
        . . . . .
        . . . . 3
        . . . 3 ."""),
    )
    assert np.array_equal(
        liberty_marks(planes, f.OPPONENT_LIBERTIES),
        marks("""
        . 1 . 2 .
        2 . . . .
        . . . . .
        . . . . .
        . . . . ."""),
    )

    play(game, "A5")  # captures B5: white to move, so white's chains are now "own"
    planes = v2(game)
    assert np.array_equal(planes[f.OWN_STONES], game.board() == WHITE)
    assert np.array_equal(planes[f.OPPONENT_STONES], game.board() == BLACK)
    assert np.array_equal(
        liberty_marks(planes, f.OWN_LIBERTIES),
        marks("""
        . . . 2 .
        1 . . . .
        . . . . .
        . . . . .
        . . . . ."""),
    )
    assert np.array_equal(
        liberty_marks(planes, f.OPPONENT_LIBERTIES),
        marks("""
        1 . 2 . .
        . 3 . . .
        . . . . .
        . . . . 3
        . . . 3 ."""),
    )


def test_the_ko_point_is_marked_until_a_threat_is_exchanged():
    game = game_from_diagram(KO, komi=0.5, to_play=BLACK)
    assert not v2(game)[f.REPETITION_BAN].any()
    play(game, "A5")
    ban = marks("""
        . 1 . . .
        . . . . .
        . . . . .
        . . . . .
        . . . . .""")
    # B5 retakes the ko (illegal: superko), E1 would be suicide (illegal, but not marked).
    assert game.illegal_reason(gtp_to_flat("B5", 5)).startswith("superko")
    assert game.illegal_reason(gtp_to_flat("E1", 5)) == "suicide"
    assert np.array_equal(v2(game)[f.REPETITION_BAN], ban)
    play(game, "C2")  # a threat elsewhere: black may fill the ko, nothing is banned for black
    assert not v2(game)[f.REPETITION_BAN].any()
    play(game, "C3")  # black answers: white may retake now
    assert game.is_legal(gtp_to_flat("B5", 5))
    assert not v2(game)[f.REPETITION_BAN].any()


def test_a_superko_ban_outlives_the_passes_that_clear_a_simple_ko():
    """After both players pass (and play resumes, as a GTP controller may ask), a simple
    ko rule would let white retake; positional superko still forbids recreating the
    board from before black's capture, and the plane says so."""
    game = game_from_diagram(KO, komi=0.5, to_play=BLACK)
    play(game, "A5", "pass", "pass")
    assert game.is_over()
    game.resume()
    assert game.to_play == WHITE and game.illegal_reason(gtp_to_flat("B5", 5)).startswith("superko")
    assert v2(game)[f.REPETITION_BAN, 0, 1] == 1.0 and v2(game)[f.REPETITION_BAN].sum() == 1.0


@pytest.mark.parametrize("seed", range(4))
def test_the_ban_plane_is_the_set_of_empty_points_illegal_only_by_repetition(seed):
    """Against ``illegal_reason`` at every point of a long random 4x4 game (any legal move,
    eyes filled, play resumed after two passes), where whole groups die and positions recur."""
    game = GameState(4, 0.5)
    rng = np.random.default_rng(seed)
    marked = 0
    for _ in range(150):
        planes = v2(game)
        for move in range(16):
            reason = game.illegal_reason(move)
            expected = reason is not None and reason.startswith("superko")
            assert planes[f.REPETITION_BAN].ravel()[move] == expected, (move, reason, game.moves)
            marked += expected
        legal = np.flatnonzero(game.legal_moves()[:-1])
        game.play(int(rng.choice(legal)) if len(legal) else game.pass_move)
        game.resume()
    assert marked > 0, "no repetition ban met: the test proves nothing"


@pytest.mark.parametrize("size", [2, 5, 9, 19])
def test_the_on_board_plane_is_ones_everywhere(size):
    game = random_position(size, seed=size, moves=size) if size > 2 else GameState(2)
    planes = v2(game)
    assert planes[f.ON_BOARD].shape == (size, size) and (planes[f.ON_BOARD] == 1.0).all()


@pytest.mark.parametrize(("komi", "black_sees", "white_sees"), [
    (7.5, -0.375, 0.375), (0.0, 0.0, 0.0), (-3.0, 0.15, -0.15), (1000.0, -1.3, 1.3),  # 5x5: |komi| <= 26
])  # fmt: skip
def test_komi_is_seen_from_the_player_to_move(komi, black_sees, white_sees):
    game = GameState(5, komi)
    np.testing.assert_allclose(v2(game)[f.KOMI], np.full((5, 5), black_sees, np.float32), rtol=1e-6)
    play(game, "C3")
    np.testing.assert_allclose(v2(game)[f.KOMI], np.full((5, 5), white_sees, np.float32), rtol=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_no_colour_plane_the_colours_swapped_look_the_same_at_komi_0(seed):
    """Version 2 has no colour-to-move plane: a game and its colour-swapped twin (white
    moves first, same moves) give the mover identical planes at komi 0."""
    game = random_position(7, seed, moves=30, komi=0.0)
    original, twin = GameState(7, 0.0), GameState(7, 0.0)
    twin.to_play = WHITE
    for _color, move in game.moves:
        original.play(move)
        twin.play(move)
        assert np.array_equal(v2(original), v2(twin)), original.moves
    assert not np.array_equal(original.features(), twin.features())  # version 1 tells the colours apart
    signed, swapped = GameState(7, 7.5), GameState(7, 7.5)
    swapped.to_play = WHITE
    assert np.array_equal(v2(signed)[f.KOMI], -v2(swapped)[f.KOMI])


def test_the_last_five_moves_and_passes():
    game = GameState(5, 7.5)
    history = ["C3", "pass", "D4", "B2", "C4", "D3", "pass"]
    for played in range(len(history) + 1):
        game = play(GameState(5, 7.5), *history[:played])
        planes = v2(game)
        for t in range(1, 6):
            move_plane, pass_plane = planes[f.LAST_MOVES + t - 1], planes[f.PASSES + t - 1]
            vertex = history[played - t] if t <= played else None
            if vertex is None:
                assert not move_plane.any() and not pass_plane.any(), (played, t)
            elif vertex == "pass":
                assert not move_plane.any() and (pass_plane == 1.0).all(), (played, t)
            else:
                expected = np.zeros(25, np.float32)
                expected[gtp_to_flat(vertex, 5)] = 1.0
                assert np.array_equal(move_plane.ravel(), expected) and not pass_plane.any(), (played, t)


def test_history_stops_where_one_colour_played_twice():
    game = GameState(5)
    game.play(gtp_to_flat("C3", 5), BLACK)
    game.play(gtp_to_flat("D4", 5), WHITE)
    game.play(gtp_to_flat("B2", 5), BLACK)
    game.play(gtp_to_flat("C4", 5), BLACK)  # black again: GTP allows it
    planes = v2(game)
    assert game.to_play == WHITE
    assert planes[f.LAST_MOVES].ravel()[gtp_to_flat("C4", 5)] == 1.0 and planes[f.LAST_MOVES].sum() == 1.0
    assert not planes[f.LAST_MOVES + 1 :].any(), "black's B2 was not white's move: history stops"


def test_a_diagram_start_has_no_history():
    game = game_from_diagram(KO, to_play=WHITE)
    planes = v2(game)
    assert not planes[f.LAST_MOVES :].any()
    play(game, "E3")
    planes = v2(game)
    assert planes[f.LAST_MOVES].ravel()[gtp_to_flat("E3", 5)] == 1.0
    assert not planes[f.LAST_MOVES + 1 :].any()


# --- config -----------------------------------------------------------------------------


def test_the_run_config_picks_the_version_and_the_configs_their_planes(tmp_path):
    assert load_run_config(None, []).network.features == 1
    # The configs of the shipped v1 networks stay at version 1; the levers' configs take 2.
    levers = {"9x9-levers.toml": (2, 21), "5x5-solved.toml": (2, 21)}
    for path in sorted((REPO_ROOT / "configs").glob("*.toml")):
        network = load_run_config(path, []).network
        assert (network.features, network.input_planes) == levers.get(path.name, (1, 17)), path.name
    config = load_run_config(REPO_ROOT / "configs" / "9x9.toml", ["network.features=2"])
    assert (config.network.features, config.network.input_planes) == (2, 21)
    (tmp_path / "resolved.toml").write_text(toml_text(config))  # as the run directory keeps it
    assert load_run_config(tmp_path / "resolved.toml", []) == config
    with pytest.raises(ConfigError, match="^network: features must be 1 or 2"):
        load_run_config(None, ["network.features=3"])
    with pytest.raises(ConfigError, match="^network: input_planes 17 does not match features = 2"):
        load_run_config(None, ["network.features=2", "network.input_planes=17"])


# --- symmetries -----------------------------------------------------------------------


def transformed_game(game: GameState, s: int) -> GameState:
    """``game`` (setup stones, moves, passes) with every point moved by symmetry ``s``."""
    twin = GameState(game.size, game.komi, game.max_moves)
    for color in (BLACK, WHITE):
        twin.place_setup_stones(color, [sym.apply_to_move(m, s, game.size) for c, m in game.setup if c == color])
    twin.to_play = game.initial_to_play()
    for color, move in game.moves:
        twin.resume()
        twin.play(sym.apply_to_move(move, s, game.size), color)
    return twin


def symmetry_positions() -> list[GameState]:
    ko = play(game_from_diagram(KO, komi=6.5, to_play=BLACK), "A5")
    # Passes 1 to 5 moves ago between them, never two in a row.
    passes = [play(GameState(6, 7.5), *moves) for moves in (["C3", "pass", "D4", "B2", "pass", "E5"],
                                                            ["C3", "D4", "pass", "E2", "B2", "pass"],
                                                            ["C3", "pass", "D4", "E2"])]  # fmt: skip
    return [ko, *passes, random_position(7, 5, 40), random_position(9, 6, 60)]


@pytest.mark.parametrize("s", range(8))
def test_each_symmetry_carries_the_planes_with_the_position_and_its_inverse_undoes_it(s):
    for game in symmetry_positions():
        planes = v2(game)
        twin_planes = v2(transformed_game(game, s))
        np.testing.assert_array_equal(sym.apply_to_planes(planes, s), twin_planes)
        np.testing.assert_array_equal(sym.apply_to_planes(twin_planes, sym.inverse(s)), planes)
        # The trainer's torch augmentation moves them the same way.
        torch_planes = transform_planes(torch.from_numpy(planes[None]), s)[0].numpy()
        np.testing.assert_array_equal(torch_planes, twin_planes)
        for plane in (f.ON_BOARD, f.KOMI, *range(f.PASSES, f.PASSES + f.HISTORY_MOVES)):
            np.testing.assert_array_equal(twin_planes[plane], planes[plane])  # the same everywhere


def test_the_symmetry_positions_exercise_every_plane():
    seen = np.zeros(f.V2_PLANES, bool)
    for game in symmetry_positions():
        seen |= v2(game).reshape(f.V2_PLANES, -1).any(axis=1)
    assert seen.all(), f"planes never set: {np.flatnonzero(~seen).tolist()}"


# --- end to end -----------------------------------------------------------------------


def v2_network(size: int, seed: int = 0) -> DualNet:
    torch.manual_seed(seed)
    config = NetConfig(size, blocks=1, channels=8, value_hidden=8, ownership=True, global_pooling_blocks=(0,),
                       features=2)  # fmt: skip
    return DualNet(config).eval()


def test_a_version_2_network_searches_with_version_2_planes():
    size = 5
    evaluator = NetEvaluator(v2_network(size), backend="torch", threads=1)
    player = MCTSPlayer(evaluator, simulations=24, config=SearchConfig(), seed=1)
    game = play(game_from_diagram(KO, komi=7.5, to_play=BLACK), "A5")
    decision = player.genmove(game)
    assert game.is_legal(decision.move)
    assert player.search.leaves.features.shape[1] == 21
    # The root's planes in the search's buffer are the game's own (row 0: the root leaf).
    search = MCTSPlayer(evaluator, simulations=1, config=SearchConfig(reuse_tree=False), seed=1)
    search.genmove(game)
    np.testing.assert_array_equal(search.search.leaves.features[0], v2(game))


def test_self_play_with_a_version_2_network_trains_on_version_2_planes():
    size = 5
    evaluator = NetEvaluator(v2_network(size), backend="torch", threads=1)
    rules = RulesConfig(size=size, komi=3.5, max_moves=12)
    search = SearchConfig(simulations=8, leaves_per_game=4, gumbel=True, gumbel_considered=4)
    selfplay = SelfPlayConfig(games_per_worker=2, full_search_probability=1.0, fast_simulations=4,
                              resign_threshold=-1.0, resign_disabled_fraction=0.0)  # fmt: skip
    player = SelfPlayer(rules, search, selfplay, evaluator, seed=3)
    games = []
    while len(games) < 2:
        games += player.step()
    buffer = ReplayBuffer(BufferConfig(min_positions=1), size, seed=0, features=2)
    buffer.add(games)
    batch = buffer.sample(20)
    assert batch["planes"].shape == (20, 21, size, size)
    by_policy: dict[bytes, list[np.ndarray]] = {}  # every move is recorded: row i is move i's target
    for record in games:
        replayed = GameState(size, record.komi, 0)
        for row, move in enumerate(record.moves):
            by_policy.setdefault(record.policies[row].astype(np.float32).tobytes(), []).append(v2(replayed))
            replayed.play(int(move))
    for planes, policy in zip(batch["planes"], batch["policy"], strict=True):
        assert any(np.array_equal(planes, p) for p in by_policy[policy.tobytes()])
        assert abs(planes[f.KOMI, 0, 0]) == np.float32(3.5 / 20)


def gtp_game(engine: EngineProcess, size: int) -> None:
    assert engine.ask(f"boardsize {size}") == "= "
    assert engine.ask("clear_board") == "= "
    for color in "bwbwbw":
        move = engine.ask(f"genmove {color}")
        assert move.startswith("= ") and len(move) > 2, move
    assert engine.ask("final_status_list dead").startswith("=")
    assert engine.ask("final_score")[:3] in ("= B", "= W", "= 0")


@pytest.mark.parametrize("which", ["v1 shipped 7x7", "v2 random weights"])
def test_networks_of_both_versions_play_through_gtp(which, tmp_path):
    if which.startswith("v1"):
        # A checkpoint from before feature versions (the 9x9 one is the campaign's, version 2).
        model, size = REPO_ROOT / "models" / "7x7.pt", 7
        assert load_checkpoint(model).feature_version == 1
    else:
        model, size = tmp_path / "v2.pt", 7
        save_checkpoint(model, v2_network(size, seed=4), rules={"size": size, "komi": 7.5})
    engine = EngineProcess("--model", str(model), "--sims", "16", "--backend", "torch")
    try:
        gtp_game(engine, size)
        status, stderr = engine.close()
    finally:
        engine.kill()
    assert status == 0, stderr


def test_parse_diagram_of_the_ko_is_what_the_tests_think():
    rows = np.array(parse_diagram(KO))
    assert rows[0, 1] == WHITE and rows[0, 2] == BLACK and rows[1, 1] == BLACK and rows[4, 4] == EMPTY
