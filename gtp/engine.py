"""The engine side of the Go Text Protocol, version 2 (GTP 2, draft 2, Farnebäck 2002).

Conventions:

* **State** is one ``GameState`` (``engine/game.py``) in ``self.game``; the rules are
  the project's (area scoring, suicide and positional superko illegal, game over
  after two consecutive passes). Moves are flat inside, GTP vertices on the wire.
* **Players** are objects with ``genmove(game) -> Decision`` (``mcts/players.py``);
  the engine hands them a copy of the game with the requested colour to move. A
  player resigns by returning a negative move (``RESIGN``).
* **Commands** live in a table, ``self.commands``, mapping a name to a handler. A
  handler takes the argument list (strings) and returns the response text, or
  raises ``GTPCommandError`` with the message after ``?``. Any other exception is
  turned into ``? internal error (...)`` as well, so nothing a client sends stops the
  engine. The engine holds GTP's standard commands and knows nothing of any other:
  extensions (``gtp/extensions/``: KGS's clocks, life and death, analysis) add theirs
  with ``register``, and ``gtp/build.py`` builds the engine ``dosaku gtp`` serves.
* **Streamed answers**: a handler may return ``Streamed`` instead of text (live
  analysis). ``serve`` then writes ``=id`` at once and each line as it comes, and
  tells the handler when the next command has arrived (stdin is read by a thread
  into a queue, so the engine can search while it waits); ``handle_line`` runs it
  briefly and returns the whole answer.
* **Board sizes**: 2 to 19, and only its own for a player whose network was trained
  on one size (``network_size``): ``boardsize`` answers the spec's ``unacceptable
  size`` for the others and ``loadsgf`` refuses their records, leaving the game as it
  was, so that no later command fails inside the network.
* **Counting** a finished game (``final_score``, ``printsgf``'s ``RE``) is
  ``self.count``: the board as it stands here; ``gtp/extensions/dead_stones.py``
  makes it take dead stones off first.
* **Time**: ``self.timing`` (``gtp/time_control.py``) keeps the clocks and gives
  each ``genmove`` of an anytime player (one with ``search_more``) its stop rule.
* **Wire format** (``gtp/protocol.py``): a command is ``[id] name [arguments]``; a
  response is ``=[id] text`` or ``?[id] message`` ended by one empty line. Input is
  read as bytes (invalid UTF-8 becomes U+FFFD); output is UTF-8, flushed after every
  response; diagnostics go to stderr only.
"""

from __future__ import annotations

import importlib.metadata
import os
import queue
import sys
import threading
import traceback
from collections.abc import Callable
from typing import BinaryIO

from engine.coords import MAX_SIZE, MIN_SIZE, CoordinateError, flat_to_gtp
from engine.diagram import draw_board
from engine.game import BLACK, EMPTY, WHITE, GameState, IllegalMoveError, score_text
from engine.handicap import fixed_handicap_moves, free_handicap_moves, max_fixed_handicap
from engine.ruleset import SGF_RULES
from gtp.arguments import expect_args, parse_color, parse_float, parse_int, parse_vertex
from gtp.protocol import (
    BAD_VERTEX_LIST,
    BOARD_NOT_EMPTY,
    CANNOT_LOAD_FILE,
    CANNOT_UNDO,
    ILLEGAL_MOVE,
    INVALID_NUMBER_OF_STONES,
    MAX_LINE_CHARS,
    PROTOCOL_VERSION,
    SYNTAX_ERROR,
    UNACCEPTABLE_SIZE,
    UNKNOWN_COMMAND,
    GTPCommandError,
    Handler,
    Streamed,
    format_response,
    preprocess,
    read_line,
    split_command,
    stream_line,
)
from gtp.time_control import StopRule, TimeLeft, TimeManager, TimeSettings
from mcts.players import RESIGN

ENGINE_NAME = "Dosaku"
MAX_SGF_BYTES = 10_000_000  # loadsgf refuses bigger files: no real game record is near it
SYNC_STREAM_CHECKS = 200  # handle_line ends a stream after its first line, or this many checks


# --- the engine --------------------------------------------------------------


class GTPEngine:
    """A GTP 2 engine around one ``GameState`` and one player.

    ``handle_line(text)`` answers one command line (None for a line to skip);
    ``serve(reader, writer)`` runs the protocol over binary streams until ``quit``
    or end of input.
    """

    def __init__(self, player, size: int = 9, komi: float = 7.5, name: str = ENGINE_NAME, log=None,
                 timing: TimeManager | None = None):  # fmt: skip
        self.player = player
        self.timing = timing or TimeManager()
        self.name = name
        self.log = log if log is not None else sys.stderr
        self.size = size
        self.komi = komi
        self.game = self._new_game()
        self.generated: set[int] = set()  # colours the engine moved for, for printsgf's player names
        # How a finished game is counted (final_score, printsgf's RE) and the RU that says so:
        # the board as it stands, Tromp-Taylor. gtp/extensions/dead_stones.py replaces both
        # with the count after dead stones are removed.
        self.count: Callable[[GameState], float] = GameState.score
        self.sgf_rules = SGF_RULES
        self.quit_requested = False
        self.commands: dict[str, Handler] = {}
        for command in (
            "protocol_version", "name", "version", "known_command", "list_commands", "quit",
            "boardsize", "clear_board", "komi", "play", "genmove", "reg_genmove", "undo",
            "showboard", "final_score", "fixed_handicap", "place_free_handicap",
            "set_free_handicap", "loadsgf", "printsgf", "time_settings", "time_left",
            "is_legal", "list_stones",
        ):  # fmt: skip
            self.register(command, getattr(self, "cmd_" + command))

    @property
    def time_settings(self) -> TimeSettings:
        return self.timing.settings

    @property
    def time_left(self) -> dict[int, TimeLeft]:
        return self.timing.left

    def register(self, name: str, handler: Handler) -> None:
        """Add (or replace) the handler of command ``name``."""
        self.commands[name.lower()] = handler

    # --- protocol ------------------------------------------------------------

    def handle_line(self, line: str, emit: Callable[[str], None] | None = None,
                    interrupted: Callable[[], bool] | None = None) -> str | None:  # fmt: skip
        """The full response to one command line, or None if the line holds no command.

        A streamed answer goes out through ``emit`` as it comes (then only the rest is
        returned) and stops when ``interrupted()``; without ``emit``, it runs briefly
        and the whole answer is returned.
        """
        line = preprocess(line)
        if not line:
            return None
        command_id, name, args = split_command(line)
        if not name:
            return format_response(False, command_id, f"{SYNTAX_ERROR} (no command after the id)")
        handler = self.commands.get(name.lower())
        if handler is None:
            return format_response(False, command_id, UNKNOWN_COMMAND)
        try:
            answer = handler(args)
            if isinstance(answer, Streamed):
                return self._stream(command_id, answer, emit, interrupted)
            return format_response(True, command_id, answer)
        except GTPCommandError as err:
            return format_response(False, command_id, str(err))
        except Exception as err:  # noqa: BLE001 - a bug must not take the engine down
            traceback.print_exc(file=self.log)
            return format_response(False, command_id, f"internal error ({type(err).__name__}: {err})")

    def _stream(self, command_id: str, answer: Streamed, emit, interrupted) -> str:
        """Run a streamed answer: ``=id``, its lines, its final text, the blank line."""
        collected: list[str] = []
        out = emit or collected.append
        if interrupted is None:  # handle_line alone: stop after the first line
            checks = iter(range(SYNC_STREAM_CHECKS))

            def interrupted() -> bool:
                return len(collected) > 1 or next(checks, None) is None

        out(f"={command_id} \n")
        try:
            final = answer.run(lambda text: out(stream_line(text)), interrupted)
        except OSError:
            raise  # the controller went away: serve ends
        except Exception as err:  # noqa: BLE001 - the header is out: log, and end the answer cleanly
            if not isinstance(err, GTPCommandError):
                traceback.print_exc(file=self.log)
            print(f"gtp: {type(err).__name__}: {err}", file=self.log)
            final = ""
        tail = (stream_line(final) if final else "") + "\n"
        return tail if emit else "".join(collected) + tail

    def handle_bytes(self, raw: bytes, too_long: bool = False, emit=None, interrupted=None) -> str | None:
        """``handle_line`` for raw input; a line marked ``too_long`` is refused, keeping its id."""
        text = raw.decode("utf-8", errors="replace")
        if not too_long:
            return self.handle_line(text, emit, interrupted)
        command_id, _, _ = split_command(preprocess(text))
        return format_response(False, command_id, f"line too long (over {MAX_LINE_CHARS} characters)")

    def serve(self, reader: BinaryIO, writer: BinaryIO) -> int:
        """Answer commands from ``reader`` on ``writer`` until ``quit`` or end of input; return 0.

        A thread reads the lines into a queue (None marks the end of input), so a
        streamed answer can run until the next line arrives.
        """
        inbox: queue.Queue[tuple[bytes, bool] | None] = queue.Queue()

        def read_all() -> None:
            try:
                while (line := read_line(reader)) is not None:
                    inbox.put(line)
            finally:
                inbox.put(None)

        def write(text: str) -> None:
            writer.write(text.encode("utf-8", errors="replace"))
            writer.flush()  # the controller waits for each answer, and each analysis line

        threading.Thread(target=read_all, name="gtp-reader", daemon=True).start()
        while not self.quit_requested:
            line = inbox.get()
            if line is None:
                break
            try:
                response = self.handle_bytes(*line, emit=write, interrupted=lambda: not inbox.empty())
                if response is not None:
                    write(response)
            except (BrokenPipeError, ValueError, OSError):
                print("gtp: the controller closed the connection", file=self.log)
                break
        return 0

    # --- helpers -------------------------------------------------------------

    def _new_game(self) -> GameState:
        """An empty board of the current size and komi."""
        return GameState(self.size, self.komi)

    def _reset(self) -> None:
        """Start an empty game; nobody has moved for the engine yet."""
        self.game = self._new_game()
        self.generated = set()

    def _vertex(self, text: str) -> int:
        """A vertex on this board; off the board is a syntax error for every command but play."""
        try:
            return parse_vertex(text, self.size)
        except CoordinateError:
            raise GTPCommandError(f"{SYNTAX_ERROR} ({text} is off the {self.size}x{self.size} board)") from None

    @property
    def network_size(self) -> int | None:
        """The one board size the player's network plays, or None when it plays any
        (rollouts, random play, an engine without a network)."""
        return getattr(getattr(self.player, "evaluator", None), "size", None)

    def size_refusal(self, size: int) -> str:
        """Why the engine cannot play on a ``size`` board ("" when it can)."""
        if not MIN_SIZE <= size <= MAX_SIZE:
            return f"sizes are {MIN_SIZE} to {MAX_SIZE}"
        trained = self.network_size
        if trained is not None and size != trained:
            return f"the network plays {trained}x{trained} only"
        return ""

    def _board_is_empty(self) -> bool:
        """No stone on the board (moves may have been played: passes, captures)."""
        return not self.game.board().any()

    def _place_handicap(self, moves: list[int]) -> str:
        """Put black handicap stones on an empty board; white moves next. Returns the vertices."""
        if not self._board_is_empty():
            raise GTPCommandError(BOARD_NOT_EMPTY)
        if self.game.moves:  # only passes or captured stones left: start afresh
            self._reset()
        try:
            self.game.place_setup_stones(BLACK, moves)
        except ValueError as err:
            self._reset()  # a half-placed handicap is worse than none
            raise GTPCommandError(f"{BAD_VERTEX_LIST} ({err})") from None
        self.game.to_play = WHITE
        return " ".join(flat_to_gtp(m, self.size) for m in moves)

    def _generate(self, color: int, watch: Callable[[int, object], None] | None = None) -> int:
        """The player's move for ``color`` in the current position (not played).

        An anytime player searches under the clock's stop rule (or its own fixed
        simulations when there is no clock); ``watch(simulations, visits)`` sees each chunk.
        """
        view = self.game.copy()
        view.to_play = color
        if not hasattr(self.player, "search_more"):
            move = self.player.genmove(view).move
            return RESIGN if move < 0 else int(move)
        stop = self.timing.stop_rule(color, self.size, view.move_number)
        if stop is None and watch is not None:  # chunks of the usual size, so lines come as it searches
            stop = StopRule(None, max_simulations=self.player.config.simulations)
        # The rule's ceiling, read before ``watch`` wraps it: exact, not rounded up to a whole chunk.
        ceiling = getattr(stop, "max_simulations", None)
        if watch is not None:
            rule = stop

            def stop(simulations, visits):
                watch(simulations, visits)
                return rule(simulations, visits)

        move = self.player.genmove(view, stop=stop, max_simulations=ceiling).move
        return RESIGN if move < 0 else int(move)

    def genmove_and_play(self, color: int, watch=None) -> int:
        """``genmove``: the move generated, played, its thinking charged to the clock."""
        self.game.resume()  # a controller may play on after two passes (clean-up phase)
        start = self.timing.clock()
        move = self._generate(color, watch)
        self.timing.record(color, self.timing.clock() - start)
        if move != RESIGN:
            try:
                self.game.play(move, color)
            except IllegalMoveError as err:
                raise GTPCommandError(f"the player chose an illegal move ({err})") from None
            self.generated.add(color)
        return move

    def move_text(self, move: int) -> str:
        """A generated move as GTP answers it: a vertex, ``pass`` or ``resign``."""
        return "resign" if move == RESIGN else flat_to_gtp(move, self.size)

    # --- administrative commands --------------------------------------------

    def cmd_protocol_version(self, args: list[str]) -> str:
        """The GTP version: 2."""
        return PROTOCOL_VERSION

    def cmd_name(self, args: list[str]) -> str:
        """The engine's name."""
        return self.name

    def cmd_version(self, args: list[str]) -> str:
        """The installed package's version."""
        try:
            return importlib.metadata.version("dosaku")
        except importlib.metadata.PackageNotFoundError:
            return "unknown"

    def cmd_known_command(self, args: list[str]) -> str:
        """``true`` if the command is in the table, else ``false``."""
        expect_args(args, 1)
        return "true" if args[0].lower() in self.commands else "false"

    def cmd_list_commands(self, args: list[str]) -> str:
        """One command name per line."""
        return "\n".join(self.commands)

    def cmd_quit(self, args: list[str]) -> str:
        """Answer, then ``serve`` stops."""
        self.quit_requested = True
        return ""

    # --- setup ---------------------------------------------------------------

    def cmd_boardsize(self, args: list[str]) -> str:
        """New size (2..19, or the network's only) and an empty board; any other size is
        ``unacceptable size`` (the spec's words) and leaves the game as it was."""
        expect_args(args, 1)
        size = parse_int(args[0])
        refusal = self.size_refusal(size)
        if refusal:
            print(f"gtp: boardsize {size} refused: {refusal}", file=self.log)
            raise GTPCommandError(UNACCEPTABLE_SIZE)
        self.size = size
        self._reset()
        return ""

    def cmd_clear_board(self, args: list[str]) -> str:
        """Empty board, black to move, no history; size and komi stay."""
        self._reset()
        return ""

    def cmd_komi(self, args: list[str]) -> str:
        """Set komi; it applies to the game in progress too."""
        expect_args(args, 1)
        self.komi = self.game.komi = parse_float(args[0])
        return ""

    def cmd_fixed_handicap(self, args: list[str]) -> str:
        """The spec's fixed points (engine/handicap.py); answers their vertices."""
        expect_args(args, 1)
        stones = parse_int(args[0])
        if not 2 <= stones <= max_fixed_handicap(self.size):
            raise GTPCommandError(INVALID_NUMBER_OF_STONES)
        return self._place_handicap(fixed_handicap_moves(self.size, stones))

    def cmd_place_free_handicap(self, args: list[str]) -> str:
        """Stones where the engine likes them (see ``free_handicap_moves``)."""
        expect_args(args, 1)
        stones = parse_int(args[0])
        if not 2 <= stones < self.size * self.size:
            raise GTPCommandError(INVALID_NUMBER_OF_STONES)
        return self._place_handicap(free_handicap_moves(self.size, stones))

    def cmd_set_free_handicap(self, args: list[str]) -> str:
        """Stones where the controller says: 2 to N*N-1 distinct points, no pass."""
        moves = [self._vertex(arg) for arg in args]
        if not 2 <= len(moves) < self.size * self.size:
            raise GTPCommandError(
                f"{BAD_VERTEX_LIST} (expected 2 to {self.size * self.size - 1} vertices, got {len(moves)})"
            )
        if self.game.pass_move in moves:
            raise GTPCommandError(f"{BAD_VERTEX_LIST} (pass is not a handicap stone)")
        if len(set(moves)) != len(moves):
            raise GTPCommandError(f"{BAD_VERTEX_LIST} (a vertex is repeated)")
        self._place_handicap(moves)
        return ""

    # --- playing -------------------------------------------------------------

    def cmd_play(self, args: list[str]) -> str:
        """Play a move for either colour, legal under the project's rules."""
        expect_args(args, 2)
        color = parse_color(args[0])
        try:
            move = parse_vertex(args[1], self.size)
        except CoordinateError:
            raise GTPCommandError(f"{ILLEGAL_MOVE} (off the board)") from None
        self.game.resume()  # a controller may play on after two passes (clean-up phase)
        try:
            self.game.play(move, color)
        except IllegalMoveError as err:
            raise GTPCommandError(f"{ILLEGAL_MOVE} ({err.reason})") from None
        return ""

    def cmd_genmove(self, args: list[str]) -> str:
        """The player's move for the colour, played; ``resign`` leaves the board alone."""
        expect_args(args, 1)
        return self.move_text(self.genmove_and_play(parse_color(args[0])))

    def cmd_reg_genmove(self, args: list[str]) -> str:
        """The player's move for the colour, not played (for regression tests)."""
        expect_args(args, 1)
        color = parse_color(args[0])
        return self.move_text(self._generate(color))

    def cmd_undo(self, args: list[str]) -> str:
        """Take back the last move (not handicap stones, which are no moves)."""
        try:
            self.game.undo()
        except ValueError:
            raise GTPCommandError(CANNOT_UNDO) from None
        return ""

    # --- time ----------------------------------------------------------------

    def cmd_time_settings(self, args: list[str]) -> str:
        """Canadian byo-yomi settings (see ``TimeSettings.from_gtp``); both clocks start afresh."""
        expect_args(args, 3)
        main_time, byo_yomi_time = parse_float(args[0]), parse_float(args[1])
        stones = parse_int(args[2])
        if main_time < 0 or byo_yomi_time < 0 or stones < 0:
            raise GTPCommandError(f"{SYNTAX_ERROR} (times and stones cannot be negative)")
        self.timing.set_settings(TimeSettings.from_gtp(main_time, byo_yomi_time, stones))
        return ""

    def cmd_time_left(self, args: list[str]) -> str:
        """Store a colour's remaining time and stones."""
        expect_args(args, 3)
        color = parse_color(args[0])
        seconds, stones = parse_float(args[1]), parse_int(args[2])
        if stones < 0:
            raise GTPCommandError(f"{SYNTAX_ERROR} (stones cannot be negative)")
        self.timing.set_left(color, seconds, stones)
        return ""

    # --- reading the position ------------------------------------------------

    def cmd_showboard(self, args: list[str]) -> str:
        """The board with coordinates, starting on the line after ``=``."""
        return "\n" + draw_board(self.game)

    def cmd_final_score(self, args: list[str]) -> str:
        """The area score by ``self.count``: ``B+3.5``, ``W+0.5``, ``0``."""
        expect_args(args, 0)
        return score_text(self.count(self.game))

    def cmd_is_legal(self, args: list[str]) -> str:
        """GNU Go's test extension: ``1`` if the colour may play the vertex now, else ``0``."""
        expect_args(args, 2)
        color = parse_color(args[0])
        return "1" if self.game.is_legal(self._vertex(args[1]), color) else "0"

    def cmd_list_stones(self, args: list[str]) -> str:
        """GNU Go's test extension: the colour's stones, top-left first."""
        expect_args(args, 1)
        color = parse_color(args[0])
        return " ".join(flat_to_gtp(m, self.size) for m in self.game.stones(color))

    # --- SGF -----------------------------------------------------------------

    def cmd_loadsgf(self, args: list[str]) -> str:
        """Replace the game by a record, up to the position before ``move_number``."""
        expect_args(args, 1, 2)
        up_to = None
        if len(args) == 2:
            move_number = parse_int(args[1])
            if move_number < 1:
                raise GTPCommandError(f"{SYNTAX_ERROR} (move number must be at least 1)")
            up_to = move_number - 1
        path = args[0]
        try:
            # Only regular files of sane size: "/dev/zero" or a FIFO would hang the engine.
            if not os.path.isfile(path):
                raise OSError("no such file")
            if os.path.getsize(path) > MAX_SGF_BYTES:
                raise OSError("file too large")
            from engine import sgf  # being written alongside; a missing module is a failed load

            game = sgf.record_to_game(sgf.load_sgf_file(path), max_moves=0, up_to=up_to)
        except Exception as err:  # noqa: BLE001 - any broken file is just a file we cannot load
            raise GTPCommandError(f"{CANNOT_LOAD_FILE} ({err})") from None
        refusal = self.size_refusal(game.size)
        if refusal:  # the game stays as it was, so that genmove still works
            raise GTPCommandError(f"{CANNOT_LOAD_FILE} (a {game.size}x{game.size} game: {refusal})")
        self.game, self.size, self.komi = game, game.size, game.komi
        self.generated = set()
        return ""

    def cmd_printsgf(self, args: list[str]) -> str:
        """The game as SGF: the text itself, or written to FILE (then an empty answer)."""
        expect_args(args, 0, 1)
        from engine import sgf

        # Our name for the colours we moved for; the others stay anonymous (no PB/PW).
        black = self.name if BLACK in self.generated else ""
        white = self.name if WHITE in self.generated else ""
        game = self.game
        result = None  # the record's own: resigned, or unfinished (no RE)
        if game.is_over() and game.resigned == EMPTY:
            result = score_text(self.count(game))  # what final_score answers
        text = sgf.game_to_sgf(game, black=black, white=white, result=result, rules=self.sgf_rules)
        if not args:
            return text
        try:
            sgf.save_sgf_file(args[0], text)
        except (OSError, ValueError) as err:
            raise GTPCommandError(f"cannot save file ({err})") from None
        return ""
