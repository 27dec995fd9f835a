"""It learns: a few minutes of ``dosaku train`` on 5x5 give a network whose player
beats the untrained network's player by a clear, statistically significant margin.

The run is the shipped ``configs/5x5.toml`` (2 blocks of 32 channels, Gumbel
self-play with 32 simulations) for ``STEPS`` steps, through the real command with
Ray, the replay buffer and the Ray Train trainer. Then the final checkpoint and
the step-0 checkpoint (the seeded, untrained network every run starts from) play
``GAMES`` games, colours alternating, both with the same search: PUCT with
``SIMULATIONS`` simulations and a temperature over the first ``OPENING_MOVES``
moves, so that the games differ.

Significance: one-sided exact binomial test of "the trained player wins at most
half its games", over decisive games (a sign test: draws, which komi 0.5 rules
out anyway, would be left out of ``n``). p < 0.01 needs 28 wins of 40.

Measured on a busy 2-core machine, six runs: 500 steps take 1.5 to 2 minutes
after Ray's start-up, and the trained player then won 37, 38, 39, 39, 40 and 40
of 40 (after 250 steps: 28 to 36, too close to the bar). Why 64 simulations:
with PUCT and fewer simulations than legal moves the search hardly looks past
the priors, and a young network's fondness for passing can decide the games (one
300-step network lost 0-40 with 16 simulations, and won 39-1 with 64).
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from arena.match import play_match
from mcts.config import SearchConfig
from mcts.players import MCTSPlayer
from nets.evaluator import NetEvaluator
from selfplay.metrics import read_metrics
from selfplay.run_dir import RunDirectory

ROOT = Path(__file__).resolve().parents[1]
STEPS = 500
GAMES = 40
SIMULATIONS = 64
OPENING_MOVES = 4
RUN_TIMEOUT = 900  # seconds; the run takes about 2 minutes on 2 busy cores


def one_sided_binomial_p(wins: int, games: int) -> float:
    """P(at least ``wins`` of ``games`` | each won with probability 1/2)."""
    return sum(math.comb(games, k) for k in range(wins, games + 1)) / 2**games


def test_binomial_p_value():
    assert one_sided_binomial_p(0, 10) == 1.0
    assert one_sided_binomial_p(10, 10) == 1 / 1024
    assert one_sided_binomial_p(28, 40) < 0.01 < one_sided_binomial_p(27, 40)


def train_tiny_run(run_dir: Path) -> None:
    command = [sys.executable, "-m", "cli.main", "train", "--config", "configs/5x5.toml", "--run-dir", str(run_dir),
               "--no-progress", "--set", f"training.steps={STEPS}", "--set", "training.checkpoint_every=250",
               "--set", "evaluation.games=0"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)  # fmt: skip
    try:
        output, _ = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"training did not finish {STEPS} steps in {RUN_TIMEOUT} s:\n{output[-3000:]}")
    assert process.returncode == 0, output[-3000:]


def player(checkpoint: Path, seed: int, name: str) -> MCTSPlayer:
    config = SearchConfig(temperature=1.0, temperature_moves=OPENING_MOVES)
    return MCTSPlayer(NetEvaluator(str(checkpoint), threads=1), SIMULATIONS, config=config, seed=seed, name=name)


@pytest.mark.slow
def test_a_few_minutes_of_training_beat_the_untrained_network(tmp_path):
    run = RunDirectory(tmp_path / "run")
    train_tiny_run(run.root)
    assert run.checkpoint_steps()[-1] == STEPS
    metrics = read_metrics(run.metrics)
    losses = [(row["step"], round(row["policy"], 3), round(row["value"], 3)) for row in metrics if "policy" in row]

    threads = torch.get_num_threads()  # NetEvaluator sets torch's process-wide thread count
    try:
        trained = player(run.checkpoint_path(STEPS), seed=1, name="trained")
        untrained = player(run.checkpoint_path(0), seed=2, name="untrained")
        match = play_match(trained, untrained, GAMES, size=5, komi=0.5)  # trained is black in even games
    finally:
        torch.set_num_threads(threads)
    decisive = match.wins_a + match.wins_b  # draws excluded (none with komi 0.5)
    p_value = one_sided_binomial_p(match.wins_a, decisive)
    summary = match.summary()
    assert len({tuple(record.game.moves) for record in match.games}) >= GAMES // 2, "openings did not vary"
    assert p_value < 0.01, f"{summary}, p = {p_value:.3g}; (step, policy loss, value loss): {losses}"
