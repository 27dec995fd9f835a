"""``SelfPlayWorker``: a Ray actor (one CPU, one torch thread) that plays self-play games.

Each ``play`` call advances all of its games by a number of moves through one
``SelfPlayer``; finished games are written to a shard (atomically, before
anything else learns of them, so a crash loses no finished game) and added to
the replay buffer. New weights arrive through ``set_weights`` between calls, as
Ray runs an actor's calls one at a time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import ray
import torch

from engine.files import atomic_write_text
from nets.evaluator import NetEvaluator
from nets.model import DualNet
from selfplay.records import write_shard
from selfplay.run_config import run_config_from_dict
from selfplay.self_player import SelfPlayer


@ray.remote(num_cpus=1, max_restarts=0)
class SelfPlayWorker:
    def __init__(self, config: dict, worker: int, games_dir: str, buffer, seed: int):
        # Two torch threads per worker collapse when another process holds a core.
        torch.set_num_threads(1)
        self.config = run_config_from_dict(config)
        self.worker, self.games_dir, self.buffer = worker, Path(games_dir), buffer
        self.sgf_dir = self.games_dir.parent / "sgf"
        self.model = DualNet(self.config.network).eval()
        self.evaluator = NetEvaluator(self.model, threads=1, backend=self.config.selfplay.backend)
        self.player = SelfPlayer(self.config.rules, self.config.search, self.config.selfplay, self.evaluator,
                                 seed=seed, worker=worker)  # fmt: skip
        self.shards_written = 0
        self.weights_seconds = 0.0  # spent taking new weights since the last ``play`` (OpenVINO recompiles)
        self.pid = os.getpid()
        self.node = ray.get_runtime_context().get_node_id()  # which machine of a cluster plays

    def set_weights(self, version: int, weights: dict) -> int:
        """Play with network ``version`` from the next move on."""
        start = time.perf_counter()
        self.model.load_state_dict(weights)
        self.evaluator.set_weights(self.model)
        self.player.set_evaluator(self.evaluator, version)
        self.weights_seconds += time.perf_counter() - start
        return version

    def play(self, moves: int) -> dict:
        """Advance every game ``moves`` moves; store and hand over the games that ended."""
        start = time.perf_counter()
        weights_seconds, self.weights_seconds = self.weights_seconds, 0.0
        finished = []
        for _ in range(moves):
            finished += self.player.step()
        if finished:
            name = f"{time.time_ns()}-w{self.worker:03d}-{self.shards_written:06d}"
            write_shard(self.games_dir / f"{name}.npz", finished)
            # The same games for people and Go programs: one SGF collection per shard.
            atomic_write_text(self.sgf_dir / f"{name}.sgf", "\n".join(g.sgf for g in finished) + "\n")
            self.shards_written += 1
            ray.get(self.buffer.add.remote(finished))
        return {
            "worker": self.worker,
            "node": self.node,
            "seconds": time.perf_counter() - start + weights_seconds,
            "weights_seconds": weights_seconds,
            "moves": moves * len(self.player.slots),
            "games": len(finished),
            "positions": int(sum(int(g.recorded.sum()) for g in finished)),
            "version": self.player.network_version,
            "simulations": self.player.simulations,  # of a full search now (the schedule's)
        }

    def process_id(self) -> int:
        return self.pid


def state_dict_numpy(model: torch.nn.Module) -> dict:
    """Weights as CPU tensors, ready for ``ray.put`` (small, picklable, device-free)."""
    return {name: tensor.detach().cpu().clone() for name, tensor in model.state_dict().items()}


def seeds(base: int, count: int) -> list[int]:
    """Independent per-worker seeds from the run seed."""
    return [int(s) for s in np.random.SeedSequence(base).generate_state(count)]
