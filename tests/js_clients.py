"""The real JavaScript clients of ``tests/test_real_clients.py``: Node.js and Sabaki's npm packages.

The packages are pinned in ``tests/js/package.json`` and ``package-lock.json`` and
installed into ``tests/js/node_modules`` (git ignores it) by ``make test``, or by the
``js_clients`` fixture on first use. Where Node.js, npm or the packages cannot be had,
the tests skip with the reason; with ``DOSAKU_REQUIRE_CLIENTS=1`` (set by ``.ci/run``,
which installs Node.js) they fail instead, as ``DOSAKU_REQUIRE_GNUGO`` does for GNU Go.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parent / "js"
REQUIRE_CLIENTS_VARIABLE = "DOSAKU_REQUIRE_CLIENTS"
INSTALL_TIMEOUT = 300  # seconds for `npm ci`: a guard against a hung registry, not a timing claim
RUN_TIMEOUT = 300  # seconds for one client script (it starts and drives a whole engine)


def client_missing(reason: str) -> None:
    """Skip the test for ``reason``, or fail it when ``DOSAKU_REQUIRE_CLIENTS=1`` requires the clients."""
    if os.environ.get(REQUIRE_CLIENTS_VARIABLE) == "1":
        pytest.fail(f"{reason}; {REQUIRE_CLIENTS_VARIABLE}=1 requires it", pytrace=False)
    pytest.skip(reason)


def locked_versions() -> dict[str, str]:
    """The packages ``package.json`` asks for, at the versions ``package-lock.json`` pins."""
    wanted = json.loads((JS_DIR / "package.json").read_text())["dependencies"]
    lock = json.loads((JS_DIR / "package-lock.json").read_text())["packages"]
    return {name: lock[f"node_modules/{name}"]["version"] for name in wanted}


def installed_versions() -> dict[str, str | None]:
    """The version of each locked package found in ``tests/js/node_modules`` (None where absent)."""
    found = {}
    for name in locked_versions():
        manifest = JS_DIR / "node_modules" / name / "package.json"
        found[name] = json.loads(manifest.read_text())["version"] if manifest.is_file() else None
    return found


def ensure_installed() -> str:
    """The path of ``node`` once the locked packages are installed (``npm ci`` if they are not)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        client_missing("Node.js and npm not installed (apt-get install nodejs npm)")
    if installed_versions() != locked_versions():
        try:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund"],
                check=False,
                cwd=JS_DIR,
                capture_output=True,
                text=True,
                timeout=INSTALL_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            client_missing(f"npm ci in {JS_DIR} did not finish in {INSTALL_TIMEOUT} s")
        if done.returncode != 0 or installed_versions() != locked_versions():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            client_missing(f"npm ci in {JS_DIR} could not install Sabaki's packages ({last})")
    return node


@pytest.fixture(scope="session")
def js_clients() -> str:
    """Path of ``node``, with Sabaki's packages installed in ``tests/js``; skips (or fails) without them."""
    return ensure_installed()


def run_client(node: str, script: str, *args: str) -> dict:
    """Run ``tests/js/SCRIPT ARGS`` and return the JSON object it prints; fails with its stderr otherwise."""
    done = subprocess.run(
        [node, str(JS_DIR / script), *args],
        check=False,
        cwd=JS_DIR,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert done.returncode == 0, f"{script} failed ({done.returncode}):\n{done.stderr}"
    return json.loads(done.stdout)
