"""The trainer: synchronous data-parallel SGD, run by Ray Train's ``TorchTrainer``.

``TorchTrainer`` starts ``trainers`` worker processes, sets up torch.distributed
(gloo on CPU, NCCL on GPU), and ``prepare_model`` wraps the network in
DistributedDataParallel, whose backward pass all-reduces (averages) the gradients:
every step, every worker takes the same optimiser step on the average gradient of
all workers' half-batches, as in the AlphaGo Zero lineage. The step itself is
``nets.train_step``, the same code as single-process training.

The loop, top to bottom: schedule -> wait for data -> sample -> forward/backward/step
-> publish / checkpoint / report. Rank 0 alone talks to the hub and writes
checkpoints; the decision to go on or stop is broadcast so that every rank takes
the same number of steps (a collective call with a missing rank would hang).
"""

from __future__ import annotations

import time
from pathlib import Path

import ray
import torch
import torch.distributed as dist

from nets.augment import augment, random_symmetries, transform_moves
from nets.checkpoint import load_checkpoint, save_checkpoint
from nets.evaluator import bf16_supported
from nets.loss import LossWeights
from nets.model import DualNet, unwrap
from nets.train_step import train_step
from nets.weight_average import WeightAverage
from selfplay.run_config import run_config_from_dict, run_config_to_dict
from selfplay.run_dir import RunDirectory

GO, STOP = 1, 0


def train_loop_per_worker(loop_config: dict) -> None:
    """Entry point of each Ray Train worker; ``loop_config`` from ``trainer_config``."""
    import ray.train
    import ray.train.torch

    config = run_config_from_dict(loop_config["config"])
    run_dir = RunDirectory(loop_config["run_dir"])
    hub = ray.get_actor(loop_config["hub"])
    buffer = ray.get_actor(loop_config["buffer"])
    context = ray.train.get_context()
    rank, world = context.get_world_rank(), context.get_world_size()
    torch.set_num_threads(loop_config.get("threads", 1))
    torch.manual_seed(config.seed + rank)

    # Every rank starts from the same checkpoint, so DDP starts in agreement.
    checkpoint = load_checkpoint(loop_config["checkpoint"], board_size=config.rules.size)
    model = DualNet(config.network)
    # A checkpoint of an averaged run holds the average as its network and the raw
    # weights apart: training goes on from the raw ones.
    raw = checkpoint.training_weights
    model.load_state_dict(raw if raw is not None else checkpoint.model.state_dict())
    step = checkpoint.step
    model = ray.train.torch.prepare_model(model)
    device = next(model.parameters()).device
    # Rank 0 alone publishes and checkpoints, so it alone keeps the average (every
    # rank's weights are the same after each step).
    average = None
    if rank == 0 and config.training.ema_decay > 0:
        resumed = raw is not None  # the checkpoint's network is the average so far
        average = WeightAverage(checkpoint.model if resumed else unwrap(model), config.training.ema_decay,
                                updates=int(checkpoint.metadata.get("ema_updates", 0)) if resumed else 0,
                                device=device)  # fmt: skip
    training = config.training
    optimizer = torch.optim.SGD(model.parameters(), lr=training.learning_rate(step), momentum=training.momentum,
                                weight_decay=training.weight_decay, nesterov=True)  # fmt: skip
    if checkpoint.optimizer_state is not None:
        optimizer.load_state_dict(checkpoint.optimizer_state)
    autocast = torch.bfloat16 if training.bf16 and bf16_supported(device) else None
    weights = LossWeights(ownership=1.5 if config.network.ownership else 0.0, score=training.score_loss_weight,
                          opponent_policy=training.opponent_policy_loss_weight)  # fmt: skip
    generator = torch.Generator().manual_seed(config.seed * 1000 + rank)
    per_rank = training.batch_size // world
    started, waited = time.perf_counter(), 0.0  # the share of time spent waiting for self-play
    # The driver's session start (wall clock) and the run's seconds before it: checkpoints carry the run's age.
    clock = tuple(loop_config.get("clock", (time.time(), 0.0)))

    while step < training.steps:
        # --- schedule
        for group in optimizer.param_groups:
            group["lr"] = training.learning_rate(step)
        # --- wait for data (rank 0 decides; everyone follows)
        waiting = time.perf_counter()
        if _agree(rank, device, lambda: _wait_for_data(hub, buffer, training.batch_size)) == STOP:
            break
        waited += time.perf_counter() - waiting
        # --- sample this rank's share; a random symmetry per sample
        arrays = ray.get(buffer.sample.remote(per_rank))
        batch = _to_tensors(arrays, generator)
        # --- forward, backward (gradients averaged across ranks by DDP), step
        step_started = time.perf_counter()
        figures = train_step(model, optimizer, batch, weights, autocast_dtype=autocast,
                             max_grad_norm=training.max_grad_norm)  # fmt: skip
        step += 1
        if average is not None:
            average.update(unwrap(model))
        # --- publish, checkpoint, report (rank 0 only; the others go straight on)
        if rank == 0:
            figures.update(step=step, lr=training.learning_rate(step - 1),
                           samples_per_s=training.batch_size / max(time.perf_counter() - step_started, 1e-9),
                           wait_share=waited / max(time.perf_counter() - started, 1e-9))  # fmt: skip
            hub.report.remote(figures)
            if step % training.publish_every == 0:
                _publish(hub, _playing(model, average), step)
            if step % training.checkpoint_every == 0 or step == training.steps:
                _checkpoint(run_dir, config, model, optimizer, step, hub, clock, average)
    if rank == 0 and step % training.checkpoint_every != 0 and step > checkpoint.step:
        _checkpoint(run_dir, config, model, optimizer, step, hub, clock, average)  # a stop keeps the last steps


def _playing(model, average: WeightAverage | None):
    """The network that plays, is checkpointed as the run's network and is evaluated:
    the weight average when there is one, else the trained weights themselves."""
    return model if average is None else average.module


def _agree(rank: int, device: torch.device, decide) -> int:
    """Rank 0's decision, broadcast to every rank."""
    flag = torch.tensor([decide() if rank == 0 else 0], dtype=torch.int64, device=device)
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        dist.broadcast(flag, src=0)
    return int(flag.item())


def _wait_for_data(hub, buffer, batch: int) -> int:
    """Block until the buffer allows another batch (GO) or the run is stopping (STOP)."""
    while True:
        if ray.get(hub.should_stop.remote()):
            return STOP
        if ray.get(buffer.trainable.remote(batch)):
            return GO
        time.sleep(0.2)


def _to_tensors(arrays: dict, generator: torch.Generator) -> dict[str, torch.Tensor]:
    planes = torch.from_numpy(arrays["planes"])
    policy = torch.from_numpy(arrays["policy"])
    ownership = torch.from_numpy(arrays["ownership"])
    symmetries = random_symmetries(planes.shape[0], generator)  # one per sample
    planes, policy, ownership = augment(planes, policy, ownership, symmetries)
    # The score, like the value, is the same under every symmetry.
    score = torch.from_numpy(arrays["score"]) if "score" in arrays else None
    # The opponent's reply is a move: the same symmetry as the policy's moves it.
    reply = arrays.get("opponent_policy")
    reply = None if reply is None else transform_moves(torch.from_numpy(reply), symmetries, planes.shape[-1])
    return {"planes": planes, "policy": policy, "value": torch.from_numpy(arrays["value"]), "ownership": ownership,
            "score": score, "opponent_policy": reply}  # fmt: skip


def cpu_weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The bare network's weights on the CPU (DDP's ``module.`` prefix removed)."""
    net = getattr(model, "module", model)
    return {name: tensor.detach().cpu().clone() for name, tensor in net.state_dict().items()}


def _publish(hub, model, step: int) -> None:
    # One ray.put per version; the hub keeps the reference, workers resolve it.
    hub.publish.remote(step, [ray.put(cpu_weights(model))])


def _checkpoint(run_dir: RunDirectory, config, model, optimizer, step: int, hub, clock: tuple[float, float],
                average: WeightAverage | None = None) -> None:  # fmt: skip
    path = run_dir.checkpoint_path(step)
    session_started, elapsed_before = clock
    elapsed = round(elapsed_before + time.time() - session_started, 2)  # the run's wall seconds, all sessions
    metadata = {"config": run_config_to_dict(config), "elapsed_seconds": elapsed}
    if average is not None:
        metadata["ema_updates"] = average.updates
    save_checkpoint(path, _playing(model, average), rules={"size": config.rules.size, "komi": config.rules.komi},
                    optimizer=optimizer, step=step, run_name=run_dir.root.name, metadata=metadata,
                    training_model=None if average is None else model)  # fmt: skip
    run_dir.prune_checkpoints(config.training.keep_last, config.training.keep_every)
    ray.get(hub.checkpoint_written.remote(step, str(path)))
    _publish(hub, _playing(model, average), step)


def write_initial_checkpoint(run_dir: RunDirectory, config) -> Path:
    """Step 0: the seeded, untrained network every part of the run starts from."""
    torch.manual_seed(config.seed)
    model = DualNet(config.network)
    path = run_dir.checkpoint_path(0)
    save_checkpoint(path, model, rules={"size": config.rules.size, "komi": config.rules.komi}, step=0,
                    run_name=run_dir.root.name, metadata={"config": run_config_to_dict(config), "elapsed_seconds": 0.0})  # fmt: skip
    return path
