"""``App``: the play window's controller: the game, the bot's state, and one frame of the event loop.

``step()`` is one frame: handle every pending pygame event, collect what the bot
thread has answered, redraw if anything changed. ``run()`` repeats it. Tests
post events and call ``step()``: the loop they drive is the real one.

The person's clicks and keys become *actions* (``ACTIONS``), whether they came
from a button or a shortcut. The bot never runs in this thread: each position
has a *generation*, bumped whenever the position changes; the bot's answers carry
the generation they were asked for, and older ones are dropped on arrival.

Every search the bot runs evaluates its position; the panel's graph draws them
(``gui.evaluations``). Clicking the graph, or the arrow keys, *review* an earlier
position: the board shows it while the game goes on behind (the bot still answers).
KaTrain and Lizzie branch a variation when a move is played there; this window keeps
one line of play, so in review the board and the game's buttons play nothing and say
how to return: End, Esc, or the graph's last point.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pygame

from engine.coords import flat_to_gtp
from engine.game import BLACK, GameState
from engine.human_game import HumanGame
from gui import game_text
from gui.app_view import THINKING_BLINK, draw_window
from gui.bot_worker import HINT, MOVE, OWNERSHIP, Answer, BotWorker, Job
from gui.controls import ACTIONS, CONFIRM_KEYS, KEY_ACTIONS
from gui.dialogs import Dialog, NewGameDialog, PathPrompt
from gui.evaluations import EvaluationHistory, evaluation_of
from gui.fonts import forget_fonts
from gui.layout import GraphGeometry, WindowLayout, panel_buttons, panel_graph, window_layout
from gui.opponent import Opponent
from gui.settings import GameSettings
from gui.sgf_files import default_games_dir, load_game, save_game, timestamped_path
from gui.widgets import Button, button_at
from gui.window import WindowUnavailable, open_window

__all__ = ["App", "WindowUnavailable"]

GAME_ACTIONS = ("pass", "undo", "resign", "hint")  # what changes the game: not while reviewing the past
FPS = 30  # frames a second while idle; redrawing happens only when something changed
WINDOW_SIZE = (1000, 720)


class App:
    """The play window: ``settings`` of the first game, ``make_opponent(settings)`` for the bot of each size."""

    def __init__(
        self,
        settings: GameSettings,
        make_opponent: Callable[[GameSettings], Opponent],
        window_size: tuple[int, int] = WINDOW_SIZE,
        games_dir: Path | None = None,
    ):
        self.screen = open_window(window_size)  # first: WindowUnavailable before anything starts
        pygame.font.init()
        self.make_opponent = make_opponent
        self.games_dir = Path(games_dir) if games_dir is not None else default_games_dir()
        self.worker = BotWorker()
        self.running = True
        self.closed = False
        self.dirty = True  # redraw at the next frame
        self.frame = 0
        self.mouse: tuple[int, int] | None = None
        self.show_heat = False
        self.show_ownership = False
        self.dialog: Dialog | None = None
        self.message = ""
        self.last_path: str | None = None
        self.generation = 0
        self.waiting: dict[str, int] = {}  # job kind -> generation it was asked for
        self.last_search = None  # SearchResult of the bot's last move: heat map and win-rate
        self.hint_move: int | None = None
        self.ownership = None  # gui.opponent.Ownership of the position on the board
        self.evaluations = EvaluationHistory()  # the bot's searches of this game's positions, for the graph
        self.reviewed: int | None = None  # the position number the board shows; None: the game's latest
        self._reviewed_game: tuple[int, int, GameState] | None = None  # (generation, position, game) cache
        self._legal: np.ndarray | None = None  # legal moves of the position, for the ghost stone
        self.settings = settings
        self.opponent = make_opponent(settings)
        self._set_game(settings.new_game(), settings)
        self.say(f"Your move: click a point. Dosaku plays {self.opponent.description}.")

    # --- the loop --------------------------------------------------------------

    def run(self) -> None:
        """Frames until the window is closed."""
        clock = pygame.time.Clock()
        try:
            while self.step():
                clock.tick(FPS)
        finally:
            self.close()

    def step(self) -> bool:
        """One frame: events, the bot's answers, a redraw if needed. False once the window should close."""
        for event in pygame.event.get():
            self.handle_event(event)
        self.collect_answers()
        self.frame += 1
        if self.is_thinking() and self.frame % THINKING_BLINK == 0:
            self.dirty = True  # the thinking dots move
        if self.running and self.dirty:
            self.draw()
            pygame.display.flip()
            self.dirty = False
        return self.running

    def close(self) -> None:
        """Leave at once: the bot thread is a daemon, so a search still running cannot hold the process."""
        if self.closed:
            return
        self.closed = True
        self.running = False
        self.worker.stop()
        forget_fonts()
        pygame.quit()

    # --- events ----------------------------------------------------------------

    def handle_event(self, event: pygame.event.Event) -> None:
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.VIDEORESIZE:
            self.resize(event.w, event.h)
        elif event.type == pygame.MOUSEMOTION:
            self.hover(event.pos)
        elif event.type == pygame.WINDOWLEAVE:
            self.hover(None)
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            self.click(*event.pos)
        elif event.type == pygame.KEYDOWN:
            self.key(event.key)
        elif event.type == pygame.TEXTINPUT and isinstance(self.dialog, PathPrompt):
            self.dialog.field.insert(event.text)
            self.dirty = True
        elif event.type in (pygame.WINDOWEXPOSED, pygame.WINDOWSIZECHANGED, pygame.WINDOWRESTORED):
            self.dirty = True

    def resize(self, width: int, height: int) -> None:
        """Lay everything out again for the new size (the layout is computed from it each frame)."""
        if self.screen.get_size() != (width, height):
            # Most platforms resize the surface themselves; headless and some others need asking.
            self.screen = pygame.display.set_mode((width, height), pygame.RESIZABLE)
        if self.dialog is not None:
            self.dialog.place(width, height)
        self.dirty = True

    def hover(self, position: tuple[int, int] | None) -> None:
        if position != self.mouse:
            self.mouse = position
            self.dirty = True

    def click(self, x: int, y: int) -> None:
        self.dirty = True
        if self.dialog is not None:
            answer = self.dialog.click(x, y)
            if answer:
                self.finish_dialog(answer)
            return
        button = button_at(self.buttons(), x, y)
        if button is not None:
            self.act(button.action)
            return
        position = self.graph_geometry().position_at(x, y)
        if position is not None:
            self.review(position)
            return
        move = self.layout().board.move_at(x, y)
        if move is not None:
            if self.reviewed is not None:
                self.say(f"Reviewing move {self.reviewed}: press End or Esc, or click the graph's last point, "
                         "to return to the game.")  # fmt: skip
            else:
                self.play_human(move)

    def key(self, key: int) -> None:
        self.dirty = True
        if self.dialog is not None:
            if key in CONFIRM_KEYS:
                self.finish_dialog("ok")
            elif key == pygame.K_ESCAPE:
                self.finish_dialog("cancel")
            elif key == pygame.K_BACKSPACE and isinstance(self.dialog, PathPrompt):
                self.dialog.field.backspace()
            return
        action = KEY_ACTIONS.get(key)
        if action is not None:
            self.act(action)

    def act(self, action: str) -> None:
        """Do what a button or its key asks (the game's own actions wait while the board shows the past)."""
        if self.reviewed is not None and action in GAME_ACTIONS:
            self.say(f"Reviewing move {self.reviewed}: press End or Esc to return to the game first.")
            return
        {
            "pass": self.pass_human,
            "undo": self.undo,
            "resign": self.resign,
            "hint": self.hint,
            "new": lambda: self.open_dialog(NewGameDialog(self.settings)),
            "heatmap": self.toggle_heat,
            "save": lambda: self.open_dialog(PathPrompt("save", str(timestamped_path(self.games_dir)))),
            "load": lambda: self.open_dialog(PathPrompt("load", self.last_path or str(self.games_dir) + "/")),
            "ownership": self.toggle_ownership,
            "review_back": lambda: self.review(self.shown_position() - 1),
            "review_forward": lambda: self.review(self.shown_position() + 1),
            "review_start": lambda: self.review(0),
            "live": lambda: self.review(len(self.game.moves)),
        }[action]()
        self.dirty = True

    # --- the game ----------------------------------------------------------------

    @property
    def game(self) -> GameState:
        return self.versus.game

    @property
    def human_color(self) -> int:
        return self.versus.human_color

    @property
    def bot_color(self) -> int:
        return self.versus.bot_color

    def is_humans_turn(self) -> bool:
        return self.versus.is_humans_turn()

    def is_thinking(self) -> bool:
        """The bot is searching for its move in the position on the board."""
        return self.waiting.get(MOVE) == self.generation

    def play_human(self, move: int) -> None:
        """The person's click on ``move``: played if legal, else the reason is shown and nothing changes."""
        vertex = flat_to_gtp(move, self.game.size)
        if self.game.is_over():
            self.say("The game is over: undo, or start a new game.")
            return
        if not self.is_humans_turn():
            self.say("Dosaku is thinking: wait for its move.")
            return
        reason = self.game.illegal_reason(move)
        if reason is not None:
            self.say(f"{vertex} is illegal: {game_text.explain_illegal(reason)}.")
            return
        self.versus.play(move)
        self.say(f"You play {vertex}.")
        self.position_changed()

    def pass_human(self) -> None:
        if not self.is_humans_turn():
            self.say("The game is over." if self.game.is_over() else "Dosaku is thinking: wait for its move.")
            return
        self.versus.play(self.game.pass_move)
        self.say("You pass." + (" Two passes: the game is over." if self.game.is_over() else ""))
        self.position_changed()

    def resign(self) -> None:
        if self.game.is_over():
            self.say("The game is over already.")
            return
        self.versus.resign()
        self.say("You resign. Undo takes it back.")
        self.position_changed()

    def undo(self) -> None:
        """Take back the bot's reply and the person's move (just the person's while the bot thinks)."""
        undone = self.versus.undo()
        if undone.resignation:
            self.say("Resignation taken back.")
            self.position_changed()
            return
        if not undone.moves:
            self.say("Nothing to undo: you have not moved yet.")
            return
        self.last_search = None  # its heat map and win-rate were of a position now gone
        self.say(f"Took back {', '.join(flat_to_gtp(move, self.game.size) for move in undone.moves)}.")
        self.position_changed()

    def hint(self) -> None:
        if not self.is_humans_turn():
            self.say("A hint is for your turn in a game still going on.")
            return
        if self.waiting.get(HINT) == self.generation:
            return  # already asked
        self.ask(HINT)
        self.say("Dosaku is looking for a move for you...")

    def toggle_heat(self) -> None:
        self.show_heat = not self.show_heat
        if not self.show_heat:
            self.say("Visit heat map off.")
        elif self.last_search is None:
            self.say("Visit heat map on: it shows Dosaku's search once it has moved.")
        else:
            self.say(f"Visit heat map on: Dosaku's last search, {self.last_search.root_visits} visits (shares in %).")

    def toggle_ownership(self) -> None:
        self.show_ownership = not self.show_ownership
        if self.show_ownership:
            self.request_ownership()
            self.say("Ownership estimate on.")
        else:
            self.say("Ownership estimate off.")

    # --- reviewing earlier positions -------------------------------------------------

    def review(self, position: int) -> None:
        """Show the position after move ``position`` (clamped to the game); the last one is the game itself."""
        latest = len(self.game.moves)
        position = min(latest, max(0, position))
        if position == latest:
            if self.reviewed is not None:
                self.say("Back to the game.")
            self.reviewed = None
        else:
            self.reviewed = position
            self.say(f"The board shows move {position}; the game is at move {latest}.")
        self.dirty = True

    def shown_position(self) -> int:
        """The position number the board shows."""
        return len(self.game.moves) if self.reviewed is None else self.reviewed

    def shown_game(self) -> GameState:
        """The game as the board shows it: the game itself, or its replay up to the reviewed move."""
        if self.reviewed is None:
            return self.game
        cached = self._reviewed_game
        if cached is None or cached[:2] != (self.generation, self.reviewed):
            replay = self.game.replayed(self.game.moves[: self.reviewed])
            self._reviewed_game = cached = (self.generation, self.reviewed, replay)
        return cached[2]

    def graph_geometry(self) -> GraphGeometry:
        panel = self.layout().panel
        box = panel_graph(panel, panel_buttons(panel, len(ACTIONS)))
        return GraphGeometry(box, len(self.game.moves))

    # --- dialogs -------------------------------------------------------------------

    def open_dialog(self, dialog: Dialog) -> None:
        self.dialog = dialog
        dialog.place(*self.screen.get_size())
        if isinstance(dialog, PathPrompt):
            pygame.key.start_text_input()

    def finish_dialog(self, answer: str) -> None:
        """Act on a dialog's OK or Cancel; a dialog whose OK failed stays open with the reason."""
        dialog = self.dialog
        if answer == "ok":
            try:
                if isinstance(dialog, NewGameDialog):
                    self.new_game(dialog.settings())
                elif isinstance(dialog, PathPrompt) and dialog.purpose == "save":
                    self.save(dialog.field.text)
                elif isinstance(dialog, PathPrompt):
                    self.load(dialog.field.text)
            except (OSError, ValueError) as err:  # SGFError is a ValueError
                if isinstance(dialog, PathPrompt):
                    dialog.error = str(err)
                else:
                    self.say(f"Cannot start that game: {err}")
                return
        self.dialog = None
        pygame.key.stop_text_input()
        self.dirty = True

    def new_game(self, settings: GameSettings) -> None:
        self._set_game(settings.new_game(), settings)
        self.say(f"New game: {game_text.game_line(self.game, self.human_color)}.")

    def save(self, path: str) -> None:
        written = save_game(path, self.game, self.human_color, self.opponent.description)
        self.last_path = str(written)
        self.say(f"Saved {written}.")

    def load(self, path: str) -> None:
        game, settings = load_game(path, self.settings)
        self._set_game(game, settings)
        self.last_path = str(Path(path).expanduser())
        self.say(f"Loaded {self.last_path}: {len(game.moves)} moves.")

    def _set_game(self, game: GameState, settings: GameSettings) -> None:
        """Play ``game`` from now on; a new bot if the size or strength changed."""
        if settings.size != self.settings.size or settings.simulations != self.settings.simulations:
            self.opponent = self.make_opponent(settings)
        self.settings = settings
        self.versus = HumanGame(game, settings.human_color)
        self.last_search = None
        self.evaluations.clear()
        self.reviewed = None
        pygame.display.set_caption(f"Dosaku - {game.size}x{game.size} against {self.opponent.description}")
        self.position_changed()

    # --- the bot -----------------------------------------------------------------------

    def position_changed(self) -> None:
        """After any change of position: a new generation, and the bot moves if it is its turn."""
        self.generation += 1
        self.worker.cancel_before(self.generation)
        self.hint_move = None
        self.ownership = None
        self._legal = None
        self.evaluations.keep_up_to(len(self.game.moves))  # an undo takes the undone positions' points along
        if self.reviewed is not None and self.reviewed >= len(self.game.moves):
            self.reviewed = None  # the reviewed move was undone: the board shows the game again
        if self.versus.is_bots_turn():
            self.ask(MOVE)
        elif self.show_ownership:
            self.request_ownership()
        self.dirty = True

    def ask(self, kind: str) -> None:
        self.waiting[kind] = self.generation
        self.worker.submit(Job(kind, self.generation, self.game.copy(), self.opponent))

    def request_ownership(self) -> None:
        """Ask for the ownership of the position, unless the bot is about to change it or it is known."""
        if self.ownership is None and not self.is_thinking() and self.waiting.get(OWNERSHIP) != self.generation:
            self.ask(OWNERSHIP)

    def collect_answers(self) -> None:
        for answer in self.worker.answers():
            if answer.generation != self.generation:
                continue  # asked about a position that was undone or replaced since
            self.waiting.pop(answer.kind, None)
            self.dirty = True
            if answer.error is not None:
                self.say(f"Dosaku failed ({answer.kind}): {answer.error}")
            elif answer.kind == MOVE:
                self._bot_moved(answer)
            elif answer.kind == HINT:
                self._record_evaluation(answer.result.search)
                self._show_hint(answer.result.move)
            elif answer.kind == OWNERSHIP:
                self.ownership = answer.result

    def _show_hint(self, move: int) -> None:
        if 0 <= move < self.game.pass_move:
            self.hint_move = move
            self.say(f"Hint: Dosaku would play {flat_to_gtp(move, self.game.size)} (the green ring).")
        else:
            self.say("Hint: Dosaku would pass here." if move >= 0 else "Hint: Dosaku thinks this game is lost.")

    def _bot_moved(self, answer: Answer) -> None:
        decision = answer.result
        if decision.search is not None:
            self.last_search = decision.search
        self._record_evaluation(decision.search)  # of the position it searched: before its move is played
        self.versus.bot_moved(decision)
        if decision.resigns:
            self.say("Dosaku resigns.")
        elif decision.move == self.game.pass_move:
            self.say("Dosaku passes." + (" Two passes: the game is over." if self.game.is_over() else ""))
        else:
            self.say(f"Dosaku plays {flat_to_gtp(decision.move, self.game.size)}.")
        self.position_changed()

    def _record_evaluation(self, search) -> None:
        """The graph's point for the position on the board, from a search of it (None: no search, no point)."""
        if search is not None:
            self.evaluations.record(len(self.game.moves), evaluation_of(search, self.game.to_play))

    def bot_win_rate(self) -> float | None:
        """The bot's chance to win by its last search, from its root value (for the bot, in [-1, 1])."""
        if self.last_search is None:
            return None
        return (float(self.last_search.value) + 1) / 2

    def black_lead(self) -> float | None:
        """Black's score lead in points by the bot's last search; None without a score head."""
        if self.last_search is None or self.last_search.score is None:
            return None
        score = float(self.last_search.score)  # the bot's: it was to move at the root
        return score if self.bot_color == BLACK else -score

    # --- drawing -------------------------------------------------------------------------

    def say(self, message: str) -> None:
        self.message = message
        self.dirty = True

    def layout(self) -> WindowLayout:
        width, height = self.screen.get_size()
        return window_layout(width, height, self.game.size)

    def legal_mask(self) -> np.ndarray:
        """Legal moves of the position, computed once per position (the ghost stone asks every frame)."""
        if self._legal is None:
            self._legal = self.game.legal_moves()
        return self._legal

    def draw(self) -> None:
        draw_window(self)

    def buttons(self) -> list[Button]:
        """The panel's buttons where the layout puts them, enabled as the game allows."""
        rects = panel_buttons(self.layout().panel, len(ACTIONS))
        humans_turn = self.is_humans_turn() and self.reviewed is None
        enabled = {
            "pass": humans_turn,
            "hint": humans_turn,
            "resign": not self.game.is_over() and self.reviewed is None,
            "undo": self.versus.can_undo() and self.reviewed is None,
        }
        toggled = {"heatmap": self.show_heat, "ownership": self.show_ownership}
        return [
            Button(action, label, rect, enabled.get(action, True), toggled.get(action, False))
            for (action, label), rect in zip(ACTIONS, rects, strict=True)
        ]
