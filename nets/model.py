"""``DualNet``: AlphaGo Zero's residual policy/value network, with KataGo's options.

Input: float ``[B, C, N, N]`` feature planes (``C = config.input_planes``, see
``engine.game.features``). Output, a ``NetOutput``:

- ``policy_logits`` ``[B, N*N+1]``: unnormalised, row-major points then the pass;
  illegal moves are not masked here (the evaluator masks, the loss needs no mask).
- ``value`` ``[B]`` in [-1, 1] (tanh): expected result for the player to move.
- ``ownership`` ``[B, N*N]`` in [-1, 1] or None: +1 = the point ends up owned by
  the player to move; ``ownership_logits`` is the same before tanh, for the loss.
- ``score`` ``[B]`` in points or None: the expected final area score (the player
  to move's points minus the opponent's, komi included) for the player to move.
- ``opponent_policy_logits`` ``[B, N*N+1]`` or None: unnormalised logits of the
  opponent's reply, the move played right after the one the policy predicts.

Tower: 3x3 conv stem, then ``blocks`` residual blocks (conv-BN-ReLU-conv-BN plus
the shortcut, ReLU). Options (``NetConfig``): depthwise-separable convolutions
in the blocks, global pooling in chosen blocks, an ownership head, a score head.

The score head is a score-lead regression read off the value head's hidden layer
(KataGo reads its score off the same pooled features as its value): one linear
unit, scaled by the board's points, so it costs N*N + 1 multiply-adds
(``value_hidden`` of them) next to the tower's millions. KataGo's full score belief
(a distribution over score differences) would add a softmax over ~2 N*N bins for
a small gain at these sizes; the regression, trained with a robust loss, is the
lever the issue asks for at the least cost.

The opponent-reply head (KataGo's auxiliary policy, Wu 2019 section 4.2, 1.30x
compute when removed) predicts the move the opponent played after the one played
at the position. It is a training signal only: it shapes the shared tower (the
network must see what the opponent will answer), and nothing reads it in play, so
``drop_training_heads`` removes it from the evaluator's inference copy and
self-play pays nothing for it.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import nn

from nets.config import NetConfig


class NetOutput(NamedTuple):
    """What one forward pass returns (a NamedTuple, so DDP and torch.compile pass it through)."""

    policy_logits: torch.Tensor  # [B, N*N+1]
    value: torch.Tensor  # [B] in [-1, 1]
    ownership: torch.Tensor | None  # [B, N*N] in [-1, 1], None without the head
    ownership_logits: torch.Tensor | None  # [B, N*N] before tanh
    score: torch.Tensor | None = None  # [B] points for the player to move, None without the head
    opponent_policy_logits: torch.Tensor | None = None  # [B, N*N+1] the opponent's reply; training only


def conv_bn(in_channels: int, out_channels: int, kernel: int) -> nn.Sequential:
    """Convolution without bias (the batch norm's shift replaces it), then batch norm."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, padding=kernel // 2, bias=False),
        nn.BatchNorm2d(out_channels),
    )


def separable_conv_bn(in_channels: int, out_channels: int) -> nn.Sequential:
    """Depthwise 3x3 then pointwise 1x1 (Xception's separable convolution), then batch norm.

    It costs ``(9 + C_out) / (9 * C_out)`` of a full 3x3 convolution's
    multiply-adds: about an eighth at 64 channels.
    """
    return nn.Sequential(
        nn.Conv2d(in_channels, in_channels, 3, padding=1, groups=in_channels, bias=False),
        nn.Conv2d(in_channels, out_channels, 1, bias=False),
        nn.BatchNorm2d(out_channels),
    )


class GlobalPooling(nn.Module):
    """KataGo's global pooling bias: board-wide mean and max of the first ``pooled``
    channels, through a linear layer, become per-channel biases of the others.

    It lets every point see the whole board (who leads, where the ko threats are)
    in one step instead of after many 3x3 convolutions. Input ``[B, C, N, N]``,
    output ``[B, C - pooled, N, N]``.
    """

    def __init__(self, channels: int, pooled: int):
        super().__init__()
        self.pooled = pooled
        self.linear = nn.Linear(2 * pooled, channels - pooled)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled, rest = x[:, : self.pooled], x[:, self.pooled :]
        summary = torch.cat([pooled.mean(dim=(2, 3)), pooled.amax(dim=(2, 3))], dim=1)
        return rest + self.linear(summary)[:, :, None, None]


class ResidualBlock(nn.Module):
    """conv-BN-ReLU-[global pooling]-conv-BN, plus the input, ReLU."""

    def __init__(self, channels: int, depthwise: bool = False, pooled: int = 0):
        super().__init__()
        make = separable_conv_bn if depthwise else (lambda c_in, c_out: conv_bn(c_in, c_out, 3))
        self.first = make(channels, channels)
        self.pooling = GlobalPooling(channels, pooled) if pooled else None
        self.second = make(channels - pooled, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # In place where autograd allows (as torchvision's ResNet): fewer fresh
        # buffers to allocate and fault in, which costs most at small batches.
        out = F.relu(self.first(x), inplace=True)
        if self.pooling is not None:
            out = self.pooling(out)
        out = self.second(out)
        out += x
        return F.relu(out, inplace=True)


class DualNet(nn.Module):
    """The network of ``config``; see the module docstring for shapes."""

    def __init__(self, config: NetConfig):
        super().__init__()
        if not isinstance(config, NetConfig):
            raise TypeError(f"DualNet needs a NetConfig, got {type(config).__name__}")
        self.config = config
        c, points = config.channels, config.board_size**2
        self.stem = conv_bn(config.input_planes, c, 3)
        self.blocks = nn.Sequential(*[
            ResidualBlock(c, config.depthwise, config.pooling_channels if i in config.global_pooling_blocks else 0)
            for i in range(config.blocks)
        ])  # fmt: skip
        self.policy_conv = conv_bn(c, 2, 1)
        self.policy_fc = nn.Linear(2 * points, config.actions)
        self.value_conv = conv_bn(c, 1, 1)
        self.value_fc1 = nn.Linear(points, config.value_hidden)
        self.value_fc2 = nn.Linear(config.value_hidden, 1)
        # KataGo reads ownership straight off the trunk with a 1x1 convolution.
        self.ownership_conv = nn.Conv2d(c, 1, 1) if config.ownership else None
        # The score shares the value head's hidden layer: one more unit beside the value.
        self.score_fc = nn.Linear(config.value_hidden, 1) if config.score else None
        self.score_scale = float(points)  # the unit's output is a share of the board, the head's in points
        # The opponent's reply: a policy head of its own (KataGo's auxiliary policy).
        self.opponent_policy_conv = conv_bn(c, 2, 1) if config.opponent_policy else None
        self.opponent_policy_fc = nn.Linear(2 * points, config.actions) if config.opponent_policy else None

    def forward(self, planes: torch.Tensor) -> NetOutput:
        x = self.blocks(F.relu(self.stem(planes), inplace=True))
        # flatten (not view): the tower may run channels-last, and flatten copies
        # into the logical NCHW order the linear layers were trained on.
        policy = self.policy_fc(F.relu(self.policy_conv(x)).flatten(1))
        hidden = F.relu(self.value_fc1(F.relu(self.value_conv(x)).flatten(1)))
        value = torch.tanh(self.value_fc2(hidden)).squeeze(1)
        score = None if self.score_fc is None else self.score_fc(hidden).squeeze(1) * self.score_scale
        opponent = None
        if self.opponent_policy_fc is not None:
            opponent = self.opponent_policy_fc(F.relu(self.opponent_policy_conv(x)).flatten(1))
        if self.ownership_conv is None:
            return NetOutput(policy, value, None, None, score, opponent)
        ownership_logits = self.ownership_conv(x).flatten(1)
        return NetOutput(policy, value, torch.tanh(ownership_logits), ownership_logits, score, opponent)

    def drop_training_heads(self) -> DualNet:
        """Remove (in place) the heads only training uses, the opponent-reply policy, and
        return ``self``: for inference copies, whose forward then skips them. The config
        keeps its flag; the dropped copy's state dict lacks the head's weights."""
        self.opponent_policy_conv = None
        self.opponent_policy_fc = None
        return self

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())


def unwrap(model: nn.Module) -> nn.Module:
    """The bare network inside DistributedDataParallel and/or torch.compile wrappers."""
    while True:
        if hasattr(model, "module") and isinstance(model.module, nn.Module):  # DDP, DataParallel
            model = model.module
        elif hasattr(model, "_orig_mod") and isinstance(model._orig_mod, nn.Module):  # torch.compile
            model = model._orig_mod
        else:
            return model
