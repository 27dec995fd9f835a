"""``dosaku plot RUN_DIR``: the run's evaluation results and losses as a PNG."""

from __future__ import annotations


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("plot", help="plot a training run's evaluations and losses to a PNG")
    parser.add_argument("run_dir", help="run directory (holds metrics.csv)")
    parser.add_argument("--out", default=None, help="PNG path (default RUN_DIR/progress.png)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from selfplay.plot import plot_run

    path = plot_run(args.run_dir, args.out)
    print(f"wrote {path}")
    return 0
