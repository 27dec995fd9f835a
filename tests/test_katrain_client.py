"""``dosaku analysis`` driven by KaTrain's own engine client (``tests/katrain_client.py``):
KaTrain builds the queries from a game (its rules names, overrideSettings, ownership
and policy, avoidMoves for "find alternatives"), writes and reads them on its threads,
and hands each answer to the callbacks its game tree uses. KaTrain needs a score
lead, so the network is a small one with a score head."""

from __future__ import annotations

import shlex
import sys
import threading

import pytest

from tests.gtp_process import REPO_ROOT
from tests.katrain_client import load_engine_module
from tests.test_analysis_options import crafted_model  # noqa: F401 - the fixture

WAIT = 180  # seconds for one answer: kernels may compile on a loaded machine


class Move:
    """pysgf's ``Move`` as KaTrain's engine reads it: ``player`` and ``gtp()``."""

    def __init__(self, player: str, vertex: str):
        self.player, self.vertex = player, vertex

    def gtp(self) -> str:
        return self.vertex


class Node:
    """A game-tree node as KaTrain's ``request_analysis`` reads one."""

    def __init__(self, moves: list[tuple[str, str]], ruleset: str = "chinese", analysed: list[str] = ()):
        self.moves = [Move(p, v) for p, v in moves]
        self.placements, self.clear_placements = [], []
        self.nodes_from_root = [self]
        self.board_size, self.ruleset, self.komi, self.initial_player = (9, 9), ruleset, 7.5, "B"
        self.next_player = "BW"[len(moves) % 2]
        self.analysis = {"moves": {m: {} for m in analysed}}
        self.analysis_visits_requested = 0


class KaTrain:
    """What KaTrain's engine calls back: ``log`` and popups."""

    def __init__(self):
        self.logged: list[tuple[str, int]] = []

    def log(self, message, level) -> None:
        self.logged.append((str(message), level))

    def __call__(self, *args) -> None:
        self.logged.append((f"popup {args}", -1))


def ask(engine, node: Node, **options) -> tuple[dict | None, dict | None]:
    """KaTrain's ``request_analysis`` of ``node``: (final answer, error), one of them None."""
    done, found = threading.Event(), {}

    def answered(analysis, partial):
        if not partial:
            found["answer"] = analysis
            done.set()

    def failed(error):
        found["error"] = error
        done.set()

    engine.request_analysis(node, answered, failed, **options)
    assert done.wait(WAIT), engine.katrain.logged[-5:]
    return found.get("answer"), found.get("error")


def test_katrain_s_engine_client_analyses_with_dosaku(tmp_path, monkeypatch, crafted_model):  # noqa: F811
    katrain_engine = load_engine_module(tmp_path / "katrain", monkeypatch)
    monkeypatch.chdir(REPO_ROOT)
    # KaTrain runs a custom command through the shell; exec makes Dosaku the process KaTrain stops.
    command = "exec " + shlex.join([sys.executable, "-m", "cli.main", "analysis", "--model", crafted_model])
    config = {"altcommand": command, "max_visits": 40, "fast_visits": 10, "_enable_ownership": True,
              "wide_root_noise": 0.04, "max_time": 60.0, "allow_recovery": False}  # fmt: skip
    engine = katrain_engine.KataGoEngine(KaTrain(), config)
    try:
        answer, error = ask(engine, Node([("B", "E5"), ("W", "C3")]))
        assert error is None
        root = answer["rootInfo"]
        assert root["visits"] == 40 and root["currentPlayer"] == "B" and "scoreLead" in root and "winrate" in root
        infos = answer["moveInfos"]
        assert infos and all(
            {"move", "visits", "winrate", "scoreLead", "order", "pv", "prior"} <= set(m) for m in infos
        )
        assert len(answer["ownership"]) == 81 and len(answer["policy"]) == 82
        assert len(infos[0]["ownership"]) == 81  # includeMovesOwnership, which KaTrain asks for
        # "Find alternatives": KaTrain avoids the moves analysed already, at the root.
        shown = [m["move"] for m in infos]
        again, _ = ask(engine, Node([("B", "E5"), ("W", "C3")], analysed=shown), find_alternatives=True)
        assert not set(shown) & {m["move"] for m in again["moveInfos"]}
        # Rules Dosaku does not play, and an illegal move: error answers, and the engine goes on.
        _, refused = ask(engine, Node([("B", "E5")], ruleset="japanese"))
        assert refused["field"] == "rules"
        _, illegal = ask(engine, Node([("B", "E5"), ("W", "E5")]))
        assert illegal["error"].startswith("Illegal move 1")
        answer, error = ask(engine, Node([("B", "E5")]), visits=15)
        assert error is None and answer["rootInfo"]["visits"] == 15 and answer["rootInfo"]["currentPlayer"] == "W"
        assert not [m for m, level in engine.katrain.logged if level == katrain_engine.OUTPUT_ERROR]
    finally:
        engine.shutdown(finish=False)


@pytest.fixture(autouse=True)
def _no_leftover_modules():
    yield
    for name in [n for n in sys.modules if n == "katrain" or n.startswith("katrain.")]:
        del sys.modules[name]
