"""Checkpoint files: a round trip gives the same network and training state; damaged,
cut and mismatched files are refused with one clear line naming the problem."""

import io
import os

import numpy as np
import pytest
import torch

from engine.game import FEATURE_VERSION
from nets.checkpoint import CheckpointError, load_checkpoint, save_checkpoint, weights_digest
from nets.config import NetConfig
from nets.evaluator import NetEvaluator
from nets.model import DualNet

# Tests run one torch thread: two threads collapse when another process holds a core.
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def trained_network(size: int = 7) -> tuple[DualNet, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """A network with a few SGD steps behind it: moved weights, batch statistics,
    momentum buffers and a scheduler that has counted."""
    torch.manual_seed(0)
    config = NetConfig(size, blocks=2, channels=16, value_hidden=16, ownership=True, global_pooling_blocks=(1,))
    model = DualNet(config)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    for _ in range(3):
        out = model((torch.rand(8, 17, size, size) < 0.3).float())
        (out.policy_logits.logsumexp(1).mean() + out.value.square().mean() + out.ownership.mean()).backward()
        optimizer.step()
        optimizer.zero_grad()
        scheduler.step()
    return model.eval(), optimizer, scheduler


def planes(size: int = 7) -> torch.Tensor:
    return (torch.rand(5, 17, size, size, generator=torch.Generator().manual_seed(9)) < 0.3).float()


def test_round_trip_gives_identical_outputs_and_training_state(tmp_path):
    model, optimizer, scheduler = trained_network()
    path = tmp_path / "net.pt"
    save_checkpoint(path, model, rules={"komi": 7.5, "superko": "positional"}, optimizer=optimizer,
                    scheduler=scheduler, step=3, run_name="first", metadata={"games": 120})  # fmt: skip
    loaded = load_checkpoint(path, board_size=7)
    assert loaded.config == model.config and loaded.board_size == 7
    assert loaded.feature_version == FEATURE_VERSION
    assert loaded.rules == {"komi": 7.5, "superko": "positional"}
    assert loaded.step == 3
    assert loaded.metadata["run_name"] == "first" and loaded.metadata["games"] == 120
    assert loaded.metadata["created"].startswith("20")
    assert not loaded.model.training
    with torch.no_grad():
        for a, b in zip(model(planes()), loaded.model(planes()), strict=True):
            torch.testing.assert_close(a, b, rtol=0, atol=0)

    # The optimizer and scheduler resume where they were.
    resumed = DualNet(loaded.config)
    resumed.load_state_dict(loaded.model.state_dict())
    new_optimizer = torch.optim.SGD(resumed.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    new_optimizer.load_state_dict(loaded.optimizer_state)
    new_scheduler = torch.optim.lr_scheduler.StepLR(new_optimizer, step_size=2, gamma=0.5)
    new_scheduler.load_state_dict(loaded.scheduler_state)
    assert new_scheduler.get_last_lr() == scheduler.get_last_lr()
    for old, new in zip(optimizer.state.values(), new_optimizer.state.values(), strict=True):
        torch.testing.assert_close(old["momentum_buffer"], new["momentum_buffer"], rtol=0, atol=0)


def test_an_evaluator_from_the_file_answers_as_one_from_the_model(tmp_path):
    model, _, _ = trained_network()
    path = tmp_path / "net.pt"
    save_checkpoint(path, torch.nn.DataParallel(model))  # wrappers are unwrapped
    features = planes().numpy()
    legal = np.ones((5, 50), bool)
    for mode, backend in (("fp32", "torch"), ("channels_last", "torch"), ("auto", "auto")):
        from_file = NetEvaluator(str(path), mode=mode, backend=backend).evaluate_full(features, legal)
        from_model = NetEvaluator(model, mode=mode, backend=backend).evaluate_full(features, legal)
        np.testing.assert_array_equal(from_file.priors, from_model.priors)
        np.testing.assert_array_equal(from_file.values, from_model.values)
        np.testing.assert_array_equal(from_file.ownership, from_model.ownership)


def test_saving_replaces_the_file_whole_and_leaves_nothing_behind(tmp_path):
    model, _, _ = trained_network()
    path = tmp_path / "net.pt"
    save_checkpoint(path, model, step=1)
    save_checkpoint(path, model, step=2)
    assert load_checkpoint(path).step == 2
    assert os.listdir(tmp_path) == ["net.pt"]
    with pytest.raises(TypeError, match="not a plain value"):
        save_checkpoint(tmp_path / "other.pt", model, metadata={"when": object()})
    with pytest.raises(ValueError, match="step"):
        save_checkpoint(tmp_path / "other.pt", model, step=-1)
    assert os.listdir(tmp_path) == ["net.pt"]


def refused(path, **expect) -> str:
    """The one-line message of loading ``path``'s refusal."""
    with pytest.raises(CheckpointError) as caught:
        load_checkpoint(path, **expect)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"checkpoint {path}")
    return message


def test_random_bytes_are_refused_as_corrupt(tmp_path):
    path = tmp_path / "noise.pt"
    path.write_bytes(np.random.default_rng(0).bytes(5000))
    assert "is truncated or corrupt" in refused(path)
    empty = tmp_path / "empty.pt"
    empty.write_bytes(b"")
    assert "is truncated or corrupt" in refused(empty)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.999])
def test_a_cut_file_is_refused_as_truncated(tmp_path, keep):
    model, optimizer, _ = trained_network()
    path = tmp_path / "net.pt"
    save_checkpoint(path, model, optimizer=optimizer)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    assert "is truncated or corrupt" in refused(path)


def test_damage_inside_the_weights_is_caught(tmp_path):
    model, _, _ = trained_network()
    path = tmp_path / "net.pt"
    save_checkpoint(path, model)
    data = bytearray(path.read_bytes())
    # Flip bits in the largest weight's bytes, found by its value in the file.
    weight = model.policy_fc.weight.detach().numpy().tobytes()
    where = bytes(data).find(weight[:64])
    assert where > 0
    data[where + 100] ^= 0x10
    path.write_bytes(bytes(data))
    assert "is truncated or corrupt" in refused(path)


def test_missing_file_and_foreign_files(tmp_path):
    assert "does not exist" in refused(tmp_path / "nothing.pt")
    foreign = tmp_path / "foreign.pt"
    torch.save({"state_dict": {"w": torch.zeros(2)}}, foreign)
    assert "is not a Dosaku checkpoint" in refused(foreign)


def test_wrong_board_size_is_refused_by_name(tmp_path):
    model, _, _ = trained_network(7)
    path = tmp_path / "x.pt"
    save_checkpoint(path, model)
    assert refused(path, board_size=9) == f"checkpoint {path} is for 7x7, expected 9x9"
    assert load_checkpoint(path, board_size=7).board_size == 7


def rewritten(path, change) -> None:
    """Load the raw file, let ``change`` edit the dict, save it back."""
    data = torch.load(path, weights_only=True)
    change(data)
    buffer = io.BytesIO()
    torch.save(data, buffer)
    path.write_bytes(buffer.getvalue())


def test_wrong_feature_version_is_refused_by_name(tmp_path):
    model, _, _ = trained_network()
    path = tmp_path / "x.pt"
    save_checkpoint(path, model)
    message = refused(path, feature_version=FEATURE_VERSION + 1)
    assert message == f"checkpoint {path} has feature version {FEATURE_VERSION}, expected {FEATURE_VERSION + 1}"
    rewritten(path, lambda data: data.update(feature_version=99))
    assert refused(path) == f"checkpoint {path} has feature version 99, this Dosaku reads 1, 2"
    rewritten(path, lambda data: data.update(feature_version=2))  # the config still says version 1
    assert refused(path) == f"checkpoint {path} says feature version 2 but its network config has features = 1"


def test_a_checkpoint_written_before_feature_versions_is_version_1(tmp_path):
    """Files from before ``NetConfig.features`` (models/7x7.pt, models/9x9.pt) have no
    key for it: they load as version 1, 17 planes."""
    model, _, _ = trained_network()
    path = tmp_path / "old.pt"
    save_checkpoint(path, model)
    rewritten(path, lambda data: data["config"].pop("features"))
    loaded = load_checkpoint(path)
    assert loaded.config.features == 1 and loaded.config.input_planes == 17 and loaded.feature_version == 1


def test_a_version_2_checkpoint_round_trips_and_its_evaluator_reads_version_2(tmp_path):
    torch.manual_seed(1)
    model = DualNet(NetConfig(7, blocks=1, channels=8, value_hidden=8, features=2)).eval()
    assert model.config.input_planes == 21
    path = tmp_path / "v2.pt"
    save_checkpoint(path, model)
    loaded = load_checkpoint(path, feature_version=2)
    assert loaded.feature_version == 2 and loaded.config == model.config
    assert NetEvaluator(path, backend="torch").feature_version == 2
    assert refused(path, feature_version=1) == f"checkpoint {path} has feature version 2, expected 1"


def test_input_planes_must_agree_with_the_feature_version():
    assert NetConfig(features=2, input_planes=21).input_planes == 21
    with pytest.raises(ValueError, match="^network config: input_planes 17 does not match features = 2"):
        NetConfig(features=2, input_planes=17)
    with pytest.raises(ValueError, match="^network config: features must be 1 or 2"):
        NetConfig(features=3)


def test_a_config_that_does_not_fit_the_weights_is_refused(tmp_path):
    model, _, _ = trained_network()
    path = tmp_path / "x.pt"
    save_checkpoint(path, model)
    rewritten(path, lambda data: data["config"].update(channels=32))
    message = refused(path)
    assert "weights do not match its network config" in message and "[16, 17, 3, 3]" in message

    save_checkpoint(path, model)
    rewritten(path, lambda data: data["config"].update(ownership=False))
    assert "unexpected ownership_conv.weight" in refused(path)

    save_checkpoint(path, model)
    rewritten(path, lambda data: data["config"].update(channels="many"))
    assert "invalid network config" in refused(path)

    save_checkpoint(path, model)
    rewritten(path, lambda data: data.update(board_size=9))
    assert "says 9x9 but its network is 7x7" in refused(path)


def test_the_digest_covers_names_shapes_and_values():
    weights = {"a": torch.zeros(2, 3), "b": torch.ones(4, dtype=torch.bfloat16)}
    digest = weights_digest(weights)
    assert digest == weights_digest({"b": weights["b"].clone(), "a": weights["a"].clone()})
    assert digest != weights_digest({"a": torch.zeros(3, 2), "b": weights["b"]})
    assert digest != weights_digest({"c": weights["a"], "b": weights["b"]})
    changed = weights["a"].clone()
    changed[1, 2] = 1e-30
    assert digest != weights_digest({"a": changed, "b": weights["b"]})
