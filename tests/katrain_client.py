"""KaTrain's own analysis-engine client (``katrain/core/engine.py``, KaTrain 1.20.0 from
PyPI), for ``tests/test_katrain_client.py``.

KaTrain is a Kivy application: installing it pulls in Kivy and a window system. Its
engine client needs none of that for talking to the engine, so the wheel is fetched
without its dependencies (``pip download --no-deps``, into ``tests/py_clients/``, which
git ignores; ``make test`` fetches it) and its engine module is imported with the
few GUI-side modules it names (Kivy's platform name, translations, the game-tree
node and ``pysgf``'s move class) replaced by small stand-ins. The process handling,
the writer and reader threads, query ids, error and warning handling and the
``isDuringSearch`` logic are KaTrain's code, unchanged. Where the wheel cannot be
had, the test skips with the reason (``DOSAKU_REQUIRE_CLIENTS=1`` makes it fail).
"""

from __future__ import annotations

import subprocess
import sys
import types
import zipfile
from pathlib import Path

from tests.js_clients import client_missing

KATRAIN_VERSION = "1.20.0"
CLIENTS_DIR = Path(__file__).resolve().parent / "py_clients"
WHEEL = CLIENTS_DIR / f"katrain-{KATRAIN_VERSION}-py3-none-any.whl"
MODULES = ("katrain/__init__.py", "katrain/core/__init__.py", "katrain/core/constants.py", "katrain/core/utils.py",
           "katrain/core/engine.py")  # fmt: skip
DOWNLOAD_TIMEOUT = 300  # seconds: a guard against a hung index, not a timing claim


def fetch_wheel() -> Path:
    """The KaTrain wheel, downloaded once; skips (or fails, where required) without it."""
    if not WHEEL.exists():
        CLIENTS_DIR.mkdir(exist_ok=True)
        try:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", f"katrain=={KATRAIN_VERSION}",
                            "-d", str(CLIENTS_DIR)], capture_output=True, timeout=DOWNLOAD_TIMEOUT,
                           check=False)  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as err:
            client_missing(f"could not download katrain {KATRAIN_VERSION}: {err}")
    if not WHEEL.exists():
        client_missing(f"katrain {KATRAIN_VERSION} could not be downloaded (pip download --no-deps katrain)")
    return WHEEL


def stand_ins() -> dict[str, types.ModuleType]:
    """The GUI-side modules KaTrain's engine module imports, as small stand-ins."""
    kivy, kivy_utils = types.ModuleType("kivy"), types.ModuleType("kivy.utils")
    kivy_utils.platform = "linux"
    pysgf = types.ModuleType("pysgf")
    pysgf.Move = type("Move", (), {})  # used only for regions of interest
    game_node = types.ModuleType("katrain.core.game_node")
    game_node.GameNode = type("GameNode", (), {})  # a type annotation there
    lang = types.ModuleType("katrain.core.lang")
    lang.i18n = types.SimpleNamespace(_=lambda text: text)
    return {"kivy": kivy, "kivy.utils": kivy_utils, "pysgf": pysgf, "katrain.core.game_node": game_node,
            "katrain.core.lang": lang}  # fmt: skip


def load_engine_module(where: Path, monkeypatch) -> types.ModuleType:
    """KaTrain's ``katrain.core.engine``, extracted under ``where`` and imported."""
    with zipfile.ZipFile(fetch_wheel()) as wheel:
        for name in MODULES:
            if name in wheel.namelist():
                wheel.extract(name, where)
            else:  # a package without an __init__ of its own
                (where / name).parent.mkdir(parents=True, exist_ok=True)
                (where / name).touch()
    monkeypatch.syspath_prepend(str(where))
    for name, module in stand_ins().items():
        monkeypatch.setitem(sys.modules, name, module)
    for name in ("katrain", "katrain.core", "katrain.core.constants", "katrain.core.utils", "katrain.core.engine"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    import importlib

    return importlib.import_module("katrain.core.engine")
