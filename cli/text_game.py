"""A person plays the bot in a terminal: ``TextGame(game, bot, human_color, input, output).run()``.

Conventions: the person types GTP vertices (``D4``, any case) and a few command
words; every answer is plain text, one line per message, so the loop is easy to
script (tests drive it with ``io.StringIO``). Points are named only through
``engine.coords``; the board is drawn by ``engine.diagram.draw_board``.

The ``bot`` is any player with ``genmove(game) -> Decision`` (``mcts.players``).
Nothing typed can crash the loop: bad input gets a one-line explanation and the
prompt comes back. ``quit``, end of input (Ctrl-D) and Ctrl-C all leave cleanly.
"""

from __future__ import annotations

import re
from typing import TextIO

from engine import outcome
from engine.coords import GTP_COLUMNS, CoordinateError, flat_to_gtp, gtp_to_flat, rowcol_to_flat
from engine.diagram import draw_board
from engine.game import BLACK, EMPTY, WHITE, GameState, IllegalMoveError, color_name
from engine.human_game import HumanGame
from engine.outcome import area_counts, lead_phrase, points_text

STONE_LETTERS = {BLACK: "X", WHITE: "O"}
# Empty points in the final drawing: lower case for the colour whose area they are.
AREA_LETTERS = {BLACK: "x", WHITE: "o", EMPTY: "."}

# Anything shaped like a vertex is judged as one, so 'Z9' is "off the board", not "unknown".
VERTEX_SHAPE = re.compile(r"[a-z][0-9]+")

QUIT_WORDS = ("quit", "exit", "q")
HELP_WORDS = ("help", "?", "h")


class TextGame:
    """One game between a person and a bot over text streams.

    ``game`` is played on in place (so a caller can inspect it afterwards);
    ``human_color`` is ``BLACK`` or ``WHITE``; the bot plays the other colour.
    """

    def __init__(self, game: GameState, bot, human_color: int, input_stream: TextIO, output_stream: TextIO):
        self.versus = HumanGame(game, human_color)  # the rules of undo, resigning and turns, shared with the window
        self.game = game  # the same object, played on in place
        self.human_color, self.bot_color = self.versus.human_color, self.versus.bot_color
        self.bot = bot
        self.input = input_stream
        self.output = output_stream

    # --- the loop ------------------------------------------------------------

    def run(self) -> int:
        """Play until the person leaves; return the exit code (always 0: leaving is not an error)."""
        try:
            self._say(self._welcome())
            self._let_bot_play()
            self._show_turn()
            while True:
                line = self._read_line()
                if line is None:
                    break
                if not self._handle(line):
                    break
        except KeyboardInterrupt:
            # Ctrl-C is this front end's normal way out too, not a failure.
            self._say()
        self._say("Goodbye.")
        return 0

    def _read_line(self) -> str | None:
        """The next line typed, without its newline; None at the end of input."""
        self.output.write("> ")
        self.output.flush()
        line = self.input.readline()
        if line == "":
            self._say()  # the prompt line was left open
            return None
        return line.strip()

    def _handle(self, line: str) -> bool:
        """Act on one line; return False when the person wants to leave."""
        word = line.lower()
        if word == "":
            return True
        if word in QUIT_WORDS:
            return False
        if word in HELP_WORDS:
            self._say(self._help())
        elif word == "undo":
            self._undo()
        elif word == "resign":
            self._resign()
        elif word == "score":
            self._say(score_line(self.game))
        elif word == "board":
            self._say(draw_board(self.game))
        elif word == "pass" or VERTEX_SHAPE.fullmatch(word):
            self._human_move(word)
        else:
            self._say(f"Unknown command {line!r}: type a move like {self._example()}, or help.")
        return True

    # --- moves ---------------------------------------------------------------

    def _human_move(self, word: str) -> None:
        """Play the person's move (a vertex or ``pass``), then the bot's replies."""
        if self.game.is_over():
            self._say(f"The game is over ({self.game.result()}): type undo to take moves back, or quit.")
            return
        try:
            move = gtp_to_flat(word, self.game.size)
        except CoordinateError:
            self._say(f"{word.upper()} is not on this board: {self._board_range()}.")
            return
        try:
            self.versus.play(move)
        except IllegalMoveError as err:
            self._say(f"{_capitalized(str(err))}; try another move.")
            return
        self._announce(move, self.human_color)
        self._let_bot_play()
        self._show_turn()

    def _let_bot_play(self) -> None:
        """The bot moves for as long as it is its turn (once, unless the game was set up oddly)."""
        while self.versus.is_bots_turn():
            decision = self.bot.genmove(self.game)
            self.versus.bot_moved(decision)
            if decision.resigns:
                self._say(f"Dosaku ({color_name(self.bot_color)}) resigns.")
                self._show_result()
                return
            self._announce(decision.move, self.bot_color)
            score = decision.search.score if decision.search is not None else None
            if score is not None and not self.game.is_over():  # only a network with a score head estimates one
                self._say(f"Dosaku's estimate: {lead_phrase(score)} point{'s' if abs(score) >= 1.05 else ''}.")

    def _announce(self, move: int, color: int) -> None:
        """Say who played what; draw the board after a stone (a pass changes nothing)."""
        # "You play", "Dosaku plays": the verbs agree with who moved.
        if color == self.human_color:
            side, plays, passes = "You", "play", "pass"
        else:
            side, plays, passes = "Dosaku", "plays", "passes"
        side = f"{side} ({color_name(color)})"
        if move == self.game.pass_move:
            self._say(f"{side} {passes}.")
        else:
            self._say(f"{side} {plays} {flat_to_gtp(move, self.game.size)}.")
            self._say(draw_board(self.game))
        if self.game.is_over():
            # GameState also ends games at a move cap; the terminal game sets none, but say which it was.
            why = "Two passes in a row" if self.game.consecutive_passes >= 2 else "The move limit is reached"
            self._say(f"{why}: the game is over.")
            self._show_result()

    def _undo(self) -> None:
        """Take back the bot's reply and the person's move, so it is the person's turn again."""
        undone = self.versus.undo()
        if undone.resignation:
            self._say("Resignation taken back.")
            self._show_turn()
            return
        if not undone.moves:
            self._say("Nothing to undo: you have not moved yet.")
            return
        self._say(f"Took back {', '.join(flat_to_gtp(move, self.game.size) for move in undone.moves)}.")
        self._say(draw_board(self.game))
        self._show_turn()

    def _resign(self) -> None:
        """The person gives up; the game is over (undo takes the resignation back)."""
        if self.game.is_over():
            self._say(f"The game is over already ({self.game.result()}).")
            return
        self.versus.resign()
        self._say("You resign.")
        self._show_result()

    # --- what is shown -------------------------------------------------------

    def _show_turn(self) -> None:
        """Whose turn it is (always the person's while the game goes on), or how to go on after it."""
        if self.game.is_over():
            self._say("Type undo to take moves back, score, board, or quit.")
            return
        color = self.game.to_play
        self._say(f"Move {self.game.move_number + 1}: {color_name(color)} ({STONE_LETTERS[color]}) to play, your turn.")

    def _show_result(self) -> None:
        """The final position with each empty point's owner, the count, and who won."""
        if self.game.resigned == EMPTY:
            self._say(draw_area(self.game))
            self._say(area_count_line(self.game))
        self._say(result_sentence(self.game))

    def _welcome(self) -> str:
        game = self.game
        name = getattr(self.bot, "name", "bot")
        lines = [
            f"Dosaku ({name} player) on {game.size}x{game.size}, komi {game.komi:g}, Tromp-Taylor area scoring.",
            (
                f"You play {color_name(self.human_color)} ({STONE_LETTERS[self.human_color]}). "
                f"Type a move like {self._example()}, or pass, undo, resign, score, help, quit."
            ),
            draw_board(game),
        ]
        return "\n".join(lines)

    def _help(self) -> str:
        return "\n".join(
            [
                "Commands (any case):",
                f"  {self._example():<9} play a stone there ({self._board_range()})",
                "  pass      pass; two passes in a row end the game",
                "  undo      take back your last move and the bot's reply",
                "  resign    give up the game",
                "  score     the Tromp-Taylor score of the position as it stands",
                "  board     draw the board again",
                "  help      this list",
                "  quit      leave (Ctrl-D and Ctrl-C leave too)",
            ]
        )

    def _board_range(self) -> str:
        size = self.game.size
        return f"columns A-{GTP_COLUMNS[size - 1]} (no I), rows 1-{size}"

    def _example(self) -> str:
        """A vertex near the centre of this board, for the hints."""
        return flat_to_gtp(rowcol_to_flat(self.game.size // 2, self.game.size // 2, self.game.size), self.game.size)

    def _say(self, text: str = "") -> None:
        self.output.write(text + "\n")
        self.output.flush()


# --- scores, as text ---------------------------------------------------------


def area_count_line(game: GameState) -> str:
    """``black 13, white 12, komi 7.5``: the terms of the Tromp-Taylor score."""
    black, white = area_counts(game)
    return f"Area: black {black}, white {white}, komi {game.komi:g}."


def score_line(game: GameState) -> str:
    """The score of the position as it stands, with who leads."""
    score = game.score()
    black, white = area_counts(game)
    terms = f"black {black} - white {white} - komi {game.komi:g}"
    if score == 0:
        return f"Score as it stands: {terms} = 0, even."
    leader = "Black" if score > 0 else "White"
    return f"Score as it stands: {terms} = {score:g}; {leader} leads by {points_text(abs(score))} ({game.result()})."


def result_sentence(game: GameState) -> str:
    """The outcome as a sentence with its full stop: ``Black wins by 3.5 points (B+3.5).``"""
    return outcome.result_sentence(game) + "."


def draw_area(game: GameState) -> str:
    """The board with GTP coordinates: stones as ``X``/``O``, empty points by owner
    (``x`` black's, ``o`` white's, ``.`` neutral), then a legend line."""
    size = game.size
    board = game.board()
    owner = game.owner()
    header = "   " + " ".join(GTP_COLUMNS[c] for c in range(size))
    lines = [header]
    for r in range(size):
        cells = []
        for c in range(size):
            stone = int(board[r, c])
            if stone != EMPTY:
                cells.append(STONE_LETTERS[stone])
            else:
                cells.append(AREA_LETTERS[int(owner[rowcol_to_flat(r, c, size)])])
        lines.append(f"{size - r:2d} {' '.join(cells)} {size - r:d}")
    lines.append(header)
    lines.append("x / o: empty points that count for black / white; .: neutral")
    return "\n".join(lines)


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
