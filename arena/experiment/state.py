"""The experiment's state file, ``DIR/experiment.json``: what was asked, and how far each run got.

Layout::

    {"format": "dosaku-experiment", "version": 1,
     "settings": {"configs": {"A": "configs/9x9-laptop.toml", "B": "configs/9x9.toml"},
                  "overrides": {"A": [...], "B": [...]}, "minutes": 60.0, "seed": 0},
     "runs": {"A": {"finished": true, "sessions": 1, "elapsed_seconds": 3600.4, "stopped_by": "time",
                    "workers": 2, "trainers": 1, "machine_cores": 2, "step": 9120},
              "B": {"finished": false, "sessions": 1, ...}}}

It is rewritten atomically after every change, so an experiment stopped at any
moment (Ctrl-C, a crash, a power cut) finds on its next start which run is done
and which must go on. The settings must match to go on: an experiment is a
comparison of these two configurations for these minutes, not of others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.files import read_json_document, settings_differences, write_json_document

FORMAT = "dosaku-experiment"
VERSION = 1
STATE_FILE = "experiment.json"
LABELS = ("A", "B")


@dataclass
class ExperimentState:
    """The settings of an experiment and one dict of progress per run (``A``, ``B``)."""

    path: Path
    settings: dict
    runs: dict[str, dict] = field(
        default_factory=lambda: {label: {"finished": False, "sessions": 0} for label in LABELS}
    )

    @classmethod
    def open(cls, directory: str | Path, settings: dict) -> ExperimentState:
        """The state in ``directory`` to go on with, or a new one (written at once).

        ValueError when the directory holds another experiment (other settings),
        or training runs without a state file (not an experiment's, or not this one's).
        """
        directory = Path(directory)
        path = directory / STATE_FILE
        if not path.exists():
            strangers = [label for label in LABELS if (directory / label).exists()]
            if strangers:
                raise ValueError(f"{directory / strangers[0]} exists but {path} does not: "
                                 "not this experiment's run; choose another --dir")  # fmt: skip
            state = cls(path, dict(settings))
            state.save()
            return state
        data = read_state(path)
        old = data["settings"]
        details = settings_differences(old, settings)
        if details:
            raise ValueError(f"{directory} holds another experiment ({details}): repeat its command, or another --dir")
        return cls(path, old, data["runs"])

    def update(self, label: str, **figures) -> None:
        """Record figures of run ``label`` and rewrite the file."""
        self.runs[label].update(figures)
        self.save()

    def save(self) -> None:
        write_json_document(self.path, FORMAT, VERSION, settings=self.settings, runs=self.runs)


def read_state(path: str | Path) -> dict:
    """The state file as a dict; ValueError (one line) if it is not one."""
    data = read_json_document(path, FORMAT, VERSION, "a Dosaku experiment state file")
    runs = data.get("runs")
    if not isinstance(data.get("settings"), dict) or not isinstance(runs, dict) or set(runs) != set(LABELS):
        raise ValueError(f"{path} is damaged (no settings or runs A and B)")
    return data
