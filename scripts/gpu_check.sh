#!/usr/bin/env bash
# One short check of the CUDA path on a machine with a GPU (run from the repository root):
# the network's speed by batch and mode (torch bf16/fp16-capable modes, channels-last)
# and self-play with many games per worker, each printed as its JSON line.
# Usage: scripts/gpu_check.sh [SECONDS]   (about 3 minutes with the default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_FIGURE="${1:-10}"
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || { make install >/dev/null && PYTHON=.venv/bin/python; }

"$PYTHON" - <<'PY'
import torch
if not torch.cuda.is_available():
    raise SystemExit("gpu_check: no CUDA device here (torch.cuda.is_available() is False)")
print("gpu:", torch.cuda.get_device_name(0), "| torch", torch.__version__, "| bf16:", torch.cuda.is_bf16_supported())
PY

echo "== bench net (torch on CUDA), 9x9, 6x64 and 10x128"
"$PYTHON" -m cli.main bench net --size 9 --blocks 6 --channels 64 --backend torch --seconds 2 | tail -1
"$PYTHON" -m cli.main bench net --size 9 --blocks 10 --channels 128 --backend torch --seconds 2 | tail -1
echo "== bench selfplay (torch on CUDA), 9x9, 5x48, 48 simulations, 256 games a worker"
"$PYTHON" -m cli.main bench selfplay --size 9 --blocks 5 --channels 48 --sims 48 --games 256 \
    --backend torch --seconds "$SECONDS_PER_FIGURE" | tail -1
