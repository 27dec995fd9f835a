"""Matches between players: the GTP engine and client, and (later) tournaments, Elo, gating."""
