"""``dosaku experiment`` without training: openings, pairings, games' colours, state file, bad input.

The whole command on a tiny board is in ``tests/test_experiment_run.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from arena.experiment.games import Player, find_gnugo, jobs, pairings, reference_players
from arena.experiment.state import ExperimentState
from arena.openings import default_opening_moves, random_opening
from cli.main import main
from engine.game import GameState


def test_openings_are_reproducible_legal_and_off_the_edge_on_9x9():
    openings = [random_opening(9, 3, seed=5, index=i) for i in range(200)]
    assert openings == [random_opening(9, 3, seed=5, index=i) for i in range(200)]  # the same in every process
    assert random_opening(9, 3, seed=6, index=0) != openings[0] or random_opening(9, 3, 6, 1) != openings[1]
    assert len(set(openings)) > 190  # 49 interior points: repeats are rare
    for opening in openings:
        game = GameState(9, 7.5)
        for move in opening:
            game.play(move)  # raises if illegal
        rows, cols = np.divmod(np.array(opening), 9)
        assert rows.min() >= 1 and rows.max() <= 7 and cols.min() >= 1 and cols.max() <= 7
    # Every interior point turns up as a first move: uniform over the allowed points.
    assert len({opening[0] for opening in openings}) == 49
    # On 5x5 the edge is allowed (it is most of the board).
    firsts = {random_opening(5, 1, seed=0, index=i)[0] for i in range(300)}
    assert len(firsts) == 25
    assert (default_opening_moves(5), default_opening_moves(9)) == (1, 3)
    with pytest.raises(ValueError, match="leaves little"):
        random_opening(5, 12, seed=0, index=0)


def players_of(label: str, steps: list[int]) -> list[Player]:
    return [Player(f"{label}@{s}", f"{label}{s}.pt:sims=8,opening=0", label, s, 10.0 * s, f"{label}/{s}.pt",
                   final=s == steps[-1]) for s in steps]  # fmt: skip


def test_pairings_jobs_alternate_colours_and_pair_games_share_an_opening():
    curves = {"A": players_of("A", [0, 50, 100]), "B": players_of("B", [0, 80])}
    references = [Player("mcts:sims=1000", "mcts:sims=1000"), Player("gnugo-level1", "gtp:gnugo --mode gtp --level 1")]
    all_pairings = pairings(curves, references, match=6, versus_references=4, curve=2)
    names = [(p.a.name, p.b.name, p.games, p.kind) for p in all_pairings]
    assert names[0] == ("A@100", "B@80", 6, "match")
    assert names[1:5] == [("A@100", "mcts:sims=1000", 4, "reference"), ("A@100", "gnugo-level1", 4, "reference"),
                          ("B@80", "mcts:sims=1000", 4, "reference"), ("B@80", "gnugo-level1", 4, "reference")]  # fmt: skip
    curve = [(a, b) for a, b, _, kind in names if kind == "curve"]
    # Non-final points meet random, both references and their run's next point; finals meet random.
    assert ("A@0", "random") in curve and ("A@0", "gnugo-level1") in curve and ("A@0", "A@50") in curve
    assert ("A@50", "A@100") in curve and ("B@0", "B@80") in curve and ("A@100", "random") in curve
    assert ("A@100", "mcts:sims=1000") not in curve and ("A@0", "A@100") not in curve
    assert len(curve) == 4 + 4 + 1 + 4 + 1

    job_list = jobs(all_pairings, 9, 7.5, None, seed=3, opening_moves=3, backend="torch")
    assert len(job_list) == sum(p.games for p in all_pairings)
    match = sorted((j for j in job_list if j.pairing == 0), key=lambda j: j.number)
    assert [j.black for j in match] == ["A@100", "B@80"] * 3  # colours alternate, A black first
    for first, second in zip(match[::2], match[1::2]):
        assert first.opening == second.opening and len(first.opening) == 3  # a pair starts alike, both colours
    assert len({j.opening for j in match}) == 3
    # Game pair k opens the same in every pairing: against the references as in the match.
    by_number = {}
    for job in job_list:
        by_number.setdefault(job.number, set()).add(job.opening)
    assert all(len(openings) == 1 for openings in by_number.values())
    # Every pairing's first pair comes before any pairing's second: partial results cover all pairings.
    first_round = {j.pairing for j in job_list[: 2 * len(all_pairings)]}
    assert first_round == set(range(len(all_pairings)))


def test_references_name_gnugo_level_1_with_the_rule_flags():
    rollout, gnugo = reference_players(1000, "/usr/games/gnugo")
    assert (rollout.name, rollout.spec) == ("mcts:sims=1000", "mcts:sims=1000")
    assert gnugo.name == "gnugo-level1" and gnugo.spec == "gtp:/usr/games/gnugo --mode gtp --level 1"
    assert [p.name for p in reference_players(50, None)] == ["mcts:sims=50"]
    assert find_gnugo("none") is None
    with pytest.raises(ValueError, match="no such program"):
        find_gnugo("/nonexistent/gnugo")


def test_state_refuses_another_experiment_and_foreign_runs(tmp_path):
    settings = {"configs": {"A": "a.toml", "B": "b.toml"}, "overrides": {"A": [], "B": []}, "minutes": 5.0, "seed": 0}
    state = ExperimentState.open(tmp_path / "x", settings)
    state.update("A", finished=True, step=40)
    again = ExperimentState.open(tmp_path / "x", settings)
    assert again.runs["A"]["finished"] and again.runs["A"]["step"] == 40 and not again.runs["B"]["finished"]
    with pytest.raises(ValueError, match=r"another experiment \(minutes: 5.0 there, 6.0 now\)"):
        ExperimentState.open(tmp_path / "x", {**settings, "minutes": 6.0})
    (tmp_path / "y" / "B").mkdir(parents=True)
    with pytest.raises(ValueError, match="not this experiment's run"):
        ExperimentState.open(tmp_path / "y", settings)
    (tmp_path / "x" / "experiment.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(ValueError, match="not a Dosaku experiment state file"):
        ExperimentState.open(tmp_path / "x", settings)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["configs/5x5.toml", "configs/nothing.toml", "--minutes", "1"], "cannot read config configs/nothing.toml"),
        (["configs/5x5.toml", "configs/7x7.toml", "--minutes", "1"], "plays 5x5 but configs/7x7.toml plays 7x7"),
        (["configs/5x5.toml", "configs/5x5.toml", "--minutes", "0"], "--minutes must be a positive number"),
        (["configs/5x5.toml", "configs/5x5.toml", "--minutes", "-3"], "--minutes must be a positive number"),
        (["configs/5x5.toml", "configs/5x5.toml", "--minutes", "nan"], "--minutes must be a positive number"),
        (["configs/5x5.toml", "configs/5x5.toml", "--minutes", "ten"], "--minutes must be a number"),
        (["configs/5x5.toml", "configs/5x5.toml", "--minutes", "1", "--set-b", "rules.komi=7.5"], "needs one komi"),
        (["configs/5x5.toml", "configs/5x5.toml", "--minutes", "1", "--set-a", "training.batch_size=0"], "batch_size"),
        (
            ["configs/5x5.toml", "configs/5x5.toml", "--minutes", "1", "--gnugo", "/nonexistent/gnugo"],
            "no such program",
        ),
        (["configs/5x5.toml", "configs/5x5.toml", "--minutes", "1", "--opening-moves", "12"], "leaves little"),
    ],
)
def test_bad_input_is_one_line_and_starts_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "experiment"
    assert main(["experiment", *argv, "--dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dosaku experiment: error: ") and message in err, err
    assert err.count("\n") == 1
    assert not out.exists()
