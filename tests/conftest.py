"""Shared test helpers: finding and starting GNU Go, the reference engine of the oracle tests.

Tests that need GNU Go take the ``gnugo`` fixture (a starter of engines, each closed
when the test ends) or ``gnugo_path``. Where GNU Go is missing they are skipped,
unless ``DOSAKU_REQUIRE_GNUGO=1`` is set (as on CI machines that install it), where a
missing GNU Go must fail loudly instead of passing by skipping.
"""

from __future__ import annotations

import os
import shutil

import pytest

from gtp.client import GTPClient

GNUGO_FALLBACK_PATHS = ("/usr/games/gnugo",)  # Debian and Ubuntu install it off PATH
GNUGO_MISSING = "GNU Go not installed (apt-get install gnugo)"
REQUIRE_GNUGO_VARIABLE = "DOSAKU_REQUIRE_GNUGO"


def find_gnugo() -> str | None:
    """Path of the GNU Go executable: on PATH, else in a known place; None if absent."""
    found = shutil.which("gnugo")
    if found:
        return found
    for path in GNUGO_FALLBACK_PATHS:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope="session")
def gnugo_path() -> str:
    """Path of GNU Go; skips the test when it is missing (fails with DOSAKU_REQUIRE_GNUGO=1)."""
    path = find_gnugo()
    if path is None:
        # Read when a test asks, not at import time, so a test run can set it.
        if os.environ.get(REQUIRE_GNUGO_VARIABLE) == "1":
            pytest.fail(f"{GNUGO_MISSING}; {REQUIRE_GNUGO_VARIABLE}=1 requires it", pytrace=False)
        pytest.skip(GNUGO_MISSING)
    return path


def gnugo_command(path: str, size: int, komi: float, *extra: str) -> list[str]:
    """GNU Go's argument vector for GTP play under the rules Dosaku uses.

    Area scoring (``--chinese-rules``), positional superko, the given size and
    komi; suicide is forbidden by GNU Go's default, as by Dosaku.
    """
    return [
        path,
        "--mode", "gtp",
        "--chinese-rules",
        "--positional-superko",
        "--boardsize", str(size),
        "--komi", f"{komi:g}",
        *extra,
    ]  # fmt: skip


def start_gnugo(path: str, size: int, komi: float = 7.5, *extra: str, timeout: float = 30.0) -> GTPClient:
    """A running GNU Go in GTP mode (see ``gnugo_command``); the caller closes it."""
    return GTPClient(gnugo_command(path, size, komi, *extra), timeout=timeout, name=f"gnugo-{size}x{size}")


@pytest.fixture
def gnugo(gnugo_path):
    """A starter of GNU Go engines: ``gnugo(size, komi=7.5, *extra)`` -> ``GTPClient``.

    Every engine it started is closed when the test ends, failed or not.
    """
    engines: list[GTPClient] = []

    def start(size: int, komi: float = 7.5, *extra: str, timeout: float = 30.0) -> GTPClient:
        engine = start_gnugo(gnugo_path, size, komi, *extra, timeout=timeout)
        engines.append(engine)
        return engine

    yield start
    for engine in engines:
        engine.close()


@pytest.fixture
def one_torch_thread():
    """One torch thread for the test (as self-play workers run), restored afterwards."""
    import torch  # here, so that tests without torch do not load it

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


TINY_5X5_STEP = 1234  # a step that is not the default 0, so tests see it read back


@pytest.fixture
def model_5x5(tmp_path) -> str:
    """The path of a tiny untrained 5x5 checkpoint (1 block x 8 channels) at step ``TINY_5X5_STEP``."""
    import torch  # here, so that tests without torch do not load it

    from nets.checkpoint import save_checkpoint
    from nets.config import NetConfig
    from nets.model import DualNet

    torch.manual_seed(0)
    path = tmp_path / "tiny-5x5.pt"
    net = DualNet(NetConfig(board_size=5, blocks=1, channels=8, value_hidden=8))
    save_checkpoint(path, net, step=TINY_5X5_STEP)
    return str(path)
