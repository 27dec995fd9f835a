"""Live analysis (gtp/analysis.py through the engine): the lines parse as Sabaki
and Lizzie parse them, their numbers are in range and add up, their variations are
legal, and a real ``dosaku gtp`` process stops analysing when the next command comes.

The parsers below mirror the GUIs: ``sabaki_parse`` is Sabaki's ``parseAnalysis``
(split at ``info``, the pv as the trailing run of vertices, the rest key/value
pairs; a winrate with a decimal point is a fraction, without one Leela's 0..10000),
``lizzie_parse`` is Lizzie's ``MoveData.fromInfo`` (key/value pairs up to ``pv``,
integers for Leela's format, floats for KataGo's).
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading

import numpy as np
import pytest

from analysis.moves import candidates, lower_confidence_bound
from engine.coords import gtp_to_flat
from engine.game import BLACK, WHITE, GameState
from gtp.analysis import AnalysisRequest, parse_request
from gtp.arguments import parse_color, parse_int
from gtp.build import build_engine
from gtp.engine import GTPEngine
from mcts.evaluators import UniformEvaluator
from mcts.players import CHUNK_SIMULATIONS, MCTSPlayer, RandomPlayer
from tests.gtp_process import REPO_ROOT, EngineProcess

VERTEX_RE = re.compile(r"[A-HJ-T](1[0-9]|[1-9])")


# --- the GUIs' parsers --------------------------------------------------------------


def sabaki_parse(line: str) -> list[dict]:
    """Sabaki's parseAnalysis, line for line (ownership stripped first, as Sabaki does)."""
    line = re.sub(r"\s*ownership\s+.*$", "", line)
    found = []
    for part in re.split(r"\s*info\s+", line)[1:]:
        part = part.strip()
        match = re.search(r"(pass|[A-Za-z]\d+)(\s+(pass|[A-Za-z]\d+))*$", part)
        if match is None:
            continue
        pass_index = match.group(0).find("pass")
        tail = match.group(0) if pass_index < 0 else match.group(0)[:pass_index]
        tokens = part[: match.start()].strip().split()[:-1]  # drop the "pv" key
        record = dict(zip(tokens[0::2], tokens[1::2]))
        record["pv"] = [move for move in tail.split() if len(move) >= 2]
        found.append(record)
    found = [r for r in found if re.fullmatch(r"[A-Za-z]\d+", r.get("move", ""))]
    for record in found:
        winrate = record["winrate"]
        record["percent"] = float(winrate) * 100 if "." in winrate else int(winrate) / 100
    return found


def lizzie_parse(line: str, kata: bool) -> list[dict]:
    """Lizzie's MoveData.fromInfo / fromInfoKatago: typed key/value pairs, then the pv."""
    line = line.split(" ownership ")[0]
    moves = []
    for part in line.split("info ")[1:]:
        data = part.split()
        record: dict = {}
        i = 0
        while i < len(data):
            key = data[i]
            if key == "pv":
                record["pv"] = data[i + 1 :]
                break
            value = data[i + 1]
            if key in ("visits", "order"):
                record[key] = int(value)
            elif key in ("winrate", "prior", "lcb", "utility"):
                record[key] = float(value) if kata else int(value)  # Integer.parseInt throws on "0.5"
            else:
                record[key] = value
            i += 2
        moves.append(record)
    return moves


# --- helpers --------------------------------------------------------------------------


def search_engine(size: int = 7, simulations: int = 64, seed: int = 0) -> GTPEngine:
    player = MCTSPlayer(UniformEvaluator(), simulations=simulations, seed=seed)
    player.node_memory = 4 * 2**20  # room for analysis, as dosaku gtp gives it
    return build_engine(player, size=size, log=io.StringIO())


def stream(engine: GTPEngine, line: str) -> list[str]:
    """The lines of a streamed answer between ``= `` and the blank line."""
    response = engine.handle_line(line)
    assert response.startswith("= \n") and response.endswith("\n\n"), response
    return response[3:-2].split("\n") if response != "= \n\n" else []


def check_variations(records: list[dict], game: GameState, color: int) -> None:
    """Every pv starts with its move and is a sequence of legal moves from ``game``."""
    for record in records:
        assert record["pv"][0] == record["move"]
        position = game.copy()
        mover = color
        for vertex in record["pv"]:
            assert vertex == "pass" or VERTEX_RE.fullmatch(vertex), vertex
            move = position.pass_move if vertex == "pass" else gtp_to_flat(vertex, game.size)
            assert position.is_legal(move, mover), (record["pv"], vertex)
            position.play(move, mover)
            mover = 3 - mover


# --- lz-analyze -------------------------------------------------------------------------


def test_lz_analyze_lines_parse_as_sabaki_and_lizzie_read_them():
    engine = search_engine()
    engine.handle_line("play b d4")
    lines = stream(engine, "lz-analyze w 1")
    assert len(lines) == 1 and lines[0].startswith("info move ")
    sabaki, lizzie = sabaki_parse(lines[0]), lizzie_parse(lines[0], kata=False)
    on_board = [z for z in lizzie if z["move"] != "pass"]  # Sabaki shows no pass candidates
    assert len(sabaki) == len(on_board) >= 1
    for s, z in zip(sabaki, on_board):
        assert s["move"] == z["move"] and s["pv"] == z["pv"][: len(s["pv"])]
        assert 0 <= s["percent"] <= 100
        assert 0 <= z["winrate"] <= 10000 and 0 <= z["prior"] <= 10000 and 0 <= z["lcb"] <= z["winrate"]
    assert [z["order"] for z in lizzie] == list(range(len(lizzie)))
    visits = [z["visits"] for z in lizzie]
    assert visits == sorted(visits, reverse=True) and visits[0] > 0
    assert sum(visits) <= engine.player.search.result(0).root_visits
    check_variations(lizzie, engine.game, WHITE)


def test_visits_add_up_to_the_search_s_root_visits():
    engine = search_engine(simulations=100)
    engine.handle_line("genmove b")  # a tree to analyse from, searched once
    lines = stream(engine, "lz-analyze 1")
    search = engine.player.search
    visits = sum(z["visits"] for z in lizzie_parse(lines[0], kata=False))
    assert visits == search.result(0).root_visits - 1  # every visit but the root's own
    assert engine.game.to_play == WHITE  # analysis plays nothing


def test_maxmoves_minmoves_and_the_colour_are_obeyed():
    engine = search_engine()
    lines = stream(engine, "lz-analyze b interval 1 maxmoves 3")
    assert len(lizzie_parse(lines[0], kata=False)) <= 3
    lines = stream(engine, "lz-analyze 1 minmoves 49")
    parsed = lizzie_parse(lines[0], kata=False)
    assert len(parsed) >= 49  # unvisited moves are listed after the visited ones
    check_variations(parsed, engine.game, BLACK)


def test_bad_analysis_arguments_are_syntax_errors_and_random_players_cannot_analyse():
    engine = search_engine()
    for bad in ("lz-analyze 10 interval", "lz-analyze 10 frobnicate 3", "kata-analyze b -5",
                "kata-analyze ownership maybe", "lz-analyze b 10 maxmoves 0", "kata-analyze rootInfo yes",
                "kata-analyze b 10 avoid b d4", "kata-analyze b 10 avoid b z9 1", "kata-analyze avoid b d4 -1",
                "kata-analyze allow b d4 1 allow w d4 1", "kata-analyze allow b d4 1 avoid w e5 1"):  # fmt: skip
        assert engine.handle_line(bad).startswith("? syntax error"), bad
    # Every format takes KataGo's keys; Leela's line has no place for their fields.
    lines = stream(engine, "lz-analyze 10 ownership true rootInfo true pvVisits true avoid b d4,e5 3 avoid w c3 1")
    assert lines and not any(word in lines[0] for word in ("ownership", "rootInfo", "pvVisits"))
    random_engine = build_engine(RandomPlayer(1), size=7, log=io.StringIO())
    assert random_engine.handle_line("lz-analyze 10").startswith("? analysis needs a search player")

    class SevenByNine(UniformEvaluator):
        size = 7  # as a network trained on 7x7 says

    engine = build_engine(MCTSPlayer(SevenByNine(), simulations=8), size=9, log=io.StringIO())
    assert engine.handle_line("kata-analyze 10") == "? the network plays 7x7, not 9x9\n\n"


def test_parse_request_reads_positional_and_key_value_arguments():
    request = parse_request("kata", ["W", "25", "maxmoves", "5", "ownership", "true"], parse_color, parse_int)
    assert request == AnalysisRequest("kata", WHITE, 25, 0, 5, True)
    assert parse_request("lz", [], parse_color, parse_int) == AnalysisRequest("lz")
    assert parse_request("lz", ["interval", "7"], parse_color, parse_int).interval_cs == 7


def test_lower_confidence_bound():
    assert lower_confidence_bound(0.6, 0) == lower_confidence_bound(0.6, 1) == 0.0
    assert 0 < lower_confidence_bound(0.6, 10) < lower_confidence_bound(0.6, 1000) < 0.6
    assert lower_confidence_bound(1.0, 50) == 1.0 and lower_confidence_bound(0.0, 50) == 0.0


# --- kata-analyze and dosaku-analyze ----------------------------------------------------------


def test_kata_analyze_floats_with_a_decimal_point_and_ownership_for_every_point():
    engine = search_engine()
    engine.handle_line("play b c4")
    line = stream(engine, "kata-analyze 1 ownership true")[0]
    head, ownership = line.split(" ownership ")
    values = [float(v) for v in ownership.split()]
    assert len(values) == 49 and all(-1 <= v <= 1 for v in values)
    lizzie = lizzie_parse(head, kata=True)
    for token in re.findall(r"(?:winrate|prior|lcb|utility) (\S+)", head):
        assert "." in token  # Sabaki reads a number without a point as Leela's 0..10000
    for z in lizzie:
        assert 0 <= z["winrate"] <= 1 and 0 <= z["prior"] <= 1 and 0 <= z["lcb"] <= 1
        assert z["utility"] == pytest.approx(2 * z["winrate"] - 1, abs=1e-5)
    sabaki = sabaki_parse(line)
    assert [s["move"] for s in sabaki] == [z["move"] for z in lizzie if z["move"] != "pass"]
    assert all(0 <= s["percent"] <= 100 for s in sabaki)
    check_variations(lizzie, engine.game, WHITE)
    assert " ownership " not in stream(engine, "kata-analyze 1")[0]


def test_ownership_is_from_the_analysed_player_s_view():
    engine = search_engine(size=5)
    for move in ("b a2", "w c3", "b b1"):  # black captures nothing, white is alone in the middle
        engine.handle_line(f"play {move}")
    black = stream(engine, "kata-analyze b 1 ownership true")[0].split(" ownership ")[1].split()
    white = stream(engine, "kata-analyze w 1 ownership true")[0].split(" ownership ")[1].split()
    assert [float(v) for v in black] == pytest.approx([-float(v) for v in white], abs=1e-6)


def test_dosaku_analyze_writes_json_lines():
    engine = search_engine()
    line = stream(engine, "dosaku-analyze 1 maxmoves 4 ownership true")[0]
    record = json.loads(line)
    assert set(record) == {"rootInfo", "moveInfos", "ownership"}
    assert len(record["moveInfos"]) <= 4 and len(record["ownership"]) == 49
    assert sum(m["visits"] for m in record["moveInfos"]) <= record["rootInfo"]["visits"]
    assert [m["order"] for m in record["moveInfos"]] == list(range(len(record["moveInfos"])))


def test_candidates_rank_visited_moves_first():
    engine = search_engine()
    engine.handle_line("play b d4")
    stream(engine, "lz-analyze 1")
    found = candidates(engine.player.search, min_moves=60)
    visits = [c.visits for c in found]
    assert visits == sorted(visits, reverse=True)
    assert len({c.move for c in found}) == len(found) == 49  # 48 points and pass: all legal moves


# --- genmove_analyze ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["lz", "kata", "dosaku"])
def test_genmove_analyze_streams_lines_then_plays(fmt):
    engine = search_engine(simulations=400)
    lines = stream(engine, f"{fmt}-genmove_analyze b 1")
    assert lines[-1].startswith("play ")
    vertex = lines[-1].split()[1]
    assert engine.game.moves == [(BLACK, gtp_to_flat(vertex, 7))]
    for line in lines[:-1]:
        assert line.startswith("info " if fmt != "dosaku" else "{")
    response = engine.handle_line(f"{fmt}-genmove_analyze 1")  # no colour: the player to move
    assert response.startswith("= \n") and "\nplay " in response
    assert engine.game.moves[-1][0] == WHITE


def test_genmove_analyze_searches_exactly_its_simulations():
    engine = search_engine(simulations=2 * CHUNK_SIMULATIONS + 5)  # not a whole number of chunks
    stream(engine, "lz-genmove_analyze b 1")
    assert engine.player.search.result(0).root_visits == 2 * CHUNK_SIMULATIONS + 5


# --- the wire: interrupted by the next command ----------------------------------------------


def test_serve_stops_the_analysis_at_the_next_command_and_answers_it():
    engine = search_engine()
    read_fd, write_fd = os.pipe()
    out = io.BytesIO()
    lines_seen = threading.Event()

    class Watched(io.BytesIO):
        def write(self, data):
            if data.startswith(b"info "):
                lines_seen.set()
            return out.write(data)

    with open(read_fd, "rb") as reader, open(write_fd, "wb") as writer:
        server = threading.Thread(target=engine.serve, args=(reader, Watched()))
        server.start()
        writer.write(b"7 lz-analyze 1\n")
        writer.flush()
        assert lines_seen.wait(timeout=60)
        writer.write(b"8 name\nquit\n")
        writer.flush()
        server.join(timeout=60)
        assert not server.is_alive()
    text = out.getvalue().decode()
    analysis, rest = text.split("\n\n", 1)
    assert analysis.startswith("=7 \ninfo move ")
    assert all(line.startswith("info move ") for line in analysis.split("\n")[1:])
    assert rest == "=8 Dosaku\n\n= \n\n"


def test_subprocess_analysis_streams_until_the_next_command():
    engine = EngineProcess("--size", "7", "--player", "mcts", "--sims", "64", "--seed", "2")
    try:
        engine.send("1 lz-analyze b 5")
        assert engine.next_line() == "=1 \n"
        infos = [engine.next_line() for _ in range(3)]
        for line in infos:
            parsed = lizzie_parse(line, kata=False)
            assert parsed and sabaki_parse(line)
            check_variations(parsed, GameState(7), BLACK)
        engine.send("2 name")
        while (line := engine.next_line()) != "\n":  # lines already under way, then the end
            assert line.startswith("info move ")
        assert engine.next_line() == "=2 Dosaku\n"
        assert engine.next_line() == "\n"
        engine.send("3 kata-analyze w 5 ownership true")
        assert engine.next_line() == "=3 \n"
        line = engine.next_line()
        assert len(line.split(" ownership ")[1].split()) == 49
        engine.send("")  # a bare newline ends the analysis too (KataGo's rule), answering nothing
        while engine.next_line() != "\n":
            pass
        engine.send("4 quit")
        assert engine.next_line() == "=4 \n"
        assert engine.process.wait(timeout=60) == 0
        errors = engine.process.stderr.read().decode()
        assert "rollout search" in errors and "Traceback" not in errors
    finally:
        engine.kill()


def test_dosaku_gtp_says_when_it_falls_back_to_rollout_search():
    result = subprocess.run(
        [sys.executable, "-m", "cli.main", "gtp", "--size", "5", "--sims", "16"],
        cwd=REPO_ROOT, input=b"genmove b\nquit\n", capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0
    assert "no --model" in result.stderr.decode() and "rollout search" in result.stderr.decode()
    assert re.fullmatch(rb"= ([A-E][1-5]|pass|resign)\n\n= \n\n", result.stdout), result.stdout
    np.testing.assert_equal(result.stdout.count(b"\n\n"), 2)
