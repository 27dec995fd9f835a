"""A client for any Go engine that speaks GTP 2 over its standard input and output.

``GTPClient`` starts the engine as a subprocess and talks to it one command per
line. Answers are parsed as GTP 2 says (section 3 of the GTP 2 draft):

* an answer starts with ``=`` (success) or ``?`` (failure), then an optional
  command id, then a space and the body, which may span several lines;
* an answer ends with an empty line;
* carriage returns are noise, and engines may emit blank lines between answers.

Every command goes out with a numeric id; an answer that carries a different id
means the stream is out of step and is a connection error. Answers without an id
are accepted, since some engines never echo them.

Two threads sit next to the engine: a *reader* that moves its output into a queue
as it comes, in whole chunks rather than lines (so a wait can have a timeout, a
chatty engine can never block on a full pipe, and a batch of answers costs a few
queue operations, not two per answer), and a *writer* that feeds its input (so an engine that stops reading cannot
block the caller on a full pipe either). A ``stderr`` drain keeps the last lines of
the engine's error output for error messages.

Errors (all ``GTPClientError``: the client's side of a conversation with an engine
it drives, not the ``GTPCommandError`` our own engine answers with):

* ``GTPEngineError(command, message)``: the engine answered ``?``; the engine is
  fine and the client can go on.
* ``GTPConnectionError``: the engine died, closed its output, or gave no answer
  within ``timeout`` seconds. After a timeout the stream can no longer be trusted
  (a late answer would be taken for the next one), so the engine is killed and
  every later command raises ``GTPConnectionError`` too.
"""

from __future__ import annotations

import collections
import os
import queue
import subprocess
import threading
import time
from collections.abc import Iterable, Sequence
from typing import NoReturn, Self

STDERR_LINES_KEPT = 20  # enough to show why an engine died, small enough to print
QUIT_TIMEOUT = 2.0  # seconds a polite ``quit`` and exit may take before the kill


class GTPClientError(Exception):
    """Base class of the errors of a conversation with an engine we drive."""


class GTPEngineError(GTPClientError):
    """The engine answered a command with ``?`` (a failure it reports itself)."""

    def __init__(self, command: str, message: str):
        super().__init__(f"{command!r} failed: {message}")
        self.command = command
        self.message = message


class GTPConnectionError(GTPClientError):
    """The engine died, closed its output, or did not answer in time."""


_EOF = b""  # what the reader thread queues when the engine's output ends
READ_CHUNK = 1 << 16  # bytes the reader takes from the pipe at most at once


class GTPClient:
    """A GTP engine subprocess: ``send`` a command, get the body of its answer.

    ``command`` is the engine's argument vector (``["gnugo", "--mode", "gtp"]``);
    ``timeout`` the seconds to wait for each answer; ``name`` the engine's name in
    error messages (default: the program's file name). One conversation: use a
    client from one thread at a time.
    """

    def __init__(self, command: Sequence[str], timeout: float = 30.0, name: str | None = None):
        if not command:
            raise ValueError("the engine command must name a program")
        if not timeout > 0:
            raise ValueError(f"timeout must be positive, got {timeout!r}")
        self.command = list(command)
        self.timeout = float(timeout)
        self.name = name or os.path.basename(self.command[0])
        self._next_id = 1
        self._broken: str | None = None  # why the stream can no longer be used
        self._chunks: queue.Queue[bytes] = queue.Queue()  # raw output, _EOF at the end
        self._lines: collections.deque[str] = collections.deque()  # complete lines not yet parsed
        self._partial = b""  # the start of a line whose end has not arrived
        self._to_write: queue.Queue[bytes | None] = queue.Queue()
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=STDERR_LINES_KEPT)
        try:
            self._process = subprocess.Popen(
                self.command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            raise GTPConnectionError(f"cannot start {self.name} ({' '.join(self.command)}): {error}") from error
        self._threads = [
            threading.Thread(target=self._read_stdout, name=f"gtp-{self.name}-reader", daemon=True),
            threading.Thread(target=self._write_stdin, name=f"gtp-{self.name}-writer", daemon=True),
            threading.Thread(target=self._read_stderr, name=f"gtp-{self.name}-stderr", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    # --- the conversation ------------------------------------------------------

    def send(self, command: str) -> str:
        """Send one command; return the body of its answer (without ``=`` and id).

        Raises ``GTPEngineError`` on a ``?`` answer, ``GTPConnectionError`` when
        the engine is gone or silent for ``timeout`` seconds.
        """
        answer = self.send_many([command], check=False)[0]
        if isinstance(answer, GTPEngineError):
            raise answer
        return answer

    def send_many(self, commands: Iterable[str], check: bool = True) -> list[str | GTPEngineError]:
        """Send several commands at once, then read all their answers, in order.

        One write and one wait instead of one round trip per command: the engine
        works through the batch while earlier answers are being parsed. With
        ``check`` (default) a ``?`` answer raises its ``GTPEngineError`` once every
        answer of the batch has been read (so the stream stays in step); without
        it, failures come back in the list as ``GTPEngineError`` objects.
        """
        answers = self._exchange([_one_line(command) for command in commands], self.timeout)
        if check:
            for answer in answers:
                if isinstance(answer, GTPEngineError):
                    raise answer
        return answers

    def close(self) -> None:
        """Say ``quit``, give the engine a moment to exit, kill it if it does not."""
        if self._process.poll() is None and self._broken is None:
            try:
                self._exchange(["quit"], min(self.timeout, QUIT_TIMEOUT))
            except GTPClientError:
                pass  # it is going away either way
        self._stop(QUIT_TIMEOUT)
        if self._broken is None:
            self._broken = "the client was closed"

    @property
    def is_alive(self) -> bool:
        """True while the engine runs and the conversation is in step."""
        return self._broken is None and self._process.poll() is None

    @property
    def pid(self) -> int:
        return self._process.pid

    def stderr_tail(self) -> str:
        """The last lines the engine wrote to its standard error."""
        return "\n".join(self._stderr_tail)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "alive" if self.is_alive else "closed"
        return f"GTPClient({self.name!r}, pid={self._process.pid}, {state})"

    # --- reading answers -------------------------------------------------------

    def _exchange(self, lines: list[str], timeout: float) -> list[str | GTPEngineError]:
        """Write ``lines`` as one batch with ids, then read one answer per line."""
        if not lines:
            return []
        self._check_usable()
        ids = list(range(self._next_id, self._next_id + len(lines)))
        self._next_id += len(lines)
        self._to_write.put("".join(f"{i} {line}\n" for i, line in zip(ids, lines)).encode())
        answers: list[str | GTPEngineError] = []
        for command_id, line in zip(ids, lines):
            ok, answer_id, body = self._read_answer(line, timeout)
            if answer_id is not None and answer_id != command_id:
                self._break(f"answer id {answer_id} to command {command_id} ({line!r}): the stream is out of step")
            answers.append(body if ok else GTPEngineError(line, body))
        return answers

    def _read_answer(self, command: str, timeout: float) -> tuple[bool, int | None, str]:
        """The next answer as ``(success, id or None, body)``, due within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        first = self._next_line(command, deadline)
        # Blank lines between answers are allowed; anything else before the status
        # character is not GTP, so skip it rather than take it for an answer.
        while not first.startswith(("=", "?")):
            first = self._next_line(command, deadline)
        ok, answer_id, head = _parse_status_line(first)
        body = [head]
        while (line := self._next_line(command, deadline)) != "":
            body.append(line)
        return ok, answer_id, "\n".join(body).strip("\n")

    def _next_line(self, command: str, deadline: float) -> str:
        """The next output line, without its line end and trailing blanks."""
        while not self._lines:
            try:
                chunk = self._chunks.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self._break(f"no answer to {command!r} within {self.timeout:g} s")
            if chunk == _EOF:
                self._chunks.put(_EOF)  # later reads must see the end too
                self._break(f"closed its output while answering {command!r}")
            # Split on bytes, decode whole lines: a character may straddle two chunks.
            *complete, self._partial = (self._partial + chunk).split(b"\n")
            self._lines.extend(_clean_line(line) for line in complete)
        return self._lines.popleft()

    # --- the threads -----------------------------------------------------------

    def _read_stdout(self) -> None:
        try:
            # read1: whatever the pipe holds now (up to READ_CHUNK), without waiting for more.
            while chunk := self._process.stdout.read1(READ_CHUNK):
                self._chunks.put(chunk)
        except (OSError, ValueError):
            pass  # the pipe was closed under us by ``close``
        finally:
            self._chunks.put(_EOF)

    def _write_stdin(self) -> None:
        while (data := self._to_write.get()) is not None:
            try:
                self._process.stdin.write(data)
                self._process.stdin.flush()
            except (OSError, ValueError):
                return  # the engine is gone; the reader sees the end of its output

    def _read_stderr(self) -> None:
        try:
            for raw in self._process.stderr:
                self._stderr_tail.append(raw.decode("utf-8", errors="replace").rstrip())
        except (OSError, ValueError):
            pass  # the pipe was closed under us by ``close``

    # --- failure and shutdown --------------------------------------------------

    def _check_usable(self) -> None:
        if self._broken is not None:
            raise GTPConnectionError(f"{self.name}: {self._broken}")
        if self._process.poll() is not None:
            self._break("is not running")

    def _break(self, reason: str) -> NoReturn:
        """Give up on the engine: kill it and raise ``GTPConnectionError``."""
        self._broken = reason
        self._stop(0.0)
        code = self._process.poll()
        details = f" (exit code {code})" if code is not None else ""
        tail = self.stderr_tail()
        if tail:
            details += f"; its last error output:\n{tail}"
        raise GTPConnectionError(f"{self.name} {reason}{details}")

    def _stop(self, grace: float) -> None:
        """End the writer, wait ``grace`` seconds for the engine to exit, then kill it."""
        self._to_write.put(None)
        try:
            self._process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for thread in self._threads:
            thread.join(timeout=QUIT_TIMEOUT)
        for pipe in (self._process.stdin, self._process.stdout, self._process.stderr):
            try:
                pipe.close()
            except OSError:
                pass


def _one_line(command: str) -> str:
    """The command as one clean line; GTP has no way to send a line break inside one."""
    text = command.strip()
    if not text or "\n" in text or "\r" in text:
        raise ValueError(f"a GTP command is one non-empty line, got {command!r}")
    if text.startswith("#"):
        # The engine drops comment lines without an answer: waiting for one would hang.
        raise ValueError(f"a GTP command cannot start with '#' (a comment gets no answer), got {command!r}")
    return text


def _clean_line(raw: bytes) -> str:
    """One output line as text: GTP 2 says carriage returns are noise and tabs are spaces."""
    return raw.decode("utf-8", errors="replace").replace("\r", "").replace("\t", " ").rstrip()


def _parse_status_line(line: str) -> tuple[bool, int | None, str]:
    """``"=12 D4"`` -> ``(True, 12, "D4")``; ``"? illegal move"`` -> ``(False, None, "illegal move")``."""
    ok = line[0] == "="
    rest = line[1:]
    digits = len(rest) - len(rest.lstrip("0123456789"))
    answer_id = int(rest[:digits]) if digits else None
    return ok, answer_id, rest[digits:].lstrip(" ")
