"""Differential cases: creation, shape and movement ops, indexing, gathers and scatters."""
from __future__ import annotations

import numpy as np

from .inputs import CaseList, arr, grad

X = arr("x234", (2, 3, 4), "float32")
M = arr("m34", (3, 4), "float32")
V = arr("v5", (5,), "float32")
I34 = arr("i34", (3, 4), "int32", -5, 5)


def _creation(c):
    for dt in ("float32", "int32", "float16", "bool", "int64", "complex64", "uint8",
               "bfloat16", "float64"):
        c.add(f"zeros/{dt}", lambda T, dt=dt: T.zeros([2, 3], dtype=getattr(T, dt)))
        c.add(f"ones/{dt}", lambda T, dt=dt: T.ones((2,), getattr(T, dt)))
        c.add(f"zeros_like/{dt}", lambda T, dt=dt: T.zeros_like(T.constant(M), dtype=getattr(
            T, dt)))
        c.add(f"ones_like/{dt}", lambda T, dt=dt: T.ones_like(T.constant(I34), dtype=getattr(
            T, dt)))
        c.add(f"fill/{dt}", lambda T, dt=dt: T.fill([2, 2], T.cast(3, getattr(T, dt))))
        c.add(f"constant/dtype_{dt}", lambda T, dt=dt: T.constant([1, 0, 2], dtype=getattr(
            T, dt)))
        c.add(f"range/{dt}", lambda T, dt=dt: T.range(1, 7, 2, dtype=getattr(T, dt)))
    c.add("zeros/tensor_shape", lambda T: T.zeros(T.constant([2, 1])))
    c.add("zeros/empty", lambda T: T.zeros([0, 3]))
    c.add("zeros/scalar", lambda T: T.zeros([]))
    c.add("zeros/negative", lambda T: T.zeros([-1, 2]))
    c.add("fill/python", lambda T: T.fill([2], 1.5))
    c.add("fill/int", lambda T: T.fill([2], 7))
    c.add("constant/shape", lambda T: T.constant(2.0, shape=[2, 3]))
    c.add("constant/shape_reshape", lambda T: T.constant([1, 2, 3, 4], shape=[2, 2]))
    c.add("constant/shape_bad", lambda T: T.constant([1, 2, 3], shape=[2, 2]))
    c.add("constant/float_list", lambda T: T.constant([1, 2.5]))
    c.add("constant/int_big", lambda T: T.constant([2 ** 40]))
    c.add("constant/int_overflow_dtype", lambda T: T.constant([300], dtype=T.int8))
    c.add("constant/float_to_int", lambda T: T.constant([1.5], dtype=T.int32))
    c.add("constant/np_f64", lambda T: T.constant(np.array([1.0])))
    c.add("constant/bool", lambda T: T.constant(True))
    c.add("constant/complex", lambda T: T.constant(1 + 2j))
    c.add("constant/ragged", lambda T: T.constant([[1, 2], [3]]))
    c.add("constant/empty_list", lambda T: T.constant([]))
    c.add("constant/nested_empty", lambda T: T.constant([[], []]))
    c.add("convert/dtype_hint", lambda T: T.convert_to_tensor(1, dtype_hint=T.float32))
    c.add("convert/dtype_mismatch", lambda T: T.convert_to_tensor(T.constant(1), dtype=T.float32))
    c.add("range/one_arg", lambda T: T.range(5))
    c.add("range/float", lambda T: T.range(0.0, 1.0, 0.3))
    c.add("range/neg_delta", lambda T: T.range(5, 0, -2))
    c.add("range/empty", lambda T: T.range(5, 0))
    c.add("range/mixed", lambda T: T.range(0, 2.5))
    c.add("range/zero_delta", lambda T: T.range(0, 5, 0))
    c.add("range/tensor", lambda T: T.range(T.constant(3)))
    c.add("range/i64_limit", lambda T: T.range(T.constant(3, T.int64)))
    c.add("linspace/basic", lambda T: T.linspace(0.0, 1.0, 5))
    c.add("linspace/int_args", lambda T: T.linspace(0, 10, 3))
    c.add("linspace/f64", lambda T: T.linspace(T.constant(0.0, T.float64), 1.0, 4))
    c.add("linspace/one", lambda T: T.linspace(2.0, 5.0, 1))
    c.add("linspace/vector", lambda T: T.linspace([0.0, 1.0], [1.0, 3.0], 3, axis=-1))
    c.add("eye/basic", lambda T: T.eye(3))
    c.add("eye/rect", lambda T: T.eye(2, 4, dtype=T.int32))
    c.add("eye/batch", lambda T: T.eye(2, batch_shape=[3]))
    c.add("one_hot/basic", lambda T: T.one_hot([0, 2, -1, 5], 3))
    c.add("one_hot/onoff", lambda T: T.one_hot([[0, 2], [1, 1]], 3, on_value=5, off_value=-1))
    c.add("one_hot/axis0", lambda T: T.one_hot([0, 2], 3, axis=0))
    c.add("one_hot/dtype", lambda T: T.one_hot([0, 2], 3, dtype=T.int64))
    c.add("one_hot/float_on", lambda T: T.one_hot([1], 2, on_value=2.0))
    c.add("one_hot/bool", lambda T: T.one_hot([1], 2, on_value=True, off_value=False))
    c.add("one_hot/int64_idx", lambda T: T.one_hot(T.constant([1, 0], T.int64), 2))
    c.add("one_hot/uint8_idx", lambda T: T.one_hot(T.constant(np.array([1, 0], np.uint8)), 2))


def _shapes(c):
    t = lambda T: T.constant(X)
    for tag, s in (("flat", [-1]), ("2d", [4, -1]), ("same", [2, 3, 4]), ("bad", [5, -1]),
                   ("two_neg", [-1, -1]), ("scalar_bad", []), ("tuple", (6, 4)),
                   ("zero", [0, -1])):
        c.add(f"reshape/{tag}", lambda T, s=s: T.reshape(t(T), s))
    c.add("reshape/empty_neg", lambda T: T.reshape(T.zeros((0, 3)), [-1, 3]))
    c.add("reshape/tensor_shape", lambda T: T.reshape(t(T), T.constant([4, 6])))
    c.add("reshape/to_scalar", lambda T: T.reshape(T.constant([5]), []))
    c.add("transpose/default", lambda T: T.transpose(t(T)))
    c.add("transpose/perm", lambda T: T.transpose(t(T), [1, 0, 2]))
    c.add("transpose/neg_perm", lambda T: T.transpose(t(T), [-1, 0, 1]))
    c.add("transpose/bad_perm", lambda T: T.transpose(t(T), [0, 0, 1]))
    c.add("transpose/conj", lambda T: T.transpose(T.constant([[1 + 2j, 3j]]), conjugate=True))
    c.add("transpose/1d", lambda T: T.transpose(T.constant(V)))
    for ax in (0, 1, -1, 3, -4):
        c.add(f"expand_dims/{ax}", lambda T, ax=ax: T.expand_dims(t(T), ax))
    c.add("squeeze/all", lambda T: T.squeeze(T.zeros((1, 2, 1, 3))))
    c.add("squeeze/axis", lambda T: T.squeeze(T.zeros((1, 2, 1, 3)), axis=[-2]))
    c.add("squeeze/bad", lambda T: T.squeeze(T.zeros((1, 2, 1, 3)), axis=1))
    c.add("squeeze/int_axis", lambda T: T.squeeze(T.zeros((1, 2, 1, 3)), 0))
    for ax in (0, 1, -1, 2):
        c.add(f"concat/{ax}", lambda T, ax=ax: T.concat([M, M * 2], ax))
        c.add(f"stack/{ax}", lambda T, ax=ax: T.stack([M, M * 2], axis=ax))
        c.add(f"unstack/{ax}", lambda T, ax=ax: T.unstack(T.constant(M), axis=ax))
    c.add("concat/bad_shape", lambda T: T.concat([M, V], 0))
    c.add("concat/mixed_dtype", lambda T: T.concat([T.constant([1.0]), T.constant([1])], 0))
    c.add("concat/single", lambda T: T.concat([M], 0))
    c.add("concat/empty_part", lambda T: T.concat([M, np.zeros((0, 4), np.float32)], 0))
    c.add("concat/scalars_bad", lambda T: T.concat([1.0, 2.0], 0))
    c.add("stack/scalars", lambda T: T.stack([1.0, 2.0]))
    c.add("stack/mixed_py", lambda T: T.stack([T.constant(1.0), 2.0]))
    c.add("stack/bad", lambda T: T.stack([M, V]))
    c.add("unstack/num", lambda T: T.unstack(T.constant(M), num=3))
    c.add("split/num", lambda T: T.split(T.constant(X), 2, axis=-1))
    c.add("split/sizes", lambda T: T.split(T.constant(X), [1, -1, 1], axis=1))
    c.add("split/bad", lambda T: T.split(T.constant(X), 3, axis=2))
    c.add("split/num_kw", lambda T: T.split(T.constant(V), [2, 3], num=2))
    c.add("tile/basic", lambda T: T.tile(T.constant(M), [2, 1]))
    c.add("tile/bad", lambda T: T.tile(T.constant(M), [2]))
    c.add("tile/zero", lambda T: T.tile(T.constant(M), [0, 2]))
    for mode in ("CONSTANT", "REFLECT", "SYMMETRIC", "constant", "reflect"):
        c.add(f"pad/{mode}", lambda T, mode=mode: T.pad(T.constant(M), [[1, 2], [2, 1]], mode))
    c.add("pad/value", lambda T: T.pad(T.constant(I34), [[1, 0], [0, 1]], constant_values=7))
    c.add("pad/reflect_bad", lambda T: T.pad(T.constant(M), [[3, 0], [0, 0]], "REFLECT"))
    c.add("pad/bad_rank", lambda T: T.pad(T.constant(M), [[1, 0]]))
    c.add("broadcast_to/basic", lambda T: T.broadcast_to(T.constant(V), [2, 5]))
    c.add("broadcast_to/bad", lambda T: T.broadcast_to(T.constant(V), [2, 3]))
    c.add("shape/basic", lambda T: T.shape(T.constant(X)))
    c.add("shape/out_type", lambda T: T.shape(T.constant(X), out_type=T.int64))
    c.add("size/basic", lambda T: T.size(T.constant(X)))
    c.add("size/out_type", lambda T: T.size(T.constant(X), out_type=T.int64))
    c.add("rank/basic", lambda T: T.rank(T.constant(X)))
    c.add("shape_n/basic", lambda T: T.shape_n([T.constant(X), T.constant(V)]))
    c.add("tensor/shape_attr", lambda T: T.constant(X).shape)
    c.add("tensor/ndim", lambda T: T.constant(X).ndim)
    c.add("tensor/dtype", lambda T: T.constant(X).dtype)
    c.add("tensor/numpy_scalar", lambda T: T.constant(3.0).numpy())
    c.add("tensor/len", lambda T: len(T.constant(X)))
    c.add("tensor/int", lambda T: int(T.constant(3)))
    c.add("tensor/float", lambda T: float(T.constant(3.5)))
    c.add("tensor/bool_bad", lambda T: bool(T.constant([1, 2])))
    c.add("tensor/iter", lambda T: list(T.constant(M)))
    c.add("tensor/get_shape", lambda T: T.constant(X).get_shape())
    c.add("reverse/ax", lambda T: T.reverse(T.constant(X), [0, -1]))
    c.add("reverse/bad", lambda T: T.reverse(T.constant(X), [3]))
    c.add("roll/basic", lambda T: T.roll(T.constant(X), shift=[1, -2], axis=[0, 2]))
    c.add("roll/scalar", lambda T: T.roll(T.constant(V), 7, 0))
    c.add("sequence_mask/basic", lambda T: T.sequence_mask([1, 3, 0], 4))
    c.add("sequence_mask/nomax", lambda T: T.sequence_mask([[1, 2], [3, 0]]))
    c.add("sequence_mask/dtype", lambda T: T.sequence_mask([1, 2], 3, dtype=T.float32))
    c.add("repeat/scalar", lambda T: T.repeat(T.constant(M), 2, axis=0))
    c.add("repeat/vec", lambda T: T.repeat(T.constant(M), [1, 0, 2], axis=0))
    c.add("repeat/flat", lambda T: T.repeat(T.constant(M), 2))
    c.add("meshgrid/xy", lambda T: T.meshgrid([1, 2, 3], [4, 5]))
    c.add("meshgrid/ij", lambda T: T.meshgrid([1, 2, 3], [4, 5], indexing="ij"))
    c.add("identity/basic", lambda T: T.identity(T.constant(V)))
    c.add("identity_n/basic", lambda T: T.identity_n([T.constant(V), T.constant(1)]))
    c.add("ensure_shape/ok", lambda T: T.ensure_shape(T.constant(M), [3, None]))
    c.add("ensure_shape/bad", lambda T: T.ensure_shape(T.constant(M), [3, 5]))
    c.add("depth_to_space", lambda T: T.nn.depth_to_space(T.reshape(T.range(16.0), [1, 2, 2, 4]), 2))
    c.add("space_to_depth", lambda T: T.nn.space_to_depth(T.reshape(T.range(16.0), [1, 4, 4, 1]), 2))
    c.add("reverse_sequence", lambda T: T.reverse_sequence(T.constant(M), [1, 4, 2], seq_axis=1,
                                                           batch_axis=0))
    c.add("grad/concat", lambda T: grad(T, lambda a, b: T.concat([a, b], 0) ** 2, M, M))
    c.add("grad/stack", lambda T: grad(T, lambda a, b: T.stack([a, b], 1) ** 2, M, M))
    c.add("grad/tile", lambda T: grad(T, lambda a: T.tile(a, [2, 3]) ** 2, M))
    c.add("grad/pad_reflect", lambda T: grad(T, lambda a: T.pad(a, [[1, 1], [2, 1]], "REFLECT")
                                             ** 2, M))
    c.add("grad/transpose", lambda T: grad(T, lambda a: T.transpose(a) @ a, M))
    c.add("grad/split", lambda T: grad(T, lambda a: T.split(a, 2, axis=1)[0] ** 2, M))
    c.add("grad/unstack_one", lambda T: grad(T, lambda a: T.unstack(a)[1] ** 2, M))
    c.add("grad/broadcast_to", lambda T: grad(T, lambda a: T.broadcast_to(a, [3, 5]) ** 2, V))
    c.add("grad/reshape", lambda T: grad(T, lambda a: T.reshape(a, [-1]) ** 3, M))


def _indexing(c):
    keys = {
        "int": 1, "neg": -1, "slice": slice(1, None), "rev": slice(None, None, -1),
        "step2": (slice(None, None, 2), 1), "ellipsis": (Ellipsis, 0), "newaxis": None,
        "mix": (slice(None), None, slice(1, 3)), "oob_slice": slice(1, 10),
        "neg_step_range": slice(-1, 0, -2), "int_ell_int": (0, Ellipsis, -1),
        "two_ell": (Ellipsis, Ellipsis), "oob_int": 5, "empty": slice(2, 1),
        "tuple_all": (1, 2, 3), "too_many": (0, 0, 0, 0),
        "step0": slice(None, None, 0), "float_idx": 1.0, "list_idx": [0, 1],
        "none_ell_none": (None, Ellipsis, None),
    }
    for tag, k in keys.items():
        c.add(f"getitem/{tag}", lambda T, k=k: T.constant(X)[k])
    c.add("getitem/tensor_int", lambda T: T.constant(X)[T.constant(1)])
    c.add("getitem/tensor_slice", lambda T: T.constant(X)[T.constant(1):T.constant(2)])
    c.add("getitem/bool_mask", lambda T: T.constant(V)[T.constant(V) > 0])
    c.add("getitem/int64_tensor", lambda T: T.constant(X)[T.constant(1, T.int64)])
    c.add("getitem/np_int", lambda T: T.constant(X)[np.int64(1), np.int32(2)])
    c.add("getitem/scalar", lambda T: T.constant(3.0)[None])
    c.add("grad/getitem", lambda T: grad(T, lambda a: a[::2, 1:] ** 2, M))
    c.add("grad/getitem_int", lambda T: grad(T, lambda a: a[1] * 3, M))
    for tag, kw in (("plain", {}), ("begin_mask", {"begin_mask": 1}),
                    ("end_mask", {"end_mask": 2}), ("shrink", {"shrink_axis_mask": 1}),
                    ("new_axis", {"new_axis_mask": 2}), ("ellipsis", {"ellipsis_mask": 2}),
                    ("all", {"begin_mask": 4, "end_mask": 4, "shrink_axis_mask": 1}),
                    ("ell_new", {"ellipsis_mask": 1, "new_axis_mask": 2})):
        c.add(f"strided_slice/{tag}", lambda T, kw=kw: T.strided_slice(
            T.constant(X), [1, 0, 1], [2, 3, 4], [1, 2, 2], **kw))
        c.add(f"strided_slice/neg/{tag}", lambda T, kw=kw: T.strided_slice(
            T.constant(X), [-1, -1, -2], [-3, 0, 0], [-1, -2, -1], **kw))
    c.add("strided_slice/default_strides", lambda T: T.strided_slice(T.constant(X), [0, 1],
                                                                      [1, 3]))
    c.add("strided_slice/shrink_oob", lambda T: T.strided_slice(T.constant(X), [5], [6], [1],
                                                                 shrink_axis_mask=1))
    c.add("slice/basic", lambda T: T.slice(T.constant(X), [0, 1, 1], [2, -1, 2]))
    c.add("slice/bad", lambda T: T.slice(T.constant(X), [0, 1, 1], [2, 5, 2]))
    c.add("slice/tensor", lambda T: T.slice(T.constant(X), T.constant([1, 0, 0]), [1, 1, 1]))


def _gathers(c):
    c.add("gather/basic", lambda T: T.gather(T.constant(M), [2, 0, 2]))
    c.add("gather/axis", lambda T: T.gather(T.constant(X), [[1, 0], [3, 3]], axis=-1))
    c.add("gather/batch_dims", lambda T: T.gather(T.constant(X), [[0, 2], [1, 1]], axis=2,
                                                  batch_dims=1))
    c.add("gather/neg_idx", lambda T: T.gather(T.constant(M), [-1]))
    c.add("gather/oob", lambda T: T.gather(T.constant(M), [3]))
    c.add("gather/int64", lambda T: T.gather(T.constant(M), T.constant([1], T.int64)))
    c.add("gather/float_idx", lambda T: T.gather(T.constant(M), [1.0]))
    c.add("gather/scalar_idx", lambda T: T.gather(T.constant(M), 1))
    c.add("gather/empty", lambda T: T.gather(T.constant(M), T.zeros([0], T.int32)))
    c.add("gather_nd/basic", lambda T: T.gather_nd(T.constant(X), [[0, 1], [1, 2]]))
    c.add("gather_nd/full", lambda T: T.gather_nd(T.constant(X), [[0, 1, 3]]))
    c.add("gather_nd/batch", lambda T: T.gather_nd(T.constant(X), [[1], [2]], batch_dims=1))
    c.add("gather_nd/oob", lambda T: T.gather_nd(T.constant(X), [[2, 0]]))
    c.add("boolean_mask/basic", lambda T: T.boolean_mask(T.constant(M), [True, False, True]))
    c.add("boolean_mask/axis", lambda T: T.boolean_mask(T.constant(M), [True, False, True,
                                                                        False], axis=1))
    c.add("boolean_mask/2d", lambda T: T.boolean_mask(T.constant(M), T.constant(M) > 0))
    c.add("boolean_mask/bad", lambda T: T.boolean_mask(T.constant(M), [True, False]))
    c.add("where/one_arg", lambda T: T.where(T.constant(M) > 0))
    c.add("where/three", lambda T: T.where(T.constant(M) > 0, T.constant(M), 0.0))
    c.add("where/bcast", lambda T: T.where([True, False, True], 1.0, T.zeros((2, 3))))
    c.add("where/int_cond", lambda T: T.where(T.constant([1, 0]), 1.0, 2.0))
    c.add("where/mixed", lambda T: T.where(T.constant([True]), T.constant([1]), T.constant([1.0])))
    c.add("where/nonbool_1arg", lambda T: T.where(T.constant([1.0, 0.0, 2.0])))
    c.add("where/none_y", lambda T: T.where(T.constant([True]), T.constant([1.0])))
    c.add("grad/where", lambda T: grad(T, lambda a: T.where(a > 0, a * a, a), M))
    c.add("grad/gather", lambda T: grad(T, lambda a: T.gather(a, [0, 0, 2]) ** 2, M))
    c.add("grad/gather_nd", lambda T: grad(T, lambda a: T.gather_nd(a, [[0, 1], [0, 1]]) * 2, M))
    c.add("grad/boolean_mask", lambda T: grad(T, lambda a: T.boolean_mask(a, [True, False, True])
                                              ** 2, M))
    u = arr("upd", (2, 4), "float32")
    for op in ("update", "add", "sub", "max", "min"):
        c.add(f"tensor_scatter_nd/{op}", lambda T, op=op: getattr(
            T, f"tensor_scatter_nd_{op}")(T.constant(M), [[0], [2]], u))
        c.add(f"tensor_scatter_nd/{op}/dup", lambda T, op=op: getattr(
            T, f"tensor_scatter_nd_{op}")(T.constant(M), [[1, 1], [1, 1]], [5.0, 6.0]))
        c.add(f"tensor_scatter_nd/{op}/oob", lambda T, op=op: getattr(
            T, f"tensor_scatter_nd_{op}")(T.constant(M), [[3]], u[:1]))
    c.add("tensor_scatter_nd/add/ignore", lambda T: T.tensor_scatter_nd_add(
        T.constant(M), [[0], [7], [2]], T.ones((3, 4)), bad_indices_policy="IGNORE"))
    c.add("tensor_scatter_nd/max/ignore", lambda T: T.tensor_scatter_nd_max(
        T.constant(M), [[1, 1], [-1, 0]], [9.0, 9.0], bad_indices_policy="IGNORE"))
    c.add("scatter_nd/ignore", lambda T: T.scatter_nd([[0], [5], [2]], [1, 2, 3], [4],
                                                      bad_indices_policy="IGNORE"))
    c.add("gather_nd/ignore", lambda T: T.gather_nd(T.constant(X), [[0, 1], [2, 0], [1, 3]],
                                                    bad_indices_policy="IGNORE"))
    c.add("gather_nd/error_policy", lambda T: T.gather_nd(T.constant(X), [[2, 0]],
                                                          bad_indices_policy="ERROR"))
    c.add("scatter_nd/basic", lambda T: T.scatter_nd([[0], [2], [0]], [1, 2, 3], [4]))
    c.add("scatter_nd/2d", lambda T: T.scatter_nd([[1, 0]], T.constant([[5.0]])[0], [2, 2]))
    c.add("grad/tensor_scatter_update", lambda T: grad(
        T, lambda a, b: T.tensor_scatter_nd_update(a, [[0], [2]], b) ** 2, M, u))
    c.add("unique/basic", lambda T: T.unique([3, 1, 3, 2, 1]))
    c.add("unique/out_idx", lambda T: T.unique([3, 1, 3], out_idx=T.int64))
    c.add("unique/float", lambda T: T.unique([1.5, -0.0, 0.0, 1.5]))
    c.add("unique_with_counts/basic", lambda T: T.unique_with_counts([3, 1, 3, 2, 1]))
    c.add("sort/basic", lambda T: T.sort(T.constant(M)))
    c.add("sort/desc_axis0", lambda T: T.sort(T.constant(M), axis=0, direction="DESCENDING"))
    c.add("sort/int", lambda T: T.sort(T.constant(I34), direction="DESCENDING"))
    c.add("sort/bad_dir", lambda T: T.sort(T.constant(M), direction="UP"))
    c.add("argsort/stable", lambda T: T.argsort([3, 1, 3, 1, 2], stable=True))
    c.add("argsort/desc", lambda T: T.argsort([3, 1, 3, 1, 2], direction="DESCENDING",
                                              stable=True))
    c.add("top_k/basic", lambda T: T.math.top_k(T.constant(M), 2))
    c.add("top_k/ties", lambda T: T.math.top_k([1, 3, 3, 2, 3], k=2))
    c.add("top_k/k_too_big", lambda T: T.math.top_k(T.constant(M), 5))
    c.add("top_k/k_default", lambda T: T.math.top_k(T.constant(V)))
    c.add("grad/top_k", lambda T: grad(T, lambda a: T.math.top_k(a, 2).values ** 2, M))
    c.add("grad/sort", lambda T: grad(T, lambda a: T.sort(a) * T.range(4.0), M))
    c.add("searchsorted/left", lambda T: T.searchsorted([[1, 3, 5], [0, 2, 4]], [[2, 5], [4, 9]]))
    c.add("searchsorted/right", lambda T: T.searchsorted([1.0, 3.0, 3.0], [3.0], side="right"))
    c.add("searchsorted/out64", lambda T: T.searchsorted([1.0, 3.0], [2.0], out_type=T.int64))
    c.add("in_top_k", lambda T: T.math.in_top_k([2, 0, 1], T.constant(M), 2))
    c.add("bincount/basic", lambda T: T.math.bincount([1, 1, 3]))
    c.add("bincount/weights", lambda T: T.math.bincount([1, 1, 3], weights=[0.5, 1.0, 2.0]))
    c.add("bincount/minmax", lambda T: T.math.bincount([1, 1, 3], minlength=6, maxlength=2))
    c.add("bincount/neg", lambda T: T.math.bincount([1, -1]))
    c.add("confusion_matrix", lambda T: T.math.confusion_matrix([0, 1, 2, 1], [0, 2, 2, 1]))
    c.add("confusion_matrix/num", lambda T: T.math.confusion_matrix([0, 1], [1, 1],
                                                                    num_classes=3,
                                                                    weights=[2.0, 3.0]))
    c.add("histogram_fixed_width", lambda T: T.histogram_fixed_width(
        [-1.0, 0.0, 1.5, 2.0, 5.0, 15.0], [0.0, 5.0], nbins=5))
    c.add("unravel_index", lambda T: T.unravel_index([5, 7], [3, 4]))
    c.add("invert_permutation", lambda T: T.math.invert_permutation([2, 0, 1]))
    c.add("dynamic_partition", lambda T: T.dynamic_partition([1.0, 2.0, 3.0, 4.0],
                                                             [1, 0, 1, 2], 3))
    c.add("dynamic_stitch", lambda T: T.dynamic_stitch([[0, 2], [1, 3]], [[1.0, 2.0],
                                                                         [3.0, 4.0]]))
    for op in ("segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod"):
        c.add(f"{op}/basic", lambda T, op=op: getattr(T.math, op)(T.constant(M), [0, 0, 2]))
        c.add(f"{op}/bad", lambda T, op=op: getattr(T.math, op)(T.constant(M), [1, 0, 0]))
        uop = "unsorted_" + op
        c.add(f"{uop}/basic", lambda T, uop=uop: getattr(T.math, uop)(T.constant(M), [2, 0, 2],
                                                                      num_segments=4))
        c.add(f"{uop}/neg", lambda T, uop=uop: getattr(T.math, uop)(T.constant(M), [2, -1, 2],
                                                                    3))
    c.add("grad/segment_max", lambda T: grad(T, lambda a: T.math.segment_max(a, [0, 0, 1]), M))
    c.add("clip_by_value/basic", lambda T: T.clip_by_value(T.constant(M), -1.0, 1.0))
    c.add("clip_by_value/int", lambda T: T.clip_by_value(T.constant(I34), -2, 2))
    c.add("clip_by_value/tensor", lambda T: T.clip_by_value(T.constant(M), [-1.0, 0, 0, 0], 1.0))
    c.add("clip_by_norm/basic", lambda T: T.clip_by_norm(T.constant(M), 1.0))
    c.add("clip_by_norm/axes", lambda T: T.clip_by_norm(T.constant(M), 1.0, axes=[1]))
    c.add("clip_by_global_norm", lambda T: T.clip_by_global_norm([M, V], 2.0))
    c.add("clip_by_global_norm/none", lambda T: T.clip_by_global_norm([M, None], 2.0))
    c.add("grad/clip_by_value", lambda T: grad(T, lambda a: T.clip_by_value(a, -1.0, 1.0), M))
    c.add("grad/clip_by_norm", lambda T: grad(T, lambda a: T.clip_by_norm(a, 1.0) * 2, M))


def cases():
    c = CaseList()
    _creation(c)
    _shapes(c)
    _indexing(c)
    _gathers(c)
    return c.items


def _dtype_sweep(c):
    """Movement ops over every dtype (incl. bool, complex, bfloat16 and string)."""
    from .inputs import ALL, const
    ops = {
        "concat": lambda T, a: T.concat([a, a], 1),
        "stack": lambda T, a: T.stack([a, a], -1),
        "unstack": lambda T, a: T.unstack(a, axis=1),
        "gather": lambda T, a: T.gather(a, [2, 0], axis=1),
        "gather_nd": lambda T, a: T.gather_nd(a, [[1, 2], [0, 0]]),
        "reshape": lambda T, a: T.reshape(a, [-1]),
        "transpose": lambda T, a: T.transpose(a),
        "tile": lambda T, a: T.tile(a, [2, 1]),
        "pad": lambda T, a: T.pad(a, [[1, 0], [0, 1]]),
        "reverse": lambda T, a: T.reverse(a, [1]),
        "roll": lambda T, a: T.roll(a, 1, 1),
        "where3": lambda T, a: T.where([[True, False, True]], a, a[::-1]),
        "boolean_mask": lambda T, a: T.boolean_mask(a, [True, False]),
        "expand_squeeze": lambda T, a: T.squeeze(T.expand_dims(a, 0), 0),
        "slice": lambda T, a: a[:, 1:],
        "identity": lambda T, a: T.identity(a),
        "zeros_like": lambda T, a: T.zeros_like(a),
        "ones_like": lambda T, a: T.ones_like(a),
        "broadcast_to": lambda T, a: T.broadcast_to(a[:1], [3, 3]),
        "scatter_update": lambda T, a: T.tensor_scatter_nd_update(a, [[0, 0]], a[1, :1]),
        "split": lambda T, a: T.split(a, [1, 2], axis=1),
        "repeat": lambda T, a: T.repeat(a, 2, axis=0),
        "equal": lambda T, a: T.equal(a, a[::-1]),
        "size_rank_shape": lambda T, a: (T.size(a), T.rank(a), T.shape(a)),
        "fill": lambda T, a: T.fill([2], a[0, 0]),
        "unique": lambda T, a: T.unique(T.reshape(a, [-1])),
        "sort": lambda T, a: T.sort(a),
        "cumsum": lambda T, a: T.cumsum(a, 1),
        "reduce_max": lambda T, a: T.reduce_max(a, 1),
        "clip": lambda T, a: T.clip_by_value(a, a[0, 0], a[1, 1]),
    }
    strings = np.array([["a", "bb", "c"], ["d", "ee", "f"]], dtype=object)
    for dt in ALL + ("string",):
        a = strings if dt == "string" else arr("sweep" + dt, (2, 3), dt, -3, 3)
        for name, f in ops.items():
            c.add(f"dtype_sweep/{name}/{dt}", lambda T, f=f, a=a, dt=dt: f(
                T, T.constant(a.tolist()) if dt == "string" else const(T, a, dt)))


_BASE_CASES = cases


def cases():
    c = CaseList()
    _dtype_sweep(c)
    return _BASE_CASES() + c.items
