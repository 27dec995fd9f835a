"""``dosaku gtp`` in a subprocess for the tests that talk to the real process."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RESPONSE_RE = re.compile(r"[=?][0-9]* [^\n]*(\n[^\n]+)*")  # one response without its final blank line
READ_TIMEOUT = 120  # generous: the first command may compile kernels on a loaded machine


class EngineProcess:
    """``dosaku gtp ARGS`` with its output read by a thread, so a hung engine fails the test."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "gtp", *args],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(b"")  # end of output

    def send(self, command: str) -> None:
        self.process.stdin.write(command.encode() + b"\n")
        self.process.stdin.flush()

    def next_line(self) -> str:
        """The next output line, with its newline; fails if the engine closed its output."""
        line = self.lines.get(timeout=READ_TIMEOUT)
        assert line, "the engine closed its output"
        return line.decode()

    def ask(self, command: str) -> str:
        """Send a command; return its whole response, checked for framing."""
        self.send(command)
        lines = []
        while True:
            line = self.lines.get(timeout=READ_TIMEOUT)
            assert line, f"engine closed its output after {lines!r}"
            assert line.endswith(b"\n") and b"\r" not in line, line
            if line == b"\n":
                break
            lines.append(line.decode())
        response = "".join(lines)[:-1]
        assert RESPONSE_RE.fullmatch(response), response
        return response

    def close(self) -> tuple[int, str]:
        """Close stdin, wait for the exit; return the exit status and stderr."""
        self.process.stdin.close()
        status = self.process.wait(timeout=60)
        return status, self.process.stderr.read().decode(errors="replace")

    def kill(self) -> None:
        """Stop the process if it still runs (a failed test's clean-up)."""
        if self.process.poll() is None:
            self.process.kill()
