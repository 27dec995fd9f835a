"""The 8 board symmetries on torch batches: planes, policies and ownership together.

The symmetries and their numbering are ``engine.symmetries``' (``s`` in 0..7,
rotation by ``90 * (s % 4)`` degrees counter-clockwise after a left-right mirror
when ``s >= 4``); this module only stacks its permutation tables into one
``[8, N*N]`` tensor so a whole batch is transformed by one ``gather``, each
sample by its own symmetry, with no Python loop over samples.

Shapes: planes ``[B, C, N, N]``, policies ``[B, N*N+1]`` (the pass, last, stays
put), ownership ``[B, N*N]`` (row-major points), moves int64 ``[B]`` (policy
indices: a point, the pass N*N, or a negative "none", which both stay). ``symmetries`` is one int for
the whole batch or an int64 tensor ``[B]``, one per sample.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import torch

from engine import symmetries as engine_symmetries

SYMMETRIES = engine_symmetries.SYMMETRIES
_INVERSES = tuple(engine_symmetries.inverse(s) for s in range(SYMMETRIES))


@cache
def permutation_table(size: int, device: str = "cpu") -> torch.Tensor:
    """int64 ``[8, N*N]`` with ``transformed[..., j] = original[..., table[s, j]]``.

    Cached per size and device, so an accelerator gets its copy once, not per batch.
    """
    perms = np.stack([engine_symmetries.point_permutation(size, s) for s in range(SYMMETRIES)])
    return torch.from_numpy(perms.astype(np.int64)).to(device)


def inverse_symmetries(symmetries: int | torch.Tensor) -> int | torch.Tensor:
    """The symmetry undoing each of ``symmetries`` (an int, or a tensor of them)."""
    if isinstance(symmetries, torch.Tensor):
        return torch.tensor(_INVERSES, dtype=torch.int64, device=symmetries.device)[symmetries]
    return engine_symmetries.inverse(int(symmetries))


def random_symmetries(batch: int, generator: torch.Generator | None = None) -> torch.Tensor:
    """One uniformly random symmetry per sample, int64 ``[batch]`` on the CPU."""
    return torch.randint(0, SYMMETRIES, (batch,), generator=generator)


def _index(symmetries: int | torch.Tensor, batch: int, size: int, device: torch.device) -> torch.Tensor:
    """Per-sample gather index ``[B, N*N]`` (a broadcast view for a single symmetry)."""
    table = permutation_table(size, str(device))
    if isinstance(symmetries, torch.Tensor):
        if symmetries.shape != (batch,):
            raise ValueError(f"symmetries must have shape [{batch}], got {list(symmetries.shape)}")
        return table[symmetries.to(device)]
    return table[engine_symmetries.check_symmetry(int(symmetries))].expand(batch, -1)


def transform_points(values: torch.Tensor, symmetries: int | torch.Tensor, size: int) -> torch.Tensor:
    """Transform per-point values ``[B, N*N]`` (ownership, a board)."""
    if values.dim() != 2 or values.shape[1] != size * size:
        raise ValueError(f"point values must be [B, {size * size}], got {list(values.shape)}")
    return values.gather(1, _index(symmetries, values.shape[0], size, values.device))


@cache
def _destination_table(size: int, device: str = "cpu") -> torch.Tensor:
    """int64 ``[8, N*N]``: where each original point goes, ``permutation_table``'s inverse
    (``transformed[destination[s, i]] = original[i]``)."""
    table = permutation_table(size, device)
    destination = torch.empty_like(table)
    destination.scatter_(1, table, torch.arange(size * size, device=table.device).expand(SYMMETRIES, -1).contiguous())
    return destination


def transform_moves(moves: torch.Tensor, symmetries: int | torch.Tensor, size: int) -> torch.Tensor:
    """Transform moves int64 ``[B]`` given as policy indices, as ``transform_policy`` moves a
    one-hot policy: points follow the symmetry, the pass (N*N) and negative indices (no
    move) stay."""
    if moves.dim() != 1:
        raise ValueError(f"moves must be [B], got {list(moves.shape)}")
    points = size * size
    destination = _destination_table(size, str(moves.device))
    if isinstance(symmetries, torch.Tensor):
        if symmetries.shape != moves.shape:
            raise ValueError(f"symmetries must have shape [{moves.shape[0]}], got {list(symmetries.shape)}")
        rows = destination[symmetries.to(moves.device)]
    else:
        rows = destination[engine_symmetries.check_symmetry(int(symmetries))].expand(moves.shape[0], -1)
    on_board = (moves >= 0) & (moves < points)
    moved = rows.gather(1, torch.where(on_board, moves, 0)[:, None]).squeeze(1)
    return torch.where(on_board, moved, moves)


def transform_policy(policy: torch.Tensor, symmetries: int | torch.Tensor, size: int) -> torch.Tensor:
    """Transform policies ``[B, N*N+1]``; the pass stays last."""
    if policy.dim() != 2 or policy.shape[1] != size * size + 1:
        raise ValueError(f"policy must be [B, {size * size + 1}], got {list(policy.shape)}")
    points = policy[:, :-1].gather(1, _index(symmetries, policy.shape[0], size, policy.device))
    return torch.cat([points, policy[:, -1:]], dim=1)


def transform_planes(planes: torch.Tensor, symmetries: int | torch.Tensor) -> torch.Tensor:
    """Transform feature planes ``[B, C, N, N]`` (a new contiguous tensor)."""
    if planes.dim() != 4 or planes.shape[2] != planes.shape[3]:
        raise ValueError(f"planes must be [B, C, N, N], got {list(planes.shape)}")
    batch, channels, size, _ = planes.shape
    index = _index(symmetries, batch, size, planes.device)[:, None, :].expand(batch, channels, -1)
    return planes.reshape(batch, channels, size * size).gather(2, index).view(batch, channels, size, size)


def augment(
    planes: torch.Tensor,
    policy: torch.Tensor | None,
    ownership: torch.Tensor | None,
    symmetries: int | torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """Apply ``symmetries`` (one int, or one per sample) to a training batch consistently.

    Returns ``(planes, policy, ownership)``; a None input stays None. Values and
    other per-position scalars are unchanged by symmetry, so they are not taken.
    """
    size = planes.shape[-1]
    return (
        transform_planes(planes, symmetries),
        None if policy is None else transform_policy(policy, symmetries, size),
        None if ownership is None else transform_points(ownership, symmetries, size),
    )
