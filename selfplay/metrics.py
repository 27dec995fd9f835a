"""Run metrics: ``metrics.csv`` (columns by name, added as they appear) and TensorBoard.

The CSV is rewritten whole when a new column appears (rare) and appended to
otherwise, so a crash loses at most the row being written.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

from engine.files import atomic_write_text


class MetricsWriter:
    def __init__(self, csv_path: str | Path, tensorboard_dir: str | Path | None = None):
        self.csv_path = Path(csv_path)
        self.columns: list[str] = []
        if self.csv_path.exists():
            with self.csv_path.open(newline="") as handle:
                header = next(csv.reader(handle), [])
            self.columns = header
        self.writer = None
        if tensorboard_dir is not None:
            try:
                from torch.utils.tensorboard import SummaryWriter

                self.writer = SummaryWriter(str(tensorboard_dir))
            except ImportError:  # tensorboard not installed: the CSV still has everything
                self.writer = None

    def write(self, step: int, figures: dict[str, float]) -> None:
        row = {"step": step, **{k: v for k, v in figures.items() if _is_number(v)}}
        new = [name for name in row if name not in self.columns]
        if new:
            self._rewrite_with(self.columns + new)
        with self.csv_path.open("a", newline="") as handle:
            csv.DictWriter(handle, fieldnames=self.columns).writerow(row)
        if self.writer is not None:
            for name, value in row.items():
                if name != "step":
                    self.writer.add_scalar(name.replace(".", "/"), value, step)
            self.writer.flush()

    def _rewrite_with(self, columns: list[str]) -> None:
        rows = []
        if self.csv_path.exists():
            with self.csv_path.open(newline="") as handle:
                rows = list(csv.DictReader(handle))
        self.columns = columns
        lines = [",".join(columns)]
        for row in rows:
            lines.append(",".join(str(row.get(c, "")) for c in columns))
        atomic_write_text(self.csv_path, "\n".join(lines) + "\n")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_metrics(csv_path: str | Path) -> list[dict[str, float]]:
    """Rows of a metrics file with numbers parsed (empty cells dropped)."""
    with Path(csv_path).open(newline="") as handle:
        return [{k: float(v) for k, v in row.items() if v not in ("", None)} for row in csv.DictReader(handle)]


def last_value(csv_path: str | Path, column: str) -> float | None:
    """The newest value of ``column`` in a metrics file (None: no file, no such column or no value yet)."""
    if not Path(csv_path).exists():
        return None
    values = [row[column] for row in read_metrics(csv_path) if column in row]
    return values[-1] if values else None
