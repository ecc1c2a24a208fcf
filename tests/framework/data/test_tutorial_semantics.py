"""tf.data behaviours met in tensorflow.org tutorials (tfguides round): functions see the
Python values of when the transformation was built, reduce's argument form, generator
outputs flattened up to the declared structure, make_csv_dataset's column order."""
import os

import numpy as np
import pytest

import cuflow as cf

D = cf.data.Dataset


def test_map_freezes_loop_variable_like_tf_tracing():
    parts = []
    for i in range(3):
        parts.append(D.range(2).map(lambda x: x * 0 + i))
    ds = parts[0].concatenate(parts[1]).concatenate(parts[2])
    assert list(ds.as_numpy_iterator()) == [0, 0, 1, 1, 2, 2]


def test_filter_and_flat_map_freeze_closure_cells():
    def build():
        out = []
        for k in (1, 2):
            out.append(D.range(4).filter(lambda x: x % 2 == k % 2)
                       .flat_map(lambda x: D.from_tensors(x * k)))
        return out
    a, b = build()
    assert list(a.as_numpy_iterator()) == [1, 3]
    assert list(b.as_numpy_iterator()) == [0, 4]


def test_freeze_keeps_shared_objects_and_rebinding_functions():
    v = cf.Variable(1, dtype=cf.int64)
    ds = D.range(2).map(lambda x: x + v)
    v.assign(10)                     # Variables are captured by reference, as in TF
    assert list(ds.as_numpy_iterator()) == [10, 11]
    calls = []

    def counting(x):
        calls.append(1)              # a mutated container stays shared
        return x
    list(D.range(3).map(counting).as_numpy_iterator())
    assert len(calls) >= 3


def test_reduce_passes_the_element_whole():
    ds = D.from_tensor_slices(([1, 2], [3, 4]))
    assert int(ds.reduce(0, lambda s, x: s + x[0] + x[1])) == 10
    with pytest.raises(TypeError):
        ds.reduce(0, lambda s, a, b: s + a + b)
    counts = D.from_tensor_slices(([1.0, 2.0], [0, 1])).reduce(
        {"n0": 0, "n1": 0},
        lambda c, b: {"n0": c["n0"] + cf.cast(b[1] == 0, cf.int32),
                      "n1": c["n1"] + cf.cast(b[1] == 1, cf.int32)})
    assert (int(counts["n0"]), int(counts["n1"])) == (1, 1)


def test_from_generator_output_shapes_up_to_output_types():
    def gen():
        yield 1, [1.0, 2.0]
    ds = D.from_generator(gen, output_types=(cf.int32, cf.float32),
                          output_shapes=((), (None,)))
    spec = ds.element_spec
    assert spec[0].shape.as_list() == [] and spec[1].shape.as_list() == [None]


def test_from_generator_tuple_for_single_spec():
    def gen():
        for i in range(3):
            yield (i,)
    ds = D.from_generator(gen, output_signature=cf.TensorSpec((1,), cf.int64))
    assert [x.tolist() for x in ds.as_numpy_iterator()] == [[0], [1], [2]]
    bad = D.from_generator(lambda: iter([(1, 2)]), output_signature=(cf.TensorSpec((), cf.int32),))
    with pytest.raises(TypeError):
        list(bad)


def test_make_csv_dataset_select_columns_in_file_order(tmp_path):
    p = os.path.join(tmp_path, "t.csv")
    with open(p, "w") as f:
        f.write("survived,age,class\n0,20.5,First\n1,21,Second\n")
    ds = cf.data.experimental.make_csv_dataset(p, 2, select_columns=["class", "survived"],
                                               shuffle=False, num_epochs=1)
    b = next(iter(ds))
    assert list(b) == ["survived", "class"]
    assert b["survived"].dtype == cf.int32 and b["class"].dtype == cf.string
