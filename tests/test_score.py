"""The score (issue 12, item 1): the target, the head and its loss, the search's score
utility and score lead, and the score in analysis, the window and the text game.

Known answers come from the rules (``GameState.score``, Tromp-Taylor area, komi
included); fake evaluators below give scores with a known meaning so that what the
search backs up can be checked exactly.
"""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pytest
import torch

from analysis.moves import candidates
from cli.text_game import TextGame
from engine import rules
from engine.coords import flat_to_gtp, gtp_to_flat
from engine.diagram import diagram, game_from_diagram
from engine.game import BLACK, WHITE, GameState, owner_signs
from gtp.build import build_engine
from gtp.engine import GTPEngine
from gui.game_text import win_rate_sentence
from mcts.config import SearchConfig
from mcts.evaluators import UniformEvaluator, uniform_priors
from mcts.players import MCTSPlayer, RandomPlayer
from mcts.search import BatchedSearch
from mcts.tree import ROOT, TERMINAL, UNVISITED
from nets.checkpoint import load_checkpoint
from nets.config import NetConfig
from nets.evaluator import NetEvaluator
from nets.loss import LossWeights, compute_loss
from nets.model import DualNet, NetOutput
from nets.train_step import train_step
from selfplay.buffer import BufferConfig, ReplayBuffer
from selfplay.records import SelfPlayGame
from selfplay.replay import samples
from tests.gtp_process import REPO_ROOT
from tests.test_search import DAME_5X5, LinearEvaluator, tree_arrays

# --- the target -------------------------------------------------------------------------

# Black walls off columns A-C, white D-E, then both pass: black 15 points, white 10.
WALL_MOVES = ["C1", "D1", "C2", "D2", "C3", "D3", "C4", "D4", "C5", "D5", "pass", "pass"]
WALL_FINAL = """
    . . X O .
    . . X O .
    . . X O .
    . . X O .
    . . X O .
"""


def play_out(moves: list[str], komi: float, size: int = 5) -> GameState:
    game = GameState(size, komi)
    for vertex in moves:
        game.play(game.pass_move if vertex == "pass" else gtp_to_flat(vertex, size))
    return game


def record_of(game: GameState) -> SelfPlayGame:
    """The game as self-play records it: every move recorded, its target the move played."""
    actions = game.size**2 + 1
    moves = np.array([m for _c, m in game.moves], np.int16)
    return SelfPlayGame(
        size=game.size, komi=game.komi, moves=moves, recorded=np.ones(len(moves), np.bool_),
        policies=np.eye(actions, dtype=np.float16)[moves], root_values=np.zeros(len(moves), np.float16),
        score=game.score(), ownership=owner_signs(game.owner()), resigned=game.resigned,
    )  # fmt: skip


def targets_of(record: SelfPlayGame) -> tuple[np.ndarray, np.ndarray]:
    """(value, score) targets of every position of the game, in order (positions 0..M-1)."""
    buffer = ReplayBuffer(BufferConfig(min_positions=1), record.size)
    buffer.add([record])
    index = buffer._build_index()
    positions = np.arange(record.length)
    _planes, _policy, value, _owner, score = samples(
        index["moves"], index["move_offsets"], np.zeros(record.length, np.int64), positions, record.size,
        index["winners"], index["ownership"], index["policies"], index["scores"],
    )  # fmt: skip
    return value, score


@pytest.mark.parametrize("komi, black_score", [(0.5, 4.5), (7.5, -2.5)])
def test_the_score_target_is_the_final_area_score_for_the_player_to_move(komi, black_score):
    game = play_out(WALL_MOVES, komi)
    assert diagram(game) == diagram(game_from_diagram(WALL_FINAL))
    assert game.score() == black_score  # 15 - 10 - komi
    value, score = targets_of(record_of(game))
    black_to_move = np.arange(len(WALL_MOVES)) % 2 == 0
    np.testing.assert_array_equal(score, np.where(black_to_move, black_score, -black_score))
    np.testing.assert_array_equal(value, np.where(black_to_move, 1.0, -1.0) * np.sign(black_score))
    # Through the buffer's own sampling: every sample's target is one of the two views.
    buffer = ReplayBuffer(BufferConfig(min_positions=1), 5)
    buffer.add([record_of(game)])
    batch = buffer.sample(64)
    assert batch["score"].dtype == np.float32
    np.testing.assert_array_equal(np.abs(batch["score"]), abs(black_score))
    np.testing.assert_array_equal(np.sign(batch["score"]), np.sign(batch["value"]))


def test_a_resigned_game_has_no_score_target_but_keeps_its_value_target():
    game = play_out(WALL_MOVES[:6], komi=0.5)
    game.resign(WHITE)
    value, score = targets_of(record_of(game))
    assert np.isnan(score).all()
    np.testing.assert_array_equal(value, [1, -1, 1, -1, 1, -1])  # black won, black moves first


# --- the head and its loss -------------------------------------------------------------


def test_the_score_head_is_one_unit_off_the_value_hidden_layer_in_points():
    plain, scored = DualNet(NetConfig(9, blocks=1, channels=8)), DualNet(NetConfig(9, blocks=1, channels=8, score=True))
    assert scored.parameter_count() - plain.parameter_count() == NetConfig().value_hidden + 1
    with torch.no_grad():
        scored.score_fc.weight.zero_()
        scored.score_fc.bias.fill_(0.1)
        output = scored(torch.zeros(3, 17, 9, 9))
    assert output.score.shape == (3,)
    np.testing.assert_allclose(output.score.numpy(), 8.1, rtol=1e-6)  # 0.1 of the board's 81 points
    assert plain(torch.zeros(1, 17, 9, 9)).score is None


def test_checkpoints_without_the_key_load_without_a_score_head():
    config = NetConfig(7)
    assert NetConfig.from_dict({k: v for k, v in config.to_dict().items() if k != "score"}).score is False
    checkpoint = load_checkpoint(REPO_ROOT / "models" / "7x7.pt")
    assert checkpoint.model.config.score is False
    evaluator = NetEvaluator(checkpoint, backend="torch", mode="fp32")
    game = GameState(7, 7.5)
    assert not evaluator.has_score
    assert evaluator.evaluate_full(game.features()[None], game.legal_moves()[None]).score is None


def test_the_score_loss_leaves_out_positions_without_a_final_score():
    torch.manual_seed(0)
    points = 25
    predicted = torch.tensor([3.0, -40.0, 10.0, 0.0], requires_grad=True)
    output = NetOutput(torch.zeros(4, points + 1), torch.zeros(4), None, None, predicted)
    base = {"policy": torch.full((4, points + 1), 1 / (points + 1)), "value": torch.zeros(4)}
    target = torch.tensor([5.0, float("nan"), 10.0, float("nan")])
    _total, terms = compute_loss(output, {**base, "score": target})
    # Smooth L1 with beta 0.1 on shares of the board: 2 points off is 0.08 < beta (quadratic), 0 off is 0.
    assert terms["score"] == pytest.approx((0.5 * 0.08**2 / 0.1 + 0.0) / 2)
    far = torch.tensor([30.0, float("nan"), 10.0, float("nan")])  # 27 points off: linear, 1.08 - 0.05
    assert compute_loss(output, {**base, "score": far})[1]["score"] == pytest.approx((1.08 - 0.05) / 2)
    # No final score in the whole batch: the term is zero and the head still gets a (zero) gradient.
    total, terms = compute_loss(output, {**base, "score": torch.full((4,), float("nan"))}, LossWeights(score=2.0))
    assert terms["score"] == 0.0
    total.backward()
    assert predicted.grad is not None and torch.all(predicted.grad == 0)


def random_games(count: int, seed: int, size: int = 5, komi: float = 0.5) -> list[SelfPlayGame]:
    player = RandomPlayer(seed)
    records = []
    for _ in range(count):
        game = GameState(size, komi, max_moves=3 * size * size)
        while not game.is_over():
            game.play(player.genmove(game).move)
        records.append(record_of(game))
    return records


def test_the_score_head_learns_the_final_score_of_5x5_games_in_a_short_training():
    """Two hundred steps on random games: on games it never saw, the head's points
    correlate with the final score (for the player to move), and in points, not shares.

    Random play decides a 5x5 game late and mostly by the whole board (scores near
    +-25), so even a perfect predictor stays well below 1 (this setup levels off near
    0.68); an untrained head is at 0.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny network: threads only fight over the cores
    try:
        torch.manual_seed(0)
        buffer = ReplayBuffer(BufferConfig(min_window=200_000, min_positions=1), 5, seed=0)
        buffer.add(random_games(2000, seed=1))
        model = DualNet(NetConfig(5, blocks=1, channels=16, value_hidden=32, score=True))
        optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
        losses = []
        for _ in range(200):
            batch = {name: torch.from_numpy(array) for name, array in buffer.sample(128).items()}
            losses.append(train_step(model, optimizer, batch, LossWeights(score=1.0))["score"])
        assert np.mean(losses[-20:]) < 0.7 * losses[0]
        test = ReplayBuffer(BufferConfig(min_positions=1), 5, seed=1)
        test.add(random_games(100, seed=2))
        batch = test.sample(2000)
        model.eval()
        with torch.no_grad():
            predicted = model(torch.from_numpy(batch["planes"])).score.numpy()
    finally:
        torch.set_num_threads(threads)
    correlation = np.corrcoef(predicted, batch["score"])[0, 1]
    assert correlation > 0.5, correlation
    assert np.std(predicted) > 5  # points: random 5x5 games end anywhere in [-25, 25]


# --- the search ---------------------------------------------------------------------------


class ScoredLinear(LinearEvaluator):
    """``LinearEvaluator`` with a score head: a linear function of the features in points."""

    has_score = True

    def __init__(self, size: int, seed: int = 0):
        super().__init__(size, seed)
        self.score = np.random.default_rng(seed + 1).normal(0.0, 2.0, 17 * size * size)

    def evaluate_with_score(self, features, legal):
        priors, values = self.evaluate(features, legal)
        return priors, values, features.reshape(len(features), -1).astype(np.float64) @ self.score


class BlackLeads:
    """Uniform priors, value 0 and a score of ``lead`` points for black wherever black is
    (so ``-lead`` for white to move): every node's mean score from black's view is ``lead``
    (terminal nodes aside)."""

    has_score = True
    needs_positions = True

    def __init__(self, lead: float):
        self.lead = lead

    def evaluate(self, features, legal, positions=None):
        return uniform_priors(legal), np.zeros(len(legal), np.float32)

    def evaluate_with_score(self, features, legal, positions=None):
        states = positions[0]
        black = states[:, rules.META_TO_PLAY] == rules.BLACK
        return uniform_priors(legal), np.zeros(len(legal), np.float32), np.where(black, self.lead, -self.lead)


def search_one(config: SearchConfig, game: GameState, evaluator) -> BatchedSearch:
    search = BatchedSearch(config, game.size, 1, evaluator)
    search.set_position(0, game)
    search.search()
    return search


@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_without_score_utility_a_score_head_changes_nothing_in_the_search(gumbel):
    game = GameState(7, 7.5)
    for vertex in ("D4", "C3", "E5"):
        game.play(gtp_to_flat(vertex, 7))
    config = SearchConfig(simulations=120, leaves_per_game=4, gumbel=gumbel, gumbel_sample=False)
    plain, scored = search_one(config, game, LinearEvaluator(7)), search_one(config, game, ScoredLinear(7))
    assert scored.trees.utility_sum is scored.trees.value_sum  # no array of its own, nothing extra written
    for ours, theirs in zip(tree_arrays(scored, 0), tree_arrays(plain, 0), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(scored.policy_target(0), plain.policy_target(0))
    assert scored.choose_move(0, 0) == plain.choose_move(0, 0)
    assert scored.root_value(0) == plain.root_value(0)
    assert plain.result(0).score is None and plain.root_statistics(0).scores is None
    assert scored.result(0).score is not None
    # A score utility with an evaluator that has no score head is no score utility either.
    weighted = search_one(SearchConfig(simulations=120, leaves_per_game=4, gumbel=gumbel, gumbel_sample=False,
                                       score_utility=0.5), game, LinearEvaluator(7))  # fmt: skip
    for ours, theirs in zip(tree_arrays(weighted, 0), tree_arrays(plain, 0), strict=True):
        np.testing.assert_array_equal(ours, theirs)


def margins_at_the_cap(game: GameState) -> dict[int, float]:
    """Black's final score after each legal move when that move ends the game (the move cap)."""
    found = {}
    for move in np.flatnonzero(game.legal_moves()):
        after = game.copy()
        after.play(int(move))
        assert after.is_over()
        found[int(move)] = after.score()
    return found


@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_score_utility_takes_the_largest_margin_when_every_move_wins(gumbel):
    """One move before the move cap every move ends the game, and with komi -10.5 every
    move wins: the value cannot tell them apart, the score utility picks the largest
    margin by the rules. Terminal nodes hold the rules' score; the value stays pure."""
    game = game_from_diagram(DAME_5X5, komi=-10.5, to_play=BLACK, max_moves=1)
    margins = margins_at_the_cap(game)
    assert min(margins.values()) > 0
    best = max(margins, key=margins.get)
    assert sorted(margins.values())[-2] < margins[best]  # one best move
    config = SearchConfig(simulations=200, gumbel=gumbel, gumbel_sample=False, score_utility=0.5)
    search = search_one(config, game, BlackLeads(0.0))
    t = search.trees
    assert search.choose_move(0, 0) == best
    for move, margin in margins.items():
        child = t.children[0, ROOT, move]
        assert child != UNVISITED and t.status[0, child] == TERMINAL
        assert t.raw_score[0, child] == -margin  # for white, to move at the child
        assert t.value_sum[0, child] == t.visits[0, child]  # a win each visit, no score in it
    # The root's own evaluation (value 0, score 0) is one of its visits; every other is a win.
    visits, total = search.root_visits(0), int(t.visits[0, ROOT])
    assert search.root_value(0) == pytest.approx((total - 1) / total)
    expected = sum(visits[m] * margins[m] for m in margins) / total
    assert search.root_score(0) == pytest.approx(expected)
    stats = search.root_statistics(0)
    assert stats.scores[best] == margins[best] and stats.values[best] == 1.0


# Two white stones at A1-A2 with one liberty, A3: black A3 takes them and wins 4 points.
CAPTURE_5X5 = """
    . . . . .
    . . . . .
    . . . O .
    O X . . .
    O X . . .
"""


class AreaScore(BlackLeads):
    """Value 0 everywhere; score: the position's Tromp-Taylor area score as it stands."""

    def evaluate_with_score(self, features, legal, positions=None):
        states, _histories, komi = positions
        scores = np.empty(len(legal), np.float32)
        for r in range(len(legal)):
            score = rules.area_score(states[r], komi[r])
            scores[r] = score if states[r, rules.META_TO_PLAY] == rules.BLACK else -score
        return uniform_priors(legal), np.zeros(len(legal), np.float32), scores


def test_score_utility_steers_visits_to_the_points_while_the_value_stays_the_value():
    game = game_from_diagram(CAPTURE_5X5, komi=0.5, to_play=BLACK)
    capture = gtp_to_flat("A3", 5)
    plain = search_one(SearchConfig(simulations=300), game, AreaScore(0.0))
    steered = search_one(SearchConfig(simulations=300, score_utility=0.5), game, AreaScore(0.0))
    plain_visits, steered_visits = plain.root_visits(0), steered.root_visits(0)
    assert plain_visits[capture] < 2 * plain_visits[plain_visits > 0].mean()  # the value sees nothing in it
    assert steered.choose_move(0, 0) == capture
    assert steered_visits[capture] > 3 * steered_visits[steered_visits > 0].mean()
    # The capture's value stays the evaluator's 0 (a rare terminal aside); its utility and score do not.
    t = steered.trees
    child = t.children[0, ROOT, capture]
    value, utility = (t.value_sum[0, child] / t.visits[0, child], t.utility_sum[0, child] / t.visits[0, child])
    assert abs(value) < 0.05 < utility
    assert steered.root_statistics(0).scores[capture] > 1.0
    assert steered.root_statistics(0).values[capture] == value


# --- the score reaches the players ----------------------------------------------------------


def analysis_engine(evaluator) -> GTPEngine:
    player = MCTSPlayer(evaluator, simulations=64, seed=0)
    player.node_memory = 4 * 2**20
    return build_engine(player, size=5, log=io.StringIO())


def streamed(engine: GTPEngine, line: str) -> str:
    response = engine.handle_line(line)
    assert response.startswith("= \n"), response
    return response[3:-2].split("\n")[0]


def subtree_nodes(t, node: int) -> list[int]:
    found, stack = [], [node]
    while stack:
        n = stack.pop()
        found.append(n)
        stack.extend(int(c) for c in t.children[0, n] if c != UNVISITED)
    return found


def test_kata_analyze_reports_the_score_lead_of_a_score_head_and_nothing_without_one():
    engine = analysis_engine(BlackLeads(6.0))
    engine.handle_line("play b c3")
    for color, lead in (("w", -6.0), ("b", 6.0)):
        line = streamed(engine, f"kata-analyze {color} 1")
        leads = [float(x) for x in re.findall(r"scoreLead (\S+)", line)]
        means = [float(x) for x in re.findall(r"scoreMean (\S+)", line)]
        assert len(leads) == line.count("info move") > 3 and leads == means
        found = candidates(engine.player.search)
        t = engine.player.search.trees
        for candidate, shown in zip(found, leads, strict=True):
            child = t.children[0, ROOT, candidate.move]
            below = subtree_nodes(t, child) if child != UNVISITED else []
            if not any(t.status[0, n] == TERMINAL for n in below):  # no game ended below it: exactly the head's
                assert shown == pytest.approx(lead, abs=1e-3)
    record = json.loads(streamed(engine, "dosaku-analyze b 1"))
    assert record["rootInfo"]["scoreLead"] == pytest.approx(6.0, abs=0.5)
    assert all("scoreLead" in info for info in record["moveInfos"])
    assert "score" not in streamed(engine, "lz-analyze b 1")  # Leela's format has no score

    plain = analysis_engine(UniformEvaluator())
    assert "score" not in streamed(plain, "kata-analyze b 1")
    record = json.loads(streamed(plain, "dosaku-analyze b 1"))
    assert "scoreLead" not in record["rootInfo"] and not any("scoreLead" in m for m in record["moveInfos"])


def test_the_window_and_the_text_game_show_the_bot_s_score_only_with_a_score_head():
    assert win_rate_sentence(0.62, 4.46) == "Dosaku: B+4.5, win-rate 62%"  # the bot's estimate, black's lead
    assert win_rate_sentence(0.3, -12.0) == "Dosaku: W+12.0, win-rate 30%"
    assert win_rate_sentence(0.5, 0.01) == "Dosaku: even, win-rate 50%"
    assert win_rate_sentence(0.62) == "Dosaku's win-rate: 62%"
    for evaluator, said in (
        (BlackLeads(6.0), "Dosaku's estimate: it trails by 6.0 points."),
        (UniformEvaluator(), None),
    ):
        output = io.StringIO()
        bot = MCTSPlayer(evaluator, simulations=32, seed=0)
        TextGame(GameState(5, 7.5), bot, BLACK, io.StringIO("c3\nquit\n"), output).run()
        estimates = [line for line in output.getvalue().splitlines() if "estimate" in line]
        assert estimates == ([said] if said else [])


def test_players_take_the_score_utility_from_their_spelling_and_the_command_line():
    from arena.player_spec import make_player, parse_player_spec
    from cli.main import build_parser
    from cli.players import options_spec

    model = str(REPO_ROOT / "models" / "7x7.pt")
    spec = parse_player_spec(f"{model}:sims=50,score_utility=0.1")
    assert spec.score_utility == 0.1 and spec.sims == 50
    assert make_player(spec, seed=0, backend="torch").config.score_utility == 0.1
    assert make_player(parse_player_spec(model), seed=0, backend="torch").config.score_utility == 0.0
    for bad in ("score_utility=-1", "score_utility=x", "score_utility=inf"):
        with pytest.raises(ValueError, match=f"bad setting '{bad}'"):
            parse_player_spec(f"{model}:{bad}")
    args = build_parser().parse_args(["gtp", "--model", model, "--score-utility", "0.2", "--backend", "torch"])
    assert make_player(options_spec(args), seed=0, backend=args.backend).config.score_utility == 0.2
    with pytest.raises(SystemExit):
        build_parser().parse_args(["gtp", "--score-utility", "-0.5"])


@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_self_play_with_a_score_head_and_score_utility_records_games_that_train(gumbel):
    """The whole path without Ray: a network with a score head searches with the score
    utility, finished games go to the buffer and a training step reads their scores."""
    from selfplay.self_player import SelfPlayer
    from selfplay.settings import RulesConfig, SelfPlayConfig

    torch.manual_seed(0)
    model = DualNet(NetConfig(5, blocks=1, channels=8, value_hidden=16, ownership=True, score=True))
    evaluator = NetEvaluator(model, backend="torch", mode="fp32")
    rules = RulesConfig(size=5, komi=0.5, max_moves=30)
    search = SearchConfig(simulations=12, leaves_per_game=4, gumbel=gumbel, gumbel_considered=4, score_utility=0.1)
    selfplay = SelfPlayConfig(games_per_worker=4, full_search_probability=0.5, fast_simulations=4,
                              resign_threshold=-1.0, resign_disabled_fraction=0.0)  # fmt: skip
    player = SelfPlayer(rules, search, selfplay, evaluator, seed=3)
    assert player.search.trees.utility_sum is not player.search.trees.value_sum
    games = []
    while len(games) < 4:
        games += player.step()
    for game in games:
        replayed = play_out([flat_to_gtp(int(m), 5) for m in game.moves], komi=0.5)
        assert game.score == replayed.score()
    buffer = ReplayBuffer(BufferConfig(min_positions=1), 5)
    buffer.add(games)
    batch = buffer.sample(32)
    assert np.isfinite(batch["score"]).all()
    terms = train_step(model, torch.optim.SGD(model.parameters(), lr=0.01),
                       {name: torch.from_numpy(array) for name, array in batch.items()})  # fmt: skip
    assert terms["score"] > 0
