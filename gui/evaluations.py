"""The bot's evaluation of each position of the game, for the graph (plain data, no pygame).

Positions are numbered by the moves played to reach them: 0 is the start (after any
handicap stones), ``n`` the position after move ``n``. Every search the bot runs in
the window (its own moves, and hints for the person) evaluates the position it
started from; the graph draws those points, from black's point of view, as KaTrain
and Lizzie do. A position the bot never searched has no point: nothing is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.game import BLACK


@dataclass(frozen=True)
class Evaluation:
    """One position as one search saw it, from black's side."""

    black_win_rate: float  # in [0, 1]
    black_lead: float | None  # black's expected lead in points; None without a score head


def evaluation_of(search, to_play: int) -> Evaluation:
    """The ``mcts.search.SearchResult`` of a search whose root had ``to_play`` to move, turned to black's view."""
    win_rate = (float(search.value) + 1) / 2  # the root value is the mover's, in [-1, 1]
    lead = None if search.score is None else float(search.score)
    if to_play != BLACK:
        win_rate, lead = 1 - win_rate, None if lead is None else -lead
    return Evaluation(min(1.0, max(0.0, win_rate)), lead)


class EvaluationHistory:
    """Evaluations by position number; only positions of the line now on the board are kept."""

    def __init__(self):
        self._by_position: dict[int, Evaluation] = {}

    def record(self, position: int, evaluation: Evaluation) -> None:
        """The latest search of ``position`` replaces an earlier one (more visits, or a new network)."""
        self._by_position[position] = evaluation

    def keep_up_to(self, moves_played: int) -> None:
        """Forget positions past ``moves_played`` (after an undo: they are no longer in the game)."""
        for position in [p for p in self._by_position if p > moves_played]:
            del self._by_position[position]

    def clear(self) -> None:
        self._by_position.clear()

    def at(self, position: int) -> Evaluation | None:
        return self._by_position.get(position)

    def points(self) -> list[tuple[int, Evaluation]]:
        """(position, evaluation), in the order of the game."""
        return sorted(self._by_position.items())

    def has_leads(self) -> bool:
        """Whether any evaluation carries a score lead (the network has a score head)."""
        return any(evaluation.black_lead is not None for evaluation in self._by_position.values())

    def __len__(self) -> int:
        return len(self._by_position)
