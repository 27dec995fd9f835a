"""Players: spelled as text (``dosaku match``, ``dosaku arena``) or chosen by options, and made.

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

``parse_player_spec`` checks a spelling without starting anything. The command
line's ``--player``/``--model`` options and the play window choose their bot with
``search_spec`` instead (``cli.players``). Either way the result is a ``PlayerSpec``,
and ``make_player`` is the one function that makes a player from it (loads the
network, starts the engine). Every player default is defined here.
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass

MCTS_DEFAULT_SIMS = 1000
NET_DEFAULT_SIMS = 200  # a network needs far fewer simulations than rollouts
# The settings each kind of search takes, with their defaults, in the order a bad setting's message lists them.
SEARCH_DEFAULTS = {
    "mcts": {"sims": MCTS_DEFAULT_SIMS, "playouts": 1, "opening": 0},
    "net": {"sims": NET_DEFAULT_SIMS, "opening": None, "score_utility": 0.0},
}
GNUGO_RULE_FLAGS = ("--chinese-rules", "--capture-all-dead", "--positional-superko")
GTP_MOVE_TIMEOUT = 60.0  # seconds an engine may think about one move before it counts as hung
SPELLINGS = "random, mcts[:sims=N,playouts=P], PATH.pt[:sims=N], net:PATH[,sims=N] or gtp:COMMAND"


@dataclass(frozen=True)
class PlayerSpec:
    """One player: its kind, its settings and the name it goes by.

    ``kind`` is ``random``, ``mcts``, ``net`` or ``gtp``; ``text`` the spelling it was
    parsed from (or, for one built from options, an equivalent spelling); ``path`` the
    checkpoint of a ``net``; ``command`` the argument vector of a ``gtp`` engine (with
    any added rule flags). A search (``mcts``, ``net``) has ``sims`` simulations a move,
    ``opening`` moves drawn by visit counts (None: the network default for the board)
    and a ``score_utility``; ``mcts`` has ``playouts`` random playouts per leaf.
    """

    text: str
    kind: str
    name: str
    sims: int = 0
    playouts: int = 1
    opening: int | None = 0
    score_utility: float = 0.0
    path: str | None = None
    command: tuple[str, ...] = ()
    added_flags: tuple[str, ...] = ()

    @property
    def is_checkpoint(self) -> bool:
        return self.kind == "net"


RANDOM = PlayerSpec("random", "random", "random")


def search_spec(kind: str, name: str, path: str | None = None, text: str | None = None, **settings) -> PlayerSpec:
    """A ``mcts`` or ``net`` search named ``name``, with ``settings`` over the kind's defaults
    (``SEARCH_DEFAULTS``; a setting given as None keeps its default). ``text`` defaults to
    the equivalent spelling."""
    defaults = SEARCH_DEFAULTS[kind]
    unknown = settings.keys() - defaults.keys()
    if unknown:
        raise TypeError(f"a {kind} player takes no setting {', '.join(sorted(unknown))}")
    chosen = {key: default if settings.get(key) is None else settings[key] for key, default in defaults.items()}
    if text is None:
        given = ",".join(f"{key}={value:g}" for key, value in chosen.items() if value is not None)
        text = f"mcts:{given}" if kind == "mcts" else f"net:{path},{given}"
    return PlayerSpec(text, kind, name, path=path, **chosen)


def parse_player_spec(text: str) -> PlayerSpec:
    """The player ``text`` spells (see the module docstring); ValueError if it spells none."""
    text = text.strip()
    kind, _, rest = text.partition(":")
    if kind == "random" and not rest:
        return RANDOM
    if kind == "mcts":
        return search_spec("mcts", text, text=text, **_settings(rest, SEARCH_DEFAULTS["mcts"]))
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
    return search_spec("net", text, path=path, text=text, **_settings(options, SEARCH_DEFAULTS["net"]))


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


def make_player(spec: PlayerSpec, seed: int, size: int | None = None, *, backend: str = "auto",
                threads: int | None = None, gtp_timeout: float = GTP_MOVE_TIMEOUT):  # fmt: skip
    """The player ``spec`` describes, named ``spec.name``; it has ``genmove`` and maybe ``close``.
    The one place players are made, whether spelled (``parse_player_spec``) or chosen by options.

    ``seed`` makes random and search players reproducible; ``size`` is the board
    the player will play on (a network checks it against its own; None: any);
    ``backend`` runs a network (``nets.evaluator``: auto, torch or openvino) on
    ``threads`` threads (None: the runtime's default); an engine may think
    ``gtp_timeout`` seconds about a move.
    """
    if spec.kind == "random":
        from mcts.players import RandomPlayer

        return RandomPlayer(seed)
    if spec.kind == "mcts":
        from mcts.evaluators import RolloutEvaluator

        return _search_player(spec, RolloutEvaluator(spec.playouts, seed), seed, spec.opening)
    if spec.kind == "net":
        from nets.checkpoint import load_checkpoint
        from nets.evaluator import NetEvaluator

        checkpoint = load_checkpoint(spec.path, board_size=size)
        opening = spec.opening
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
    if spec.score_utility:
        config = replace(config or SearchConfig(), score_utility=spec.score_utility)
    return MCTSPlayer(evaluator, spec.sims, config=config, seed=seed, name=spec.name)
