"""The opponent-reply auxiliary policy (issue 12, item 3): its target from the game
record, its symmetry, its masked loss, a short training that lowers it, checkpoints
with and without it, and the evaluator that never runs it.

Known answers come from a real 5x5 game record (``tests.test_score``'s wall game):
the reply to the move at position p is the record's move p + 1.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from engine import symmetries as engine_symmetries
from engine.coords import gtp_to_flat
from nets.augment import SYMMETRIES, transform_moves, transform_planes, transform_policy
from nets.checkpoint import load_checkpoint, save_checkpoint
from nets.config import NetConfig
from nets.evaluator import NetEvaluator
from nets.loss import TERMS, LossWeights, compute_loss
from nets.model import DualNet, NetOutput
from nets.openvino_runner import openvino_problem
from nets.train_step import train_step
from selfplay.buffer import BufferConfig, ReplayBuffer
from selfplay.replay import NO_REPLY, opponent_reply_targets, samples
from selfplay.run_config import load_run_config, run_config_from_dict, run_config_to_dict
from selfplay.settings import TrainingConfig
from selfplay.trainer import _to_tensors
from tests.test_score import WALL_MOVES, play_out, random_games, record_of

SIZE = 5
PASS = SIZE * SIZE


def flat(vertex: str) -> int:
    return PASS if vertex == "pass" else gtp_to_flat(vertex, SIZE)


def record_targets(record, positions=None) -> np.ndarray:
    buffer = ReplayBuffer(BufferConfig(min_positions=1), record.size)
    buffer.add([record])
    index = buffer._build_index()
    positions = np.arange(record.length) if positions is None else np.asarray(positions)
    return opponent_reply_targets(index["moves"], index["move_offsets"], np.zeros(len(positions), np.int64), positions)


# --- the target ---------------------------------------------------------------------------


def test_the_target_is_the_opponents_next_move_and_absent_after_the_last_move():
    # C1 D1 C2 D2 ... C5 D5 pass pass: positions 0..11, black to move at even ones.
    record = record_of(play_out(WALL_MOVES, komi=0.5))
    targets = record_targets(record)
    assert targets.dtype == np.int64
    # Black to move at 0 (plays C1): white's reply is D1. White to move at 1 (plays D1): black's reply C2.
    assert targets[0] == flat("D1") and targets[1] == flat("C2")
    assert targets[8] == flat("D5")  # black plays C5, white answers D5
    assert targets[9] == PASS  # white plays D5, black passes: the pass is a reply like any move
    assert targets[10] == PASS  # black passes, white passes
    assert targets[11] == NO_REPLY  # white's pass ended the game: nothing follows
    np.testing.assert_array_equal(targets[:-1], [flat(v) for v in WALL_MOVES[1:]])


def test_a_resigned_game_has_no_reply_after_its_last_move():
    game = play_out(WALL_MOVES[:5], komi=0.5)  # black's C3 is the last move, then white resigns
    game.resign(2)
    targets = record_targets(record_of(game))
    np.testing.assert_array_equal(targets, [flat(v) for v in WALL_MOVES[1:5]] + [NO_REPLY])


def test_the_buffer_samples_carry_the_reply_beside_the_policy_target():
    record = record_of(play_out(WALL_MOVES, komi=0.5))
    buffer = ReplayBuffer(BufferConfig(min_positions=1), SIZE, seed=3)
    buffer.add([record, record_of(play_out(WALL_MOVES[:7], komi=0.5))])
    batch = buffer.sample(200)
    reply = batch["opponent_policy"]
    assert reply.shape == (200,) and reply.dtype == np.int64
    index = buffer._index
    # Each sample's own policy target is the move played there (one-hot records), and its reply
    # is the record's next move: find each sample's position by its policy and planes.
    moves = index["moves"]
    played = batch["policy"].argmax(axis=1)
    for i in range(200):
        candidates = [p for g in range(2) for p in range(index["move_offsets"][g], index["move_offsets"][g + 1])
                      if moves[p] == played[i]]  # fmt: skip
        expected = {int(moves[p + 1]) if p + 1 < index["move_offsets"][np.searchsorted(index["move_offsets"], p,
                    side="right")] else NO_REPLY for p in candidates}  # fmt: skip
        assert int(reply[i]) in expected
    assert (reply == NO_REPLY).any() and (reply >= 0).any()  # both games' last moves are drawn among 200


# --- the symmetry -------------------------------------------------------------------------


@pytest.mark.parametrize("symmetry", range(SYMMETRIES))
def test_the_reply_moves_with_the_position_under_every_symmetry(symmetry):
    """Transforming the target agrees with transforming the game: the record played in the
    transformed orientation has, at every position, the transformed planes and reply."""
    game = play_out(["B2", "D4", "C3", "A5", "E1", "pass", "B4", "C2", "pass", "pass"], komi=0.5)
    record = record_of(game)
    turned = play_out([
        "pass" if flat(v) == PASS else _gtp(engine_symmetries.apply_to_move(flat(v), symmetry, SIZE))
        for v in ["B2", "D4", "C3", "A5", "E1", "pass", "B4", "C2", "pass", "pass"]
    ], komi=0.5)  # fmt: skip
    original, transformed = record_targets(record), record_targets(record_of(turned))
    moved = transform_moves(torch.from_numpy(original), symmetry, SIZE).numpy()
    np.testing.assert_array_equal(moved, transformed)
    # Per-sample symmetries (the trainer's way) give the same moves.
    per_sample = torch.full((len(original),), symmetry, dtype=torch.int64)
    np.testing.assert_array_equal(transform_moves(torch.from_numpy(original), per_sample, SIZE).numpy(), transformed)
    # And the planes of the turned game are the turned planes: the same symmetry throughout.
    positions = np.arange(record.length)
    zero = np.zeros(record.length, np.int64)

    def planes_of(r):
        buffer = ReplayBuffer(BufferConfig(min_positions=1), SIZE)
        buffer.add([r])
        index = buffer._build_index()
        return samples(index["moves"], index["move_offsets"], zero, positions, SIZE, index["winners"],
                       index["ownership"], index["policies"])[0]  # fmt: skip

    np.testing.assert_array_equal(transform_planes(torch.from_numpy(planes_of(record)), symmetry).numpy(),
                                  planes_of(record_of(turned)))  # fmt: skip


def _gtp(move: int) -> str:
    from engine.coords import flat_to_gtp

    return flat_to_gtp(move, SIZE)


def test_moving_an_index_is_moving_its_one_hot_policy():
    generator = torch.Generator().manual_seed(5)
    moves = torch.randint(-1, PASS + 1, (400,), generator=generator)  # points, the pass and "none"
    symmetries = torch.randint(0, SYMMETRIES, (400,), generator=generator)
    moved = transform_moves(moves, symmetries, SIZE)
    present = moves >= 0
    one_hot = torch.nn.functional.one_hot(moves.clamp(min=0), PASS + 1).float()
    np.testing.assert_array_equal(transform_policy(one_hot, symmetries, SIZE).argmax(1)[present], moved[present])
    assert (moved[~present] == NO_REPLY).all() and (moved[moves == PASS] == PASS).all()


def test_the_trainer_turns_the_reply_with_the_policy():
    """``_to_tensors`` draws one symmetry per sample and moves the policy and the reply by it."""
    record = record_of(play_out(WALL_MOVES, komi=0.5))
    buffer = ReplayBuffer(BufferConfig(min_positions=1), SIZE, seed=1)
    buffer.add([record])
    arrays = buffer.sample(64)
    # One-hot policies of the wall game: the reply's move and the policy's move are the record's p+1 and p.
    batch = _to_tensors(arrays, torch.Generator().manual_seed(2))
    played = torch.from_numpy(arrays["policy"]).argmax(1)
    turned_played = batch["policy"].argmax(1)
    # Recover each sample's symmetry from its policy where the move is a point the symmetries all move apart.
    for i in range(64):
        if played[i] == PASS:
            continue
        options = [s for s in range(SYMMETRIES)
                   if transform_moves(played[i : i + 1], s, SIZE).item() == turned_played[i].item()]  # fmt: skip
        assert batch["opponent_policy"][i].item() in {
            transform_moves(torch.from_numpy(arrays["opponent_policy"][i : i + 1]), s, SIZE).item() for s in options
        }
    assert batch["opponent_policy"].dtype == torch.int64


# --- the head and its loss -----------------------------------------------------------------


def test_the_head_is_a_policy_head_of_its_own_and_old_configs_have_none():
    plain = DualNet(NetConfig(SIZE, blocks=1, channels=8))
    replying = DualNet(NetConfig(SIZE, blocks=1, channels=8, opponent_policy=True))
    head = 8 * 2 + 2 * 2 + 2 * PASS * (PASS + 1) + (PASS + 1)  # 1x1 conv, its batch norm, the linear layer
    assert replying.parameter_count() - plain.parameter_count() == head
    output = replying(torch.zeros(3, NetConfig(SIZE).input_planes, SIZE, SIZE))
    assert output.opponent_policy_logits.shape == (3, PASS + 1)
    assert plain(torch.zeros(1, NetConfig(SIZE).input_planes, SIZE, SIZE)).opponent_policy_logits is None
    assert NetOutput._fields[-1] == "opponent_policy_logits"
    assert NetConfig.from_dict({"board_size": 5}).opponent_policy is False  # a config without the key
    with pytest.raises(ValueError, match="opponent_policy must be true or false"):
        NetConfig(SIZE, opponent_policy=1)


def test_the_loss_is_cross_entropy_masked_where_the_game_ended():
    logits = torch.randn(4, PASS + 1, generator=torch.Generator().manual_seed(0))
    target = torch.tensor([3, NO_REPLY, PASS, NO_REPLY])
    output = NetOutput(torch.zeros(4, PASS + 1), torch.zeros(4), None, None, None, logits)
    batch = {"policy": torch.full((4, PASS + 1), 1 / (PASS + 1)), "value": torch.zeros(4), "opponent_policy": target}
    total, terms = compute_loss(output, batch, LossWeights(opponent_policy=0.15))
    log_probs = torch.log_softmax(logits, 1)
    expected = -(log_probs[0, 3] + log_probs[2, PASS]).item() / 2  # only the two with a reply
    assert terms["opponent_policy"] == pytest.approx(expected, rel=1e-6)
    assert total.item() == pytest.approx(terms["policy"] + terms["value"] + 0.15 * expected, rel=1e-6)
    assert "opponent_policy" in TERMS
    # The masked rows get no gradient, the others do.
    logits.requires_grad_(True)
    output = output._replace(opponent_policy_logits=logits)
    compute_loss(output, batch)[0].backward()
    assert logits.grad[[1, 3]].abs().sum() == 0 and logits.grad[[0, 2]].abs().sum() > 0
    # A batch with no reply at all: a zero term, no NaN.
    none = dict(batch, opponent_policy=torch.full((4,), NO_REPLY))
    assert compute_loss(output, none)[1]["opponent_policy"] == 0.0


def test_without_a_target_the_head_still_gets_a_zero_gradient():
    """DistributedDataParallel needs every parameter in the graph, as with the other heads."""
    model = DualNet(NetConfig(SIZE, blocks=1, channels=8, opponent_policy=True))
    batch = {"policy": torch.full((2, PASS + 1), 1 / (PASS + 1)), "value": torch.zeros(2)}
    total, terms = compute_loss(model(torch.randn(2, NetConfig(SIZE).input_planes, SIZE, SIZE)), batch)
    total.backward()
    assert "opponent_policy" not in terms
    assert model.opponent_policy_fc.weight.grad is not None
    assert model.opponent_policy_fc.weight.grad.abs().sum() == 0


def test_the_head_and_its_weight_are_run_config_settings_with_katagos_default():
    assert TrainingConfig().opponent_policy_loss_weight == 0.15 and LossWeights().opponent_policy == 0.15
    with pytest.raises(ValueError, match="opponent_policy_loss_weight"):
        TrainingConfig(opponent_policy_loss_weight=-1.0)
    config = load_run_config("configs/5x5.toml", ["network.opponent_policy=true",
                                                  "training.opponent_policy_loss_weight=0.2"])  # fmt: skip
    assert config.network.opponent_policy and config.training.opponent_policy_loss_weight == 0.2
    assert run_config_from_dict(run_config_to_dict(config)) == config
    assert not load_run_config("configs/5x5.toml").network.opponent_policy  # off unless asked for


def test_a_short_training_on_random_5x5_games_lowers_the_term():
    """Replies of random players are uniform over the legal moves, so all the head can learn
    is which points are taken and which moves stay legal: the term falls from the untrained
    log(26) = 3.26 towards that floor (about 3.05 here: few points are taken in most of these
    positions), by 0.15 nats or more in 100 steps with these seeds."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        buffer = ReplayBuffer(BufferConfig(min_window=200_000, min_positions=1), SIZE, seed=0)
        buffer.add(random_games(300, seed=4))
        model = DualNet(NetConfig(SIZE, blocks=1, channels=16, value_hidden=16, opponent_policy=True))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        generator = torch.Generator().manual_seed(1)
        losses = [train_step(model, optimizer, _to_tensors(buffer.sample(64), generator))["opponent_policy"]
                  for _ in range(100)]  # fmt: skip
    finally:
        torch.set_num_threads(threads)
    assert losses[0] > 0.9 * math.log(PASS + 1)
    assert np.mean(losses[-20:]) < np.mean(losses[:5]) - 0.15, losses


# --- checkpoints and the evaluator ----------------------------------------------------------


def test_checkpoints_with_the_head_round_trip_and_old_ones_load_without_it(tmp_path):
    net = DualNet(NetConfig(SIZE, blocks=1, channels=8, opponent_policy=True))
    path = tmp_path / "reply.pt"
    save_checkpoint(path, net, rules={"size": SIZE, "komi": 0.5})
    loaded = load_checkpoint(path).model
    assert loaded.config.opponent_policy
    torch.testing.assert_close(loaded.opponent_policy_fc.weight, net.opponent_policy_fc.weight)
    old = load_checkpoint("models/7x7.pt")
    assert old.config.opponent_policy is False and old.model.opponent_policy_fc is None


@pytest.mark.parametrize("backend", ["torch", "openvino"])
def test_the_evaluator_never_runs_the_head_and_answers_as_without_it(backend):
    if backend == "openvino" and openvino_problem():
        pytest.skip(openvino_problem())
    torch.manual_seed(3)
    config = NetConfig(SIZE, blocks=1, channels=8, ownership=True, score=True, opponent_policy=True)
    net = DualNet(config)
    with torch.no_grad():  # batch norms that do something, so folding is exercised
        for module in net.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 1.5)
    headless = DualNet(NetConfig(SIZE, blocks=1, channels=8, ownership=True, score=True))
    state = {k: v for k, v in net.state_dict().items() if not k.startswith("opponent_policy")}
    headless.load_state_dict(state)
    with_head, without = (
        NetEvaluator(net, backend=backend, mode="fp32"),
        NetEvaluator(headless, backend=backend, mode="fp32"),
    )
    runner = with_head.runner
    inference = runner.model if backend == "torch" else None
    if backend == "torch":
        assert inference.opponent_policy_fc is None and inference.opponent_policy_conv is None
        assert not any(name.startswith("opponent_policy") for name in inference.state_dict())
    else:
        assert "opponent_policy_logits" not in runner.fields
        assert runner.fields == without.runner.fields
        assert len(runner.compiled.outputs) == len(without.runner.compiled.outputs)
    assert net.opponent_policy_fc is not None  # the source model keeps its head
    rng = np.random.default_rng(0)
    features = rng.integers(0, 2, (6, config.input_planes, SIZE, SIZE)).astype(np.float32)
    legal = np.ones((6, PASS + 1), np.bool_)
    a, b = with_head.evaluate_full(features, legal), without.evaluate_full(features, legal)
    np.testing.assert_allclose(a.priors, b.priors, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a.values, b.values, rtol=1e-5, atol=1e-6)
    # New weights from the training model (the trainer's way) are taken without the head too.
    with_head.set_weights(net)
    with_head.set_weights({k: v.clone() for k, v in net.state_dict().items()})
    assert "opponent_policy_logits" not in getattr(with_head.runner, "fields", ())
    if backend == "torch":
        assert with_head.runner.model.opponent_policy_fc is None
    np.testing.assert_allclose(with_head.evaluate_full(features, legal).priors, b.priors, rtol=1e-5, atol=1e-6)
