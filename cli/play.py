"""``dosaku play``: a person against the bot. The terminal game for now; a window later."""

from __future__ import annotations

import argparse
import math
import sys
import time

from cli.players import add_player_arguments, make_player, model_board_size
from cli.text_game import TextGame
from engine.coords import MAX_SIZE, MIN_SIZE
from engine.game import BLACK, WHITE, GameState

COLORS = {"black": BLACK, "white": WHITE}


SEED_LIMIT = 2**32  # fits the bot's RNG seeding and is short enough to type back


def add_parser(subparsers) -> None:
    """Register ``play`` and its options on the ``dosaku`` subcommand parsers."""
    parser = subparsers.add_parser(
        "play",
        help="play against the bot (terminal now; a window later)",
        description="Play a game against the bot. The terminal game is the only front end so far.",
    )
    parser.add_argument("--text", action="store_true", help="play in the terminal")
    parser.add_argument("--size", type=board_size, default=None,
                        help=f"board size, {MIN_SIZE}..{MAX_SIZE} (default: the model's, else 9)")  # fmt: skip
    parser.add_argument("--komi", type=komi_value, default=7.5, help="komi for white (default 7.5)")
    parser.add_argument(
        "--color", type=str.lower, choices=sorted(COLORS), default="black", help="your colour (default black)"
    )
    add_player_arguments(parser, default_player="mcts")
    parser.add_argument(
        "--seed", type=seed_value, default=None, help="the bot's random seed (default: from the clock, printed)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Play one game in the terminal; return the exit code."""
    if not args.text:
        print("note: the game window is not built yet; playing in the terminal (--text).", file=sys.stderr)
    # GameState checks komi against the board size; its ValueError becomes cli.main's one-line error.
    size = resolve_size(args.size, args.model)
    game = GameState(size, args.komi)
    seed = args.seed if args.seed is not None else time.time_ns() % SEED_LIMIT
    bot = make_player(args, seed)
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


def resolve_size(size: int | None, model: str | None) -> int:
    """The board size: as asked, else the model's, else 9; a model for another size is an error."""
    trained = model_board_size(model)
    if size is not None and trained is not None and size != trained:
        raise ValueError(f"the model {model} plays {trained}x{trained}, not {size}x{size}")
    return size or trained or 9


def seed_value(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number, got {text!r}") from None
    if not 0 <= seed < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"seed must be from 0 to {SEED_LIMIT - 1}, got {seed}")
    return seed
