"""``dosaku bench``: the last line printed is one JSON object of named figures.

Tiny settings and no timing assertions: speed is measured, not tested.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main

REPO_ROOT = Path(__file__).resolve().parents[1]
MCTS_KEYS = {
    "sims_per_s", "sims_per_s_gumbel", "search_share", "search_share_gumbel", "evaluator_rows_mean",
    "rollout_sims_per_s", "playouts_per_s", "rollout_search_share",
}  # fmt: skip


def last_json_line(text: str) -> dict:
    """The last line of ``text`` as a JSON object."""
    figures = json.loads(text.strip().splitlines()[-1])
    assert isinstance(figures, dict)
    return figures


def test_bench_engine_ends_with_one_json_line():
    # The real command line, in a subprocess, as a person or a script would run it.
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "bench", "engine", "--seconds", "0.2"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = last_json_line(done.stdout)
    assert {"playouts_per_s", "moves_per_s", "legal_mask_us"} <= figures.keys()


def test_bench_mcts_ends_with_one_json_line(capsys):
    argv = ["bench", "mcts", "--size", "5", "--games", "2", "--sims", "16", "--rollout-sims", "16"]
    assert main([*argv, "--seconds", "0.05"]) == 0
    figures = last_json_line(capsys.readouterr().out)
    assert MCTS_KEYS <= figures.keys()
    assert (figures["size"], figures["games"], figures["simulations"]) == (5, 2, 16)
    assert all(figures[key] > 0 for key in ("sims_per_s", "sims_per_s_gumbel", "playouts_per_s"))
    assert 0 <= figures["search_share"] <= 1


@pytest.mark.parametrize("option", ["--games", "--sims", "--rollout-sims", "--playouts"])
def test_bench_mcts_refuses_counts_below_one(option, capsys):
    assert main(["bench", "mcts", option, "0"]) == 2
    assert f"{option} must be at least 1" in capsys.readouterr().err
