"""``dosaku match A B``: a match between two players, colours alternating (A black first).

Players are spelled::

    random                              uniformly random legal moves
    mcts                                rollout search, 1000 simulations a move
    mcts:sims=200,playouts=4            rollout search with settings
    net:models/7x7.pt,sims=200          search guided by a trained network
    gtp:"/usr/games/gnugo --mode gtp --level 1 --chinese-rules --capture-all-dead"

Prints one line per game, then one summary line. Example::

    dosaku match mcts:sims=1000 random --games 10 --size 9 --komi 7.5
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time

from cli.play import board_size, komi_value
from cli.players import positive_count

MCTS_SETTINGS = {"sims": 1000, "playouts": 1}


def add_parser(subparsers) -> None:
    """Register ``match`` and its options."""
    parser = subparsers.add_parser(
        "match",
        help="play a match between two players (random, mcts:sims=N, gtp:COMMAND)",
        description="Play games between A and B, A black in the first game, colours alternating.",
    )
    parser.add_argument(
        "a", metavar="A", help="first player: random, mcts[:sims=N,playouts=P], net:PATH[,sims=N] or gtp:COMMAND"
    )
    parser.add_argument("b", metavar="B", help="second player, spelled the same way")
    parser.add_argument("--games", type=positive_count, default=2, help="games to play (default 2)")
    parser.add_argument("--size", type=board_size, default=9, help="board size (default 9)")
    parser.add_argument("--komi", type=komi_value, default=7.5, help="komi for white (default 7.5)")
    parser.add_argument("--max-moves", type=int, default=None, help="move cap per game (default 3 N^2, 0: none)")
    parser.add_argument("--seed", type=int, default=0, help="seed of A; B gets seed + 1")
    parser.set_defaults(run=run)


def make_player(spec: str, seed: int):
    """A player from its spelling (see the module docstring); ValueError if it is not one."""
    kind, _, rest = spec.partition(":")
    if kind == "random" and not rest:
        from mcts.players import RandomPlayer

        return RandomPlayer(seed)
    if kind == "mcts":
        from cli.players import rollout_player

        settings = _mcts_settings(rest)
        player = rollout_player(seed, settings["sims"], settings["playouts"])
        player.name = spec
        return player
    if kind == "net" and rest.strip():
        from cli.players import NET_DEFAULT_SIMS, network_player

        path, _, options = rest.partition(",")
        settings = _mcts_settings(options, {"sims": NET_DEFAULT_SIMS})
        player = network_player(path, seed, settings["sims"])
        player.name = spec
        return player
    if kind == "gtp" and rest.strip():
        from arena.gtp_player import GTPPlayer

        command = shlex.split(rest)
        # Named by its program and arguments, without the program's directory, to keep lines short.
        return GTPPlayer(command, name=shlex.join([os.path.basename(command[0]), *command[1:]]))
    raise ValueError(
        f"unknown player {spec!r} (expected random, mcts[:sims=N,playouts=P], net:PATH[,sims=N] or gtp:COMMAND)"
    )


def _mcts_settings(text: str, defaults: dict[str, int] = MCTS_SETTINGS) -> dict[str, int]:
    """``sims=200,playouts=4`` -> settings over the defaults; every value at least 1."""
    settings = dict(defaults)
    for item in filter(None, text.split(",")):
        key, _, value = item.partition("=")
        if key not in settings or not value.isdigit() or int(value) < 1:
            raise ValueError(f"bad setting {item!r} (expected {' or '.join(f'{k}=N' for k in settings)}, N >= 1)")
        settings[key] = int(value)
    return settings


def run(args: argparse.Namespace) -> int:
    """Play the match, printing each game as it ends; return the exit status."""
    from arena.gtp_client import GTPError
    from arena.match import IllegalPlayerMoveError

    try:
        return _play(args)
    except (GTPError, IllegalPlayerMoveError) as err:
        # A broken engine or player: one line, as cli.main prints bad input.
        print(f"dosaku match: error: {err}", file=sys.stderr)
        return 1


def _play(args: argparse.Namespace) -> int:
    from arena.match import play_match

    players = []
    try:
        players.append(make_player(args.a, args.seed))
        players.append(make_player(args.b, args.seed + 1))
        start = time.monotonic()

        def progress(record, match):
            print(
                f"game {record.number + 1}/{args.games}: {record.black} (B) vs {record.white} (W): "
                f"{record.result} in {record.moves} moves | {match.name_a} {match.wins_a}, "
                f"{match.name_b} {match.wins_b}, draws {match.draws} | {time.monotonic() - start:.0f} s",
                flush=True,
            )

        match = play_match(*players, args.games, args.size, args.komi, args.max_moves, on_game=progress)
    finally:
        for player in players:
            getattr(player, "close", lambda: None)()
    summary = match.summary()
    print(
        f"{summary['a']} {summary['wins_a']} - {summary['wins_b']} {summary['b']}, draws {summary['draws']}, "
        f"{summary['games']} games on {args.size}x{args.size}, komi {args.komi:g} "
        f"(black won {summary['black_wins']}, resignations {summary['resignations']})",
        flush=True,
    )
    return 0
