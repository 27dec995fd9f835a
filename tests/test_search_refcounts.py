"""The search's kernels run without Numba's reference counting (``NO_REFCOUNTS``), and
nothing leaks or breaks for it.

* Every kernel of the rules that is not inlined says whether it counts
  (``rules.NO_REFCOUNTS`` or ``rules.COUNTS_REFERENCES``): one that does not say
  inherits its caller's choice, so what it costs would depend on which caller
  compiled it first, and an allocating one would not compile under a caller without
  counting. Numba itself refuses a kernel without counting that allocates.
* Searches over and over, PUCT and Gumbel, with tree reuse and with analysis bans,
  leave every array Python handed them with the references it had, and each search
  of the same position with the same seed answers the same.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pytest
from numba.core.registry import CPUDispatcher as Dispatcher

from engine import _features as feature_kernels
from engine import rules
from mcts import _kernels as kernels
from mcts.config import SearchConfig
from mcts.evaluators import UniformEvaluator
from mcts.search import BatchedSearch
from tests.positions import random_position

ENGINE_MODULES = (rules, feature_kernels)


def test_search_kernels_are_compiled_without_reference_counting():
    for name in ("gather_leaves", "expand_and_backup", "compact_subtree", "select_gumbel_root",
                 "select_gumbel_interior"):  # fmt: skip
        assert getattr(kernels, name).targetoptions.get("_nrt") is False, name


def test_every_rules_kernel_says_whether_it_counts_references():
    said = 0
    for module in ENGINE_MODULES:
        for name, function in vars(module).items():
            if not isinstance(function, Dispatcher) or function.py_func.__module__ != module.__name__:
                continue
            if function.targetoptions.get("inline") == "always":
                continue  # compiled into its caller, with the caller's options
            assert "_nrt" in function.targetoptions, f"{module.__name__}.{name}: NO_REFCOUNTS or COUNTS_REFERENCES"
            said += 1
    assert said >= 20
    assert rules.playout.targetoptions["_nrt"] and not rules.play_unchecked.targetoptions["_nrt"]


@pytest.mark.parametrize("gumbel", [False, True])
def test_repeated_searches_leak_no_reference_and_repeat_exactly(gumbel):
    positions = [random_position(9, seed, moves) for seed, moves in enumerate((0, 6, 12, 20))]
    config = replace(SearchConfig(simulations=96, gumbel=gumbel), reuse_tree=True)

    def run(search):
        answers = []
        for _ in range(6):
            for g, game in enumerate(positions):
                search.set_position(g, game)
            search.search()
            answers.append([search.root_visits(g).tolist() for g in range(len(positions))])
        return answers

    search = BatchedSearch(config, 9, len(positions), UniformEvaluator(), seed=3)
    banned = np.zeros((2, 82), np.int32)
    banned[:, 40] = 3  # the centre is avoided for both colours down to depth 3
    search.restrict_moves(1, banned)
    first = run(search)
    arrays = [*search.trees.arrays, *search.leaves, search.root_states, search.params, search.path, search.tried]
    counts = [sys.getrefcount(array) for array in arrays]
    run(search)
    assert [sys.getrefcount(array) for array in arrays] == counts
    again = BatchedSearch(config, 9, len(positions), UniformEvaluator(), seed=3)
    again.restrict_moves(1, banned)
    assert run(again) == first
    assert all(answer[1][40] == 0 and sum(answer[1]) > 0 for answer in first)
