"""``dosaku bench WHAT``: measure speed; prints a table, then one JSON line of named figures."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="measure speed (last line: one JSON object)")
    targets = parser.add_subparsers(dest="target", metavar="WHAT", required=True)
    engine = targets.add_parser("engine", help="rules: random playouts, moves, legal masks, copies (one core)")
    engine.add_argument("--size", type=int, default=9, help="board size (default 9)")
    engine.add_argument("--seconds", type=float, default=3.0, help="time spent on the playout figure (default 3)")
    engine.add_argument("--seed", type=int, default=0)
    engine.set_defaults(run=run_engine)


def run_engine(args) -> int:
    from engine.benchmark import benchmark_engine
    from engine.coords import check_size

    check_size(args.size)
    if not args.seconds > 0:
        raise ValueError(f"--seconds must be positive, got {args.seconds}")
    figures = benchmark_engine(args.size, args.seconds, args.seed)
    report(f"engine, {args.size}x{args.size}, one core", figures)
    return 0


def report(title: str, figures: dict) -> None:
    """A table for people, then the JSON line for machines (always the last line)."""
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:,}" if isinstance(value, (int, float)) else str(value))
    Console(stderr=False).print(table)
    print(json.dumps(figures), flush=True)
