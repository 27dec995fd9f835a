"""``RunHub``: the small actor where a run's parts meet.

The trainer publishes each new weights version here *once* (an ``ObjectRef``
from ``ray.put``, held inside a list so Ray passes the reference, not the
weights); the driver asks for the newest version between batches of self-play
and forwards the reference to the workers, which Ray resolves there. The hub
also carries the trainer's latest figures and the stop request.
"""

from __future__ import annotations

import ray


@ray.remote(num_cpus=0)
class RunHub:
    def __init__(self):
        self.version = -1
        self.weights_ref = None
        self.stop = False
        self.trainer_figures: dict = {}
        self.checkpoints: list[tuple[int, str]] = []  # (step, path) in order written

    def publish(self, version: int, weights: list) -> None:
        """New weights: ``weights`` is ``[ObjectRef]`` of a state dict."""
        if version > self.version:
            self.version, self.weights_ref = version, weights[0]

    def latest(self, known_version: int):
        """``(version, [ref])`` if newer than ``known_version``, else None."""
        if self.version > known_version and self.weights_ref is not None:
            return self.version, [self.weights_ref]
        return None

    def report(self, figures: dict) -> None:
        self.trainer_figures = figures

    def figures(self) -> dict:
        return self.trainer_figures

    def checkpoint_written(self, step: int, path: str) -> None:
        self.checkpoints.append((step, path))

    def checkpoints_since(self, count: int) -> list[tuple[int, str]]:
        return self.checkpoints[count:]

    def request_stop(self) -> None:
        self.stop = True

    def should_stop(self) -> bool:
        return self.stop
