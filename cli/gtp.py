"""``dosaku gtp``: serve the Go Text Protocol on stdin/stdout, for Go GUIs, servers and match tools.

Responses go to stdout only; diagnostics to stderr. Example::

    dosaku gtp --size 9 --komi 7.5 --player random --seed 1
    dosaku gtp --player mcts --sims 1000   # rollout search, 1000 simulations a move
"""

from __future__ import annotations

import argparse
import sys

from cli.play import positive_count, rollout_player


def _random_player(seed: int, simulations: int, playouts: int):
    """Uniformly random legal moves."""
    from mcts.players import RandomPlayer

    return RandomPlayer(seed)


def _rollout_player(seed: int, simulations: int, playouts: int):
    """Tree search with random playouts at the leaves."""
    return rollout_player(seed, simulations, playouts)


PLAYERS = {"random": _random_player, "mcts": _rollout_player}


def add_parser(subparsers) -> None:
    """Register ``gtp`` and its options."""
    parser = subparsers.add_parser(
        "gtp",
        help="talk GTP on stdin/stdout (for Sabaki, GoGui, Lizzie, gtp2ogs, tournaments)",
        description="Serve the Go Text Protocol (version 2) on stdin/stdout until quit or end of input.",
    )
    parser.add_argument("--size", type=int, default=9, help="board size until the controller sends boardsize (2-19)")
    parser.add_argument("--komi", type=float, default=7.5, help="komi until the controller sends komi")
    parser.add_argument("--player", choices=sorted(PLAYERS), default="random", help="who chooses the moves")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the player")
    parser.add_argument(
        "--sims", type=positive_count, default=1000, help="simulations per move of the mcts player (default 1000)"
    )
    parser.add_argument(
        "--playouts", type=positive_count, default=1, help="random playouts per leaf of the mcts player (default 1)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve GTP on the process's stdin/stdout; return the exit status."""
    # Imported here so `dosaku --help` does not load the engine's kernels.
    from arena.gtp_engine import GTPEngine

    player = PLAYERS[args.player](args.seed, args.sims, args.playouts)
    engine = GTPEngine(player, size=args.size, komi=args.komi)
    return engine.serve(sys.stdin.buffer, sys.stdout.buffer)
