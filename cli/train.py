"""``dosaku train``: a self-play training run, on this machine or a Ray cluster."""

from __future__ import annotations


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "train",
        help="self-play training run (resumable; local Ray or a cluster)",
        description="Self-play workers feed a synchronous data-parallel trainer. Without --address Ray "
        "starts on this machine; with one (auto, or ray://host:port) the run joins that cluster, "
        "whose nodes must share the run directory.",
    )
    parser.add_argument("--config", help="TOML config (configs/5x5.toml, 7x7, 9x9); defaults otherwise")
    parser.add_argument("--run-dir", default=None, help="run directory (default runs/<config name>)")
    parser.add_argument("--address", default=None, help="Ray cluster to join: auto or ray://host:port")
    parser.add_argument("--workers", type=int, default=None, help="self-play workers (overrides the config)")
    parser.add_argument("--trainers", type=int, default=None, help="data-parallel trainers (overrides the config)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir from its last checkpoint")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set training.steps=2000 (repeatable)")  # fmt: skip
    parser.add_argument("--minutes", type=float, default=None, help="stop after this many minutes (then --resume)")
    parser.add_argument("--no-progress", action="store_true", help="no live progress line (logs only)")
    parser.set_defaults(run=run)


def run(args) -> int:
    from pathlib import Path

    from selfplay.run import RunStopped, train

    for name in ("workers", "trainers"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise ValueError(f"--{name} must be at least 1")
    if args.minutes is not None and args.minutes <= 0:
        raise ValueError("--minutes must be positive")
    run_dir = args.run_dir or str(Path("runs") / (Path(args.config).stem if args.config else "default"))
    try:
        return train(args.config, run_dir, args.address, args.workers, args.trainers, args.resume, args.overrides,
                     progress=not args.no_progress, max_minutes=args.minutes)  # fmt: skip
    except RunStopped as err:
        raise OSError(str(err)) from None
