"""Running games: one at a time in this process, or up to P at once as Ray tasks.

``run_games(next_job, on_outcome, parallel)`` asks ``next_job()`` for work while
fewer than ``parallel`` games are in flight (None: nothing more to start now),
and hands each outcome to ``on_outcome`` as it arrives, in the order games
finish. A caller that decides early (gating) stops handing out jobs; games still
in flight are then cancelled.

With Ray, every game is one task with one CPU and one torch thread (two torch
threads collapse when another process holds a core); results are collected with
``ray.wait``. Ray starts locally unless it is running already or ``address``
names a cluster, and a Ray this module started is shut down when the games end.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import ray

from arena.tournament_game import GameJob, play_job

TASK_THREADS = 1


@ray.remote(num_cpus=1)
def play_job_task(job: GameJob) -> dict:
    """``play_job`` in a Ray worker, with one torch thread."""
    return play_job(job, torch_threads=TASK_THREADS)


def run_games(
    next_job: Callable[[], GameJob | None],
    on_outcome: Callable[[dict], None],
    parallel: int = 1,
    address: str | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> None:
    """Play the jobs ``next_job`` hands out; see the module docstring. After each
    outcome, ``should_stop()`` true ends the run at once (games in flight are cancelled)."""
    if parallel < 1:
        raise ValueError(f"parallel must be at least 1, got {parallel}")
    if parallel == 1 and address is None:
        while not should_stop() and (job := next_job()) is not None:
            on_outcome(play_job(job))
        return
    started = start_ray(parallel, address)
    try:
        _run_with_ray(next_job, on_outcome, parallel, should_stop)
    finally:
        if started:
            ray.shutdown()


def start_ray(parallel: int, address: str | None) -> bool:
    """Connect to Ray (a local one of ``parallel`` CPUs unless ``address``); True if this call started it."""
    if ray.is_initialized():
        return False
    if address:
        ray.init(address=address, namespace="dosaku", log_to_driver=False)
    else:
        # address="local": a Ray of its own, even where another cluster runs on this machine
        # (a training run's, a `ray start`), which a bare ray.init() would join.
        cpus = max(parallel, 1)
        ray.init(address="local", num_cpus=cpus, include_dashboard=False, namespace="dosaku", log_to_driver=False)
    return True


def _run_with_ray(next_job, on_outcome, parallel: int, should_stop) -> None:
    in_flight: dict[ray.ObjectRef, GameJob] = {}
    try:
        while not should_stop():
            while len(in_flight) < parallel and (job := next_job()) is not None:
                in_flight[play_job_task.remote(job)] = job
            if not in_flight:
                return
            ready, _ = ray.wait(list(in_flight), num_returns=1)
            for ref in ready:
                job = in_flight.pop(ref)
                on_outcome(_outcome_of(ref, job))
    finally:
        for ref in in_flight:  # decided early, or interrupted: these games are not wanted any more
            ray.cancel(ref)


def _outcome_of(ref: ray.ObjectRef, job: GameJob) -> dict:
    """The task's outcome; a task that died (its worker killed, out of memory) is that game's error."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayError as err:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return {
            "key": job.key, "pairing": job.pairing, "game": job.number, "black": job.black, "white": job.white,
            "winner": None, "result": None, "moves": 0, "error": f"{type(err).__name__}: {first_line}",
            "error_by": None, "seconds": 0.0, "sgf": None,
        }  # fmt: skip


def default_parallel() -> int:
    """Games at once when not told: one per core (the driver mostly waits)."""
    return os.cpu_count() or 1
