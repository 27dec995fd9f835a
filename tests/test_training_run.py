"""The whole loop of ``dosaku train`` on a tiny setting: killed hard, then resumed.

A run (5x5, one block of 16 channels, a few simulations, small batches) is started
as ``python -m cli.main train`` in a session of its own, and SIGKILLed with its
whole process group as soon as it has written a checkpoint after step 0 and some
game shards: a power cut, as far as the run can tell. ``--resume`` must then go on
from the last checkpoint with every finished game on disk back in the replay
buffer (and a corrupt shard reported and skipped), advance the checkpoints to the
configured steps, continue metrics.csv, and exit 0.

Ray's worker processes (actors, Ray Train workers) put themselves in process
groups of their own, so ``killpg`` reaches only the driver, the GCS, the raylet and
Ray's helpers; the workers notice the raylet's death and exit within seconds. The
test checks that every process of the killed run is gone, and kills (by pid, and
then fails) any that is not.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch

from nets.checkpoint import load_checkpoint
from selfplay.metrics import read_metrics
from selfplay.records import read_shard
from tests.tiny_run import tiny_overrides

ROOT = Path(__file__).resolve().parents[1]
STEPS = 20
TINY = tiny_overrides(STEPS)


def train_command(run_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "cli.main", "train", "--run-dir", str(run_dir), "--no-progress", *extra]


def process_tree(root: int) -> dict[int, str]:
    """Every live descendant of ``root``: pid -> command line."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, stack = {}, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            stack.append(child)
            found[child] = command_line(child) or "?"
    return found


def command_line(pid: int) -> str | None:
    """The command line of a live (not zombie) process, else None."""
    try:
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return None
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return None


def kill_run_hard(process: subprocess.Popen, timeout: float = 30.0) -> dict[int, str]:
    """SIGKILL the run's process group; wait until all its processes are gone.

    Returns the processes that were in the tree (pid -> command line). Any still
    alive after ``timeout`` is killed by pid and the test fails, naming it.
    """
    tree = process_tree(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.time() + timeout
    while time.time() < deadline:
        alive = {pid: cmd for pid, cmd in tree.items() if command_line(pid) == cmd}
        if not alive:
            return tree
        time.sleep(0.5)
    for pid in alive:  # escaped the process group and outlived the raylet: clean up, then fail
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    raise AssertionError(f"processes of the killed run still alive after {timeout:.0f} s: {alive}")


def games_on_disk(games_dir: Path) -> int:
    return sum(len(read_shard(path)) for path in games_dir.glob("*.npz") if not path.name.startswith("."))


def wait_for(condition, timeout: float, process: subprocess.Popen, what: str, log: Path) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        if process.poll() is not None:
            raise AssertionError(f"the run ended ({process.returncode}) before {what}:\n{log.read_text()}")
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {timeout:.0f} s:\n{log.read_text()}")


def test_a_run_killed_hard_resumes_without_losing_games(tmp_path):
    run_dir = tmp_path / "run"
    checkpoints, games = run_dir / "checkpoints", run_dir / "games"
    first_output = tmp_path / "first.txt"
    # With a weight average (decay 0.5: far from the raw weights), which must survive the kill too.
    overrides = [arg for assignment in [*TINY, "training.ema_decay=0.5"] for arg in ("--set", assignment)]
    with first_output.open("wb") as output:
        first = subprocess.Popen(train_command(run_dir, "--config", "configs/5x5.toml", *overrides), cwd=ROOT,
                                 stdout=output, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        try:
            wait_for(lambda: any(p.name != "step-00000000.pt" for p in checkpoints.glob("step-*.pt"))
                     and any(games.glob("*.npz")), 150, first, "checkpoint after step 0 and shards",
                     first_output)  # fmt: skip
        except BaseException:
            kill_run_hard(first)
            raise
        tree = kill_run_hard(first)
    # The raylet and the GCS were in the run's process group; all of it is gone now.
    assert any("raylet" in cmd for cmd in tree.values()) and any("gcs_server" in cmd for cmd in tree.values())
    steps = sorted(int(p.stem.split("-")[1]) for p in checkpoints.glob("step-*.pt"))
    killed_at = steps[-1]
    assert 0 < killed_at < STEPS, steps
    on_disk = games_on_disk(games)  # counted once no process of the run can write any more
    assert on_disk > 0
    metrics_before = read_metrics(run_dir / "metrics.csv")
    assert metrics_before and metrics_before[-1]["games"] <= on_disk  # every reported game is on disk
    assert metrics_before[-1].get("buffer_games", 0) <= on_disk
    (games / "0-corrupt.npz").write_bytes(b"PK\x03\x04 this shard was cut short")

    resumed = subprocess.Popen(train_command(run_dir, "--resume"), cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    try:
        stdout, stderr = resumed.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        kill_run_hard(resumed)
        raise
    log = (run_dir / "log.txt").read_text()
    assert resumed.returncode == 0, f"{stdout}\n{stderr}\n{log}"
    assert f"resuming at step {killed_at} " in log
    assert re.search(r"skipped shard \S*0-corrupt\.npz is unreadable", log), log
    assert "0-corrupt.npz" in stdout  # told on the console too
    loaded = re.search(r"resumed at step (\d+): (\d+) games from (\d+) shards", log)
    assert loaded and int(loaded.group(1)) == killed_at
    assert int(loaded.group(2)) == on_disk  # no finished game lost
    assert "finished:" in log.splitlines()[-1]
    # The checkpoints went on to the end (the last two kept, and every 10th).
    steps_after = sorted(int(p.stem.split("-")[1]) for p in checkpoints.glob("step-*.pt"))
    assert steps_after == [0, 10, 15, 20], steps_after
    # metrics.csv continued: the rows before the kill, then rows of the resumed run.
    metrics_after = read_metrics(run_dir / "metrics.csv")
    assert metrics_after[: len(metrics_before)] == metrics_before
    later = metrics_after[len(metrics_before) :]
    assert later and all(row["step"] >= killed_at for row in later) and later[-1]["step"] == STEPS
    assert all(row["games"] >= on_disk for row in later)  # the counters start from the games on disk
    # What the games are like comes from the window's games, those loaded included, from the first row.
    assert all(row["average_game_length"] >= 5 and 0 <= row["black_win_rate"] <= 1 for row in later)
    assert later[-1]["buffer_samples_drawn"] >= STEPS * 32
    # The run's clock goes on over sessions (``hours`` is this session's): what ``dosaku experiment`` counts.
    before = metrics_before[-1]["run_hours"]
    assert all(row["run_hours"] >= before + row["hours"] - 1e-6 for row in later)
    final = load_checkpoint(checkpoints / f"step-{STEPS:08d}.pt").metadata["elapsed_seconds"]
    assert 3600 * before < final <= 3600 * later[-1]["run_hours"] + 1
    (games / "0-corrupt.npz").unlink()
    assert games_on_disk(games) > on_disk  # new self-play after the resume
    # The checkpoint's network is the average of every step's weights, the resumed ones
    # included; the raw weights training went on from are kept beside it.
    last = load_checkpoint(checkpoints / f"step-{STEPS:08d}.pt")
    assert last.metadata["ema_updates"] == STEPS
    assert last.training_weights is not None
    averaged = last.model.state_dict()
    assert any(not torch.equal(averaged[name], last.training_weights[name]) for name in averaged)
