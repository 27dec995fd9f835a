"""Evaluation: matches between players, player specs, tournaments, Elo, SPRT and gating.
Other engines take part through ``gtp.player``; the GTP protocol itself is ``gtp/``."""
