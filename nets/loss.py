"""The training loss: policy cross-entropy, value MSE, optional ownership BCE and score Huber.

Targets, as a batch dict of tensors (the same keys ``train_step`` takes):

- ``policy`` float ``[B, N*N+1]``: the search's visit distribution (rows sum to
  1; soft targets, not one move). Loss: cross-entropy ``-sum(target * log_softmax)``,
  which is the KL divergence plus the target's own entropy (a floor the net
  cannot go below; ``policy_kl`` reports the part it can remove).
- ``value`` float ``[B]``: the game's result for the player to move at that
  position, +1 won, -1 lost, 0 drawn. Loss: mean squared error against tanh.
- ``ownership`` float ``[B, N*N]`` (optional): the final position's owner of each
  point for the player to move, +1 / -1 / 0 for neutral (see ``ownership_target``).
  Loss: binary cross-entropy of ``(owner + 1) / 2`` against the head's
  ``sigmoid(2 * logit) = (tanh(logit) + 1) / 2``, averaged over points. KataGo
  weights the sum over points by 1.5 / N**2, which is 1.5 times this mean.
- ``score`` float ``[B]`` (optional): the game's final area score in points
  (komi included) for the player to move, NaN where the game has no final score
  (a resignation; those positions are left out of this term). Loss: smooth L1
  (Huber divided by its ``SCORE_HUBER_BETA``) of the head's points and the
  target, both divided by the board's points: quadratic within a tenth of the
  board, linear beyond, so a freak result (a dead group left on the board by
  two passes) pulls no harder than any other miss.
- ``opponent_policy`` int64 ``[B]`` (optional): the opponent's reply to the move
  played at the position (a policy index), negative where the game ended first
  (those positions are left out). Loss: cross-entropy of the opponent-reply
  head's logits, a one-hot target as KataGo's auxiliary policy, weight 0.15.

L2 regularisation is the optimizer's weight decay, not a loss term.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from engine.game import BLACK, owner_signs
from nets.model import NetOutput

TERMS = ("total", "policy", "policy_kl", "value", "ownership", "score", "opponent_policy")
# Smooth L1's quadratic zone, as a share of the board's points (8 points on 9x9).
SCORE_HUBER_BETA = 0.1


@dataclass(frozen=True)
class LossWeights:
    """Weights of the loss terms; ``ownership`` is KataGo's 1.5 (times the mean over points);
    ``score`` weighs the score head's smooth L1 (its gradient is at most 1 per position,
    as the value's MSE is at most 4); ``opponent_policy`` the opponent-reply head's
    cross-entropy (KataGo's 0.15: a hint for the tower, not a rival of the policy)."""

    policy: float = 1.0
    value: float = 1.0
    ownership: float = 1.5
    score: float = 0.5
    opponent_policy: float = 0.15

    def __post_init__(self):
        for name in ("policy", "value", "ownership", "score", "opponent_policy"):
            weight = getattr(self, name)
            if not (isinstance(weight, (int, float)) and 0 <= weight < float("inf")):
                raise ValueError(f"loss weight {name} must be a finite number >= 0, got {weight!r}")


DEFAULT_WEIGHTS = LossWeights()


def ownership_target(owner: np.ndarray, to_play: int) -> np.ndarray:
    """Ownership target float32 ``[N*N]`` from ``GameState.owner()`` of the final position:
    +1 where ``to_play`` owns the point, -1 where the opponent does, 0 if neutral."""
    sign = 1.0 if to_play == BLACK else -1.0
    return (sign * owner_signs(owner)).astype(np.float32)


def compute_loss(
    output: NetOutput, batch: dict[str, torch.Tensor], weights: LossWeights = DEFAULT_WEIGHTS
) -> tuple[torch.Tensor, dict[str, float]]:
    """``(total, terms)``: the weighted total (a scalar tensor to backpropagate) and
    every term as a float (``TERMS``; ``ownership`` only when head and target exist).

    Reading the floats synchronises with an accelerator; ``loss_terms`` defers that.
    """
    total, names, values = loss_terms(output, batch, weights)
    return total, dict(zip(names, values.tolist(), strict=True))


def loss_terms(
    output: NetOutput, batch: dict[str, torch.Tensor], weights: LossWeights = DEFAULT_WEIGHTS
) -> tuple[torch.Tensor, list[str], torch.Tensor]:
    """``(total, names, values)``: the total to backpropagate, and the terms' names with a
    detached tensor of their values, read later in one transfer (one sync point).

    Terms are computed in float32 even when the forward ran under bf16 autocast.
    """
    policy_target = batch["policy"].float()
    log_probs = F.log_softmax(output.policy_logits.float(), dim=1)
    policy_loss = -(policy_target * log_probs).sum(dim=1).mean()
    # Target entropy with 0 * log 0 = 0; xlogy does that without NaNs.
    target_entropy = -torch.special.xlogy(policy_target, policy_target).sum(dim=1).mean()
    value_loss = F.mse_loss(output.value.float(), batch["value"].float())
    total = weights.policy * policy_loss + weights.value * value_loss
    names = ["total", "policy", "policy_kl", "value"]
    terms = [policy_loss, policy_loss - target_entropy, value_loss]
    # The auxiliary heads: (term, the head's output, its loss from that output and the
    # target, weight). A head without its target in the batch gets a zero term that
    # still touches it, so every parameter gets a gradient and DistributedDataParallel
    # does not wait for missing ones.
    points = output.policy_logits.shape[1] - 1
    auxiliary = [
        ("ownership", output.ownership_logits, _ownership_loss, weights.ownership),
        ("score", output.score, lambda score, target: _score_loss(score.float(), target.float(), points), weights.score),
        ("opponent_policy", output.opponent_policy_logits,
         lambda logits, target: _opponent_policy_loss(logits.float(), target), weights.opponent_policy),
    ]  # fmt: skip
    for name, head, loss_of, weight in auxiliary:
        if head is None:
            continue
        target = batch.get(name)
        if target is None:
            total = total + 0.0 * head.sum()
            continue
        term = loss_of(head, target)
        total = total + weight * term
        names.append(name)
        terms.append(term)
    return total, names, torch.stack([total, *terms]).detach()


def _ownership_loss(logits: torch.Tensor, owner: torch.Tensor) -> torch.Tensor:
    """BCE of ``(owner + 1) / 2`` against ``sigmoid(2 * logit) = (tanh(logit) + 1) / 2``."""
    return F.binary_cross_entropy_with_logits(2.0 * logits.float(), (owner.float() + 1.0) / 2.0)


def _score_loss(predicted: torch.Tensor, target: torch.Tensor, points: int) -> torch.Tensor:
    """Mean smooth L1 over the positions with a final score (a finite target); zero, with
    the head still in the graph (DDP), when the batch has none."""
    known = torch.isfinite(target)
    error = F.smooth_l1_loss(predicted / points, torch.where(known, target, 0.0) / points, reduction="none",
                             beta=SCORE_HUBER_BETA)  # fmt: skip
    return torch.where(known, error, 0.0).sum() / known.sum().clamp(min=1)


def _opponent_policy_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the positions with a reply (a target >= 0); zero, with the
    head still in the graph (DDP), when the batch has none."""
    known = target >= 0
    error = F.cross_entropy(logits, torch.where(known, target, 0).long(), reduction="none")
    return torch.where(known, error, 0.0).sum() / known.sum().clamp(min=1)
