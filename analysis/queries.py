"""KataGo's JSON analysis queries (KataGo's docs/Analysis_Engine.md), read and checked.

A query names a game (``initialStones``, ``initialPlayer``, ``moves``, ``rules``,
``komi``, ``boardXSize``/``boardYSize``) and the turns to analyse (``analyzeTurns``,
default: the position after all the moves); each turn is one position to search
(``maxVisits``), answered on its own line. ``QueryError`` carries KataGo's error
line: the message and the field at fault. Fields Dosaku reads but cannot honour
are named by ``Query.warnings`` (KataGo's warning lines).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from analysis.moves import Ban, check_bans
from engine.coords import flat_to_gtp, gtp_to_flat
from engine.game import BLACK, WHITE, GameState
from engine.ruleset import RulesError, check_katago_rules

ACTIONS = ("query_version", "terminate", "terminate_all", "clear_cache")
PERSPECTIVES = ("BLACK", "WHITE", "SIDETOMOVE")  # reportAnalysisWinratesAs
DEFAULT_KOMI = 7.5  # KataGo's for area scoring
MAX_VISITS_LIMIT = 1_000_000
# overrideSettings Dosaku applies; any other key gets a warning (it would change nothing).
APPLIED_OVERRIDES = ("reportAnalysisWinratesAs", "maxVisits", "maxTime")
# Top-level fields Dosaku reads; any other gets a warning, as KataGo warns of unused fields.
KNOWN_FIELDS = (
    "id", "moves", "initialStones", "initialPlayer", "rules", "komi", "boardXSize", "boardYSize", "analyzeTurns",
    "maxVisits", "includeOwnership", "includeMovesOwnership", "includePolicy", "includePVVisits",
    "reportDuringSearchEvery", "avoidMoves", "allowMoves", "priority", "overrideSettings", "analysisPVLen",
)  # fmt: skip
_ID_RE = re.compile(r'"id"\s*:\s*"((?:[^"\\]|\\.){0,200})"')
_COLORS = {"B": BLACK, "W": WHITE, "BLACK": BLACK, "WHITE": WHITE}


class QueryError(ValueError):
    """A query that cannot be answered: KataGo's ``error`` line, with the ``field`` at fault."""

    def __init__(self, message: str, field_name: str | None = None):
        super().__init__(message)
        self.field = field_name


@dataclass
class Query:
    """One query, checked: the positions to search and what the answers hold."""

    id: str
    size: int
    komi: float
    positions: list[tuple[int, GameState]]  # (turn number, the game up to it), in analyzeTurns' order
    max_visits: int
    include_ownership: bool = False
    include_moves_ownership: bool = False
    include_policy: bool = False
    include_pv_visits: bool = False
    report_every: float | None = None  # seconds between answers during the search
    priority: int = 0
    report_as: str = "BLACK"
    max_time: float | None = None  # seconds a position may be searched (overrideSettings maxTime)
    pv_length: int = 15  # analysisPVLen
    bans: dict[int, list[Ban]] = field(default_factory=dict)  # turn -> avoid/allow at that turn
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (message, field)


def _color(text, name: str) -> int:
    color = _COLORS.get(str(text).upper()) if isinstance(text, str) else None
    if color is None:
        raise QueryError(f"expected a player 'B' or 'W', got {str(text)[:20]!r}", name)
    return color


def _move(text, size: int, name: str) -> int:
    if not isinstance(text, str):
        raise QueryError(f"expected a vertex, got {str(text)[:20]!r}", name)
    if text.lower() == "pass":
        return size * size
    try:
        return gtp_to_flat(text, size)
    except ValueError:
        raise QueryError(f"not a vertex of a {size}x{size} board: {text[:20]!r}", name) from None


def _bool(record: dict, key: str) -> bool:
    value = record.get(key, False)
    if not isinstance(value, bool):
        raise QueryError(f"{key} must be true or false", key)
    return value


def _int(record: dict, key: str, default: int, low: int, high: int) -> int:
    value = record.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise QueryError(f"{key} must be an integer from {low} to {high}", key)
    return value


def id_in_text(line: str) -> str | None:
    """The ``"id"`` a line that is not valid JSON still shows, if any, so that its error
    line reaches the query's owner (KataGo's would carry no id)."""
    found = _ID_RE.search(line)
    if not found:
        return None
    try:
        return json.loads(f'"{found.group(1)}"')
    except json.JSONDecodeError:
        return None


def parse_line(line: str) -> dict:
    """The JSON object of one input line; QueryError when it is none."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as err:
        raise QueryError(f"could not parse input line as json request: {str(err)[:80]}") from None
    if not isinstance(record, dict):
        raise QueryError("a request must be a JSON object")
    if "id" not in record or not isinstance(record["id"], str):
        raise QueryError("request must have a string field 'id'", "id")
    return record


def parse_query(record: dict, network_size: int | None, default_visits: int, report_as: str) -> Query:
    """The query in ``record`` (``parse_line``'s); QueryError with the field at fault.
    ``network_size``: the only board size the network plays (None: any)."""
    query_id = record["id"]
    size = _int(record, "boardXSize", 19, 2, 19)
    if _int(record, "boardYSize", 19, 2, 19) != size:
        raise QueryError("Dosaku plays square boards only: boardXSize and boardYSize must agree", "boardYSize")
    if network_size is not None and size != network_size:
        raise QueryError(f"the network plays {network_size}x{network_size}, not {size}x{size}", "boardXSize")
    rules = record.get("rules", "tromp-taylor")
    try:
        check_katago_rules(rules if isinstance(rules, str) else json.dumps(rules))
    except RulesError as err:
        raise QueryError(str(err), "rules") from None
    komi = record.get("komi", DEFAULT_KOMI)
    if isinstance(komi, bool) or not isinstance(komi, int | float) or not math.isfinite(komi) or abs(komi) > 150:
        raise QueryError("komi must be a number from -150 to 150", "komi")
    game = GameState(size, float(komi))
    stones = record.get("initialStones", [])
    if not isinstance(stones, list):
        raise QueryError("initialStones must be a list of [player, vertex]", "initialStones")
    for entry in stones:
        if not isinstance(entry, list) or len(entry) != 2:
            raise QueryError("initialStones must be a list of [player, vertex]", "initialStones")
        try:
            game.place_setup_stones(_color(entry[0], "initialStones"), [_move(entry[1], size, "initialStones")])
        except ValueError as err:
            raise QueryError(f"illegal initial stone: {err}", "initialStones") from None
    moves = record.get("moves", [])
    if not isinstance(moves, list):
        raise QueryError("moves must be a list of [player, vertex]", "moves")
    parsed = []
    for entry in moves:
        if not isinstance(entry, list) or len(entry) != 2:
            raise QueryError("moves must be a list of [player, vertex]", "moves")
        parsed.append((_color(entry[0], "moves"), _move(entry[1], size, "moves")))
    first = parsed[0][0] if parsed else BLACK
    if "initialPlayer" in record:
        first = _color(record["initialPlayer"], "initialPlayer")
    game.to_play = first
    turns = record.get("analyzeTurns", [len(parsed)])
    if (
        not isinstance(turns, list)
        or not turns
        or any(isinstance(t, bool) or not isinstance(t, int) or not 0 <= t <= len(parsed) for t in turns)
    ):
        raise QueryError(f"analyzeTurns must list turn numbers from 0 to {len(parsed)}", "analyzeTurns")
    positions = []
    wanted = set(turns)
    snapshots = {}
    for number, (color, move) in enumerate(parsed):
        if number in wanted:
            snapshots[number] = game.copy()
        reason = game.illegal_reason(move, color)
        if reason is not None:
            raise QueryError(
                f"Illegal move {number}: {'BW'[color - BLACK]} {flat_to_gtp(move, size)} ({reason})", "moves"
            )
        game.play(move, color)
    snapshots.setdefault(len(parsed), game.copy())
    for turn in turns:
        position = snapshots[turn]
        if position.is_over():  # two passes end a game; analysis goes on, as KataGo's does
            position.resume()
        positions.append((turn, position))
    query = Query(query_id, size, float(komi), positions, default_visits, report_as=report_as)
    _read_options(record, query)
    return query


def _read_options(record: dict, query: Query) -> None:
    """The search and answer options of ``record`` into ``query``."""
    overrides = record.get("overrideSettings", {})
    if not isinstance(overrides, dict):
        raise QueryError("overrideSettings must be an object", "overrideSettings")
    for key in overrides:
        if key not in APPLIED_OVERRIDES:
            query.warnings.append((f"setting {key[:40]!r} is not one Dosaku applies: ignored", "overrideSettings"))
    if "reportAnalysisWinratesAs" in overrides:
        report_as = str(overrides["reportAnalysisWinratesAs"]).upper()
        if report_as not in PERSPECTIVES:
            raise QueryError(f"reportAnalysisWinratesAs must be one of {', '.join(PERSPECTIVES)}", "overrideSettings")
        query.report_as = report_as
    if "maxTime" in overrides:
        max_time = overrides["maxTime"]
        if isinstance(max_time, bool) or not isinstance(max_time, int | float) or not 0 < max_time <= 1e7:
            raise QueryError("maxTime must be a positive number of seconds", "overrideSettings")
        query.max_time = float(max_time)
    if "maxVisits" in overrides:
        query.max_visits = _int(overrides, "maxVisits", query.max_visits, 1, MAX_VISITS_LIMIT)
    query.max_visits = _int(record, "maxVisits", query.max_visits, 1, MAX_VISITS_LIMIT)
    query.pv_length = _int(record, "analysisPVLen", query.pv_length, 1, 1000)
    for key in record:
        if key not in KNOWN_FIELDS:
            query.warnings.append((f"unexpected or unused field {key[:40]!r}", key[:40]))
    query.include_ownership = _bool(record, "includeOwnership")
    query.include_moves_ownership = _bool(record, "includeMovesOwnership")
    query.include_policy = _bool(record, "includePolicy")
    query.include_pv_visits = _bool(record, "includePVVisits")
    query.priority = _int(record, "priority", 0, -(2**31), 2**31 - 1)
    every = record.get("reportDuringSearchEvery")
    if every is not None:
        if isinstance(every, bool) or not isinstance(every, int | float) or not 0.001 <= every <= 1e6:
            raise QueryError(
                "reportDuringSearchEvery must be a number of seconds, at least 0.001", "reportDuringSearchEvery"
            )
        query.report_every = float(every)
    for key, allow in (("avoidMoves", False), ("allowMoves", True)):
        entries = record.get(key, [])
        if not isinstance(entries, list):
            raise QueryError(f"{key} must be a list of {{player, moves, untilDepth}}", key)
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("moves"), list):
                raise QueryError(f"{key} must be a list of {{player, moves, untilDepth}}", key)
            color = _color(entry.get("player"), key)
            moves = [_move(m, query.size, key) for m in entry["moves"]]
            depth = _int(entry, "untilDepth", 1, 1, 10**6)
            ban = Ban(color, moves, depth, allow)
            for turn, _position in query.positions:
                query.bans.setdefault(turn, []).append(ban)
    for bans in query.bans.values():
        try:
            check_bans(bans)
        except ValueError as err:
            raise QueryError(str(err), "allowMoves") from None
