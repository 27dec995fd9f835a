"""The run directory: everything a run writes, and what ``--resume`` reads back.

```
runs/NAME/
  config.toml          the resolved config (resume reads it; --set may not change it)
  checkpoints/         step-00001000.pt ... (atomic; the last few and every Nth kept)
  evaluated/           second names (hard links) of the checkpoints that evaluations play
                       or will compare the next one with, which pruning must not take
  games/               shards of finished self-play games (.npz, atomic)
  sgf/                 the same games as SGF collections (one file per shard), for people
  metrics.csv          one row per report, columns by name
  tensorboard/         the same figures for TensorBoard
  log.txt              what happened, with times
```
"""

from __future__ import annotations

import os
import re
import shutil
import time
import uuid
from pathlib import Path

from engine.files import atomic_write_text

_CHECKPOINT = re.compile(r"^step-(\d{8})\.pt$")


class RunDirectory:
    def __init__(self, root: str | Path):
        # Absolute: Ray Train runs its workers in a directory of its own.
        self.root = Path(root).resolve()
        self.config = self.root / "config.toml"
        self.checkpoints = self.root / "checkpoints"
        self.evaluated = self.root / "evaluated"
        self.games = self.root / "games"
        self.sgf = self.root / "sgf"
        self.metrics = self.root / "metrics.csv"
        self.tensorboard = self.root / "tensorboard"
        self.log_file = self.root / "log.txt"

    def create(self, config_text: str) -> None:
        """Make a new run; refuses to overwrite an existing one."""
        if self.config.exists():
            raise FileExistsError(f"run directory {self.root} already holds a run (use --resume, or another --run-dir)")
        for folder in (self.checkpoints, self.games, self.sgf, self.tensorboard):
            folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.config, config_text)

    def exists(self) -> bool:
        return self.config.exists()

    def checkpoint_path(self, step: int) -> Path:
        return self.checkpoints / f"step-{step:08d}.pt"

    def checkpoint_steps(self) -> list[int]:
        if not self.checkpoints.is_dir():
            return []
        return sorted(int(m.group(1)) for p in self.checkpoints.iterdir() if (m := _CHECKPOINT.match(p.name)))

    def latest_checkpoint(self) -> Path | None:
        steps = self.checkpoint_steps()
        return self.checkpoint_path(steps[-1]) if steps else None

    def prune_checkpoints(self, keep_last: int, keep_every: int) -> list[int]:
        """Delete checkpoints but the last ``keep_last`` and every ``keep_every``-th step."""
        steps = self.checkpoint_steps()
        doomed = [s for s in steps[:-keep_last] if s % keep_every != 0 and s != 0]
        for step in doomed:
            self.checkpoint_path(step).unlink(missing_ok=True)
        return doomed

    def keep_for_evaluation(self, step: int) -> Path:
        """A second name, in ``evaluated/``, for checkpoint ``step``: an evaluation plays it
        and the next one compares with it, possibly after pruning has deleted the
        checkpoint itself. A hard link (a copy where the file system has none); raises
        ``FileNotFoundError`` when the checkpoint is already gone."""
        self.evaluated.mkdir(parents=True, exist_ok=True)
        source = self.checkpoint_path(step)
        kept = self.evaluated / source.name
        if not kept.exists():
            temporary = kept.with_name(f".{kept.name}.{uuid.uuid4().hex}.tmp")
            try:
                os.link(source, temporary)
            except FileNotFoundError:
                raise
            except OSError:
                shutil.copyfile(source, temporary)
            os.replace(temporary, kept)
        return kept

    def release_evaluated(self, keep: set[str]) -> None:
        """Delete the second names in ``evaluated/`` but those in ``keep``."""
        for path in self._evaluated_checkpoints():
            if str(path) not in keep:
                path.unlink(missing_ok=True)

    def newest_evaluated(self) -> Path | None:
        """The last network an evaluation played (what a resumed run compares with next)."""
        kept = self._evaluated_checkpoints()
        return kept[-1] if kept else None

    def _evaluated_checkpoints(self) -> list[Path]:
        """The second names in ``evaluated/``, oldest step first (not the temporary files of a link)."""
        if not self.evaluated.is_dir():
            return []
        return sorted(p for p in self.evaluated.iterdir() if _CHECKPOINT.match(p.name))

    def shard_paths(self) -> list[Path]:
        """Game shards in the order they were written (names start with a timestamp)."""
        if not self.games.is_dir():
            return []
        return sorted(p for p in self.games.iterdir() if p.suffix == ".npz" and not p.name.startswith("."))

    def log(self, message: str) -> None:
        """Append a timestamped line to the run's log."""
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        with self.log_file.open("a", encoding="utf-8") as handle:
            handle.write(f"{stamp} {message}\n")
