"""An exponential moving average of the trainer's weights: the network that plays.

KataGo publishes, evaluates and ships an average of recent weights rather than the
last SGD iterate (docs/KataGoMethods.md, "Stochastic Weight Averaging"): the
iterate jitters around the minimum with the learning rate's noise, the average
sits nearer its middle. Here the average is torch's ``AveragedModel`` with an
exponential update

    average <- average + (1 - decay_t) * (weights - average)

over the parameters and the batch norms' running statistics, where ``decay_t =
min(decay, (1 + t) / (10 + t))`` after ``t`` updates (TensorFlow's warm-up): an
early average is not stuck on the random initial weights for ~1 / (1 - decay)
steps. Integer buffers (batch norm's step counter) are copied, not averaged.

The trainer keeps training the raw weights; checkpoints hold both (the average as
the checkpoint's network, the raw weights to resume from).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel


def warm_decay(decay: float, updates: int) -> float:
    """The decay of update number ``updates`` (0-based): ``min(decay, (1 + t) / (10 + t))``."""
    return min(decay, (1.0 + updates) / (10.0 + updates))


class WeightAverage:
    """The moving average of ``model``'s weights with ``decay`` (0 < decay < 1), on
    ``device`` (the model's own by default); ``updates``: how many it has had already,
    when ``model`` is a resumed average."""

    def __init__(self, model: nn.Module, decay: float, updates: int = 0, device: torch.device | None = None):
        if not 0.0 < decay < 1.0:
            raise ValueError(f"weight average: decay must be in (0, 1), got {decay!r}")
        self.decay = decay
        self.averaged = AveragedModel(model, device=device, multi_avg_fn=self._average, use_buffers=True)
        # AveragedModel copies the model at its first update (n_averaged 0); a resumed
        # average is already the copy it was given, so it counts its updates on.
        self.averaged.n_averaged.fill_(updates)

    def _average(self, averages: list[torch.Tensor], weights: list[torch.Tensor], updates: torch.Tensor) -> None:
        # AveragedModel groups tensors by dtype: a group is all floating or all integer.
        if not averages[0].is_floating_point():
            torch._foreach_copy_(averages, weights)
            return
        # n_averaged counts the first update, the copy, which is the average's start.
        torch._foreach_lerp_(averages, weights, 1.0 - warm_decay(self.decay, int(updates) - 1))

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        """Fold ``model``'s current weights into the average."""
        self.averaged.update_parameters(model)

    @property
    def updates(self) -> int:
        return int(self.averaged.n_averaged)

    @property
    def module(self) -> nn.Module:
        """The averaged network (its own copy; read it, do not train it)."""
        return self.averaged.module
