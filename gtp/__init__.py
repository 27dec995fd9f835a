"""The Go Text Protocol (GTP 2): Dosaku as an engine that GUIs, servers and match
tools drive, and the other engines Dosaku drives in its matches.

Server side, from the wire up:

* ``protocol``: the wire format (lines, responses, streamed answers) and ``GTPCommandError``;
* ``arguments``: colours, numbers and vertices as commands take them;
* ``engine``: ``GTPEngine``, GTP's standard commands over one game and one player;
  other commands ``register`` on it;
* ``time_control``: the clocks the controller sets, and each move's stop rule;
* ``analysis``, ``status``, ``playouts``: live analysis lines, and which stones are
  dead at the end of a game;
* ``extensions``: the commands beyond the standard set (KGS's clocks, dead stones,
  analysis), each registering its own; ``build``: the engine with all of them.

Client side: ``client`` (``GTPClient`` and its ``GTPClientError`` family) and ``player``
(``GTPPlayer``: any GTP engine as a player for ``arena``'s matches).

Builds on ``engine``, ``mcts`` and ``analysis`` (the candidates an analysis shows,
whatever the protocol) only: a network reaches it as a player's evaluator.
"""
