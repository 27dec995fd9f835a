"""A self-play worker that dies mid-run is replaced and the run goes on (real Ray, real trainer)."""

import os
import signal

import pytest
import ray

from nets.checkpoint import load_checkpoint
from selfplay.records import read_shard
from selfplay.run import Run, prepare_run
from selfplay.trainer import cpu_weights, write_initial_checkpoint
from tests.tiny_run import tiny_overrides

pytestmark = pytest.mark.slow


@pytest.fixture
def local_ray():
    ray.init(address="local", num_cpus=3, include_dashboard=False, namespace="dosaku-faults", log_to_driver=False)
    yield
    ray.shutdown()


def test_a_killed_selfplay_worker_is_restarted_and_the_run_completes(tmp_path, local_ray):
    overrides = tiny_overrides(steps=10)
    run, config = prepare_run(tmp_path / "run", "configs/5x5.toml", overrides, resume=False, workers=1, trainers=1)
    driver = Run(run, config, progress=False)
    checkpoint = write_initial_checkpoint(run, config)
    weights = ray.put(cpu_weights(load_checkpoint(checkpoint).model))
    ray.get(driver.hub.publish.remote(0, [weights]))
    driver.start_workers()
    # The worker's process dies the hard way before it plays a move.
    os.kill(ray.get(driver.workers[0].process_id.remote()), signal.SIGKILL)
    driver.loop(driver.start_trainer(checkpoint), max_minutes=4)

    assert driver.restarts >= 1
    assert "self-play worker 0 died" in run.log_file.read_text()
    assert run.checkpoint_steps()[-1] == 10, "the trainer reached its steps on the replacement's games"
    on_disk = sum(len(read_shard(path)) for path in run.shard_paths())
    assert on_disk == driver.totals["games"] > 0
    assert len(list(run.sgf.glob("*.sgf"))) == len(run.shard_paths())
