"""Players spelled as text, as ``dosaku match`` and ``dosaku arena`` take them.

Spellings::

    random                           uniformly random legal moves
    mcts                             rollout search, 1000 simulations a move
    mcts:sims=200,playouts=4         rollout search with settings
    models/9x9.pt                    search guided by a trained network (200 simulations)
    models/9x9.pt:sims=400           the same with settings
    net:models/9x9.pt,sims=400       the older spelling of the same player
    gtp:"/usr/games/gnugo --mode gtp --level 10"   any GTP engine, by its command line

Search players also take ``opening=K``: the first K moves of a game are drawn in
proportion to visit counts instead of taking the most visited move. A network
search is deterministic, so without it two networks would replay the same two
games over and over; rollout search varies by its seed and defaults to 0.
A network's default is ``max(2, N // 2)`` moves on an N x N board, as in the
training run's evaluation (``selfplay/evaluation.py``). A network player also takes
``score_utility=W`` (a number >= 0, default 0): the search's score utility
(``mcts.SearchConfig.score_utility``), which needs a network with a score head.

GNU Go scores by Tromp-Taylor rules only with ``--chinese-rules`` and
``--capture-all-dead`` (dead stones left on the board count under area scoring),
and Dosaku forbids positional superko: ``parse_player_spec`` adds whichever of
these flags a GNU Go command line lacks and lists them in ``PlayerSpec.added_flags``,
for the caller to say so.

``parse_player_spec`` checks a spelling without starting anything;
``build_player`` makes the player (loads the network, starts the engine).
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass, field

MCTS_DEFAULTS = {"sims": 1000, "playouts": 1, "opening": 0}
NET_DEFAULT_SIMS = 200  # a network needs far fewer simulations than rollouts
GNUGO_RULE_FLAGS = ("--chinese-rules", "--capture-all-dead", "--positional-superko")
GTP_MOVE_TIMEOUT = 60.0  # seconds an engine may think about one move before it counts as hung
SPELLINGS = "random, mcts[:sims=N,playouts=P], PATH.pt[:sims=N], net:PATH[,sims=N] or gtp:COMMAND"


@dataclass(frozen=True)
class PlayerSpec:
    """One player as spelled: its kind, its settings and the name it goes by.

    ``kind`` is ``random``, ``mcts``, ``net`` or ``gtp``; ``path`` the checkpoint
    of a ``net``; ``command`` the argument vector of a ``gtp`` engine (with any
    added rule flags); ``settings`` the search settings (``sims``, ``playouts``,
    ``opening``; ``opening`` None means the network default for the board).
    """

    text: str
    kind: str
    name: str
    settings: dict = field(default_factory=dict)
    path: str | None = None
    command: tuple[str, ...] = ()
    added_flags: tuple[str, ...] = ()

    @property
    def is_checkpoint(self) -> bool:
        return self.kind == "net"


def parse_player_spec(text: str) -> PlayerSpec:
    """The player ``text`` spells (see the module docstring); ValueError if it spells none."""
    text = text.strip()
    kind, _, rest = text.partition(":")
    if kind == "random" and not rest:
        return PlayerSpec(text, "random", "random")
    if kind == "mcts":
        return PlayerSpec(text, "mcts", text, settings=_settings(rest, MCTS_DEFAULTS))
    if kind == "net" and rest.strip():
        path, _, options = rest.partition(",")
        return _net_spec(text, path, options)
    if kind.endswith(".pt"):
        return _net_spec(text, kind, rest.replace(":", ","))
    if kind == "gtp" and rest.strip():
        return _gtp_spec(text, rest)
    raise ValueError(f"unknown player {text!r} (expected {SPELLINGS})")


def _net_spec(text: str, path: str, options: str) -> PlayerSpec:
    path = path.strip()
    if not path:
        raise ValueError(f"player {text!r} names no checkpoint")
    settings = _settings(options, {"sims": NET_DEFAULT_SIMS, "opening": None, "score_utility": 0.0})
    return PlayerSpec(text, "net", text, settings=settings, path=path)


def _gtp_spec(text: str, command_line: str) -> PlayerSpec:
    try:
        command = shlex.split(command_line)
    except ValueError as err:
        raise ValueError(f"player {text!r}: cannot split its command line ({err})") from None
    if not command:
        raise ValueError(f"player {text!r} names no engine command")
    # Named by the program and its arguments as typed, without the program's directory, to keep lines short.
    name = shlex.join([os.path.basename(command[0]), *command[1:]])
    added: tuple[str, ...] = ()
    if "gnugo" in os.path.basename(command[0]).lower():
        added = tuple(flag for flag in GNUGO_RULE_FLAGS if flag not in command)
        command = [*command, *added]
    return PlayerSpec(text, "gtp", name, command=tuple(command), added_flags=added)


def _settings(text: str, defaults: dict) -> dict:
    """``sims=200,playouts=4`` -> settings over the defaults; ``sims`` and ``playouts`` at least 1,
    a setting whose default is a float (``score_utility``) a finite number >= 0."""
    settings = dict(defaults)
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, _, value = item.partition("=")
        if isinstance(defaults.get(key), float):
            try:
                number = float(value)
            except ValueError:
                number = -1.0
            if not 0 <= number < float("inf"):
                raise ValueError(f"bad setting {item!r} ({key} must be a number >= 0)")
            settings[key] = number
            continue
        smallest = 0 if key == "opening" else 1
        if key not in settings or not value.isdigit() or int(value) < smallest:
            expected = " or ".join(f"{k}={'W' if isinstance(v, float) else 'N'}" for k, v in defaults.items())
            raise ValueError(f"bad setting {item!r} (expected {expected}; opening >= 0, the others >= 1)")
        settings[key] = int(value)
    return settings


def check_available(spec: PlayerSpec, size: int | None = None) -> None:
    """ValueError (one line) when the player cannot play here: a missing engine
    program, a missing or damaged checkpoint, or one for another board than ``size``.
    Starts nothing; a checkpoint is loaded once to check it."""
    if spec.kind == "gtp" and shutil.which(spec.command[0]) is None:
        raise ValueError(f"player {spec.text!r}: engine program {spec.command[0]!r} not found or not executable")
    if spec.kind == "net":
        if not os.path.isfile(spec.path):
            raise ValueError(f"player {spec.text!r}: checkpoint {spec.path} does not exist")
        from nets.checkpoint import load_checkpoint

        load_checkpoint(spec.path, board_size=size)  # CheckpointError, a ValueError, names the problem


def checkpoint_step(spec: PlayerSpec) -> int | None:
    """The training step of a checkpoint player (None for other players)."""
    if not spec.is_checkpoint:
        return None
    from nets.checkpoint import load_checkpoint

    return load_checkpoint(spec.path).step


def build_player(spec: PlayerSpec, seed: int, size: int | None = None, gtp_timeout: float = GTP_MOVE_TIMEOUT,
                 backend: str = "auto", threads: int | None = None):  # fmt: skip
    """The player ``spec`` describes, named ``spec.name``; it has ``genmove`` and maybe ``close``.

    ``seed`` makes random and search players reproducible; ``size`` is the board
    the player will play on (a network checks it against its own); ``backend``
    runs a network (``nets.evaluator``: auto, torch or openvino) on ``threads``
    threads (None: the runtime's default).
    """
    if spec.kind == "random":
        from mcts.players import RandomPlayer

        return RandomPlayer(seed)
    if spec.kind == "mcts":
        from mcts.evaluators import RolloutEvaluator

        evaluator = RolloutEvaluator(spec.settings["playouts"], seed)
        return _search_player(spec, evaluator, seed, spec.settings["opening"])
    if spec.kind == "net":
        from nets.checkpoint import load_checkpoint
        from nets.evaluator import NetEvaluator

        checkpoint = load_checkpoint(spec.path, board_size=size)
        opening = spec.settings["opening"]
        if opening is None:
            opening = max(2, checkpoint.board_size // 2)
        return _search_player(spec, NetEvaluator(checkpoint, threads=threads, backend=backend), seed, opening)
    if spec.kind == "gtp":
        from gtp.player import GTPPlayer

        return GTPPlayer(list(spec.command), name=spec.name, timeout=gtp_timeout)
    raise ValueError(f"unknown player kind {spec.kind!r}")


def _search_player(spec: PlayerSpec, evaluator, seed: int, opening: int):
    from dataclasses import replace

    from mcts.config import SearchConfig
    from mcts.players import MCTSPlayer

    config = SearchConfig(temperature=1.0, temperature_moves=opening) if opening else None
    score_utility = spec.settings.get("score_utility", 0.0)
    if score_utility:
        config = replace(config or SearchConfig(), score_utility=score_utility)
    return MCTSPlayer(evaluator, spec.settings["sims"], config=config, seed=seed, name=spec.name)


def make_player(text: str, seed: int, size: int | None = None, backend: str = "auto"):
    """``build_player(parse_player_spec(text), seed, size, backend=backend)``."""
    return build_player(parse_player_spec(text), seed, size, backend=backend)
