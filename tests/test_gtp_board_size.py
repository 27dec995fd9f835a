"""Board sizes a network cannot play: ``boardsize`` answers the spec's ``unacceptable
size`` and ``loadsgf`` refuses the record, and the engine stays usable at the
network's size. No command answers ``internal error``: the real ``dosaku gtp`` with
the shipped 9x9 network, driven through the commands that change or assume a size."""

from __future__ import annotations

import io

from engine.coords import gtp_to_flat
from gtp.build import build_engine
from mcts.evaluators import UniformEvaluator
from mcts.players import MCTSPlayer
from tests.gtp_process import REPO_ROOT, EngineProcess

NETWORK = REPO_ROOT / "models" / "9x9.pt"


def write_sgf(path, size: int) -> str:
    path.write_text(f"(;GM[1]FF[4]SZ[{size}]KM[6.5];B[cc];W[dd])")
    return str(path)


def test_a_9x9_network_refuses_other_sizes_and_keeps_playing_9x9(tmp_path):
    small, nine = write_sgf(tmp_path / "small.sgf", 5), write_sgf(tmp_path / "nine.sgf", 9)
    engine = EngineProcess("--model", str(NETWORK), "--sims", "8", "--backend", "torch")
    try:
        assert engine.ask("boardsize 19") == "? unacceptable size"
        move = engine.ask("genmove b")
        assert move.startswith("= ") and gtp_to_flat(move[2:], 9) < 81  # a move on the 9x9 board
        assert engine.ask("showboard").split("\n")[1].split() == list("ABCDEFGHJ")
        for size in (7, 13, 1, 25):
            assert engine.ask(f"boardsize {size}") == "? unacceptable size"
        assert engine.ask("boardsize 9") == "= "
        assert engine.ask("clear_board") == "= "
        refused = engine.ask(f"loadsgf {small}")
        assert refused.startswith("? cannot load file") and "9x9" in refused
        assert engine.ask("list_stones black") == "= "  # the game as it was
        assert engine.ask(f"loadsgf {nine}") == "= "
        assert engine.ask("list_stones black") == "= C7"
        # Every command that reads or changes the position, after the refusals: none fails inside.
        expected = [("boardsize 19", "? unacceptable size"), ("clear_board", "= "), ("genmove w", "= "),
                    ("final_status_list dead", "="), ("final_score", "= "), ("kgs-genmove_cleanup b", "= "),
                    ("lz-genmove_analyze w 1", "= "), ("reg_genmove b", "= "), ("fixed_handicap 5", "? board not empty"),
                    ("undo", "= "), ("clear_board", "= "), ("fixed_handicap 5", "= "), ("genmove w", "= "),
                    ("printsgf", "= "), ("clear_cache", "= "), ("dosaku-tromp_taylor_score", "= ")]  # fmt: skip
        for command, start in expected:
            answer = engine.ask(command)
            assert answer.startswith(start) and "internal error" not in answer, (command, answer)
        engine.send("kata-analyze b 1")
        assert engine.next_line() == "= \n"
        assert engine.next_line().startswith("info move ")
        engine.send("name")  # any command ends the analysis, then is answered
        while (line := engine.next_line()) != "\n":
            assert line.startswith("info move "), line
        assert (engine.next_line(), engine.next_line()) == ("= Dosaku\n", "\n")
        status, stderr = engine.close()
        assert status == 0 and "Traceback" not in stderr, stderr
        assert "boardsize 19 refused: the network plays 9x9 only" in stderr  # the reason, for whoever reads the log
    finally:
        engine.kill()


def test_without_a_network_every_size_is_playable():
    engine = build_engine(MCTSPlayer(UniformEvaluator(), simulations=8), size=9, log=io.StringIO())
    for size in (2, 13, 19):
        assert engine.handle_line(f"boardsize {size}") == "= \n\n"
        assert engine.handle_line("genmove b").startswith("= ")
    assert engine.handle_line("boardsize 20") == "? unacceptable size\n\n"
    assert engine.network_size is None
