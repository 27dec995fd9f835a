"""The campaign's record: a row per stint in ``docs/campaign.md`` and Elo over CPU-hours in ``docs/9x9-campaign.png``.

Elo is fitted by maximum likelihood over every stint's gauntlet games together
(``arena/elo.py``): the references are the same players in every stint, so they
tie all stints' networks to one scale, anchored at the first reference (rollout
search at 1,000 simulations = 0). A network that stays shipped through stints whose
gate failed is one player with all its games; the plot shows it after each of
those stints. Everything is drawn from the state file, so the record can be
redrawn from the repository alone.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from arena.elo import Rating, fit_elo, pair_results
from engine.files import atomic_write_text

RECORD = Path("docs/campaign.md")
PLOT = Path("docs/9x9-campaign.png")
HEADER = """# The 9x9 strength campaign

One row per stint of `dosaku campaign` (README, "Strength campaign"): a stint trains
the campaign's run for its wall minutes on this machine, gates the run's network
against the shipped `models/9x9.pt` (SPRT, both at 400 simulations a move) and ships
it if it passes, then plays the network that now ships, at 400 simulations, against
fixed references: rollout search at 1,000 simulations, GNU Go 3.8 levels 1 and 10
(`--chinese-rules --capture-all-dead`, komi 7.5), 20 games each (ten set openings,
each with both colours). CPU-minutes: cores held (a self-play worker or a trainer
each) x wall minutes, and in brackets those measured as used. Elo: maximum
likelihood over all stints' gauntlet games, 0 = the first reference.

![Elo of the shipped network over cumulative CPU-hours](9x9-campaign.png)

"""


def short_name(reference: str) -> str:
    return reference.replace("gnugo-level", "GNU Go ")


def fit(stints: list[dict], anchor: str) -> dict[str, Rating]:
    """Elo of every player over all stints' gauntlet games; {} when they cannot be rated."""
    games = [tuple(game) for stint in stints for game in stint["gauntlet"]["games"]]
    names = sorted({name for black, white, _ in games for name in (black, white)})
    if anchor not in names:
        return {}
    try:
        return fit_elo(names, pair_results(games), anchor)
    except ValueError:
        return {}


def score_cell(score: dict | None) -> str:
    if score is None:
        return "-"
    played = score["wins"] + score["draws"] + score["losses"]
    if not played:
        return "-"
    points = score["wins"] + score["draws"] / 2
    draws = f"-{score['draws']}" if score["draws"] else ""
    return f"{score['wins']}{draws}-{score['losses']} ({100 * points / played:.0f}%)"


def gate_cell(gate: dict) -> str:
    if gate["decision"] == "none":
        return "none (no shipped network): shipped"
    draws = f"-{gate['draws']}" if gate.get("draws") else ""
    verdict = "shipped" if gate["passed"] else "not shipped"
    return f"{gate['wins']}{draws}-{gate['losses']} {gate['decision']}: {verdict}"


def row(stint: dict, references: list[str]) -> str:
    used = "" if stint.get("cpu_minutes_used") is None else f" ({stint['cpu_minutes_used']:.0f})"
    elo = stint.get("elo")
    cells = [
        str(stint["stint"]), stint["date"][:16].replace("T", " "), f"{stint['wall_minutes']:.1f}",
        f"{stint['cpu_minutes']:.0f}{used}", f"{stint['games']:,}", f"{stint['steps']:,} / {stint['step']:,}",
        gate_cell(stint["gate"]),
        *[score_cell(stint["gauntlet"]["scores"].get(name)) for name in references],
        "-" if elo is None else f"{elo['elo']:+.0f} [{elo['low']:+.0f}, {elo['high']:+.0f}]",
    ]  # fmt: skip
    return "| " + " | ".join(cells) + " |"


def append_row(path: Path, stint: dict) -> None:
    """Add the stint's row (once: a stint recorded before is not added again); create the file with its header."""
    references = stint["gauntlet"]["references"]
    if path.exists():
        text = path.read_text(encoding="utf-8")
        columns = _columns(text)
        references = columns if columns is not None else references
    else:
        heads = ["stint", "date (UTC)", "wall min", "CPU-min", "games", "steps (stint / total)", "gate (W-L, SPRT)",
                 *[f"vs {short_name(name)}" for name in references], "Elo"]  # fmt: skip
        text = HEADER + f"<!-- references: {', '.join(references)} -->\n\n"
        text += "| " + " | ".join(heads) + " |\n" + "|" + "---|" * len(heads) + "\n"
    if any(line.startswith(f"| {stint['stint']} |") for line in text.splitlines()):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text.rstrip("\n") + "\n" + row(stint, references) + "\n")


def _columns(text: str) -> list[str] | None:
    for line in text.splitlines():
        if line.startswith("<!-- references: "):
            return line.removeprefix("<!-- references: ").removesuffix(" -->").split(", ")
    return None


def draw(stints: list[dict], ratings: dict[str, Rating], anchor: str, out: Path) -> Path | None:
    """Elo of the shipped network after each stint over cumulative CPU-hours, references as lines."""
    from arena.elo_plot import plot_elo

    if not ratings:
        return None
    points, xs, paths = {}, {}, {}
    references = {name for stint in stints for name in stint["gauntlet"]["references"]}
    for stint in stints:
        rating = ratings.get(stint["gauntlet"]["player"])
        if rating is None:
            continue
        label = f"after stint {stint['stint']}"
        points[label] = replace(rating, name=label)  # one point per stint, even for a network kept
        xs[label] = stint["cpu_hours_total"]
        paths[label] = "campaign/shipped"
    for name in references:
        if name in ratings:
            points[name] = ratings[name]
    return plot_elo(points, xs, paths, out, anchor, "Dosaku 9x9 campaign: the shipped network",
                    xlabel="cumulative CPU-hours (cores held x wall hours)",
                    run_labels={"campaign": "shipped network after each stint"})  # fmt: skip
