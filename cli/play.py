"""``dosaku play``: a person against the bot, in a Pygame window (``--text``: in the terminal).

The window's bot for each board size: ``--model`` when it plays that size, else
the shipped network ``models/{N}x{N}.pt`` when one exists (looked up when the
game starts, so a network shipped later is picked up), else rollout search;
``--player`` forces one kind. The window is imported only here, lazily, so the
terminal game and the other commands never load pygame. Without a display the
window cannot open, and the terminal game is played instead, with a note.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from arena.player_spec import make_player
from cli.players import add_player_arguments, bot_spec, check_player_choice, model_board_size, options_spec
from cli.text_game import TextGame
from engine.coords import MAX_SIZE, MIN_SIZE
from engine.game import BLACK, WHITE
from engine.handicap import handicap_game

COLORS = {"black": BLACK, "white": WHITE}
MODELS_DIR = Path(__file__).resolve().parent.parent / "models"  # the shipped networks, next to the packages


SEED_LIMIT = 2**32  # fits the bot's RNG seeding and is short enough to type back


def add_parser(subparsers) -> None:
    """Register ``play`` and its options on the ``dosaku`` subcommand parsers."""
    parser = subparsers.add_parser(
        "play",
        help="play against the bot in a window (--text: in the terminal)",
        description="Play a game against the bot in a window, or in the terminal with --text.",
    )
    parser.add_argument("--text", action="store_true", help="play in the terminal instead of a window")
    parser.add_argument("--size", type=board_size, default=None,
                        help=f"board size, {MIN_SIZE}..{MAX_SIZE} (default: the model's, else 9)")  # fmt: skip
    parser.add_argument("--komi", type=komi_value, default=7.5, help="komi for white (default 7.5)")
    parser.add_argument(
        "--color", type=str.lower, choices=sorted(COLORS), default="black", help="your colour (default black)"
    )
    parser.add_argument("--handicap", type=int, default=0, metavar="H",
                        help="fixed handicap stones for black (2-9 on boards from 7x7; default none)")  # fmt: skip
    add_player_arguments(parser, default_player="mcts")
    parser.add_argument(
        "--seed", type=seed_value, default=None, help="the bot's random seed (default: from the clock, printed)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Play in the window (or the terminal with --text); return the exit code."""
    if not args.text:
        from gui.app import WindowUnavailable

        try:
            return run_window(args)
        except WindowUnavailable as err:
            print(f"note: the game window cannot open ({err}); playing in the terminal (--text).", file=sys.stderr)
    return run_text(args)


def run_text(args: argparse.Namespace) -> int:
    """Play one game in the terminal; return the exit code."""
    # GameState checks komi against the board size; its ValueError becomes cli.main's one-line error.
    size = resolve_size(args.size, args.model)
    game = handicap_game(size, args.komi, args.handicap)
    seed = args.seed if args.seed is not None else time.time_ns() % SEED_LIMIT
    bot = make_player(options_spec(args), seed, backend=args.backend)
    print(f"Seed {seed} (replay this game with --seed {seed}).")
    return TextGame(game, bot, COLORS[args.color], sys.stdin, sys.stdout).run()


def run_window(args: argparse.Namespace) -> int:
    """Open the window and play until it is closed; WindowUnavailable without a display."""
    from gui.app import App
    from gui.settings import GameSettings

    size = resolve_size(args.size, args.model)
    settings = GameSettings(size, COLORS[args.color], args.komi, args.handicap, args.sims)
    seed = args.seed if args.seed is not None else time.time_ns() % SEED_LIMIT
    bots = WindowBots(args.player, args.model, args.playouts, seed, backend=args.backend,
                      score_utility=args.score_utility)  # fmt: skip
    app = App(settings, bots.opponent)  # first, so that a terminal fallback prints the seed once
    print(f"Seed {seed} (replay this game with --seed {seed}).")
    app.run()
    return 0


# --- the window's bots ---------------------------------------------------------


def shipped_model(size: int, models_dir: Path = MODELS_DIR) -> Path | None:
    """The shipped network for ``size`` x ``size`` (``models/{N}x{N}.pt``), None if there is none yet."""
    path = models_dir / f"{size}x{size}.pt"
    return path if path.is_file() else None


class WindowBots:
    """The window's bot for each game's settings (see the module docstring for the choice)."""

    def __init__(self, player: str | None, model: str | None, playouts: int, seed: int,
                 models_dir: Path = MODELS_DIR, backend: str = "auto", score_utility: float = 0.0):  # fmt: skip
        check_player_choice(player, model)
        self.player, self.model, self.playouts, self.seed = player, model, playouts, seed
        self.backend, self.score_utility = backend, score_utility
        self.model_size = model_board_size(model)
        self.models_dir = models_dir

    def opponent(self, settings):
        """A ``gui.opponent.Opponent`` for a game of ``settings``; the player is built on its first move."""
        from gui.opponent import Opponent

        if self.player == "random":
            spec, description = bot_spec("random"), "random moves"
        else:
            model, why_not = self._network_for(settings.size)
            if model is not None:
                spec = bot_spec("net", str(model), settings.simulations, score_utility=self.score_utility)
                description = f"the network {model.name}, {spec.sims} simulations"
            else:
                spec = bot_spec("mcts", sims=settings.simulations, playouts=self.playouts)
                description = f"rollout search, {spec.sims} simulations" + (f" ({why_not})" if why_not else "")
        seed, backend = self.seed, self.backend
        return Opponent(description, lambda: make_player(spec, seed, backend=backend))

    def _network_for(self, size: int) -> tuple[Path | None, str]:
        """The network to play ``size`` with, or None and why there is none (empty: none was wanted)."""
        if self.player == "mcts":
            return None, ""
        if self.model and self.model_size == size:
            return Path(self.model), ""
        shipped = shipped_model(size, self.models_dir)
        if shipped is not None:
            return shipped, ""
        if self.model:
            return (
                None,
                f"{Path(self.model).name} plays {self.model_size}x{self.model_size}, none ships for {size}x{size}",
            )
        return None, f"no trained network for {size}x{size}"


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
