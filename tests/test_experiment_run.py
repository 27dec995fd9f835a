"""``dosaku experiment`` end to end on a tiny setting: interrupted during run B, then run again.

Two tiny 5x5 configurations (the shared tiny run, one with half the channels) are
trained for a few seconds each. The experiment runs as ``python -m cli.main`` in a
session of its own and gets a Ctrl-C (SIGINT to its process group, as a terminal
sends it) once run B has started: run A is finished then, B is half done. The same
command, run again (in this process, GNU Go hidden), must not train A again, must
resume B for its minutes left, then play the games and report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arena.experiment import games as experiment_games
from cli.main import main
from nets.checkpoint import load_checkpoint
from selfplay.run_config import load_run_config
from tests.tiny_run import tiny_overrides

ROOT = Path(__file__).resolve().parents[1]
MINUTES = 0.2
SEED = 11
GAMES = 4


def experiment_argv(out: Path) -> list[str]:
    sets = [word for assignment in tiny_overrides(100_000) for word in ("--set", assignment)]
    return ["experiment", "configs/5x5.toml", "configs/5x5.toml", "--minutes", str(MINUTES), "--dir", str(out),
            "--seed", str(SEED), *sets, "--set-b", "network.channels=8", "--games", str(GAMES), "--ref-games", "2",
            "--curve-games", "2", "--points", "2", "--sims", "4", "--reference-sims", "16", "--parallel", "1",
            "--backend", "torch", "--no-progress"]  # fmt: skip


def run_log(out: Path, label: str) -> str:
    path = out / label / "log.txt"
    return path.read_text() if path.exists() else ""


@pytest.mark.slow
def test_experiment_trains_both_at_equal_time_resumes_and_reports(tmp_path, monkeypatch, capsys):
    out = tmp_path / "experiment"
    argv = experiment_argv(out)
    process = subprocess.Popen([sys.executable, "-m", "cli.main", *argv], cwd=ROOT, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        deadline = time.time() + 240
        while "starting at step" not in run_log(out, "B"):
            assert process.poll() is None, process.communicate()[0]
            assert time.time() < deadline, "run B did not start"
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in the terminal
        output = process.communicate(timeout=180)[0]
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 130, output
    state = json.loads((out / "experiment.json").read_text())
    assert state["runs"]["A"]["finished"] and not state["runs"]["B"]["finished"], state
    assert "run B stops after its current step" in output or "stops after its current step" in output, output
    log_a = run_log(out, "A")
    checkpoints_a = sorted(p.name for p in (out / "A" / "checkpoints").iterdir())

    # The same command again, GNU Go hidden: A is not retrained, B resumes, the games are played.
    monkeypatch.setattr(experiment_games, "GNUGO_PATHS", ())
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "run A: finished earlier" in printed and "run B: configs/5x5.toml: resuming" in printed, printed
    assert "GNU Go not found" in printed and "gnugo" not in json.dumps(json.loads((out / "results.json").read_text()))
    assert run_log(out, "A") == log_a and sorted(p.name for p in (out / "A" / "checkpoints").iterdir()) == checkpoints_a
    assert run_log(out, "A").count("starting at step 0") == 1 and "resuming" not in run_log(out, "A")
    assert "resuming at step" in run_log(out, "B")
    state = json.loads((out / "experiment.json").read_text())
    assert state["runs"]["A"]["sessions"] == 1 and state["runs"]["B"]["sessions"] == 2

    # Same seed, same time: each run had its minutes (its sessions together), by its own clock.
    for label, channels in (("A", 16), ("B", 8)):
        config = load_run_config(out / label / "config.toml")
        assert (config.seed, config.network.channels) == (SEED, channels)
        run = state["runs"][label]
        assert run["finished"] and run["stopped_by"] == "time"
        assert MINUTES * 60 - 1 <= run["elapsed_seconds"] < MINUTES * 60 + 120
        assert run["cpu_seconds"] > 0  # measured over the run's process tree, all its sessions
        final = load_checkpoint(out / label / "checkpoints" / f"step-{run['step']:08d}.pt")
        assert 0 <= final.metadata["elapsed_seconds"] <= run["elapsed_seconds"] + 1

    # The match: colours alternate, each pair of games from one opening.
    results = json.loads((out / "results.json").read_text())
    match = sorted((g for g in results["games"] if g["pairing"] == 0), key=lambda g: g["game"])
    a_final, b_final = f"A@{state['runs']['A']['step']}", f"B@{state['runs']['B']['step']}"
    assert [g["black"] for g in match] == [a_final, b_final] * (GAMES // 2)
    assert all(g["error"] is None and g["result"] for g in results["games"]), results["games"]
    sgf = (out / match[0]["sgf"]).read_text()
    assert "Moves 1-1: a set opening" in sgf

    # The report: the Elo table, the match line, the plot and the summaries.
    assert "Elo (maximum likelihood over all games, 0 = mcts:sims=16" in printed
    assert f"match {a_final} vs {b_final}: " in printed and "CPU-minutes" in printed
    assert (out / "elo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["match"]["games"] == GAMES and summary["match"]["a_black"] == GAMES // 2
    assert {row["player"] for row in summary["ratings"]} >= {a_final, b_final, "random", "mcts:sims=16"}
    assert [row["run"] for row in summary["runs"]] == ["A", "B"]
    assert all(row["cpu_minutes"] == pytest.approx(row["cores"] * row["wall_minutes"], abs=0.02)
               for row in summary["runs"])  # fmt: skip
    markdown = (out / "summary.md").read_text()
    assert "| A | configs/5x5.toml |" in markdown and "`--set network.channels=8`" in markdown
    assert "![Elo over CPU-minutes](elo.png)" in markdown

    # Once more: nothing left to do, nothing redone.
    assert main(argv) == 0
    again = capsys.readouterr().out
    assert "run A: finished earlier" in again and "run B: finished earlier" in again
    assert not any(line.startswith("[") for line in again.splitlines()), again  # no game played again
