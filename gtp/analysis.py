"""Live analysis for Go GUIs: ``lz-analyze``, ``kata-analyze``, their ``genmove_analyze``
forms and ``dosaku-analyze`` (JSON lines).

Formats follow Leela Zero's and KataGo's published GTP extensions (KataGo's
docs/GTP_Extensions.md), which Sabaki and Lizzie parse:

* arguments: ``[colour] [interval] [key value ...]``, keys ``interval`` (centiseconds),
  ``minmoves``, ``maxmoves``, ``ownership true|false`` (kata and dosaku), ``pvlength``;
  ``avoid``/``allow`` (colour, vertices, depth) are parsed but not yet applied to the search
  (KataGo applies them: a client that sends them gets the unrestricted analysis).
* one output line per interval holds every candidate: ``info move D4 visits 120
  winrate 5432 prior 1234 lcb 5300 order 0 pv D4 E5 info move ...``. lz: winrate,
  prior and lcb are integers 0..10000; kata: floats in [0, 1] written with a decimal
  point (Sabaki takes a number without one for Leela's integer scale), plus
  ``utility`` in [-1, 1]; with a network that has a score head, ``scoreMean`` and
  ``scoreLead`` (the search's mean final score in points for the analysed player; the
  head predicts the expected final score, so the two are the same number), none
  without one (no made-up zeros). With ``ownership true``, kata's line ends with
  ``ownership`` and N*N floats, top-left first, for the analysed player.
  ``dosaku-analyze`` has ``scoreLead`` per move and in ``rootInfo`` on the same terms.
* everything is from the point of view of the analysed player; ``pv`` comes last
  and starts with the move itself (Sabaki finds the pv as the trailing run of vertices).

LCB: the search keeps no variance, so the lower bound treats each visit as a
win-or-loss sample: ``winrate - 1.96 * sqrt(w (1 - w) / visits)``, 0 below 2 visits.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine.coords import flat_to_gtp

FORMATS = ("lz", "kata", "dosaku")
DEFAULT_INTERVAL_CS = 100  # KataGo's and Leela's choice when the GUI names none
DEFAULT_PV_LENGTH = 15
LCB_Z = 1.96  # a 95% one-sided-ish bound, about what Leela Zero shows
IGNORED_KEYS = ("avoid", "allow")  # each takes colour, vertices, depth; not applied yet (KataGo applies them)
IDLE_WAIT = 0.01  # seconds between looks at the input once the tree is full


@dataclass
class AnalysisRequest:
    """What an analysis command asked for."""

    fmt: str  # lz, kata or dosaku
    color: int | None = None  # None: the player to move
    interval_cs: int = DEFAULT_INTERVAL_CS  # 0: no output until the end
    min_moves: int = 0
    max_moves: int | None = None
    ownership: bool = False
    pv_length: int = DEFAULT_PV_LENGTH


@dataclass
class Candidate:
    """One root move as an info line shows it (the analysed player's view)."""

    move: int
    visits: int
    winrate: float  # [0, 1]
    prior: float  # [0, 1]
    lcb: float  # [0, 1]
    order: int
    pv: list[int]
    score_lead: float | None = None  # points; None without a score head


def parse_request(fmt: str, args: list[str], parse_color: Callable[[str], int],
                  parse_int: Callable[[str], int]) -> AnalysisRequest:  # fmt: skip
    """The request in ``args``; ValueError with a short reason when they make no sense."""
    request = AnalysisRequest(fmt)
    rest = list(args)
    if rest and rest[0].lower() in ("b", "w", "black", "white"):
        request.color = parse_color(rest.pop(0))
    if rest and rest[0].lstrip("+-").isdigit():
        request.interval_cs = parse_int(rest.pop(0))
    while rest:
        key = rest.pop(0).lower()
        if key in IGNORED_KEYS:
            if len(rest) < 3:
                raise ValueError(f"{key} needs a colour, vertices and a depth")
            del rest[:3]
            continue
        if not rest:
            raise ValueError(f"{key} needs a value")
        value = rest.pop(0)
        if key == "interval":
            request.interval_cs = parse_int(value)
        elif key == "minmoves":
            request.min_moves = parse_int(value)
        elif key == "maxmoves":
            request.max_moves = parse_int(value)
        elif key == "pvlength":
            request.pv_length = parse_int(value)
        elif key == "ownership" and fmt != "lz":
            if value.lower() not in ("true", "false"):
                raise ValueError(f"ownership takes true or false, not {value[:20]!r}")
            request.ownership = value.lower() == "true"
        else:
            raise ValueError(f"unknown analysis option {key[:20]!r}")
    if request.interval_cs < 0 or request.min_moves < 0 or request.pv_length < 1:
        raise ValueError("interval and minmoves cannot be negative, pvlength must be positive")
    if request.max_moves is not None and request.max_moves < 1:
        raise ValueError("maxmoves must be at least 1")
    return request


def lower_confidence_bound(winrate: float, visits: int) -> float:
    """See the module docstring: 0 below 2 visits, else a normal bound clipped to [0, 1]."""
    if visits < 2:
        return 0.0
    return min(max(winrate - LCB_Z * math.sqrt(winrate * (1 - winrate) / visits), 0.0), 1.0)


def candidates(search, request: AnalysisRequest, g: int = 0) -> list[Candidate]:
    """The root's moves, best first: visited ones by visits (then value, then prior),
    then unvisited ones by prior as far as ``min_moves`` asks; at most ``max_moves``."""
    stats = search.root_statistics(g)
    root_winrate = (search.root_value(g) + 1) / 2
    root_score = search.root_score(g)
    legal = np.flatnonzero(stats.priors >= 0)
    visited = [int(m) for m in legal if stats.visits[m] > 0]
    visited.sort(key=lambda m: (-int(stats.visits[m]), -float(stats.values[m]), -float(stats.priors[m])))
    unvisited = sorted((int(m) for m in legal if stats.visits[m] == 0), key=lambda m: -float(stats.priors[m]))
    chosen = visited + unvisited[: max(request.min_moves - len(visited), 0)]
    if request.max_moves is not None:
        chosen = chosen[: request.max_moves]
    found = []
    for order, move in enumerate(chosen):
        visits = int(stats.visits[move])
        winrate = (float(stats.values[move]) + 1) / 2 if visits else root_winrate
        winrate = min(max(winrate, 0.0), 1.0)
        pv = search.principal_variation(g, request.pv_length, first=move)
        prior = min(max(float(stats.priors[move]), 0.0), 1.0)
        score = None
        if stats.scores is not None:
            score = float(stats.scores[move]) if visits else root_score
        found.append(Candidate(move, visits, winrate, prior, lower_confidence_bound(winrate, visits), order, pv,
                               score))  # fmt: skip
    return found


def _vertices(moves: list[int], size: int) -> str:
    return " ".join(flat_to_gtp(m, size) for m in moves)


def lz_line(found: list[Candidate], size: int) -> str:
    """Leela Zero's line: integers 0..10000."""
    return " ".join(
        f"info move {flat_to_gtp(c.move, size)} visits {c.visits} winrate {round(10000 * c.winrate)} "
        f"prior {round(10000 * c.prior)} lcb {round(10000 * c.lcb)} order {c.order} pv {_vertices(c.pv, size)}"
        for c in found
    )


def kata_line(found: list[Candidate], size: int, ownership: np.ndarray | None = None) -> str:
    """KataGo's line: floats in [0, 1] (and utility in [-1, 1]), ownership last if asked."""
    line = " ".join(
        f"info move {flat_to_gtp(c.move, size)} visits {c.visits} utility {2 * c.winrate - 1:.6f} "
        f"winrate {c.winrate:.6f}{_kata_score(c)} prior {c.prior:.6f} lcb {c.lcb:.6f} order {c.order} "
        f"pv {_vertices(c.pv, size)}"
        for c in found
    )
    if ownership is not None:
        line += " ownership " + " ".join(f"{v:.4f}" for v in ownership)
    return line


def _kata_score(candidate: Candidate) -> str:
    """`` scoreMean X scoreLead X`` (KataGo's order: after the winrate), empty without a score head."""
    if candidate.score_lead is None:
        return ""
    return f" scoreMean {candidate.score_lead:.4f} scoreLead {candidate.score_lead:.4f}"


def json_line(found: list[Candidate], size: int, root_visits: int, root_winrate: float,
              ownership: np.ndarray | None = None, root_score: float | None = None) -> str:  # fmt: skip
    """``dosaku-analyze``: one JSON object per line, fields named as KataGo's analysis engine names them."""
    root = {"visits": root_visits, "winrate": round(root_winrate, 6)}
    if root_score is not None:
        root["scoreLead"] = round(root_score, 4)
    moves = []
    for c in found:
        info = {"move": flat_to_gtp(c.move, size), "visits": c.visits, "winrate": round(c.winrate, 6)}
        if c.score_lead is not None:
            info["scoreLead"] = round(c.score_lead, 4)
        info.update(prior=round(c.prior, 6), lcb=round(c.lcb, 6), order=c.order,
                    pv=[flat_to_gtp(m, size) for m in c.pv])  # fmt: skip
        moves.append(info)
    record = {"rootInfo": root, "moveInfos": moves}
    if ownership is not None:
        record["ownership"] = [round(float(v), 4) for v in ownership]
    return json.dumps(record, separators=(",", ":"))


class AnalysisSession:
    """One analysis of one position: searches in chunks, formats a line whenever the
    interval has passed, and stops when ``interrupted()`` says a new command came.

    ``player`` is an anytime player (``analyze``, ``search_more``, ``search``);
    ``ownership`` (analysed player's view, or None) is computed once by the caller,
    as it does not change while the search runs.
    """

    def __init__(self, player, game, request: AnalysisRequest, ownership: Callable[[], np.ndarray] | None = None,
                 clock: Callable[[], float] = time.monotonic, chunk: int = 32):  # fmt: skip
        self.player, self.game, self.request = player, game, request
        self.ownership_source, self._ownership = ownership, None
        self.clock, self.chunk = clock, chunk
        self.next_emit = clock() + request.interval_cs / 100
        self.lines = 0

    def line(self) -> str:
        """The current analysis, formatted."""
        search, size, request = self.player.search, self.game.size, self.request
        found = candidates(search, request)
        ownership = None
        if request.ownership and self.ownership_source is not None:
            if self._ownership is None:
                self._ownership = self.ownership_source()
            ownership = self._ownership
        if request.fmt == "lz":
            return lz_line(found, size)
        if request.fmt == "kata":
            return kata_line(found, size, ownership)
        result = search.result(0)
        return json_line(found, size, result.root_visits, (result.value + 1) / 2, ownership, result.score)

    def maybe_emit(self, emit: Callable[[str], None], force: bool = False) -> None:
        """Emit a line if the interval has passed (or ``force``) and the search has visits."""
        now = self.clock()
        due = self.request.interval_cs > 0 and now >= self.next_emit
        if not (due or force) or self.player.search.result(0).root_visits == 0:
            return
        text = self.line()
        if text:
            emit(text)
            self.lines += 1
        self.next_emit = max(self.next_emit + self.request.interval_cs / 100, now)

    def run(self, emit: Callable[[str], None], interrupted: Callable[[], bool]) -> str:
        """Analyse until interrupted (``lz-analyze``); the answer has no final text.

        Once the tree is full the search no longer deepens (and memory stays bounded):
        the session then only waits, repeating its last line at each interval.
        """
        search = self.player.analyze(self.game)
        while not interrupted():
            if search.is_full(0):
                time.sleep(IDLE_WAIT)
            else:
                self.player.search_more(self.chunk)
            self.maybe_emit(emit)
        if self.lines == 0 and self.request.interval_cs > 0:
            self.maybe_emit(emit, force=True)  # stopped within the first interval: one line all the same
        return ""

    def watcher(self, emit: Callable[[str], None]) -> Callable[[int, np.ndarray], None]:
        """A callback for a move's chunked search (``genmove_analyze``): lines as it goes."""
        return lambda simulations, visits: self.maybe_emit(emit)
