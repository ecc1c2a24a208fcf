"""Single-replica tf.distribute: the custom-loop and Keras patterns of TF's distributed
training guide give TF's numbers (checked with TF 2.21 on /work/e2e2/dist.py)."""
import numpy as np
import pytest

import cuflow as cf


def test_contexts_and_strategy_stack():
    s = cf.distribute.MirroredStrategy()
    assert s.num_replicas_in_sync == 1
    assert type(cf.distribute.get_strategy()).__name__ == "_DefaultDistributionStrategy"
    assert not cf.distribute.has_strategy() and not cf.distribute.in_cross_replica_context()
    with s.scope():
        assert cf.distribute.get_strategy() is s and cf.distribute.has_strategy()
        assert cf.distribute.in_cross_replica_context()
        ctx = s.run(cf.distribute.get_replica_context)
        assert ctx.replica_id_in_sync_group == 0 and ctx.num_replicas_in_sync == 1
        with pytest.raises(ValueError, match="Mixing different"):
            with cf.distribute.OneDeviceStrategy("/cpu:0").scope():
                pass
    assert not cf.distribute.has_strategy()


def test_more_than_one_replica_is_refused_not_faked():
    with pytest.raises(cf.errors.UnimplementedError, match="collective engine"):
        cf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def test_custom_loop_with_run_reduce_and_distributed_dataset_matches_tf():
    strategy = cf.distribute.MirroredStrategy()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = (x.sum(1) > 0).astype("int64")
    K = cf.keras
    with strategy.scope():
        model = K.Sequential([K.Input((4,)), K.layers.Dense(8, activation="relu"),
                              K.layers.Dense(2)])
        model.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.3
                           for w in model.get_weights()])
        loss_obj = K.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")
        opt = K.optimizers.SGD(0.1)
        acc = K.metrics.SparseCategoricalAccuracy()
    assert model.distribute_strategy is strategy
    dist_ds = strategy.experimental_distribute_dataset(
        cf.data.Dataset.from_tensor_slices((x, y)).batch(16))

    def train_step(inputs):
        xb, yb = inputs
        with cf.GradientTape() as tape:
            logits = model(xb, training=True)
            loss = cf.nn.compute_average_loss(loss_obj(yb, logits), global_batch_size=16)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        acc.update_state(yb, logits)
        return loss

    @cf.function
    def step(inputs):
        per_replica = strategy.run(train_step, args=(inputs,))
        return strategy.reduce(cf.distribute.ReduceOp.SUM, per_replica, axis=None)
    means = []
    for _ in range(2):
        means.append(np.mean([float(step(b)) for b in dist_ds]))
    np.testing.assert_allclose(means, [0.81703, 0.71546], atol=2e-5)
    np.testing.assert_allclose(float(acc.result()), 0.4531, atol=1e-4)
    v = cf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(strategy.reduce("MEAN", v, axis=0).numpy(), [2.0, 3.0])
    batch = next(iter(strategy.distribute_datasets_from_function(
        lambda ctx: cf.data.Dataset.from_tensor_slices(x).batch(
            ctx.get_per_replica_batch_size(8)))))
    assert tuple(batch.shape) == (8, 4)
