"""``dosaku experiment``: two training configurations compared at equal compute.

::

    dosaku experiment CONFIG_A CONFIG_B --minutes M [--dir experiments/NAME] [--seed 0]
                      [--set KEY=VALUE] [--set-a KEY=VALUE] [--set-b KEY=VALUE]
                      [--games 100] [--ref-games 20] [--curve-games 10] [--points 4] [--sims 200]

Trains A, then B, each for M wall minutes on this machine with the same seed
(``dosaku train`` in a child process; run directories DIR/A and DIR/B), then plays
the games of ``arena/experiment/games.py``: the final networks against each other
(colours alternating, each pair of games from the same random opening), each
against rollout search at 1,000 simulations and GNU Go level 1, and a few
checkpoints of each run against those references. Prints the Elo table and the
match, draws Elo over CPU-minutes (DIR/elo.png) and writes DIR/summary.json and
DIR/summary.md. Running the same command again after an interruption goes on
where it stopped: a finished run is not trained again, a stopped one resumes for
its minutes left, and only missing games are played.
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import sys
from pathlib import Path

from cli.players import add_backend_argument, positive_count, whole_number

DEFAULTS = {"games": 100, "ref_games": 20, "curve_games": 10, "points": 4, "sims": 200, "reference_sims": 1000}


def add_parser(subparsers) -> None:
    """Register ``experiment`` and its options."""
    parser = subparsers.add_parser(
        "experiment",
        help="compare two training configs at equal compute: train both, match them, Elo over CPU-minutes",
        description="Train CONFIG_A and then CONFIG_B for the same wall time with the same seed, play the final "
        "networks against each other and against fixed references (rollout search, GNU Go level 1), rate "
        "checkpoints of both runs, and report (Elo table, DIR/elo.png, DIR/summary.md). Resumable: run the "
        "same command again after an interruption.",
    )
    parser.add_argument("config_a", metavar="CONFIG_A", help="TOML config of run A (e.g. configs/9x9-laptop.toml)")
    parser.add_argument("config_b", metavar="CONFIG_B", help="TOML config of run B")
    parser.add_argument("--minutes", required=True, help="wall minutes of training for each run")
    parser.add_argument("--dir", default=None, help="experiment directory (default experiments/A-vs-B by config names)")
    parser.add_argument("--seed", type=int, default=0, help="the seed of both runs and of the openings (default 0)")
    for flag, who in (("--set", "both runs"), ("--set-a", "run A"), ("--set-b", "run B")):
        parser.add_argument(flag, dest=flag[2:].replace("-", "_"), action="append", default=[], metavar="KEY=VALUE",
                            help=f"override a config value of {who}, e.g. training.steps=2000 (repeatable)")  # fmt: skip
    parser.add_argument("--games", type=positive_count, default=DEFAULTS["games"],
                        help=f"games between the final networks (default {DEFAULTS['games']})")  # fmt: skip
    parser.add_argument("--ref-games", type=count, default=DEFAULTS["ref_games"],
                        help=f"games of each final network against each reference (default {DEFAULTS['ref_games']})")  # fmt: skip
    parser.add_argument("--curve-games", type=count, default=DEFAULTS["curve_games"],
                        help="games of each checkpoint on the curve against each opponent "
                             f"(default {DEFAULTS['curve_games']})")  # fmt: skip
    parser.add_argument("--points", type=positive_count, default=DEFAULTS["points"],
                        help=f"checkpoints of each run on the curve, the final one included (default {DEFAULTS['points']})")  # fmt: skip
    parser.add_argument("--sims", type=positive_count, default=DEFAULTS["sims"],
                        help=f"simulations a move of the networks (default {DEFAULTS['sims']})")  # fmt: skip
    parser.add_argument("--reference-sims", type=positive_count, default=DEFAULTS["reference_sims"],
                        help=f"simulations a move of the rollout-search reference (default {DEFAULTS['reference_sims']})")  # fmt: skip
    parser.add_argument("--gnugo", default=None,
                        help="GNU Go's program (default: gnugo on PATH or /usr/games/gnugo; none: no GNU Go games)")  # fmt: skip
    parser.add_argument("--opening-moves", type=count, default=None,
                        help="random moves of each set opening (default a third of the board's side)")  # fmt: skip
    parser.add_argument("--max-moves", type=count, default=None, help="move cap per game (default 3 N^2, 0: none)")
    add_games_and_training_arguments(parser)
    parser.set_defaults(run=run)


def add_games_and_training_arguments(parser) -> None:
    """``--parallel``, ``--no-progress`` and ``--backend``: for commands that train and then play (here, campaign)."""
    parser.add_argument("--parallel", type=positive_count, default=None,
                        help="games at once, as Ray tasks (default: one per core; 1 plays in this process)")  # fmt: skip
    parser.add_argument("--no-progress", action="store_true", help="no live progress line while training")
    add_backend_argument(parser)


def count(text: str) -> int:
    """A whole number of at least 0."""
    return whole_number(text, 0)


def parse_minutes(text: str, zero: bool = False) -> float:
    """``--minutes``: a positive, finite number (or 0 too, with ``zero``); ValueError (one line) otherwise."""
    try:
        minutes = float(text)
    except ValueError:
        raise ValueError(f"--minutes must be a number of minutes, got {text!r}") from None
    if not math.isfinite(minutes) or minutes < 0 or (minutes == 0 and not zero):
        raise ValueError(f"--minutes must be {'0 or more' if zero else 'a positive number of'} minutes, got {text}")
    return minutes


def say(message: str) -> None:
    print(f"dosaku experiment: {message}", flush=True)


def run(args: argparse.Namespace) -> int:
    """Train both runs (as far as not done), play the games (as far as not played), report."""
    from arena.experiment.games import find_gnugo
    from arena.experiment.state import LABELS, ExperimentState
    from arena.openings import default_opening_moves, random_opening
    from selfplay.run_config import load_run_config

    minutes = parse_minutes(args.minutes)
    paths = {"A": args.config_a, "B": args.config_b}
    overrides = {"A": [*args.set, *args.set_a, f"seed={args.seed}"], "B": [*args.set, *args.set_b, f"seed={args.seed}"]}
    configs = {label: load_run_config(paths[label], overrides[label]) for label in LABELS}
    a, b = configs["A"].rules, configs["B"].rules
    if a.size != b.size:
        raise ValueError(f"{paths['A']} plays {a.size}x{a.size} but {paths['B']} plays {b.size}x{b.size}: "
                         "an experiment compares two runs on one board")  # fmt: skip
    if a.komi != b.komi:
        raise ValueError(f"{paths['A']} plays komi {a.komi:g} but {paths['B']} komi {b.komi:g}: "
                         "the match between them needs one komi")  # fmt: skip
    # Checked before training, so that a bad option does not wait for the end of the runs.
    gnugo = find_gnugo(args.gnugo)
    opening_moves = default_opening_moves(a.size) if args.opening_moves is None else args.opening_moves
    random_opening(a.size, opening_moves, args.seed, 0)  # ValueError for an opening too long for the board
    directory = Path(args.dir or Path("experiments") / f"{Path(paths['A']).stem}-vs-{Path(paths['B']).stem}")
    settings = {"configs": paths, "overrides": overrides, "minutes": minutes, "seed": args.seed}
    state = ExperimentState.open(directory, settings)
    say(f"A = {paths['A']}, B = {paths['B']}: {minutes:g} wall minutes each, seed {args.seed}, "
        f"{a.size}x{a.size} komi {a.komi:g} -> {directory}")  # fmt: skip
    try:
        return _train_and_evaluate(args, state, directory, a, gnugo, opening_moves)
    except KeyboardInterrupt:
        print(f"\ndosaku experiment: interrupted: the same command goes on where it stopped ({directory})",
              file=sys.stderr, flush=True)  # fmt: skip
        raise


def _train_and_evaluate(args: argparse.Namespace, state, directory: Path, rules, gnugo: str | None,
                        opening_moves: int) -> int:  # fmt: skip
    from arena.experiment.training import train_run

    progress = not args.no_progress and sys.stdout.isatty()
    settings = state.settings
    for label in state.runs:
        train_run(state, directory, label, settings["configs"][label], settings["overrides"][label],
                  settings["minutes"], progress, say)  # fmt: skip
    return evaluate(args, state, directory, rules.size, rules.komi, gnugo, opening_moves)


def evaluate(args: argparse.Namespace, state, directory: Path, size: int, komi: float, gnugo: str | None,
             opening_moves: int) -> int:  # fmt: skip
    """The games, the ratings, the plot and the summary."""
    from arena.experiment import games as g
    from arena.experiment import report
    from arena.player_spec import parse_player_spec
    from arena.tournament_runner import default_parallel
    from cli.match import announce_added_flags

    notes = []
    if gnugo is None and args.gnugo is None:
        notes.append("GNU Go not found (gnugo on PATH or /usr/games/gnugo): no games against GNU Go level 1")
        say(f"note: {notes[-1]}")
    references = g.reference_players(args.reference_sims, gnugo)
    for reference in references:
        announce_added_flags(parse_player_spec(reference.spec), "experiment")
    curves = {label: g.curve_points(label, directory / label, args.points, args.sims) for label in state.runs}
    for label, points in curves.items():
        if points[-1].step == 0:
            notes.append(f"run {label} took no training step: its final network is the untrained one")
            say(f"note: {notes[-1]}")
    pairings = g.pairings(curves, references, args.games, args.ref_games, args.curve_games)
    jobs = g.jobs(pairings, size, komi, args.max_moves, args.seed, opening_moves, args.backend)
    players = _unique([player for pairing in pairings for player in (pairing.a, pairing.b)])
    results_settings = {
        "players": {player.name: player.spec for player in players}, "size": size, "komi": komi,
        "max_moves": args.max_moves, "seed": args.seed, "opening_moves": opening_moves, "sims": args.sims,
        "games": {"match": args.games, "references": args.ref_games, "curve": args.curve_games},
    }  # fmt: skip
    parallel = args.parallel or default_parallel()
    kinds = {kind: sum(p.games for p in pairings if p.kind == kind) for kind in ("match", "reference", "curve")}
    moves = f"{opening_moves} random move{'s' * (opening_moves != 1)}"
    say(f"{len(jobs)} games ({kinds['match']} A vs B, {kinds['reference']} against the references, "
        f"{kinds['curve']} for the curve), openings of {moves}, {parallel} at once -> {directory / 'games'}")  # fmt: skip
    games = g.play_games(directory, pairings, results_settings, jobs, parallel, on_game=_print_game)

    names = [player.name for player in players]
    anchor = references[0].name if references[0].name in names else names[0]  # the rollout search, if it played
    ratings = report.ratings_of(players, games, anchor)
    rows = report.rating_rows(players, ratings, games, state)
    report.print_table(rows, anchor)
    match = report.match_figures(pairings[0], games)
    print(report.match_line(match), flush=True)
    for row in report.run_rows(state, {}):
        print(report.run_line(row), flush=True)
    plot = None
    if ratings:
        title = f"Dosaku experiment {directory.name} ({size}x{size}): Elo over CPU-minutes"
        plot = report.draw_plot(players, ratings, anchor, state, directory / report.PLOT, title)
    else:
        notes.append("no ratings: the games so far cannot rate every player")
        say(f"note: {notes[-1]}")
    summary = {
        "command": _command(args), "directory": str(directory), "size": size, "komi": komi, "seed": args.seed,
        "minutes": state.settings["minutes"], "sims": args.sims, "machine": f"{os.cpu_count()} cores",
        "opening_moves": opening_moves, "anchor": anchor, "games": len(games), "runs": report.run_rows(state, {}),
        "match": match, "ratings": rows, "plot": report.PLOT if plot else None, "notes": notes,
    }  # fmt: skip
    json_path, md_path = report.write_summary(directory, summary)
    say(
        f"summary: {md_path} and {json_path.name}"
        + (f", plot: {plot}" if plot else "")
        + f", games: {directory / 'games'}"
    )
    return 0


def _unique(players):
    seen, result = set(), []
    for player in players:
        if player.name not in seen:
            seen.add(player.name)
            result.append(player)
    return result


def _print_game(outcome: dict, finished: int, total: int) -> None:
    width = len(str(total))
    head = f"[{finished:>{width}}/{total}] {outcome['black']} (B) vs {outcome['white']} (W): "
    if outcome["error"]:
        print(f"{head}ERROR by {outcome['error_by']}: {outcome['error'].strip().splitlines()[0]}", flush=True)
    else:
        print(f"{head}{outcome['result']} in {outcome['moves']} moves ({outcome['seconds']:.1f} s)", flush=True)


def _command(args: argparse.Namespace) -> str:
    words = ["dosaku", "experiment", args.config_a, args.config_b, "--minutes", str(args.minutes)]
    for flag in ("set", "set_a", "set_b"):
        for assignment in getattr(args, flag):
            words += [f"--{flag.replace('_', '-')}", assignment]
    for name, default in DEFAULTS.items():
        if getattr(args, name) != default:
            words += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    if args.seed:
        words += ["--seed", str(args.seed)]
    return shlex.join(words)
