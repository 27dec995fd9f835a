"""Dosaku under clients that other people wrote: Sabaki's engine library and SGF parser, from npm.

``tests/js/sabaki_session.js`` drives a real ``dosaku gtp`` process through
``@sabaki/gtp``'s ``Controller`` and ``ControllerStateTracker``, the classes Sabaki's
engine syncer is built on: board sync (komi, board size, pipelined plays, ``undo`` to
branch, ``clear_board`` and a replay to jump), ``kata-analyze`` interrupted by the next
command, and ``kata-genmove_analyze``, whose move the library reads off the stream
itself. Sabaki's analysis parser (``parseAnalysis``) is part of Sabaki's application,
not of the npm package, so the lines the library delivered are parsed here by
``sabaki_parse`` (``test_gtp_analysis``), the line-for-line mirror of it.

``tests/js/sabaki_sgf.js`` opens SGF files Dosaku writes with ``@sabaki/sgf``'s
``parseFile``, as Sabaki opens a file.

Node.js and the packages come from ``tests/js_clients.py``: skipped with the reason
where they cannot be installed, failed instead under ``DOSAKU_REQUIRE_CLIENTS=1``.
"""

from __future__ import annotations

import sys

import pytest
from js_clients import js_clients, run_client  # noqa: F401 (js_clients is a fixture)

from engine.coords import flat_to_gtp, gtp_to_flat
from engine.game import BLACK, WHITE, GameState
from engine.handicap import fixed_handicap_moves
from engine.sgf import game_to_sgf, save_sgf_file
from gui.sgf_files import save_game
from tests.test_gtp_analysis import check_variations, sabaki_parse

SIZE = 5


@pytest.fixture
def score_model(tmp_path) -> str:
    """A tiny untrained 5x5 network with a score head, so that analysis carries scoreLead."""
    import torch

    from nets.checkpoint import save_checkpoint
    from nets.config import NetConfig
    from nets.model import DualNet

    torch.manual_seed(0)
    path = tmp_path / "tiny-score-5x5.pt"
    save_checkpoint(path, DualNet(NetConfig(board_size=SIZE, blocks=1, channels=8, value_hidden=8, score=True)))
    return str(path)


def sent(transcript: list[dict]) -> list[str]:
    """The commands as sent, one string each (``play B C3``)."""
    return [" ".join([entry["sent"]["name"], *entry["sent"]["args"]]) for entry in transcript if "sent" in entry]


def plays(history: list[dict]) -> list[tuple[str, str]]:
    return [tuple(command["args"]) for command in history]


def test_sabaki_s_engine_library_syncs_analyses_and_gets_moves_from_dosaku_gtp(js_clients, score_model):  # noqa: F811
    session = run_client(
        js_clients,
        "sabaki_session.js",
        str(SIZE),
        sys.executable,
        "-m",
        "cli.main",
        "gtp",
        "--model",
        score_model,
        "--sims",
        "64",
        "--seed",
        "1",
        "--backend",
        "torch",
    )
    transcript = session["transcript"]
    errors = [entry for entry in transcript if entry.get("error")]
    assert errors == [], errors
    assert all(session["knows"][name] for name in ("kata-analyze", "kata-genmove_analyze", "undo"))

    # Board sync: the tracker's own choice of commands, and the engine's board agreeing with it.
    commands = sent(transcript)
    opening = commands.index("komi 6.5")
    assert commands[opening : opening + 6] == ["komi 6.5", f"boardsize {SIZE}", "clear_board",
                                               "play B C3", "play W B2", "play B D4"]  # fmt: skip
    assert "undo" in commands and commands[commands.index("undo") + 1] == "play B B4"
    stones = session["stones"]
    assert stones["opened"] == {"black": ["D4", "C3"], "white": ["B2"]}
    assert stones["branched"] == {"black": ["B4", "C3"], "white": ["B2"]}
    assert stones["jumped"] == stones["analysed"] == {"black": ["B3"], "white": []}
    assert plays(session["states"]["jumped"]["history"]) == [("B", "B3")]

    # kata-analyze, interrupted by the next command as Sabaki does; every line parses as Sabaki reads it.
    analysis = session["analysis"]
    assert len(analysis["lines"]) >= 3 and analysis["name"]["content"] == "Dosaku"
    position = GameState(SIZE, 6.5)
    position.play(gtp_to_flat("B3", SIZE), BLACK)
    for line in analysis["lines"]:
        records = sabaki_parse(line)
        assert records, line
        check_variations(records, position, WHITE)
        for record in records:
            assert 0 <= record["percent"] <= 100
            assert "scoreLead" in record  # the network has a score head: Sabaki's score graph has data
            float(record["scoreLead"])
    assert commands.index("name") > commands.index("kata-analyze W 5")

    # kata-genmove_analyze: the library takes the move from the streamed `play` line and tracks it.
    genmove = session["genmove"]
    (played,) = [line.split()[1] for line in genmove["lines"] if line.startswith("play ")]
    assert not genmove["error"] and played != "B3"
    assert plays(session["states"]["moved"]["history"]) == [("B", "B3"), ("W", played)]
    assert stones["moved"]["white"] == ([] if played.lower() == "pass" else [played])


def sgf_vertex(vertex: str, size: int) -> list[int]:
    """A GTP vertex as ``@sabaki/sgf``'s ``parseVertex`` gives it: [x, y] from the top-left; [-1, -1] a pass."""
    if vertex == "pass":
        return [-1, -1]
    move = gtp_to_flat(vertex, size)
    return [move % size, move // size]


def test_sabaki_s_sgf_parser_reads_the_sgf_files_dosaku_writes(js_clients, tmp_path):  # noqa: F811
    handicap = GameState(9, 0.5)
    handicap.place_setup_stones(BLACK, fixed_handicap_moves(9, 3))
    handicap.to_play = WHITE  # white moves first in a handicap game
    for vertex in ("E5", "D6", "pass", "F4"):
        handicap.play(handicap.pass_move if vertex == "pass" else gtp_to_flat(vertex, 9))
    handicap.resign(BLACK)
    tricky = "a comment with ] and \\ and ünïcödé"
    record = tmp_path / "handicap.sgf"
    save_sgf_file(record, game_to_sgf(handicap, black="Dosaku [b]", white="GNU Go", comments={2: tricky}))

    window = GameState(SIZE, 7.5)
    for vertex in ("C3", "C4", "D4", "pass", "pass"):
        window.play(window.pass_move if vertex == "pass" else gtp_to_flat(vertex, SIZE))
    saved = save_game(str(tmp_path / "window.sgf"), window, WHITE, "a test bot")

    parsed = run_client(js_clients, "sabaki_sgf.js", str(record), str(saved))
    (first,) = parsed[str(record)]
    root = first["root"]
    assert root["SZ"] == ["9"] and float(root["KM"][0]) == 0.5 and root["RE"] == ["W+R"]
    assert root["PB"] == ["Dosaku [b]"] and root["PW"] == ["GNU Go"]
    assert sorted(root["AB"]) == sorted(game_to_sgf_points(fixed_handicap_moves(9, 3), 9))
    assert root["RU"], "the rules are named"
    assert first["moves"] == [
        ["W" if color == WHITE else "B", sgf_vertex(flat_to_gtp(move, 9), 9)] for color, move in handicap.moves
    ]
    assert first["line"][1]["C"] == [tricky]

    (second,) = parsed[str(saved)]
    assert second["root"]["SZ"] == [str(SIZE)] and second["root"]["RE"] == [window.result()]
    assert second["root"]["PB"] == ["Dosaku (a test bot)"] and second["root"]["PW"] == ["You"]
    assert second["moves"] == [
        ["W" if color == WHITE else "B", sgf_vertex(flat_to_gtp(move, SIZE), SIZE)] for color, move in window.moves
    ]


def game_to_sgf_points(moves: list[int], size: int) -> list[str]:
    """SGF points (``dd``: column then row letters from the top-left) of flat moves."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [letters[move % size] + letters[move // size] for move in moves]
