"""Versions of the network's input features: how many planes each has, which one an
evaluator reads, and the planes of a position for Python callers.

- Version 1: AlphaGo Zero's 17 planes (8 boards of history and the colour to move;
  ``engine.rules.write_features``). Every checkpoint without a version is one.
- Version 2: KataGo-style planes (on-board, stones, liberties, ko and superko bans,
  komi, the last 5 moves; ``engine._features``, whose docstring lists them).

A network's version is ``NetConfig.features``; the search's leaves, self-play's
training samples (replayed from the game records when sampled) and
``GameState.features`` all write planes with the kernels of ``engine._features``, so
the planes a network is trained on are the planes it plays with.
"""

from __future__ import annotations

from engine import _features

FEATURE_VERSIONS = {1: _features.V1_PLANES, 2: _features.V2_PLANES}  # version -> planes
DEFAULT_FEATURE_VERSION = 1


def check_feature_version(version) -> int:
    """``version`` if this engine knows it; ValueError (one line) otherwise."""
    if isinstance(version, bool) or not isinstance(version, int) or version not in FEATURE_VERSIONS:
        known = ", ".join(map(str, FEATURE_VERSIONS))
        raise ValueError(f"feature version must be one of {known}, got {version!r}")
    return version


def feature_planes(version: int) -> int:
    """Number of input planes of feature ``version``."""
    return FEATURE_VERSIONS[check_feature_version(version)]


def feature_version_of(evaluator) -> int:
    """The feature version ``evaluator`` reads: its ``feature_version`` attribute, else 1
    (evaluators without a network, such as uniform priors or rollouts, ignore planes)."""
    return check_feature_version(getattr(evaluator, "feature_version", DEFAULT_FEATURE_VERSION))
