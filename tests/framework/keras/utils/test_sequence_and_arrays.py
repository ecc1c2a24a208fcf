"""pad_sequences, timeseries_dataset_from_array, split_dataset against Keras 3.15 outputs
recorded for the same inputs."""
import numpy as np
import pytest

import cuflow as cf

U = cf.keras.utils
SEQS = [[1, 2, 3, 4], [5, 6], [], [7, 8, 9, 10, 11, 12]]


@pytest.mark.parametrize("kwargs,want", [
    ({}, [[0, 0, 1, 2, 3, 4], [0, 0, 0, 0, 5, 6], [0] * 6, [7, 8, 9, 10, 11, 12]]),
    (dict(maxlen=3), [[2, 3, 4], [0, 5, 6], [0, 0, 0], [10, 11, 12]]),
    (dict(maxlen=3, padding="post"), [[2, 3, 4], [5, 6, 0], [0, 0, 0], [10, 11, 12]]),
    (dict(maxlen=3, truncating="post"), [[1, 2, 3], [0, 5, 6], [0, 0, 0], [7, 8, 9]]),
    (dict(maxlen=5, padding="post", truncating="post", value=-1),
     [[1, 2, 3, 4, -1], [5, 6, -1, -1, -1], [-1] * 5, [7, 8, 9, 10, 11]]),
])
def test_pad_sequences_matches_keras(kwargs, want):
    out = cf.keras.preprocessing.sequence.pad_sequences(SEQS, **kwargs)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, want)


def test_pad_sequences_dtypes_shapes_and_errors():
    f = U.pad_sequences(SEQS, dtype="float32", value=0.5)
    assert f.dtype == np.float32 and f[0].tolist() == [0.5, 0.5, 1, 2, 3, 4]
    nd = U.pad_sequences([[[1, 2], [3, 4]], [[5, 6]]], maxlen=3)
    assert nd.tolist() == [[[0, 0], [1, 2], [3, 4]], [[0, 0], [0, 0], [5, 6]]]
    assert U.pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>").tolist() == \
        [["a", "b"], ["<pad>", "c"]]
    with pytest.raises(ValueError, match="must be iterable"):
        U.pad_sequences(5)
    with pytest.raises(ValueError, match="non-iterable: 1"):
        U.pad_sequences([1, 2])
    with pytest.raises(ValueError, match="not compatible"):
        U.pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match='Padding type "mid"'):
        U.pad_sequences([[1]], padding="mid")
    with pytest.raises(ValueError, match="different from expected shape"):
        U.pad_sequences([[[1, 2]], [[1, 2, 3]]])


def _batches(ds):
    return [[np.asarray(p).tolist() for p in b] if isinstance(b, tuple)
            else np.asarray(b).tolist() for b in ds]


def test_timeseries_windows_match_keras():
    ds = U.timeseries_dataset_from_array(np.arange(20.0).reshape(10, 2), np.arange(10) * 10,
                                         sequence_length=3, sequence_stride=2,
                                         sampling_rate=2, batch_size=2)
    assert _batches(ds) == [[[[[0.0, 1.0], [4.0, 5.0], [8.0, 9.0]],
                              [[4.0, 5.0], [8.0, 9.0], [12.0, 13.0]]], [0, 20]],
                            [[[[8.0, 9.0], [12.0, 13.0], [16.0, 17.0]]], [40]]]
    ds = U.timeseries_dataset_from_array(np.arange(12), None, sequence_length=4, start_index=2,
                                         end_index=11, batch_size=3)
    assert _batches(ds) == [[[2, 3, 4, 5], [3, 4, 5, 6], [4, 5, 6, 7]],
                            [[5, 6, 7, 8], [6, 7, 8, 9], [7, 8, 9, 10]]]
    ds = U.timeseries_dataset_from_array(np.arange(12), np.arange(12), sequence_length=4,
                                         shuffle=True, seed=1, batch_size=None)
    pairs = [(np.asarray(x).tolist(), int(np.asarray(y))) for x, y in ds]
    assert sorted(y for _, y in pairs) == list(range(9))
    assert all(x == list(range(y, y + 4)) for x, y in pairs)
    with pytest.raises(ValueError, match="sampling_rate"):
        U.timeseries_dataset_from_array(np.arange(5), None, 2, sampling_rate=0)
    assert cf.keras.preprocessing.timeseries_dataset_from_array is \
        U.timeseries_dataset_from_array


def test_split_dataset_matches_keras():
    a, b = U.split_dataset(np.arange(10), left_size=0.8)
    assert _batches(a) == list(range(8)) and _batches(b) == [8, 9]
    a, b = U.split_dataset((np.arange(10), np.arange(10) * 2), left_size=3, right_size=5)
    assert _batches(a) == [[0, 0], [1, 2], [2, 4]]
    assert _batches(b) == [[5, 10], [6, 12], [7, 14], [8, 16], [9, 18]]
    ds = cf.data.Dataset.from_tensor_slices(np.arange(10)).batch(4)
    a, b = U.split_dataset(ds, right_size=0.3, shuffle=True, seed=0)
    left, right = np.concatenate(_batches(a)), np.concatenate(_batches(b))
    assert len(left) == 7 and len(right) == 3 and len(_batches(a)[0]) == 4
    assert sorted(left.tolist() + right.tolist()) == list(range(10))
    with pytest.raises(ValueError, match="At least one"):
        U.split_dataset(np.arange(4))
    with pytest.raises(ValueError, match="left_size"):
        U.split_dataset(np.arange(4), left_size=4)
    with pytest.raises(TypeError, match="left_size"):
        U.split_dataset(np.arange(4), left_size="2")


def test_timeseries_windows_are_gathered_per_batch():
    """The windows are not materialized up front (Keras builds them lazily too): a long
    series with long windows costs one batch of windows at a time."""
    x = np.arange(200_000 * 3, dtype="float32").reshape(200_000, 3)
    ds = U.timeseries_dataset_from_array(x, x[:, 0], sequence_length=100, sampling_rate=5,
                                         batch_size=64)
    source = ds
    while getattr(source, "_inputs", None):     # down to the from_tensor_slices stage
        source = source._inputs[0]
    assert sum(np.asarray(a).nbytes for a in source._arrays) < 10 * 2**20
    xb, yb = next(iter(ds.skip(3)))
    np.testing.assert_array_equal(np.asarray(xb)[1], x[193:193 + 500:5])
    assert np.asarray(yb)[1] == x[193, 0]
