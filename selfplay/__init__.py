"""The learning loop: self-play workers, game records, the replay buffer, the trainer, runs."""
