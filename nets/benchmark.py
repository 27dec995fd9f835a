"""Speed of the network: evaluations a second by batch size and inference mode, and
training samples a second; the figures of ``dosaku bench net``.

Evaluations go through ``NetEvaluator.evaluate``, the whole path the search
sees (numpy in, masked softmax, numpy out). Times are wall-clock: torch may use
several threads, whose work process time would count several times over. To keep
other processes' load from favouring one mode, the modes take turns in short
rounds and each figure is its best round.
"""

from __future__ import annotations

import time
from functools import partial

import numpy as np
import torch

from nets.config import NetConfig
from nets.evaluator import NetEvaluator, bf16_supported, offered_modes, pick_device
from nets.loss import LossWeights
from nets.model import DualNet
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
) -> dict:
    """Named figures (see the module docstring); ``seconds`` is the time behind each figure.

    ``eval_{mode}_b{B}``: positions evaluated a second; ``train_{fp32|bf16}_b{B}``:
    training samples a second (SGD with momentum, the real loss);
    ``speedup_best_vs_fp32_b64``: the best mode over plain eager float32 at batch 64.
    """
    if not seconds > 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    config = NetConfig(size, blocks=blocks, channels=channels)
    model = DualNet(config)
    target = pick_device(device)
    modes = offered_modes(target)
    evaluators = {mode: NetEvaluator(model, device=target, mode=mode) for mode in modes}
    figures: dict = {
        "size": size, "blocks": blocks, "channels": channels, "threads": threads,
        "parameters": model.parameter_count(), "device": target.type, "modes": ",".join(modes),
    }  # fmt: skip

    for batch in batches:
        features, legal = _positions(batch, size, config.input_planes, rng)
        best = dict.fromkeys(modes, 0.0)
        for evaluator in evaluators.values():  # oneDNN builds its kernels per shape: not timed
            evaluator.evaluate(features, legal)
        for _ in range(ROUNDS):
            for mode, evaluator in evaluators.items():
                rate = _rate(partial(evaluator.evaluate, features, legal), batch, seconds / ROUNDS)
                best[mode] = max(best[mode], rate)
        for mode in modes:
            figures[f"eval_{mode}_b{batch}"] = round(best[mode], 1)

    if 64 in batches:
        fastest = max(modes, key=lambda m: figures[f"eval_{m}_b64"])
        figures["best_mode_b64"] = fastest
        figures["speedup_best_vs_fp32_b64"] = round(figures[f"eval_{fastest}_b64"] / figures["eval_fp32_b64"], 2)

    figures.update(_training_figures(config, target, train_batch, seconds, rng))
    return figures


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
