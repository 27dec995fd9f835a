"""The experiment's training runs: ``dosaku train`` in a child process, each for the same wall time.

Each run is a plain run directory (``DIR/A``, ``DIR/B``) made by the real
training command, so everything ``dosaku train`` does (checkpoints, game shards,
metrics, resuming) holds for it. The child gets ``--minutes`` = what is left of
the experiment's minutes: the run's wall time over all its sessions is
``run_hours`` in its metrics.csv (``selfplay/run.py``), so a run stopped after
20 of 60 minutes goes on (``--resume``) for 40 more. A session killed hard
loses at most the last report's 10 seconds from that count.

A run is finished when its time is used up or it reached its configured
``training.steps`` (then it used less time: the summary says so). A finished run
is never trained again.

The CPU time the run's processes used is measured too (``process_cpu.py``), summed
over its sessions: on a machine shared with other work it tells whether both runs
really got the same compute, where cores x wall minutes only says they held it.

The child runs in a session of its own: Ctrl-C in the terminal reaches this
process alone, which passes one SIGINT on (the run stops after its current step
and writes a checkpoint) and waits; a second Ctrl-C kills the child's process group.
(Should this process itself be killed, the child trains on to its deadline alone.)
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from arena.experiment.process_cpu import TreeCPU
from selfplay.metrics import read_metrics
from selfplay.run_config import RunConfig, load_run_config
from selfplay.run_dir import RunDirectory

CPU_SAMPLE_SECONDS = 1.0
SLACK_SECONDS = 1.0  # a run within this of its minutes has them (the driver checks its deadline every second)
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the child imports this Dosaku, wherever it is started


@dataclass(frozen=True)
class RunFigures:
    """Where a run directory stands: its wall time, newest checkpoint and totals so far."""

    elapsed_seconds: float
    step: int
    target_steps: int
    games: int
    positions: int
    workers: int
    trainers: int

    def done(self, minutes: float) -> bool:
        return self.elapsed_seconds >= 60 * minutes - SLACK_SECONDS or self.step >= self.target_steps

    def stopped_by(self, minutes: float) -> str:
        return "steps" if self.step >= self.target_steps and self.elapsed_seconds < 60 * minutes else "time"


def run_figures(run_dir: str | Path) -> RunFigures:
    """The figures of the run in ``run_dir`` (which must hold one: config.toml)."""
    run = RunDirectory(run_dir)
    config: RunConfig = load_run_config(run.config)
    last: dict[str, float] = {}
    if run.metrics.exists():
        for row in read_metrics(run.metrics):
            last.update(row)
    steps = run.checkpoint_steps()
    return RunFigures(
        elapsed_seconds=3600 * last.get("run_hours", 0.0),
        step=steps[-1] if steps else 0,
        target_steps=config.training.steps,
        games=int(last.get("games", 0)),
        positions=int(last.get("positions", 0)),
        workers=config.workers,
        trainers=config.trainers,
    )


def train_command(run_dir: Path, config_path: str, overrides: list[str], minutes: float, resume: bool,
                  progress: bool) -> list[str]:  # fmt: skip
    """The child's command line: ``dosaku train`` of this very package."""
    command = [sys.executable, "-c", "import sys; from cli.main import main; sys.exit(main())", "train",
               "--run-dir", str(run_dir), "--minutes", f"{minutes:.6f}"]  # fmt: skip
    if resume:
        command.append("--resume")
    else:
        command += ["--config", config_path]
        for assignment in overrides:
            command += ["--set", assignment]
    if not progress:
        command.append("--no-progress")
    return command


def run_child(command: list[str], say: Callable[[str], None]) -> tuple[int, float | None, bool]:
    """Run ``command`` to its end: ``(exit status, CPU seconds of its process tree, interrupted)``.

    Ctrl-C here stops the child gently (and makes ``interrupted`` true); a second one kills it.
    The CPU time is sampled every second (``process_cpu.py``); the kernel's count of this
    process's reaped children is a second lower bound, and the larger one is taken.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
    before = _children_cpu()
    child = subprocess.Popen(command, env=env, start_new_session=True)
    tree = TreeCPU(child.pid)
    interrupted = False
    while True:
        try:
            tree.sample()
            status = child.wait(timeout=CPU_SAMPLE_SECONDS)
            break
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:
            if not interrupted:
                interrupted = True
                say("interrupted: the run stops after its current step (Ctrl-C again to kill it)")
                child.send_signal(signal.SIGINT)
            else:
                os.killpg(child.pid, signal.SIGKILL)
    reaped = _children_cpu() - before
    seconds = None if tree.seconds is None else max(tree.seconds, reaped)
    return status, seconds, interrupted


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def train_run(state, directory: Path, label: str, config_path: str, overrides: list[str], minutes: float,
              progress: bool, say: Callable[[str], None]) -> RunFigures:  # fmt: skip
    """Train run ``label`` until it has its minutes (or its steps), as far as it has not yet; record it in ``state``."""
    record = state.runs[label]
    run_dir = directory / label
    if record["finished"]:
        figures = run_figures(run_dir)
        say(f"run {label}: finished earlier ({figures.elapsed_seconds / 60:.2f} wall minutes, step {figures.step}): "
            "not trained again")  # fmt: skip
        return figures
    resume = RunDirectory(run_dir).exists()
    figures = run_figures(run_dir) if resume else None
    if figures is None or not figures.done(minutes):
        left = minutes - (figures.elapsed_seconds / 60 if figures else 0.0)
        what = f"resuming {run_dir} for the {left:.2f} minutes left" if resume else f"training for {minutes:g} minutes"
        say(f"run {label}: {config_path}: {what} -> {run_dir}")
        state.update(label, sessions=record["sessions"] + 1)
        status, cpu, interrupted = run_child(
            train_command(run_dir, config_path, overrides, left, resume, progress), say
        )
        if cpu is not None:  # what this session used, added to the earlier sessions' (lost if this process dies)
            state.update(label, cpu_seconds=round(record.get("cpu_seconds", 0.0) + cpu, 2))
        if interrupted:
            raise KeyboardInterrupt
        if status != 0:
            raise ValueError(f"training run {label} failed (exit status {status}); see {run_dir / 'log.txt'}")
        figures = run_figures(run_dir)
        if not figures.done(minutes):
            raise ValueError(f"training run {label} stopped after {figures.elapsed_seconds / 60:.2f} of {minutes:g} "
                             f"minutes; see {run_dir / 'log.txt'} (run the command again to go on)")  # fmt: skip
    state.update(label, finished=True, elapsed_seconds=round(figures.elapsed_seconds, 2), step=figures.step,
                 stopped_by=figures.stopped_by(minutes), workers=figures.workers, trainers=figures.trainers,
                 machine_cores=os.cpu_count() or 1, games=figures.games, positions=figures.positions)  # fmt: skip
    say(f"run {label}: done: {figures.elapsed_seconds / 60:.2f} wall minutes, step {figures.step}, "
        f"{figures.games} self-play games" + (" (reached its training.steps early)"
                                              if figures.stopped_by(minutes) == "steps" else ""))  # fmt: skip
    return figures
