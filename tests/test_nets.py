"""The network: shapes and ranges, loss terms, symmetry augmentation against the
engine's symmetries and real legal moves, the evaluator's modes and symmetries,
a tiny network that learns a fixed set of real positions, the training step under
DistributedDataParallel, and a search driven by a network end to end."""

import warnings

import numpy as np
import pytest
import torch

from engine import symmetries as engine_symmetries
from engine.coords import gtp_to_flat
from engine.diagram import game_from_diagram, parse_diagram
from engine.game import BLACK, EMPTY, WHITE, GameState
from nets import augment as aug
from nets.config import NetConfig
from nets.evaluator import NetEvaluator, bf16_supported, fold_batch_norms, offered_modes
from nets.loss import LossWeights, compute_loss, ownership_target
from nets.model import DualNet, NetOutput, unwrap
from nets.train_step import train_step

# Tests run one torch thread: two threads collapse when another process holds a core.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


CONFIGS = {
    "plain": {},
    "ownership": {"ownership": True},
    "pooling": {"global_pooling_blocks": (1,)},
    "depthwise": {"depthwise": True},
    "everything": {"ownership": True, "global_pooling_blocks": (0, 1), "depthwise": True},
}


def tiny(size: int, **options) -> DualNet:
    """A small network whose batch norms hold non-trivial statistics, in eval mode."""
    options = {"blocks": 2, "channels": 16, "value_hidden": 16, **options}
    torch.manual_seed(size)
    model = DualNet(NetConfig(size, **options))
    generator = torch.Generator().manual_seed(1)
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.copy_(torch.randn(module.num_features, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(module.num_features, generator=generator) + 0.5)
            module.weight.data.copy_(torch.rand(module.num_features, generator=generator) + 0.5)
            module.bias.data.copy_(torch.randn(module.num_features, generator=generator) * 0.1)
    return model.eval()


def random_games(size: int, count: int, seed: int = 0) -> list[GameState]:
    """``count`` positions from random games (no passes, so stones pile up), at random lengths."""
    rng = np.random.default_rng(seed)
    games = []
    while len(games) < count:
        game = GameState(size, komi=0.5)
        for _ in range(int(rng.integers(0, 2 * size * size))):
            points = np.flatnonzero(game.legal_moves()[:-1])
            if len(points) == 0:
                break
            game.play(int(rng.choice(points)))
        if not game.is_over():
            games.append(game)
    return games


def batch_of(games: list[GameState]) -> tuple[np.ndarray, np.ndarray]:
    return np.stack([g.features() for g in games]), np.stack([g.legal_moves() for g in games])


# --- config and model --------------------------------------------------------


def test_config_round_trips_through_a_dict_and_is_validated():
    config = NetConfig(7, blocks=3, channels=24, ownership=True, global_pooling_blocks=[2, 0], depthwise=True)
    assert config.global_pooling_blocks == (0, 2)  # a list freezes into a sorted tuple
    assert NetConfig.from_dict(config.to_dict()) == config
    assert config.to_dict()["global_pooling_blocks"] == [0, 2]
    assert config.actions == 50
    bad = [
        {"board_size": 1}, {"board_size": 9.0}, {"blocks": -1}, {"channels": 2}, {"value_hidden": 0},
        {"global_pooling_blocks": (6,)}, {"ownership": 1}, {"input_planes": 0},
    ]  # fmt: skip
    for options in bad:
        with pytest.raises(ValueError, match="network config"):
            NetConfig(**options)
    with pytest.raises(ValueError, match="unknown setting"):
        NetConfig.from_dict({"board_size": 9, "filters": 64})


@pytest.mark.parametrize("size", [5, 9, 19])
@pytest.mark.parametrize("name", CONFIGS)
def test_outputs_have_the_promised_shapes_and_ranges(size, name):
    model = tiny(size, **CONFIGS[name])
    planes = (torch.rand(3, 17, size, size) < 0.3).float()
    for mode in ("train", "eval"):
        model.train(mode == "train")
        out = model(planes)
        assert out.policy_logits.shape == (3, size * size + 1)
        assert out.value.shape == (3,)
        assert torch.all(out.value.abs() <= 1)
        if model.config.ownership:
            assert out.ownership.shape == out.ownership_logits.shape == (3, size * size)
            assert torch.all(out.ownership.abs() <= 1)
            torch.testing.assert_close(out.ownership, torch.tanh(out.ownership_logits))
        else:
            assert out.ownership is None and out.ownership_logits is None


def test_every_parameter_learns_from_the_loss():
    model = DualNet(NetConfig(5, **CONFIGS["everything"], blocks=2, channels=16))
    games = random_games(5, 4)
    batch = training_batch(games, np.random.default_rng(0))
    total, _ = compute_loss(model(batch["planes"]), batch)
    total.backward()
    silent = [name for name, p in model.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert silent == []


def test_batch_norm_folding_changes_nothing_but_speed():
    model = tiny(9, **CONFIGS["everything"])
    planes = (torch.rand(4, 17, 9, 9) < 0.3).float()
    folded = fold_batch_norms(model)
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in folded.modules())
    for a, b in zip(model(planes), folded(planes), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


# --- loss ----------------------------------------------------------------------


def test_policy_loss_is_the_target_entropy_when_the_net_matches_the_target():
    target = torch.tensor([[0.5, 0.25, 0.25, 0.0, 0.0]])
    logits = torch.log(target.clamp_min(1e-30))
    out = NetOutput(logits, torch.tensor([0.5]), None, None)
    total, terms = compute_loss(out, {"policy": target, "value": torch.tensor([1.0])})
    entropy = -(0.5 * np.log(0.5) + 2 * 0.25 * np.log(0.25))
    assert terms["policy"] == pytest.approx(entropy, abs=1e-5)
    assert terms["policy_kl"] == pytest.approx(0.0, abs=1e-5)
    assert terms["value"] == pytest.approx(0.25)
    assert terms["total"] == pytest.approx(entropy + 0.25, abs=1e-5)
    assert float(total) == pytest.approx(terms["total"])
    assert "ownership" not in terms


def test_ownership_term_and_its_target():
    game = game_from_diagram("""
        XX.OO
        X.XO.
        XXXOO
        ..XO.
        XXXO.""")
    owner = game.owner()
    black_view, white_view = ownership_target(owner, BLACK), ownership_target(owner, WHITE)
    np.testing.assert_array_equal(black_view, -white_view)
    assert set(np.unique(black_view)) <= {-1.0, 0.0, 1.0}
    np.testing.assert_array_equal(black_view == 1, owner == BLACK)
    np.testing.assert_array_equal(black_view == 0, owner == EMPTY)

    target = torch.from_numpy(black_view)[None]
    confident = NetOutput(torch.zeros(1, 26), torch.zeros(1), torch.tanh(20 * target), 20 * target)
    unsure = NetOutput(torch.zeros(1, 26), torch.zeros(1), torch.zeros(1, 25), torch.zeros(1, 25))
    batch = {"policy": torch.full((1, 26), 1 / 26), "value": torch.zeros(1), "ownership": target}
    _, sure_terms = compute_loss(confident, batch, LossWeights(ownership=1.5))
    _, unsure_terms = compute_loss(unsure, batch, LossWeights(ownership=1.5))
    # Sure of every owned point, it only pays for the neutral ones: a 0.5 target's floor.
    neutral = np.mean(owner == EMPTY)
    assert 0 < neutral < 0.1
    assert sure_terms["ownership"] == pytest.approx(neutral * np.log(2), rel=1e-5)
    assert unsure_terms["ownership"] == pytest.approx(np.log(2), rel=1e-5)  # BCE of 0.5 guesses
    assert unsure_terms["total"] - unsure_terms["policy"] == pytest.approx(1.5 * np.log(2), rel=1e-5)
    with pytest.raises(ValueError, match="loss weight"):
        LossWeights(value=-1)


# --- augmentation --------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 9])
def test_batch_augmentation_matches_the_engine_symmetries_sample_by_sample(size):
    generator = torch.Generator().manual_seed(size)
    planes = torch.rand(16, 17, size, size, generator=generator)
    policy = torch.rand(16, size * size + 1, generator=generator)
    ownership = torch.rand(16, size * size, generator=generator) * 2 - 1
    symmetries = aug.random_symmetries(16, generator)
    new_planes, new_policy, new_ownership = aug.augment(planes, policy, ownership, symmetries)
    for i, s in enumerate(symmetries.tolist()):
        np.testing.assert_array_equal(new_planes[i].numpy(), engine_symmetries.apply_to_planes(planes[i].numpy(), s))
        np.testing.assert_array_equal(
            new_policy[i].numpy(), engine_symmetries.apply_to_policy(policy[i].numpy(), s, size)
        )
        own_board = engine_symmetries.apply_to_planes(ownership[i].numpy().reshape(size, size), s)
        np.testing.assert_array_equal(new_ownership[i].numpy(), own_board.ravel())
        assert new_policy[i, -1] == policy[i, -1]  # the pass stays put
    # The inverse of each sample's symmetry undoes it.
    back = aug.augment(new_planes, new_policy, new_ownership, aug.inverse_symmetries(symmetries))
    for original, restored in zip((planes, policy, ownership), back, strict=True):
        torch.testing.assert_close(restored, original, rtol=0, atol=0)
    # One symmetry for the whole batch is the same as that symmetry per sample.
    for s in range(8):
        same = aug.augment(planes, policy, None, s)
        each = aug.augment(planes, policy, None, torch.full((16,), s))
        torch.testing.assert_close(same[0], each[0], rtol=0, atol=0)
        torch.testing.assert_close(same[1], each[1], rtol=0, atol=0)
        assert same[2] is None


# fmt: off
POSITIONS = {
    # name: (diagram, to play, its illegal empty points, a legal point worth checking)
    "white to move": ("""
        X.XO.
        .XXO.
        XXOO.
        .XO.O
        XXO.O""", WHITE, ["B5", "A4", "A2"], "D1"),  # black's eyes are suicide for white
    "black to move": ("""
        .O...
        O.O..
        .O..X
        ...XX
        ..X.O""", BLACK, ["A5", "B4"], "D1"),  # D1 is legal: it captures E1
}
# fmt: on


@pytest.mark.parametrize("name", POSITIONS)
@pytest.mark.parametrize("s", range(8))
def test_legal_moves_survive_the_symmetry_round_trip(name, s):
    text, to_play, suicides, capture = POSITIONS[name]
    game = game_from_diagram(text, to_play=to_play)
    legal = game.legal_moves()
    assert not any(legal[gtp_to_flat(v, 5)] for v in suicides) and legal[gtp_to_flat(capture, 5)]
    # The transformed position, built from the transformed diagram.
    board = engine_symmetries.apply_to_planes(np.array(parse_diagram(text)), s)
    letters = {EMPTY: ".", BLACK: "X", WHITE: "O"}
    turned = game_from_diagram("\n".join("".join(letters[v] for v in row) for row in board), to_play=to_play)

    planes = torch.from_numpy(game.features()[None])
    mask = torch.from_numpy(legal[None].astype(np.float32))
    new_planes, new_mask, _ = aug.augment(planes, mask, None, s)
    np.testing.assert_array_equal(new_planes[0].numpy(), turned.features())
    np.testing.assert_array_equal(new_mask[0].numpy().astype(bool), turned.legal_moves())
    back_planes, back_mask, _ = aug.augment(new_planes, new_mask, None, aug.inverse_symmetries(s))
    np.testing.assert_array_equal(back_planes.numpy(), planes.numpy())
    np.testing.assert_array_equal(back_mask.numpy(), mask.numpy())


# --- evaluator -----------------------------------------------------------------


def test_evaluator_masks_illegal_moves_in_every_mode_and_the_modes_agree():
    model = tiny(9, **CONFIGS["everything"])
    features, legal = batch_of(random_games(9, 6, seed=3))
    legal[0] = False  # a row with no legal move gets no prior at all, and no NaN
    answers = {}
    for mode in offered_modes(torch.device("cpu")):
        evaluator = NetEvaluator(model, device="cpu", mode=mode, backend="torch")
        result = evaluator.evaluate_full(features, legal)
        assert result.priors.dtype == result.values.dtype == result.ownership.dtype == np.float32
        assert result.priors.shape == (6, 82) and result.values.shape == (6,) and result.ownership.shape == (6, 81)
        assert np.all(result.priors[~legal] == 0) and np.all(result.priors[0] == 0)
        np.testing.assert_allclose(result.priors[1:].sum(axis=1), 1, rtol=1e-5)
        assert np.all(np.abs(result.values) <= 1) and np.all(np.abs(result.ownership) <= 1)
        answers[mode] = result
    exact = answers["fp32"]
    for mode, result in answers.items():
        tolerance = 0.03 if mode == "bf16" else 1e-4  # bf16 keeps about 3 significant digits
        np.testing.assert_allclose(result.priors, exact.priors, atol=tolerance)
        np.testing.assert_allclose(result.values, exact.values, atol=tolerance)
        np.testing.assert_allclose(result.ownership, exact.ownership, atol=tolerance)
    # evaluate is evaluate_full without the ownership.
    priors, values = NetEvaluator(model, mode="fp32", backend="torch").evaluate(features, legal)
    np.testing.assert_array_equal(priors, exact.priors)
    np.testing.assert_array_equal(values, exact.values)


def test_evaluator_checks_its_inputs_and_options():
    evaluator = NetEvaluator(tiny(5), mode="fp32")
    assert not evaluator.has_ownership
    assert evaluator.evaluate_full(*batch_of(random_games(5, 2))).ownership is None
    with pytest.raises(ValueError, match=r"features must be \[B, 17, 5, 5\]"):
        evaluator.evaluate(np.zeros((2, 17, 9, 9), np.float32), np.ones((2, 82), bool))
    with pytest.raises(ValueError, match="legal must be"):
        evaluator.evaluate(np.zeros((2, 17, 5, 5), np.float32), np.ones((2, 82), bool))
    for options in ({"mode": "fp16"}, {"symmetry": "some"}, {"threads": 0}):
        with pytest.raises(ValueError):
            NetEvaluator(tiny(5), **options)
    with pytest.raises(TypeError):
        NetEvaluator(torch.nn.Linear(2, 2))


def test_auto_mode_is_the_fastest_offered_and_bf16_falls_back_where_unsupported(monkeypatch):
    cpu = torch.device("cpu")
    assert NetEvaluator(tiny(5), backend="torch").mode == offered_modes(cpu)[-1]
    assert ("bf16" in offered_modes(cpu)) == bf16_supported(cpu)
    monkeypatch.setattr("nets.torch_runner.bf16_supported", lambda device: False)
    assert NetEvaluator(tiny(5), backend="torch").mode == "channels_last"
    with pytest.warns(UserWarning, match="no native bf16"):
        assert NetEvaluator(tiny(5), mode="bf16", backend="torch").mode == "channels_last"


def test_threads_sets_torch_threads():
    before = torch.get_num_threads()
    try:
        NetEvaluator(tiny(5), threads=2)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_symmetry_all_gives_every_orientation_the_same_answer():
    model = tiny(7, **CONFIGS["everything"])
    games = random_games(7, 3, seed=5)
    features, legal = batch_of(games)
    averaged = NetEvaluator(model, mode="fp32", symmetry="all")
    plain = NetEvaluator(model, mode="fp32")
    base = averaged.evaluate_full(features, legal)
    assert not np.allclose(base.priors, plain.evaluate(features, legal)[0], atol=1e-4)  # it does average
    for s in range(8):
        turned_features = engine_symmetries.apply_to_planes(features, s)
        turned_legal = engine_symmetries.apply_to_policy(legal, s, 7)
        turned = averaged.evaluate_full(turned_features, turned_legal)
        np.testing.assert_allclose(turned.priors, engine_symmetries.apply_to_policy(base.priors, s, 7), atol=1e-5)
        np.testing.assert_allclose(turned.values, base.values, atol=1e-5)
        turned_owner = engine_symmetries.apply_to_planes(base.ownership.reshape(3, 7, 7), s).reshape(3, 49)
        np.testing.assert_allclose(turned.ownership, turned_owner, atol=1e-5)


def test_symmetry_random_evaluates_each_sample_in_its_drawn_orientation():
    model = tiny(5, ownership=True)
    features, legal = batch_of(random_games(5, 8, seed=2))
    result = NetEvaluator(model, mode="fp32", symmetry="random", seed=11).evaluate_full(features, legal)
    drawn = aug.random_symmetries(8, torch.Generator().manual_seed(11)).tolist()
    assert len(set(drawn)) > 1
    plain = NetEvaluator(model, mode="fp32")
    for i, s in enumerate(drawn):
        turned = plain.evaluate_full(
            engine_symmetries.apply_to_planes(features[i : i + 1], s),
            engine_symmetries.apply_to_policy(legal[i : i + 1], s, 5),
        )
        undo = engine_symmetries.inverse(s)
        np.testing.assert_allclose(result.priors[i], engine_symmetries.apply_to_policy(turned.priors[0], undo, 5),
                                   atol=1e-6)  # fmt: skip
        np.testing.assert_allclose(result.values[i], turned.values[0], atol=1e-6)
        own = engine_symmetries.apply_to_planes(turned.ownership[0].reshape(5, 5), undo).ravel()
        np.testing.assert_allclose(result.ownership[i], own, atol=1e-6)


def test_compile_failure_falls_back_to_eager_with_a_warning(monkeypatch):
    def broken_compile(*args, **kwargs):
        raise RuntimeError("no compiler here")

    monkeypatch.setattr(torch, "compile", broken_compile)
    model = tiny(5)
    features, legal = batch_of(random_games(5, 2))
    with pytest.warns(UserWarning, match="torch.compile unavailable"):
        evaluator = NetEvaluator(model, mode="fp32", compile=True, backend="torch")
    np.testing.assert_array_equal(
        evaluator.evaluate(features, legal)[0],
        NetEvaluator(model, mode="fp32", backend="torch").evaluate(features, legal)[0],
    )


@pytest.mark.parametrize("backend", ["torch", "auto"])
def test_set_weights_refreshes_the_evaluators_copy(backend):
    source = tiny(5)
    evaluator = NetEvaluator(source, mode="channels_last", backend=backend)
    features, legal = batch_of(random_games(5, 3))
    before = evaluator.evaluate(features, legal)[1]
    with torch.no_grad():
        source.value_fc2.bias.add_(0.5)
    np.testing.assert_array_equal(evaluator.evaluate(features, legal)[1], before)  # a snapshot
    evaluator.set_weights(source)
    assert np.all(evaluator.evaluate(features, legal)[1] > before)
    evaluator.set_weights(source.state_dict())
    assert np.all(evaluator.evaluate(features, legal)[1] > before)


# --- training ------------------------------------------------------------------


def training_batch(games: list[GameState], rng: np.random.Generator) -> dict[str, torch.Tensor]:
    """Real positions with made-up targets: Dirichlet policies over the legal moves,
    values in [-0.9, 0.9], and each position's own area owner as the ownership."""
    features, legal = batch_of(games)
    policy = rng.dirichlet(np.ones(legal.shape[1]), size=len(games)) * legal
    policy /= policy.sum(axis=1, keepdims=True)
    return {
        "planes": torch.from_numpy(features),
        "policy": torch.from_numpy(policy.astype(np.float32)),
        "value": torch.from_numpy(rng.uniform(-0.9, 0.9, len(games)).astype(np.float32)),
        "ownership": torch.from_numpy(np.stack([ownership_target(g.owner(), g.to_play) for g in games])),
    }


def test_a_small_network_learns_a_fixed_set_of_real_positions():
    torch.manual_seed(0)
    games = random_games(5, 32, seed=7)
    assert len({g.features().tobytes() for g in games}) == 32  # 32 distinct positions
    batch = training_batch(games, np.random.default_rng(0))
    model = DualNet(NetConfig(5, blocks=2, channels=32, value_hidden=32, ownership=True))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    first = train_step(model, optimizer, batch)
    for _ in range(400):
        terms = train_step(model, optimizer, batch)
    assert terms["policy_kl"] < 0.05 < first["policy_kl"]
    assert terms["value"] < 0.01 < first["value"]
    assert terms["ownership"] < first["ownership"] / 2
    # And in eval mode, with the running batch statistics, as the evaluator sees it.
    model.eval()
    with torch.no_grad():
        _, evaluated = compute_loss(model(batch["planes"]), batch)
    assert evaluated["policy_kl"] < 0.1 and evaluated["value"] < 0.02


def test_train_step_with_bf16_autocast_channels_last_and_clipping():
    games = random_games(5, 8, seed=1)
    batch = training_batch(games, np.random.default_rng(1))
    model = DualNet(NetConfig(5, blocks=1, channels=16, ownership=True)).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    terms = train_step(model, optimizer, batch, LossWeights(ownership=1.0), autocast_dtype=torch.bfloat16,
                       max_grad_norm=1.0, channels_last=True)  # fmt: skip
    assert set(terms) == {"total", "policy", "policy_kl", "value", "ownership", "grad_norm"}
    assert all(np.isfinite(v) for v in terms.values())
    without_ownership = {k: v for k, v in batch.items() if k != "ownership"}
    assert "ownership" not in train_step(model, optimizer, without_ownership)


def test_train_step_is_the_same_under_distributed_data_parallel(tmp_path):
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed not available")
    from torch.nn.parallel import DistributedDataParallel

    games = random_games(5, 8, seed=4)
    batch = training_batch(games, np.random.default_rng(4))
    batch.pop("ownership")  # the head still gets a (zero) gradient, so DDP does not hang
    torch.manual_seed(3)
    alone = DualNet(NetConfig(5, blocks=1, channels=16, ownership=True))
    shared = DualNet(alone.config)
    shared.load_state_dict(alone.state_dict())
    torch.distributed.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        wrapped = DistributedDataParallel(shared)
        assert unwrap(wrapped) is shared
        optimizers = [torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9) for m in (alone, wrapped)]
        for _ in range(3):
            terms_alone = train_step(alone, optimizers[0], batch)
            terms_wrapped = train_step(wrapped, optimizers[1], batch)
            assert terms_wrapped == pytest.approx(terms_alone, rel=1e-5)
    finally:
        torch.distributed.destroy_process_group()
    for (name, a), b in zip(alone.state_dict().items(), shared.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6, msg=name)


# --- with the search -------------------------------------------------------------


def test_a_search_with_a_network_plays_games_to_the_end():
    from mcts.config import SearchConfig
    from mcts.search import BatchedSearch

    model = tiny(5, blocks=1, channels=8, ownership=True, global_pooling_blocks=(0,))
    evaluator = NetEvaluator(model, threads=None, symmetry="random")
    config = SearchConfig(simulations=12, leaves_per_game=4)
    search = BatchedSearch(config, size=5, games=2, evaluator=evaluator, seed=0)
    games = [GameState(5, komi=0.5, max_moves=40) for _ in range(2)]
    while not all(g.is_over() for g in games):
        playing = [i for i, g in enumerate(games) if not g.is_over()]
        for i in playing:
            search.set_position(i, games[i])
        search.search(playing)
        assert search.is_settled()
        for i in playing:
            result = search.result(i)
            assert result.root_visits >= config.simulations
            assert np.all(result.visits[~games[i].legal_moves()] == 0)
            assert -1 <= result.value <= 1
            games[i].play(search.choose_move(i, games[i].move_number))
    assert all(g.is_over() and g.move_number <= 40 for g in games)


def test_no_warnings_from_a_plain_evaluation():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NetEvaluator(tiny(5)).evaluate(*batch_of(random_games(5, 2)))
