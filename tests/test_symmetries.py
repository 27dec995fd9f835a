"""The 8 board symmetries on planes, policies and moves: each against its inverse,
against the others, and against a real position's features and legal moves."""

import numpy as np
import pytest

from engine import symmetries as sym
from engine.coords import gtp_to_flat
from engine.diagram import game_from_diagram, parse_diagram
from engine.game import BLACK

SIZES = (2, 5, 9, 19)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("s", range(8))
def test_each_symmetry_undone_by_its_inverse(size, s):
    rng = np.random.default_rng(s)
    planes = rng.random((3, 17, size, size), dtype=np.float32)
    back = sym.apply_to_planes(sym.apply_to_planes(planes, s), sym.inverse(s))
    np.testing.assert_array_equal(back, planes)
    policy = rng.random((4, size * size + 1))
    back = sym.apply_to_policy(sym.apply_to_policy(policy, s, size), sym.inverse(s), size)
    np.testing.assert_array_equal(back, policy)


@pytest.mark.parametrize("size", SIZES)
def test_symmetries_are_eight_distinct_transforms(size):
    images = {tuple(sym.point_permutation(size, s)) for s in range(8)}
    assert len(images) == 8
    assert tuple(sym.point_permutation(size, sym.IDENTITY)) == tuple(range(size * size))


def test_named_symmetries_on_a_diagram():
    board = np.array(parse_diagram("""
        X..
        ...
        ..O"""))
    rotated = sym.apply_to_planes(board, 1)  # 90 degrees counter-clockwise
    assert rotated[2, 0] == BLACK  # the top-left corner goes to the bottom-left
    mirrored = sym.apply_to_planes(board, 4)  # left-right mirror
    assert mirrored[0, 2] == BLACK


@pytest.mark.parametrize("s", range(8))
def test_policy_moves_with_its_board_and_pass_stays(s):
    size = 5
    board = np.zeros((size, size))
    move = gtp_to_flat("B4", size)
    board.ravel()[move] = 1
    policy = np.zeros(size * size + 1)
    policy[move] = 0.7
    policy[-1] = 0.3
    moved = sym.apply_to_policy(policy, s, size)
    transformed_board = sym.apply_to_planes(board, s).ravel()
    assert moved[:-1].argmax() == transformed_board.argmax() == sym.apply_to_move(move, s, size)
    assert moved[-1] == 0.3
    assert sym.apply_to_move(size * size, s, size) == size * size


@pytest.mark.parametrize("s", range(8))
def test_legal_moves_of_a_transformed_position_are_the_transformed_legal_moves(s):
    # A ko and a suicide point, so the masks are not trivial.
    text = """
        .XO..
        XO.O.
        .XO..
        ..X..
        O...."""
    game = game_from_diagram(text, to_play=BLACK)
    board = np.array(parse_diagram(text))
    transformed = sym.apply_to_planes(board, s)
    twin = game_from_diagram("\n".join("".join(".XO"[v] for v in row) for row in transformed), to_play=BLACK)
    expected = sym.apply_to_policy(game.legal_moves().astype(np.int8), s, 5).astype(bool)
    np.testing.assert_array_equal(twin.legal_moves(), expected)
    np.testing.assert_array_equal(sym.apply_to_planes(game.features(), s), twin.features())
    back = sym.apply_to_policy(expected.astype(np.int8), sym.inverse(s), 5).astype(bool)
    np.testing.assert_array_equal(back, game.legal_moves())


def test_bad_symmetry_is_refused():
    with pytest.raises(ValueError, match="symmetry must be 0..7"):
        sym.inverse(8)
    with pytest.raises(ValueError, match="expected 26"):
        sym.apply_to_policy(np.zeros(25), 0, 5)
