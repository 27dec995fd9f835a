"""``dosaku campaign``: continue the 9x9 strength campaign for M minutes (one stint).

::

    dosaku campaign --minutes M [--commit] [--train-only] [--run-dir runs/campaign-9x9] [--workers W] [--trainers T]
                    [--gate-sims 400] [--gate-max-games 100] [--sims 400] [--gauntlet-games 20] [--parallel P]

A stint trains the campaign's run for M wall minutes (``dosaku train --resume``,
seeded from ``campaign/9x9/`` when the scratch run directory is missing or
behind), gates its network against ``models/9x9.pt`` and ships it if it passes,
plays the shipped network against rollout search and GNU Go levels 1 and 10,
appends a row to ``docs/campaign.md``, redraws ``docs/9x9-campaign.png``, saves the
trainer state in ``campaign/9x9/`` and, with ``--commit``, commits it all. The
phases are in ``arena/campaign/``; running the same command after an interruption
goes on with the stint's remaining phases. ``--train-only`` (a GPU burst) stops after
training with the trainer state saved; the plain command, on any clone, finishes the stint.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.experiment import add_games_and_training_arguments, parse_minutes
from cli.players import positive_count

DEFAULTS = {"run_dir": "runs/campaign-9x9", "directory": "campaign/9x9", "model": "models/9x9.pt",
            "gate_sims": 400, "gate_max_games": 100, "sims": 400, "gauntlet_games": 20}  # fmt: skip


def add_parser(subparsers) -> None:
    """Register ``campaign`` and its options."""
    parser = subparsers.add_parser(
        "campaign",
        help="continue the 9x9 strength campaign for M minutes: train, gate and ship, gauntlet, record, commit",
        description="One stint of the campaign whose state lives in the repository (campaign/9x9/): train the run "
        "for M wall minutes, gate its network against models/9x9.pt (SPRT) and ship it if it passes, play the "
        "shipped network against rollout search and GNU Go levels 1 and 10, record the stint in docs/campaign.md "
        "and docs/9x9-campaign.png, save the trainer state, and with --commit commit it. Resumable: run the same "
        "command again after an interruption.",
    )
    parser.add_argument("--minutes", required=True,
                        help="wall minutes of training (0: no training, evaluate the run directory's newest network)")  # fmt: skip
    parser.add_argument("--commit", action="store_true", help="git add and commit the state, model and record")
    parser.add_argument("--train-only", action="store_true",
                        help="only train and save the trainer state (a GPU burst); the same command without it, on "
                             "any clone, gates, plays the gauntlet and records the stint")  # fmt: skip
    parser.add_argument("--run-dir", default=DEFAULTS["run_dir"],
                        help=f"the run directory to train in (scratch; default {DEFAULTS['run_dir']})")  # fmt: skip
    parser.add_argument("--campaign-dir", dest="directory", default=DEFAULTS["directory"],
                        help=f"the campaign's state (default {DEFAULTS['directory']})")  # fmt: skip
    parser.add_argument("--model", default=DEFAULTS["model"],
                        help=f"the shipped network, gated against and shipped to (default {DEFAULTS['model']})")  # fmt: skip
    parser.add_argument(
        "--workers", type=positive_count, default=None, help="self-play workers (default: the config's)"
    )
    parser.add_argument("--trainers", type=positive_count, default=None, help="trainers (default: the config's)")
    parser.add_argument("--gate-sims", type=positive_count, default=DEFAULTS["gate_sims"],
                        help=f"simulations a move of both networks in the gate (default {DEFAULTS['gate_sims']})")  # fmt: skip
    parser.add_argument("--gate-max-games", type=positive_count, default=DEFAULTS["gate_max_games"],
                        help=f"games after which an open gate is undecided (default {DEFAULTS['gate_max_games']})")  # fmt: skip
    parser.add_argument("--sims", type=positive_count, default=DEFAULTS["sims"],
                        help=f"simulations a move of the shipped network in the gauntlet (default {DEFAULTS['sims']})")  # fmt: skip
    parser.add_argument("--gauntlet-games", type=even_count, default=DEFAULTS["gauntlet_games"],
                        help=f"games against each reference, even (default {DEFAULTS['gauntlet_games']})")  # fmt: skip
    parser.add_argument("--reference", dest="references", action="append", default=[], help=argparse.SUPPRESS)
    add_games_and_training_arguments(parser)
    parser.set_defaults(run=run)


def even_count(text: str) -> int:
    """An even whole number of at least 2: each opening is played with both colours."""
    number = positive_count(text)
    if number % 2:
        raise argparse.ArgumentTypeError(f"must be even (each opening with both colours), got {number}")
    return number


def say(message: str) -> None:
    print(f"dosaku campaign: {message}", flush=True)


def run(args: argparse.Namespace) -> int:
    from arena.campaign.record import PLOT, RECORD
    from arena.campaign.stint import StintOptions, run_stint
    from arena.tournament_runner import default_parallel

    options = StintOptions(
        minutes=parse_minutes(args.minutes, zero=True), directory=Path(args.directory), run_dir=Path(args.run_dir),
        model=Path(args.model), record=RECORD, plot=PLOT, workers=args.workers, trainers=args.trainers,
        gate_sims=args.gate_sims, gate_max_games=args.gate_max_games, sims=args.sims,
        gauntlet_games=args.gauntlet_games, references=tuple(args.references),
        parallel=args.parallel or default_parallel(), backend=args.backend, commit=args.commit,
        train_only=args.train_only,
        progress=not args.no_progress and sys.stdout.isatty(),
    )  # fmt: skip
    try:
        run_stint(options, say)
    except KeyboardInterrupt:
        print("\ndosaku campaign: interrupted: the same command goes on with the stint where it stopped",
              file=sys.stderr, flush=True)  # fmt: skip
        raise
    return 0
