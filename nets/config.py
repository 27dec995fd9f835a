"""``NetConfig``: the shape of a dual-head network, frozen and validated when built.

A config says everything needed to rebuild a network from its weights, and is
saved into every checkpoint as a plain dict (``to_dict``), so that loading with
``torch.load(weights_only=True)`` needs nothing but primitives.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from engine.coords import check_size
from engine.features import DEFAULT_FEATURE_VERSION, FEATURE_VERSIONS, feature_planes


@dataclass(frozen=True)
class NetConfig:
    """Settings of one ``DualNet``; defaults are a small AlphaGo Zero tower for 9x9.

    ``board_size``: N; the network only takes N x N inputs.
    ``features``: the input feature version (``engine.features``): 1, AlphaGo Zero's
    17 planes (every checkpoint without the key), or 2, KataGo-style planes.
    ``input_planes``: the number of input planes; it follows from ``features`` (leave
    it out), and a value that disagrees with the version is an error.
    ``blocks``/``channels``: residual tower depth and width.
    ``ownership``: add KataGo's ownership head (N*N outputs in [-1, 1]).
    ``score``: add a score head (the expected final score in points for the
    player to move, off the value head's hidden layer); see ``nets.model``.
    ``opponent_policy``: add KataGo's opponent-reply policy head (trained to predict
    the opponent's move after the one played; training only, inference skips it).
    ``global_pooling_blocks``: indices (0-based) of the blocks that get KataGo's
    global pooling (board-wide mean and max of some channels biasing the others).
    ``depthwise``: depthwise-separable convolutions in the tower (MobileNet style),
    cheaper per block than full 3x3 convolutions.
    ``value_hidden``: width of the value head's hidden layer (256 in AlphaGo Zero).
    """

    board_size: int = 9
    input_planes: int | None = None
    blocks: int = 6
    channels: int = 64
    ownership: bool = False
    global_pooling_blocks: tuple[int, ...] = ()
    depthwise: bool = False
    value_hidden: int = 256
    score: bool = False
    features: int = DEFAULT_FEATURE_VERSION
    opponent_policy: bool = False

    def __post_init__(self):
        # A list from TOML or JSON is accepted and frozen into a sorted tuple.
        blocks = self.global_pooling_blocks
        if not isinstance(blocks, (tuple, list)) or not all(_is_int(b) for b in blocks):
            raise ValueError(f"network config: global_pooling_blocks must be a list of block indices, got {blocks!r}")
        object.__setattr__(self, "global_pooling_blocks", tuple(sorted({int(b) for b in blocks})))
        if not _is_int(self.features) or self.features not in FEATURE_VERSIONS:
            known = " or ".join(map(str, FEATURE_VERSIONS))
            raise ValueError(f"network config: features must be {known} (the input feature version), got {self.features!r}")
        planes = feature_planes(self.features)
        if self.input_planes is None:
            object.__setattr__(self, "input_planes", planes)
        elif self.input_planes != planes:
            raise ValueError(f"network config: input_planes {self.input_planes!r} does not match features = "
                             f"{self.features} ({planes} planes); leave input_planes out")  # fmt: skip
        types = [(name, _is_int, "an integer") for name in ("board_size", "input_planes", "blocks", "channels",
                                                             "value_hidden")]  # fmt: skip
        flags = ("ownership", "depthwise", "score", "opponent_policy")
        types += [(name, lambda v: isinstance(v, bool), "true or false") for name in flags]
        for name, is_type, kind in types:
            if not is_type(getattr(self, name)):
                raise ValueError(f"network config: {name} must be {kind}, got {getattr(self, name)!r}")
        try:
            check_size(self.board_size)
        except ValueError as err:
            raise ValueError(f"network config: {err}") from None
        checks = [
            (self.blocks >= 0, f"blocks cannot be negative, got {self.blocks}"),
            # Global pooling splits off a quarter of the channels, so it needs a few.
            (self.channels >= 4, f"channels must be at least 4, got {self.channels}"),
            (self.value_hidden >= 1, f"value_hidden must be at least 1, got {self.value_hidden}"),
            (all(0 <= b < self.blocks for b in self.global_pooling_blocks),
             f"global_pooling_blocks {list(self.global_pooling_blocks)} must be block indices 0..{self.blocks - 1}"),
        ]  # fmt: skip
        for ok, message in checks:
            if not ok:
                raise ValueError(f"network config: {message}")

    @property
    def actions(self) -> int:
        """Policy outputs: every point plus the pass."""
        return self.board_size * self.board_size + 1

    @property
    def pooling_channels(self) -> int:
        """Channels pooled in a global pooling block (KataGo pools 32 of 128 or so)."""
        return max(self.channels // 4, 1)

    def to_dict(self) -> dict:
        """Plain dict of primitives (tuples as lists), for TOML, JSON and checkpoints."""
        out = asdict(self)
        out["global_pooling_blocks"] = list(self.global_pooling_blocks)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> NetConfig:
        """The config of ``to_dict``'s output; unknown keys are an error, missing ones default."""
        if not isinstance(data, dict):
            raise TypeError(f"network config must be a table of settings, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"network config: unknown setting(s) {', '.join(map(str, unknown))}")
        return cls(**data)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
