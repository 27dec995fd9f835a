"""``dosaku campaign`` on a tiny 5x5 campaign in a temporary "repository": stints, shipping, resuming, errors, commit.

The campaign directory is ``campaign/9x9`` as in the repository, but its config is a
1-block, 8-channel 5x5 run; the references are cheap (``random`` first, the anchor,
and rollout search at 2 simulations) and every count is the smallest that still
exercises the path. Most tests evaluate a hand-made run directory (``--minutes 0``,
no Ray); one adopts a run at a later step, deletes the scratch run directory and
trains for real (Ray, ``dosaku train`` in a child process) from the repository's state alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from arena.campaign import evaluation, training
from cli.main import main
from nets.checkpoint import load_checkpoint, save_checkpoint
from nets.config import NetConfig
from nets.model import DualNet
from selfplay.buffer import BufferConfig, ReplayBuffer, resumed_samples_drawn
from selfplay.records import read_shard
from selfplay.run_config import load_run_config, run_config_to_dict, toml_text
from selfplay.run_dir import RunDirectory
from selfplay.trainer import write_initial_checkpoint
from tests.tiny_run import tiny_overrides

ROOT = Path(__file__).resolve().parents[1]
RUN = Path("runs/campaign-9x9")
STEP = 1234  # a step a seeded run must go on from
STATE = Path("campaign/9x9/state.json")
TRAINER = Path("campaign/9x9/trainer.pt")
MODEL = Path("models/9x9.pt")
RECORD = Path("docs/campaign.md")
PLOT = Path("docs/9x9-campaign.png")


def tiny_config():
    overrides = [*tiny_overrides(100_000), "network.channels=8", "training.ema_decay=0.9"]
    return load_run_config(ROOT / "configs/5x5.toml", overrides)


@pytest.fixture
def campaign(tmp_path, monkeypatch):
    """A repository root in ``tmp_path`` with the tiny campaign's config and a run directory at step 0."""
    monkeypatch.chdir(tmp_path)
    config = tiny_config()
    Path("campaign/9x9").mkdir(parents=True)
    Path("campaign/9x9/config.toml").write_text(toml_text(config))
    run = RunDirectory(RUN)
    run.create(toml_text(config))
    write_initial_checkpoint(run, config)
    return tmp_path


def argv(minutes: str, *extra: str, references: tuple[str, ...] = ("random",)) -> list[str]:
    """The command with cheap settings; ``random`` alone as the reference (games are what a test waits for)."""
    chosen = [word for reference in references for word in ("--reference", reference)]
    return ["campaign", "--minutes", minutes, *chosen, "--gauntlet-games", "2", "--gate-max-games", "2", "--sims", "2", "--gate-sims", "2", "--parallel", "1",
            "--backend", "torch", "--no-progress", *extra]  # fmt: skip


def state() -> dict:
    return json.loads(STATE.read_text())


def rows() -> list[str]:
    return [line for line in RECORD.read_text().splitlines() if line.startswith("| ") and line[2].isdigit()]


def test_a_seeded_run_trains_at_the_ratio_on_new_games():
    # A run with every shard: its step's batches (the trainer kept to the ratio). A seeded one: the slice used up.
    assert resumed_samples_drawn(step=100, batch_size=32, ratio=6.0, positions=1000) == 3200
    assert resumed_samples_drawn(step=13382, batch_size=128, ratio=6.0, positions=20147) == 120882
    assert resumed_samples_drawn(step=13382, batch_size=128, ratio=6.0, positions=0) == 0
    buffer = ReplayBuffer(BufferConfig(min_window=100, min_positions=10, ratio=6.0), 5)
    buffer.total_positions = 20147
    buffer.samples_drawn = resumed_samples_drawn(13382, 128, 6.0, 20147)
    assert not buffer.trainable(128)  # waits for new positions...
    buffer.total_positions += 22  # ...and trains as soon as they keep it within the ratio
    assert buffer.trainable(128)


def gate_result(passed: bool):
    def fake_gate(current, model, size, komi, sims, max_games, parallel, work, say):
        decision = "pass" if passed else "fail"
        return {"decision": decision, "passed": passed, "line": decision.upper(), "games": 3, "wins": 3 * passed,
                "draws": 0, "losses": 3 * (not passed), "points": 3.0 * passed, "llr": 0.0, "errors": 0}  # fmt: skip

    return fake_gate


def test_stints_ship_without_a_gate_then_on_a_pass_resume_mid_stint_and_keep_a_failed_network(
    campaign, monkeypatch, capsys
):
    # Stint 1: no shipped network, so it ships ungated; not a git repository, so --commit is a note.
    assert main(argv("0", "--commit")) == 0
    out = capsys.readouterr().out
    assert "ships without a gate" in out and "note: not committed" in out
    first = state()
    assert first["current"] is None and [s["stint"] for s in first["stints"]] == [1]
    stint = first["stints"][0]
    assert stint["gate"]["decision"] == "none" and stint["shipped"] and stint["steps"] == 0
    assert first["shipped"] == {"name": "stint-1@0", "stint": 1, "step": 0}
    shipped = load_checkpoint(MODEL)
    assert shipped.optimizer_state is None and shipped.training_weights is None
    assert shipped.metadata["campaign_stint"] == 1 and shipped.board_size == 5
    trainer = load_checkpoint(TRAINER)
    assert trainer.step == 0 and trainer.board_size == 5
    assert stint["gauntlet"]["references"] == ["random"]
    assert len(stint["gauntlet"]["games"]) == 2  # one with each colour
    scores = stint["gauntlet"]["scores"]["random"]
    assert scores["wins"] + scores["draws"] + scores["losses"] == 2
    assert len(rows()) == 1 and rows()[0].startswith("| 1 |") and PLOT.stat().st_size > 0
    assert len(list((RUN / "campaign/stint-001/gauntlet/games").glob("*.sgf"))) == 2

    # Stint 2: training (a stand-in child), then stopped during the gauntlet; the gate passed, so it shipped.
    calls = []
    monkeypatch.setattr(training, "run_child", lambda command, say: calls.append(command) or (0, 1.5, False))
    monkeypatch.setattr(evaluation, "gate", gate_result(True))

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(evaluation, "gauntlet", interrupted)
    assert main(argv("0.15")) == 130
    assert len(calls) == 1 and "--resume" in calls[0]
    stopped = state()
    assert stopped["current"]["phase"] == "gauntlet" and stopped["current"]["stint"] == 2
    assert load_checkpoint(MODEL).metadata["campaign_stint"] == 2
    assert stopped["shipped"]["name"] == "stint-2@0"

    # The same command again: no training (the child would fail the test), the stint's gauntlet and record.
    monkeypatch.undo()
    monkeypatch.chdir(campaign)

    def no_training(command, say):
        raise AssertionError("trained again")

    monkeypatch.setattr(training, "run_child", no_training)
    assert main(argv("0.15")) == 0
    second = state()
    assert second["current"] is None and [s["stint"] for s in second["stints"]] == [1, 2]
    assert second["stints"][1]["gauntlet"]["player"] == "stint-2@0"
    assert second["stints"][1]["cpu_minutes_used"] == pytest.approx(1.5 / 60, abs=0.01)
    assert [row[:4] for row in rows()] == ["| 1 ", "| 2 "]

    # Stint 3: the gate fails, nothing ships, and the gauntlet plays stint 2's network again.
    monkeypatch.setattr(evaluation, "gate", gate_result(False))
    assert main(argv("0")) == 0
    third = state()["stints"][2]
    assert not third["shipped"] and third["gauntlet"]["player"] == "stint-2@0"
    assert load_checkpoint(MODEL).metadata["campaign_stint"] == 2
    assert "0-3 fail: not shipped" in rows()[2]


def test_train_only_saves_the_trainer_state_and_another_clone_finishes_the_stint(campaign, capsys):
    # A GPU burst: the stint's training, then its trainer state saved and the stint left at its gate.
    assert main(argv("0", "--train-only")) == 0
    current = state()["current"]
    assert current["phase"] == "gate" and current["trainer_saved"] and load_checkpoint(TRAINER).step == 0
    assert not MODEL.exists() and not RECORD.exists()
    shutil.rmtree(RUN)  # the clone that finishes it has no run directory of that stint
    assert main(argv("0")) == 0
    assert "trained elsewhere" in capsys.readouterr().out
    finished = state()
    assert finished["current"] is None and finished["stints"][0]["shipped"] and len(rows()) == 1
    assert load_checkpoint(MODEL).metadata["campaign_stint"] == 1


def test_bad_input_is_one_line_and_status_2(campaign, capsys):
    def error_of(words: list[str]) -> str:
        assert main(words) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("dosaku campaign: error: ")
        return lines[0]

    assert "0 or more minutes" in error_of(argv("-1"))
    STATE.write_text("{not json")
    assert "state.json is not a Dosaku campaign state file" in error_of(argv("0"))
    STATE.unlink()
    seven = DualNet(NetConfig(board_size=7, blocks=1, channels=8, value_hidden=8))
    save_checkpoint(TRAINER, seven, step=5)
    assert "7x7 trainer state" in error_of(argv("0"))
    TRAINER.unlink()
    save_checkpoint(TRAINER, DualNet(tiny_config().network), step=5)
    assert "state.json is missing" in error_of(argv("0"))
    assert not STATE.exists() and not MODEL.exists()


def test_commit_adds_exactly_the_campaign_files_with_the_figures(campaign, capsys):
    def git(*words: str) -> str:
        return subprocess.run(["git", *words], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("config", "user.email", "test@example.com")
    git("config", "user.name", "test")
    Path(".gitignore").write_text("runs/\n")
    Path("unrelated.txt").write_text("not the campaign's\n")
    git("add", ".gitignore")
    git("commit", "-q", "-m", "start")
    assert main(argv("0", "--commit", references=("random", "mcts:sims=2"))) == 0
    assert "committed: campaign stint 1" in capsys.readouterr().out
    files = git("show", "--name-only", "--format=", "HEAD").split()
    assert sorted(files) == sorted(["campaign/9x9/state.json", "campaign/9x9/trainer.pt", "campaign/9x9/config.toml",
                                    "models/9x9.pt", "docs/campaign.md", "docs/9x9-campaign.png"])  # fmt: skip
    subject = git("log", "-1", "--format=%s")
    stint = state()["stints"][0]
    assert subject.startswith("campaign stint 1: 0 min, 0 games, 0 steps (step 0); no gate (first network); ")
    random_points = stint["gauntlet"]["scores"]["random"]["wins"] + stint["gauntlet"]["scores"]["random"]["draws"] / 2
    assert f"vs random {random_points:g}/2" in subject and "vs mcts:sims=2 " in subject
    assert "unrelated.txt" in git("status", "--porcelain")  # not the campaign's: left alone


@pytest.mark.slow
def test_a_trained_stint_goes_on_from_the_repository_state_alone(campaign, capsys):
    # Stint 1 adopts a run at step 1234 without training (as a campaign adopts a run that trained elsewhere).
    config = tiny_config()
    run = RunDirectory(RUN)
    net = DualNet(config.network)
    save_checkpoint(run.checkpoint_path(STEP), net, rules={"size": 5, "komi": config.rules.komi}, step=STEP,
                    metadata={"config": run_config_to_dict(config), "elapsed_seconds": 60.0, "ema_updates": 50},
                    training_model=net)  # fmt: skip
    assert main(argv("0")) == 0
    first = state()["stints"][0]
    assert first["step"] == STEP and load_checkpoint(TRAINER).step == STEP

    shutil.rmtree(RUN)  # a fresh clone: only the repository's state
    assert main(argv("0.15")) == 0
    out = capsys.readouterr().out
    assert f"seeded {RUN} from {TRAINER} at step {STEP}" in out
    log = (RUN / "log.txt").read_text()
    assert f"resuming at step {STEP} " in log  # the real dosaku train, in a child process with Ray
    second = state()["stints"][1]
    assert second["start_step"] == STEP and second["step"] >= STEP and second["games"] > 0
    assert second["wall_minutes"] > 0 and second["cpu_minutes_used"] > 0
    trainer = load_checkpoint(TRAINER)
    assert trainer.step == second["step"] and trainer.training_weights is not None
    assert len(read_shard("campaign/9x9/games.npz")) > 0  # the slice of the newest games, for the next seed
    assert second["gate"]["decision"] in ("pass", "fail", "undecided") and second["gate"]["games"] <= 2
    assert load_checkpoint(MODEL).metadata["campaign_stint"] == (2 if second["gate"]["passed"] else 1)
    assert [row[:4] for row in rows()] == ["| 1 ", "| 2 "]
