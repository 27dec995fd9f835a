"""``--commit``: the stint's state, the shipped network and the record committed to git, with the stint's figures."""

from __future__ import annotations

import subprocess
from pathlib import Path


def message(stint: dict) -> str:
    """``campaign stint 3: 60 min, 3400 games, 5100 steps; gate 31-9 passed; vs GNU Go 1 9/20, ...``."""
    gate = stint["gate"]
    if gate["decision"] == "none":
        verdict = "no gate (first network)"
    else:
        verdict = f"gate {gate['wins']}-{gate['losses']} {'passed' if gate['passed'] else gate['decision']}"
    scores = []
    for name in stint["gauntlet"]["references"]:
        score = stint["gauntlet"]["scores"][name]
        played = score["wins"] + score["draws"] + score["losses"]
        scores.append(f"vs {name.replace('gnugo-level', 'GNU Go ')} {score['wins'] + score['draws'] / 2:g}/{played}")
    return (f"campaign stint {stint['stint']}: {stint['wall_minutes']:.0f} min, {stint['games']} games, "
            f"{stint['steps']} steps (step {stint['step']}); {verdict}; " + ", ".join(scores))  # fmt: skip


def commit(paths: list[Path], text: str) -> str:
    """``git add`` and ``git commit`` exactly ``paths``; a line saying what happened (a failing git is a note)."""
    names = [str(path) for path in paths if path.exists()]
    for command in (["git", "add", "--", *names], ["git", "commit", "-q", "-m", text, "--", *names]):
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as err:
            return f"note: not committed ({err})"
        if done.returncode != 0:
            why = (done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}").splitlines()[0]
            return f"note: not committed (git {command[1]}: {why})"
    return f"committed: {text}"
