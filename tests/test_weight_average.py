"""The moving average of the trainer's weights, and checkpoints that hold it beside the raw weights."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from nets.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from nets.config import NetConfig
from nets.model import DualNet
from nets.weight_average import WeightAverage, warm_decay
from selfplay.settings import TrainingConfig


class Scalar(nn.Module):
    """One parameter and a batch norm (a float and an integer buffer) to follow by hand."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.norm = nn.BatchNorm1d(1)


def set_weight(model: Scalar, value: float) -> None:
    with torch.no_grad():
        model.weight.fill_(value)
        model.norm.running_mean.fill_(10 * value)
        model.norm.num_batches_tracked.fill_(int(value))


def test_warm_decay_grows_to_the_configured_decay():
    assert warm_decay(0.99, 0) == pytest.approx(0.1)
    assert warm_decay(0.99, 10) == pytest.approx(11 / 20)
    assert warm_decay(0.99, 10_000) == 0.99
    assert warm_decay(0.5, 0) == pytest.approx(0.1) and warm_decay(0.5, 100) == 0.5


def test_the_average_follows_the_exponential_rule_by_hand():
    model = Scalar()
    average = WeightAverage(model, decay=0.5)
    expected = None
    for t, value in enumerate([4.0, 8.0, 2.0, 6.0]):
        set_weight(model, value)
        average.update(model)
        # The first update copies; update t then moves by 1 - decay of update t - 1.
        expected = value if expected is None else expected + (1 - warm_decay(0.5, t - 1)) * (value - expected)
        assert average.module.weight.item() == pytest.approx(expected)
        assert average.module.norm.running_mean.item() == pytest.approx(10 * expected)  # statistics averaged too
        assert average.module.norm.num_batches_tracked.item() == int(value)  # a counter is copied
    assert average.updates == 4
    assert model.weight.item() == 6.0  # the trained weights are left alone


def test_a_resumed_average_goes_on_counting_from_its_updates():
    model = Scalar()
    set_weight(model, 1.0)
    resumed_from = Scalar()
    set_weight(resumed_from, 3.0)
    average = WeightAverage(resumed_from, decay=0.9, updates=500)  # warmed up: decay 0.9
    average.update(model)  # not a first copy: moves from 3 towards 1 with decay 0.9
    assert average.module.weight.item() == pytest.approx(3.0 + 0.1 * (1.0 - 3.0))
    assert average.updates == 501


def test_decay_and_config_are_checked():
    with pytest.raises(ValueError, match="decay must be in"):
        WeightAverage(Scalar(), decay=1.0)
    with pytest.raises(ValueError, match="ema_decay must be in"):
        TrainingConfig(ema_decay=-0.1)
    assert TrainingConfig().ema_decay == 0.0  # off unless asked for


def test_a_checkpoint_keeps_the_raw_weights_beside_the_average(tmp_path):
    torch.manual_seed(0)
    config = NetConfig(board_size=5, blocks=1, channels=8, value_hidden=8)
    raw, averaged = DualNet(config), DualNet(config)
    path = tmp_path / "averaged.pt"
    save_checkpoint(path, averaged, step=7, training_model=raw, metadata={"ema_updates": 7})
    loaded = load_checkpoint(path)
    for name, tensor in averaged.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[name], tensor)  # the network that plays: the average
        assert torch.equal(loaded.training_weights[name], raw.state_dict()[name])
    save_checkpoint(tmp_path / "plain.pt", raw)
    assert load_checkpoint(tmp_path / "plain.pt").training_weights is None


def test_damaged_raw_weights_are_refused(tmp_path):
    config = NetConfig(board_size=5, blocks=1, channels=8, value_hidden=8)
    path = tmp_path / "averaged.pt"
    save_checkpoint(path, DualNet(config), training_model=DualNet(config))
    data = torch.load(path, weights_only=True)
    data["training_model"]["stem.0.weight"].add_(1.0)
    torch.save(data, path)
    with pytest.raises(CheckpointError, match="training weights fail their checksum"):
        load_checkpoint(path)
