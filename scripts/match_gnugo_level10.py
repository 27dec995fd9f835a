"""The campaign's stage-3 match: the shipped 9x9 network at 400 simulations a move against
GNU Go level 10 (--chinese-rules --capture-all-dead, komi 7.5), GAMES games (default 100):
GAMES/2 set openings (arena/openings.py), each played with both colours, as the stints'
gauntlets are; games, SGFs and results in OUT (resumed from there), with the network's
sha256 in OUT/network.sha256: an OUT of another network's games is refused.

    .venv/bin/python scripts/match_gnugo_level10.py OUT [GAMES] [SEED]
"""

import hashlib
import json
import math
import sys
from pathlib import Path

from arena.campaign import evaluation
from arena.tournament import record_of
from engine.files import atomic_write_text

MODEL = Path("models/9x9.pt")


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    try:
        games = int(sys.argv[2]) if len(sys.argv) > 2 else 100
        seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1001
    except ValueError:
        given = " ".join(sys.argv[2:4])
        print(f"match_gnugo_level10: GAMES and SEED are whole numbers, not {given!r}", file=sys.stderr)
        return 2
    if games < 2 or games % 2:
        print(f"match_gnugo_level10: GAMES must be even and at least 2 (each opening with both colours), not {games}",
              file=sys.stderr)  # fmt: skip
        return 2
    problem = claim(out, hashlib.sha256(MODEL.read_bytes()).hexdigest())
    if problem:
        print(f"match_gnugo_level10: {problem}", file=sys.stderr)
        return 2
    references, note = evaluation.default_references()
    level10 = [reference for reference in references if reference.name == "gnugo-level10"]
    if not level10:
        print(f"match_gnugo_level10: {note}", file=sys.stderr)
        return 2
    result = evaluation.gauntlet("models-9x9", MODEL, level10, games, 9, 7.5, 400, seed, 2, "auto",
                                 out, lambda line: print(line, flush=True))  # fmt: skip
    print(summary("models-9x9", json.loads((Path(result["directory"]) / "results.json").read_text())["games"]))
    return 0


def claim(out: Path, digest: str) -> str | None:
    """Mark OUT as this network's match; why not, when it holds another's games (or games of no known network)."""
    stamp = out / "network.sha256"
    if stamp.exists():
        kept = stamp.read_text().strip()
        if kept == digest:
            return None
        return f"{out} holds another network's games (sha256 {kept[:12]}…, {MODEL} is {digest[:12]}…): give a new OUT"
    if out.exists() and any(out.iterdir()):
        return f"{out} is not empty and has no network.sha256 to tell which network played its games: give a new OUT"
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(stamp, digest + "\n")
    return None


def summary(name: str, games: list[dict]) -> str:
    """W-L, the score's 95% interval (Wilson), by colour, and seconds a move (both sides, games at once)."""
    tally = record_of(name, games)
    played = tally["wins"] + tally["draws"] + tally["losses"]
    if not played:
        return f"{name}: no game finished ({tally['errors']} errors)"
    score = (tally["wins"] + tally["draws"] / 2) / played
    z = 1.96
    centre = (score + z * z / (2 * played)) / (1 + z * z / played)
    half = z * math.sqrt(score * (1 - score) / played + z * z / (4 * played * played)) / (1 + z * z / played)
    colours = []
    for colour in ("black", "white"):
        own = record_of(name, [g for g in games if g[colour] == name])
        colours.append(f"{own['wins']}-{own['losses']} as {colour}")
    moves = sum(g["moves"] for g in games)
    pace = sum(g["seconds"] for g in games) / moves if moves else 0.0
    draws = f"-{tally['draws']}" if tally["draws"] else ""
    return (f"{name}: {tally['wins']}{draws}-{tally['losses']} over {played} games ({100 * score:.0f}%, 95% interval "
            f"{100 * (centre - half):.0f}-{100 * (centre + half):.0f}%), {', '.join(colours)}, {tally['errors']} errors; "
            f"{pace:.2f} s a move of either side")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
