"""Gating: does a new player beat the old one by enough? A match that stops as soon as the SPRT knows.

Games are numbered and colours alternate (NEW black in even games). Games may
finish out of order when several run at once, and short games (resignations)
finish first; counting them in the order they finish would tilt the test. So the
test takes games strictly in game-number order: a game finished early waits for
the ones before it. Games with an error count for neither side; after
``max_errors`` of them the gate gives up as undecided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from arena.player_spec import PlayerSpec, check_available
from arena.sprt import CONTINUE, FAIL, PASS, SPRT, UNDECIDED, SPRTState
from arena.tournament import RESULTS_FILE, store_outcome
from arena.tournament_game import GameJob
from arena.tournament_results import ResultsFile
from arena.tournament_runner import run_games

DEFAULT_MAX_ERRORS = 10


@dataclass
class GateResult:
    """How the gate ended: ``decision`` is ``pass``, ``fail`` or ``undecided``."""

    new: str
    old: str
    decision: str
    state: SPRTState
    errors: int
    reason: str  # why it ended, in words

    @property
    def passed(self) -> bool:
        return self.decision == PASS

    def verdict(self) -> str:
        """One line: the decision, the score and the games."""
        state, test = self.state, self.state.test
        return (
            f"{self.decision.upper()}: {self.new} scored {state.points:g}/{state.games} ({100 * state.score:.1f}%) "
            f"against {self.old}; {self.reason} (SPRT p0={test.p0:g} p1={test.p1:g}, alpha={test.alpha:g} "
            f"beta={test.beta:g}, LLR {state.llr:+.2f} in [{test.lower:.2f}, {test.upper:.2f}]"
            + (f", {self.errors} games with errors" if self.errors else "")
            + ")"
        )


def run_gate(
    new: PlayerSpec,
    old: PlayerSpec,
    test: SPRT,
    size: int = 9,
    komi: float = 7.5,
    parallel: int = 1,
    out: str | Path | None = None,
    resume: bool = False,
    max_moves: int | None = None,
    seed: int = 0,
    max_errors: int = DEFAULT_MAX_ERRORS,
    on_game: Callable[[dict, SPRTState], None] | None = None,
    address: str | None = None,
    backend: str = "auto",
) -> GateResult:
    """Play NEW against OLD until the SPRT decides, ``test.max_games`` games are counted, or errors pile up."""
    if new.name == old.name:
        raise ValueError(f"NEW and OLD are the same player ({new.name})")
    for spec in (new, old):
        check_available(spec, size)
    state = SPRTState(test)
    settings = {"gate": [new.text, old.text], "size": size, "komi": komi, "max_moves": max_moves, "seed": seed,
                "threshold": test.p1, "games": test.max_games}  # fmt: skip
    results = ResultsFile.open(Path(out) / RESULTS_FILE, settings, resume) if out is not None else None
    finished: dict[int, dict] = {game["game"]: game for game in (results.games.values() if results else [])}
    counted = 0  # games, in number order, that the test has taken (or skipped as errors)
    errors = 0
    in_flight = 0
    number = 0  # the next game number to hand out

    def take_finished_in_order() -> None:
        nonlocal counted, errors
        while counted in finished and state.decision == CONTINUE and errors < max_errors:
            outcome = finished[counted]
            counted += 1
            if outcome.get("error"):
                errors += 1
                continue
            state.add(0.5 if outcome["winner"] is None else 1.0 if outcome["winner"] == new.name else 0.0)

    def next_job() -> GameJob | None:
        nonlocal number, in_flight
        take_finished_in_order()
        while number in finished:
            number += 1
        waiting = sum(1 for k, game in finished.items() if k >= counted and not game.get("error"))
        valid_so_far = state.games + waiting + in_flight  # games that count or may still count
        if state.decision != CONTINUE or errors >= max_errors or valid_so_far >= test.max_games:
            return None
        job = GameJob(0, number, new.name, old.name, new.text, old.text, size, komi, max_moves, seed, backend)
        number += 1
        in_flight += 1
        return job

    def record(outcome: dict) -> None:
        nonlocal in_flight
        in_flight -= 1
        if results is not None:
            store_outcome(outcome, Path(out), results)
        finished[outcome["game"]] = outcome
        take_finished_in_order()
        if on_game is not None:
            on_game(outcome, state)

    take_finished_in_order()
    run_games(
        next_job, record, parallel, address, should_stop=lambda: state.decision != CONTINUE or errors >= max_errors
    )
    return _result(new, old, state, errors, max_errors)


def _result(new: PlayerSpec, old: PlayerSpec, state: SPRTState, errors: int, max_errors: int) -> GateResult:
    decision = state.decision
    if decision == PASS:
        reason = f"the SPRT accepted H1 (score >= {state.test.p1:g}) after {state.games} games"
    elif decision == FAIL:
        reason = f"the SPRT accepted H0 (score <= {state.test.p0:g}) after {state.games} games"
    elif errors >= max_errors:
        decision, reason = UNDECIDED, f"undecided: stopped after {errors} games with errors"
    else:
        decision, reason = UNDECIDED, f"undecided at the maximum of {state.test.max_games} games"
    return GateResult(new.name, old.name, decision, state, errors, reason)
