"""``dosaku``: one command, one subcommand per job; each subcommand lives in its own module."""

from __future__ import annotations

import argparse
import sys

from cli import analysis, arena, bench, campaign, experiment, gtp, match, play, plot, train

SUBCOMMANDS = (play, gtp, analysis, train, plot, match, arena, experiment, campaign, bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dosaku",
        description="Dosaku: a self-play Go engine. Play it, train it, measure it.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except (ValueError, OSError) as err:
        # Bad input or a file problem: one line, no traceback.
        print(f"dosaku {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
