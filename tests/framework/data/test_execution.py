"""Shuffle semantics, fusion and map lifting, parallel map, prefetch, AUTOTUNE, threads,
errors from user functions, debug mode and profiles."""
import gc
import threading
import time

import numpy as np
import pytest

import cuflow as cf

D = cf.data.Dataset


def _fused_and_generic(n, buffer, seed):
    """The same shuffle through the fused index path and the generic element path."""
    fused = D.from_tensor_slices(np.arange(n)).shuffle(buffer, seed=seed).batch(1)
    generic = D.range(n).shuffle(buffer, seed=seed).batch(1)
    return [np.concatenate(list(d.as_numpy_iterator())) for d in (fused, generic)]


@pytest.mark.parametrize("which", [0, 1])
def test_shuffle_is_a_buffer_not_a_permutation(which):
    out = _fused_and_generic(2000, 100, seed=5)[which]
    assert sorted(out.tolist()) == list(range(2000))         # a multiset match
    positions = np.arange(2000)
    assert (out <= positions + 99).all()                      # buffer bound: tf.data's
    assert (out != positions).any()                          # actually shuffled
    # guide: with buffer 100 and batch 20, the first batch has no index over 120
    first = next(iter(D.range(10000).shuffle(100).batch(20))).numpy()
    assert first.max() < 120


def test_shuffle_distribution_matches_the_buffer_algorithm():
    # Element 0 stays in a buffer of size B for k steps with probability (1-1/B)^k:
    # the mean output position of element 0 is about B-1 (a full permutation: n/2).
    pos = []
    for seed in range(200):
        out = D.from_tensor_slices(np.arange(500)).shuffle(10, seed=seed).batch(500)
        pos.append(int(np.argmax(next(iter(out)).numpy() == 0)))
    assert 6 < np.mean(pos) < 13


def test_shuffle_seed_and_reshuffle():
    ds = D.range(50).shuffle(50, seed=7)
    a, b = list(ds.as_numpy_iterator()), list(ds.as_numpy_iterator())
    assert sorted(a) == sorted(b) and a != b                 # reshuffled each iteration
    assert list(D.range(50).shuffle(50, seed=7).as_numpy_iterator()) == a   # reproducible
    fixed = D.range(50).shuffle(50, seed=7, reshuffle_each_iteration=False)
    assert list(fixed.as_numpy_iterator()) == list(fixed.as_numpy_iterator())
    # shuffle then repeat keeps epoch boundaries (the guide's point)
    out = list(D.range(100).shuffle(10, seed=1).repeat(2).as_numpy_iterator())
    assert sorted(out[:100]) == list(range(100)) and out[:100] != out[100:]


def test_pipeline_is_lifted_and_matches_per_element():
    x = np.random.default_rng(0).random((300, 7)).astype(np.float32)
    y = np.arange(300)
    ds = (D.from_tensor_slices((x, y)).map(lambda a, b: (a * 2 - 1, b),
                                           num_parallel_calls=cf.data.AUTOTUNE)
          .shuffle(50, seed=1).batch(64))
    it = iter(ds)
    batches = list(it)
    assert any("lifted" in n for n in it.optimizations())
    xs = np.concatenate([b[0].numpy() for b in batches])
    ys = np.concatenate([b[1].numpy() for b in batches])
    assert [len(b[1].numpy()) for b in batches] == [64, 64, 64, 64, 44]
    np.testing.assert_allclose(xs, x[ys] * 2 - 1, rtol=1e-6)
    assert sorted(ys.tolist()) == list(range(300))
    # the fused shuffle keeps buffer semantics too
    assert (ys <= np.arange(300) + 49).all()


def test_unsafe_map_falls_back_to_per_element():
    x = np.arange(40, dtype=np.float32).reshape(10, 4)
    ds = D.from_tensor_slices(x).map(lambda v: v - cf.reduce_mean(v)).batch(4)
    it = iter(ds)
    got = np.concatenate([b.numpy() for b in it])
    np.testing.assert_allclose(got, x - x.mean(axis=1, keepdims=True))
    assert any("not lifted" in n for n in it.optimizations())
    ds = D.from_tensor_slices(x).map(lambda v: cf.reduce_sum(v)).batch(3)  # shape changes
    np.testing.assert_allclose(np.concatenate(list(ds.as_numpy_iterator())), x.sum(axis=1))
    opts = cf.data.Options()
    opts.experimental_optimization.map_vectorization = False
    it = iter(D.from_tensor_slices(x).map(lambda v: v * 2).batch(4).with_options(opts))
    assert it.optimizations() == [] and len(list(it)) == 3


def test_parallel_map_order_and_errors_from_workers():
    ds = D.range(100).map(lambda x: x * 3, num_parallel_calls=4)
    assert list(ds.as_numpy_iterator()) == [3 * i for i in range(100)]
    unordered = D.range(100).map(lambda x: x * 3, num_parallel_calls=4, deterministic=False)
    assert sorted(unordered.as_numpy_iterator()) == [3 * i for i in range(100)]

    def boom(x):
        if int(x) == 5:
            raise ZeroDivisionError("bad element")
        return x
    with pytest.raises(ZeroDivisionError, match="bad element") as info:
        list(D.range(10).map(boom, num_parallel_calls=3))
    assert any("MapDataset(" in n and "boom" in n for n in info.value.__notes__)
    assert "boom" in "".join(__import__("traceback").format_tb(info.value.__traceback__))
    out = list(D.range(10).map(boom, num_parallel_calls=2).ignore_errors().as_numpy_iterator())
    assert out == [0, 1, 2, 3, 4, 6, 7, 8, 9]


def _slow(x):
    time.sleep(0.002)
    return x


def test_parallel_map_scales_with_threads_and_autotune_adapts():
    it = iter(D.range(400).map(_slow, num_parallel_calls=cf.data.AUTOTUNE))
    assert sum(1 for _ in it) == 400
    hist = it._it.history
    assert hist[0] <= 2 and max(hist) >= 4, hist          # parallelism went up
    prof = cf.data.experimental.profile(D.range(100).map(_slow, num_parallel_calls=-1))
    assert any("parallelism" in t for t in prof.tuning)


def _prefetch_threads():
    return [t for t in threading.enumerate() if t.name.startswith("cuflow-data")]


def test_threads_stop_when_the_loop_breaks_or_iterator_is_dropped():
    before = len(_prefetch_threads())
    ds = D.range(10 ** 6).map(lambda x: x + 1, num_parallel_calls=2).prefetch(4)
    for i, _ in enumerate(ds):
        if i == 10:
            break
    it = iter(ds)
    next(it)
    del it
    gc.collect()
    deadline = time.time() + 5
    while len(_prefetch_threads()) > before and time.time() < deadline:
        time.sleep(0.02)
    assert len(_prefetch_threads()) <= before


def test_prefetch_delivers_everything_and_errors_in_place():
    assert list(D.range(50).prefetch(3).as_numpy_iterator()) == list(range(50))

    def check(x):
        if int(x) == 3:
            raise ValueError("three")
        return x
    it = iter(D.range(6).map(check).prefetch(2))
    got = [int(next(it)) for _ in range(3)]
    with pytest.raises(ValueError, match="three"):
        next(it)
    assert got == [0, 1, 2] and int(next(it)) == 4          # the pipeline continues


def test_prefetch_to_device_cpu():
    ds = D.from_tensor_slices(np.arange(6.0)).batch(2).apply(
        cf.data.experimental.prefetch_to_device("/CPU:0", 2))
    out = list(ds)
    assert [b.device for b in out] == [out[0].device] * 3 and "CPU" in out[0].device
    assert np.concatenate([b.numpy() for b in out]).tolist() == list(np.arange(6.0))


def test_debug_mode_runs_in_the_callers_thread():
    seen = set()

    def record(x):
        seen.add(threading.get_ident())
        return x
    opts = cf.data.Options()
    opts.experimental_debug_mode = True
    ds = D.range(20).map(record, num_parallel_calls=4).prefetch(2).with_options(opts)
    assert list(ds.as_numpy_iterator()) == list(range(20))
    assert seen == {threading.get_ident()}
    cf.data.experimental.enable_debug_mode()
    try:
        seen.clear()
        list(D.range(5).map(record, num_parallel_calls=4).prefetch(1))
        assert seen == {threading.get_ident()}
    finally:
        cf.data.experimental.disable_debug_mode()


def test_profile_reports_stages_and_bottleneck():
    ds = D.range(200).map(_slow).batch(10).prefetch(2)
    prof = ds.profile()
    assert prof.elements == 20
    stages = [r["stage"] for r in prof.rows]
    assert any(s.startswith("MapDataset(_slow") for s in stages)
    assert prof.bottleneck.startswith("MapDataset(_slow")
    assert "bottleneck" in str(prof)
    x = np.zeros((100, 3), np.float32)
    prof = cf.data.experimental.profile(D.from_tensor_slices(x).map(lambda v: v + 1).batch(10))
    assert any("lifted" in n for n in prof.notes) and "fused" in prof.rows[0]["stage"]


def test_map_errors_name_the_stage_sequential():
    def bad(x):
        return x + "a"
    with pytest.raises(Exception) as info:
        list(D.range(3).map(bad))
    assert any("MapDataset(" in n and "bad" in n for n in info.value.__notes__)
    with pytest.raises(ValueError, match="scalar boolean"):
        list(D.range(3).filter(lambda x: x))


def test_cache_memory_and_file(tmp_path):
    calls = []

    def count(x):
        if int(x) >= 10:   # element_spec probes call map functions on values 1 and 2
            calls.append(1)
        return x - 10
    ds = D.range(10, 15).map(count).cache()
    assert list(ds.as_numpy_iterator()) == list(range(5))
    n = len(calls)
    assert list(ds.as_numpy_iterator()) == list(range(5)) and len(calls) == n
    path = str(tmp_path / "c")
    ds = D.range(10, 15).map(count).cache(path)
    assert list(ds.as_numpy_iterator()) == list(range(5))
    n = len(calls)
    assert list(D.range(10, 15).map(count).cache(path).as_numpy_iterator()) == list(range(5))
    assert len(calls) == n            # second epoch (even a new dataset) reads the file
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def test_no_hang_at_interpreter_exit():
    import subprocess
    import sys
    code = ("import time, cuflow as cf\n"
            "def slow(x):\n    time.sleep(0.01)\n    return x\n"
            "ds = cf.data.Dataset.range(10**6).map(slow, num_parallel_calls=4).prefetch(8)\n"
            "it = iter(ds)\nnext(it)\nkeep = it\nprint('ok')\n")
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
    assert time.time() - t0 < 30


def test_batch_of_ragged_elements_names_the_stage():
    ds = D.from_generator(lambda: iter([[1], [2, 3]]), output_signature=cf.TensorSpec(
        [None], cf.int32)).batch(2)
    with pytest.raises(cf.errors.InvalidArgumentError, match="BatchDataset.*different shapes"):
        list(ds)


def test_random_counter_and_sparse_batching():
    a = list(D.random(seed=4).take(3).as_numpy_iterator())
    assert a == list(D.random(seed=4).take(3).as_numpy_iterator()) and len(set(a)) == 3
    assert [int(v) for v in cf.data.experimental.Counter(5, 2).take(3)] == [5, 7, 9]
    spec = {"v": cf.io.VarLenFeature(cf.int64)}
    rows = [cf.train.Example(features=cf.train.Features(feature={"v": cf.train.Feature(
        int64_list=cf.train.Int64List(value=list(range(i))))})).SerializeToString()
        for i in range(1, 4)]
    ds = D.from_tensor_slices(np.array(rows, dtype=object)).map(
        lambda s: cf.io.parse_single_example(s, spec)["v"]).batch(3)
    sp = next(iter(ds))
    assert cf.sparse.to_dense(sp).numpy().tolist() == [[0, 0, 0], [0, 1, 0], [0, 1, 2]]


def test_complete_memory_cache_becomes_a_fused_source():
    x = np.arange(60, dtype=np.float32).reshape(20, 3)
    ds = D.from_tensor_slices(x).map(lambda v: v + 1, num_parallel_calls=2).cache()
    ds = ds.shuffle(20, seed=3).batch(6)
    first = np.concatenate([b.numpy() for b in ds])
    it = iter(ds)
    second = np.concatenate([b.numpy() for b in it])
    assert "fused" in it._it.stage
    for got in (first, second):
        assert sorted(got[:, 0].tolist()) == sorted((x[:, 0] + 1).tolist())
    assert not np.array_equal(first, second)         # still reshuffled per epoch


@pytest.mark.parametrize("n,size,chunk", [(1000, 100, 128), (50, 100, 7), (300, 1, 64),
                                          (257, 256, 1000), (10, 3, 1)])
def test_vectorized_index_shuffle_equals_the_plain_algorithm(n, size, chunk):
    from cuflow.data.shuffle import IndexShuffler
    a = IndexShuffler(n, size, np.random.default_rng(9))
    b = IndexShuffler(n, size, np.random.default_rng(9))
    got = np.concatenate([a.take(chunk) for _ in range(-(-n // chunk))])
    ref = np.concatenate([b.take_loop(chunk) for _ in range(-(-n // chunk))])
    refill = max(0, n - size)          # draws while input remains: identical draws
    assert got[:refill].tolist() == ref[:refill].tolist()
    assert sorted(got.tolist()) == list(range(n))   # the drain: the same remaining set
    assert sorted(got[refill:].tolist()) == sorted(ref[refill:].tolist())


def test_full_buffer_shuffle_is_a_uniform_permutation():
    from cuflow.data.shuffle import IndexShuffler
    first = [IndexShuffler(4, 4, np.random.default_rng(s)).take(4)[0] for s in range(2000)]
    counts = np.bincount(first, minlength=4)
    assert counts.min() > 400 and counts.max() < 600       # each ~500 of 2000


def test_fused_repeat_above_and_below_shuffle():
    src = D.from_tensor_slices(np.arange(10))
    it = iter(src.shuffle(10, seed=1).repeat(3).map(lambda v: v * 1).batch(4))
    out = [b.numpy().tolist() for b in it]
    assert "repeat" in it._it.stage and [len(b) for b in out] == [4] * 7 + [2]
    flat = sum(out, [])
    assert all(sorted(flat[k:k + 10]) == list(range(10)) for k in (0, 10, 20))
    assert flat[:10] != flat[10:20]                                  # reshuffled per epoch
    it = iter(src.repeat(2).shuffle(5, seed=2).batch(4))
    flat = np.concatenate([b.numpy() for b in it])
    assert "fused" in it._it.stage and sorted(flat.tolist()) == sorted(list(range(10)) * 2)
    stream = np.arange(20)                                          # buffer bound over the
    assert all(np.sum(stream[:i + 5] % 10 == v) > 0 for i, v in enumerate(flat))  # stream
    ordered = [b.numpy().tolist() for b in src.repeat().batch(4).take(3)]
    assert ordered == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 1]]
    assert [b.numpy().tolist() for b in src.take(3).repeat(2).batch(4)] == [[0, 1, 2, 0],
                                                                           [1, 2]]
    assert list(src.repeat(0).batch(2)) == []


def test_global_seed_makes_unseeded_shuffles_reproducible():
    def run():
        cf.random.set_seed(3)
        return [list(D.range(20).shuffle(20).as_numpy_iterator()) for _ in range(2)]
    try:
        first, second = run(), run()
    finally:
        cf.random.set_seed(None)
    assert first == second and first[0] != first[1]
