"""``dosaku analysis``: KataGo's JSON analysis engine (KataGo's docs/Analysis_Engine.md)
on stdin/stdout, for KaTrain and batch tools.

One query per input line, one JSON answer per line and per analysed turn, in the
order the searches finish (``id`` and ``turnNumber`` say which). Every position of
every query in flight is one game of a ``BatchedSearch``: the searches advance
together in chunks of ``CHUNK_VISITS`` visits, each round one evaluator call for
all of their leaves, and queries that arrive meanwhile join at the next chunk.
Positions wait for a free game in order of ``priority`` (higher first), then of
arrival. A position is done at ``maxVisits`` root visits (or ``maxTime``).

Answers: ``id``, ``turnNumber``, ``isDuringSearch``, ``moveInfos`` (the visited
moves, ``analysis.moves.candidates``: move, visits, edgeVisits, winrate, scoreLead,
scoreMean, scoreStdev, prior, lcb, utility, order, pv, with ``pvVisits``/
``pvEdgeVisits`` and each move's ``ownership`` when asked), ``rootInfo`` (visits,
winrate, scoreLead, scoreMean, scoreStdev, utility, rawWinrate, currentPlayer),
``ownership`` and ``policy`` when asked. Winrates, scores, utilities and ownership
are from black's point of view by default (``reportAnalysisWinratesAs``, as
KataGo's example configuration and KaTrain set it). Score fields need a network
with a score head, ownership one with an ownership head: without, they are left
out (and a warning says so), never made up.

Actions: ``query_version``, ``terminate`` (``terminateId``, optional
``turnNumbers``), ``terminate_all``, ``clear_cache``. A terminated position answers
with what it has (``noResults`` if nothing). Errors and warnings are JSON lines
``{"id":..., "error"|"warning":..., "field":...}``; the engine goes on after any of
them. At the end of input, the queries in flight are finished first.
"""

from __future__ import annotations

import heapq
import itertools
import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from analysis.moves import ban_table, candidate_ownership, candidates, lower_confidence_bound, root_utility
from analysis.queries import ACTIONS, PERSPECTIVES, Query, QueryError, id_in_text, parse_line, parse_query
from engine.coords import flat_to_gtp
from engine.game import BLACK, GameState
from mcts.config import SearchConfig
from mcts.evaluators import head_ownership
from mcts.search import BatchedSearch

VERSION = "1.0"  # of this protocol's implementation, answered to query_version
CHUNK_VISITS = 32  # visits each position gets between two looks at the input and the clocks
DEFAULT_GAMES = 16  # positions searched at once, per board size
DEFAULT_VISITS = 500  # maxVisits of a query that names none


@dataclass
class Job:
    """One position of one query: a game of the batched search once started."""

    query: Query
    turn: int
    game: GameState
    slot: int = -1  # its game in the search; -1 while waiting
    started: float = 0.0
    next_report: float = 0.0
    terminated: bool = False


class AnalysisEngine:
    """Answers queries with ``evaluator``'s search; ``write`` takes each answer line."""

    def __init__(self, evaluator, config: SearchConfig, write: Callable[[str], None], games: int = DEFAULT_GAMES,
                 default_visits: int = DEFAULT_VISITS, report_as: str = "BLACK",
                 clock: Callable[[], float] = time.monotonic):  # fmt: skip
        if report_as not in PERSPECTIVES:
            raise ValueError(f"report_as must be one of {', '.join(PERSPECTIVES)}")
        self.evaluator, self.write, self.games, self.clock = evaluator, write, games, clock
        # Chunks of visits on one tree: PUCT without root noise (Gumbel plans a whole budget up front).
        self.config = replace(config, gumbel=False, dirichlet_weight=0.0, reuse_tree=False)
        self.default_visits, self.report_as = default_visits, report_as
        self.network_size = getattr(evaluator, "size", None)
        self.searches: dict[int, BatchedSearch] = {}
        self.running: dict[int, dict[int, Job]] = {}  # board size -> slot -> job
        self.waiting: list[tuple[int, int, Job]] = []  # heap of (-priority, arrival, job)
        self.arrival = itertools.count()

    # --- input ---------------------------------------------------------------

    def handle_line(self, line: str) -> None:
        """Read one input line: a query is queued, an action done; errors answered."""
        if not line.strip():
            return
        try:
            record = parse_line(line)
        except QueryError as err:
            answer = {"error": str(err)} if err.field is None else {"error": str(err), "field": err.field}
            seen = id_in_text(line)
            self._emit(answer if seen is None else {"id": seen, **answer})
            return
        query_id = record["id"]
        try:
            if "action" in record:
                self._action(record)
                return
            query = parse_query(record, self.network_size, self.default_visits, self.report_as)
        except QueryError as err:
            answer = {"id": query_id, "error": str(err)}
            if err.field is not None:
                answer["field"] = err.field
            self._emit(answer)
            return
        for message, field_name in query.warnings:
            self._emit({"id": query_id, "warning": message, "field": field_name})
        if (query.include_ownership or query.include_moves_ownership) and not getattr(
            self.evaluator, "has_ownership", False
        ):
            self._emit({"id": query_id, "warning": "this network has no ownership head: no ownership in the answers",
                        "field": "includeOwnership"})  # fmt: skip
        for turn, game in query.positions:
            heapq.heappush(self.waiting, (-query.priority, next(self.arrival), Job(query, turn, game)))

    def _action(self, record: dict) -> None:
        action = record["action"]
        if action not in ACTIONS:
            raise QueryError(f"unknown action {str(action)[:40]!r}", "action")
        answer = {"id": record["id"], "action": action}
        if action == "query_version":
            answer.update(version=VERSION, git_hash="dosaku")
        elif action in ("terminate", "terminate_all"):
            target = record.get("terminateId")
            if action == "terminate":
                if not isinstance(target, str):
                    raise QueryError("terminate needs a string terminateId", "terminateId")
                answer["terminateId"] = target
            turns = record.get("turnNumbers")
            if turns is not None and (not isinstance(turns, list) or not all(isinstance(t, int) for t in turns)):
                raise QueryError("turnNumbers must be a list of turn numbers", "turnNumbers")
            if turns is not None:
                answer["turnNumbers"] = turns
            self._emit(answer)
            self._terminate(target if action == "terminate" else None, turns)
            return
        elif action == "clear_cache":
            for search in self.searches.values():  # no evaluation cache: the trees are all there is
                for g in range(search.games):
                    if g not in self.running.get(search.size, {}):
                        search.forget(g)
        self._emit(answer)

    def _terminate(self, query_id: str | None, turns: list[int] | None) -> None:
        """Stop the positions of ``query_id`` (all when None), of ``turns`` (all when None)."""

        def hit(job: Job) -> bool:
            return (query_id is None or job.query.id == query_id) and (turns is None or job.turn in turns)

        kept = []
        for entry in self.waiting:
            if hit(entry[2]):
                self._emit({"id": entry[2].query.id, "turnNumber": entry[2].turn, "isDuringSearch": False,
                            "noResults": True})  # fmt: skip
            else:
                kept.append(entry)
        heapq.heapify(kept)
        self.waiting = kept
        for jobs in self.running.values():
            for job in jobs.values():
                job.terminated = job.terminated or hit(job)

    # --- searching -----------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self.waiting) or any(self.running.values())

    def step(self) -> None:
        """Start waiting positions on free games, give every running one a chunk of
        visits (one batched search per board size), and answer what is due."""
        self._start_waiting()
        for size, jobs in self.running.items():
            search = self.searches[size]
            active = [slot for slot, job in jobs.items() if not job.terminated and self._remaining(search, job) > 0]
            if active:
                counts = [min(CHUNK_VISITS, self._remaining(search, jobs[slot])) for slot in active]
                search.search(active, counts, root_noise=[False] * len(active))
            now = self.clock()
            for slot, job in list(jobs.items()):
                out_of_time = job.query.max_time is not None and now - job.started >= job.query.max_time
                if job.terminated or out_of_time or self._remaining(search, job) <= 0:
                    self._emit(self._answer(search, job, during=False))
                    del jobs[slot]
                elif job.query.report_every is not None and now >= job.next_report:
                    self._emit(self._answer(search, job, during=True))
                    job.next_report = now + job.query.report_every

    def _remaining(self, search: BatchedSearch, job: Job) -> int:
        visits = int(search.trees.visits[job.slot, 0]) if search.trees.node_count[job.slot] else 0
        return job.query.max_visits - visits

    def _start_waiting(self) -> None:
        deferred = []
        while self.waiting:
            entry = heapq.heappop(self.waiting)
            job = entry[2]
            size = job.query.size
            jobs = self.running.setdefault(size, {})
            free = [g for g in range(self.games) if g not in jobs]
            if not free:
                deferred.append(entry)
                continue
            search = self._search_for(size)
            job.slot = free[0]
            search.forget(job.slot)
            search.restrict_moves(job.slot, ban_table(job.query.bans.get(job.turn, []), size * size + 1))
            try:
                search.set_position(job.slot, job.game)
            except ValueError as err:  # a game longer than the search has room for
                self._emit({"id": job.query.id, "turnNumber": job.turn, "error": str(err), "field": "moves"})
                continue
            job.started = self.clock()
            job.next_report = job.started + (job.query.report_every or 0.0)
            jobs[job.slot] = job
        for entry in deferred:
            heapq.heappush(self.waiting, entry)

    def _search_for(self, size: int) -> BatchedSearch:
        if size not in self.searches:
            longest = 4 * size * size
            self.searches[size] = BatchedSearch(self.config, size, self.games, self.evaluator,
                                                max_game_length=longest)  # fmt: skip
        return self.searches[size]

    # --- answers -------------------------------------------------------------

    def _answer(self, search: BatchedSearch, job: Job, during: bool) -> dict:
        """One position's answer, KataGo's fields (see the module docstring)."""
        query, g, game = job.query, job.slot, job.game
        answer = {"id": query.id, "turnNumber": job.turn, "isDuringSearch": during}
        root_visits = int(search.trees.visits[g, 0]) if search.trees.node_count[g] else 0
        if root_visits == 0:
            answer["noResults"] = True
            return answer
        size = game.size
        # KataGo's reportAnalysisWinratesAs: flip the mover's numbers to black's or white's view.
        flip = {"BLACK": game.to_play != BLACK, "WHITE": game.to_play == BLACK, "SIDETOMOVE": False}[query.report_as]
        sign = -1.0 if flip else 1.0

        def rate(w: float) -> float:
            return 1.0 - w if flip else w

        found = [c for c in candidates(search, g, pv_length=query.pv_length) if c.visits > 0]
        owned = None
        if query.include_moves_ownership:
            owned = candidate_ownership(self.evaluator, game, [c.move for c in found])
        infos = []
        for index, c in enumerate(found):
            winrate = rate(c.winrate)
            info = {"move": flat_to_gtp(c.move, size), "visits": c.visits, "edgeVisits": c.visits,
                    "winrate": round(winrate, 6)}  # fmt: skip
            if c.score_lead is not None:
                lead = round(sign * c.score_lead, 4)
                info.update(scoreLead=lead, scoreMean=lead, scoreStdev=round(c.score_stdev, 4))
            info.update(prior=round(c.prior, 6), lcb=round(lower_confidence_bound(winrate, c.visits), 6),
                        utility=round(sign * c.utility, 6), order=c.order,
                        pv=[flat_to_gtp(m, size) for m in c.pv])  # fmt: skip
            if query.include_pv_visits:
                info["pvVisits"] = c.pv_visits
                info["pvEdgeVisits"] = c.pv_visits  # a tree: each edge's visits are its child's
            if owned is not None:
                info["ownership"] = _rounded(self._view(owned[index], query, game))
            infos.append(info)
        answer["moveInfos"] = infos
        result = search.result(g)
        root = {"visits": root_visits, "winrate": round(rate((result.value + 1) / 2), 6)}
        if result.score is not None:
            lead = round(sign * result.score, 4)
            root.update(scoreLead=lead, scoreMean=lead, scoreStdev=round(search.root_score_stdev(g), 4))
        root.update(utility=round(sign * root_utility(search, g), 6),
                    rawWinrate=round(rate((search.root_raw_value(g) + 1) / 2), 6),
                    currentPlayer="B" if game.to_play == BLACK else "W")  # fmt: skip
        answer["rootInfo"] = root
        if query.include_ownership:
            ownership = head_ownership(self.evaluator, game)
            if ownership is not None:
                answer["ownership"] = _rounded(self._view(ownership, query, game))
        if query.include_policy:
            stats = search.root_statistics(g)
            policy = np.where(stats.priors >= 0, search.root_prior(g), -1.0)
            answer["policy"] = _rounded(policy, 6)
        return answer

    @staticmethod
    def _view(black_view: np.ndarray, query: Query, game: GameState) -> np.ndarray:
        """Ownership (black +1) in the query's reporting view."""
        if query.report_as == "WHITE" or (query.report_as == "SIDETOMOVE" and game.to_play != BLACK):
            return -black_view
        return black_view

    def _emit(self, record: dict) -> None:
        self.write(json.dumps(record, separators=(",", ":")))

    # --- the loop ------------------------------------------------------------

    def serve(self, lines) -> int:
        """Answer the queries of ``lines`` (an iterable of text lines, read on a thread so
        that queries join searches in progress) until its end and the last answer."""
        inbox: queue.Queue[str | None] = queue.Queue()

        def read() -> None:
            for line in lines:
                inbox.put(line)
            inbox.put(None)

        threading.Thread(target=read, daemon=True).start()
        open_input = True
        while open_input or self.busy:
            while open_input:
                try:
                    line = inbox.get(block=not self.busy)
                except queue.Empty:
                    break
                if line is None:
                    open_input = False
                else:
                    self.handle_line(line)
            if self.busy:
                self.step()
        return 0


def _rounded(values: np.ndarray, digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in values]
