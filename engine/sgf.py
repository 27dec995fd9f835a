"""SGF game records: read and write Go games in Smart Game Format (FF[4]) through sgfmill.

A ``GameRecord`` is the plain data of one game: board size, komi, players, result,
setup stones and the main line of moves, in Dosaku's conventions (colours
``BLACK = 1`` / ``WHITE = 2``, flat moves with ``PASS = N*N``; see ``coords``).
sgfmill does the parsing and escaping; this module only translates between its
nodes and the record, and between the record and a ``GameState``.

Reading takes the first game of a file and its main line only (variations are
ignored). Defaults follow the SGF specification where it has one (``SZ`` 19) and
common practice where it has none: a missing ``KM`` is komi 0, a missing ``RU``
is the record's default rules. Setup stones (``AB``/``AW``/``AE``) are accepted
before the first move only, since ``GameState`` has no way to edit a position in
the middle of a game.

Writing emits ``GM[1] FF[4] CA[UTF-8] AP[Dosaku:version]``, the game
information (``RU`` names Dosaku's rules as KataGo writes them,
``koPOSITIONALscoreAREAtaxNONEsui0``: see ``engine/ruleset.py``), setup stones, ``PL`` when the first player is not the one a reader
would infer, and one node per move; a pass is the empty value ``B[]`` (FF[4]),
not FF[3]'s ``tt``, which is still accepted on input.
"""

from __future__ import annotations

import datetime
import functools
import os
from dataclasses import dataclass, field
from importlib import metadata

from sgfmill import sgf, sgf_grammar

from engine.coords import MAX_SIZE, MIN_SIZE, flat_to_gtp, flat_to_sgfmill, sgfmill_to_flat
from engine.files import atomic_write_text
from engine.game import BLACK, WHITE, GameState, IllegalMoveError
from engine.ruleset import SGF_RULES

COLOUR_LETTERS = {BLACK: "B", WHITE: "W"}
SGFMILL_COLOURS = {"b": BLACK, "w": WHITE}  # sgfmill names colours 'b' and 'w'
MISSING_KOMI = 0.0  # KM has no default in FF[4]; 0 is what sgfmill and most readers assume


class SGFError(ValueError):
    """An SGF file Dosaku cannot use; the message names the problem (and the move, if any)."""


@dataclass
class GameRecord:
    """One game as an SGF file holds it, in Dosaku's coordinates.

    ``moves`` are ``(colour, flat move)`` in order, the pass being ``size * size``.
    ``comments`` maps 0 to the root comment and ``k`` to the comment on move ``k``
    (1-based). ``first_player`` is ``PL`` or the colour of the first move; None
    lets ``record_to_game`` infer it from the setup stones.
    """

    size: int
    komi: float
    rules: str = SGF_RULES
    black: str = ""
    white: str = ""
    result: str | None = None
    date: str | None = None
    setup_black: list[int] = field(default_factory=list)
    setup_white: list[int] = field(default_factory=list)
    first_player: int | None = None
    moves: list[tuple[int, int]] = field(default_factory=list)
    comments: dict[int, str] = field(default_factory=dict)


# --- reading -------------------------------------------------------------------


def parse_sgf(data: bytes | str) -> GameRecord:
    """The first game of SGF ``data`` (main line only) as a record; SGFError if unusable.

    Bytes are decoded as the file's ``CA`` says (ISO-8859-1 without one, as the
    specification has it); a ``str`` is taken as already decoded.
    """
    game = _sgfmill_game(data)
    record = _record_from_root(game)
    _read_main_line(game, record)
    return record


def _sgfmill_game(data: bytes | str) -> sgf.Sgf_game:
    """sgfmill's game tree of the first game in ``data``, with its size and type checked."""
    if isinstance(data, str):
        raw, encoding = data.encode("utf-8"), "UTF-8"
    elif isinstance(data, (bytes, bytearray, memoryview)):
        raw, encoding = bytes(data), None
    else:
        raise TypeError(f"SGF data must be bytes or str, got {type(data).__name__}")
    try:
        # parse_sgf_game reads the first game of a collection and ignores the rest.
        coarse = sgf_grammar.parse_sgf_game(raw)
    except ValueError as err:
        raise SGFError(f"malformed SGF: {err}") from None
    root = coarse.sequence[0]
    _check_game_type(root)
    _check_board_size(root)
    try:
        return sgf.Sgf_game.from_coarse_game_tree(coarse, encoding)
    except ValueError as err:  # an unknown CA encoding
        raise SGFError(f"cannot read the SGF game: {err}") from None


def _check_game_type(root: dict[str, list[bytes]]) -> None:
    """SGFError unless the root's ``GM`` is absent or 1 (Go)."""
    if "GM" in root and root["GM"][0].strip() != b"1":
        raise SGFError(f"GM[{_show(root['GM'][0])}] is not a game of Go (GM[1])")


def _check_board_size(root: dict[str, list[bytes]]) -> None:
    """SGFError unless ``SZ`` is a square size Dosaku plays (checked before sgfmill, which allows 1..26)."""
    raw = root.get("SZ", [b"19"])[0]
    try:
        size = int(raw)
    except ValueError:
        raise SGFError(f"SZ[{_show(raw)}] is not a board size (a number, square boards only)") from None
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise SGFError(
            f"SZ[{size}]: unsupported board size (Dosaku plays {MIN_SIZE}x{MIN_SIZE} to {MAX_SIZE}x{MAX_SIZE})"
        )


def _show(raw: bytes, limit: int = 40) -> str:
    """A raw property value for an error message: any encoding, one line, not too long."""
    text = bytes(raw).decode("utf-8", "replace").replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _get(node: sgf.Tree_node, identifier: str, what: str, default=None):
    """Property ``identifier`` of ``node`` as sgfmill interprets it, ``default`` if absent.

    ``what`` says what a good value is, for the SGFError on a bad one.
    """
    if not node.has_property(identifier):
        return default
    try:
        return node.get(identifier)
    except ValueError as err:  # includes UnicodeDecodeError
        detail = f" ({err})" if isinstance(err, UnicodeDecodeError) else ""
        raise SGFError(f"{identifier}[{_show(node.get_raw(identifier))}] is not {what}{detail}") from None


def _record_from_root(game: sgf.Sgf_game) -> GameRecord:
    """A record holding the game information of the root node (no stones yet)."""
    root = game.get_root()
    record = GameRecord(size=game.get_size(), komi=_get(root, "KM", "a number (komi)", MISSING_KOMI))
    record.rules = _get(root, "RU", "text", record.rules)
    record.black = _get(root, "PB", "text", "")
    record.white = _get(root, "PW", "text", "")
    record.result = _get(root, "RE", "text")
    record.date = _get(root, "DT", "text")
    return record


def _read_main_line(game: sgf.Sgf_game, record: GameRecord) -> None:
    """Fill ``record`` with the setup stones, first player, moves and comments of the main line."""
    setup: dict[int, int] = {}  # flat point -> colour, as AB/AW/AE leave it before move 1
    player_to_start = None  # PL, when a node before the first move has one
    try:
        nodes = game.get_main_sequence()
    except ValueError as err:
        raise SGFError(f"malformed SGF: {err}") from None
    for node in nodes:
        if node.has_setup_stones():
            if record.moves:
                raise SGFError(f"setup stones after move {len(record.moves)} are not supported")
            _apply_setup(node, setup, record.size)
        if not record.moves:
            # PL later in the game says nothing we need: every move carries its colour.
            player_to_start = _get(node, "PL", "a colour (B or W)", player_to_start)
        move = _node_move(node, len(record.moves) + 1, record.size)
        if move is not None:
            record.moves.append(move)
        comment = _get(node, "C", "text")
        if comment is not None:
            # A node without a move (an empty node, a setup node) comments on the latest move.
            _add_comment(record.comments, len(record.moves), comment)
    record.setup_black = sorted(p for p, c in setup.items() if c == BLACK)
    record.setup_white = sorted(p for p, c in setup.items() if c == WHITE)
    if player_to_start is not None:
        record.first_player = SGFMILL_COLOURS[player_to_start]
    elif record.moves:
        record.first_player = record.moves[0][0]


def _apply_setup(node: sgf.Tree_node, setup: dict[int, int], size: int) -> None:
    """Apply one node's AE, AB and AW to ``setup`` (flat point -> colour)."""
    added = {}
    for identifier, colour in (("AB", BLACK), ("AW", WHITE)):
        for point in _get(node, identifier, f"a list of points of a {size}x{size} board", set()):
            move = _point_to_flat(point, size, identifier)
            if move in added:
                raise SGFError(f"setup point {flat_to_gtp(move, size)} is in both AB and AW")
            added[move] = colour
    for point in _get(node, "AE", f"a list of points of a {size}x{size} board", set()):
        setup.pop(_point_to_flat(point, size, "AE"), None)
    setup.update(added)


def _point_to_flat(point: tuple[int, int] | None, size: int, identifier: str) -> int:
    """Flat move of an sgfmill setup point; SGFError for a pass, which is no point."""
    if point is None:
        raise SGFError(f"{identifier} lists a pass, which is not a point")
    return sgfmill_to_flat(point, size)


def _node_move(node: sgf.Tree_node, number: int, size: int) -> tuple[int, int] | None:
    """The ``(colour, flat move)`` of a node (``number`` is its move number), None if it has no move."""
    if node.has_property("B") and node.has_property("W"):
        raise SGFError(f"move {number}: one node holds both a black and a white move")
    colour, raw = node.get_raw_move()
    if colour is None:
        return None
    letter = colour.upper()
    try:
        colour, point = node.get_move()
    except ValueError:
        raise SGFError(f"move {number}: {letter}[{_show(raw)}] is not a point of a {size}x{size} board") from None
    return SGFMILL_COLOURS[colour], sgfmill_to_flat(point, size)


def _add_comment(comments: dict[int, str], key: int, text: str) -> None:
    """Record ``text`` under ``key``, after any comment already there (as sgfmill joins comments)."""
    comments[key] = f"{comments[key]}\n\n{text}" if key in comments else text


# --- records and games -------------------------------------------------------


def record_to_game(record: GameRecord, max_moves: int = 0, up_to: int | None = None) -> GameState:
    """A game with the record's setup and its first ``up_to`` moves (all if None) played and checked.

    ``up_to`` is clamped to the number of moves; when moves remain, the player to
    move is the colour of the next recorded move (as GTP ``loadsgf`` wants). A
    complete record whose result is a resignation ends with that resignation.
    Raises SGFError naming the move number and the reason on an illegal move.
    """
    if up_to is not None and up_to < 0:
        raise ValueError(f"up_to must be a non-negative number of moves, got {up_to}")
    game = _new_game(record, max_moves)
    _place_setup_stones(game, record)
    game.to_play = starting_player(record)
    count = len(record.moves) if up_to is None else min(up_to, len(record.moves))
    for number, (colour, move) in enumerate(record.moves[:count], start=1):
        _play_recorded_move(game, number, colour, move)
    if count < len(record.moves):
        game.to_play = record.moves[count][0]
    elif _resigned_colour(record.result) is not None and not game.is_over():
        game.resign(_resigned_colour(record.result))
    return game


def starting_player(record: GameRecord) -> int:
    """Who moves first: ``first_player`` if set, else the player a reader infers (``inferred_first_player``)."""
    return inferred_first_player(record) if record.first_player is None else record.first_player


def inferred_first_player(record: GameRecord) -> int:
    """The first player without PL: the first mover, else white after black-only setup (handicap), else black."""
    if record.moves:
        return record.moves[0][0]
    return WHITE if record.setup_black and not record.setup_white else BLACK


def _new_game(record: GameRecord, max_moves: int) -> GameState:
    """An empty game of the record's size and komi; SGFError if GameState refuses them."""
    try:
        return GameState(record.size, record.komi, max_moves)
    except ValueError as err:
        raise SGFError(f"cannot set up a {record.size}x{record.size} game with komi {record.komi}: {err}") from None


def _place_setup_stones(game: GameState, record: GameRecord) -> None:
    """Put the record's AB/AW stones on the board; SGFError if the position is impossible."""
    for colour, stones in ((BLACK, record.setup_black), (WHITE, record.setup_white)):
        try:
            game.place_setup_stones(colour, list(stones))
        except ValueError as err:
            raise SGFError(f"bad setup ({'AB' if colour == BLACK else 'AW'}): {err}") from None


def _play_recorded_move(game: GameState, number: int, colour: int, move: int) -> None:
    """Play move ``number`` of a record, with its own colour (SGF allows any order of colours)."""
    try:
        vertex = flat_to_gtp(move, game.size)
        game.play(move, colour)
    except IllegalMoveError as err:
        raise SGFError(f"move {number} ({COLOUR_LETTERS[colour]} {vertex}): illegal move: {err.reason}") from None
    except ValueError as err:  # off the board, not a colour: a record built by hand
        raise SGFError(f"move {number} ({colour!r}, {move!r}): {err}") from None


def _resigned_colour(result: str | None) -> int | None:
    """The colour that resigned according to an ``RE`` value (``B+R``, ``W+Resign``), else None."""
    if not result:
        return None
    winner, _, how = result.strip().upper().partition("+")
    if how not in ("R", "RESIGN") or winner not in ("B", "W"):
        return None
    return WHITE if winner == "B" else BLACK


def record_from_game(
    game: GameState,
    black: str = "",
    white: str = "",
    result: str | None = None,
    date: str | None = None,
    comments: dict[int, str] | None = None,
    rules: str = SGF_RULES,
) -> GameRecord:
    """The record of ``game`` so far; ``result`` defaults to the game's own once it is over, ``date`` to today."""
    if result is None and game.is_over():
        result = game.result()
    return GameRecord(
        size=game.size,
        komi=game.komi,
        rules=rules,
        black=black,
        white=white,
        result=result,
        date=datetime.date.today().isoformat() if date is None else date,
        setup_black=[move for colour, move in game.setup if colour == BLACK],
        setup_white=[move for colour, move in game.setup if colour == WHITE],
        first_player=game.initial_to_play(),
        moves=list(game.moves),
        comments=dict(comments or {}),
    )


# --- writing -------------------------------------------------------------------


def write_sgf(record: GameRecord) -> str:
    """The record as SGF text (FF[4], UTF-8), one node per move; SGFError if the record is inconsistent."""
    _check_record(record)
    game = sgf.Sgf_game(record.size, encoding="UTF-8")
    _write_root(game.get_root(), record)
    for number, (colour, move) in enumerate(record.moves, start=1):
        node = game.extend_main_sequence()
        point = flat_to_sgfmill(move, record.size)
        if point is None:
            # sgfmill writes a pass as FF[3]'s "tt"; FF[4] prefers the empty value.
            node.set_raw(COLOUR_LETTERS[colour], b"")
        else:
            node.set_move(COLOUR_LETTERS[colour].lower(), point)
        if number in record.comments:
            node.set("C", record.comments[number])
    return game.serialise().decode("utf-8")


def game_to_sgf(game: GameState, **kwargs) -> str:
    """SGF text of ``game``; ``kwargs`` as for ``record_from_game``."""
    return write_sgf(record_from_game(game, **kwargs))


def _check_record(record: GameRecord) -> None:
    """SGFError if the record cannot be written faithfully."""
    if not isinstance(record.size, int) or not MIN_SIZE <= record.size <= MAX_SIZE:
        raise SGFError(f"unsupported board size {record.size!r} (Dosaku plays {MIN_SIZE} to {MAX_SIZE})")
    if record.first_player not in (None, BLACK, WHITE):
        raise SGFError(f"first player must be BLACK, WHITE or None, got {record.first_player!r}")
    pass_move = record.size * record.size
    for number, (colour, move) in enumerate(record.moves, start=1):
        if colour not in COLOUR_LETTERS or not 0 <= move <= pass_move:
            raise SGFError(f"move {number}: ({colour!r}, {move!r}) is not a move of a {record.size}x{record.size} game")
    for identifier, stones in (("AB", record.setup_black), ("AW", record.setup_white)):
        if any(not 0 <= move < pass_move for move in stones):
            raise SGFError(f"{identifier}: setup stones must be points of the board, got {list(stones)}")
    if set(record.setup_black) & set(record.setup_white):
        raise SGFError("a setup point is both black and white")
    stray = sorted(key for key in record.comments if not 0 <= key <= len(record.moves))
    if stray:
        raise SGFError(f"comments on moves {stray}, but the record has {len(record.moves)} moves")


def _write_root(root: sgf.Tree_node, record: GameRecord) -> None:
    """Game information, setup stones, PL and root comment on the root node."""
    root.set("AP", ("Dosaku", _dosaku_version()))
    root.set("KM", float(record.komi))
    optional_text = {"RU": record.rules, "PB": record.black, "PW": record.white, "RE": record.result, "DT": record.date}
    for identifier, value in optional_text.items():
        if value:
            root.set(identifier, value)
    size = record.size
    black = {flat_to_sgfmill(move, size) for move in record.setup_black}
    white = {flat_to_sgfmill(move, size) for move in record.setup_white}
    root.set_setup_stones(black, white)
    if record.first_player is not None and record.first_player != inferred_first_player(record):
        root.set("PL", COLOUR_LETTERS[record.first_player].lower())
    if 0 in record.comments:
        root.set("C", record.comments[0])


@functools.cache
def _dosaku_version() -> str:
    """Dosaku's installed version, for AP; read once, when the first file is written."""
    try:
        return metadata.version("dosaku")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- files -------------------------------------------------------------------


def load_sgf_file(path: str | os.PathLike) -> GameRecord:
    """The record in the SGF file at ``path``; OSError or SGFError, both naming the path."""
    with open(path, "rb") as handle:  # OSError's message names the path already
        data = handle.read()
    try:
        return parse_sgf(data)
    except SGFError as err:
        raise SGFError(f"{os.fspath(path)}: {err}") from err


def save_sgf_file(path: str | os.PathLike, text: str) -> None:
    """Write SGF ``text`` to ``path`` atomically (UTF-8, as ``write_sgf`` declares in CA)."""
    atomic_write_text(path, text)
