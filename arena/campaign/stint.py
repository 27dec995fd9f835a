"""One stint of the campaign, phase by phase: training -> gate (and ship) -> gauntlet -> record -> commit.

The phase is in the state file (``state.py``) after each one, so the same command
run again after Ctrl-C or a crash goes on with the phase it stopped in; a stint
whose record is written is finished, and the next command starts a new stint.
The record phase writes the trainer state and the slice of games
(``trainer_state.py``), the row and the plot (``record.py``), and the stint into
the state file, last; committing (``--commit``) comes after. ``--train-only`` saves the
trainer state right after training and stops with the stint at its gate; the gate then
takes the saved trainer state as the stint's network when the run directory is elsewhere.
"""

from __future__ import annotations

import datetime
import shutil
from dataclasses import dataclass
from pathlib import Path

from arena.campaign import commit, evaluation, record, trainer_state
from arena.campaign.state import STATE_FILE, CampaignState
from arena.campaign.training import CANDIDATE, stint_dir, train_stint


@dataclass(frozen=True)
class StintOptions:
    """What ``dosaku campaign`` was asked (see ``cli/campaign.py`` for the defaults)."""

    minutes: float
    directory: Path
    run_dir: Path
    model: Path
    record: Path
    plot: Path
    workers: int | None
    trainers: int | None
    gate_sims: int
    gate_max_games: int
    sims: int
    gauntlet_games: int
    references: tuple[str, ...]  # spellings; empty: the standard references
    parallel: int
    backend: str
    commit: bool
    progress: bool
    train_only: bool = False  # a GPU burst: train and save the trainer state; the rest later, anywhere


def run_stint(options: StintOptions, say) -> dict:
    """Go on with the stint in progress, or start the next one; return the finished stint's record."""
    config = trainer_state.campaign_config(options.directory)
    trainer_exists = (options.directory / trainer_state.TRAINER_FILE).exists()
    trainer_state.trainer_step(options.directory, config.rules.size)  # refuses another board's trainer state
    state = CampaignState.open(options.directory, trainer_exists)
    if state.current is None:
        state.current = {"stint": state.next_number, "phase": "training", "minutes": options.minutes,
                         "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")}  # fmt: skip
        state.save()
        say(f"stint {state.current['stint']}: {options.minutes:g} minutes of training, then gate, gauntlet, record "
            f"({options.directory}, run directory {options.run_dir})")  # fmt: skip
    else:
        current = state.current
        say(f"stint {current['stint']}: going on with its {current['phase']} phase"
            + (f" (its {current['minutes']:g} minutes of training, not {options.minutes:g})"
               if current["phase"] == "training" and current["minutes"] != options.minutes else ""))  # fmt: skip
    current = state.current
    size, komi = config.rules.size, config.rules.komi
    work = stint_dir(options.run_dir, current["stint"])
    if current["phase"] == "training":
        train_stint(state, options.directory, options.run_dir, config, options.workers, options.trainers,
                    options.progress, say)  # fmt: skip
    if options.train_only:
        return _train_only(state, options, config, say)
    if current["phase"] == "gate":
        _find_candidate(current, options.directory, work, say)
        if "gate" not in current:
            current["gate"] = evaluation.gate(current, options.model, size, komi, options.gate_sims,
                                              options.gate_max_games, options.parallel, work, say)  # fmt: skip
            state.save()
        if current["gate"]["passed"]:
            state.shipped = evaluation.ship(Path(current["candidate"]), options.model, current["stint"], say)
        current["shipped"] = current["gate"]["passed"]
        current["phase"] = "gauntlet"
        state.save()
    if current["phase"] == "gauntlet":
        if options.references:
            references, note = evaluation.reference_players(list(options.references)), None
        else:
            references, note = evaluation.default_references()
        if note:
            say(f"note: {note}")
        player = state.shipped["name"] if state.shipped else evaluation.PRE_CAMPAIGN
        current["gauntlet"] = evaluation.gauntlet(player, options.model, references, options.gauntlet_games, size,
                                                  komi, options.sims, current["stint"], options.parallel,
                                                  options.backend, work, say)  # fmt: skip
        current["phase"] = "record"
        state.save()
    finished = _record(state, options, config, say)
    if options.commit:
        paths = [*_state_paths(options.directory), options.model, options.record, options.plot]
        say(commit.commit(paths, commit.message(finished)))
    return finished


def _state_paths(directory: Path) -> list[Path]:
    return [directory / name for name in (STATE_FILE, trainer_state.TRAINER_FILE, trainer_state.CONFIG_FILE,
                                          trainer_state.SLICE_FILE)]  # fmt: skip


def _save_trainer(current: dict, options: StintOptions, config, say) -> None:
    """The trainer state and the slice of games from the run the stint trained (once: a stint trained on
    another machine brought its own)."""
    if current.get("trainer_saved"):
        return
    slice_games, slice_bytes = trainer_state.save_trainer_state(options.directory, Path(current["candidate"]),
                                                                options.run_dir, config.buffer.min_window)  # fmt: skip
    current["trainer_saved"] = True
    say(f"saved {options.directory / trainer_state.TRAINER_FILE} (step {current['step']}) and the "
        f"{slice_games} newest games ({slice_bytes / 1e6:.1f} MB, {options.directory / trainer_state.SLICE_FILE})")  # fmt: skip


def _train_only(state: CampaignState, options: StintOptions, config, say) -> dict:
    """``--train-only`` (a GPU burst): save the trainer state with the stint at its gate; the plain command,
    on any clone, plays the gate and the gauntlet and records the stint."""
    current = state.current
    if current["phase"] == "gate":
        _save_trainer(current, options, config, say)
        state.save()
    say(f"stint {current['stint']}: trained; its {current['phase']} phase and the rest come with the same command "
        "without --train-only")  # fmt: skip
    if options.commit and current.get("trainer_saved") and current["phase"] == "gate":
        text = (f"campaign stint {current['stint']} (training): {current['wall_minutes']:.0f} min, "
                f"{current['games']} games, {current['steps']} steps (step {current['step']}); gate, gauntlet and "
                "record to come")  # fmt: skip
        say(commit.commit(_state_paths(options.directory), text))
    return current


def _find_candidate(current: dict, directory: Path, work: Path, say) -> None:
    """The stint's network for the gate: where training left it, or (a stint trained on another machine, or in
    a run directory since deleted) the trainer state it saved, which is the same checkpoint."""
    if Path(current["candidate"]).exists():
        return
    saved = directory / trainer_state.TRAINER_FILE
    if not current.get("trainer_saved") or trainer_state.trainer_step(directory, None) != current["step"]:
        raise ValueError(f"the stint's network {current['candidate']} is gone and {saved} is not it: "
                         "the stint cannot be gated")  # fmt: skip
    work.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(saved, work / CANDIDATE)
    current["candidate"] = str(work / CANDIDATE)
    say(f"the stint's network is {saved} (step {current['step']}), trained elsewhere: copied to {work / CANDIDATE}")


def _record(state: CampaignState, options: StintOptions, config, say) -> dict:
    """Trainer state and slice, the Elo fit, the row, the plot; then the stint joins the state's list."""
    current = state.current
    _save_trainer(current, options, config, say)
    before = state.stints[-1]["cpu_hours_total"] if state.stints else 0.0
    current["cpu_hours_total"] = round(before + current["cpu_minutes"] / 60, 4)
    stints = [*state.stints, current]
    anchor = current["gauntlet"]["references"][0]
    ratings = record.fit(stints, anchor)
    for stint in stints:  # every stint's Elo on today's scale (more games, better estimates)
        rating = ratings.get(stint["gauntlet"]["player"])
        stint["elo"] = None if rating is None else {"elo": round(rating.elo, 1), "low": round(rating.low, 1),
                                                    "high": round(rating.high, 1)}  # fmt: skip
    record.append_row(options.record, current)
    plot = record.draw(stints, ratings, anchor, options.plot)
    finished = {key: value for key, value in current.items() if key != "phase"}
    state.stints.append(finished)
    state.current = None
    state.save()
    say(f"recorded: a row in {options.record}" + (f", the plot {plot}" if plot else " (no plot: nothing rated yet)")
        + f", {options.directory / STATE_FILE}")  # fmt: skip
    say(summary(finished, state))
    print(record.row(finished, finished["gauntlet"]["references"]), flush=True)
    return finished


def summary(stint: dict, state: CampaignState) -> str:
    totals = state.totals()
    used = "" if stint.get("cpu_minutes_used") is None else f" ({stint['cpu_minutes_used']:.1f} used)"
    scores = ", ".join(f"vs {record.short_name(name)} {record.score_cell(stint['gauntlet']['scores'][name])}"
                       for name in stint["gauntlet"]["references"])  # fmt: skip
    elo = "" if stint.get("elo") is None else f"; Elo {stint['elo']['elo']:+.0f}"
    return (f"stint {stint['stint']} done: {stint['wall_minutes']:.1f} wall minutes, {stint['cpu_minutes']:.1f} "
            f"CPU-minutes held{used}, {stint['games']} games, {stint['steps']} steps (step {stint['step']}); gate "
            f"{record.gate_cell(stint['gate'])}; {scores}{elo}; campaign: {totals['stints']} stints, "
            f"{totals['cpu_hours']:.2f} CPU-hours")  # fmt: skip
