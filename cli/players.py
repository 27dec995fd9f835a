"""The bots a person or a GTP controller can face, and their shared command-line options.

``random``: uniformly random legal moves. ``mcts``: tree search with random
playouts at the leaves (no network). ``net``: tree search guided by a trained
network, chosen by ``--model PATH`` (which implies it).
"""

from __future__ import annotations

import argparse

from arena.player_spec import MCTS_DEFAULT_SIMS, NET_DEFAULT_SIMS, RANDOM, PlayerSpec, make_player, search_spec
from mcts.players import MCTSPlayer, ResignRule

DEFAULT_RESIGN_WINRATE = 0.05
TREE_MEMORY = 64 * 2**20  # bytes a timed search's tree may take (about 100,000 nodes on 9x9)


def bot_spec(kind: str, model: str | None = None, sims: int | None = None, playouts: int = 1,
             score_utility: float = 0.0) -> PlayerSpec:  # fmt: skip
    """The ``random``, ``mcts`` or ``net`` bot (the network of checkpoint ``model``) that a
    person or a GTP controller faces, for ``arena.player_spec.make_player``; ``sims`` None
    keeps the kind's default. It always plays its most visited move (no opening drawn
    by visits): varied openings are for matches between bots."""
    if kind == "net":
        return search_spec("net", "dosaku-net", path=model, sims=sims, opening=0, score_utility=score_utility)
    if kind == "mcts":
        return search_spec("mcts", "mcts", sims=sims, playouts=playouts)
    return RANDOM


BACKENDS = ("auto", "torch", "openvino")  # nets.evaluator.BACKENDS, without importing torch to parse arguments


def add_backend_argument(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """``--backend``: what runs a network (the CPU's OpenVINO, or torch)."""
    help = help or "what runs the network: openvino (CPU), torch, or auto (OpenVINO on a CPU where it runs, else torch)"
    parser.add_argument("--backend", type=str.lower, choices=BACKENDS, default="auto", help=f"{help}; default auto")


PLAYERS = ("random", "mcts", "net")


def add_player_arguments(parser: argparse.ArgumentParser, default_player: str) -> None:
    parser.add_argument("--player", type=str.lower, choices=PLAYERS, default=None,
                        help=f"the bot: random, mcts (rollout search) or net (needs --model); default {default_player}")  # fmt: skip
    parser.add_argument("--model", default=None, help="checkpoint of a trained network (plays as --player net)")
    parser.add_argument("--sims", type=positive_count, default=None,
                        help=f"simulations per move (default {MCTS_DEFAULT_SIMS} for mcts, {NET_DEFAULT_SIMS} for net)")  # fmt: skip
    parser.add_argument("--playouts", type=positive_count, default=1,
                        help="random playouts per leaf of the mcts bot (default 1)")  # fmt: skip
    parser.add_argument("--score-utility", type=non_negative_number, default=0.0, metavar="W",
                        help="weight of the score in the net bot's search (KataGo's score utility, 0.1 there; "
                             "needs a network with a score head; default 0: off)")  # fmt: skip
    add_backend_argument(parser)
    parser.set_defaults(default_player=default_player)


def options_spec(args: argparse.Namespace) -> PlayerSpec:
    """The bot the options describe (``bot_spec``); ValueError (one line) for a bad combination."""
    check_player_choice(args.player, args.model)
    kind = args.player or ("net" if args.model else args.default_player)
    return bot_spec(kind, args.model, args.sims, args.playouts, args.score_utility)


def check_player_choice(player: str | None, model: str | None) -> None:
    """ValueError (one line) when ``--player`` and ``--model`` contradict each other."""
    if player == "net" and not model:
        raise ValueError("--player net needs --model PATH")
    if model and player not in (None, "net"):
        raise ValueError(f"--model is for the net player, not {player}")


def model_board_size(model: str | None) -> int | None:
    """The board size a checkpoint was trained for (None without a model)."""
    if not model:
        return None
    from nets.checkpoint import load_checkpoint

    return load_checkpoint(model).board_size


def whole_number(text: str, minimum: int) -> int:
    """``text`` as a whole number of at least ``minimum``; argparse's one-line error otherwise."""
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if count < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {count}")
    return count


def positive_count(text: str) -> int:
    """A whole number of at least 1 (simulations, playouts, games)."""
    return whole_number(text, 1)


def add_search_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of a searching bot that plays on a clock (``dosaku gtp``)."""
    parser.add_argument("--time-per-move", type=positive_seconds, default=None, metavar="S",
                        help="think about S seconds a move (with --sims: at most N simulations); "
                             "a controller's clock (time_settings) can only shorten it")  # fmt: skip
    parser.add_argument("--resign-threshold", type=float, default=DEFAULT_RESIGN_WINRATE, metavar="WINRATE",
                        help=f"resign when the winrate stays below this for {ResignRule.moves} moves in a row "
                             f"(never in the opening; default {DEFAULT_RESIGN_WINRATE}; 0 or less: never)")  # fmt: skip
    parser.add_argument("--threads", type=positive_count, default=1,
                        help="threads of the network (default 1: two collapse when another process "
                             "holds a core)")  # fmt: skip


def make_search_player(args: argparse.Namespace, seed: int, log=None):
    """The bot of the options for play on a clock (``dosaku gtp``), with the resign rule and
    room for a long search when it searches; without a model the search is rollouts, and
    ``log`` (stderr) is told so. Returns ``(player, time_manager)``."""
    import sys

    from gtp.time_control import TimeManager

    log = log if log is not None else sys.stderr
    player = make_player(options_spec(args), seed, backend=args.backend, threads=args.threads)
    if args.model:
        import torch

        torch.set_num_threads(args.threads)
    if isinstance(player, MCTSPlayer):
        if not args.model:
            print(f"dosaku: no --model: playing with rollout search (random playouts, no network), "
                  f"{player.config.simulations} simulations a move", file=log)  # fmt: skip
        player.resign = ResignRule(winrate=args.resign_threshold)
        player.node_memory = TREE_MEMORY
    # Under a clock --sims is a ceiling; with --time-per-move alone the time decides.
    timing = TimeManager(time_per_move=args.time_per_move, max_simulations=args.sims)
    return player, timing


def non_negative_number(text: str) -> float:
    """A finite number of at least 0."""
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= number < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return number


def positive_seconds(text: str) -> float:
    """A number of seconds above 0."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not seconds > 0 or seconds == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return seconds
