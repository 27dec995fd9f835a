"""A tournament's results file: ``OUT/results.json``, rewritten atomically after every game.

Layout::

    {"format": "dosaku-arena-results", "version": 1,
     "settings": {"players": [...spellings], "names": [...], "size": 9, "komi": 7.5,
                  "format": "round-robin", "games": 10, "max_moves": null, "seed": 0},
     "games": [{"key": "A | B | 3", "pairing": 0, "game": 3, "black": "B", "white": "A",
                "winner": "A", "result": "W+4.5", "moves": 61, "error": null,
                "error_by": null, "seconds": 3.1, "sgf": "games/01-004-B-vs-A.sgf"}, ...]}

A game is in the file once it has finished, with a result or an error; a
resumed tournament plays only the games that are not. Settings must match to
resume, except ``games``, which may grow (the extra games are played).
"""

from __future__ import annotations

from pathlib import Path

from engine.files import read_json_document, settings_differences, write_json_document

FORMAT = "dosaku-arena-results"
VERSION = 1
RESUMABLE_CHANGES = frozenset({"games"})  # settings a resumed tournament may change


class ResultsFile:
    """The games finished so far and the settings they were played under."""

    def __init__(self, path: str | Path, settings: dict, games: list[dict] | None = None):
        self.path = Path(path)
        self.settings = dict(settings)
        self.games: dict[str, dict] = {game["key"]: game for game in games or []}

    @classmethod
    def open(cls, path: str | Path, settings: dict, resume: bool) -> ResultsFile:
        """The results at ``path`` to go on with (``resume``), or a new empty file.

        ValueError when a file with games exists and ``resume`` is off (it would be
        overwritten), or when its settings are not ``settings``.
        """
        path = Path(path)
        if not path.exists():
            return cls(path, settings)
        data = read_results(path)
        if not resume:
            if data["games"]:
                raise ValueError(
                    f"{path} already holds {len(data['games'])} games: --resume to go on, or another --out"
                )
            return cls(path, settings)
        details = settings_differences(data["settings"], settings, RESUMABLE_CHANGES)
        if details:
            raise ValueError(f"cannot resume {path}: another tournament ({details})")
        return cls(path, settings, data["games"])

    def done(self, key: str) -> bool:
        return key in self.games

    def add(self, outcome: dict) -> None:
        """Record a finished game and rewrite the file (atomically: a crash leaves the old or the new file)."""
        self.games[outcome["key"]] = outcome
        self.save()

    def save(self) -> None:
        ordered = sorted(self.games.values(), key=lambda game: (game["pairing"], game["game"]))
        write_json_document(self.path, FORMAT, VERSION, settings=self.settings, games=ordered)


def read_results(path: str | Path) -> dict:
    """The results file at ``path`` as a dict; ValueError if it is not one."""
    data = read_json_document(path, FORMAT, VERSION, "a Dosaku arena results file")
    if not isinstance(data.get("settings"), dict) or "games" not in data or not isinstance(data["games"], list):
        raise ValueError(f"{path} is damaged (no settings or list of games)")
    return data
