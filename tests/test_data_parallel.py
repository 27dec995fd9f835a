"""Synchronous data parallelism: two workers on half batches take the same steps as
one worker on the full batch.

``nets.train_step.train_step`` runs under ``DistributedDataParallel``, whose
backward pass all-reduces (averages) the gradients. The loss is a mean over the
batch, so the average of two half-batch gradients is the full-batch gradient, and
every rank then takes the same optimiser step: after each step both ranks hold
identical parameters, equal (to float rounding) to single-process training on the
whole batch. Checked over several steps of Nesterov momentum SGD with weight decay
and gradient clipping, as the trainer runs it.

Batch norm: DDP averages gradients, but batch statistics are per rank (as in AlphaGo
Zero's multi-GPU training), so a half batch normalises differently from the whole
batch. The equivalence check therefore keeps the batch norms in eval mode (their
running statistics fixed, their scale and shift still learned); with batch norms in
training mode, the ranks must still agree with each other.

Two ways in: torch.multiprocessing with a gloo process group (fast), and Ray
Train's ``TorchTrainer`` with ``prepare_model`` (the production path).
"""

from __future__ import annotations

import socket
import sys
import uuid

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn

from nets.config import NetConfig
from nets.loss import LossWeights
from nets.model import DualNet
from nets.train_step import train_step

NET = NetConfig(board_size=5, blocks=2, channels=16, ownership=True, value_hidden=16, opponent_policy=True)
BATCH = 16
STEPS = 4
SGD = {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-3, "nesterov": True}
MAX_GRAD_NORM = 0.5  # small enough to clip in some steps
WEIGHTS = LossWeights(ownership=1.5)


def make_batches(seed: int = 0) -> list[dict[str, torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    points = NET.board_size**2
    batches = []
    for _ in range(STEPS):
        batches.append({
            "planes": (torch.rand(BATCH, NET.input_planes, 5, 5, generator=generator) < 0.3).float(),
            "policy": torch.softmax(3 * torch.randn(BATCH, points + 1, generator=generator), dim=1),
            "value": torch.randint(0, 2, (BATCH,), generator=generator).float() * 2 - 1,
            "ownership": torch.randint(-1, 2, (BATCH, points), generator=generator).float(),
            # Every sample has a reply: the masked mean is then the same on half batches.
            "opponent_policy": torch.randint(0, points + 1, (BATCH,), generator=generator),
        })  # fmt: skip
    return batches


def initial_weights() -> dict[str, torch.Tensor]:
    torch.manual_seed(1234)
    return DualNet(NET).state_dict()


def freeze_batch_norm(model: nn.Module) -> None:
    """Batch norms stay in eval mode even when ``train_step`` calls ``model.train()``."""
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.eval()
            module.train = lambda mode=True, module=module: module


def half(batch: dict[str, torch.Tensor], rank: int, world: int) -> dict[str, torch.Tensor]:
    share = BATCH // world
    return {name: tensor[rank * share : (rank + 1) * share] for name, tensor in batch.items()}


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    net = getattr(model, "module", model)
    return {name: tensor.detach().clone() for name, tensor in net.state_dict().items()}


def run_steps(model: nn.Module, batches, rank: int, world: int) -> tuple[dict, list[float]]:
    """``STEPS`` training steps on this rank's share of each batch."""
    optimizer = torch.optim.SGD(model.parameters(), **SGD)
    norms = []
    for batch in batches:
        figures = train_step(model, optimizer, half(batch, rank, world), WEIGHTS, max_grad_norm=MAX_GRAD_NORM)
        norms.append(figures["grad_norm"])
    return snapshot(model), norms


def single_process(batches, frozen_batch_norm: bool) -> tuple[dict, list[float]]:
    model = DualNet(NET)
    model.load_state_dict(initial_weights())
    if frozen_batch_norm:
        freeze_batch_norm(model)
    return run_steps(model, batches, 0, 1)


def assert_close_to_single(parallel: dict, single: dict) -> None:
    for name, tensor in single.items():
        torch.testing.assert_close(parallel[name], tensor, rtol=1e-5, atol=1e-6, msg=lambda m, n=name: f"{n}: {m}")


def assert_identical(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    different = [name for name in a if not torch.equal(a[name], b[name])]
    assert not different, f"ranks disagree on {different}"


def assert_trained(after: dict) -> None:
    before = initial_weights()
    moved = [name for name in before if before[name].is_floating_point() and not torch.equal(before[name], after[name])]
    assert "stem.0.weight" in moved and "policy_fc.weight" in moved and "ownership_conv.weight" in moved
    assert "opponent_policy_fc.weight" in moved


# --- torch.multiprocessing and gloo -------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gloo_rank(rank: int, world: int, port: int, batches, results) -> None:
    """One spawned rank: both batch norm modes, parameters and gradient norms to ``results``."""
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    try:
        out = {}
        for frozen in (True, False):
            model = DualNet(NET)
            model.load_state_dict(initial_weights())
            if frozen:
                freeze_batch_norm(model)
            ddp = nn.parallel.DistributedDataParallel(model)
            out[frozen] = run_steps(ddp, batches, rank, world)
        results[rank] = out
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_on_half_batches_match_one_process_on_the_full_batch():
    batches = make_batches()
    context = mp.get_context("spawn")
    with context.Manager() as manager:
        results = manager.dict()
        mp.spawn(_gloo_rank, args=(2, free_port(), batches, results), nprocs=2, join=True)
        results = dict(results)
    # Batch norms frozen: the same steps as one process on the whole batch.
    (rank0, norms0), (rank1, norms1) = results[0][True], results[1][True]
    assert_identical(rank0, rank1)
    assert norms0 == norms1  # clipping saw the same, averaged gradient on both ranks
    single, single_norms = single_process(batches, frozen_batch_norm=True)
    assert_close_to_single(rank0, single)
    assert norms0 == pytest.approx(single_norms, rel=1e-5)
    assert max(norms0) > MAX_GRAD_NORM  # clipping was part of the steps
    assert_trained(rank0)
    # Batch norms training: per-rank statistics, yet the ranks' parameters stay in
    # step. (Running statistics are per rank too: DDP copies rank 0's buffers to the
    # others at the start of each forward, so they differ after the last step.)
    (rank0, _), (rank1, _) = results[0][False], results[1][False]
    names = [name for name, _ in DualNet(NET).named_parameters()]
    assert_identical({n: rank0[n] for n in names}, {n: rank1[n] for n in names})
    assert_trained(rank0)


# --- Ray Train's TorchTrainer ----------------------------------------------------


def _ray_train_loop(loop_config: dict) -> None:
    import ray.train
    import ray.train.torch

    context = ray.train.get_context()
    rank, world = context.get_world_rank(), context.get_world_size()
    torch.set_num_threads(1)
    model = DualNet(NET)
    model.load_state_dict(initial_weights())
    freeze_batch_norm(model)
    model = ray.train.torch.prepare_model(model)  # DistributedDataParallel over gloo on CPUs
    assert isinstance(model, nn.parallel.DistributedDataParallel)
    parameters, norms = run_steps(model, loop_config["batches"], rank, world)
    torch.save({"parameters": parameters, "norms": norms, "world": world},
               f"{loop_config['out']}/rank-{rank}.pt")  # fmt: skip


def test_ray_train_torch_trainer_ranks_match_one_process_on_the_full_batch(tmp_path):
    import ray
    from ray.train import RunConfig, ScalingConfig
    from ray.train.torch import TorchTrainer

    batches = make_batches(seed=7)
    # Ray's workers cannot import this test module: send its functions by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    # address="local": never join a cluster another test (or `ray start`) registered here.
    ray.init(address="local", num_cpus=2, include_dashboard=False, namespace=f"test-ddp-{uuid.uuid4().hex[:8]}",
             log_to_driver=False)  # fmt: skip
    try:
        trainer = TorchTrainer(
            _ray_train_loop,
            train_loop_config={"batches": batches, "out": str(tmp_path)},
            scaling_config=ScalingConfig(num_workers=2, use_gpu=False, resources_per_worker={"CPU": 1}),
            run_config=RunConfig(storage_path=str(tmp_path / "ray"), name="ddp"),
        )
        trainer.fit()
    finally:
        ray.shutdown()
        ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
    rank0 = torch.load(tmp_path / "rank-0.pt", weights_only=True)
    rank1 = torch.load(tmp_path / "rank-1.pt", weights_only=True)
    assert rank0["world"] == rank1["world"] == 2
    assert_identical(rank0["parameters"], rank1["parameters"])
    single, single_norms = single_process(batches, frozen_batch_norm=True)
    assert_close_to_single(rank0["parameters"], single)
    assert rank0["norms"] == pytest.approx(single_norms, rel=1e-5)
    assert_trained(rank0["parameters"])
