"""GTP commands beyond the standard set. Each module registers its commands on an
engine with ``register(engine)``; the engine itself knows nothing of them, and
``gtp/build.py`` installs them all on the engine ``dosaku gtp`` serves.

* ``kgs_time``: ``kgs-time_settings none|absolute|byoyomi|canadian ...`` (KGS's clock kinds);
* ``dead_stones``: ``final_status_list dead|alive|seki``, the engine's count of a
  finished game (``final_score``, ``printsgf``'s ``RE``) with the dead stones taken off
  (the count of the board as it stands stays as ``dosaku-tromp_taylor_score``) and
  ``kgs-genmove_cleanup``;
* ``analyze``: ``lz-analyze``, ``kata-analyze``, ``dosaku-analyze`` and their
  ``*-genmove_analyze`` forms (needs an anytime search player);
* ``rules``: ``kata-get-rules``, ``kata-set-rules``, ``kata-set-rule``, ``kgs-rules`` (``engine/ruleset.py``);
* ``housekeeping``: ``cputime``, ``gomill-cpu_time``, ``get_komi``, ``stop``, ``clear_cache``.

The logic lives in ``gtp/time_control.py``, ``gtp/status.py`` and ``gtp/analysis.py``;
these modules parse arguments and wire them to the engine.
"""
