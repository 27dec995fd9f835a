"""What a search shows to an analysis front end, whatever the protocol.

* ``moves``: the root's candidate moves with their statistics (visits, winrate,
  score, prior, LCB, utility, principal variation and its visits), KataGo's
  avoid/allow as the search's ban table, and the ownership of the candidates' positions;
* ``queries``: KataGo's JSON analysis queries, read and checked;
* ``engine``: ``dosaku analysis``, KataGo's JSON analysis engine on stdin/stdout, many
  queries in one batched search.

Builds on ``engine`` and ``mcts`` only: a network reaches it as an evaluator.
``gtp.analysis`` formats the same candidates as GTP lines.
"""
