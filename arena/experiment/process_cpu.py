"""CPU time used by a process and all its descendants, sampled from ``/proc`` (Linux).

A training run is a tree of processes: the driver, Ray's GCS and raylet, the
self-play actors and the Ray Train workers under the raylet. Their CPU time, as
the kernel counts it (user + system), is what the run really got; cores x wall
minutes is what it held. On a machine shared with other work the two differ, and
only the first says whether two runs got the same compute.

Each process is counted by its own ``utime + stime`` (not its children's
``cutime``, which would count a reaped child twice), keyed by pid and start time
so that a reused pid is a new process. A process that ends between two samples
loses what it used since the last one; with samples every second that is little.
Where ``/proc`` is missing the figure is None.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


class TreeCPU:
    """Sample with ``sample()`` now and then; ``seconds`` is the CPU time seen so far (None without /proc)."""

    def __init__(self, root: int):
        self.root = root
        self.available = PROC.is_dir()
        self.ticks = os.sysconf("SC_CLK_TCK") if self.available else 100
        self.used: dict[tuple[int, int], float] = {}

    def sample(self) -> None:
        if not self.available:
            return
        stats = _all_stats()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in stats.items():
            children.setdefault(ppid, []).append(pid)
        stack = [self.root]
        while stack:
            pid = stack.pop()
            if pid in stats:
                _, started, ticks = stats[pid]
                key = (pid, started)
                self.used[key] = max(self.used.get(key, 0.0), ticks / self.ticks)
            stack.extend(children.get(pid, []))

    @property
    def seconds(self) -> float | None:
        return sum(self.used.values()) if self.available else None


def _all_stats() -> dict[int, tuple[int, int, int]]:
    """pid -> (parent pid, start time, utime + stime in clock ticks) of every process."""
    stats = {}
    for entry in os.listdir(PROC):
        if not entry.isdigit():
            continue
        try:
            text = (PROC / entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = text.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        # fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15, starttime 22.
        stats[int(entry)] = (int(fields[1]), int(fields[19]), int(fields[11]) + int(fields[12]))
    return stats
