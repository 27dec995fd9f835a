"""Make ``docs/screenshot.png``: the play window, headless, a few moves into a real game.

The person's moves are clicked into the window's event loop; the bot answers
with its real search (by default the shipped 9x9 network, whose ownership head
the overlay shows); then the ownership overlay and the visit heat map of its
last search are switched on, the mouse rests on a free point (the ghost stone), and
the window is saved with ``pygame.image.save``. Run from the repository root::

    .venv/bin/python scripts/make_screenshot.py

Same seed, same moves, same picture (up to the network's floating point).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))  # run as a file: the packages sit next to scripts/


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=int, default=9, help="board size (default 9, make play's: the shipped 9x9 network)"
    )
    parser.add_argument("--moves", default="E5 C3 G4 C6 E7",
                        help="the person's moves (black), GTP vertices; occupied or illegal ones are skipped")  # fmt: skip
    parser.add_argument("--count", type=int, default=4, help="how many of those moves to play (default 4)")
    parser.add_argument("--sims", type=int, default=None, help="the bot's simulations a move (default: its own)")
    parser.add_argument("--seed", type=int, default=1, help="the bot's seed (default 1)")
    parser.add_argument("--window", default="1000x720", help="window size in pixels, WxH (default 1000x720)")
    parser.add_argument("--out", type=Path, default=REPOSITORY / "docs" / "screenshot.png", help="the PNG to write")
    return parser.parse_args()


def main() -> int:
    args = parse_arguments()
    # Headless: set before the window opens (gui reads it then, not at import).
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    from cli.play import WindowBots
    from engine.coords import gtp_to_flat
    from gui import driver
    from gui.app import App
    from gui.settings import GameSettings

    width, height = (int(part) for part in args.window.lower().split("x"))
    bots = WindowBots(player=None, model=None, playouts=1, seed=args.seed)
    with tempfile.TemporaryDirectory() as games:
        app = App(GameSettings(args.size, simulations=args.sims), bots.opponent, (width, height), Path(games))
        try:
            played = 0
            for vertex in args.moves.split():
                if played == args.count:
                    break
                if not app.game.is_legal(gtp_to_flat(vertex, args.size)):
                    continue
                driver.click(app, vertex)
                driver.settle(app, timeout=600)
                played += 1
                print(f"you {vertex}, {app.message}")
            driver.press(app, pygame.K_o)
            driver.settle(app, timeout=600)
            driver.press(app, pygame.K_v)  # last, so that the message explains the heat map
            free = [move for move in range(app.game.pass_move) if app.legal_mask()[move]]
            driver.hover(app, app.layout().board.point_center(free[len(free) // 3]))
            app.dirty = True
            app.step()
            args.out.parent.mkdir(parents=True, exist_ok=True)
            pygame.image.save(app.screen, str(args.out))
            print(f"wrote {args.out} ({app.opponent.description}; {app.ownership.source})")
        finally:
            app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
