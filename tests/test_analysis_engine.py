"""``dosaku analysis``: KataGo's JSON analysis engine (issue 14). In process with
evaluators whose answers are known, and as a real subprocess with ``models/9x9.pt``
for the issue's query, malformed JSON and an illegal move."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from analysis.engine import AnalysisEngine
from engine.coords import gtp_to_flat
from mcts.config import SearchConfig
from mcts.evaluators import UniformEvaluator
from tests.gtp_process import REPO_ROOT
from tests.test_analysis_options import Prefers
from tests.test_score import BlackLeads


class Counting(UniformEvaluator):
    """Uniform, and notes how many games each evaluator call served."""

    def __init__(self):
        self.calls: list[int] = []

    def evaluate(self, features, legal):
        self.calls.append(len(features))
        return super().evaluate(features, legal)


def run(evaluator, lines: list[str], **options) -> list[dict]:
    """Every answer to ``lines``, in the order written."""
    out: list[str] = []
    engine = AnalysisEngine(evaluator, SearchConfig(), out.append, **options)
    engine.serve(iter(lines))
    return [json.loads(line) for line in out]


def query(qid: str, size: int = 5, **fields) -> str:
    return json.dumps({"id": qid, "boardXSize": size, "boardYSize": size, "rules": "tromp-taylor", **fields})


def test_one_answer_per_turn_with_kata_go_s_fields():
    answers = run(UniformEvaluator(), [query("a", moves=[["B", "C3"], ["W", "B2"]], maxVisits=30,
                                             analyzeTurns=[0, 2], includePolicy=True)])  # fmt: skip
    assert sorted(a["turnNumber"] for a in answers) == [0, 2] and {a["id"] for a in answers} == {"a"}
    for answer in answers:
        assert answer["isDuringSearch"] is False and answer["rootInfo"]["visits"] == 30
        assert answer["rootInfo"]["currentPlayer"] == "B"
        infos = answer["moveInfos"]
        assert [m["order"] for m in infos] == list(range(len(infos)))
        assert sum(m["visits"] for m in infos) == 29  # the root's own evaluation is the 30th visit
        assert all(m["pv"][0] == m["move"] and 0 <= m["lcb"] <= m["winrate"] for m in infos)
        assert "scoreLead" not in infos[0] and "scoreLead" not in answer["rootInfo"]  # no score head: none made up
        policy = answer["policy"]
        assert len(policy) == 26 and sum(p for p in policy if p >= 0) == pytest.approx(1, abs=1e-3)
    after = next(a for a in answers if a["turnNumber"] == 2)
    occupied = [gtp_to_flat("C3", 5), gtp_to_flat("B2", 5)]
    assert [after["policy"][m] for m in occupied] == [-1, -1]
    assert not {"C3", "B2"} & {m["move"] for m in after["moveInfos"]}


def test_scores_and_winrates_in_black_s_view_by_default_or_the_mover_s():
    lines = [query("w", moves=[["B", "C3"]], maxVisits=20)]
    black = run(BlackLeads(3.0), lines)[0]
    mover = run(BlackLeads(3.0), lines, report_as="SIDETOMOVE")[0]
    assert black["rootInfo"]["currentPlayer"] == "W"
    assert black["rootInfo"]["scoreLead"] == pytest.approx(3.0, abs=1e-3)
    assert mover["rootInfo"]["scoreLead"] == pytest.approx(-3.0, abs=1e-3)
    assert black["rootInfo"]["scoreStdev"] == pytest.approx(0.0, abs=1e-3)  # every evaluation says the same
    for b, m in zip(black["moveInfos"], mover["moveInfos"], strict=True):
        assert b["winrate"] == pytest.approx(1 - m["winrate"], abs=1e-5) and b["scoreMean"] == -m["scoreMean"]
    overridden = run(BlackLeads(3.0), [query("w", moves=[["B", "C3"]], maxVisits=20,
                                             overrideSettings={"reportAnalysisWinratesAs": "WHITE"})])[0]  # fmt: skip
    assert overridden["rootInfo"]["scoreLead"] == pytest.approx(-3.0, abs=1e-3)


def test_avoid_and_allow_moves_are_obeyed():
    d4, d5, e5 = (gtp_to_flat(v, 7) for v in ("D4", "D5", "E5"))
    plain, avoided, allowed = run(Prefers([d4, d5, e5]), [
        query("plain", size=7, maxVisits=40),
        query("avoid", size=7, maxVisits=40, avoidMoves=[{"player": "B", "moves": ["D4", "D5"], "untilDepth": 1}]),
        query("allow", size=7, maxVisits=40, allowMoves=[{"player": "B", "moves": ["C3", "E5"], "untilDepth": 1}]),
    ], games=1)  # fmt: skip
    assert plain["moveInfos"][0]["move"] == "D4"
    moves = [m["move"] for m in avoided["moveInfos"]]
    assert moves[0] == "E5" and "D4" not in moves and "D5" not in moves
    assert {m["move"] for m in allowed["moveInfos"]} == {"C3", "E5"}


def test_many_queries_share_one_batched_search():
    evaluator = Counting()
    lines = [query(f"q{i}", moves=[["B", v]], maxVisits=64) for i, v in enumerate(("A1", "B2", "C3", "D4", "E5"))]
    answers = run(evaluator, lines)
    assert sorted(a["id"] for a in answers) == [f"q{i}" for i in range(5)]
    assert all(a["rootInfo"]["visits"] == 64 for a in answers)
    # One call serves all five positions: far fewer calls than five searches alone would make.
    assert max(evaluator.calls) > SearchConfig().leaves_per_game
    assert len(evaluator.calls) < 5 * 64 / SearchConfig().leaves_per_game


def test_priority_first_then_arrival_when_games_are_few():
    lines = [query("low", maxVisits=10), query("later", maxVisits=10), query("high", maxVisits=10, priority=5)]
    out: list[str] = []
    engine = AnalysisEngine(UniformEvaluator(), SearchConfig(), out.append, games=1)
    for line in lines:
        engine.handle_line(line)
    while engine.busy:
        engine.step()
    assert [json.loads(line)["id"] for line in out] == ["high", "low", "later"]


def test_reports_during_search_then_terminate():
    now = [0.0]
    out: list[str] = []
    engine = AnalysisEngine(UniformEvaluator(), SearchConfig(), out.append, clock=lambda: now[0])
    engine.handle_line(query("long", maxVisits=100000, reportDuringSearchEvery=0.5))
    engine.handle_line(query("queued", maxVisits=10, analyzeTurns=[0]))
    for _ in range(3):  # it starts in the first step, at 1 s: reports fall due at 2 s and 3 s
        now[0] += 1.0
        engine.step()
    during = [json.loads(line) for line in out if json.loads(line)["id"] == "long"]
    assert len(during) == 2 and all(a["isDuringSearch"] for a in during)
    assert during[0]["rootInfo"]["visits"] < during[-1]["rootInfo"]["visits"]
    engine.handle_line(json.dumps({"id": "t", "action": "terminate", "terminateId": "long"}))
    engine.step()
    final = json.loads(out[-1])
    assert final["id"] == "long" and final["isDuringSearch"] is False
    assert final["rootInfo"]["visits"] < 100000
    assert {"id": "t", "action": "terminate", "terminateId": "long"} in [json.loads(line) for line in out]
    assert not engine.busy


def test_terminate_all_answers_waiting_queries_with_no_results():
    out: list[str] = []
    engine = AnalysisEngine(UniformEvaluator(), SearchConfig(), out.append, games=1)
    engine.handle_line(query("a", maxVisits=100000))
    engine.handle_line(query("b", maxVisits=100000))
    engine.step()
    engine.handle_line(json.dumps({"id": "all", "action": "terminate_all"}))
    engine.step()
    answers = {a["id"]: a for a in map(json.loads, out)}
    assert answers["b"]["noResults"] is True and answers["a"]["rootInfo"]["visits"] > 0
    assert answers["all"] == {"id": "all", "action": "terminate_all"} and not engine.busy


def test_bad_queries_get_error_lines_with_their_id_and_the_engine_goes_on():
    answers = run(UniformEvaluator(), [
        '{"id":"broken", "moves": [[',
        "[1, 2]",
        json.dumps({"id": "x", "moves": [["B", "C3"], ["W", "C3"]], "boardXSize": 5, "boardYSize": 5}),
        query("off", moves=[["B", "Z9"]]),
        query("rules", rules="japanese"),
        query("rect", boardYSize=7),
        query("turns", analyzeTurns=[3]),
        query("komi", komi="seven"),
        json.dumps({"id": "act", "action": "fly"}),
        json.dumps({"id": "v", "action": "query_version"}),
        query("extra", maxVisits=5, frobnicate=1),
        query("fine", maxVisits=5),
    ])  # fmt: skip
    by_id: dict[str, list[dict]] = {}
    for answer in answers:
        by_id.setdefault(answer.get("id"), []).append(answer)
    assert by_id["broken"][0]["error"].startswith("could not parse")
    assert "error" in by_id[None][0]  # no id to be found in it
    assert by_id["x"] == [{"id": "x", "error": "Illegal move 1: W C3 (occupied)", "field": "moves"}]
    fields = {qid: by_id[qid][0].get("field") for qid in ("off", "rules", "rect", "turns", "komi", "act")}
    assert fields == {"off": "moves", "rules": "rules", "rect": "boardYSize", "turns": "analyzeTurns",
                      "komi": "komi", "act": "action"}  # fmt: skip
    assert all("error" in by_id[qid][0] for qid in fields)
    assert by_id["v"][0]["action"] == "query_version"
    assert by_id["extra"][0] == {"id": "extra", "warning": "unexpected or unused field 'frobnicate'",
                                 "field": "frobnicate"}  # fmt: skip
    assert by_id["extra"][1]["rootInfo"]["visits"] == 5 and by_id["fine"][0]["rootInfo"]["visits"] == 5


def test_a_network_of_another_size_refuses_the_query():
    class SevenOnly(UniformEvaluator):
        size = 7

    answer = run(SevenOnly(), [query("nine", size=9)])[0]
    assert answer == {"id": "nine", "error": "the network plays 7x7, not 9x9", "field": "boardXSize"}


@pytest.mark.skipif(not (REPO_ROOT / "models" / "9x9.pt").exists(), reason="models/9x9.pt is not shipped here")
def test_a_real_dosaku_analysis_answers_the_issue_s_query_and_survives_bad_lines():
    issue_query = ('{"id":"q1","moves":[["B","E5"],["W","C3"]],"rules":"tromp-taylor","komi":7.5,'
                   '"boardXSize":9,"boardYSize":9,"maxVisits":50,"analyzeTurns":[2]}')  # fmt: skip
    lines = [
        issue_query,
        '{"id":"bad", "moves": [["B","E5"]',
        '{"id":"illegal","moves":[["B","E5"],["W","E5"]],"boardXSize":9,"boardYSize":9}',
        json.dumps(
            {
                "id": "q2",
                "moves": [["B", "E5"]],
                "boardXSize": 9,
                "boardYSize": 9,
                "maxVisits": 20,
                "includeOwnership": True,
                "includePolicy": True,
                "includePVVisits": True,
            }
        ),
    ]
    done = subprocess.run([sys.executable, "-m", "cli.main", "analysis", "--model", "models/9x9.pt"],
                          input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    answers = {a["id"]: a for a in map(json.loads, done.stdout.splitlines())}
    q1 = answers["q1"]
    assert q1["turnNumber"] == 2 and q1["isDuringSearch"] is False
    assert q1["rootInfo"]["visits"] == 50 and q1["moveInfos"][0]["order"] == 0
    assert not {"E5", "C3"} & {m["move"] for m in q1["moveInfos"]}
    assert "error" in answers["bad"] and answers["illegal"]["error"].startswith("Illegal move 1")
    q2 = answers["q2"]
    assert len(q2["ownership"]) == 81 and len(q2["policy"]) == 82
    assert all(len(m["pvVisits"]) == len(m["pv"]) for m in q2["moveInfos"])
    assert np.all(np.abs(q2["ownership"]) <= 1)
