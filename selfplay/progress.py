"""The live progress line of a run (rich), e.g.

``step 1200/10000 | 340 games, 1,220/h | 85 pos/s | loss p 2.10 v 0.41 | vs prev 0.60 vs rollout 0.80``
"""

from __future__ import annotations

from rich.console import Console
from rich.live import Live
from rich.text import Text


class Progress:
    def __init__(self, total_steps: int, enabled: bool = True):
        self.total_steps = total_steps
        self.parts = {"step": f"step 0/{total_steps}", "games": "0 games", "rate": "", "loss": "", "eval": ""}
        self.live = Live(Text(""), console=Console(stderr=True), refresh_per_second=2, transient=False) if enabled else None
        if self.live is not None:
            self.live.start()

    def _show(self) -> None:
        if self.live is not None:
            self.live.update(Text(" | ".join(part for part in self.parts.values() if part)))

    def selfplay(self, games: int, positions: int) -> None:
        self.parts["games"] = f"{games:,} games, {positions:,} positions"
        self._show()

    def trainer(self, step: int, figures: dict) -> None:
        self.parts["step"] = f"step {step:,}/{self.total_steps:,}"
        self.parts["rate"] = f"{figures.get('games_per_hour', 0):,.0f} games/h, {figures.get('positions_per_s', 0):.1f} pos/s"
        if "policy" in figures:
            self.parts["loss"] = f"loss p {figures['policy']:.2f} v {figures.get('value', 0):.3f}"
        self._show()

    def evaluation(self, figures: dict) -> None:
        shown = []
        if "eval_vs_previous" in figures:
            shown.append(f"vs prev {figures['eval_vs_previous']:.2f}")
        if "eval_vs_rollout" in figures:
            shown.append(f"vs rollout {figures['eval_vs_rollout']:.2f}")
        self.parts["eval"] = " ".join(shown)
        self._show()

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
