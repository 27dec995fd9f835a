"""``dosaku match A B``: a match between two players, colours alternating (A black first).

Players are spelled::

    random                              uniformly random legal moves
    mcts                                rollout search, 1000 simulations a move
    mcts:sims=200,playouts=4            rollout search with settings
    models/7x7.pt:sims=200              search guided by a trained network (or net:models/7x7.pt,sims=200)
    gtp:"/usr/games/gnugo --mode gtp --level 1"

(see ``arena/player_spec.py``; GNU Go gets the rule flags Dosaku's scoring needs).

Prints one line per game, then one summary line. Example::

    dosaku match mcts:sims=1000 random --games 10 --size 9 --komi 7.5
"""

from __future__ import annotations

import argparse
import sys
import time

from cli.play import board_size, komi_value
from cli.players import add_backend_argument, positive_count


def add_parser(subparsers) -> None:
    """Register ``match`` and its options."""
    parser = subparsers.add_parser(
        "match",
        help="play a match between two players (random, mcts:sims=N, gtp:COMMAND)",
        description="Play games between A and B, A black in the first game, colours alternating.",
    )
    parser.add_argument(
        "a", metavar="A", help="first player: random, mcts[:sims=N,playouts=P], PATH.pt[:sims=N] or gtp:COMMAND"
    )
    parser.add_argument("b", metavar="B", help="second player, spelled the same way")
    parser.add_argument("--games", type=positive_count, default=2, help="games to play (default 2)")
    parser.add_argument("--size", type=board_size, default=9, help="board size (default 9)")
    parser.add_argument("--komi", type=komi_value, default=7.5, help="komi for white (default 7.5)")
    parser.add_argument("--max-moves", type=int, default=None, help="move cap per game (default 3 N^2, 0: none)")
    parser.add_argument("--seed", type=int, default=0, help="seed of A; B gets seed + 1")
    add_backend_argument(parser)
    parser.set_defaults(run=run)


def announce_added_flags(spec, command: str) -> None:
    """Say on stderr, once per player, which rule flags were added to a GNU Go command line."""
    if spec.added_flags:
        print(
            f"dosaku {command}: note: added {' '.join(spec.added_flags)} to {spec.name!r} "
            "(Tromp-Taylor scoring and positional superko, as Dosaku's referee)",
            file=sys.stderr,
        )


def run(args: argparse.Namespace) -> int:
    """Play the match, printing each game as it ends; return the exit status."""
    from arena.match import IllegalPlayerMoveError
    from gtp.client import GTPClientError

    try:
        return _play(args)
    except (GTPClientError, IllegalPlayerMoveError) as err:
        # A broken engine or player: one line, as cli.main prints bad input.
        print(f"dosaku match: error: {err}", file=sys.stderr)
        return 1


def _play(args: argparse.Namespace) -> int:
    from arena.match import play_match
    from arena.player_spec import make_player, parse_player_spec

    players = []
    try:
        for text, seed in ((args.a, args.seed), (args.b, args.seed + 1)):
            spec = parse_player_spec(text)  # ValueError, one line, if it spells no player
            announce_added_flags(spec, "match")
            players.append(make_player(spec, seed, args.size, backend=args.backend))
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
