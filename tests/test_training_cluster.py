"""``dosaku train`` on a Ray cluster: two nodes simulated on this machine.

``ray.cluster_utils.Cluster`` starts a head node and a second node (each a raylet
of its own, with its own CPUs), and the run joins it through ``address`` as it
would join a real cluster. Its self-play workers must spread over both nodes
(the driver counts the nodes its workers report, and Ray's actor table tells
where the worker actors live), the trainer and the workers must meet through the hub
and the replay buffer across nodes, and the run must finish its steps.
"""

from __future__ import annotations

import re

import pytest
import ray
from ray.cluster_utils import Cluster

from selfplay.metrics import read_metrics
from selfplay.run import train
from selfplay.run_dir import RunDirectory
from tests.tiny_run import tiny_overrides

STEPS = 10
TINY = tiny_overrides(STEPS)


@pytest.fixture
def two_node_cluster():
    # Small object stores: two nodes share this machine's memory.
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "object_store_memory": 200 * 2**20})
    cluster.add_node(num_cpus=2, object_store_memory=200 * 2**20)
    cluster.wait_for_nodes()
    try:
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


def test_a_run_on_a_two_node_cluster_plays_on_both_nodes(two_node_cluster, tmp_path):
    run_dir = tmp_path / "run"
    status = train("configs/5x5.toml", str(run_dir), address=two_node_cluster.address, workers=2,
                   overrides=TINY, progress=False)  # fmt: skip
    assert status == 0
    run = RunDirectory(run_dir)
    log = run.log_file.read_text()
    assert "starting at step 0 with 2 workers, 1 trainers" in log
    assert re.search(r"finished: \d+ games, self-play on 2 node\(s\)", log), log
    assert run.checkpoint_steps()[-1] == STEPS
    assert read_metrics(run.metrics)[-1]["selfplay_nodes"] == 2
    assert read_metrics(run.metrics)[-1]["step"] == STEPS
    # Ray's own view: one self-play worker actor on each node of the cluster.
    nodes = {node["NodeID"] for node in ray.nodes() if node["Alive"]}
    assert len(nodes) == 2
    # (ray.util.state needs the dashboard, which needs ray[default]; the GCS's actor
    # table, read through the cluster's own accessor, needs nothing more.)
    # The run is over and its actors released (DEAD), but the table keeps where they ran.
    actors = two_node_cluster.global_state.actor_table(None).values()
    workers = [actor for actor in actors if actor["ActorClassName"] == "SelfPlayWorker"]
    assert len(workers) == 2, [(actor["ActorClassName"], actor["State"]) for actor in actors]
    assert {actor["Address"]["NodeID"] for actor in workers} == nodes
