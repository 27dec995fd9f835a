"""Speed of the learning loop: self-play workers (one, and two side by side) and the
data-parallel trainer (one and two gloo workers), with where a worker's time goes.

Each self-play worker is its own process with one torch thread, as in a run; the
two-worker figure runs two such processes at once, so the ratio to one worker is
the scaling a second core buys. The trainer figures use ``nets.train_step`` under
DistributedDataParallel exactly as the run's trainer does.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import socket
import time

import numpy as np
import torch

from mcts.benchmark import TimedEvaluator
from mcts.config import SearchConfig
from nets.config import NetConfig
from nets.evaluator import NetEvaluator
from nets.model import DualNet
from selfplay.self_player import SelfPlayer
from selfplay.settings import RulesConfig, SelfPlayConfig


def _selfplay_worker(args: tuple) -> dict:
    size, blocks, channels, simulations, games, seconds, backend, features, seed = args
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    model = DualNet(NetConfig(board_size=size, blocks=blocks, channels=channels, features=features)).eval()
    # Wall time, like every other figure of a worker here.
    network = NetEvaluator(model, threads=1, backend=backend)
    evaluator = TimedEvaluator(network, clock=time.perf_counter)
    rules = RulesConfig(size=size, komi=7.5)
    search = SearchConfig(simulations=simulations, dirichlet_weight=0.25, leaves_per_game=8)
    # Every move a full search of ``simulations``: the figure the issue asks for.
    selfplay = SelfPlayConfig(games_per_worker=games, full_search_probability=1.0, fast_simulations=simulations,
                              resign_threshold=-1.0)  # fmt: skip
    player = SelfPlayer(rules, search, selfplay, evaluator, seed=seed)
    player.step()  # warm-up: compile or load kernels, first network call
    evaluator.reset()
    search_seconds = 0.0
    moves, finished, lengths = 0, 0, 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        done = player.step()
        search_seconds += player.last_search_seconds
        moves += len(player.slots)
        finished += len(done)
        lengths += sum(g.length for g in done)
    elapsed = time.perf_counter() - start
    return {
        "moves": moves,
        "seconds": elapsed,
        "games": finished,
        "lengths": lengths,
        "network_seconds": evaluator.seconds,
        "backend": network.description,
        "search_seconds": search_seconds,
    }


def _run_workers(count: int, args: tuple) -> list[dict]:
    if count == 1:
        return [_selfplay_worker(args)]
    context = mp.get_context("spawn")
    with context.Pool(count) as pool:
        return pool.map(_selfplay_worker, [(*args[:-1], args[-1] + i) for i in range(count)])


def _selfplay_figures(results: list[dict], size: int) -> dict:
    moves = sum(r["moves"] for r in results)
    seconds = max(r["seconds"] for r in results)
    games = sum(r["games"] for r in results)
    lengths = sum(r["lengths"] for r in results)
    # A short benchmark finishes only the shortest games of an untrained network
    # (early passes): games an hour assume a full game of 1.2 N^2 moves instead,
    # the length self-play settles at once the network has learned anything.
    length = 1.2 * size * size
    return {"positions_per_s": moves / seconds, "games_per_hour": moves / seconds * 3600 / length,
            "game_length": length, "finished_game_length": lengths / games if games else 0.0}  # fmt: skip


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _trainer_process(rank: int, world: int, port: int, size: int, blocks: int, channels: int, features: int,
                     batch: int, seconds: float, queue) -> None:  # fmt: skip
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    from nets.evaluator import bf16_supported
    from nets.train_step import train_step

    torch.set_num_threads(1)
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    dist.init_process_group("gloo", rank=rank, world_size=world)
    torch.manual_seed(0)
    config = NetConfig(board_size=size, blocks=blocks, channels=channels, features=features)
    model = DistributedDataParallel(DualNet(config))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
    per_rank = batch // world
    rng = np.random.default_rng(rank)
    data = {
        "planes": torch.from_numpy(rng.integers(0, 2, (per_rank, config.input_planes, size, size)).astype(np.float32)),
        "policy": torch.softmax(torch.randn(per_rank, size * size + 1), dim=1),
        "value": torch.from_numpy(rng.choice([-1.0, 1.0], per_rank).astype(np.float32)),
    }
    dtype = torch.bfloat16 if bf16_supported(torch.device("cpu")) else None
    train_step(model, optimizer, data, autocast_dtype=dtype)  # warm-up
    steps, start = 0, time.perf_counter()
    while True:
        train_step(model, optimizer, data, autocast_dtype=dtype)
        steps += 1
        # Every rank must take the same number of steps: rank 0 decides when to stop.
        go = torch.tensor([int(time.perf_counter() - start < seconds)])
        dist.broadcast(go, src=0)
        if not go.item():
            break
    if rank == 0:
        queue.put(steps * batch / (time.perf_counter() - start))
    dist.destroy_process_group()


def _trainer_samples_per_s(world: int, size: int, blocks: int, channels: int, features: int, batch: int,
                           seconds: float) -> float:  # fmt: skip
    context = mp.get_context("spawn")
    queue = context.Queue()
    port = _free_port()
    processes = [context.Process(target=_trainer_process, args=(r, world, port, size, blocks, channels, features,
                                                                 batch, seconds, queue)) for r in range(world)]  # fmt: skip
    for process in processes:
        process.start()
    rate = queue.get(timeout=600)
    for process in processes:
        process.join(timeout=60)
    return float(rate)


def benchmark_selfplay(size: int = 9, blocks: int = 6, channels: int = 64, simulations: int = 100, games: int = 32,
                       seconds: float = 20.0, batch: int = 256, seed: int = 0, backend: str = "auto",
                       features: int = 1) -> dict:  # fmt: skip
    args = (size, blocks, channels, simulations, games, seconds, backend, features, seed)
    one = _run_workers(1, args)
    two = _run_workers(2, args)
    single = _selfplay_figures(one, size)
    double = _selfplay_figures(two, size)
    worker = one[0]
    network = worker["network_seconds"] / worker["seconds"]
    search = max(worker["search_seconds"] - worker["network_seconds"], 0.0) / worker["seconds"]
    figures = {
        "size": size, "blocks": blocks, "channels": channels, "simulations": simulations, "games_per_worker": games,
        "features": features, "backend": worker["backend"],
        "positions_per_s_1_worker": round(single["positions_per_s"], 1),
        "games_per_hour_1_worker": round(single["games_per_hour"], 1),
        "positions_per_s_2_workers": round(double["positions_per_s"], 1),
        "games_per_hour_2_workers": round(double["games_per_hour"], 1),
        "worker_scaling": round(double["positions_per_s"] / single["positions_per_s"], 3),
        "game_length": round(single["game_length"], 1),
        "finished_game_length": round(single["finished_game_length"], 1),
        "share_network": round(network, 3),
        "share_search": round(search, 3),
        "share_elsewhere": round(max(1.0 - network - search, 0.0), 3),
    }  # fmt: skip
    one_trainer = _trainer_samples_per_s(1, size, blocks, channels, features, batch, seconds / 2)
    two_trainers = _trainer_samples_per_s(2, size, blocks, channels, features, batch, seconds / 2)
    figures.update(
        trainer_samples_per_s_1=round(one_trainer, 1),
        trainer_samples_per_s_2=round(two_trainers, 1),
        trainer_scaling=round(two_trainers / one_trainer, 3),
    )
    return figures
