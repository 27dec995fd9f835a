"""The experiment's games: the final networks against each other and against fixed references,
and a few checkpoints of each run against the references (the Elo curve).

Pairings, each ``(A player, B player, games)``; A has black in even-numbered games:

- the match: A's final network against B's, ``match`` games (100 by default);
- each final network against each reference, rollout search at 1,000 simulations
  and GNU Go level 1 (when installed), ``references`` games each;
- the curve: ``points`` checkpoints of each run, spread evenly over its wall time
  (step 0 and the final network among them), each against ``random`` and the
  references, and against the run's next point (a chain, which keeps the ratings
  of early networks, which lose every game to the references, tied to the rest),
  ``curve`` games each.

Every pair of games (2k, 2k+1) of every pairing starts from opening k
(``arena/openings.py``), once with each player as black. Networks play without
sampled opening moves (``opening=0``): the set opening is their variety.

The games go through the arena's machinery: ``GameJob`` and ``play_job`` (this
process or Ray tasks), a results file kept after every game (so a stopped
experiment plays only the missing games), an SGF per game, and the Elo fit of
``arena/elo.py`` over all games together, anchored at the rollout search.
"""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from arena.openings import random_opening
from arena.player_spec import check_available, parse_player_spec
from arena.tournament import store_outcome
from arena.tournament_game import GameJob
from arena.tournament_results import ResultsFile
from arena.tournament_runner import run_games
from selfplay.metrics import read_metrics
from selfplay.run_dir import RunDirectory

GNUGO_PATHS = ("gnugo", "/usr/games/gnugo")
RANDOM = "random"


@dataclass(frozen=True)
class Player:
    """A player of the experiment: its short name, its spelling, and for a checkpoint its run and place."""

    name: str
    spec: str
    run: str | None = None  # A or B for a checkpoint
    step: int | None = None
    elapsed_seconds: float | None = None  # the run's wall time when the checkpoint was written
    path: str | None = None
    final: bool = False


@dataclass(frozen=True)
class Pairing:
    a: Player
    b: Player
    games: int
    kind: str  # match, reference, curve


def find_gnugo(choice: str | None) -> str | None:
    """GNU Go's program: ``choice`` (``none``: no GNU Go; a missing program is an error), else found on
    PATH or in /usr/games; None when not installed."""
    if choice is not None:
        if choice.lower() == "none":
            return None
        found = shutil.which(choice)
        if found is None:
            raise ValueError(f"--gnugo {choice}: no such program")
        return found
    for candidate in GNUGO_PATHS:
        found = shutil.which(candidate)
        if found is not None:
            return found
    return None


def reference_players(rollout_sims: int, gnugo: str | None) -> list[Player]:
    """The fixed references: rollout search, and GNU Go level 1 when ``gnugo`` names it."""
    players = [Player(f"mcts:sims={rollout_sims}", f"mcts:sims={rollout_sims}")]
    if gnugo is not None:
        spec = parse_player_spec(f"gtp:{gnugo} --mode gtp --level 1")
        players.append(Player("gnugo-level1", spec.text))
    return players


def checkpoint_elapsed(run_dir: Path, step: int, path: Path) -> float | None:
    """The run's wall seconds when checkpoint ``step`` was written: from the checkpoint, else from metrics.csv
    (the first report at or after that step), else None."""
    from nets.checkpoint import load_checkpoint

    if step == 0:
        return 0.0
    elapsed = load_checkpoint(path).metadata.get("elapsed_seconds")
    if isinstance(elapsed, (int, float)):
        return float(elapsed)
    metrics = Path(run_dir) / "metrics.csv"
    if metrics.exists():
        for row in read_metrics(metrics):
            if row.get("step", -1) >= step and "run_hours" in row:
                return 3600 * row["run_hours"]
    return None


def curve_points(label: str, run_dir: Path, points: int, sims: int) -> list[Player]:
    """Up to ``points`` checkpoints of the run, the closest to evenly spread wall times, the final one last."""
    run = RunDirectory(run_dir)
    steps = run.checkpoint_steps()
    if not steps:
        raise ValueError(f"run {label} in {run_dir} has no checkpoint")
    known = []
    for step in steps:
        elapsed = checkpoint_elapsed(run_dir, step, run.checkpoint_path(step))
        if elapsed is not None or step == steps[-1]:
            known.append((step, elapsed))
    final_step, final_elapsed = known[-1]
    total = final_elapsed or 0.0
    chosen = {final_step}
    for index in range(points - 1):
        target = total * index / max(points - 1, 1)
        candidates = [(abs(elapsed - target), step) for step, elapsed in known if step not in chosen]
        if candidates:
            chosen.add(min(candidates)[1])
    players = []
    for step, elapsed in known:
        if step in chosen:
            path = str(run.checkpoint_path(step))
            players.append(Player(f"{label}@{step}", f"{path}:sims={sims},opening=0", label, step, elapsed, path,
                                  final=step == final_step))  # fmt: skip
    return players


def pairings(curves: dict[str, list[Player]], references: list[Player], match: int, versus_references: int,
             curve: int) -> list[Pairing]:  # fmt: skip
    """Every pairing of the experiment (see the module docstring), in a fixed order."""
    finals = {label: players[-1] for label, players in curves.items()}
    result = [Pairing(finals["A"], finals["B"], match, "match")]
    for label in curves:
        result += [Pairing(finals[label], reference, versus_references, "reference") for reference in references]
    random_player = Player(RANDOM, RANDOM)
    for label, players in curves.items():
        for index, player in enumerate(players):
            opponents = [random_player] + ([] if player.final else references)
            if index + 1 < len(players):
                opponents.append(players[index + 1])
            result += [Pairing(player, other, curve, "curve") for other in opponents]
    return [pairing for pairing in result if pairing.games > 0]


def jobs(all_pairings: list[Pairing], size: int, komi: float, max_moves: int | None, seed: int,
         opening_moves: int, backend: str) -> list[GameJob]:  # fmt: skip
    """Every game: pair by pair of games across the pairings, so that partial results cover all of them."""
    openings: dict[int, tuple[int, ...]] = {}

    def opening(index: int) -> tuple[int, ...]:
        if index not in openings:
            openings[index] = random_opening(size, opening_moves, seed, index)
        return openings[index]

    result = []
    longest = max(pairing.games for pairing in all_pairings)
    for first in range(0, longest, 2):
        for index, pairing in enumerate(all_pairings):
            for number in range(first, min(first + 2, pairing.games)):
                result.append(GameJob(index, number, pairing.a.name, pairing.b.name, pairing.a.spec, pairing.b.spec,
                                      size, komi, max_moves, seed, backend, opening(number // 2)))  # fmt: skip
    return result


def play_games(out: Path, all_pairings: list[Pairing], settings: dict, job_list: list[GameJob], parallel: int,
               on_game: Callable[[dict, int, int], None] | None = None) -> list[dict]:  # fmt: skip
    """Play the games of ``job_list`` missing from ``out/results.json``; return every finished game."""
    size = settings["size"]
    seen = set()
    for pairing in all_pairings:
        for player in (pairing.a, pairing.b):
            if player.name not in seen:
                seen.add(player.name)
                check_available(parse_player_spec(player.spec), size)
    results = ResultsFile.open(out / "results.json", settings, resume=True)
    pending = [job for job in job_list if not results.done(job.key)]
    results.save()
    queue = iter(pending)
    total = len(job_list)

    def record(outcome: dict) -> None:
        store_outcome(outcome, out, results)
        if on_game is not None:
            on_game(outcome, len(results.games), total)

    if pending:
        run_games(lambda: next(queue, None), record, parallel)
    keys = {job.key for job in job_list}
    return sorted((game for game in results.games.values() if game["key"] in keys),
                  key=lambda game: (game["pairing"], game["game"]))  # fmt: skip


def cpu_minutes(elapsed_seconds: float, workers: int, trainers: int, machine_cores: int | None = None) -> float:
    """Cores x wall minutes: each self-play worker and trainer holds one core, as far as the machine has them."""
    cores = min(workers + trainers, machine_cores or os.cpu_count() or 1)
    return cores * elapsed_seconds / 60


def games_count(all_pairings: list[Pairing]) -> int:
    return sum(pairing.games for pairing in all_pairings)


def openings_needed(all_pairings: list[Pairing]) -> int:
    return math.ceil(max(pairing.games for pairing in all_pairings) / 2)
