"""Checkpointable iterators: an interrupted run resumes on the same next element."""
import numpy as np
import pytest

import cuflow as cf

D = cf.data.Dataset


def _np(e):
    return tuple(np.asarray(x).tolist() for x in e) if isinstance(e, tuple) else \
        np.asarray(e).tolist()


PIPELINES = {
    "generic": lambda: (D.range(50).map(lambda x: x * 2).shuffle(7, seed=3).batch(4)
                        .repeat(2).skip(1).take(20)),
    "fused": lambda: (D.from_tensor_slices((np.arange(60.0).reshape(30, 2), np.arange(30)))
                      .map(lambda a, b: (a + 1, b)).shuffle(8).batch(4).repeat(3)),
    "fused_repeat": lambda: (D.from_tensor_slices(np.arange(17)).shuffle(8).repeat(3)
                             .map(lambda v: v + 1).batch(5)),
    "fused_repeat_below": lambda: D.from_tensor_slices(np.arange(9)).repeat(2).shuffle(6)
                                   .batch(4),
    "unlifted": lambda: (D.from_tensor_slices(np.arange(40.0).reshape(10, 4))
                         .map(lambda v: v - cf.reduce_mean(v), num_parallel_calls=2)
                         .shuffle(5, seed=1).batch(3)),
    "threads": lambda: (D.range(40).shuffle(10, seed=2).map(lambda x: x + 1,
                                                             num_parallel_calls=3)
                        .prefetch(3).filter(lambda x: x % 3 != 0).batch(2)),
    "zip_enumerate": lambda: D.zip((D.range(30).shuffle(5, seed=1),
                                    D.range(30))).enumerate().batch(3),
    "unbatch_scan": lambda: (D.range(24).batch(5).unbatch()
                             .scan(np.int64(0), lambda s, x: (s + x, s)).batch(4)),
    "concat_shard": lambda: D.range(10).concatenate(D.range(5)).shard(2, 1).repeat(2),
}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_restore_resumes_on_the_same_element(name, tmp_path):
    make = PIPELINES[name]
    it = iter(make())
    for _ in range(3):
        next(it)
    ckpt = cf.train.Checkpoint(iterator=it)
    path = ckpt.save(str(tmp_path / "ckpt"))
    rest = [_np(e) for e in it]
    assert rest
    fresh = iter(make())                    # a new dataset object: new seeds unless given
    next(fresh)
    cf.train.Checkpoint(iterator=fresh).restore(path).assert_consumed()
    assert [_np(e) for e in fresh] == rest


def test_save_restore_files_and_later_epochs(tmp_path):
    ds = D.from_tensor_slices(np.arange(20)).shuffle(20).batch(5).repeat(3)
    it = iter(ds)
    next(it)
    it.save(str(tmp_path / "state.npz"))
    rest = [e.numpy().tolist() for e in it]
    other = iter(D.from_tensor_slices(np.arange(20)).shuffle(20).batch(5).repeat(3))
    other.restore(str(tmp_path / "state.npz"))
    assert [e.numpy().tolist() for e in other] == rest      # later epochs too (seed saved)


def test_exhausted_iterator_state_round_trips():
    it = iter(D.range(2))
    list(it)
    state = it.save_state()
    again = iter(D.range(2))
    again.restore_state(state)
    assert list(again) == []


def test_not_checkpointable_stages_say_so():
    it = iter(D.from_generator(lambda: iter([1, 2]), output_signature=cf.TensorSpec(
        (), cf.int32)))
    next(it)
    with pytest.raises(cf.errors.FailedPreconditionError, match="GeneratorDataset"):
        it.save_state()


def test_text_reader_checkpoint(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("\n".join(f"line{i}" for i in range(10)))
    it = iter(cf.data.TextLineDataset(str(p)).batch(3))
    next(it)
    state = it.save_state()
    rest = [e.numpy().tolist() for e in it]
    again = iter(cf.data.TextLineDataset(str(p)).batch(3))
    again.restore_state(state)
    assert [e.numpy().tolist() for e in again] == rest


def test_restore_into_a_running_or_finished_prefetch():
    import time
    make = lambda: D.range(30).map(lambda x: x * 2, num_parallel_calls=2).prefetch(3)  # noqa: E731
    state = iter(make()).save_state()                 # saved before any element: empty buffer
    busy = iter(make())
    next(busy)
    time.sleep(0.1)                                   # its producer now waits on a full buffer
    busy.restore_state(state)
    assert [int(v) for v in busy] == [2 * i for i in range(30)]
    done = iter(make())
    assert len(list(done)) == 30                      # its producer thread has exited
    done.restore_state(state)
    assert [int(v) for v in done] == [2 * i for i in range(30)]
