"""``dosaku gtp``: serve the Go Text Protocol on stdin/stdout, for Go GUIs, servers and match tools.

Responses go to stdout only; diagnostics to stderr. Example::

    dosaku gtp --model models/7x7.pt       # the trained network, 200 simulations a move
    dosaku gtp --model models/7x7.pt --time-per-move 2 --resign-threshold 0.03
    dosaku gtp --sims 1000                 # no model: rollout search (said on stderr)
    dosaku gtp --size 9 --komi 7.5 --player random --seed 1

The controller's clock (``time_settings``, ``kgs-time_settings``, ``time_left``) sets
each move's thinking time; analysis (``lz-analyze``, ``kata-analyze``), life and death
(``final_status_list``) and clean-up (``kgs-genmove_cleanup``) come with it
(``gtp/extensions/``, installed by ``gtp/build.py``).
"""

from __future__ import annotations

import argparse
import sys

from cli.players import add_player_arguments, add_search_arguments, make_search_player


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
    add_player_arguments(parser, default_player="mcts")
    add_search_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve GTP on the process's stdin/stdout; return the exit status."""
    # Imported here so `dosaku --help` does not load the engine's kernels.
    from cli.play import resolve_size
    from gtp.build import build_engine

    player, timing = make_search_player(args, args.seed)
    engine = build_engine(player, size=resolve_size(args.size, args.model), komi=args.komi, timing=timing)
    # The engine reads stdin on a thread that may still wait for a line after quit.
    # Its own reader over the same descriptor keeps sys.stdin's lock free, which the
    # interpreter takes at exit (sharing it aborts the process at shutdown); it is
    # never closed, as closing would wait for that thread's lock too.
    commands = open(sys.stdin.fileno(), "rb", closefd=False)  # noqa: SIM115
    return engine.serve(commands, sys.stdout.buffer)
