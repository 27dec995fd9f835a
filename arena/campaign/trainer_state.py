"""The trainer's state in the repository, and a run directory made from it.

``campaign/9x9/trainer.pt`` is the run's latest checkpoint, byte for byte: the
network that plays (the weight average), the raw training weights, the
optimizer's momentum, the step (which the learning-rate and simulation
schedules read) and the config, about 3 MB. ``campaign/9x9/games.npz`` is one
game shard (``selfplay/records.py``) of the newest self-play games, as many as
hold the buffer's ``min_window`` recorded positions (20,000 on 9x9: about 700
games, 2.5 MB merged into one shard). With it a run seeded on a fresh clone
trains from the start on a window of the size the buffer never goes below, as the
run it continues did, instead of on the first few dozen games of one network
(the README says what it costs).

Seeding writes a new run directory (``dosaku train --resume`` reads it): the
campaign's config, ``trainer.pt`` as its checkpoint at its step, and the slice
as its first shard. The trainer then counts the slice as drawn up to the buffer's
ratio (``selfplay.buffer.resumed_samples_drawn``), so it goes on at that ratio on the
new games.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.files import atomic_write_bytes
from nets.checkpoint import load_checkpoint
from selfplay.records import read_shard, write_shard
from selfplay.run_config import RunConfig, load_run_config, toml_text
from selfplay.run_dir import RunDirectory

TRAINER_FILE = "trainer.pt"
CONFIG_FILE = "config.toml"
SLICE_FILE = "games.npz"
SLICE_SHARD = "0000000000000000000-campaign-slice.npz"  # shard names sort by time: the slice comes first


def campaign_config(directory: Path) -> RunConfig:
    """The campaign's training config; ValueError (one line) when it is missing or bad."""
    path = directory / CONFIG_FILE
    if not path.exists():
        raise ValueError(f"{path} does not exist: a campaign directory holds its training config")
    return load_run_config(path)


def trainer_step(directory: Path, size: int | None) -> int | None:
    """The step of the campaign's trainer state (None when there is none); ValueError for another board."""
    path = directory / TRAINER_FILE
    if not path.exists():
        return None
    checkpoint = load_checkpoint(path)
    if size is not None and checkpoint.board_size != size:
        raise ValueError(f"{path} is a {checkpoint.board_size}x{checkpoint.board_size} trainer state but "
                         f"{directory / CONFIG_FILE} plays {size}x{size}")  # fmt: skip
    return checkpoint.step


def latest_step(run_dir: Path) -> int | None:
    """The step of the run directory's newest checkpoint; None without a run there."""
    run = RunDirectory(run_dir)
    steps = run.checkpoint_steps() if run.exists() else []
    return steps[-1] if steps else None


def seed_run_dir(directory: Path, run_dir: Path, config: RunConfig, say) -> int:
    """Make ``run_dir`` a run at the trainer state's step (see the module docstring); return its games."""
    run = RunDirectory(run_dir)
    if run.root.exists():
        aside = run.root.with_name(f"{run.root.name}.behind-step-{latest_step(run_dir) or 0}")
        shutil.rmtree(aside, ignore_errors=True)
        run.root.rename(aside)
        say(f"{run_dir} is behind the campaign's trainer state: moved to {aside}")
    run.create(toml_text(config))
    checkpoint = load_checkpoint(directory / TRAINER_FILE)
    atomic_write_bytes(run.checkpoint_path(checkpoint.step), (directory / TRAINER_FILE).read_bytes())
    games = 0
    if (directory / SLICE_FILE).exists():
        shutil.copyfile(directory / SLICE_FILE, run.games / SLICE_SHARD)
        games = len(read_shard(run.games / SLICE_SHARD))
    run.log(f"seeded from {directory / TRAINER_FILE} (step {checkpoint.step})"
            + (f" and the {games} games of its slice" if games else ", no game slice"))  # fmt: skip
    say(f"seeded {run_dir} from {directory / TRAINER_FILE} at step {checkpoint.step}"
        + (f" with the {games} newest games ({directory / SLICE_FILE})" if games else " (no game slice)"))  # fmt: skip
    return games


def save_trainer_state(directory: Path, checkpoint: Path, run_dir: Path, window: int) -> tuple[int, int]:
    """Write ``trainer.pt`` (a copy of ``checkpoint``) and the slice of the newest games that hold ``window``
    recorded positions; return the slice's games and bytes."""
    atomic_write_bytes(directory / TRAINER_FILE, Path(checkpoint).read_bytes())
    games, positions = [], 0
    for path in reversed(RunDirectory(run_dir).shard_paths()):
        shard = read_shard(path)
        games[:0] = shard
        positions += sum(int(game.recorded.sum()) for game in shard)
        if positions >= window:
            break
    while len(games) > 1 and positions - int(games[0].recorded.sum()) >= window:  # no more than the window
        positions -= int(games.pop(0).recorded.sum())
    if not games:
        return 0, 0
    write_shard(directory / SLICE_FILE, games)
    return len(games), (directory / SLICE_FILE).stat().st_size
