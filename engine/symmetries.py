"""The 8 symmetries of the square board (the dihedral group D4), for planes and policies.

Symmetry ``s`` in ``0..7`` is a rotation by ``90 * (s % 4)`` degrees counter-clockwise
(numpy's ``rot90``), preceded by a left-right mirror when ``s >= 4``. ``0`` is the
identity. Rotations invert by the opposite rotation; the four mirrored ones are
reflections and are their own inverse.

Shapes: planes ``[..., N, N]``; policies ``[..., N*N + 1]`` whose last entry, the
pass, every symmetry leaves in place. Moves are flat (see ``coords``).
"""

from __future__ import annotations

from functools import cache

import numpy as np

SYMMETRIES = 8
IDENTITY = 0


def check_symmetry(symmetry: int) -> int:
    if not 0 <= symmetry < SYMMETRIES:
        raise ValueError(f"symmetry must be 0..7, got {symmetry!r}")
    return symmetry


def inverse(symmetry: int) -> int:
    """The symmetry that undoes ``symmetry``."""
    check_symmetry(symmetry)
    return (4 - symmetry) % 4 if symmetry < 4 else symmetry


def apply_to_planes(planes: np.ndarray, symmetry: int) -> np.ndarray:
    """Transform the last two axes of ``planes``; returns a new contiguous array."""
    check_symmetry(symmetry)
    if symmetry >= 4:
        planes = planes[..., ::-1]
    return np.ascontiguousarray(np.rot90(planes, k=symmetry % 4, axes=(-2, -1)))


@cache
def point_permutation(size: int, symmetry: int) -> np.ndarray:
    """``perm`` with ``transformed_flat = original_flat[..., perm]`` over the N*N points."""
    grid = np.arange(size * size).reshape(size, size)
    perm = apply_to_planes(grid, symmetry).ravel()
    perm.flags.writeable = False
    return perm


@cache
def policy_permutation(size: int, symmetry: int) -> np.ndarray:
    """As ``point_permutation`` with the pass (index N*N) mapped to itself."""
    perm = np.append(point_permutation(size, symmetry), size * size)
    perm.flags.writeable = False
    return perm


def apply_to_policy(policy: np.ndarray, symmetry: int, size: int) -> np.ndarray:
    """Transform policy vectors ``[..., N*N+1]`` as their board would be transformed."""
    if policy.shape[-1] != size * size + 1:
        raise ValueError(f"policy has {policy.shape[-1]} entries, expected {size * size + 1} for {size}x{size}")
    return policy[..., policy_permutation(size, check_symmetry(symmetry))]


def apply_to_move(move: int, symmetry: int, size: int) -> int:
    """Where flat ``move`` lands under ``symmetry`` (the pass stays the pass)."""
    if move == size * size:
        return move
    # perm[new] = old, so the new index of ``move`` is where perm holds it.
    return int(np.flatnonzero(point_permutation(size, check_symmetry(symmetry)) == move)[0])
