"""``dosaku gtp``: serve the Go Text Protocol on stdin/stdout, for Go GUIs, servers and match tools.

Responses go to stdout only; diagnostics to stderr. Example::

    dosaku gtp --size 9 --komi 7.5 --player random --seed 1
    dosaku gtp --player mcts --sims 1000   # rollout search, 1000 simulations a move
    dosaku gtp --model models/7x7.pt       # the trained network, 200 simulations a move
"""

from __future__ import annotations

import argparse
import sys

from cli.players import add_player_arguments, make_player


def add_parser(subparsers) -> None:
    """Register ``gtp`` and its options."""
    parser = subparsers.add_parser(
        "gtp",
        help="talk GTP on stdin/stdout (for Sabaki, GoGui, Lizzie, gtp2ogs, tournaments)",
        description="Serve the Go Text Protocol (version 2) on stdin/stdout until quit or end of input.",
    )
    parser.add_argument("--size", type=int, default=None,
                        help="board size until the controller sends boardsize (2-19; default: the model's, else 9)")  # fmt: skip
    parser.add_argument("--komi", type=float, default=7.5, help="komi until the controller sends komi")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the player")
    add_player_arguments(parser, default_player="random")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve GTP on the process's stdin/stdout; return the exit status."""
    # Imported here so `dosaku --help` does not load the engine's kernels.
    from arena.gtp_engine import GTPEngine
    from cli.play import resolve_size

    player = make_player(args, args.seed)
    engine = GTPEngine(player, size=resolve_size(args.size, args.model), komi=args.komi)
    return engine.serve(sys.stdin.buffer, sys.stdout.buffer)
