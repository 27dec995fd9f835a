"""``dosaku play``: a person against the bot. The terminal game for now; a window later."""

from __future__ import annotations

import argparse
import math
import sys
import time

from cli.text_game import TextGame
from engine.coords import MAX_SIZE, MIN_SIZE
from engine.game import BLACK, WHITE, GameState
from mcts.evaluators import RolloutEvaluator
from mcts.players import MCTSPlayer, RandomPlayer

COLORS = {"black": BLACK, "white": WHITE}


def rollout_player(seed: int, simulations: int, playouts: int) -> MCTSPlayer:
    """Tree search with ``playouts`` random playouts per leaf: pure Monte Carlo, no network."""
    return MCTSPlayer(RolloutEvaluator(playouts, seed), simulations=simulations, seed=seed)


# Name -> factory taking (seed, simulations, playouts); random ignores the last two.
PLAYERS = {
    "random": lambda seed, simulations, playouts: RandomPlayer(seed),
    "mcts": rollout_player,
}
SEED_LIMIT = 2**32  # fits the bot's RNG seeding and is short enough to type back


def add_parser(subparsers) -> None:
    """Register ``play`` and its options on the ``dosaku`` subcommand parsers."""
    parser = subparsers.add_parser(
        "play",
        help="play against the bot (terminal now; a window later)",
        description="Play a game against the bot. The terminal game is the only front end so far.",
    )
    parser.add_argument("--text", action="store_true", help="play in the terminal")
    parser.add_argument("--size", type=board_size, default=9, help=f"board size, {MIN_SIZE}..{MAX_SIZE} (default 9)")
    parser.add_argument("--komi", type=komi_value, default=7.5, help="komi for white (default 7.5)")
    parser.add_argument(
        "--color", type=str.lower, choices=sorted(COLORS), default="black", help="your colour (default black)"
    )
    parser.add_argument(
        "--player", type=str.lower, choices=sorted(PLAYERS), default="random", help="the bot (default random)"
    )
    parser.add_argument(
        "--sims", type=positive_count, default=1000, help="simulations per move of the mcts bot (default 1000)"
    )
    parser.add_argument(
        "--playouts", type=positive_count, default=1, help="random playouts per leaf of the mcts bot (default 1)"
    )
    parser.add_argument(
        "--seed", type=seed_value, default=None, help="the bot's random seed (default: from the clock, printed)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Play one game in the terminal; return the exit code."""
    if not args.text:
        print("note: the game window is not built yet; playing in the terminal (--text).", file=sys.stderr)
    # GameState checks komi against the board size; its ValueError becomes cli.main's one-line error.
    game = GameState(args.size, args.komi)
    seed = args.seed if args.seed is not None else time.time_ns() % SEED_LIMIT
    bot = PLAYERS[args.player](seed, args.sims, args.playouts)
    print(f"Seed {seed} (replay this game with --seed {seed}).")
    return TextGame(game, bot, COLORS[args.color], sys.stdin, sys.stdout).run()


# --- argument types: each raises argparse's error, shown as one usage line ----


def board_size(text: str) -> int:
    try:
        size = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"board size must be a whole number, got {text!r}") from None
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise argparse.ArgumentTypeError(f"board size must be from {MIN_SIZE} to {MAX_SIZE}, got {size}")
    return size


def komi_value(text: str) -> float:
    try:
        komi = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"komi must be a number, got {text!r}") from None
    if not math.isfinite(komi):
        raise argparse.ArgumentTypeError(f"komi must be a finite number, got {text!r}")
    return komi


def positive_count(text: str) -> int:
    """A whole number of at least 1 (simulations, playouts)."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if count < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {count}")
    return count


def seed_value(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number, got {text!r}") from None
    if not 0 <= seed < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"seed must be from 0 to {SEED_LIMIT - 1}, got {seed}")
    return seed
