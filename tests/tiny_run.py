"""The smallest training run that still exercises every part: shared by the run tests."""


def tiny_overrides(steps: int) -> list[str]:
    """``--set`` assignments over configs/5x5.toml: a 1x16 net, 8 games a worker, a few
    simulations, checkpoints every 5 steps, no evaluation matches."""
    return [
        "network.blocks=1", "network.channels=16", "network.value_hidden=16",
        "search.simulations=8", "search.gumbel_considered=4", "search.leaves_per_game=4",
        "selfplay.games_per_worker=8", "selfplay.fast_simulations=2",
        "buffer.min_positions=50", "buffer.min_window=1000",
        f"training.steps={steps}", "training.batch_size=32", "training.checkpoint_every=5", "training.publish_every=5",
        "training.keep_last=2", "training.keep_every=10",
        "evaluation.games=0",
    ]  # fmt: skip
