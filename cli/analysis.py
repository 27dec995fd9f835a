"""``dosaku analysis``: KataGo's JSON analysis engine on stdin/stdout, for KaTrain and
batch tools (``analysis/engine.py``). Example::

    dosaku analysis --model models/9x9.pt                 # 500 visits a query unless it says
    echo '{"id":"q1","moves":[["B","E5"]],"boardXSize":9,"boardYSize":9}' | dosaku analysis --model models/9x9.pt

Answers go to stdout only, one JSON line each; diagnostics to stderr.
"""

from __future__ import annotations

import argparse
import sys

from cli.players import add_backend_argument, bot_spec, non_negative_number, positive_count


def add_parser(subparsers) -> None:
    """Register ``analysis`` and its options."""
    parser = subparsers.add_parser(
        "analysis",
        help="KataGo's JSON analysis engine on stdin/stdout (for KaTrain and batch analysis)",
        description="Answer KataGo analysis-engine queries (one JSON object per line) until end of input.",
    )
    parser.add_argument("--model", default=None,
                        help="checkpoint of a trained network (without one: rollout search, said on stderr)")  # fmt: skip
    parser.add_argument("--max-visits", type=positive_count, default=500,
                        help="visits of a query that names no maxVisits (default 500)")  # fmt: skip
    parser.add_argument("--games", type=positive_count, default=16,
                        help="positions searched at once in one batch (default 16)")  # fmt: skip
    parser.add_argument("--report-as", type=str.upper, choices=("BLACK", "WHITE", "SIDETOMOVE"), default="BLACK",
                        help="whose view winrates, scores and ownership take (KataGo's reportAnalysisWinratesAs; "
                             "default BLACK, as KaTrain expects)")  # fmt: skip
    parser.add_argument("--playouts", type=positive_count, default=1, help="random playouts per leaf without --model")
    parser.add_argument("--score-utility", type=non_negative_number, default=0.0, metavar="W",
                        help="weight of the score in the search (needs a score head; default 0: off)")  # fmt: skip
    parser.add_argument("--threads", type=positive_count, default=1, help="threads of the network (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the search")
    add_backend_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve the analysis engine on the process's stdin/stdout; return the exit status."""
    # Imported here so `dosaku --help` does not load the engine's kernels or torch.
    from analysis.engine import AnalysisEngine
    from arena.player_spec import make_player

    spec = bot_spec("net" if args.model else "mcts", args.model, args.max_visits, args.playouts, args.score_utility)
    player = make_player(spec, args.seed, backend=args.backend, threads=args.threads)
    if not args.model:
        print("dosaku analysis: no --model: rollout search (random playouts, no network), no score or ownership",
              file=sys.stderr)  # fmt: skip

    def write(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    engine = AnalysisEngine(player.evaluator, player.config, write, games=args.games,
                            default_visits=args.max_visits, report_as=args.report_as)  # fmt: skip
    return engine.serve(sys.stdin)
