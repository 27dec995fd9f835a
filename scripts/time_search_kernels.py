"""Milliseconds a batched search spends in each of its two kernels (``gather_leaves``,
``expand_and_backup``) and in all, PUCT and Gumbel: 64 games of 9x9 x 800 simulations
with the uniform evaluator, the best of 8 searches. Finer than ``dosaku bench mcts``,
which gives one figure for the whole search. To compare two checkouts, run it from each
root in turn (``PYTHONPATH=ROOT``), alternating, on an otherwise idle machine.

    .venv/bin/python scripts/time_search_kernels.py
"""

import time
from dataclasses import replace

import mcts.search as search_module
from mcts.benchmark import opening_positions
from mcts.config import SearchConfig
from mcts.evaluators import UniformEvaluator
from mcts.search import BatchedSearch

KERNELS = ("gather_leaves", "expand_and_backup")
seconds: dict[str, float] = {}


def timed(name: str):
    kernel = getattr(search_module.kernels, name)

    def call(*args):
        start = time.perf_counter()
        answer = kernel(*args)
        seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start
        return answer

    return call


def main() -> None:
    for name in KERNELS:
        setattr(search_module.kernels, name, timed(name))
    positions = opening_positions(9, 64, 0)
    for gumbel in (False, True):
        config = replace(SearchConfig(simulations=800, gumbel=gumbel), reuse_tree=False)
        search = BatchedSearch(config, 9, len(positions), UniformEvaluator(), seed=0)

        def one_search(search=search) -> float:
            for g, game in enumerate(positions):
                search.set_position(g, game)
            start = time.perf_counter()
            search.search()
            return time.perf_counter() - start

        one_search()  # compiles or loads the cached kernels
        best: dict[str, float] = {}
        for _ in range(8):
            seconds.clear()
            total = one_search()
            for name, value in [*seconds.items(), ("total", total)]:
                best[name] = min(best.get(name, float("inf")), value)
        print("gumbel" if gumbel else "puct", {name: round(value * 1000, 1) for name, value in best.items()})


if __name__ == "__main__":
    main()
