"""A training run from start (or resume) to end: the driver of ``dosaku train``.

The driver starts Ray (or joins a cluster), the hub and the replay buffer, the
self-play workers and, in a background thread, Ray Train's ``TorchTrainer``; then
it loops: collect finished self-play batches with ``ray.wait``, hand new weights
to the workers that finished, restart a worker that died, write metrics, launch
evaluations, show progress. It stops when the trainer reaches its steps, on
Ctrl-C, after ``max_minutes``, or on a full disk.
"""

from __future__ import annotations

import errno
import os
import threading
import time
import uuid
from pathlib import Path

import ray
import torch

from nets.checkpoint import load_checkpoint
from selfplay.buffer import resumed_samples_drawn
from selfplay.buffer_actor import ReplayBufferActor
from selfplay.config_loading import ConfigError
from selfplay.evaluation import evaluate_checkpoint
from selfplay.hub import RunHub
from selfplay.metrics import MetricsWriter, last_value
from selfplay.progress import Progress
from selfplay.run_config import RunConfig, load_run_config, run_config_to_dict, toml_text
from selfplay.run_dir import RunDirectory
from selfplay.trainer import cpu_weights, train_loop_per_worker, write_initial_checkpoint
from selfplay.worker import SelfPlayWorker, seeds

REPORT_SECONDS = 10.0


class RunStopped(RuntimeError):
    """The run cannot go on (full disk, trainer failure); the message says why."""


def prepare_run(run_dir: str | Path, config_path: str | None, overrides: list[str], resume: bool,
                workers: int | None, trainers: int | None) -> tuple[RunDirectory, RunConfig]:  # fmt: skip
    """The run directory and its config: a new run from ``config_path``, or the saved one."""
    run = RunDirectory(run_dir)
    counts = ([f"workers={workers}"] if workers else []) + ([f"trainers={trainers}"] if trainers else [])
    if resume:
        if not run.exists():
            raise ConfigError(f"nothing to resume in {run.root} (no config.toml)")
        if overrides:
            raise ConfigError("--set cannot change a run being resumed; start a new run instead")
        config = load_run_config(run.config, counts)
    else:
        config = load_run_config(config_path, [*overrides, *counts])
        run.create(toml_text(config))
    return run, config


def start_ray(address: str | None, config: RunConfig) -> None:
    if ray.is_initialized():
        return
    if address:
        ray.init(address=address, namespace="dosaku", log_to_driver=False)
    else:
        # Locally every worker and trainer gets a logical CPU even on a small machine.
        cpus = max(os.cpu_count() or 1, config.workers + config.trainers)
        # address="local": a Ray of its own, even where /tmp/ray/ray_current_cluster
        # names another (a `ray start` cluster, a test's cluster), which ray.init()
        # without an address would join.
        ray.init(address="local", num_cpus=cpus, include_dashboard=False, namespace="dosaku", log_to_driver=False)


class Run:
    """One training run's driver state."""

    def __init__(self, run: RunDirectory, config: RunConfig, progress: bool = True, moves_per_call: int = 4):
        self.run, self.config, self.moves_per_call = run, config, moves_per_call
        self.tag = uuid.uuid4().hex[:8]
        self.hub = RunHub.options(name=f"hub-{self.tag}").remote()
        self.buffer = ReplayBufferActor.options(name=f"buffer-{self.tag}").remote(
            run_config_to_dict(config)["buffer"], config.rules.size, config.seed, config.network.features)
        self.metrics = MetricsWriter(run.metrics, run.tensorboard)
        self.progress = Progress(config.training.steps, enabled=progress)
        self.worker_seeds = seeds(config.seed, 1000)
        self.workers: list = []
        self.worker_versions: list[int] = []
        self.restarts = 0
        self.selfplay_nodes: set[str] = set()  # Ray node ids where self-play games were played
        # The run's games, moves and recorded positions (with those loaded on resume); the figures
        # of what the games are like come from the replay window's games (``game_figures``).
        self.totals = {"games": 0, "moves": 0, "positions": 0}
        self.selfplay_simulations = config.search.simulations_at(0)  # the newest a worker reported
        # This process's own counts (totals include games loaded on resume): the rates.
        self.session = {"games": 0, "moves": 0, "positions": 0}
        # Where the workers' time goes: playing (busy) and taking new weights, in seconds.
        self.worker_time = {"busy": 0.0, "weights": 0.0}
        self.started = time.time()
        # The run's wall time over all its sessions (``run_hours`` in metrics.csv, ``elapsed_seconds``
        # in checkpoints): what a comparison at equal compute (``dosaku experiment``) measures.
        self.elapsed_before = 3600 * (last_value(run.metrics, "run_hours") or 0.0)
        self.evaluations: list = []
        self.checkpoints_seen = 0
        # The network the next evaluation compares with: the last one evaluated, in this
        # session or (kept in evaluated/) in the one before.
        newest = run.newest_evaluated()
        self.last_evaluated: str | None = None if newest is None else str(newest)
        self.trainer_error: BaseException | None = None
        self.start_step = 0  # the checkpoint's step; reports use it until the trainer's first step

    # --- start ---------------------------------------------------------------

    def resume_buffer(self, step: int) -> None:
        """Load every finished game from disk; corrupt shards are reported and skipped."""
        paths = [str(p) for p in self.run.shard_paths()]
        loaded, problems = ray.get(self.buffer.load_shards.remote(paths))
        for problem in problems:
            self.run.log(f"skipped {problem}")
            print(f"dosaku train: skipped {problem}", flush=True)
        stats = ray.get(self.buffer.stats.remote())
        drawn = resumed_samples_drawn(step, self.config.training.batch_size, self.config.buffer.ratio,
                                      stats["positions"])  # fmt: skip
        ray.get(self.buffer.set_samples_drawn.remote(drawn))
        self.totals["games"] = stats["games"]
        self.totals["positions"] = stats["positions"]
        self.totals["moves"] = stats["moves"]
        self.run.log(f"resumed at step {step}: {loaded} games from {len(paths)} shards")

    def start_workers(self) -> None:
        """The self-play actors; each gets the hub's newest weights before its first moves."""
        for worker in range(self.config.workers):
            self.workers.append(self._new_worker(worker))
            self.worker_versions.append(-1)

    def _new_worker(self, worker: int):
        seed = self.worker_seeds[(worker + 97 * self.restarts) % len(self.worker_seeds)]
        # SPREAD: on a cluster, self-play goes to every machine rather than filling the
        # driver's first (on one machine it changes nothing).
        return SelfPlayWorker.options(scheduling_strategy="SPREAD").remote(
            run_config_to_dict(self.config), worker, str(self.run.games), self.buffer, seed
        )

    def start_trainer(self, checkpoint: Path) -> threading.Thread:
        from ray.train import RunConfig as TrainRunConfig
        from ray.train import ScalingConfig
        from ray.train.torch import TorchTrainer

        trainer = TorchTrainer(
            train_loop_per_worker,
            train_loop_config={"config": run_config_to_dict(self.config), "run_dir": str(self.run.root),
                               "hub": f"hub-{self.tag}", "buffer": f"buffer-{self.tag}",
                               "checkpoint": str(checkpoint), "clock": [self.started, self.elapsed_before]},
            scaling_config=ScalingConfig(num_workers=self.config.trainers, use_gpu=torch.cuda.is_available(),
                                         resources_per_worker={"CPU": 1}),
            run_config=TrainRunConfig(storage_path=str((self.run.root / "ray").resolve()), name=f"trainer-{self.tag}"),
        )

        def fit():
            try:
                trainer.fit()
            except BaseException as err:  # noqa: BLE001 - reported by the driver loop
                self.trainer_error = err

        thread = threading.Thread(target=fit, name="trainer", daemon=True)
        thread.start()
        return thread

    # --- the loop ------------------------------------------------------------

    def loop(self, trainer: threading.Thread, max_minutes: float | None) -> None:
        pending = {}
        last_report = time.time()
        deadline = None if max_minutes is None else self.started + 60 * max_minutes
        try:
            while trainer.is_alive():
                for index in range(len(self.workers)):
                    if index not in pending.values():
                        pending[self._dispatch(index)] = index
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=1.0)
                for ref in ready:
                    self._collect(ref, pending.pop(ref))
                self._evaluations()
                if time.time() - last_report >= REPORT_SECONDS:
                    self._report()
                    last_report = time.time()
                if deadline is not None and time.time() > deadline:
                    self.run.log("time limit reached: stopping")
                    ray.get(self.hub.request_stop.remote())
                    deadline = None
        except KeyboardInterrupt:
            self.run.log("interrupted: stopping after the current step")
            ray.get(self.hub.request_stop.remote())
            trainer.join(timeout=120)
        finally:
            self._finish_evaluations(timeout=300)
            self._report()
            self.progress.close()
            self.metrics.close()
        if self.trainer_error is not None:
            raise RunStopped(f"the trainer failed: {_root_cause(self.trainer_error)}")

    def _dispatch(self, index: int):
        """Fresh weights first if a newer version exists, then the next batch of moves."""
        latest = ray.get(self.hub.latest.remote(self.worker_versions[index]))
        if latest is not None:
            version, (ref,) = latest
            self.workers[index].set_weights.remote(version, ref)
            self.worker_versions[index] = version
        return self.workers[index].play.remote(self.moves_per_call)

    def _collect(self, ref, index: int) -> None:
        try:
            stats = ray.get(ref)
        except ray.exceptions.RayActorError as err:
            # A dead worker: start another in its place; its finished games are on disk.
            self.restarts += 1
            self.run.log(f"self-play worker {index} died ({type(err).__name__}); restarting it")
            self.workers[index] = self._new_worker(index)
            self.worker_versions[index] = -1
            return
        except ray.exceptions.RayTaskError as err:
            cause = err.cause if hasattr(err, "cause") else err
            if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
                ray.get(self.hub.request_stop.remote())
                raise RunStopped(f"the disk is full ({cause.filename or self.run.root}): run stopped; "
                                 "free space and resume with --resume") from None  # fmt: skip
            raise
        for key in ("games", "moves", "positions"):
            self.totals[key] += stats[key]
        self.selfplay_simulations = stats["simulations"]
        self.selfplay_nodes.add(stats["node"])
        for key in ("games", "moves", "positions"):
            self.session[key] += stats[key]
        self.worker_time["busy"] += stats["seconds"]
        self.worker_time["weights"] += stats["weights_seconds"]
        self.progress.selfplay(self.totals["games"], self.totals["positions"])

    def _evaluations(self) -> None:
        """Start an evaluation every few checkpoints; record those that finished."""
        evaluation = self.config.evaluation
        new = ray.get(self.hub.checkpoints_since.remote(self.checkpoints_seen))
        for step, path in new:
            self.checkpoints_seen += 1
            if self.checkpoints_seen % evaluation.every_checkpoints == 0 and evaluation.games:
                # Pruning keeps the last few checkpoints only: the evaluation plays, and the
                # next one compares with, a second name of this one that pruning leaves alone.
                try:
                    kept = str(self.run.keep_for_evaluation(step))
                except FileNotFoundError:
                    self.run.log(f"evaluation of step {step} skipped: {path} was pruned before it started")
                    continue
                ref = evaluate_checkpoint.remote(kept, self.last_evaluated, self.config.rules.size,
                                                 self.config.rules.komi, evaluation.games, evaluation.simulations,
                                                 evaluation.baseline_simulations, self.config.seed + step,
                                                 self.config.selfplay.backend)  # fmt: skip
                self.evaluations.append((step, ref, (kept, self.last_evaluated)))
                self.last_evaluated = kept
        done = [item for item in self.evaluations if ray.wait([item[1]], timeout=0)[0]]
        for item in done:
            self.evaluations.remove(item)
        if done:  # a kept checkpoint is released only when an evaluation that used it ends
            in_use = {self.last_evaluated, *(path for _step, _ref, paths in self.evaluations for path in paths)}
            self.run.release_evaluated({path for path in in_use if path is not None})
        for step, ref, _paths in done:
            try:
                figures = ray.get(ref)
            except ray.exceptions.RayError as err:
                self.run.log(f"evaluation of step {step} failed: {_root_cause(err)}")
                continue
            self.metrics.write(step, {f"{name}": value for name, value in figures.items()})
            self.run.log(f"evaluation at step {step}: {figures}")
            self.progress.evaluation(figures)

    def _finish_evaluations(self, timeout: float) -> None:
        """Give running evaluations a chance to land in the metrics before the end."""
        refs = [ref for _step, ref, _paths in self.evaluations]
        if refs:
            ray.wait(refs, num_returns=len(refs), timeout=timeout)
            self._evaluations()

    def _report(self) -> None:
        figures = dict(ray.get(self.hub.figures.remote()))
        step = int(figures.pop("step", self.start_step))
        hours = max(time.time() - self.started, 1e-9) / 3600
        games = self.totals["games"]
        figures.update(
            games=games,
            positions=self.totals["positions"],
            games_per_hour=self.session["games"] / hours if hours else 0.0,
            moves_per_s=self.session["moves"] / (hours * 3600),
            positions_per_s=self.session["positions"] / (hours * 3600),
            selfplay_simulations=self.selfplay_simulations,
            # Shares of the workers' wall time spent playing, and of that spent taking new weights.
            worker_busy_share=self.worker_time["busy"] / (hours * 3600 * max(len(self.workers), 1)),
            worker_weights_share=self.worker_time["weights"] / max(self.worker_time["busy"], 1e-9),
            worker_restarts=self.restarts,
            selfplay_nodes=len(self.selfplay_nodes),
            hours=hours,
            run_hours=(self.elapsed_before + time.time() - self.started) / 3600,
        )
        games_figures, buffer_figures = ray.get([self.buffer.game_figures.remote(), self.buffer.stats.remote()])
        figures.update(games_figures)
        figures.update({f"buffer_{k}": v for k, v in buffer_figures.items()})
        self.metrics.write(step, figures)
        self.progress.trainer(step, figures)


def train(config_path: str | None, run_dir: str, address: str | None = None, workers: int | None = None,
          trainers: int | None = None, resume: bool = False, overrides: list[str] = (), progress: bool = True,
          max_minutes: float | None = None) -> int:  # fmt: skip
    """``dosaku train``: run (or resume) a training run; returns the exit status."""
    run, config = prepare_run(run_dir, config_path, list(overrides), resume, workers, trainers)
    start_ray(address, config)
    driver = Run(run, config, progress=progress)
    checkpoint = run.latest_checkpoint() or write_initial_checkpoint(run, config)
    state = load_checkpoint(checkpoint, board_size=config.rules.size)
    driver.start_step = state.step
    if resume:
        driver.resume_buffer(state.step)
    run.log(f"{'resuming' if resume else 'starting'} at step {state.step} with {config.workers} workers, "
            f"{config.trainers} trainers")  # fmt: skip
    weights_ref = ray.put(cpu_weights(state.model))
    ray.get(driver.hub.publish.remote(state.step, [weights_ref]))
    driver.start_workers()
    trainer = driver.start_trainer(checkpoint)
    try:
        driver.loop(trainer, max_minutes)
    except RunStopped as err:
        run.log(str(err))
        raise
    run.log(f"finished: {driver.totals['games']} games, self-play on {len(driver.selfplay_nodes)} node(s)")
    return 0


def _root_cause(err: BaseException) -> str:
    """One line naming what really went wrong inside Ray's wrappers."""
    for _ in range(10):
        failures = getattr(err, "worker_failures", None)  # Ray Train: rank -> exception
        if failures:
            err = next(iter(failures.values()))
        elif getattr(err, "cause", None) is not None and err.cause is not err:
            err = err.cause
        else:
            break
    lines = [line for line in f"{type(err).__name__}: {err}".splitlines() if line.strip()]
    return lines[-1] if len(lines) > 1 and "Traceback" in lines[0] else lines[0]

