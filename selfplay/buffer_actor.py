"""The replay buffer as a Ray actor: workers add games, trainers sample batches.

It holds no CPU reservation (``num_cpus=0``): its work, a few milliseconds of
replaying moves per batch, is small next to self-play and training, and on a
2-core laptop every reserved core is one fewer self-play worker.
"""

from __future__ import annotations

import ray

from selfplay.buffer import BufferConfig, ReplayBuffer
from selfplay.records import SelfPlayGame, ShardError, read_shard


@ray.remote(num_cpus=0)
class ReplayBufferActor:
    def __init__(self, config: dict, size: int, seed: int, features: int = 1):
        self.buffer = ReplayBuffer(BufferConfig(**config), size, seed, features)

    def add(self, games: list[SelfPlayGame]) -> None:
        self.buffer.add(games)

    def load_shards(self, paths: list[str]) -> tuple[int, list[str]]:
        """Add the games of shards on disk (resume); corrupt ones are skipped and named."""
        loaded, problems = 0, []
        for path in paths:
            try:
                games = read_shard(path)
            except ShardError as err:
                problems.append(str(err))
                continue
            self.buffer.add(games)
            loaded += len(games)
        return loaded, problems

    def set_samples_drawn(self, count: int) -> None:
        self.buffer.samples_drawn = count

    def trainable(self, batch: int) -> bool:
        return self.buffer.trainable(batch)

    def sample(self, batch: int) -> dict:
        return self.buffer.sample(batch)

    def stats(self) -> dict:
        return self.buffer.stats()

    def game_figures(self) -> dict:
        return self.buffer.game_figures()
