"""Live analysis for Go GUIs: ``lz-analyze``, ``kata-analyze``, their ``genmove_analyze``
forms and ``dosaku-analyze`` (JSON lines).

Formats follow Leela Zero's and KataGo's published GTP extensions (KataGo's
docs/GTP_Extensions.md), which Sabaki, Lizzie and KaTrain parse:

* arguments: ``[colour] [interval] [key value ...]``, keys ``interval`` (centiseconds),
  ``minmoves``, ``maxmoves``, ``pvlength``, KataGo's booleans ``ownership``,
  ``ownershipStdev``, ``movesOwnership``, ``rootInfo``, ``pvVisits``, ``pvEdgeVisits``
  (``true``/``false``), and ``avoid``/``allow COLOUR VERTEX,VERTEX,... DEPTH``, which the
  search obeys (``analysis.moves``: the moves are kept out of the search for that
  colour in the first DEPTH plies). Every format accepts every key; Leela's line has no
  place for KataGo's extra fields, so ``lz`` shows none of them.
* one output line per interval holds every candidate (``analysis.moves.candidates``):
  ``info move D4 visits 120 winrate 5432 prior 1234 lcb 5300 order 0 pv D4 E5 info move
  ...``. lz: winrate, prior and lcb are integers 0..10000; kata: floats in [0, 1]
  written with a decimal point (Sabaki takes a number without one for Leela's integer
  scale), plus ``utility``; with a network that has a score head, ``scoreMean``,
  ``scoreStdev`` and ``scoreLead``, none without one (no made-up zeros). After ``pv``:
  ``pvVisits``, ``pvEdgeVisits``, ``movesOwnership`` (N*N floats) when asked. Then the
  line's ``rootInfo`` (visits, utility, winrate, score fields, ``currentPlayer``),
  ``ownership`` and ``ownershipStdev`` (N*N floats each, top-left first) when asked.
  ``ownership`` is the network's head on the position (or random playouts without
  one); ``movesOwnership`` the head on each candidate's position, and
  ``ownershipStdev`` their visit-weighted spread (``analysis.moves.ownership_spread``),
  both omitted without an ownership head.
  ``dosaku-analyze`` writes the same as JSON, named as KataGo's analysis engine names it.
* everything is from the point of view of the analysed player; ``pv`` comes right
  after ``order`` and starts with the move itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from analysis.moves import (
    Ban,
    Candidate,
    ban_table,
    candidate_ownership,
    candidates,
    check_bans,
    ownership_spread,
    root_utility,
)
from engine.coords import flat_to_gtp
from engine.game import BLACK

FORMATS = ("lz", "kata", "dosaku")
DEFAULT_INTERVAL_CS = 100  # KataGo's and Leela's choice when the GUI names none
DEFAULT_PV_LENGTH = 15
IDLE_WAIT = 0.01  # seconds between looks at the input once the tree is full
# KataGo's boolean keys (lower case, as they are matched) and the request's field for each.
FLAGS = {
    "ownership": "ownership",
    "ownershipstdev": "ownership_stdev",
    "movesownership": "moves_ownership",
    "rootinfo": "root_info",
    "pvvisits": "pv_visits",
    "pvedgevisits": "pv_edge_visits",
}


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
    ownership_stdev: bool = False
    moves_ownership: bool = False
    root_info: bool = False
    pv_visits: bool = False
    pv_edge_visits: bool = False
    bans: list[Ban] = field(default_factory=list)  # avoid/allow, in the order given


def parse_request(fmt: str, args: list[str], parse_color: Callable[[str], int], parse_int: Callable[[str], int],
                  parse_move: Callable[[str], int] | None = None) -> AnalysisRequest:  # fmt: skip
    """The request in ``args``; ValueError with a short reason when they make no sense.
    ``parse_move`` reads a vertex of avoid/allow (none given: those keys are refused)."""
    request = AnalysisRequest(fmt)
    rest = list(args)
    if rest and rest[0].lower() in ("b", "w", "black", "white"):
        request.color = parse_color(rest.pop(0))
    if rest and rest[0].lstrip("+-").isdigit():
        request.interval_cs = parse_int(rest.pop(0))
    while rest:
        key = rest.pop(0).lower()
        if key in ("avoid", "allow"):
            if len(rest) < 3:
                raise ValueError(f"{key} needs a colour, vertices and a depth")
            if parse_move is None:
                raise ValueError(f"{key} needs a board to read its vertices on")
            color, vertices, depth = rest[:3]
            del rest[:3]
            moves = [parse_move(v) for v in vertices.split(",") if v]
            request.bans.append(Ban(parse_color(color), moves, parse_int(depth), key == "allow"))
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
        elif key in FLAGS:
            if value.lower() not in ("true", "false"):
                raise ValueError(f"{key} takes true or false, not {value[:20]!r}")
            setattr(request, FLAGS[key], value.lower() == "true")
        else:
            raise ValueError(f"unknown analysis option {key[:20]!r}")
    if request.interval_cs < 0 or request.min_moves < 0 or request.pv_length < 1:
        raise ValueError("interval and minmoves cannot be negative, pvlength must be positive")
    if request.max_moves is not None and request.max_moves < 1:
        raise ValueError("maxmoves must be at least 1")
    check_bans(request.bans)
    return request


def _vertices(moves: list[int], size: int) -> str:
    return " ".join(flat_to_gtp(m, size) for m in moves)


def _floats(values: np.ndarray) -> str:
    return " ".join(f"{v:.4f}" for v in values)


@dataclass
class Extras:
    """What a line shows beyond the candidates, each None when not asked or not known:
    the root's view, the ownership, its spread and each candidate's (analysed player's view)."""

    root: dict | None = None  # KataGo's rootInfo fields
    ownership: np.ndarray | None = None  # [N*N]
    ownership_stdev: np.ndarray | None = None  # [N*N]
    moves_ownership: dict[int, np.ndarray] | None = None  # move -> [N*N]


def lz_line(found: list[Candidate], size: int) -> str:
    """Leela Zero's line: integers 0..10000."""
    return " ".join(
        f"info move {flat_to_gtp(c.move, size)} visits {c.visits} winrate {round(10000 * c.winrate)} "
        f"prior {round(10000 * c.prior)} lcb {round(10000 * c.lcb)} order {c.order} pv {_vertices(c.pv, size)}"
        for c in found
    )


def kata_line(found: list[Candidate], size: int, ownership: np.ndarray | None = None,
              request: AnalysisRequest | None = None, extras: Extras | None = None) -> str:  # fmt: skip
    """KataGo's line: floats in [0, 1] (and utility in [-1, 1]), the asked extras after
    each pv, then rootInfo, ownership and ownershipStdev."""
    request = request or AnalysisRequest("kata")
    extras = extras or Extras(ownership=ownership)
    parts = []
    for c in found:
        text = (f"info move {flat_to_gtp(c.move, size)} visits {c.visits} utility {c.utility:.6f} "
                f"winrate {c.winrate:.6f}{_kata_score(c)} prior {c.prior:.6f} lcb {c.lcb:.6f} order {c.order} "
                f"pv {_vertices(c.pv, size)}")  # fmt: skip
        if request.pv_visits:
            text += " pvVisits " + " ".join(str(v) for v in c.pv_visits)
        if request.pv_edge_visits:  # a tree: each edge's visits are its child's (analysis.moves)
            text += " pvEdgeVisits " + " ".join(str(v) for v in c.pv_visits)
        if extras.moves_ownership is not None and c.move in extras.moves_ownership:
            text += " movesOwnership " + _floats(extras.moves_ownership[c.move])
        parts.append(text)
    line = " ".join(parts)
    if extras.root is not None:
        line += " rootInfo " + " ".join(f"{k} {_kata_value(v)}" for k, v in extras.root.items())
    if extras.ownership is not None:
        line += " ownership " + _floats(extras.ownership)
    if extras.ownership_stdev is not None:
        line += " ownershipStdev " + _floats(extras.ownership_stdev)
    return line


def _kata_value(value) -> str:
    return f"{value:.6f}" if isinstance(value, float) else str(value)


def _kata_score(candidate: Candidate) -> str:
    """`` scoreMean X scoreStdev Y scoreLead X`` (KataGo's order: after the winrate), empty without a score head."""
    if candidate.score_lead is None:
        return ""
    return (f" scoreMean {candidate.score_lead:.4f} scoreStdev {candidate.score_stdev:.4f}"
            f" scoreLead {candidate.score_lead:.4f}")  # fmt: skip


def root_info(search, g: int, color: int) -> dict:
    """KataGo's ``rootInfo`` of game ``g``'s search, for the analysed ``color``."""
    result = search.result(g)
    info = {"visits": result.root_visits, "utility": root_utility(search, g), "winrate": (result.value + 1) / 2}
    if result.score is not None:
        stdev = search.root_score_stdev(g)
        info.update(scoreMean=result.score, scoreStdev=stdev, scoreLead=result.score)
    info["currentPlayer"] = "B" if color == BLACK else "W"
    return info


def json_line(found: list[Candidate], size: int, root_visits: int, root_winrate: float,
              ownership: np.ndarray | None = None, root_score: float | None = None,
              extras: Extras | None = None) -> str:  # fmt: skip
    """``dosaku-analyze``: one JSON object per line, fields named as KataGo's analysis engine names them."""
    root = {"visits": root_visits, "winrate": round(root_winrate, 6)}
    if root_score is not None:
        root["scoreLead"] = round(root_score, 4)
    if extras is not None and extras.root is not None:
        root = {k: round(v, 6) if isinstance(v, float) else v for k, v in extras.root.items()}
    moves = []
    for c in found:
        info = {"move": flat_to_gtp(c.move, size), "visits": c.visits, "winrate": round(c.winrate, 6)}
        if c.score_lead is not None:
            info["scoreLead"] = round(c.score_lead, 4)
            info["scoreStdev"] = round(c.score_stdev, 4)
        info.update(prior=round(c.prior, 6), lcb=round(c.lcb, 6), order=c.order,
                    pv=[flat_to_gtp(m, size) for m in c.pv])  # fmt: skip
        if extras is not None and extras.moves_ownership is not None and c.move in extras.moves_ownership:
            info["ownership"] = [round(float(v), 4) for v in extras.moves_ownership[c.move]]
        moves.append(info)
    record = {"rootInfo": root, "moveInfos": moves}
    if ownership is not None:
        record["ownership"] = [round(float(v), 4) for v in ownership]
    if extras is not None and extras.ownership_stdev is not None:
        record["ownershipStdev"] = [round(float(v), 4) for v in extras.ownership_stdev]
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
        self._moves_ownership: dict[int, np.ndarray] = {}  # each candidate's, once computed (positions do not change)
        self.sign = 1.0 if game.to_play == BLACK else -1.0  # black's view to the analysed player's

    def bans(self) -> np.ndarray | None:
        """The search's ban table for this request's avoid/allow (``MCTSPlayer.banned_until``)."""
        return ban_table(self.request.bans, self.game.size * self.game.size + 1)

    def line(self) -> str:
        """The current analysis, formatted."""
        search, size, request = self.player.search, self.game.size, self.request
        found = candidates(search, 0, request.min_moves, request.max_moves, request.pv_length)
        if request.fmt == "lz":
            return lz_line(found, size)
        extras = self.extras(found)
        if request.fmt == "kata":
            return kata_line(found, size, request=request, extras=extras)
        result = search.result(0)
        return json_line(found, size, result.root_visits, (result.value + 1) / 2, extras.ownership, result.score,
                         extras)  # fmt: skip

    def extras(self, found: list[Candidate]) -> Extras:
        """The request's extras (see the module docstring), None where not asked or not known."""
        request, extras = self.request, Extras()
        if request.root_info:
            extras.root = root_info(self.player.search, 0, self.game.to_play)
        if request.ownership and self.ownership_source is not None:
            if self._ownership is None:
                self._ownership = self.ownership_source()
            extras.ownership = self._ownership
        if request.moves_ownership or request.ownership_stdev:
            wanted = [c.move for c in found if request.moves_ownership or c.visits > 0]
            missing = [m for m in wanted if m not in self._moves_ownership]
            owned = candidate_ownership(getattr(self.player, "evaluator", None), self.game, missing)
            if owned is not None:
                self._moves_ownership.update(zip(missing, self.sign * owned, strict=True))
            if all(m in self._moves_ownership for m in wanted):  # no head: nothing is shown
                if request.moves_ownership:
                    extras.moves_ownership = {m: self._moves_ownership[m] for m in wanted}
                visited = [c for c in found if c.visits > 0]
                if request.ownership_stdev and visited:
                    table = np.stack([self._moves_ownership[c.move] for c in visited])
                    extras.ownership_stdev = ownership_spread(table, np.array([c.visits for c in visited]))[1]
        return extras

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
