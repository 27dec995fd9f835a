"""``dosaku arena``: tournaments with Elo ratings, and gating of a new player against an old one.

Tournament::

    dosaku arena PLAYER PLAYER ... [--games N] [--size 9] [--komi 7.5]
                 [--format round-robin|gauntlet] [--out DIR] [--parallel P] [--resume] [--anchor NAME]

Gate (exit status 0 when NEW passes, 1 when it fails or the test is undecided)::

    dosaku arena gate NEW OLD [--threshold 0.55] [--max-games 400]

Players are spelled as for ``dosaku match`` (``arena/player_spec.py``): ``random``,
``mcts:sims=1000``, ``models/9x9.pt:sims=400``, ``gtp:"gnugo --mode gtp --level 10"``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.match import announce_added_flags
from cli.play import board_size, komi_value
from cli.players import add_backend_argument, positive_count

DEFAULT_GAMES = 10
DEFAULT_OUT = "runs/arena"
GATE_DEFAULTS = {"threshold": 0.55, "max_games": 400, "alpha": 0.05, "beta": 0.05}
PIPED_WIDTH = 140


def add_parser(subparsers) -> None:
    """Register ``arena`` and its options."""
    parser = subparsers.add_parser(
        "arena",
        help="tournaments with Elo ratings (PLAYER PLAYER ...), or gating (gate NEW OLD)",
        description=(
            "Play a tournament between the players (every game saved as SGF, results kept as they finish, "
            "Elo ratings with 95%% intervals at the end), or with 'gate NEW OLD' decide by a sequential "
            "test whether NEW beats OLD by the threshold (exit status 0: it does; 1: it fails or is undecided)."
        ),
    )
    parser.add_argument("players", nargs="+", metavar="PLAYER",
                        help="random, mcts[:sims=N,playouts=P], PATH.pt[:sims=N], gtp:COMMAND; or: gate NEW OLD")  # fmt: skip
    parser.add_argument("--games", type=positive_count, default=DEFAULT_GAMES,
                        help=f"games per pairing (default {DEFAULT_GAMES})")  # fmt: skip
    parser.add_argument("--size", type=board_size, default=9, help="board size (default 9)")
    parser.add_argument("--komi", type=komi_value, default=7.5, help="komi for white (default 7.5)")
    parser.add_argument("--format", choices=("round-robin", "gauntlet"), default="round-robin",
                        help="round-robin: everyone meets everyone; gauntlet: the first player meets each other")  # fmt: skip
    parser.add_argument("--out", default=None,
                        help=f"directory for results.json, SGFs, ratings and elo.png (default {DEFAULT_OUT}; "
                             "gate: none unless given)")  # fmt: skip
    parser.add_argument("--parallel", type=positive_count, default=None,
                        help="games at once, as Ray tasks (default: one per core; 1 plays in this process)")  # fmt: skip
    parser.add_argument("--resume", action="store_true", help="go on with the games missing from OUT/results.json")
    parser.add_argument("--anchor", default=None, help="the player rated 0 (default random, else the first)")
    parser.add_argument("--max-moves", type=int, default=None, help="move cap per game (default 3 N^2, 0: none)")
    parser.add_argument("--seed", type=int, default=0, help="mixed into every game's seeds (default 0)")
    parser.add_argument("--address", default=None, help="Ray cluster to run the games on (default: a local Ray)")
    add_backend_argument(parser)
    gate = parser.add_argument_group("gate NEW OLD")
    gate.add_argument("--threshold", type=float, default=GATE_DEFAULTS["threshold"],
                      help="score NEW must reach against OLD (H1 of the SPRT; H0 is 0.5); default 0.55")  # fmt: skip
    gate.add_argument("--max-games", type=positive_count, default=GATE_DEFAULTS["max_games"],
                      help="games after which an open test is undecided (default 400)")  # fmt: skip
    gate.add_argument(
        "--alpha",
        type=float,
        default=GATE_DEFAULTS["alpha"],
        help="chance of passing a player no better (default 0.05)",
    )
    gate.add_argument("--beta", type=float, default=GATE_DEFAULTS["beta"],
                      help="chance of failing a player as good as the threshold (default 0.05)")  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """A tournament or a gate, as the first player word says; return the exit status."""
    from arena.player_spec import parse_player_spec
    from arena.tournament_runner import default_parallel

    gating = args.players[0] == "gate"
    texts = args.players[1:] if gating else args.players
    if gating and len(texts) != 2:
        raise ValueError(f"gate takes two players, NEW and OLD; got {len(texts)}")
    if not gating:
        given = [option for option, default in GATE_DEFAULTS.items() if getattr(args, option) != default]
        if given:
            raise ValueError(f"--{given[0].replace('_', '-')} is for 'dosaku arena gate NEW OLD', not tournaments")
    specs = [parse_player_spec(text) for text in texts]
    for spec in specs:
        announce_added_flags(spec, "arena")
    parallel = args.parallel or default_parallel()
    try:
        if gating:
            return _gate(args, specs, parallel)
        return _tournament(args, specs, parallel)
    except KeyboardInterrupt:
        if args.out or not gating:
            print(f"\ninterrupted: finished games are in {_out(args, gating)}; --resume goes on", file=sys.stderr)
        raise


def _out(args: argparse.Namespace, gating: bool) -> Path | None:
    if args.out is not None:
        return Path(args.out)
    return None if gating else Path(DEFAULT_OUT)


def _tournament(args: argparse.Namespace, specs, parallel: int) -> int:
    from arena.tournament import Tournament, resolve_anchor, run_tournament

    tournament = Tournament(tuple(specs), args.games, args.size, args.komi, args.format, args.max_moves, args.seed,
                            args.backend)  # fmt: skip
    anchor = resolve_anchor(args.anchor, specs)
    out = _out(args, gating=False)
    print(
        f"dosaku arena: {len(specs)} players, {args.format}, {len(tournament.pairings())} pairings x {args.games} "
        f"games on {args.size}x{args.size}, komi {args.komi:g}, {parallel} at once -> {out}",
        flush=True,
    )
    games = run_tournament(tournament, out, parallel, args.resume, on_game=_print_game, address=args.address)
    _report(tournament, games, anchor, out)
    return 0


def _print_game(outcome: dict, finished: int, total: int) -> None:
    width = len(str(total))
    head = f"[{finished:>{width}}/{total}] {outcome['black']} (B) vs {outcome['white']} (W): "
    if outcome["error"]:
        first_line = outcome["error"].strip().splitlines()[0]
        print(f"{head}ERROR by {outcome['error_by']}: {first_line}", flush=True)
    else:
        print(f"{head}{outcome['result']} in {outcome['moves']} moves ({outcome['seconds']:.1f} s)", flush=True)


def _report(tournament, games: list[dict], anchor: str, out: Path) -> None:
    """The ratings table on the terminal, ratings.json and elo.png in ``out``."""
    from arena.elo_plot import plot_elo
    from arena.player_spec import checkpoint_step
    from arena.tournament import RATINGS_FILE, save_ratings, tournament_ratings

    steps = {spec.name: checkpoint_step(spec) for spec in tournament.players}
    try:
        ratings = tournament_ratings(tournament.names, games, anchor)
    except ValueError as err:
        ratings = {}
        print(f"dosaku arena: no ratings: {err}", file=sys.stderr)
    print_ratings_table(tournament.names, ratings, games, anchor, steps)
    if ratings:
        save_ratings(out / RATINGS_FILE, ratings, anchor, steps)
        paths = {spec.name: spec.path for spec in tournament.players if spec.path}
        title = f"Dosaku arena: {tournament.size}x{tournament.size}, komi {tournament.komi:g}"
        plot = plot_elo(ratings, steps, paths, out / "elo.png", anchor, title)
        print(f"ratings: {out / RATINGS_FILE}  plot: {plot}  games: {out / 'games'}")


def print_ratings_table(names, ratings, games, anchor, steps) -> None:
    """A rich table, best first; players without a rating (no finished game) at the end."""
    from rich.console import Console
    from rich.table import Table

    from arena.tournament import record_of

    table = Table(title=f"Elo (maximum likelihood, 0 = {anchor}, 95% intervals)")
    for column, justify in (("#", "right"), ("player", "left"), ("Elo", "right"), ("95% interval", "right"),
                            ("games", "right"), ("score", "right"), ("W-D-L", "right"), ("errors", "right"),
                            ("step", "right")):  # fmt: skip
        table.add_column(column, justify=justify)
    ordered = sorted(names, key=lambda name: -ratings[name].elo if name in ratings else float("inf"))
    for rank, name in enumerate(ordered, start=1):
        tally = record_of(name, games)
        step = "" if steps.get(name) is None else str(steps[name])
        if name in ratings:
            r = ratings[name]
            cells = [f"{r.elo:+.0f}", f"[{r.low:+.0f}, {r.high:+.0f}]", str(r.games), f"{100 * r.score / r.games:.1f}%"]
        else:
            cells = ["-", "-", "0", "-"]
        record = f"{tally['wins']}-{tally['draws']}-{tally['losses']}"
        table.add_row(str(rank), name, *cells, record, str(tally["errors"]), step)
    console = Console()
    if not console.is_terminal:
        console = Console(width=PIPED_WIDTH)  # rich's 80 columns would fold the players' names
    console.print(table)


def _gate(args: argparse.Namespace, specs, parallel: int) -> int:
    from arena.gating import run_gate
    from arena.sprt import SPRT

    test = SPRT(p1=args.threshold, alpha=args.alpha, beta=args.beta, max_games=args.max_games)
    new, old = specs
    out = _out(args, gating=True)
    print(
        f"dosaku arena gate: {new.name} (NEW) vs {old.name} (OLD) on {args.size}x{args.size}, komi {args.komi:g}: "
        f"H0 score {test.p0:g}, H1 score {test.p1:g}, at most {test.max_games} games, {parallel} at once",
        flush=True,
    )

    def progress(outcome: dict, state) -> None:
        what = f"ERROR by {outcome['error_by']}" if outcome["error"] else outcome["result"]
        print(
            f"game {outcome['game'] + 1}: {outcome['black']} (B) vs {outcome['white']} (W): {what} | "
            f"NEW {state.points:g}/{state.games}, LLR {state.llr:+.2f}",
            flush=True,
        )

    result = run_gate(new, old, test, args.size, args.komi, parallel, out, args.resume, args.max_moves, args.seed,
                      on_game=progress, address=args.address, backend=args.backend)  # fmt: skip
    print(result.verdict(), flush=True)
    return 0 if result.passed else 1
