"""The network: a dual-head residual net, its loss, checkpoints, a batched evaluator
for the search, and the training step. Imports ``engine`` only (never ``mcts``).

- ``config``: ``NetConfig``, the network's shape.
- ``model``: ``DualNet`` and its ``NetOutput``.
- ``loss``: ``compute_loss``, ``LossWeights``, ``ownership_target``.
- ``augment``: the 8 symmetries on torch batches.
- ``checkpoint``: ``save_checkpoint``, ``load_checkpoint``, ``CheckpointError``.
- ``evaluator``: ``NetEvaluator``, the search's leaf evaluator.
- ``train_step``: one optimisation step, alone or under DDP.
- ``benchmark``: ``benchmark_net``, the figures of ``dosaku bench net``.
"""

from nets.checkpoint import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from nets.config import NetConfig
from nets.evaluator import NetEvaluator
from nets.loss import LossWeights, compute_loss
from nets.model import DualNet, NetOutput
from nets.train_step import train_step

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "DualNet",
    "LossWeights",
    "NetConfig",
    "NetEvaluator",
    "NetOutput",
    "compute_loss",
    "load_checkpoint",
    "save_checkpoint",
    "train_step",
]
