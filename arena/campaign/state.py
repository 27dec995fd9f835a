"""The campaign's state file, ``campaign/9x9/state.json``: every stint so far and the one in progress.

Layout::

    {"format": "dosaku-campaign", "version": 1,
     "shipped": {"name": "stint-2@16250", "stint": 2, "step": 16250},   # the network models/ holds, or null
     "stints": [{"stint": 1, "date": "2026-12-03T07:00:00+00:00", "minutes": 60, "wall_minutes": 60.1,
                 "cpu_minutes": 120.2, "cpu_minutes_used": 101.3, "games": 3400, "steps": 5100,
                 "start_step": 13213, "step": 18313, "gate": {...}, "shipped": true,
                 "gauntlet": {"player": "stint-1@18313", "references": [...], "games": [[black, white, points]],
                              "scores": {"gnugo-level1": {"wins": 9, "draws": 0, "losses": 11, "errors": 0}}},
                 "elo": {"elo": 812.0, "low": 650.1, "high": 973.9}, "cpu_hours_total": 2.0}, ...],
     "current": {"stint": 3, "phase": "gauntlet", ...} or null,
     "totals": {"stints": 2, "wall_minutes": ..., "cpu_hours": ..., "cpu_hours_used": ..., "games": ..., "step": ...}}

``current`` is the stint in progress and its phase (``training`` -> ``gate`` ->
``gauntlet`` -> ``record``); the file is rewritten atomically after every phase, so
a stint stopped at any moment goes on, when the command runs again, from the
phase it was in. Each stint's gauntlet games (players and points) are kept, so the
Elo over all stints can be fitted and drawn again from the repository alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine.files import read_json_document, write_json_document

FORMAT = "dosaku-campaign"
VERSION = 1
STATE_FILE = "state.json"
PHASES = ("training", "gate", "gauntlet", "record")


@dataclass
class CampaignState:
    """The stints so far, the one in progress (``current``), and the network that ships."""

    path: Path
    stints: list[dict] = field(default_factory=list)
    current: dict | None = None
    shipped: dict | None = None

    @classmethod
    def open(cls, directory: str | Path, trainer_exists: bool) -> CampaignState:
        """The campaign's state, or a new one when the campaign has not begun (no state file, no trainer state).

        ValueError (one line) when the file is damaged, or missing beside a trainer state.
        """
        path = Path(directory) / STATE_FILE
        if not path.exists():
            if trainer_exists:
                raise ValueError(f"{path} is missing but {Path(directory) / 'trainer.pt'} exists: "
                                 "restore state.json (git checkout) before going on")  # fmt: skip
            return cls(path)
        data = read_json_document(path, FORMAT, VERSION, "a Dosaku campaign state file")
        stints, current, shipped = data.get("stints"), data.get("current"), data.get("shipped")
        if not isinstance(stints, list) or not all(isinstance(s, dict) for s in stints):
            raise ValueError(f"{path} is damaged (no list of stints)")
        if current is not None and (not isinstance(current, dict) or current.get("phase") not in PHASES):
            raise ValueError(f"{path} is damaged (the stint in progress has no known phase)")
        if shipped is not None and not isinstance(shipped, dict):
            raise ValueError(f"{path} is damaged (shipped is not an object)")
        return cls(path, stints, current, shipped)

    @property
    def next_number(self) -> int:
        return len(self.stints) + 1

    def totals(self) -> dict:
        """Sums over the finished stints: wall minutes, CPU-hours held and used, games; the step reached."""
        used = [s.get("cpu_minutes_used") for s in self.stints]
        return {
            "stints": len(self.stints),
            "wall_minutes": round(sum(s["wall_minutes"] for s in self.stints), 2),
            "cpu_hours": round(sum(s["cpu_minutes"] for s in self.stints) / 60, 3),
            "cpu_hours_used": round(sum(u for u in used if u is not None) / 60, 3),
            "games": sum(s["games"] for s in self.stints),
            "step": self.stints[-1]["step"] if self.stints else 0,
        }

    def save(self) -> None:
        write_json_document(self.path, FORMAT, VERSION, shipped=self.shipped, stints=self.stints,
                            current=self.current, totals=self.totals())  # fmt: skip
