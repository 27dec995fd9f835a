"""The campaign's stage-3 match: the shipped 9x9 network at 400 simulations a move against
GNU Go level 10 (--chinese-rules --capture-all-dead, komi 7.5), GAMES games (default 100):
GAMES/2 set openings (arena/openings.py), each played with both colours, as the stints'
gauntlets are; games, SGFs and results in OUT (resumed from there).

    .venv/bin/python scripts/match_gnugo_level10.py OUT [GAMES] [SEED]
"""

import sys
from pathlib import Path

from arena.campaign import evaluation


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    games = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1001
    references, note = evaluation.default_references()
    level10 = [reference for reference in references if reference.name == "gnugo-level10"]
    if not level10:
        print(f"match_gnugo_level10: {note}", file=sys.stderr)
        return 2
    result = evaluation.gauntlet("models-9x9", Path("models/9x9.pt"), level10, games, 9, 7.5, 400, seed, 2, "auto",
                                 out, lambda line: print(line, flush=True))  # fmt: skip
    print(result["scores"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
