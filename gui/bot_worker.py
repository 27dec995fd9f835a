"""``BotWorker``: the bot thinks in a background thread, so the window never waits for it.

The window sends ``Job``s (a copy of the game, what to do, and the *generation*
of the position it was asked for) and collects ``Answer``s each frame without
blocking. One daemon thread runs the jobs in order, so a player is never used by
two searches at once, and a search still running when the window closes cannot
keep the process alive.

The window bumps its generation whenever the position changes (undo, new game,
load) and throws away answers of older generations. It also cancels their jobs
(``cancel_before``): a queued one is skipped, a running search stops at its next
check (``Opponent.genmove``), so the bot is soon free for the new position. A
player that cannot be stopped just finishes, and its answer is thrown away.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field

from engine.game import GameState

MOVE, HINT, OWNERSHIP = "move", "hint", "ownership"


@dataclass
class Job:
    kind: str  # MOVE: the bot's move; HINT: a move for the person; OWNERSHIP: who owns what
    generation: int
    game: GameState  # a copy: the window goes on changing its own
    opponent: object  # gui.opponent.Opponent (or a test's stand-in)
    cancelled: threading.Event = field(default_factory=threading.Event)  # set: the answer is no longer wanted


@dataclass
class Answer:
    kind: str
    generation: int
    result: object = None  # a Decision for MOVE and HINT, an Ownership for OWNERSHIP
    error: str | None = None  # what went wrong, for the window to say


class BotWorker:
    """One background thread that runs jobs in order; ``answers()`` never blocks."""

    def __init__(self):
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._answers: queue.Queue[Answer] = queue.Queue()
        self._early: list[Answer] = []  # taken off the queue by wait(), not yet handed out
        self._pending: list[Job] = []  # submitted and not finished, to cancel (guarded by _lock)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, name="dosaku-bot", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        with self._lock:
            self._pending.append(job)
        self._jobs.put(job)

    def cancel_before(self, generation: int) -> None:
        """Cancel every job asked for a generation older than ``generation``."""
        with self._lock:
            for job in self._pending:
                if job.generation < generation:
                    job.cancelled.set()

    def answers(self) -> list[Answer]:
        """Every answer that has arrived since the last call, oldest first."""
        arrived, self._early = self._early, []
        while True:
            try:
                arrived.append(self._answers.get_nowait())
            except queue.Empty:
                return arrived

    def wait(self, timeout: float) -> bool:
        """Block until an answer is waiting or ``timeout`` seconds pass (scripts and tests; the window polls)."""
        if self._early:
            return True
        try:
            self._early.append(self._answers.get(timeout=timeout))
        except queue.Empty:
            return False
        return True

    def stop(self) -> None:
        """Cancel every job and let the thread end; does not wait for it (it is a daemon)."""
        with self._lock:
            for job in self._pending:
                job.cancelled.set()
        self._jobs.put(None)

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if not job.cancelled.is_set():
                self._answers.put(run_job(job))
            with self._lock:
                self._pending.remove(job)


def run_job(job: Job) -> Answer:
    """Do one job; any failure becomes an answer with the error, so the window can say it and go on."""
    try:
        if job.kind == OWNERSHIP:
            result = job.opponent.ownership(job.game)
        else:
            result = job.opponent.genmove(job.game, job.cancelled)
        return Answer(job.kind, job.generation, result)
    except Exception as err:  # noqa: BLE001 (a failed search must not kill the bot thread)
        return Answer(job.kind, job.generation, error=f"{type(err).__name__}: {err}")
