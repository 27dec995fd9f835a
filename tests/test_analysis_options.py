"""KataGo's analysis options (issue 14): avoid/allow obeyed by the search, by colour and
depth; scoreStdev as the spread of the scores the search backed up; rootInfo,
pvVisits, pvEdgeVisits, movesOwnership and ownershipStdev on kata-analyze's line, in
process and from a real ``dosaku gtp`` with a small network that has score and
ownership heads."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

from analysis.moves import Ban, ban_table, check_bans, ownership_spread
from engine.coords import gtp_to_flat
from engine.game import BLACK, WHITE, GameState
from gtp.build import build_engine
from mcts.config import SearchConfig
from mcts.evaluators import UniformEvaluator, uniform_priors
from mcts.players import MCTSPlayer
from mcts.search import BatchedSearch
from mcts.tree import EXPANDED, ROOT, TERMINAL, UNVISITED
from tests.gtp_process import EngineProcess
from tests.test_gtp_analysis import stream


class Prefers(UniformEvaluator):
    """Most of the prior on ``moves`` (in that order), value 0: the search's first
    choices are known."""

    def __init__(self, moves: list[int]):
        self.moves = moves

    def evaluate(self, features, legal):
        priors = uniform_priors(legal) * 0.05
        for rank, move in enumerate(self.moves):
            priors[:, move] += 10.0 / (rank + 1) * legal[:, move]
        return priors, np.zeros(len(legal), np.float32)


def plies(t, g: int, node: int) -> int:
    depth = 0
    while t.parent[g, node] >= 0:
        node = t.parent[g, node]
        depth += 1
    return depth


def test_avoid_keeps_moves_out_of_the_search_for_one_colour_until_its_depth():
    size = 4
    b2 = gtp_to_flat("B2", size)
    search = BatchedSearch(SearchConfig(simulations=600), size, 1, Prefers([b2]))
    # Black may not play B2 in plies 0-2 (its moves at plies 0 and 2), white not in plies 0-4 (1 and 3).
    search.restrict_moves(0, ban_table([Ban(BLACK, [b2], 3), Ban(WHITE, [b2], 5)], size * size + 1))
    search.set_position(0, GameState(size))
    search.search()
    t = search.trees
    legal_at: dict[int, list[bool]] = {}  # ply -> whether B2 had a prior, at each node of that ply
    for node in range(int(t.node_count[0])):
        if t.status[0, node] == EXPANDED:
            legal_at.setdefault(plies(t, 0, node), []).append(bool(t.prior[0, node, b2] >= 0))
            if plies(t, 0, node) < 4:
                assert t.children[0, node, b2] == UNVISITED
    assert not any(legal_at[0] + legal_at[1] + legal_at[2] + legal_at[3])
    assert legal_at[4] and all(legal_at[4])  # black's ban is over at ply 4: the preferred move is back
    assert search.root_visits(0)[b2] == 0


def test_allow_keeps_everything_else_out_and_the_bans_clear_a_kept_tree():
    size = 5
    allowed = [gtp_to_flat("B2", size), gtp_to_flat("D4", size)]
    search = BatchedSearch(SearchConfig(simulations=100), size, 1, UniformEvaluator())
    search.set_position(0, GameState(size))
    search.search()
    assert np.count_nonzero(search.root_visits(0)) > 2
    search.restrict_moves(0, ban_table([Ban(BLACK, allowed, 1, allow=True)], size * size + 1))
    search.set_position(0, GameState(size))
    search.search()
    assert set(np.flatnonzero(search.root_visits(0))) == set(allowed)
    everything = np.zeros((2, size * size + 1), np.int32)
    everything[0] = 1  # every black move banned at the root: the pass stays, a node needs a move
    search.restrict_moves(0, everything)
    search.set_position(0, GameState(size))
    search.search()
    assert list(np.flatnonzero(search.root_visits(0))) == [size * size]


class HashedScores(UniformEvaluator):
    """A score for each position from its planes (deterministic, varied), value 0."""

    has_score = True

    def evaluate_with_score(self, features, legal):
        weights = np.arange(features[0].size, dtype=np.float64) % 7 - 3
        scores = features.reshape(len(features), -1) @ weights
        return uniform_priors(legal), np.zeros(len(legal), np.float32), scores.astype(np.float32)


def test_score_stdev_is_the_spread_of_the_scores_backed_up_to_the_root():
    size = 5
    search = BatchedSearch(SearchConfig(simulations=120), size, 1, HashedScores())
    search.set_position(0, GameState(size))
    search.search()
    t = search.trees
    count = int(t.node_count[0])
    assert count == 120 and not (t.status[0, :count] == TERMINAL).any()  # one stored evaluation per visit
    # Each node's score, for the root's player: its sign flips with each ply.
    backed = [t.raw_score[0, n] * (1 if plies(t, 0, n) % 2 == 0 else -1) for n in range(count)]
    assert search.root_score(0) == pytest.approx(np.mean(backed), abs=1e-4)
    assert search.root_score_stdev(0) == pytest.approx(np.std(backed), rel=1e-4)
    assert search.root_score_stdev(0) > 0.5
    stats = search.root_statistics(0)
    move = int(np.argmax(stats.visits))
    child = t.children[0, ROOT, move]
    below = [n for n in range(count) if _under(t, n, child)]
    values = [-t.raw_score[0, n] * (1 if (plies(t, 0, n) - 1) % 2 == 0 else -1) for n in below]
    assert stats.score_stdevs[move] == pytest.approx(np.std(values), rel=1e-4, abs=1e-4)


def _under(t, node: int, ancestor: int) -> bool:
    while node >= 0:
        if node == ancestor:
            return True
        node = t.parent[0, node]
    return False


def test_ownership_spread_weights_the_candidates_by_visits():
    ownership = np.array([[1.0, 0.0], [-1.0, 0.0]])
    mean, stdev = ownership_spread(ownership, np.array([3, 1]))
    np.testing.assert_allclose(mean, [0.5, 0.0])
    np.testing.assert_allclose(stdev, [np.sqrt(0.75), 0.0])


def test_kata_analyze_avoid_and_allow_in_process():
    size = 7
    d4, d5, e5 = (gtp_to_flat(v, size) for v in ("D4", "D5", "E5"))
    player = MCTSPlayer(Prefers([d4, d5, e5]), simulations=64)
    player.node_memory = 4 * 2**20
    engine = build_engine(player, size=size, log=io.StringIO())
    first = re.findall(r"info move (\S+)", stream(engine, "kata-analyze W 1")[0])
    assert first[:2] == ["D4", "D5"]
    avoided = re.findall(r"info move (\S+)", stream(engine, "kata-analyze W 1 avoid w D4,D5 1")[0])
    assert avoided[0] == "E5" and "D4" not in avoided and "D5" not in avoided
    allowed = re.findall(r"info move (\S+)", stream(engine, "kata-analyze W 1 allow w C3,E5 1")[0])
    assert set(allowed) == {"C3", "E5"}
    assert player.banned_until is None  # the bans held for those commands only
    # genmove_analyze obeys them too; a black ban leaves white's move alone.
    assert engine.handle_line("kata-genmove_analyze B 0 avoid b D4,D5 1").endswith("play E5\n\n")
    assert engine.handle_line("kata-genmove_analyze W 0 avoid b D4 1").endswith("play D4\n\n")


def test_kata_analyze_line_carries_root_info_pv_visits_and_score_stdev():
    from tests.test_score import BlackLeads, analysis_engine

    engine = analysis_engine(BlackLeads(4.0))
    engine.handle_line("play b c3")
    line = stream(engine, "kata-analyze W 1 rootInfo true pvVisits true pvEdgeVisits true ownershipStdev true")[0]
    head, root = line.split(" rootInfo ")
    fields = dict(zip(root.split()[::2], root.split()[1::2], strict=True))
    assert set(fields) == {"visits", "utility", "winrate", "scoreMean", "scoreStdev", "scoreLead", "currentPlayer"}
    assert fields["currentPlayer"] == "W" and float(fields["scoreLead"]) == pytest.approx(-4.0, abs=0.5)
    assert int(fields["visits"]) >= sum(int(v) for v in re.findall(r"info move \S+ visits (\d+)", head))
    for info in head.split("info ")[1:]:
        pv = re.search(r" pv ((?:\S+ )*?)pvVisits ", info + " ").group(1).split()
        visits = [int(v) for v in re.search(r"pvVisits ([\d ]+?) pvEdgeVisits", info).group(1).split()]
        edges = [int(v) for v in re.search(r"pvEdgeVisits ([\d ]+)", info).group(1).split()]
        assert len(pv) == len(visits) == len(edges) and visits == edges
        assert visits == sorted(visits, reverse=True) and visits[0] == int(re.search(r"visits (\d+)", info).group(1))
        assert float(re.search(r"scoreStdev (\S+)", info).group(1)) >= 0
    assert "ownershipStdev" not in line  # this evaluator has no ownership head: nothing is made up


@pytest.fixture
def crafted_model(tmp_path) -> str:
    """A tiny 9x9 network with score and ownership heads whose policy puts D4 first and
    D5 second for either colour: the bias of the policy layer, nothing else."""
    import torch

    from nets.checkpoint import save_checkpoint
    from nets.config import NetConfig
    from nets.model import DualNet

    torch.manual_seed(0)
    net = DualNet(NetConfig(board_size=9, blocks=1, channels=8, value_hidden=8, score=True, ownership=True))
    with torch.no_grad():
        net.policy_fc.weight.zero_()
        net.policy_fc.bias.zero_()
        net.policy_fc.bias[gtp_to_flat("D4", 9)] = 6.0
        net.policy_fc.bias[gtp_to_flat("D5", 9)] = 5.0
    path = tmp_path / "d4-first-9x9.pt"
    save_checkpoint(path, net)
    return str(path)


def analysis_lines(engine: EngineProcess, command: str, count: int) -> list[str]:
    """``count`` lines of a streamed analysis, then the analysis stopped."""
    engine.send(command)
    assert engine.next_line().startswith("=")
    lines = []
    while len(lines) < count:
        line = engine.next_line()
        if line.startswith("info"):
            lines.append(line)
    engine.send("")  # a blank line stops it, as GTP's analysis extensions say
    while engine.next_line() != "\n":
        pass
    return lines


def test_a_real_dosaku_gtp_streams_kata_s_options_and_obeys_avoid(crafted_model):
    engine = EngineProcess("--model", crafted_model, "--sims", "50")
    try:
        assert engine.ask("boardsize 9").startswith("=")
        assert engine.ask("play b e5").startswith("=")
        command = ("kata-analyze W 20 ownership true ownershipStdev true rootInfo true pvVisits true "
                   "pvEdgeVisits true movesOwnership false")  # fmt: skip
        for line in analysis_lines(engine, command, 2):
            assert "scoreLead" in line and " rootInfo visits " in line and " pvVisits " in line
            assert " pvEdgeVisits " in line and "movesOwnership" not in line
            ownership = line.split(" ownership ")[1].split(" ownershipStdev ")
            assert len(ownership[0].split()) == len(ownership[1].split()) == 81
            assert all(0 <= float(v) <= 1 for v in ownership[1].split())
        first = analysis_lines(engine, "kata-analyze W 20", 1)[0]
        assert re.findall(r"info move (\S+)", first)[0] == "D4"  # what the avoid below must change
        owned = analysis_lines(engine, "kata-analyze W 20 movesOwnership true maxmoves 3", 1)[0]
        assert [len(part.split()) for part in re.findall(r"movesOwnership ([-\d. ]+)", owned)] == [81] * 3
        avoided = analysis_lines(engine, "kata-analyze W 20 avoid w D4,D5 1", 1)[0]
        moves = re.findall(r"info move (\S+)", avoided)
        assert moves and "D4" not in moves and "D5" not in moves
        assert engine.ask("genmove w") == "= D4"  # the bans were for that command only
    finally:
        engine.ask("quit")
        engine.process.wait(timeout=60)


def test_the_ban_table_combines_avoids_and_kata_go_s_rules_for_combining_them():
    a, b = gtp_to_flat("A1", 5), gtp_to_flat("B1", 5)
    table = ban_table([Ban(WHITE, [a], 2), Ban(WHITE, [a, b], 1), Ban(BLACK, [b], 3)], 26)
    assert table[1, a] == 2 and table[1, b] == 1 and table[0, b] == 3 and table.sum() == 6
    assert ban_table([], 26) is None
    for bans in ([Ban(BLACK, [a], 1, True), Ban(WHITE, [a], 1, True)], [Ban(BLACK, [a], 1, True), Ban(BLACK, [b], 1)],
                 [Ban(BLACK, [a], -1)]):  # fmt: skip
        with pytest.raises(ValueError):
            check_bans(bans)
