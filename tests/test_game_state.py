"""``GameState`` against itself and against a slow, obviously correct model of the rules.

Bulk answers against single ones (the legal-move mask against ``is_legal``), the
incremental groups and hash against a recomputation, colour-swap invariance, copy
and undo, the feature planes against boards recorded while replaying, and the
errors of bad input. Positions come from random games on every board size and from
uniformly random legal moves (eye fills included), which are rich in captures, kos
and suicides.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from engine import rules
from engine.coords import flat_to_gtp, flat_to_padded, gtp_to_flat
from engine.diagram import diagram, draw_board, game_from_diagram, parse_diagram
from engine.game import BLACK, EMPTY, WHITE, GameState, IllegalMoveError, opponent
from mcts.players import RandomPlayer

SIZES = (5, 7, 9, 13, 19)
LETTER = {BLACK: "B", WHITE: "W"}


# --- helpers -------------------------------------------------------------------------


def show(game):
    """The board and the moves that led to it, for assertion messages."""
    moves = " ".join(f"{LETTER[c]} {flat_to_gtp(m, game.size)}" for c, m in game.moves)
    return f"\n{draw_board(game)}\nto play: {LETTER[game.to_play]}  moves: {moves or '-'}"


def random_player_game(size, seed, komi=7.5):
    """Yield the game after every move of a ``RandomPlayer`` self-play game (it ends by two passes)."""
    game = GameState(size, komi)
    player = RandomPlayer(seed)
    while not game.is_over():
        game.play(player.genmove(game).move)
        yield game


def wild_game(size, seed, moves, komi=0.5):
    """Yield the game after each of ``moves`` uniformly random legal moves, eye fills included,
    with a rare pass: many captures, kos, refused suicides and superko cycles."""
    rng = np.random.default_rng(seed)
    game = GameState(size, komi)
    for _ in range(moves):
        points = np.flatnonzero(game.legal_moves()[:-1])
        move = game.pass_move if len(points) == 0 or rng.random() < 0.03 else int(rng.choice(points))
        game.play(move)
        yield game
        if game.is_over():
            return


def swap_colors(board):
    return np.where(board == EMPTY, EMPTY, 3 - board).astype(board.dtype)


def zobrist_from_scratch(game):
    """The Zobrist hash of the board, recomputed from the stones."""
    key = np.uint64(0)
    for move, color in enumerate(game.board().ravel()):
        if color != EMPTY:
            key ^= rules.ZOBRIST[int(color), flat_to_padded(move, game.size)]
    return int(key)


class ReferenceRules:
    """Tromp-Taylor legality and captures by flood fill over tuples: slow and plain."""

    def __init__(self, size):
        self.size = size
        self.neighbours = [
            [r * size + c for r, c in ((row - 1, col), (row + 1, col), (row, col - 1), (row, col + 1))
             if 0 <= r < size and 0 <= c < size]
            for row in range(size) for col in range(size)
        ]

    def group_and_liberties(self, cells, start):
        color = cells[start]
        group, liberties, stack = {start}, set(), [start]
        while stack:
            for nb in self.neighbours[stack.pop()]:
                if cells[nb] == EMPTY:
                    liberties.add(nb)
                elif cells[nb] == color and nb not in group:
                    group.add(nb)
                    stack.append(nb)
        return group, liberties

    def play(self, board, move, color):
        """``(board after, stones captured)``, or None for a suicide; ``board`` is a tuple."""
        cells = list(board)
        cells[move] = color
        captured = 0
        for nb in self.neighbours[move]:
            if cells[nb] == opponent(color):
                group, liberties = self.group_and_liberties(cells, nb)
                if not liberties:
                    for stone in group:
                        cells[stone] = EMPTY
                    captured += len(group)
        if not self.group_and_liberties(cells, move)[1]:
            return None
        return tuple(cells), captured

    def illegal_reason(self, board, earlier_boards, move, color):
        """'occupied', 'suicide', 'superko' or None, as positional superko has it."""
        if move == self.size * self.size:
            return None
        if board[move] != EMPTY:
            return "occupied"
        after = self.play(board, move, color)
        if after is None:
            return "suicide"
        return "superko" if after[0] in earlier_boards else None


def short_reason(reason):
    return None if reason is None else reason.split()[0]


def board_tuple(game):
    return tuple(int(v) for v in game.board().ravel())


# --- bulk legality against single checks --------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_legal_mask_equals_single_checks_in_random_player_games(size):
    stride = 1 if size <= 9 else 4
    checked = 0
    for seed in range(3 if size <= 9 else 1):
        for number, game in enumerate(random_player_game(size, seed)):
            if number % stride:
                continue
            for color in (BLACK, WHITE):
                mask = game.legal_moves(color)
                singles = np.array([game.is_legal(move, color) for move in range(size * size + 1)])
                assert mask.dtype == np.bool_ and mask.shape == (size * size + 1,)
                differ = [flat_to_gtp(m, size) for m in np.flatnonzero(mask != singles)]
                assert not differ, f"{LETTER[color]}: mask and is_legal differ at {differ}{show(game)}"
            checked += 1
    assert checked > 10


@pytest.mark.parametrize(("size", "seed"), [(5, 1), (5, 2), (7, 3), (9, 4)])
def test_legal_mask_equals_single_checks_in_wild_games(size, seed):
    for game in wild_game(size, seed, moves=6 * size * size):
        for color in (BLACK, WHITE):
            mask = game.legal_moves(color)
            singles = np.array([game.is_legal(move, color) for move in range(size * size + 1)])
            differ = [flat_to_gtp(m, size) for m in np.flatnonzero(mask != singles)]
            assert not differ, f"{LETTER[color]}: mask and is_legal differ at {differ}{show(game)}"


@pytest.mark.parametrize(("size", "seeds"), [(5, range(11, 21)), (7, range(21, 25)), (9, range(25, 28)), (13, range(28, 29))])
def test_every_answer_agrees_with_the_reference_rules(size, seeds):
    """Legality (with its reason), the board after each move and the capture counts of the
    engine against a flood-fill model that keeps every earlier board for superko."""
    reference = ReferenceRules(size)
    refusals = {"occupied": 0, "suicide": 0, "superko": 0}
    for seed in seeds:
        board = tuple([EMPTY] * (size * size))
        earlier = {board}
        captures = {BLACK: 0, WHITE: 0}
        for game in wild_game(size, seed, moves=min(5 * size * size, 400)):
            color, move = game.moves[-1]
            if move != game.pass_move:
                board, captured = reference.play(board, move, color)
                captures[color] += captured
            earlier.add(board)
            assert board_tuple(game) == board, f"board differs from the reference{show(game)}"
            assert (game.captures(BLACK), game.captures(WHITE)) == (captures[BLACK], captures[WHITE]), show(game)
            if game.is_over():
                break
            for color in (BLACK, WHITE):
                for point in range(size * size + 1):
                    expected = reference.illegal_reason(board, earlier, point, color)
                    got = short_reason(game.illegal_reason(point, color))
                    assert got == expected, (
                        f"{LETTER[color]} {flat_to_gtp(point, size)}: engine says {got!r}, reference {expected!r}"
                        f"{show(game)}"
                    )
                    if expected:
                        refusals[expected] += 1
    # Superko refusals need a ko, which random play on 9x9 seldom builds.
    kinds = ("occupied", "suicide", "superko") if size <= 7 else ("occupied", "suicide")
    assert all(refusals[kind] for kind in kinds), f"the games should show every kind of refusal: {refusals}"


# --- incremental bookkeeping ------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_groups_and_hash_stay_exact_after_every_move(size):
    games = [random_player_game(size, seed) for seed in range(4)]
    games += [wild_game(size, seed, moves=4 * size * size) for seed in (100 + size, 200 + size)]
    for moves in games:
        for game in moves:
            assert rules.check_groups(game.state), f"group bookkeeping broken{show(game)}"
            assert game.hash() == zobrist_from_scratch(game), f"hash differs from a recomputation{show(game)}"


# --- colour swap ------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "seed"), [(5, 0), (7, 1), (9, 2), (13, 3)])
def test_game_replayed_with_colours_swapped_is_the_mirror_image(size, seed):
    moves = list(list(random_player_game(size, seed, komi=0))[-1].moves)
    original, swapped = GameState(size, komi=0), GameState(size, komi=0)
    for color, move in moves:
        original.play(move, color)
        swapped.play(move, opponent(color))
        where = show(original)
        assert np.array_equal(swapped.board(), swap_colors(original.board())), where
        assert swapped.to_play == opponent(original.to_play), where
        for color_now in (BLACK, WHITE):
            assert np.array_equal(swapped.legal_moves(opponent(color_now)), original.legal_moves(color_now)), where
            assert swapped.captures(opponent(color_now)) == original.captures(color_now), where
        assert swapped.score() == -original.score(), where
        assert np.array_equal(swapped.owner(), swap_colors(original.owner())), where
        features, swapped_features = original.features(), swapped.features()
        # Planes are relative to the player to move: only the colour plane differs.
        assert np.array_equal(swapped_features[:16], features[:16]), where
        assert np.array_equal(swapped_features[16], 1 - features[16]), where
    assert original.is_over() and swapped.is_over(), show(original)
    assert swapped.winner() == (EMPTY if original.winner() == EMPTY else opponent(original.winner())), show(original)


@pytest.mark.parametrize(("size", "seed"), [(5, 20), (7, 21), (9, 22), (19, 23)])
def test_diagram_with_colours_swapped_is_the_mirror_image(size, seed):
    positions = [diagram(game) for number, game in enumerate(wild_game(size, seed, moves=3 * size * size))
                 if number % (size * size // 4) == 0]
    for text in positions:
        swapped_text = text.replace("X", "*").replace("O", "X").replace("*", "O")
        for to_play in (BLACK, WHITE):
            game = game_from_diagram(text, komi=0, to_play=to_play)
            mirror = game_from_diagram(swapped_text, komi=0, to_play=opponent(to_play))
            where = f"\n{text}\nswapped:\n{swapped_text}"
            assert np.array_equal(mirror.board(), swap_colors(game.board())), where
            assert mirror.score() == -game.score(), where
            for color in (BLACK, WHITE):
                assert np.array_equal(mirror.legal_moves(opponent(color)), game.legal_moves(color)), where


# --- copy and undo ----------------------------------------------------------------------


def snapshot(game):
    """Everything a caller can observe of a position."""
    return {
        "board": game.board(),
        "to_play": game.to_play,
        "hash": game.hash(),
        "legal black": game.legal_moves(BLACK),
        "legal white": game.legal_moves(WHITE),
        "captures": (game.captures(BLACK), game.captures(WHITE)),
        "move number": game.move_number,
        "moves": list(game.moves),
        "passes": game.consecutive_passes,
        "history length": int(game.state[rules.META_HISTORY_LEN]),
        "history": game.history[: int(game.state[rules.META_HISTORY_LEN])].copy(),
        "features": game.features(),
        "over": game.is_over(),
        "score": game.score(),
    }


def assert_same(before, after, where):
    for key, value in before.items():
        same = np.array_equal(value, after[key]) if isinstance(value, np.ndarray) else value == after[key]
        assert same, f"{key} changed: {value!r} -> {after[key]!r}{where}"


def test_copy_is_independent():
    game = GameState(9, komi=7.5)
    for color, move in list(random_player_game(9, 5))[-1].moves[:60]:
        game.play(move, color)
    before = snapshot(game)
    twin = game.copy()
    assert_same(before, snapshot(twin), show(game))
    player = RandomPlayer(9)
    for _ in range(20):
        twin.play(player.genmove(twin).move)
    twin.resign()
    assert_same(before, snapshot(game), show(game))
    # ...and the other way round.
    twin_before = snapshot(twin)
    for _ in range(10):
        game.play(player.genmove(game).move)
    assert_same(twin_before, snapshot(twin), show(twin))
    assert twin.is_over() and not game.is_over(), show(game)


@pytest.mark.parametrize(("size", "seed", "stride"), [(5, 30, 1), (9, 31, 1), (13, 32, 5)])
def test_undo_restores_the_exact_previous_position(size, seed, stride):
    moves = list(list(wild_game(size, seed, moves=3 * size * size))[-1].moves)
    game = GameState(size, komi=0.5)
    undone_captures = 0
    for number, (color, move) in enumerate(moves):
        if number % stride == 0:
            before = snapshot(game)
            captured = game.play(move, color)
            game.undo()
            assert_same(before, snapshot(game), f"\nundo of {LETTER[color]} {flat_to_gtp(move, size)}{show(game)}")
            undone_captures += captured > 0
        # Playing the move again must be legal: the undone position is forgotten by superko.
        game.play(move, color)
    assert undone_captures > 0


def test_undo_of_a_capture_brings_the_stones_back():
    game = game_from_diagram("""
        .....
        .....
        XXXX.
        OOOX.
        ..OX.""")
    game.play(gtp_to_flat("B1", 5))
    game.play(gtp_to_flat("A1", 5))
    before = snapshot(game)
    assert game.play(gtp_to_flat("B1", 5)) == 5, show(game)  # the snapback
    game.undo()
    assert_same(before, snapshot(game), show(game))
    game.undo()
    game.undo()
    assert game.moves == [] and game.to_play == BLACK, show(game)
    assert np.array_equal(game.board(), parse_diagram("""
        .....
        .....
        XXXX.
        OOOX.
        ..OX.""")), show(game)
    with pytest.raises(ValueError, match="no move to undo"):
        game.undo()


def test_undo_restores_the_player_to_move_after_an_out_of_turn_first_move():
    # GTP lets white play first (``play white E5`` on an empty board); undo must
    # give the move back to black, who was to play before it.
    game = GameState(9)
    before = snapshot(game)
    game.play(gtp_to_flat("E5", 9), WHITE)
    game.undo()
    assert_same(before, snapshot(game), show(game))


def test_undo_keeps_handicap_stones_and_white_to_move():
    game = GameState(9, komi=0.5)
    game.place_setup_stones(BLACK, [gtp_to_flat(v, 9) for v in ("C3", "G7")])
    game.to_play = WHITE
    before = snapshot(game)
    game.play(gtp_to_flat("E5", 9))
    game.undo()
    assert_same(before, snapshot(game), show(game))


# --- features ---------------------------------------------------------------------------


def expected_features(boards, to_play, size):
    """AlphaGo Zero's planes from the boards of the game so far (``boards[-1]`` is now)."""
    planes = np.zeros((17, size, size), np.float32)
    for t in range(8):
        if t < len(boards):
            planes[2 * t] = boards[-1 - t] == to_play
            planes[2 * t + 1] = boards[-1 - t] == opponent(to_play)
    planes[16] = 1.0 if to_play == BLACK else 0.0
    return planes


@pytest.mark.parametrize(("size", "seed"), [(5, 40), (9, 41), (19, 42)])
def test_features_against_recorded_boards(size, seed):
    start = GameState(size)
    features = start.features()
    assert features.dtype == np.float32 and features.shape == (17, size, size)
    assert np.array_equal(features, expected_features([start.board()], BLACK, size))
    assert not features[:16].any() and features[16].all()
    boards = [start.board()]
    out = np.full((17, size, size), -1.0, np.float32)
    for game in wild_game(size, seed, moves=2 * size * size):
        boards.append(game.board())
        expected = expected_features(boards, game.to_play, size)
        got = game.features(out)
        assert got is out
        for plane in range(17):
            assert np.array_equal(got[plane], expected[plane]), f"plane {plane} at move {len(boards) - 1}{show(game)}"


def test_features_of_a_diagram_start_have_no_history():
    game = game_from_diagram("""
        .X...
        .XO..
        ..O..
        .....
        .....""", to_play=WHITE)
    features = game.features()
    white, black = game.board() == WHITE, game.board() == BLACK
    assert np.array_equal(features[0], white) and np.array_equal(features[1], black)
    assert not features[2:].any(), "no planes before move 1, and white is to move"
    game.play(gtp_to_flat("D3", 5))
    features = game.features()
    assert np.array_equal(features[2], black) and np.array_equal(features[3], white)  # the start, black to move
    assert not features[4:16].any() and features[16].all()


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 20, 0, -9, 9.0, "9"])
def test_bad_board_size_is_refused(size):
    with pytest.raises(ValueError, match="board size"):
        GameState(size)


@pytest.mark.parametrize("size", range(2, 20))
def test_every_board_size_builds_with_the_default_settings(size):
    game = GameState(size)
    assert game.board().shape == (size, size), show(game)


@pytest.mark.parametrize("komi", [float("nan"), float("inf"), -float("inf"), "7.5", None])
def test_bad_komi_is_refused(komi):
    with pytest.raises(ValueError, match="komi"):
        GameState(9, komi=komi)


@pytest.mark.parametrize("max_moves", [-1, 2.5])
def test_bad_move_cap_is_refused(max_moves):
    with pytest.raises(ValueError, match="max_moves"):
        GameState(9, max_moves=max_moves)


@pytest.mark.parametrize("move", [-1, 82, 1000, 1.5, 3.0, "D4", None])
def test_move_out_of_range_is_refused(move):
    game = GameState(9)
    for call in (game.is_legal, game.illegal_reason, game.play):
        with pytest.raises(ValueError, match="move must be a flat index from 0 to 81"):
            call(move)
    assert game.moves == [] and not game.board().any(), show(game)


@pytest.mark.parametrize("color", [0, 3, -1, "black"])
def test_bad_colour_is_refused(color):
    game = GameState(9)
    for call in (lambda: game.play(40, color), lambda: game.is_legal(40, color), lambda: game.legal_moves(color),
                 lambda: game.resign(color), lambda: game.captures(color)):
        with pytest.raises(ValueError, match="colour must be BLACK"):
            call()
    with pytest.raises(ValueError, match="colour"):
        game.to_play = color
    assert game.moves == [] and game.to_play == BLACK and not game.is_over(), show(game)


def test_illegal_move_error_is_a_value_error_with_the_reason():
    game = GameState(5)
    game.play(12)
    with pytest.raises(IllegalMoveError, match="illegal move white C3: occupied") as err:
        game.play(12)
    assert isinstance(err.value, ValueError) and err.value.reason == "occupied"


def test_bad_setup_stones_are_refused():
    game = GameState(5)
    game.place_setup_stones(BLACK, [gtp_to_flat("B4", 5)])
    with pytest.raises(ValueError, match="taken"):
        game.place_setup_stones(WHITE, [gtp_to_flat("B4", 5)])
    with pytest.raises(ValueError, match="pass"):
        game.place_setup_stones(WHITE, [game.pass_move])
    corner = GameState(5)
    corner.place_setup_stones(BLACK, [gtp_to_flat("B5", 5), gtp_to_flat("A4", 5)])
    with pytest.raises(ValueError, match="no liberty"):
        corner.place_setup_stones(WHITE, [gtp_to_flat("A5", 5)])
    game.play(gtp_to_flat("C3", 5))
    with pytest.raises(ValueError, match="before the first move"):
        game.place_setup_stones(BLACK, [gtp_to_flat("D4", 5)])


def test_refused_setup_stone_leaves_the_game_unchanged():
    # Black B5 and A4 around white A5: a black setup stone at A4 would capture A5.
    game = GameState(5)
    game.place_setup_stones(WHITE, [gtp_to_flat("A5", 5)])
    game.place_setup_stones(BLACK, [gtp_to_flat("B5", 5)])
    before = snapshot(game)
    with pytest.raises(ValueError, match="capture"):
        game.place_setup_stones(BLACK, [gtp_to_flat("A4", 5)])
    assert_same(before, snapshot(game), show(game))
    assert game.hash() == zobrist_from_scratch(game), f"hash no longer matches the board{show(game)}"
    # A list with one bad stone places none of them.
    with pytest.raises(ValueError, match="taken"):
        game.place_setup_stones(BLACK, [gtp_to_flat(v, 5) for v in ("C3", "D2", "C3")])
    assert_same(before, snapshot(game), show(game))
    assert game.setup == [(WHITE, gtp_to_flat("A5", 5)), (BLACK, gtp_to_flat("B5", 5))], show(game)


@pytest.mark.parametrize("kind", [list, tuple, np.array, iter])
def test_setup_stones_from_any_sequence_survive_undo(kind):
    # Undo replays the game from its setup stones, so every stone placed must be recorded.
    points = [gtp_to_flat(v, 9) for v in ("C3", "G7", "E5")]
    game = GameState(9, komi=0.5)
    game.place_setup_stones(BLACK, kind(points))
    game.to_play = WHITE
    assert game.stones(BLACK) == sorted(points), show(game)
    game.play(gtp_to_flat("D4", 9))
    game.undo()
    assert game.stones(BLACK) == sorted(points), f"setup recorded as {game.setup}{show(game)}"
    assert game.to_play == WHITE, show(game)


def test_feature_buffer_of_the_wrong_shape_is_refused():
    """``features(out)`` must check ``out`` before the kernel writes into it: a buffer
    too small for the board is written past its end. Run apart, as that corrupts memory."""
    script = textwrap.dedent("""
        import numpy as np
        from engine.game import GameState
        game = GameState(9)
        for shape in [(16, 9, 9), (17, 5, 5), (17, 19, 19)]:
            try:
                game.features(np.zeros(shape, np.float32))
                print("accepted", shape, flush=True)
            except ValueError:
                print("refused", shape, flush=True)
    """)
    run = subprocess.run([sys.executable, "-c", script], check=False, capture_output=True, text=True, timeout=120)
    lines = run.stdout.splitlines()
    assert run.returncode == 0 and lines and all(line.startswith("refused") for line in lines), (
        f"exit code {run.returncode}\n{run.stdout}{run.stderr[-2000:]}"
    )
    assert len(lines) == 3
