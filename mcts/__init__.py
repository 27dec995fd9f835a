"""The search: players and (with the search issue) batched MCTS over the engine's kernels.

Never imports ``nets`` or torch: a network reaches the search as an evaluator.
"""
