"""The network run by torch: ``NetEvaluator``'s ``torch`` backend, in one of its modes.

- ``"fp32"``: the network as trained, eager float32, NCHW: the baseline.
- ``"channels_last"``: batch norms folded into the convolutions, NHWC memory
  format (oneDNN's and cuDNN's fast layout).
- ``"bf16"``: as channels_last with bfloat16 weights and activations, where the
  hardware does bf16 natively (AVX-512 bf16 or AMX CPUs, recent GPUs). The weights
  are cast once, not at each call as autocast would (its cast cache lives for one
  ``with`` block), which matters at small batches; outputs come back as float32.

``compile=True`` wraps the model in ``torch.compile`` (tens of seconds to build on
a CPU, for a few per cent there); if that fails, a warning, and eager it is.
"""

from __future__ import annotations

import copy
import warnings

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from nets.model import DualNet, NetOutput

MODES = ("fp32", "channels_last", "bf16")


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
    """Torch inference modes worth using on ``device``, slowest first (so ``auto`` takes the last)."""
    if device.type == "mps":
        return ["fp32", "channels_last"]
    return ["fp32", "channels_last", "bf16"] if bf16_supported(device) else ["fp32", "channels_last"]


def auto_mode(device: torch.device) -> str:
    return "fp32" if device.type == "mps" else offered_modes(device)[-1]


def fold_batch_norms(model: nn.Module, in_place: bool = False) -> nn.Module:
    """A copy of ``model`` (in eval mode) with each conv-BN pair folded into one conv;
    ``model`` itself with ``in_place`` (for a copy the caller owns: one deep copy fewer).

    Relies on ``nets.model``'s habit of building every such pair as the last two
    entries of an ``nn.Sequential``; other batch norms are left alone.
    """
    model = (model if in_place else copy.deepcopy(model)).eval()
    for module in model.modules():
        if isinstance(module, nn.Sequential) and len(module) >= 2:
            conv, norm = module[-2], module[-1]
            if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
                module[-2] = fuse_conv_bn_eval(conv, norm)
                module[-1] = nn.Identity()
    return model


class TorchRunner:
    """An inference copy of a ``DualNet`` on ``device`` in ``mode``; ``run(planes)`` gives its ``NetOutput``."""

    def __init__(self, net: DualNet, device: torch.device, mode: str, compile: bool = False):
        self.device, self.mode, self.compile_requested = device, mode, compile
        self.set_weights(net)

    @property
    def dtype(self) -> torch.dtype:
        return torch.bfloat16 if self.mode == "bf16" else torch.float32

    @property
    def memory_format(self) -> torch.memory_format:
        return torch.contiguous_format if self.mode == "fp32" else torch.channels_last

    def set_weights(self, net: DualNet) -> None:
        """Run ``net`` from now on (a CPU copy the runner may keep and change)."""
        net = net.eval()
        if self.mode != "fp32":
            net = fold_batch_norms(net, in_place=True)
        self.model = net.to(self.device, dtype=self.dtype, memory_format=self.memory_format)
        self._forward = self.model
        if self.compile_requested:
            self._forward = self._compiled()

    def _compiled(self):
        """``torch.compile`` of the model, tried once here; eager (with a warning) if it fails."""
        config = self.model.config
        try:
            compiled = torch.compile(self.model)
            with torch.inference_mode():
                compiled(self._prepare(torch.zeros(1, config.input_planes, config.board_size, config.board_size)))
            return compiled
        except Exception as err:  # noqa: BLE001 (no compiler, unsupported platform...: speed is optional)
            warnings.warn(f"torch.compile unavailable, evaluating eagerly: {str(err).strip()[:200]}", stacklevel=4)
            self.compile_requested = False
            return self.model

    def _prepare(self, planes: torch.Tensor) -> torch.Tensor:
        planes = planes.to(self.device, non_blocking=True).to(self.dtype)
        return planes.contiguous(memory_format=self.memory_format)

    def run(self, planes: torch.Tensor) -> NetOutput:
        planes = self._prepare(planes)
        try:
            return self._forward(planes)
        except Exception as err:
            if self._forward is self.model:
                raise
            # A compiled graph can still fail on a new batch shape; eager always works.
            warnings.warn(f"torch.compile failed, evaluating eagerly: {str(err).strip()[:200]}", stacklevel=3)
            self._forward = self.model
            return self.model(planes)
