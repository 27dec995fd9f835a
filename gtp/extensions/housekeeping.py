"""Commands about the engine process and its search rather than the game:

* ``cputime`` (GoGui's, the CPU column of ``gogui-twogtp``) and ``gomill-cpu_time``
  (gomill's ring-master): CPU seconds the engine process has used, all its threads
  (the network's included), user and system time together;
* ``get_komi`` (KataGo's): the komi in force;
* ``stop`` (KataGo's): halt pondering or analysis. An analysis (``gtp/analysis.py``)
  already ends when the next command arrives, ``stop`` included, so ``stop`` itself
  has nothing left to do and answers at once;
* ``clear_cache`` (KataGo's): forget the search tree kept from earlier moves and
  analyses, so that the next search starts afresh. Harmless for players without one.
"""

from __future__ import annotations

import time
from functools import partial

from gtp.arguments import expect_args
from gtp.engine import GTPEngine


def register(engine: GTPEngine) -> None:
    """Add ``cputime``, ``gomill-cpu_time``, ``get_komi``, ``stop`` and ``clear_cache``."""
    engine.register("cputime", cpu_time)
    engine.register("gomill-cpu_time", cpu_time)
    engine.register("get_komi", partial(get_komi, engine))
    engine.register("stop", stop)
    engine.register("clear_cache", partial(clear_cache, engine))


def cpu_time(args: list[str]) -> str:
    """CPU seconds of the whole process (every thread), with millisecond precision."""
    expect_args(args, 0)
    return f"{time.process_time():.3f}"


def get_komi(engine: GTPEngine, args: list[str]) -> str:
    """The komi, as ``komi`` takes it (``7.5``, ``-3``)."""
    expect_args(args, 0)
    return f"{engine.komi:g}"


def stop(args: list[str]) -> str:
    """Nothing runs by the time ``stop`` is read: an analysis ends at the next command."""
    return ""


def clear_cache(engine: GTPEngine, args: list[str]) -> str:
    """Drop the kept search tree (every game of the player's batched search)."""
    expect_args(args, 0)
    search = getattr(engine.player, "search", None)
    trees = getattr(search, "trees", None)
    if trees is not None:
        for game in range(search.games):
            trees.clear(game)
    return ""
