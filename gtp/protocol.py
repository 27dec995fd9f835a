"""The Go Text Protocol on the wire (GTP 2, draft 2, Farnebäck 2002): lines in,
responses out, and the errors a command answers with.

* A command is ``[id] name [arguments]``. Input is preprocessed as section 2.7 of
  the spec says (``preprocess``); lines longer than ``MAX_LINE_CHARS`` bytes are
  answered with an error, not processed (``read_line`` reads them without keeping them).
* A response is ``=[id] text`` or ``?[id] message`` ended by one empty line, as GNU Go
  (the reference implementation) writes it: a space after the id even when the text
  is empty (``format_response``).
* A command that fails raises ``GTPCommandError``; its message is what follows ``?``.
  The spec's own messages are constants here, since controllers compare against them.
* A handler may answer with ``Streamed`` instead of text (live analysis): ``=id``
  goes out at once, then each line as it is computed (``stream_line``), then the
  empty line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import BinaryIO

PROTOCOL_VERSION = "2"
MAX_LINE_CHARS = 100_000  # longer command lines are refused, not parsed

# Error messages the spec names; controllers compare against these exact words.
UNKNOWN_COMMAND = "unknown command"
SYNTAX_ERROR = "syntax error"
ILLEGAL_MOVE = "illegal move"
UNACCEPTABLE_SIZE = "unacceptable size"
BOARD_NOT_EMPTY = "board not empty"
INVALID_NUMBER_OF_STONES = "invalid number of stones"
CANNOT_UNDO = "cannot undo"
CANNOT_LOAD_FILE = "cannot load file"
BAD_VERTEX_LIST = "bad vertex list"

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # every control character but HT and LF


class GTPCommandError(Exception):
    """A command failed; the message is what follows ``?`` in the response."""


class Streamed:
    """A handler's answer written while it is computed: ``run(emit, interrupted)``
    emits lines, may stop when ``interrupted()``, and returns the final text ("" for none)."""

    def __init__(self, run: Callable[[Callable[[str], None], Callable[[], bool]], str]):
        self.run = run


Handler = Callable[[list[str]], "str | Streamed"]


def preprocess(line: str) -> str:
    """Section 2.7 of the spec: drop control characters but HT and LF, turn HT into
    a space, cut the comment after ``#``; return the stripped rest ("" = skip)."""
    line = _CONTROL_RE.sub("", line).replace("\t", " ")
    return line.split("#", 1)[0].strip()


def split_command(line: str) -> tuple[str, str, list[str]]:
    """A preprocessed, non-empty line to ``(id, name, args)``; ``id`` is "" when absent."""
    tokens = line.split()
    command_id = ""
    if tokens and tokens[0].isascii() and tokens[0].isdigit():
        command_id = tokens.pop(0)
    name = tokens.pop(0) if tokens else ""
    return command_id, name, tokens


def format_response(ok: bool, command_id: str, text: str) -> str:
    """``=id text`` or ``?id text``, ended by an empty line.

    An empty line inside the text would end the response early, so empty lines
    after the first are dropped; an error message is kept to one line.
    """
    text = _CONTROL_RE.sub("", text)
    if not ok:
        text = " ".join(text.split("\n"))
    first, *rest = text.split("\n")
    body = first.rstrip() + "".join("\n" + line.rstrip() for line in rest if line.strip())
    return f"{'=' if ok else '?'}{command_id} {body}\n\n"


def stream_line(text: str) -> str:
    """One line of a streamed answer: no control characters, never empty (that would end it)."""
    text = " ".join(_CONTROL_RE.sub("", text).split("\n")).rstrip()
    return (text or ".") + "\n"


def read_line(reader: BinaryIO, limit: int = MAX_LINE_CHARS) -> tuple[bytes, bool] | None:
    """The next line of ``reader`` without its newline, and whether it was too long.

    A line longer than ``limit`` bytes is read to its end and thrown away (only its
    first ``limit`` bytes come back), so a huge line costs time but no memory.
    Returns None at end of input.
    """
    line = reader.readline(limit + 1)
    if not line:
        return None
    if line.endswith(b"\n") or len(line) <= limit:  # a whole line, or the last one without LF
        return line.removesuffix(b"\n"), False
    while True:  # too long: skip to the end of the line
        rest = reader.readline(1 << 16)
        if not rest or rest.endswith(b"\n"):
            return line[:limit], True
