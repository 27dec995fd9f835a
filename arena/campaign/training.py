"""The stint's training: ``dosaku train --resume --minutes M`` in a child process, as ``dosaku experiment`` runs it.

The run directory is scratch (``runs/campaign-9x9`` by default): when it is
missing or behind the campaign's trainer state it is seeded from it
(``trainer_state.py``). The stint's start (the run's wall seconds, step and
games) is kept in the state, so a stint stopped by Ctrl-C or a crash trains, when
the command runs again, only for the minutes it has left. The child, its CPU
measurement and Ctrl-C handling are ``arena/experiment/training.py``'s.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from arena.campaign import trainer_state
from arena.experiment.games import cpu_minutes
from arena.experiment.training import SLACK_SECONDS, run_child, run_figures, train_command
from selfplay.run_dir import RunDirectory

CANDIDATE = "candidate.pt"


def stint_dir(run_dir: Path, number: int) -> Path:
    """Where a stint keeps its candidate network, gate and gauntlet games (under the run directory)."""
    return Path(run_dir) / "campaign" / f"stint-{number:03d}"


def train_stint(state, directory: Path, run_dir: Path, config, workers: int | None, trainers: int | None,
                progress: bool, say) -> None:  # fmt: skip
    """Phase ``training`` of ``state.current``: seed, train for the stint's minutes left, keep the candidate."""
    current = state.current
    run = RunDirectory(run_dir)
    if "start" not in current:
        trainer_step = trainer_state.trainer_step(directory, config.rules.size)
        games_seeded = None
        latest = trainer_state.latest_step(run_dir)
        if trainer_step is not None and (latest is None or latest < trainer_step):
            games_seeded = trainer_state.seed_run_dir(directory, run_dir, config, say)
        if run.exists() and (state.stints or trainer_step is not None):
            figures = run_figures(run_dir)
            games = figures.games if games_seeded is None else games_seeded
            current["start"] = {"elapsed_seconds": figures.elapsed_seconds, "step": figures.step, "games": games}
        else:  # the campaign's first stint: a new run, or the run it adopts, counted from its beginning
            current["start"] = {"elapsed_seconds": 0.0, "step": 0, "games": 0}
        state.save()
    start = current["start"]
    minutes = current["minutes"]
    cpu = current.get("cpu_seconds")
    if minutes > 0:
        resume = run.exists()
        spent = run_figures(run_dir).elapsed_seconds - start["elapsed_seconds"] if resume else 0.0
        left = minutes - max(spent, 0.0) / 60
        if left * 60 > SLACK_SECONDS:
            what = f"resuming {run_dir}" if resume else f"a new run from {directory / trainer_state.CONFIG_FILE}"
            say(f"stint {current['stint']}: training for {left:.2f} minutes: {what}")
            command = train_command(run_dir, str(directory / trainer_state.CONFIG_FILE), [], left, resume, progress)
            command += [f"--{name}={value}" for name, value in (("workers", workers), ("trainers", trainers)) if value]
            status, used, interrupted = run_child(command, say)
            if used is not None:  # this session's CPU time, added to the stint's earlier sessions'
                current["cpu_seconds"] = cpu = round((cpu or 0.0) + used, 2)
                state.save()
            if interrupted:
                raise KeyboardInterrupt
            if status != 0:
                raise ValueError(f"training failed (exit status {status}); see {run.log_file}")
    latest = run.latest_checkpoint() if run.exists() else None
    if latest is None:
        raise ValueError(f"{run_dir} holds no trained run to evaluate (give --minutes above 0, or another --run-dir)")
    figures = run_figures(run_dir)
    work = stint_dir(run_dir, current["stint"])
    work.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(latest, work / CANDIDATE)  # pruning of the run's checkpoints cannot touch it
    wall = max(figures.elapsed_seconds - start["elapsed_seconds"], 0.0)
    held_workers, held_trainers = workers or figures.workers, trainers or figures.trainers
    current.update(
        phase="gate", candidate=str(work / CANDIDATE), step=figures.step, start_step=start["step"],
        steps=figures.step - start["step"], games=max(figures.games - start["games"], 0),
        wall_minutes=round(wall / 60, 2), workers=held_workers, trainers=held_trainers,
        cpu_minutes=round(cpu_minutes(wall, held_workers, held_trainers, os.cpu_count()), 2),
        cpu_minutes_used=None if cpu is None else round(cpu / 60, 2),
    )  # fmt: skip
    state.save()
    say(f"stint {current['stint']}: trained {current['wall_minutes']:.2f} wall minutes, {current['steps']} steps "
        f"(step {figures.step}), {current['games']} self-play games")  # fmt: skip
