"""``dosaku bench WHAT``: measure speed; prints a table, then one JSON line of named figures."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from cli.players import add_backend_argument


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="measure speed (last line: one JSON object)")
    targets = parser.add_subparsers(dest="target", metavar="WHAT", required=True)
    engine = targets.add_parser("engine", help="rules: random playouts, moves, legal masks, copies (one core)")
    engine.add_argument("--size", type=int, default=9, help="board size (default 9)")
    engine.add_argument("--seconds", type=float, default=3.0, help="time spent on the playout figure (default 3)")
    engine.add_argument("--seed", type=int, default=0)
    engine.set_defaults(run=run_engine)
    mcts = targets.add_parser(
        "mcts", help="search: simulations/s with a uniform evaluator (PUCT, Gumbel) and of rollout search (one core)"
    )
    mcts.add_argument("--size", type=int, default=9, help="board size (default 9)")
    mcts.add_argument("--games", type=int, default=64, help="games searched at once (default 64)")
    mcts.add_argument("--sims", type=int, default=800, help="simulations per move of the batched search (default 800)")
    mcts.add_argument(
        "--rollout-sims", type=int, default=1000, help="simulations per move of the rollout player (default 1000)"
    )
    mcts.add_argument(
        "--playouts", type=int, default=1, help="random playouts per leaf of the rollout player (default 1)"
    )
    mcts.add_argument("--seconds", type=float, default=3.0, help="CPU seconds spent on each figure (default 3)")
    mcts.add_argument("--seed", type=int, default=0)
    add_features_argument(mcts, "input feature version the leaves are written in")
    mcts.set_defaults(run=run_mcts)
    add_net_parser(targets)
    add_selfplay_parser(targets)


def run_engine(args) -> int:
    from engine.benchmark import benchmark_engine
    from engine.coords import check_size

    check_size(args.size)
    if not args.seconds > 0:
        raise ValueError(f"--seconds must be positive, got {args.seconds}")
    figures = benchmark_engine(args.size, args.seconds, args.seed)
    report(f"engine, {args.size}x{args.size}, one core", figures)
    return 0


def run_mcts(args) -> int:
    from engine.coords import check_size
    from mcts.benchmark import benchmark_mcts

    check_size(args.size)
    if not args.seconds > 0:
        raise ValueError(f"--seconds must be positive, got {args.seconds}")
    for name in ("games", "sims", "rollout_sims", "playouts"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    figures = benchmark_mcts(
        args.size, args.games, args.sims, args.seconds, args.rollout_sims, args.playouts, args.seed, args.features
    )
    report(f"mcts, {args.size}x{args.size}, {args.games} games x {args.sims} simulations, one core", figures)
    return 0


def add_features_argument(parser, what: str) -> None:
    """``--features``: the input feature version (``engine.features``: 1 AlphaGo Zero's, 2 KataGo-style)."""
    parser.add_argument("--features", type=int, choices=(1, 2), default=1,
                        help=f"{what}: 1 (AlphaGo Zero's 17 planes) or 2 (KataGo-style); default 1")  # fmt: skip


def report(title: str, figures: dict) -> None:
    """A table for people, then the JSON line for machines (always the last line)."""
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:,}" if isinstance(value, (int, float)) else str(value))
    Console(stderr=False).print(table)
    print(json.dumps(figures), flush=True)


def add_net_parser(targets) -> None:
    net = targets.add_parser("net", help="network: evaluations/s by batch and mode, training samples/s")
    net.add_argument("--size", type=int, default=9, help="board size (default 9)")
    net.add_argument("--blocks", type=int, default=6, help="residual blocks (default 6)")
    net.add_argument("--channels", type=int, default=64, help="channels (default 64)")
    net.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1, as self-play workers)")
    net.add_argument("--seconds", type=float, default=1.0, help="seconds behind each figure (default 1)")
    net.add_argument("--seed", type=int, default=0)
    add_features_argument(net, "the network's input feature version")
    add_backend_argument(net, "what to measure: auto (every backend here), torch or openvino")
    net.set_defaults(run=run_net)


def run_net(args) -> int:
    from engine.coords import check_size
    from nets.benchmark import benchmark_net

    check_size(args.size)
    if not args.seconds > 0:
        raise ValueError(f"--seconds must be positive, got {args.seconds}")
    for name in ("blocks", "channels", "threads"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name} must be at least 1, got {getattr(args, name)}")
    figures = benchmark_net(args.size, args.blocks, args.channels, args.threads, args.seconds, seed=args.seed,
                            backend=args.backend, features=args.features)  # fmt: skip
    title = f"net, {args.blocks} blocks x {args.channels} channels, {args.size}x{args.size}, {args.threads} thread(s)"
    report(title, figures)
    return 0


def add_selfplay_parser(targets) -> None:
    selfplay = targets.add_parser(
        "selfplay", help="learning loop: self-play positions/s with 1 and 2 workers, trainer samples/s with 1 and 2"
    )
    selfplay.add_argument("--size", type=int, default=9, help="board size (default 9)")
    selfplay.add_argument("--blocks", type=int, default=6, help="residual blocks (default 6)")
    selfplay.add_argument("--channels", type=int, default=64, help="channels (default 64)")
    selfplay.add_argument("--sims", type=int, default=100, help="simulations a move (default 100)")
    selfplay.add_argument("--games", type=int, default=32, help="games per worker (default 32)")
    selfplay.add_argument("--seconds", type=float, default=20.0, help="seconds per self-play figure (default 20)")
    add_features_argument(selfplay, "the network's input feature version")
    add_backend_argument(selfplay)
    selfplay.set_defaults(run=run_selfplay)


def run_selfplay(args) -> int:
    from engine.coords import check_size
    from selfplay.benchmark import benchmark_selfplay

    check_size(args.size)
    for name in ("blocks", "channels", "sims", "games"):
        if getattr(args, name) < 1:
            raise ValueError(f"--{name} must be at least 1")
    if not args.seconds > 0:
        raise ValueError(f"--seconds must be positive, got {args.seconds}")
    figures = benchmark_selfplay(args.size, args.blocks, args.channels, args.sims, args.games, args.seconds,
                                 backend=args.backend, features=args.features)  # fmt: skip
    title = f"self-play, {args.size}x{args.size}, {args.blocks}x{args.channels} net, {args.sims} sims, {figures['backend']}"
    report(title, figures)
    return 0
