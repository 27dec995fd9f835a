"""``NetEvaluator``: a network as the search's leaf evaluator, batched and fast.

Interface (``mcts.search``'s, which this module does not import):
``evaluate(features, legal) -> (priors, values)`` with ``features`` float32
``[B, C, N, N]``, ``legal`` bool ``[B, N*N+1]``; ``priors`` float32 ``[B, N*N+1]``,
a softmax over each row's legal moves (0 elsewhere; all 0 in a row with no legal
move), ``values`` float32 ``[B]`` in [-1, 1] for the player to move.
``evaluate_full`` adds ``ownership`` float32 ``[B, N*N]`` (None without the head).

Inference modes (``mode``):

- ``"fp32"``: the network as trained, eager float32, NCHW: the baseline.
- ``"channels_last"``: batch norms folded into the convolutions, NHWC memory
  format (oneDNN's and cuDNN's fast layout).
- ``"bf16"``: as channels_last with bfloat16 weights and activations, where the
  hardware does bf16 natively (AVX-512 bf16 or AMX CPUs, recent GPUs). The weights
  are cast once, not at each call as autocast would (its cast cache lives for one
  ``with`` block), which matters at small batches; outputs come back as float32.
- ``"auto"``: the fastest the device offers (``offered_modes``): bf16, else
  channels_last (float32 on Apple's MPS). For toy networks (a block of 8
  channels) per-call overhead dominates and channels_last can beat bf16;
  ``dosaku bench net`` tells.

``compile=True`` wraps the model in ``torch.compile`` (tens of seconds to build on
a CPU, for a few per cent there); if that fails, a warning, and eager it is.

The evaluator keeps its own inference copy of the weights, taken at construction:
after training the source model further, call ``set_weights`` to refresh it.
``threads`` sets torch's (process-wide) CPU thread count; self-play workers use 1.
"""

from __future__ import annotations

import copy
import os
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from nets.augment import (
    SYMMETRIES,
    inverse_symmetries,
    random_symmetries,
    transform_planes,
    transform_points,
    transform_policy,
)
from nets.checkpoint import Checkpoint, load_checkpoint
from nets.model import DualNet, NetOutput, unwrap

MODES = ("fp32", "channels_last", "bf16")
SYMMETRY_CHOICES = ("none", "random", "all")


@dataclass
class Evaluation:
    """``evaluate_full``'s answer, float32 numpy arrays."""

    priors: np.ndarray  # [B, N*N+1], softmax over legal moves
    values: np.ndarray  # [B] in [-1, 1], for the player to move
    ownership: np.ndarray | None  # [B, N*N] in [-1, 1], +1 = the player to move's; None without the head


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """``device`` if given, else CUDA, then Apple's MPS, then the CPU."""
    if device is not None:
        return torch.device(device)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def bf16_supported(device: torch.device) -> bool:
    """Whether ``device`` computes in bfloat16 natively (emulated bf16 is slower than fp32)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    if device.type == "cpu":
        if not torch.backends.mkldnn.is_available():
            return False
        cpu = torch.cpu
        checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
        return any(getattr(cpu, check, lambda: False)() for check in checks)
    return False


def offered_modes(device: torch.device) -> list[str]:
    """Inference modes worth using on ``device``, slowest first (so ``auto`` takes the last)."""
    if device.type == "mps":
        return ["fp32", "channels_last"]
    return ["fp32", "channels_last", "bf16"] if bf16_supported(device) else ["fp32", "channels_last"]


def auto_mode(device: torch.device) -> str:
    return "fp32" if device.type == "mps" else offered_modes(device)[-1]


def fold_batch_norms(model: nn.Module) -> nn.Module:
    """A copy of ``model`` (in eval mode) with each conv-BN pair folded into one conv.

    Relies on ``nets.model``'s habit of building every such pair as the last two
    entries of an ``nn.Sequential``; other batch norms are left alone.
    """
    model = copy.deepcopy(model).eval()
    for module in model.modules():
        if isinstance(module, nn.Sequential) and len(module) >= 2:
            conv, norm = module[-2], module[-1]
            if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
                module[-2] = fuse_conv_bn_eval(conv, norm)
                module[-1] = nn.Identity()
    return model


class NetEvaluator:
    """A ``DualNet`` (or a checkpoint path, or a loaded ``Checkpoint``) as an evaluator."""

    def __init__(
        self,
        model: nn.Module | Checkpoint | str | os.PathLike,
        device: str | torch.device | None = None,
        threads: int | None = None,
        mode: str = "auto",
        compile: bool = False,
        symmetry: str = "none",
        seed: int = 0,
    ):
        if symmetry not in SYMMETRY_CHOICES:
            raise ValueError(f"symmetry must be one of {', '.join(SYMMETRY_CHOICES)}, got {symmetry!r}")
        if mode != "auto" and mode not in MODES:
            raise ValueError(f"mode must be auto or one of {', '.join(MODES)}, got {mode!r}")
        if threads is not None:
            if not isinstance(threads, int) or threads < 1:
                raise ValueError(f"threads must be a positive integer, got {threads!r}")
            torch.set_num_threads(threads)
        if isinstance(model, (str, os.PathLike)):
            model = load_checkpoint(model)
        if isinstance(model, Checkpoint):
            model = model.model
        net = unwrap(model)
        if not isinstance(net, DualNet):
            raise TypeError(f"NetEvaluator needs a DualNet or a checkpoint, got {type(net).__name__}")
        self.config = net.config
        self.size = net.config.board_size
        self.device = pick_device(device)
        if mode == "auto":
            mode = auto_mode(self.device)
        elif mode == "bf16" and not bf16_supported(self.device):
            warnings.warn(f"{self.device.type} has no native bf16; evaluating in channels_last float32", stacklevel=2)
            mode = "channels_last"
        self.mode = mode
        self.symmetry = symmetry
        self.generator = torch.Generator().manual_seed(seed)
        self.compile_requested = compile
        self.set_weights(net)

    @property
    def has_ownership(self) -> bool:
        return self.config.ownership

    @property
    def dtype(self) -> torch.dtype:
        return torch.bfloat16 if self.mode == "bf16" else torch.float32

    @property
    def memory_format(self) -> torch.memory_format:
        return torch.contiguous_format if self.mode == "fp32" else torch.channels_last

    def set_weights(self, source: nn.Module | dict) -> None:
        """Take new weights: a ``DualNet`` of the same config (bare or wrapped) or its state dict."""
        if isinstance(source, dict):
            net = DualNet(self.config)
            net.load_state_dict(source)
        else:
            net = unwrap(source)
            if not isinstance(net, DualNet) or net.config != self.config:
                raise ValueError("set_weights needs a DualNet of the evaluator's config")
        net = copy.deepcopy(net).cpu().eval()
        if self.mode != "fp32":
            net = fold_batch_norms(net)
        self.model = net.to(self.device, dtype=self.dtype, memory_format=self.memory_format)
        self._forward = self.model
        if self.compile_requested:
            self._forward = self._compiled()

    def _compiled(self):
        """``torch.compile`` of the model, tried once here; eager (with a warning) if it fails."""
        try:
            compiled = torch.compile(self.model)
            with torch.inference_mode():
                compiled(self._prepare(torch.zeros(1, self.config.input_planes, self.size, self.size)))
            return compiled
        except Exception as err:  # noqa: BLE001 (no compiler, unsupported platform...: speed is optional)
            warnings.warn(f"torch.compile unavailable, evaluating eagerly: {str(err).strip()[:200]}", stacklevel=3)
            self.compile_requested = False
            return self.model

    def _prepare(self, planes: torch.Tensor) -> torch.Tensor:
        planes = planes.to(self.device, non_blocking=True).to(self.dtype)
        return planes.contiguous(memory_format=self.memory_format)

    def _run(self, planes: torch.Tensor) -> NetOutput:
        try:
            return self._forward(planes)
        except Exception as err:
            if self._forward is self.model:
                raise
            # A compiled graph can still fail on a new batch shape; eager always works.
            warnings.warn(f"torch.compile failed, evaluating eagerly: {str(err).strip()[:200]}", stacklevel=3)
            self._forward = self.model
            return self.model(planes)

    def evaluate(self, features: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Priors and values of a batch of positions (see the module docstring)."""
        answer = self.evaluate_full(features, legal)
        return answer.priors, answer.values

    def evaluate_full(self, features: np.ndarray, legal: np.ndarray) -> Evaluation:
        """Priors, values and ownership (None without the head) of a batch of positions."""
        features, legal = self._check(features, legal)
        batch, size = len(features), self.size
        with torch.inference_mode():
            planes = torch.from_numpy(features)
            mask = torch.from_numpy(legal).to(self.device, non_blocking=True)
            symmetries = None
            if self.symmetry == "random":
                symmetries = random_symmetries(batch, self.generator)
            elif self.symmetry == "all":
                # Eight copies of the batch, copy s under symmetry s: one forward for all.
                symmetries = torch.arange(SYMMETRIES).repeat_interleave(batch)
                planes = planes.repeat(SYMMETRIES, 1, 1, 1)
                mask = mask.repeat(SYMMETRIES, 1)
            if symmetries is not None:
                symmetries = symmetries.to(self.device)
                planes = transform_planes(planes.to(self.device), symmetries)
            output = self._run(self._prepare(planes))

            logits = output.policy_logits.float()
            values = output.value.float()
            ownership = None if output.ownership is None else output.ownership.float()
            if symmetries is not None:  # back to the positions' own orientation
                back = inverse_symmetries(symmetries)
                logits = transform_policy(logits, back, size)
                if ownership is not None:
                    ownership = transform_points(ownership, back, size)
            priors = torch.softmax(logits.masked_fill(~mask, float("-inf")), dim=1)
            priors = torch.nan_to_num(priors, nan=0.0)  # a row with no legal move: all -inf
            if self.symmetry == "all":
                priors = priors.view(SYMMETRIES, batch, -1).mean(0)
                values = values.view(SYMMETRIES, batch).mean(0)
                if ownership is not None:
                    ownership = ownership.view(SYMMETRIES, batch, -1).mean(0)
            values = values.clamp(-1.0, 1.0)
            return Evaluation(
                priors=priors.cpu().numpy(),
                values=values.cpu().numpy(),
                ownership=None if ownership is None else ownership.cpu().numpy(),
            )

    def _check(self, features: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n, planes = self.size, self.config.input_planes
        features = np.ascontiguousarray(features, dtype=np.float32)
        legal = np.ascontiguousarray(legal, dtype=np.bool_)
        if features.ndim != 4 or features.shape[1:] != (planes, n, n):
            raise ValueError(f"features must be [B, {planes}, {n}, {n}] for this network, got {list(features.shape)}")
        if legal.shape != (len(features), n * n + 1):
            raise ValueError(f"legal must be [{len(features)}, {n * n + 1}], got {list(legal.shape)}")
        return features, legal
