"""RaggedTensor constructors, conversions and dispatch checked against TF 2.21."""
import cuflow as cf


def test_constructors_and_conversions():
    assert cf.RaggedTensor.from_tensor([[1, 0, 0], [2, 3, 0]], padding=0).dtype == cf.int32
    rt = cf.RaggedTensor.from_nested_row_lengths([1, 2, 3, 4], [[2, 1], [1, 1, 2]])
    assert rt.to_list() == [[[1], [2]], [[3, 4]]]
    assert rt.merge_dims(1, 2).to_list() == [[1, 2], [3, 4]]
    assert cf.RaggedTensor.from_uniform_row_length([1, 2, 3, 4], 2).to_list() == \
        [[1, 2], [3, 4]]
    flat = cf.ragged.constant([[1, 2, 3], [], [4, 5]])
    st = flat.to_sparse()
    assert st.dense_shape.numpy().tolist() == [3, 3]
    assert cf.RaggedTensor.from_sparse(st).to_list() == flat.to_list()
    assert cf.ragged.segment_ids_to_row_splits([0, 0, 2], num_segments=4).numpy().tolist() \
        == [0, 2, 2, 3, 3]
    assert cf.ragged.row_splits_to_segment_ids([0, 2, 2, 3]).numpy().tolist() == [0, 0, 2]


def test_ops_on_ragged():
    rt = cf.ragged.constant([[1, 2, 3], [], [4, 5]])
    assert (rt == rt).to_list() == [[True, True, True], [], [True, True]]
    assert cf.where(rt > 2, rt, cf.zeros_like(rt)).to_list() == [[0, 0, 3], [], [4, 5]]
    assert int(cf.size(rt)) == 5
    assert cf.gather(rt, [2, 0]).to_list() == [[4, 5], [1, 2, 3]]
    assert cf.is_tensor(rt) and cf.is_tensor(cf.sparse.from_dense([[1]]))
