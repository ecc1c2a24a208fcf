"""tf.cond / tf.case / tf.while_loop / tf.map_fn rules checked against TF 2.21."""
import pytest

import cuflow as cf


def test_graph_cond_checks_the_branch_not_taken():
    x = cf.constant(3)
    with pytest.raises(TypeError, match="same number, type, and overall structure"):
        cf.function(lambda: cf.cond(x > 2, lambda: cf.constant(1),
                                    lambda: cf.constant(1.0)))()
    with pytest.raises(TypeError, match="pred must not be a Python bool"):
        cf.function(lambda: cf.cond(True, lambda: 1, lambda: 2))()
    assert int(cf.function(lambda: cf.cond(x > 2, lambda: x * 2, lambda: x))()) == 6
    assert int(cf.cond(True, lambda: 1, lambda: 2)) == 1        # eagerly a bool is fine


def test_case_without_default_asserts_a_predicate_holds():
    x = cf.constant(3)
    assert int(cf.case([(x > 10, lambda: cf.constant(1)), (x > 2, lambda: cf.constant(2))])) \
        == 2
    with pytest.raises(cf.errors.InvalidArgumentError, match="None of conditions"):
        cf.case([(x > 10, lambda: cf.constant(10))])


def test_while_loop_body_must_return_the_loop_vars_structure():
    with pytest.raises(TypeError, match="scalar tensor"):
        cf.while_loop(lambda i: i < 10, lambda i: i + 3, [cf.constant(0)])
    with pytest.raises(ValueError, match="same nested structure"):
        cf.while_loop(lambda d: d["i"] < 3, lambda d: {"i": d["i"] + 1},
                      [{"i": cf.constant(0)}])
    out = cf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, cf.concat([v, [i]], 0)),
                        [cf.constant(0), cf.constant([9])],
                        shape_invariants=[cf.TensorShape([]), cf.TensorShape([None])])
    assert isinstance(out, tuple) and out[1].numpy().tolist() == [9, 0, 1, 2]
    assert cf.while_loop(lambda i: i < 3, lambda i: [i + 1], [cf.constant(0)])[0] == 3


def test_map_fn_over_no_elements():
    assert cf.map_fn(lambda t: t * 2, cf.zeros([0, 3])).shape == (0,)
    out = cf.map_fn(lambda t: t * 2, cf.zeros([0, 3]), fn_output_signature=cf.TensorSpec([3]))
    assert out.shape == (0, 3) and out.dtype == cf.float32
