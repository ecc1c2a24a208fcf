"""tf.distribute breadth: cross-device ops, DistributedDataset/Iterator, InputOptions,
RunOptions, experimental_set_strategy, StrategyExtended, cluster resolvers
(expected values from TensorFlow 2.21)."""
import json

import pytest

import cuflow as cf

D = cf.distribute


@pytest.mark.parametrize("ops", [D.ReductionToOneDevice(), D.HierarchicalCopyAllReduce(),
                                 D.NcclAllReduce(num_packs=2),
                                 D.ReductionToOneDevice("/cpu:0", cf.add_n)])
def test_cross_device_ops_reduce_batch_broadcast(ops):
    assert isinstance(ops, D.CrossDeviceOps)
    v = cf.constant([1., 2.])
    assert ops.reduce(D.ReduceOp.SUM, v, destinations="/cpu:0").numpy().tolist() == [1, 2]
    out = ops.batch_reduce(D.ReduceOp.MEAN, [(v, "/cpu:0"), (v, "/cpu:0")])
    assert [o.numpy().tolist() for o in out] == [[1, 2], [1, 2]]
    assert float(ops.broadcast(cf.constant(1.), "/cpu:0")) == 1.0
    many = D.DistributedValues((cf.constant([1., 2.]), cf.constant([3., 4.])))
    assert ops.reduce("SUM", many, "/cpu:0").numpy().tolist() == [4, 6]
    assert ops.reduce("MEAN", many, "/cpu:0").numpy().tolist() == [2, 3]
    spread = ops.reduce("SUM", many, ["/cpu:0", "/cpu:0"])
    assert isinstance(spread, D.DistributedValues) and len(spread.values) == 2


def test_mirrored_strategy_takes_cross_device_ops():
    s = D.MirroredStrategy(cross_device_ops=D.HierarchicalCopyAllReduce())
    assert isinstance(s.extended, D.StrategyExtended)
    v = s.run(lambda: cf.constant([1., 2.]))
    assert s.extended.reduce_to(D.ReduceOp.SUM, v, "/cpu:0").numpy().tolist() == [1, 2]
    assert s.extended.worker_devices == s.worker_devices
    with pytest.raises(ValueError, match="CrossDeviceOps"):
        D.MirroredStrategy(cross_device_ops="nccl")
    var = cf.Variable(1.)
    s.extended.update(var, lambda x, d: x.assign_add(d), args=(2.,))
    assert float(var) == 3.0


def test_distributed_dataset_and_iterator():
    s = D.MirroredStrategy()
    ds = cf.data.Dataset.range(6).batch(2)
    dd = s.experimental_distribute_dataset(ds, D.InputOptions(experimental_fetch_to_device=False))
    assert isinstance(dd, D.DistributedDataset) and dd.element_spec == ds.element_spec
    it = iter(dd)
    assert isinstance(it, D.DistributedIterator)
    assert it.get_next().numpy().tolist() == [0, 1]
    assert it.get_next_as_optional().get_value().numpy().tolist() == [2, 3]
    assert [x.numpy().tolist() for x in dd] == [[0, 1], [2, 3], [4, 5]]
    assert int(dd.reduce(cf.constant(0, cf.int64), lambda a, b: a + cf.reduce_sum(b))) == 15
    fn = s.distribute_datasets_from_function(lambda ctx: ds, options=D.InputOptions())
    assert isinstance(fn, D.DistributedDataset)

    @cf.function
    def total(d):
        acc = cf.constant(0, cf.int64)
        for b in d:
            acc += cf.reduce_sum(b)
        return acc
    assert int(total(dd)) == 15


def test_options_records():
    o = D.InputOptions()
    assert o.experimental_fetch_to_device is True
    assert o.experimental_replication_mode is D.InputReplicationMode.PER_WORKER
    assert list(D.InputReplicationMode) == [D.InputReplicationMode.PER_WORKER,
                                            D.InputReplicationMode.PER_REPLICA]
    assert repr(D.RunOptions()) == ("RunOptions(experimental_enable_dynamic_batch_size=True, "
                                    "experimental_bucketizing_dynamic_shape=False, "
                                    "experimental_xla_options=None)")


def test_experimental_set_strategy():
    s = D.MirroredStrategy()
    D.experimental_set_strategy(s)
    try:
        assert D.get_strategy() is s and D.has_strategy() and D.in_cross_replica_context()
    finally:
        D.experimental_set_strategy(None)
    assert not D.has_strategy()
    with pytest.raises(TypeError):
        D.experimental_set_strategy("mirrored")


def test_tf_config_cluster_resolver(monkeypatch):
    monkeypatch.setenv("TF_CONFIG", json.dumps({
        "cluster": {"worker": ["host1:2222", "host2:2222"], "ps": ["host3:2222"]},
        "task": {"type": "worker", "index": 1}, "rpc_layer": "grpc"}))
    r = D.cluster_resolver.TFConfigClusterResolver()
    assert r.cluster_spec().as_dict() == {"worker": ["host1:2222", "host2:2222"],
                                          "ps": ["host3:2222"]}
    assert (r.task_type, r.task_id, r.rpc_layer, r.environment) == ("worker", 1, "grpc", None)
    assert r.master() == "grpc://host2:2222" and r.master("ps", 0) == "grpc://host3:2222"
    r2 = D.cluster_resolver.TFConfigClusterResolver(task_type="ps", task_id=0,
                                                    rpc_layer="grpc+verbs")
    assert r2.master() == "grpc+verbs://host3:2222"
    monkeypatch.delenv("TF_CONFIG")
    r3 = D.cluster_resolver.TFConfigClusterResolver()
    assert (r3.cluster_spec().as_dict(), r3.task_type, r3.task_id, r3.master()) == \
        ({}, None, None, "")


def test_simple_cluster_resolver():
    sc = D.cluster_resolver.SimpleClusterResolver(cf.train.ClusterSpec({"worker": ["a:1"]}),
                                                  master="grpc://a:1", task_type="worker",
                                                  task_id=0)
    assert sc.master() == "grpc://a:1" and sc.task_type == "worker" and sc.task_id == 0
    assert sc.num_accelerators() == {} and sc.environment == "" and sc.rpc_layer is None
    with pytest.raises(TypeError):
        D.cluster_resolver.SimpleClusterResolver({"worker": ["a:1"]})


def test_experimental_communication_options_and_value_context():
    E = D.experimental
    assert list(E.CommunicationImplementation) == [E.CommunicationImplementation.AUTO,
                                                   E.CommunicationImplementation.RING,
                                                   E.CommunicationImplementation.NCCL]
    assert E.CollectiveCommunication is E.CommunicationImplementation
    o = E.CommunicationOptions(bytes_per_pack=50, timeout_seconds=10.,
                               implementation=E.CommunicationImplementation.NCCL)
    assert (o.bytes_per_pack, o.timeout_seconds, o.implementation.value) == (50, 10., "NCCL")
    with pytest.raises(ValueError, match="bytes_per_pack"):
        E.CommunicationOptions(bytes_per_pack=-1)
    h = E.CollectiveHints(bytes_per_pack=10)
    assert (h.bytes_per_pack, h.timeout_seconds) == (10, None)
    s = D.MultiWorkerMirroredStrategy(communication_options=o)
    ctx = s.experimental_distribute_values_from_function(lambda c: c)
    assert isinstance(ctx, E.ValueContext)
    assert (ctx.replica_id_in_sync_group, ctx.num_replicas_in_sync) == (0, 1)
