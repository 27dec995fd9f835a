"""What an experiment reports: the Elo table, the match, the plot over CPU-minutes, and a summary
(``summary.json`` for programs, ``summary.md`` to paste into the README).

CPU-minutes are cores x wall minutes, a core for each self-play worker and each
trainer of the run's config (as far as the machine has them): the cores the run
held, not a measurement of what it used. The driver and the in-loop evaluation
games come on top of it in both runs.
"""

from __future__ import annotations

import json
from pathlib import Path

from arena.elo import Rating, fit_elo, pair_results
from arena.experiment.games import Pairing, Player, cpu_minutes
from arena.tournament import game_points, record_of, tournament_ratings
from engine.files import atomic_write_text

SUMMARY_JSON = "summary.json"
SUMMARY_MD = "summary.md"
PLOT = "elo.png"


def run_rows(state, figures: dict) -> list[dict]:
    """One row per run: its config, seed, cores, wall minutes and CPU-minutes, steps and games."""
    rows = []
    for label, record in state.runs.items():
        settings = state.settings
        cores = min(record["workers"] + record["trainers"], record["machine_cores"])
        rows.append({
            "run": label, "config": settings["configs"][label], "overrides": settings["overrides"][label],
            "seed": settings["seed"], "workers": record["workers"], "trainers": record["trainers"], "cores": cores,
            "wall_minutes": round(record["elapsed_seconds"] / 60, 2),
            "cpu_minutes": round(cpu_minutes(record["elapsed_seconds"], record["workers"], record["trainers"],
                                             record["machine_cores"]), 2),
            "cpu_minutes_used": None if record.get("cpu_seconds") is None else round(record["cpu_seconds"] / 60, 2),
            "steps": record["step"], "selfplay_games": record["games"], "positions": record["positions"],
            "stopped_by": record["stopped_by"], "sessions": record["sessions"],
        })  # fmt: skip
    return rows


def player_minutes(player: Player, state) -> float | None:
    """CPU-minutes of a checkpoint player's run when it was written (None for references)."""
    if player.run is None:
        return None
    record = state.runs[player.run]
    elapsed = player.elapsed_seconds if player.elapsed_seconds is not None else record["elapsed_seconds"]
    return cpu_minutes(elapsed, record["workers"], record["trainers"], record["machine_cores"])


def match_figures(match: Pairing, games: list[dict]) -> dict:
    """The final networks' match: A's wins, B's, draws, by colour, and A's Elo over B with its interval."""
    played = [g for g in games if {g["black"], g["white"]} == {match.a.name, match.b.name} and not g.get("error")]
    a, b = match.a.name, match.b.name
    tally = record_of(a, played)
    figures = {"a": a, "b": b, "games": len(played), "wins_a": tally["wins"], "wins_b": tally["losses"],
               "draws": tally["draws"], "errors": record_of(a, [g for g in games if g.get("error")])["errors"],
               "a_black": sum(g["black"] == a for g in played), "black_wins": sum(g["winner"] == g["black"]
                                                                                    for g in played)}  # fmt: skip
    if played:
        figures["score_a"] = round((tally["wins"] + 0.5 * tally["draws"]) / len(played), 4)
        rating = fit_elo([a, b], pair_results(game_points(played)), b)[a]
        figures.update(elo_a_over_b=round(rating.elo, 1), elo_low=round(rating.low, 1), elo_high=round(rating.high, 1))
    return figures


def ratings_of(players: list[Player], games: list[dict], anchor: str) -> dict[str, Rating]:
    """Elo of every player from every game, anchored at ``anchor``; {} when the games cannot rate them."""
    try:
        return tournament_ratings([p.name for p in players], games, anchor)
    except ValueError:
        return {}


def rating_rows(players: list[Player], ratings: dict[str, Rating], games: list[dict], state) -> list[dict]:
    """The Elo table's rows, best first (players without a rating last)."""
    rows = []
    for player in players:
        rating = ratings.get(player.name)
        tally = record_of(player.name, games)
        minutes = player_minutes(player, state)
        rows.append({
            "player": player.name, "run": player.run, "step": player.step, "final": player.final,
            "cpu_minutes": None if minutes is None else round(minutes, 2),
            "elo": None if rating is None else round(rating.elo, 1),
            "low": None if rating is None else round(rating.low, 1),
            "high": None if rating is None else round(rating.high, 1),
            "games": tally["wins"] + tally["draws"] + tally["losses"], "wins": tally["wins"], "draws": tally["draws"],
            "losses": tally["losses"], "errors": tally["errors"],
        })  # fmt: skip
    return sorted(rows, key=lambda row: -row["elo"] if row["elo"] is not None else float("inf"))


def print_table(rows: list[dict], anchor: str) -> None:
    """The Elo table on the terminal (rich)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Elo (maximum likelihood over all games, 0 = {anchor}, 95% intervals)")
    for column in ("#", "player", "run", "step", "CPU-min", "Elo", "95% interval", "games", "W-D-L", "errors"):
        table.add_column(column, justify="left" if column == "player" else "right")
    for rank, row in enumerate(rows, start=1):
        table.add_row(*_cells(rank, row))
    console = Console()
    if not console.is_terminal:
        console = Console(width=120)
    console.print(table)


def _cells(rank: int, row: dict) -> list[str]:
    elo = "-" if row["elo"] is None else f"{row['elo']:+.0f}"
    interval = "-" if row["elo"] is None else f"[{row['low']:+.0f}, {row['high']:+.0f}]"
    name = row["player"] + (" (final)" if row["final"] else "")
    return [str(rank), name, row["run"] or "", "" if row["step"] is None else str(row["step"]),
            "" if row["cpu_minutes"] is None else f"{row['cpu_minutes']:.1f}", elo, interval, str(row["games"]),
            f"{row['wins']}-{row['draws']}-{row['losses']}", str(row["errors"])]  # fmt: skip


def match_line(match: dict) -> str:
    """One line: who won the match between the final networks, and by how much."""
    if not match["games"]:
        return f"match {match['a']} vs {match['b']}: no finished game"
    line = (f"match {match['a']} vs {match['b']}: {match['wins_a']}-{match['wins_b']} (draws {match['draws']}) in "
            f"{match['games']} games, A scores {100 * match['score_a']:.1f}%, Elo A-B {match['elo_a_over_b']:+.0f} "
            f"[{match['elo_low']:+.0f}, {match['elo_high']:+.0f}]; A had black in {match['a_black']}, "
            f"black won {match['black_wins']}")  # fmt: skip
    return line + (f"; {match['errors']} games failed" if match["errors"] else "")


def draw_plot(players: list[Player], ratings: dict[str, Rating], anchor: str, state, out: Path, title: str) -> Path:
    """Elo over CPU-minutes, one line per run, references as horizontal lines (``arena/elo_plot.py``)."""
    import os

    from arena.elo_plot import plot_elo

    xs = {p.name: player_minutes(p, state) for p in players}
    paths = {p.name: p.path for p in players if p.path}
    labels = {}
    for p in players:
        if p.path:
            labels[os.path.dirname(p.path)] = run_label(state, p.run)
    return plot_elo({name: r for name, r in ratings.items()}, xs, paths, out, anchor, title,
                    xlabel="CPU-minutes (cores x wall minutes)", run_labels=labels)  # fmt: skip


def run_label(state, label: str) -> str:
    """``A: configs/9x9.toml --set network.ownership=false (2 workers + 1 trainer)``: the run, told apart."""
    record, settings = state.runs[label], state.settings
    shared = set(settings["overrides"]["A"]) & set(settings["overrides"]["B"])
    sets = "".join(f" --set {o}" for o in settings["overrides"][label] if o not in shared)
    workers, trainers = record["workers"], record["trainers"]
    return (
        f"{label}: {settings['configs'][label]}{sets} ({workers} worker{'s' * (workers != 1)} + "
        f"{trainers} trainer{'s' * (trainers != 1)})"
    )


def _used(row: dict) -> str:
    return "-" if row["cpu_minutes_used"] is None else f"{row['cpu_minutes_used']:.1f}"


def run_line(row: dict) -> str:
    """One line per run for the terminal."""
    return (
        f"run {row['run']}: {row['config']}: {row['wall_minutes']:.2f} wall minutes x {row['cores']} cores = "
        f"{row['cpu_minutes']:.2f} CPU-minutes held, {_used(row)} used; {row['steps']} steps, "
        f"{row['selfplay_games']} self-play games"
        + (" (reached its training.steps early)" if row["stopped_by"] == "steps" else "")
    )


def write_summary(out: Path, summary: dict) -> tuple[Path, Path]:
    """``summary.json`` and ``summary.md`` in ``out`` (atomically)."""
    atomic_write_text(out / SUMMARY_JSON, json.dumps(summary, indent=1) + "\n")
    atomic_write_text(out / SUMMARY_MD, markdown(summary))
    return out / SUMMARY_JSON, out / SUMMARY_MD


def markdown(summary: dict) -> str:
    """The summary as markdown: runs, match, Elo table, plot."""
    head = (f"**Experiment** `{summary['command']}` ({summary['size']}x{summary['size']}, komi {summary['komi']:g}, "
            f"seed {summary['seed']}, networks at {summary['sims']} simulations a move, {summary['machine']})")  # fmt: skip
    lines = [head, "", "| run | config | workers + trainers | wall minutes | CPU-minutes | CPU-minutes used | steps | self-play games |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    # The overrides both runs share are in the command; a row shows what sets its run apart.
    shared = set.intersection(*(set(row["overrides"]) for row in summary["runs"]))
    for row in summary["runs"]:
        config = row["config"] + "".join(f" `--set {o}`" for o in row["overrides"] if o not in shared)
        early = " (reached its steps)" if row["stopped_by"] == "steps" else ""
        lines.append(f"| {row['run']} | {config} | {row['workers']} + {row['trainers']} | {row['wall_minutes']:.1f}"
                     f"{early} | {row['cpu_minutes']:.1f} | {_used(row)} | {row['steps']} | {row['selfplay_games']} |")  # fmt: skip
    lines += ["", match_line(summary["match"]) + ".", ""]
    lines += [
        "| # | player | run | step | CPU-min | Elo | 95% interval | games | W-D-L |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for rank, row in enumerate(summary["ratings"], start=1):
        cells = _cells(rank, row)[:-1]
        lines.append("| " + " | ".join(cells) + " |")
    legend = (f"Elo: maximum likelihood over all {summary['games']} games, 0 = {summary['anchor']}. "
              "CPU-minutes: cores held (one per self-play worker and trainer) x wall minutes; used: the CPU time "
              "of the runs' processes, measured (with starting and stopping Ray).")  # fmt: skip
    lines += ["", legend]
    if summary.get("notes"):
        lines += [""] + [f"Note: {note}" for note in summary["notes"]]
    lines += ["", f"![Elo over CPU-minutes]({summary['plot']})", ""]
    return "\n".join(lines)
