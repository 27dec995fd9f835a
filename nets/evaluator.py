"""``NetEvaluator``: a network as the search's leaf evaluator, batched and fast.

Interface (``mcts.search``'s, which this module does not import):
``evaluate(features, legal) -> (priors, values)`` with ``features`` float32
``[B, C, N, N]`` (planes of version ``feature_version``, ``engine.features``), ``legal`` bool ``[B, N*N+1]``; ``priors`` float32 ``[B, N*N+1]``,
a softmax over each row's legal moves (0 elsewhere; all 0 in a row with no legal
move), ``values`` float32 ``[B]`` in [-1, 1] for the player to move.
``evaluate_full`` adds ``ownership`` float32 ``[B, N*N]`` and ``score`` float32
``[B]`` (points for the player to move), each None without its head.
``evaluate_with_score`` is the search's call when ``has_score``: priors, values
and scores, the scores averaged over symmetries like the values.

Backends (``backend``), which run the network; masking, softmax and symmetries
are this module's, the same for both:

- ``"torch"`` (``nets.torch_runner``), in a ``mode``: ``fp32`` (eager, the
  baseline), ``channels_last`` (batch norms folded, NHWC) or ``bf16`` (as
  channels_last in bfloat16 where the hardware has it); ``auto`` picks the
  fastest the device offers. Runs on CPU, CUDA and Apple's MPS.
- ``"openvino"`` (``nets.openvino_runner``): the CPU only, ``mode`` ``bf16``
  where the CPU computes bfloat16 natively, else ``fp32``.
- ``"auto"``: OpenVINO where the device is the CPU and OpenVINO compiles the
  network, torch otherwise (CUDA, MPS, no OpenVINO). A fallback to torch is said
  once, in one line, on stderr; ``"openvino"`` where it cannot run is an error.

The evaluator keeps its own inference copy of the weights, taken at construction:
after training the source model further, call ``set_weights`` to refresh it.
``threads`` sets torch's (process-wide) CPU thread count and OpenVINO's
inference threads; self-play workers use 1.
"""

from __future__ import annotations

import copy
import os
import sys
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from nets import torch_runner
from nets.augment import (
    SYMMETRIES,
    inverse_symmetries,
    random_symmetries,
    transform_planes,
    transform_points,
    transform_policy,
)
from nets.checkpoint import Checkpoint, load_checkpoint
from nets.model import DualNet, unwrap
from nets.openvino_runner import OpenVINORunner, OpenVINOUnavailable, native_bf16, openvino_problem
from nets.torch_runner import MODES, TorchRunner, bf16_supported, fold_batch_norms, offered_modes

__all__ = ["BACKENDS", "MODES", "Evaluation", "NetEvaluator", "bf16_supported", "fold_batch_norms",
           "offered_modes", "pick_device", "resolve_backend"]  # fmt: skip

BACKENDS = ("auto", "torch", "openvino")
SYMMETRY_CHOICES = ("none", "random", "all")
_fallback_said = False  # the fallback to torch is said once a process, not once an evaluator


@dataclass
class Evaluation:
    """``evaluate_full``'s answer, float32 numpy arrays."""

    priors: np.ndarray  # [B, N*N+1], softmax over legal moves
    values: np.ndarray  # [B] in [-1, 1], for the player to move
    ownership: np.ndarray | None  # [B, N*N] in [-1, 1], +1 = the player to move's; None without the head
    score: np.ndarray | None = None  # [B] expected final score in points for the player to move; None without the head


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


def resolve_backend(backend: str, device: torch.device) -> str:
    """``torch`` or ``openvino`` for ``backend`` on ``device``; ValueError (one line) for
    ``openvino`` where it cannot run."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "torch":
        return "torch"
    if device.type != "cpu":
        if backend == "openvino":
            raise ValueError(f"the openvino backend runs on the CPU, not {device.type}")
        return "torch"
    problem = openvino_problem()
    if problem and backend == "openvino":
        raise ValueError(f"the openvino backend cannot run here: {problem}")
    return "torch" if problem else "openvino"


def _say_fallback(reason: str) -> None:
    global _fallback_said
    if not _fallback_said:
        _fallback_said = True
        print(f"dosaku: {reason}; evaluating with torch", file=sys.stderr, flush=True)


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
        backend: str = "auto",
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
        self.symmetry = symmetry
        self.generator = torch.Generator().manual_seed(seed)
        self.backend = resolve_backend(backend, self.device)
        if backend == "auto" and self.device.type == "cpu" and self.backend == "torch":
            _say_fallback(openvino_problem() or "OpenVINO unavailable")
        self.runner: TorchRunner | OpenVINORunner
        if self.backend == "openvino":
            try:
                self.mode = self._openvino_mode(mode)
                precision = "bf16" if self.mode == "bf16" else "f32"
                self.runner = OpenVINORunner(self._inference_copy(net, fold=True), precision, threads)
                return
            except OpenVINOUnavailable as err:
                if backend == "openvino":
                    raise ValueError(f"the openvino backend cannot run here: {err}") from None
                _say_fallback(str(err))
                self.backend = "torch"
        self.mode = self._torch_mode(mode)
        self.runner = TorchRunner(self._inference_copy(net, fold=False), self.device, self.mode, compile)

    def _torch_mode(self, mode: str) -> str:
        # Through the module, so that a test can pretend the hardware lacks bf16.
        if mode == "auto":
            return torch_runner.auto_mode(self.device)
        if mode == "bf16" and not torch_runner.bf16_supported(self.device):
            warnings.warn(f"{self.device.type} has no native bf16; evaluating in channels_last float32", stacklevel=3)
            return "channels_last"
        return mode

    @staticmethod
    def _openvino_mode(mode: str) -> str:
        """``bf16`` or ``fp32`` (channels_last means nothing to OpenVINO, which lays out memory itself)."""
        if mode == "auto":
            return "bf16" if native_bf16() else "fp32"
        if mode == "bf16" and not native_bf16():
            warnings.warn("this CPU has no native bf16; OpenVINO evaluates in float32", stacklevel=3)
            return "fp32"
        return "fp32" if mode == "channels_last" else mode

    @property
    def has_ownership(self) -> bool:
        return self.config.ownership

    @property
    def has_score(self) -> bool:
        return self.config.score

    @property
    def feature_version(self) -> int:
        """The input planes the network reads (``engine.features``); the search writes these."""
        return self.config.features

    @property
    def description(self) -> str:
        """The backend and mode in a few words, e.g. ``openvino bf16`` (for logs and benchmarks)."""
        return f"{self.backend} {self.mode}"

    def _inference_copy(self, source: nn.Module | dict, fold: bool) -> DualNet:
        """A detached CPU copy of ``source`` (a ``DualNet`` of this config, bare or wrapped,
        or its state dict) in eval mode, without the training-only heads (the
        opponent-reply policy); batch norms folded when ``fold``."""
        if isinstance(source, dict):
            net = DualNet(self.config)
            net.load_state_dict(source)
        else:
            net = unwrap(source)
            if not isinstance(net, DualNet) or net.config != self.config:
                raise ValueError("set_weights needs a DualNet of the evaluator's config")
            net = copy.deepcopy(net)
        # Play never reads the training-only heads: the copy does not compute them.
        net = net.drop_training_heads().cpu().eval()
        return fold_batch_norms(net, in_place=True) if fold else net

    def set_weights(self, source: nn.Module | dict) -> None:
        """Take new weights: a ``DualNet`` of the same config (bare or wrapped) or its state dict."""
        self.runner.set_weights(self._inference_copy(source, fold=self.backend == "openvino"))

    def evaluate(self, features: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Priors and values of a batch of positions (see the module docstring)."""
        answer = self.evaluate_full(features, legal)
        return answer.priors, answer.values

    def evaluate_with_score(self, features: np.ndarray, legal: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Priors, values and scores (points; zeros without the head) of a batch of positions."""
        answer = self.evaluate_full(features, legal)
        scores = answer.score if answer.score is not None else np.zeros(len(answer.values), np.float32)
        return answer.priors, answer.values, scores

    def evaluate_full(self, features: np.ndarray, legal: np.ndarray) -> Evaluation:
        """Priors, values, ownership and score (each None without its head) of a batch of positions."""
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
            output = self.runner.run(planes)

            logits = output.policy_logits.float()
            values = output.value.float()
            ownership = None if output.ownership is None else output.ownership.float()
            score = None if output.score is None else output.score.float()
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
                if score is not None:
                    score = score.view(SYMMETRIES, batch).mean(0)
            values = values.clamp(-1.0, 1.0)
            return Evaluation(
                priors=priors.cpu().numpy(),
                values=values.cpu().numpy(),
                ownership=None if ownership is None else ownership.cpu().numpy(),
                score=None if score is None else score.cpu().numpy(),
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
