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


def test_bench_mcts_and_net_take_a_feature_version(capsys):
    argv = ["bench", "mcts", "--size", "5", "--games", "2", "--sims", "16", "--rollout-sims", "16", "--features", "2"]
    assert main([*argv, "--seconds", "0.05"]) == 0
    figures = last_json_line(capsys.readouterr().out)
    assert figures["features"] == 2 and figures["sims_per_s"] > 0
    argv = ["bench", "net", "--size", "5", "--blocks", "1", "--channels", "8", "--seconds", "0.03", "--features", "2"]
    assert main([*argv, "--backend", "torch"]) == 0
    assert last_json_line(capsys.readouterr().out)["features"] == 2
    with pytest.raises(SystemExit):
        main(["bench", "mcts", "--features", "3"])
    assert "argument --features: invalid choice: 3" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--games", "--sims", "--rollout-sims", "--playouts"])
def test_bench_mcts_refuses_counts_below_one(option, capsys):
    assert main(["bench", "mcts", option, "0"]) == 2
    assert f"{option} must be at least 1" in capsys.readouterr().err


def test_bench_net_measures_every_backend_side_by_side(capsys):
    from nets.openvino_runner import openvino_problem

    argv = ["bench", "net", "--size", "5", "--blocks", "1", "--channels", "8", "--seconds", "0.03"]
    assert main(argv) == 0
    figures = last_json_line(capsys.readouterr().out)
    contestants = figures["modes"].split(",")
    assert {"fp32", "channels_last"} <= set(contestants)
    if openvino_problem() is None:
        assert "openvino_fp32" in contestants
        assert "speedup_best_vs_reference_b64" in figures
    for name in contestants:
        assert all(figures[f"eval_{name}_b{batch}"] > 0 for batch in (1, 8, 64, 256))
    assert figures["best_b64"] in contestants and figures["speedup_best_vs_fp32_b64"] > 0
    assert main([*argv, "--backend", "torch"]) == 0
    torch_only = last_json_line(capsys.readouterr().out)
    assert not any("openvino" in key for key in torch_only)


def test_bench_refuses_an_unknown_backend(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "net", "--backend", "tensorrt"])
    assert "invalid choice: 'tensorrt'" in capsys.readouterr().err
