"""One optimisation step, the same code alone and under DistributedDataParallel.

``train_step`` takes the model as given: a ``DualNet``, or one wrapped in
``DistributedDataParallel`` (whose backward all-reduces the gradients, so every
replica steps with the same average) or ``torch.compile``. It holds no rank
logic: a data-parallel trainer calls it on each rank with that rank's shard.

A batch is a dict of tensors (see ``nets.loss`` for their meaning and shapes):
``planes`` float ``[B, C, N, N]``, ``policy`` ``[B, N*N+1]``, ``value`` ``[B]``,
``ownership`` ``[B, N*N]``, ``score`` ``[B]`` and ``opponent_policy`` int64 ``[B]``
(optional). Tensors are moved to the model's device.
"""

from __future__ import annotations

import torch
from torch import nn

from nets.loss import DEFAULT_WEIGHTS, LossWeights, loss_terms


def model_device(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def move_batch(batch: dict[str, torch.Tensor], device: torch.device, channels_last: bool = False) -> dict:
    """The batch on ``device`` (non-blocking from pinned memory); None entries stay None."""
    moved = {}
    for name, tensor in batch.items():
        if tensor is None:
            moved[name] = None
            continue
        tensor = tensor.to(device, non_blocking=True)
        if channels_last and tensor.dim() == 4:
            tensor = tensor.contiguous(memory_format=torch.channels_last)
        moved[name] = tensor
    return moved


def train_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    batch: dict[str, torch.Tensor],
    loss_weights: LossWeights = DEFAULT_WEIGHTS,
    *,
    autocast_dtype: torch.dtype | None = None,
    scaler: torch.amp.GradScaler | None = None,
    max_grad_norm: float | None = None,
    channels_last: bool = False,
) -> dict[str, float]:
    """Forward, loss, backward, step; returns the loss terms as floats (``nets.loss.TERMS``).

    ``autocast_dtype``: run the forward under autocast in that dtype (``torch.bfloat16``
    on CPUs with AVX-512 bf16 and on recent GPUs; ``torch.float16`` on older GPUs,
    with a ``scaler``). The loss itself is computed in float32.
    ``scaler``: a ``torch.amp.GradScaler`` for float16 (bf16 needs none).
    ``max_grad_norm``: clip the gradient norm; the norm before clipping is returned
    as ``grad_norm``.
    ``channels_last``: feed the planes channels-last (the model should be converted
    with ``model.to(memory_format=torch.channels_last)`` once, beforehand).
    """
    model.train()
    device = model_device(model)
    batch = move_batch(batch, device, channels_last)
    optimizer.zero_grad(set_to_none=True)
    with torch.autocast(device.type, dtype=autocast_dtype or torch.float32, enabled=autocast_dtype is not None):
        output = model(batch["planes"])
    loss, names, values = loss_terms(output, batch, loss_weights)

    grad_norm = None
    if scaler is not None:
        scaler.scale(loss).backward()
        if max_grad_norm is not None:
            scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        scaler.step(optimizer)
        scaler.update()
    else:
        loss.backward()
        if max_grad_norm is not None:
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        optimizer.step()
    # The one sync point of the step: the terms are read after the step is queued.
    terms = dict(zip(names, values.tolist(), strict=True))
    if grad_norm is not None:
        terms["grad_norm"] = float(grad_norm)
    return terms
