"""Speed of the network: evaluations a second by batch size, backend and mode, and
training samples a second; the figures of ``dosaku bench net``.

Evaluations go through ``NetEvaluator.evaluate``, the whole path the search
sees (numpy in, masked softmax, numpy out), for every backend and mode this
machine offers: torch ``fp32`` (eager, the baseline), ``channels_last`` and
``bf16``; OpenVINO ``fp32`` and ``bf16``. A *reference* figure times an
independent OpenVINO bf16 compile of the same plain network, called directly (no
masking, no softmax): how close the evaluator comes to what OpenVINO alone does.

Times are wall-clock: a runtime may use several threads, whose work process time
would count several times over. To keep other processes' load from favouring one
contestant, they take turns in short rounds and each figure is its best round.
"""

from __future__ import annotations

import time
import warnings
from functools import partial

import numpy as np
import torch

from nets.config import NetConfig
from nets.evaluator import NetEvaluator, bf16_supported, offered_modes, pick_device, resolve_backend
from nets.loss import LossWeights
from nets.model import DualNet
from nets.openvino_runner import native_bf16
from nets.train_step import train_step

BATCHES = (1, 8, 64, 256)
ROUNDS = 3  # turns each mode takes per figure; the best counts


def _rate(run, items: int, seconds: float) -> float:
    """Items a second over calls of ``run()`` (``items`` each) for about ``seconds``."""
    calls, start = 0, time.perf_counter()
    while True:
        run()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls * items / elapsed


def _positions(batch: int, size: int, planes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stone-like 0/1 planes and legal masks of ``batch`` made-up positions."""
    features = (rng.random((batch, planes, size, size)) < 0.3).astype(np.float32)
    legal = rng.random((batch, size * size + 1)) < 0.7
    legal[:, -1] = True
    return features, legal


def _training_batch(batch: int, config: NetConfig, rng: np.random.Generator) -> dict[str, torch.Tensor]:
    features, _ = _positions(batch, config.board_size, config.input_planes, rng)
    policy = rng.dirichlet(np.full(config.actions, 0.3), size=batch).astype(np.float32)
    return {
        "planes": torch.from_numpy(features),
        "policy": torch.from_numpy(policy),
        "value": torch.from_numpy(rng.choice([-1.0, 1.0], size=batch).astype(np.float32)),
        # Read only by a network with the opponent-reply head (its training cost counts).
        "opponent_policy": torch.from_numpy(rng.integers(0, config.actions, size=batch)),
    }


def benchmark_net(
    size: int = 9,
    blocks: int = 6,
    channels: int = 64,
    threads: int = 1,
    seconds: float = 1.0,
    batches: tuple[int, ...] = BATCHES,
    train_batch: int = 256,
    seed: int = 0,
    device: str | None = None,
    backend: str = "auto",
    features: int = 1,
) -> dict:
    """Named figures (see the module docstring); ``seconds`` is the time behind each figure.

    ``eval_{mode}_b{B}``: positions a second through torch in ``mode``;
    ``eval_openvino_{mode}_b{B}``: the same through OpenVINO; ``reference_openvino_bf16_b{B}``:
    OpenVINO alone; ``train_{fp32|bf16}_b{B}``: training samples a second (SGD with
    momentum, the real loss). At batch 64: ``best_b64`` (the fastest contestant),
    its speed-up over eager float32 and over torch bf16, and its share of the reference.
    ``backend``: ``auto`` measures every backend here, ``torch`` or ``openvino`` one.
    ``features``: the network's input feature version (its number of input planes).
    """
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    config = NetConfig(size, blocks=blocks, channels=channels, features=features)
    model = DualNet(config)
    target = pick_device(device)
    contestants = _contestants(model, target, threads, backend)
    reference = _openvino_reference(model, threads) if "openvino_bf16" in contestants else None
    figures: dict = {
        "size": size, "blocks": blocks, "channels": channels, "threads": threads,
        "parameters": model.parameter_count(), "device": target.type, "modes": ",".join(contestants),
        "features": features,
    }  # fmt: skip

    for batch in batches:
        features, legal = _positions(batch, size, config.input_planes, rng)
        runs = {name: partial(evaluator.evaluate, features, legal) for name, evaluator in contestants.items()}
        if reference is not None:
            runs["reference_openvino_bf16"] = partial(reference.infer, {0: features})
        best = dict.fromkeys(runs, 0.0)
        for run in runs.values():  # kernels are built per shape: not timed
            run()
        for _ in range(ROUNDS):
            for name, run in runs.items():
                best[name] = max(best[name], _rate(run, batch, seconds / ROUNDS))
        for name, rate in best.items():
            figures[f"{_figure_prefix(name)}_b{batch}"] = round(rate, 1)

    if 64 in batches:
        figures.update(_batch64_summary(figures, contestants))
    figures.update(_training_figures(config, target, train_batch, seconds, rng))
    return figures


def _contestants(model: DualNet, device: torch.device, threads: int, backend: str) -> dict[str, NetEvaluator]:
    """``{name: evaluator}``: torch's modes as ``fp32``..., OpenVINO's as ``openvino_fp32``..."""
    contestants = {}
    if backend in ("auto", "torch"):
        for mode in offered_modes(device):
            contestants[mode] = NetEvaluator(model, device=device, mode=mode, backend="torch")
    if backend == "openvino" or (backend == "auto" and resolve_backend("auto", device) == "openvino"):
        resolve_backend("openvino", device)  # the one-line error where it cannot run
        for mode in ("fp32", "bf16") if native_bf16() else ("fp32",):
            contestants[f"openvino_{mode}"] = NetEvaluator(model, device=device, threads=threads, mode=mode,
                                                           backend="openvino")  # fmt: skip
    return contestants


def _openvino_reference(model: DualNet, threads: int):
    """An infer request of the network compiled by OpenVINO alone (bf16), as its own documentation does it."""
    import openvino as ov

    from nets.torch_runner import fold_batch_norms

    class Plain(torch.nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, planes):
            output = self.net(planes)
            return output.policy_logits, output.value

    config = model.config
    shape = [config.input_planes, config.board_size, config.board_size]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        converted = ov.convert_model(Plain(fold_batch_norms(model)), example_input=torch.zeros(1, *shape),
                                     input=[(ov.PartialShape([-1, *shape]), ov.Type.f32)])  # fmt: skip
    properties = {"INFERENCE_PRECISION_HINT": "bf16", "INFERENCE_NUM_THREADS": threads}
    return ov.Core().compile_model(converted, "CPU", properties).create_infer_request()


def _figure_prefix(name: str) -> str:
    return name if name.startswith("reference") else f"eval_{name}"


def _batch64_summary(figures: dict, contestants: dict) -> dict:
    """The fastest contestant at batch 64 and its ratios to eager fp32, torch bf16 and OpenVINO alone."""
    fastest = max(contestants, key=lambda name: figures[f"eval_{name}_b64"])
    best = figures[f"eval_{fastest}_b64"]
    summary = {"best_b64": fastest, "best_mode_b64": fastest}
    for label, key in (("fp32", "eval_fp32_b64"), ("torch_bf16", "eval_bf16_b64"),
                       ("reference", "reference_openvino_bf16_b64")):  # fmt: skip
        if key in figures:
            summary[f"speedup_best_vs_{label}_b64"] = round(best / figures[key], 2)
    return summary


def _training_figures(config: NetConfig, device: torch.device, batch: int, seconds: float, rng) -> dict:
    """Training samples a second, float32 and (where native) bf16 autocast, channels-last for bf16."""
    kinds = {"fp32": None}
    if bf16_supported(device):
        kinds["bf16"] = torch.bfloat16
    data = _training_batch(batch, config, rng)
    steps = {}
    for name, dtype in kinds.items():
        model = DualNet(config).to(device)
        channels_last = dtype is not None
        if channels_last:
            model = model.to(memory_format=torch.channels_last)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)

        def step(model=model, optimizer=optimizer, dtype=dtype, channels_last=channels_last):
            train_step(model, optimizer, data, LossWeights(), autocast_dtype=dtype, channels_last=channels_last)

        step()  # warm-up: kernel selection, optimizer state
        steps[name] = step
    best = dict.fromkeys(kinds, 0.0)
    for _ in range(ROUNDS):
        for name, step in steps.items():
            best[name] = max(best[name], _rate(step, batch, seconds / ROUNDS))
    return {f"train_{name}_b{batch}": round(rate, 1) for name, rate in best.items()}
