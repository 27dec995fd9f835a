"""Checkpoint files: one file holds everything needed to rebuild and resume a network.

Contents (a dict of plain Python values and tensors, so ``torch.load`` runs with
``weights_only=True`` and a file can never execute code when loaded):

- ``format``: ``"dosaku-checkpoint"``; ``format_version``: this layout's version.
- ``config``: ``NetConfig.to_dict()``; ``board_size`` and ``feature_version`` (the
  config's ``features``; a config written before the key existed is version 1),
  checked on load against each other and against what the caller expects.
- ``rules``: a dict such as ``{"komi": 7.5}`` (what the net was trained for).
- ``model``: the state dict; ``weights_digest``: SHA-256 of the weights, so a
  file damaged inside a tensor is refused instead of loaded as noise.
- ``training_model``, ``training_digest`` (optional): the raw weights training goes on
  from, when ``model`` holds an average of them (``nets.weight_average``).
- ``optimizer``, ``scheduler``: their state dicts, or None.
- ``step``: optimizer steps taken; ``metadata``: ``created`` (UTC, ISO 8601),
  ``run_name`` and anything else the caller adds (plain values only).

Saving is atomic (``engine.files``): a file is the old checkpoint or the new one,
never half of each. Loading problems raise ``CheckpointError`` (a ValueError) with
a one-line message naming the file and the mismatch.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
from dataclasses import dataclass, field

import torch
from torch import nn

from engine.features import FEATURE_VERSIONS
from engine.files import atomic_write_bytes
from engine.game import FEATURE_VERSION
from nets.config import NetConfig
from nets.model import DualNet, unwrap

FORMAT = "dosaku-checkpoint"
FORMAT_VERSION = 1
_ZIP_MAGIC = b"PK\x03\x04"
_REQUIRED = ("format_version", "config", "board_size", "feature_version", "model")


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: missing, corrupt, truncated or mismatched."""


@dataclass
class Checkpoint:
    """A loaded checkpoint: the network (eval mode, on the CPU or ``map_location``) and the rest."""

    path: str
    config: NetConfig
    model: DualNet
    rules: dict = field(default_factory=dict)
    step: int = 0
    feature_version: int = FEATURE_VERSION
    optimizer_state: dict | None = None
    scheduler_state: dict | None = None
    metadata: dict = field(default_factory=dict)
    training_weights: dict | None = None  # raw weights to resume training from, when ``model`` is their average

    @property
    def board_size(self) -> int:
        return self.config.board_size


def save_checkpoint(
    path: str | os.PathLike,
    model: nn.Module,
    *,
    rules: dict | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler=None,
    step: int = 0,
    run_name: str = "",
    metadata: dict | None = None,
    training_model: nn.Module | None = None,
) -> None:
    """Write ``model`` (a ``DualNet``, bare or wrapped in DDP / torch.compile) and the
    training state to ``path`` atomically. ``training_model``: the raw network that
    training resumes from, when ``model`` is an average of its weights. ``rules`` and ``metadata`` must hold plain
    values (str, int, float, bool, None, lists and dicts of them), else TypeError."""
    net = unwrap(model)
    if not isinstance(net, DualNet):
        raise TypeError(f"can only save a DualNet, got {type(net).__name__}")
    if not isinstance(step, int) or step < 0:
        raise ValueError(f"step must be a non-negative integer, got {step!r}")
    rules = dict(rules or {})
    info = {"created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"), "run_name": str(run_name)}
    info.update(metadata or {})
    _check_plain(rules, "rules")
    _check_plain(info, "metadata")
    # Weights go to the CPU so that a checkpoint from a GPU loads anywhere.
    weights = {name: tensor.detach().cpu() for name, tensor in net.state_dict().items()}
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "config": net.config.to_dict(),
        "board_size": net.config.board_size,
        "feature_version": net.config.features,
        "rules": rules,
        "model": weights,
        "weights_digest": weights_digest(weights),
        "optimizer": None if optimizer is None else optimizer.state_dict(),
        "scheduler": None if scheduler is None else scheduler.state_dict(),
        "step": step,
        "metadata": info,
    }
    if training_model is not None:
        raw = {name: tensor.detach().cpu() for name, tensor in unwrap(training_model).state_dict().items()}
        payload["training_model"] = raw
        payload["training_digest"] = weights_digest(raw)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def load_checkpoint(
    path: str | os.PathLike,
    *,
    board_size: int | None = None,
    feature_version: int | None = None,
    map_location: str | torch.device = "cpu",
) -> Checkpoint:
    """Read and check a checkpoint; rebuild its network in eval mode.

    ``board_size``: the size the caller plays on (None accepts any). The feature
    version must be one this engine writes (``engine.features``) and, when given,
    ``feature_version``. Raises ``CheckpointError`` on any problem, naming it in one line.
    """
    name = os.fspath(path)
    if not os.path.isfile(name):
        raise CheckpointError(f"checkpoint {name} does not exist")
    with open(name, "rb") as handle:
        start = handle.read(len(_ZIP_MAGIC))
    # torch.save writes a zip archive; anything else would only get torch's long
    # message about the legacy format.
    if start != _ZIP_MAGIC:
        what = "an empty file" if not start else "not a zip archive"
        raise CheckpointError(f"checkpoint {name} is truncated or corrupt ({what})")
    try:
        data = torch.load(name, map_location=map_location, weights_only=True)
    except Exception as err:  # noqa: BLE001 (torch raises RuntimeError, UnpicklingError, EOFError... by damage)
        raise CheckpointError(f"checkpoint {name} is truncated or corrupt ({_first_sentence(err)})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CheckpointError(f"checkpoint {name} is not a Dosaku checkpoint (no '{FORMAT}' marker)")
    missing = [key for key in _REQUIRED if key not in data]
    if missing:
        raise CheckpointError(f"checkpoint {name} is truncated or corrupt (missing {', '.join(missing)})")
    if data["format_version"] != FORMAT_VERSION:
        raise CheckpointError(
            f"checkpoint {name} has format version {data['format_version']}, this Dosaku reads {FORMAT_VERSION}"
        )
    try:
        config = NetConfig.from_dict(data["config"])
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"checkpoint {name} has an invalid network config ({_first_sentence(err)})") from None
    if data["board_size"] != config.board_size:
        raise CheckpointError(
            f"checkpoint {name} says {data['board_size']}x{data['board_size']} but its network is "
            f"{config.board_size}x{config.board_size}"
        )
    if board_size is not None and config.board_size != board_size:
        raise CheckpointError(
            f"checkpoint {name} is for {config.board_size}x{config.board_size}, expected {board_size}x{board_size}"
        )
    version = data["feature_version"]
    if feature_version is not None and version != feature_version:
        raise CheckpointError(f"checkpoint {name} has feature version {version}, expected {feature_version}")
    if version not in FEATURE_VERSIONS:
        known = ", ".join(map(str, FEATURE_VERSIONS))
        raise CheckpointError(f"checkpoint {name} has feature version {version}, this Dosaku reads {known}")
    if version != config.features:
        raise CheckpointError(
            f"checkpoint {name} says feature version {version} but its network config has features = {config.features}"
        )
    weights = data["model"]
    if not isinstance(weights, dict) or not all(isinstance(t, torch.Tensor) for t in weights.values()):
        raise CheckpointError(f"checkpoint {name} is truncated or corrupt (its weights are not tensors)")
    if "weights_digest" in data and data["weights_digest"] != weights_digest(weights):
        raise CheckpointError(f"checkpoint {name} is truncated or corrupt (its weights fail their checksum)")
    model = DualNet(config)
    mismatch = _weights_mismatch(model, weights)
    if mismatch:
        raise CheckpointError(f"checkpoint {name}: weights do not match its network config ({mismatch})")
    model.load_state_dict(weights)
    model.to(map_location).eval()
    training_weights = data.get("training_model")
    if training_weights is not None:
        readable = isinstance(training_weights, dict) and all(
            isinstance(t, torch.Tensor) for t in training_weights.values()
        )
        if not readable or data.get("training_digest") != weights_digest(training_weights):
            raise CheckpointError(
                f"checkpoint {name} is truncated or corrupt (its training weights fail their checksum)"
            )
        mismatch = _weights_mismatch(model, training_weights)
        if mismatch:
            raise CheckpointError(f"checkpoint {name}: training weights do not match its network config ({mismatch})")
    return Checkpoint(
        path=name,
        config=config,
        model=model,
        rules=dict(data.get("rules") or {}),
        step=int(data.get("step", 0)),
        feature_version=int(data["feature_version"]),
        optimizer_state=data.get("optimizer"),
        scheduler_state=data.get("scheduler"),
        metadata=dict(data.get("metadata") or {}),
        training_weights=training_weights,
    )


def weights_digest(weights: dict[str, torch.Tensor]) -> str:
    """SHA-256 over the names, dtypes, shapes and bytes of the tensors, in name order."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        tensor = weights[name].detach().cpu().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{list(tensor.shape)}|".encode())
        # Viewed as bytes, any dtype (bf16 too, which numpy lacks) hashes the same way.
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def _weights_mismatch(model: nn.Module, weights: dict[str, torch.Tensor]) -> str:
    """What differs between ``model``'s parameters and ``weights``, briefly; '' if nothing."""
    expected = model.state_dict()
    problems = []
    missing = [k for k in expected if k not in weights]
    unexpected = [k for k in weights if k not in expected]
    if missing:
        problems.append(f"missing {_some(missing)}")
    if unexpected:
        problems.append(f"unexpected {_some(unexpected)}")
    for key, tensor in weights.items():
        if key in expected and tensor.shape != expected[key].shape:
            problems.append(f"{key} is {list(tensor.shape)}, the config needs {list(expected[key].shape)}")
            break  # one shape is enough to tell what is wrong
    return "; ".join(problems)


def _some(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _first_sentence(err: BaseException, limit: int = 120) -> str:
    """The start of an error's message, for a one-line report (torch's run to paragraphs)."""
    lines = str(err).strip().splitlines()
    line = lines[0].split(". ")[0].rstrip(".") if lines else type(err).__name__
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _check_plain(value, where: str) -> None:
    """Refuse what ``torch.load(weights_only=True)`` could not read back."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_plain(item, where)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, (str, int)):
                raise TypeError(f"checkpoint {where}: keys must be strings or integers, got {key!r}")
            _check_plain(item, f"{where}.{key}")
        return
    raise TypeError(f"checkpoint {where}: {type(value).__name__} is not a plain value (str, number, list, dict)")
