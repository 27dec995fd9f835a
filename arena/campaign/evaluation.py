"""The stint's games: the gate against the shipped network, shipping, and the gauntlet against fixed references.

- **Gate**: the run's final network (the weight average) against ``models/9x9.pt``,
  both at 400 simulations, through the arena's SPRT gate (``arena/gating.py``, as
  ``dosaku arena gate``: H0 score 0.5, H1 0.55, alpha = beta = 0.05). Without a
  shipped network the first one ships ungated.
- **Ship**: ``models/9x9.pt`` rewritten atomically as an inference checkpoint: the
  network that plays, no optimizer, no raw training weights, with the stint, step
  and date in its metadata.
- **Gauntlet**: the network that now plays against each reference (rollout search at
  1,000 simulations, GNU Go levels 1 and 10 when installed), colours alternating,
  game pair k from set opening k (``arena/openings.py``), so 20 games are ten
  openings each played with both colours. Games, SGFs and results go to the
  stint's directory and are resumed from there (``arena/experiment/games.py``).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from arena.experiment.games import Pairing, Player, find_gnugo, jobs, play_games
from arena.gating import run_gate
from arena.openings import default_opening_moves
from arena.player_spec import parse_player_spec
from arena.sprt import SPRT
from arena.tournament import RESULTS_FILE, game_points, record_of
from arena.tournament_results import read_results
from nets.checkpoint import load_checkpoint, save_checkpoint

GATE_THRESHOLD = 0.55
GNUGO_LEVELS = (1, 10)
PRE_CAMPAIGN = "shipped-before-campaign"


def default_references(rollout_sims: int = 1000) -> tuple[list[Player], str | None]:
    """Rollout search and GNU Go levels 1 and 10 (Tromp-Taylor flags); a note when GNU Go is missing."""
    players = [Player(f"mcts:sims={rollout_sims}", f"mcts:sims={rollout_sims}")]
    gnugo = find_gnugo(None)
    if gnugo is None:
        return players, "GNU Go not found (gnugo on PATH or /usr/games/gnugo): no games against GNU Go"
    for level in GNUGO_LEVELS:
        spec = parse_player_spec(f"gtp:{gnugo} --mode gtp --level {level} --chinese-rules --capture-all-dead")
        players.append(Player(f"gnugo-level{level}", spec.text))
    return players, None


def reference_players(texts: list[str]) -> list[Player]:
    """References given as spellings (tests use cheap ones); named by their spelling."""
    specs = [parse_player_spec(text) for text in texts]
    return [Player(spec.name, spec.text) for spec in specs]


def gate(current: dict, model: Path, size: int, komi: float, sims: int, max_games: int, parallel: int,
         work: Path, say) -> dict:  # fmt: skip
    """Gate the stint's candidate against ``model``; the result as a dict for the state."""
    if not model.exists():
        say(f"gate: {model} does not exist: the first network ships without a gate")
        return {"decision": "none", "passed": True, "line": f"no gate: {model} did not exist"}
    new = parse_player_spec(f"{current['candidate']}:sims={sims}")
    old = parse_player_spec(f"{model}:sims={sims}")
    test = SPRT(p1=GATE_THRESHOLD, max_games=max_games)
    say(f"gate: {new.name} (NEW) vs {old.name} (OLD): H0 score {test.p0:g}, H1 score {test.p1:g}, "
        f"at most {max_games} games, {parallel} at once -> {work / 'gate'}")  # fmt: skip

    def on_game(outcome: dict, sprt) -> None:
        result = f"ERROR by {outcome['error_by']}" if outcome["error"] else outcome["result"]
        say(f"gate game {outcome['game'] + 1}: {outcome['black']} (B) vs {outcome['white']} (W): {result}; "
            f"{sprt.points:g}/{sprt.games}, LLR {sprt.llr:+.2f}")  # fmt: skip

    result = run_gate(new, old, test, size, komi, parallel, work / "gate", resume=True, seed=current["stint"],
                      on_game=on_game)  # fmt: skip
    state = result.state
    line = result.verdict()
    say(f"gate: {line}")
    # The games the test counted: the first ``state.games`` without an error, in game-number order.
    path = work / "gate" / RESULTS_FILE
    finished = read_results(path)["games"] if path.exists() else []
    counted = sorted((g for g in finished if not g.get("error")), key=lambda g: g["game"])[: state.games]
    tally = record_of(new.name, counted)
    return {"decision": result.decision, "passed": result.passed, "line": line, "games": state.games,
            "wins": tally["wins"], "draws": tally["draws"], "losses": tally["losses"], "points": state.points,
            "llr": round(state.llr, 3), "errors": result.errors}  # fmt: skip


def ship(candidate: Path, model: Path, stint: int, say) -> dict:
    """Write the candidate's playing network to ``model`` as an inference checkpoint; its name for the record."""
    checkpoint = load_checkpoint(candidate)
    date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    metadata = {"campaign_stint": stint, "campaign_step": checkpoint.step, "campaign_date": date}
    if isinstance(checkpoint.metadata.get("config"), dict):
        metadata["config"] = checkpoint.metadata["config"]
    model.parent.mkdir(parents=True, exist_ok=True)
    save_checkpoint(model, checkpoint.model, rules=checkpoint.rules, step=checkpoint.step, run_name="campaign",
                    metadata=metadata)  # fmt: skip
    say(f"shipped: {model} is now the network of stint {stint} (step {checkpoint.step})")
    return {"name": f"stint-{stint}@{checkpoint.step}", "stint": stint, "step": checkpoint.step}


def gauntlet(player_name: str, model: Path, references: list[Player], games: int, size: int, komi: float,
             sims: int, seed: int, parallel: int, backend: str, work: Path, say) -> dict:  # fmt: skip
    """The shipped network against each reference, ``games`` each; the games and scores for the state."""
    network = Player(player_name, f"{model}:sims={sims},opening=0")
    pairings = [Pairing(network, reference, games, "reference") for reference in references]
    opening_moves = default_opening_moves(size)
    job_list = jobs(pairings, size, komi, None, seed, opening_moves, backend)
    settings = {"players": {p.name: p.spec for p in [network, *references]}, "size": size, "komi": komi,
                "seed": seed, "opening_moves": opening_moves, "sims": sims, "games": games}  # fmt: skip
    say(f"gauntlet: {player_name} ({model} at {sims} simulations) against {', '.join(r.name for r in references)}, "
        f"{games} games each, openings of {opening_moves} random move{'s' * (opening_moves != 1)}, {parallel} at once -> {work / 'gauntlet'}")  # fmt: skip

    def on_game(outcome: dict, finished: int, total: int) -> None:
        result = f"ERROR by {outcome['error_by']}" if outcome["error"] else outcome["result"]
        say(f"[{finished}/{total}] {outcome['black']} (B) vs {outcome['white']} (W): {result} "
            f"in {outcome['moves']} moves ({outcome['seconds']:.1f} s)")  # fmt: skip

    played = play_games(work / "gauntlet", pairings, settings, job_list, parallel, on_game)
    points = [list(game) for game in game_points(played)]
    scores = {}
    for reference in references:
        against = [g for g in played if reference.name in (g["black"], g["white"])]
        scores[reference.name] = record_of(player_name, against)
    return {"player": player_name, "references": [r.name for r in references], "games": points, "scores": scores,
            "directory": str(work / "gauntlet")}  # fmt: skip
