"""The Elo ladder as one PNG: checkpoints over training steps, baselines as horizontal lines.

Checkpoint players (``steps`` gives their training step) are drawn as points
with their 95% intervals, one line per directory of checkpoints (one training
run each); every other player (random, rollout search, GTP engines) is a
horizontal line at its rating, labelled. Same style as ``selfplay/plot.py``;
matplotlib's Agg backend needs no display.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from arena.elo import Rating
from engine.files import atomic_write_bytes


def plot_elo(
    ratings: dict[str, Rating],
    steps: dict[str, int | None],
    paths: dict[str, str],
    out: str | Path,
    anchor: str,
    title: str = "Dosaku arena",
    xlabel: str = "training step",
    run_labels: dict[str, str] | None = None,
) -> Path:
    """Write the plot to ``out``; ``paths`` maps checkpoint players to their files (for grouping by run).

    ``steps`` gives each checkpoint player's place on the x axis (a step, or any other
    measure of training named by ``xlabel``, such as CPU-minutes); ``run_labels`` names
    the runs in the legend by their checkpoint directory (default: the directory).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    runs: dict[str, list[Rating]] = {}
    baselines = []
    for name, rating in ratings.items():
        if steps.get(name) is None:
            baselines.append(rating)
        else:
            runs.setdefault(os.path.dirname(paths.get(name, "")) or ".", []).append(rating)

    figure, axes = plt.subplots(figsize=(9, 5.5))
    for run, members in sorted(runs.items()):
        members.sort(key=lambda r: steps[r.name])
        x = [steps[r.name] for r in members]
        y = [r.elo for r in members]
        errors = [[r.elo - r.low for r in members], [r.high - r.elo for r in members]]
        axes.errorbar(
            x, y, yerr=errors, fmt="o-", capsize=3, label=(run_labels or {}).get(run, f"checkpoints in {run}")
        )
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for number, rating in enumerate(sorted(baselines, key=lambda r: r.elo)):
        colour = colours[(number + len(runs)) % len(colours)]
        axes.axhline(rating.elo, color=colour, linestyle="--", linewidth=1.2)
        axes.axhspan(rating.low, rating.high, color=colour, alpha=0.05)
        # Labels step across the width, so that baselines at nearly one rating stay readable.
        axes.annotate(f"{rating.name} ({rating.elo:+.0f})", xy=(0.01 + 0.33 * (number % 3), rating.elo),
                      xycoords=("axes fraction", "data"), va="bottom", fontsize=8, color=colour)  # fmt: skip
    axes.set_xlabel(xlabel)
    axes.set_ylabel(f"Elo (0 = {anchor}), 95% intervals")
    axes.set_title(title)
    if runs:
        axes.legend(loc="lower right")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    image = io.BytesIO()
    figure.savefig(image, format="png", dpi=110)
    plt.close(figure)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out, image.getvalue())
    return out
