"""The engine ``dosaku gtp`` serves: GTP's standard commands (``gtp/engine.py``) with
every extension (``gtp/extensions/``) registered on it, in the order ``list_commands``
shows them."""

from __future__ import annotations

from gtp.engine import GTPEngine
from gtp.extensions import analyze, dead_stones, housekeeping, kgs_time, rules

EXTENSIONS = (kgs_time, dead_stones, analyze, rules, housekeeping)


def install_extensions(engine: GTPEngine) -> GTPEngine:
    """Register every extension's commands on ``engine``; returns it."""
    for extension in EXTENSIONS:
        extension.register(engine)
    return engine


def build_engine(player, **options) -> GTPEngine:
    """A ``GTPEngine(player, **options)`` with every extension installed."""
    return install_extensions(GTPEngine(player, **options))
