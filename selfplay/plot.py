"""A run's progress as one PNG: evaluation results and losses over training steps.

Top: the newest network's score against the previous evaluated one and against
pure rollout search (the fixed baseline, as a line at 0.5 = even). Bottom: the
loss terms. Reads ``metrics.csv``; matplotlib's Agg backend needs no display.
"""

from __future__ import annotations

from pathlib import Path

from selfplay.metrics import read_metrics


def plot_run(run_dir: str | Path, out: str | Path | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    run_dir = Path(run_dir)
    rows = read_metrics(run_dir / "metrics.csv")
    if not rows:
        raise ValueError(f"{run_dir / 'metrics.csv'} has no rows yet")
    out = Path(out) if out is not None else run_dir / "progress.png"

    def series(name: str) -> tuple[list[float], list[float]]:
        points = [(row["step"], row[name]) for row in rows if name in row]
        return [p[0] for p in points], [p[1] for p in points]

    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7.5), sharex=True)
    for name, label, style in (("eval_vs_rollout", "vs rollout search (fixed baseline)", "o-"),
                               ("eval_vs_previous", "vs previous evaluated network", "s--")):  # fmt: skip
        steps, values = series(name)
        if steps:
            top.plot(steps, values, style, label=label)
    top.axhline(0.5, color="grey", linewidth=1, label="even")
    top.set_ylim(-0.02, 1.02)
    top.set_ylabel("score of the newest network")
    top.set_title(f"Dosaku training run {run_dir.name}")
    top.legend(loc="lower right")
    top.grid(alpha=0.3)
    for name in ("policy", "value", "ownership"):
        steps, values = series(name)
        if steps:
            bottom.plot(steps, values, label=f"{name} loss")
    bottom.set_xlabel("training step")
    bottom.set_ylabel("loss")
    if bottom.lines:
        bottom.legend(loc="upper right")
    bottom.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(out, dpi=110)
    plt.close(figure)
    return out
