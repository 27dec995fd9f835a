"""Speed of the rules: whole random games, move generation, legality masks, copies.

Everything is measured on one core (Numba kernels are single-threaded), after a
warm-up that compiles or loads the cached kernels. Times are the process's CPU
time, not the wall clock, so that other work on the machine does not count
against the kernels (it still costs them shared caches).
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from engine import rules
from engine.game import GameState


@njit(cache=True)
def _run_playouts(start_state, start_history, rng, games, max_moves):
    """Play ``games`` random games from the start position; return moves played."""
    state = start_state.copy()
    history = np.empty(start_history.shape[0] + max_moves + 1, np.uint64)
    used = start_state[rules.META_HISTORY_LEN]
    total = 0
    for _ in range(games):
        state[:] = start_state
        history[:used] = start_history[:used]
        total += rules.playout(state, history, rng, max_moves)
    return total


@njit(cache=True)
def _run_legal_masks(states, histories, out, repeats):
    for _ in range(repeats):
        for i in range(states.shape[0]):
            rules.legal_mask(states[i], histories[i], states[i, rules.META_TO_PLAY], out)


@njit(cache=True)
def _run_copies(source_state, source_history, target_state, target_history, repeats):
    """Copy a position the way the search does: the state and the used history."""
    used = source_state[rules.META_HISTORY_LEN]
    for _ in range(repeats):
        target_state[:] = source_state
        target_history[:used] = source_history[:used]


def _timed(run, seconds: float) -> tuple[int, float]:
    """Call ``run(n)`` with growing ``n`` until ``seconds`` of CPU time have passed;
    return (total n, CPU seconds)."""
    n, done, elapsed = 1, 0, 0.0
    while elapsed < seconds:
        start = time.process_time()
        run(n)
        elapsed += time.process_time() - start
        done += n
        n = min(n * 2, max(1, int(done * 0.5)) + n)
    return done, elapsed


def _midgame_positions(size: int, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """States of random games stopped at random points, stacked."""
    rng = np.zeros(1, np.uint64)
    rules.seed_rng(rng, seed)
    choose = np.random.default_rng(seed)
    states, histories = [], []
    capacity = 4 * size * size
    for _ in range(count):
        game = GameState(size, max_moves=0)
        state, history = game.state.copy(), np.zeros(capacity + 8, np.uint64)
        history[:1] = game.history[:1]
        rules.playout(state, history, rng, int(choose.integers(size, size * size)))
        states.append(state)
        histories.append(history)
    return np.stack(states), np.stack(histories)


def benchmark_engine(size: int = 9, seconds: float = 3.0, seed: int = 0) -> dict:
    """Named figures: random games and moves per second, legal mask and copy times."""
    rng = np.zeros(1, np.uint64)
    rules.seed_rng(rng, seed)
    start = GameState(size)
    cap = 3 * size * size  # ends the rare very long random game (long superko fights)
    _run_playouts(start.state, start.history, rng, 2, cap)  # warm-up: load compiled kernels

    moves = [0]

    def playouts(n):
        moves[0] += _run_playouts(start.state, start.history, rng, n, cap)

    games, playout_seconds = _timed(playouts, seconds)

    states, histories = _midgame_positions(size, 64, seed)
    mask = np.empty(size * size + 1, np.bool_)
    _run_legal_masks(states[:1], histories[:1], mask, 1)
    masks, mask_seconds = _timed(lambda n: _run_legal_masks(states, histories, mask, n), seconds / 3)

    target_state, target_history = states[0].copy(), histories[0].copy()
    _run_copies(states[0], histories[0], target_state, target_history, 1)
    copies, copy_seconds = _timed(
        lambda n: _run_copies(states[0], histories[0], target_state, target_history, n * 1000), seconds / 3
    )
    return {
        "size": size,
        "playouts_per_s": round(games / playout_seconds, 1),
        "moves_per_s": round(moves[0] / playout_seconds, 1),
        "moves_per_playout": round(moves[0] / games, 1),
        "legal_mask_us": round(mask_seconds / (masks * len(states)) * 1e6, 3),
        "copy_us": round(copy_seconds / (copies * 1000) * 1e6, 4),
        "state_bytes": int(states[0].nbytes),
    }
