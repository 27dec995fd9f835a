"""Tournaments and gating end to end (arena/tournament*.py, arena/gating.py, ``dosaku arena``).

Small boards and few simulations keep games to a fraction of a second; one test
runs games as Ray tasks (a local Ray of two CPUs), the rest in this process.
Seeds come from the pairing and game number, so every outcome here is the same
on every run.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from arena.gating import run_gate
from arena.player_spec import parse_player_spec
from arena.sprt import FAIL, PASS, SPRT
from arena.tournament import Tournament, run_tournament, tournament_ratings
from cli.main import main
from engine.sgf import load_sgf_file, record_to_game

FAKE_ENGINE = '''
"""A GTP engine that passes, and after {moves} genmoves {failure}."""
import sys

genmoves = 0
for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    number, command = (parts[0], parts[1]) if parts[0].isdigit() else ("", parts[0])
    if command == "genmove":
        genmoves += 1
        if genmoves > {moves}:
            if "{failure}" == "dies":
                sys.exit(3)
            print(f"={{number}} banana\\n", flush=True)
            continue
        print(f"={{number}} pass\\n", flush=True)
    elif command == "quit":
        print(f"={{number}}\\n", flush=True)
        break
    else:
        print(f"={{number}}\\n", flush=True)
'''


def fake_engine(tmp_path, failure: str, moves: int = 2) -> str:
    """The ``gtp:`` spelling of an engine that ``dies`` or answers ``nonsense`` after ``moves`` genmoves."""
    script = tmp_path / f"engine_that_{failure}.py"
    script.write_text(textwrap.dedent(FAKE_ENGINE.format(moves=moves, failure=failure)))
    return f"gtp:{sys.executable} {script}"


def tournament(*players: str, games: int = 2, size: int = 5, **options) -> Tournament:
    return Tournament(tuple(parse_player_spec(p) for p in players), games, size, 7.5, **options)


def by_key(games: list[dict]) -> dict[str, tuple]:
    return {g["key"]: (g["black"], g["white"], g["winner"], g["result"], g["moves"], g["error"]) for g in games}


def test_random_against_rollout_search_over_ray_with_sgf_of_every_game(tmp_path):
    plan = tournament("random", "mcts:sims=64", games=6)
    games = run_tournament(plan, tmp_path, parallel=2)  # Ray tasks, two at once
    assert len(games) == 6 and not any(g["error"] for g in games)
    assert [g["black"] for g in games] == ["random", "mcts:sims=64"] * 3  # colours alternate
    ratings = tournament_ratings(plan.names, games, anchor="random")
    search = ratings["mcts:sims=64"]
    assert ratings["random"].elo == 0 and search.elo > 150, search  # it won at least 5 of 6
    assert search.low < search.elo < search.high
    for game in games:
        record = load_sgf_file(tmp_path / game["sgf"])
        assert (record.black, record.white, record.result, record.size) == (
            game["black"],
            game["white"],
            game["result"],
            5,
        )
        assert record_to_game(record).result() == game["result"]  # the moves replay to the recorded result
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["settings"]["players"] == ["random", "mcts:sims=64"] and len(saved["games"]) == 6


def test_a_resumed_tournament_plays_only_the_missing_games_and_the_same_ones(tmp_path):
    plan = tournament("random", "mcts:sims=4", "mcts:sims=8", games=2)  # 3 pairings, 6 games

    class Stop(Exception):
        pass

    def stop_after_four(outcome, finished, total):
        if finished == 4:
            raise Stop

    with pytest.raises(Stop):
        run_tournament(plan, tmp_path / "cut", on_game=stop_after_four)
    first_part = by_key(json.loads((tmp_path / "cut" / "results.json").read_text())["games"])
    assert len(first_part) == 4
    with pytest.raises(ValueError, match="--resume to go on"):
        run_tournament(plan, tmp_path / "cut")

    played = []
    games = run_tournament(plan, tmp_path / "cut", resume=True, on_game=lambda o, f, t: played.append(o["key"]))
    assert len(played) == 2 and not set(played) & set(first_part)
    assert {key: by_key(games)[key] for key in first_part} == first_part  # untouched
    # The same games as a tournament never interrupted: seeds depend on the pairing and game only.
    assert by_key(games) == by_key(run_tournament(plan, tmp_path / "whole"))
    # More games per pairing on resume: only the new ones are played.
    played.clear()
    more = tournament("random", "mcts:sims=4", "mcts:sims=8", games=3)
    assert len(run_tournament(more, tmp_path / "cut", resume=True, on_game=lambda o, f, t: played.append(o))) == 9
    assert sorted(o["game"] for o in played) == [2, 2, 2]
    with pytest.raises(ValueError, match="another tournament .*size"):
        run_tournament(tournament("random", "mcts:sims=4", "mcts:sims=8", size=7), tmp_path / "cut", resume=True)


def test_engines_that_die_or_answer_nonsense_are_errors_and_the_tournament_goes_on(tmp_path, capsys):
    dies, babbles = fake_engine(tmp_path, "dies"), fake_engine(tmp_path, "nonsense")
    out = tmp_path / "out"
    status = main(["arena", "random", "mcts:sims=8", dies, babbles, "--format", "gauntlet", "--games", "2",
                   "--size", "5", "--parallel", "1", "--out", str(out)])  # fmt: skip
    assert status == 0
    games = json.loads((out / "results.json").read_text())["games"]
    assert len(games) == 6
    dead = parse_player_spec(dies).name
    for game in games:
        opponent = ({game["black"], game["white"]} - {"random"}).pop()
        if opponent == "mcts:sims=8":
            assert game["error"] is None and game["result"]
            continue
        assert game["result"] is None and game["winner"] is None and game["error_by"] == opponent
        assert ("GTPConnectionError" if opponent == dead else "GTPProtocolError") in game["error"]
        record = load_sgf_file(out / game["sgf"])
        assert record.result == "Void" and "failed" in record.comments[0]
        assert len(record.moves) >= 4  # the moves before the failure are kept
    table = capsys.readouterr().out
    assert "ERROR by" in table and "Elo (maximum likelihood, 0 = random" in table
    assert (out / "elo.png").stat().st_size > 0
    ratings = json.loads((out / "ratings.json").read_text())
    assert {r["name"] for r in ratings["ratings"]} == {"random", "mcts:sims=8"}  # errors rate no one


def test_two_games_on_9x9_against_gnu_go_level_1_through_the_arena(tmp_path, gnugo_path, capsys):
    gnugo = f"gtp:{gnugo_path} --mode gtp --level 1"
    out = tmp_path / "gnugo"
    status = main(["arena", gnugo, "random", "--games", "2", "--size", "9", "--parallel", "1", "--out", str(out)])
    assert status == 0
    captured = capsys.readouterr()
    assert "added --chinese-rules --capture-all-dead" in captured.err  # said once, for the one GNU Go
    assert captured.err.count("note: added") == 1
    games = json.loads((out / "results.json").read_text())["games"]
    assert [g["error"] for g in games] == [None, None]
    assert all(g["winner"] == "gnugo --mode gtp --level 1" for g in games), games
    record = load_sgf_file(out / games[0]["sgf"])
    assert (record.size, record.black, record.result) == (9, "gnugo --mode gtp --level 1", games[0]["result"])


def test_gating_passes_a_clearly_better_player_and_fails_a_clearly_worse_one(tmp_path):
    better, worse = parse_player_spec("mcts:sims=48"), parse_player_spec("random")
    passed = run_gate(better, worse, SPRT(p1=0.55, max_games=200), size=5, out=tmp_path / "gate")
    assert passed.decision == PASS and passed.state.games < 120
    assert len(json.loads((tmp_path / "gate" / "results.json").read_text())["games"]) == passed.state.games
    failed = run_gate(worse, better, SPRT(p1=0.55, max_games=200), size=5)
    assert failed.decision == FAIL and failed.state.games < 120
    assert "FAIL: random scored" in failed.verdict()


def test_gate_exit_status_and_verdict_from_the_command_line(capsys):
    assert main(["arena", "gate", "mcts:sims=48", "random", "--size", "5", "--parallel", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("PASS: mcts:sims=48 scored")
    assert main(["arena", "gate", "mcts:sims=48", "random", "--size", "5", "--parallel", "1", "--max-games", "6"]) == 1
    verdict = capsys.readouterr().out.splitlines()[-1]
    assert verdict.startswith("UNDECIDED:") and "/6 " in verdict and "maximum of 6 games" in verdict
    assert main(["arena", "gate", "random", "--size", "5"]) == 2  # gate needs NEW and OLD
    assert main(["arena", "random", "mcts", "--threshold", "0.6"]) == 2  # a gate's option, no gate
    assert "is for 'dosaku arena gate NEW OLD'" in capsys.readouterr().err


def test_the_gate_counts_games_in_game_number_order_whatever_order_they_finish_in(monkeypatch):
    # Four games in flight finish in reverse order; NEW won games 0 and 1 and lost 2 and 3.
    # In number order the test sees W W L L; the test must never see the losses first.
    from arena import gating

    def reversed_runner(next_job, on_outcome, parallel, address, should_stop):
        jobs = [job for job in iter(next_job, None)][:4]
        for job in reversed(jobs):
            new_won = job.number < 2
            winner = job.a if new_won else job.b
            on_outcome({"key": job.key, "pairing": 0, "game": job.number, "black": job.black, "white": job.white,
                        "winner": winner, "result": "B+R", "moves": 1, "error": None, "error_by": None, "sgf": None})  # fmt: skip

    seen = []
    monkeypatch.setattr(gating, "run_games", reversed_runner)
    result = gating.run_gate(parse_player_spec("mcts:sims=2"), parse_player_spec("random"), SPRT(max_games=4),
                             on_game=lambda outcome, state: seen.append((outcome["game"], state.points, state.games)))  # fmt: skip
    # Games 3 and 2 arrive first and wait; game 1 waits for game 0; then all four count at once.
    assert seen == [(3, 0, 0), (2, 0, 0), (1, 0, 0), (0, 2.0, 4)]
    assert result.state.games == 4 and result.decision == "undecided"
