"""Differential cases: result types, Variables, GradientTape features, eager control flow,
cf.function basics, nest, debugging asserts, TensorShape and DType."""
from __future__ import annotations

import numpy as np

from .inputs import CaseList, arr

M = arr("misc_m", (3, 4), "float32")
_A = arr("misc_a", (3, 3), "float64")
SPD = _A @ _A.T + 3 * np.eye(3)


def _fields(r):
    return type(r).__name__, list(getattr(r, "_fields", []))


def _results(c):
    c.add("result/top_k", lambda T: (_fields(T.math.top_k(M, 2)), T.math.top_k(M, 2).indices))
    c.add("result/unique", lambda T: (_fields(T.unique([1, 2, 1])), T.unique([1, 2, 1]).idx))
    c.add("result/unique_with_counts", lambda T: (
        _fields(T.unique_with_counts([1, 2, 1])), T.unique_with_counts([1, 2, 1]).count))
    c.add("result/qr", lambda T: (_fields(T.linalg.qr(SPD)), T.abs(T.linalg.qr(SPD).r)))
    c.add("result/slogdet", lambda T: (_fields(T.linalg.slogdet(SPD)),
                                       T.linalg.slogdet(SPD).log_abs_determinant))
    c.add("result/eigh", lambda T: type(T.linalg.eigh(SPD)).__name__)
    c.add("result/moments", lambda T: type(T.nn.moments(M, [0])).__name__)
    c.add("result/split", lambda T: type(T.split(M, 2, axis=1)).__name__)
    c.add("result/unstack", lambda T: type(T.unstack(M)).__name__)
    c.add("result/meshgrid", lambda T: type(T.meshgrid([1, 2], [3])).__name__)
    c.add("result/shape_type", lambda T: type(T.constant(M).shape).__name__)
    c.add("result/string_elements", lambda T: (
        type(T.constant(["ab", "c"]).numpy()[0]).__name__, type(T.constant("x").numpy()).__name__,
        T.constant(np.array(["x", "yz"])), T.constant([b"q"]).dtype,
        T.reduce_all(T.constant(["a"]) == T.constant([b"a"]))))
    c.add("result/dtype_name", lambda T: (T.constant(M).dtype.name, repr(T.float32)))


def _variables(c):
    def assign_chain(T):
        v = T.Variable([1.0, 2.0])
        a = v.assign([3.0, 4.0])
        b = v.assign_add([1.0, 1.0])
        d = v.assign_sub([0.5, 0.5])
        return a, b, d, v.read_value(), v.value()
    c.add("variable/assign_chain", assign_chain)
    c.add("variable/dtype_int", lambda T: T.Variable(3).dtype)
    c.add("variable/dtype_arg", lambda T: T.Variable([1, 2], dtype=T.float64))
    c.add("variable/trainable", lambda T: (T.Variable(1.0).trainable,
                                           T.Variable(1.0, trainable=False).trainable))
    c.add("variable/shape", lambda T: T.Variable(M).shape)
    c.add("variable/bad_shape", lambda T: T.Variable([1.0, 2.0]).assign([1.0, 2.0, 3.0]))
    c.add("variable/bad_dtype", lambda T: T.Variable([1.0, 2.0]).assign(T.constant([1, 2])))
    c.add("variable/assign_py_int", lambda T: T.Variable([1.0, 2.0]).assign([3, 4]))

    def sliced(T):
        v = T.Variable(M)
        v[0, 1].assign(9.0)
        v[1:, :2].assign(T.zeros((2, 2)))
        return v
    c.add("variable/sliced_assign", sliced)

    def scatter(T):
        v = T.Variable([1.0, 2.0, 3.0, 4.0])
        v.scatter_nd_update([[1], [3]], [10.0, 30.0])
        v.scatter_nd_add([[0]], [5.0])
        return v
    c.add("variable/scatter_nd", scatter)

    def scatter_slices(T):
        v = T.Variable(M)
        return v.scatter_update(T.IndexedSlices(T.ones((1, 4)), T.constant([2])))
    c.add("variable/scatter_update", scatter_slices)
    c.add("variable/ops", lambda T: (T.Variable(2.0) * 3, -T.Variable(2.0), T.Variable(2.0) ** 2,
                                     T.Variable([1.0]) > 0, abs(T.Variable(-1.0))))
    c.add("variable/numpy", lambda T: T.Variable([1, 2]).numpy())
    c.add("variable/convert", lambda T: T.convert_to_tensor(T.Variable([1.0])))
    c.add("variable/in_op", lambda T: T.reduce_sum(T.Variable(M), 0))
    c.add("variable/count_params", lambda T: int(np.prod(T.Variable(M).shape)))


def _tape(c):
    def persistent(T):
        x = T.constant(M)
        with T.GradientTape(persistent=True) as t:
            t.watch(x)
            y = T.reduce_sum(x * x)
            z = T.reduce_sum(T.sin(x))
        return t.gradient(y, x), t.gradient(z, x)
    c.add("tape/persistent", persistent)

    def twice(T):
        x = T.constant(2.0)
        with T.GradientTape() as t:
            t.watch(x)
            y = x * x
        t.gradient(y, x)
        return t.gradient(y, x)
    c.add("tape/twice_nonpersistent", twice)

    def second(T):
        x = T.constant([1.0, 2.0])
        with T.GradientTape() as t2:
            t2.watch(x)
            with T.GradientTape() as t1:
                t1.watch(x)
                y = T.reduce_sum(x ** 3)
            g = t1.gradient(y, x)
        return g, t2.gradient(g, x)
    c.add("tape/second_order", second)

    def jac(T):
        x = T.constant([1.0, 2.0, 3.0])
        with T.GradientTape(persistent=True) as t:
            t.watch(x)
            y = x[:, None] * x[None, :]
        return t.jacobian(y, x), t.jacobian(T.reduce_sum(y), x)
    c.add("tape/jacobian", jac)

    def bjac(T):
        x = T.constant(M)
        with T.GradientTape() as t:
            t.watch(x)
            y = T.tanh(x[:, :2]) * 2.0
        return t.batch_jacobian(y, x)
    c.add("tape/batch_jacobian", bjac)

    def variables(T):
        v = T.Variable([1.0, 2.0])
        w = T.Variable(3.0, trainable=False)
        with T.GradientTape() as t:
            y = T.reduce_sum(v * v * w)
        return t.gradient(y, [v, w]), [x.shape for x in t.watched_variables()]
    c.add("tape/variables", variables)

    def no_auto(T):
        v = T.Variable([1.0, 2.0])
        with T.GradientTape(watch_accessed_variables=False) as t:
            y = T.reduce_sum(v * v)
        return t.gradient(y, v)
    c.add("tape/no_auto_watch", no_auto)

    def stop(T):
        x = T.constant(2.0)
        with T.GradientTape() as t:
            t.watch(x)
            y = x * x
            with t.stop_recording():
                z = x * 10.0
            y = y + z
        return t.gradient(y, x)
    c.add("tape/stop_recording", stop)

    def out_grads(T):
        x = T.constant([1.0, 2.0])
        with T.GradientTape() as t:
            t.watch(x)
            y = x * x
        return t.gradient(y, x, output_gradients=T.constant([3.0, 5.0]))
    c.add("tape/output_gradients", out_grads)

    def list_target(T):
        x = T.constant([1.0, 2.0])
        with T.GradientTape() as t:
            t.watch(x)
            y1, y2 = x * 2.0, T.reduce_sum(x ** 2)
        return t.gradient([y1, y2], x)
    c.add("tape/list_target", list_target)

    def nested_sources(T):
        x, y = T.constant(1.0), T.constant(2.0)
        with T.GradientTape() as t:
            t.watch([x, y])
            z = x * y
        return t.gradient(z, {"a": x, "b": [y]})
    c.add("tape/dict_sources", nested_sources)

    def unwatched(T):
        x = T.constant(1.0)
        with T.GradientTape() as t:
            y = x * 2.0
        return t.gradient(y, x)
    c.add("tape/unwatched", unwatched)

    def int_var(T):
        v = T.Variable(2)
        with T.GradientTape() as t:
            y = v * 3
        return t.gradient(y, v)
    c.add("tape/int_variable", int_var)

    def cg(T):
        @T.custom_gradient
        def clip_grad(x):
            def grad(dy):
                return T.clip_by_value(dy, -0.5, 0.5)
            return x * 1.0, grad
        x = T.constant([1.0, 2.0])
        with T.GradientTape() as t:
            t.watch(x)
            y = clip_grad(x) * 10.0
        return t.gradient(y, x)
    c.add("tape/custom_gradient", cg)

    def through_cast(T):
        x = T.constant([1.5, 2.5])
        with T.GradientTape() as t:
            t.watch(x)
            y = T.cast(x, T.float16) * 2
        return t.gradient(y, x)
    c.add("tape/through_cast_f16", through_cast)

    def gather_grad(T):
        v = T.Variable(M)
        with T.GradientTape() as t:
            y = T.reduce_sum(T.gather(v, [0, 2, 0]))
        g = t.gradient(y, v)
        return type(g).__name__, T.convert_to_tensor(g)
    c.add("tape/gather_indexed_slices", gather_grad)


def _control(c):
    c.add("cond/true", lambda T: T.cond(T.constant(True), lambda: T.constant(1.0),
                                        lambda: T.constant(2.0)))
    c.add("cond/nested", lambda T: T.cond(T.constant(3) > 2, lambda: (T.constant(1), 2.0),
                                          lambda: (T.constant(0), 3.0)))
    c.add("cond/python_pred", lambda T: T.cond(False, lambda: 1, lambda: 2))
    c.add("case/basic", lambda T: T.case([(T.constant(False), lambda: T.constant(1)),
                                         (T.constant(True), lambda: T.constant(2))],
                                        default=lambda: T.constant(3)))
    c.add("switch_case/basic", lambda T: T.switch_case(T.constant(1), [
        lambda: T.constant(10), lambda: T.constant(20)]))
    c.add("switch_case/default", lambda T: T.switch_case(T.constant(7), [
        lambda: T.constant(10), lambda: T.constant(20)], default=lambda: T.constant(-1)))
    c.add("while_loop/basic", lambda T: T.while_loop(lambda i, s: i < 5,
                                                     lambda i, s: (i + 1, s + i),
                                                     (T.constant(0), T.constant(0))))
    c.add("while_loop/max_iter", lambda T: T.while_loop(lambda i: i < 100, lambda i: (i + 1,),
                                                        (T.constant(0),),
                                                        maximum_iterations=7))
    c.add("while_loop/single", lambda T: T.while_loop(lambda i: i < 3, lambda i: i + 1,
                                                      [T.constant(0)]))
    c.add("map_fn/basic", lambda T: T.map_fn(lambda x: x * 2, T.constant(M)))
    c.add("map_fn/signature", lambda T: T.map_fn(lambda x: T.cast(T.reduce_sum(x), T.int32),
                                                 T.constant(M),
                                                 fn_output_signature=T.int32))
    c.add("map_fn/tuple", lambda T: T.map_fn(lambda xy: xy[0] + xy[1],
                                             (T.constant(M), T.constant(M))))
    c.add("scan/basic", lambda T: T.scan(lambda a, x: a + x, T.constant(M)))
    c.add("scan/init_reverse", lambda T: T.scan(lambda a, x: a * 0.5 + x, T.constant(M),
                                                initializer=T.ones(4), reverse=True))
    c.add("foldl/basic", lambda T: T.foldl(lambda a, x: a + x, T.constant([1, 2, 3])))
    c.add("foldr/init", lambda T: T.foldr(lambda a, x: a - x, T.constant([1, 2, 3]),
                                          initializer=T.constant(10)))

    def func(T):
        @T.function
        def f(x, n):
            s = T.zeros_like(x)
            for i in T.range(n):
                if T.reduce_sum(x) > 0:
                    s += x * T.cast(i, x.dtype)
                else:
                    s -= x
            return s
        return f(T.constant(M), T.constant(3)), f(-T.constant(M), T.constant(2))
    c.add("function/autograph", func)

    def func_grad(T):
        @T.function
        def f(x):
            with T.GradientTape() as t:
                t.watch(x)
                y = T.reduce_sum(T.exp(x) * x)
            return t.gradient(y, x)
        return f(T.constant(M))
    c.add("function/gradient", func_grad)

    def func_var(T):
        v = T.Variable(1.0)

        @T.function
        def step(x):
            v.assign_add(x)
            return v.read_value() * 2
        return step(T.constant(2.0)), step(T.constant(3.0)), v
    c.add("function/variable", func_var)


def _scoped_name(T):
    outer = T.get_current_name_scope()
    with T.name_scope("a"), T.name_scope("b"):
        inner = T.get_current_name_scope()
    return outer, inner


def _nest_debug_shapes(c):
    st = {"b": [1, (2, 3)], "a": 4}
    c.add("nest/flatten", lambda T: T.nest.flatten(st))
    c.add("nest/map", lambda T: T.nest.map_structure(lambda x: x * 2, st))
    c.add("nest/pack", lambda T: T.nest.pack_sequence_as(st, [9, 8, 7, 6]))
    c.add("nest/assert_same", lambda T: T.nest.assert_same_structure([1, 2], [1, [2]]))
    c.add("debug/assert_equal", lambda T: T.debugging.assert_equal(T.constant([1, 2]),
                                                                   T.constant([1, 3])))
    c.add("debug/assert_equal_ok", lambda T: T.debugging.assert_equal(T.constant(1), 1))
    c.add("debug/assert_positive", lambda T: T.debugging.assert_positive(T.constant([1, -1])))
    c.add("debug/assert_rank", lambda T: T.debugging.assert_rank(T.constant(M), 3))
    c.add("debug/assert_shapes", lambda T: T.debugging.assert_shapes(
        [(T.constant(M), ("N", "K")), (T.ones((4, 2)), ("N", 2))]))
    c.add("debug/check_numerics", lambda T: T.debugging.check_numerics(
        T.constant([1.0, np.nan]), "bad"))
    c.add("debug/assert_near", lambda T: T.debugging.assert_near(T.constant(1.0),
                                                                 T.constant(1.1)))
    c.add("name_scope/current", lambda T: _scoped_name(T))
    c.add("debug/traceback_filtering", lambda T: (
        T.debugging.disable_traceback_filtering(),
        T.debugging.is_traceback_filtering_enabled(), T.debugging.enable_traceback_filtering(),
        T.debugging.is_traceback_filtering_enabled())[1::2])
    c.add("random/algorithm", lambda T: (T.random.Algorithm.PHILOX.value,
                                         T.random.Algorithm.AUTO_SELECT.value))
    c.add("shape/as_list", lambda T: T.TensorShape([2, None, 3]).as_list())
    c.add("shape/rank", lambda T: T.TensorShape([2, None, 3]).rank)
    c.add("shape/concat", lambda T: T.TensorShape([2]).concatenate([3, None]))
    c.add("shape/merge", lambda T: T.TensorShape([2, None]).merge_with([None, 3]))
    c.add("shape/merge_bad", lambda T: T.TensorShape([2, None]).merge_with([3, 3]))
    c.add("shape/compatible", lambda T: T.TensorShape([2, None]).is_compatible_with([2, 5]))
    c.add("shape/num_elements", lambda T: (T.TensorShape([2, 3]).num_elements(),
                                           T.TensorShape([2, None]).num_elements()))
    c.add("shape/index", lambda T: (T.TensorShape([2, 3])[1], T.TensorShape([2, 3])[1:]))
    c.add("shape/eq", lambda T: (T.TensorShape([2, 3]) == [2, 3],
                                 T.TensorShape([2, None]) == [2, None]))
    c.add("shape/fully_defined", lambda T: T.TensorShape([2, None]).is_fully_defined())
    c.add("shape/unknown", lambda T: T.TensorShape(None).rank)
    for name in ("float16", "bfloat16", "float32", "int8", "uint8", "int64", "bool",
                 "complex64"):
        c.add(f"dtype/{name}", lambda T, name=name: (
            getattr(T, name).is_floating, getattr(T, name).is_integer,
            getattr(T, name).is_complex, getattr(T, name).is_bool, getattr(T, name).size,
            str(getattr(T, name).real_dtype.name), getattr(T, name).is_unsigned,
            str(np.dtype(getattr(T, name).as_numpy_dtype))))
        if name not in ("bool", "complex64"):
            c.add(f"dtype/{name}_limits", lambda T, name=name: (
                float(getattr(T, name).min), float(getattr(T, name).max)))
    c.add("dtype/as_dtype", lambda T: (T.as_dtype("float").name, T.as_dtype(np.int16).name,
                                       T.dtypes.as_dtype("half").name))
    c.add("dtype/as_dtype_bad", lambda T: T.as_dtype("float128"))
    c.add("dtype/compare", lambda T: (T.float32 == np.float32, T.float32 == "float32",
                                      T.int32 == T.int64))


def cases():
    c = CaseList()
    _results(c)
    _variables(c)
    _tape(c)
    _control(c)
    _nest_debug_shapes(c)
    _traced(c)
    return c.items + more_cases() + grad_sweep_cases()



def _traced_array(T, a):
    return (T.transpose(a), T.reshape(a, [-1, 2]), T.concat([a, a], 1), a[1:, ::2], a[..., -1],
            T.gather(a, [2, 0]), T.tile(a, [1, 2]), T.expand_dims(a, 0), T.squeeze(a[:1]),
            T.where(a > 1.0, a, -a), T.one_hot(T.argmax(a, 1), 4), T.cumsum(a, 1),
            T.stack([a, a], -1), T.pad(a, [[1, 0], [0, 2]]), T.reverse(a, [1]),
            T.sort(a, direction="DESCENDING"), T.math.top_k(a, 2).values)


def _traced_nn(T, a):
    return (T.nn.softmax(a), T.nn.log_softmax(a, 0), T.nn.relu6(a * 4), T.nn.gelu(a),
            T.nn.l2_normalize(a, 1), T.nn.moments(a, [0]),
            T.nn.sparse_softmax_cross_entropy_with_logits([1, 0, 3], a))


def _traced_grad(T, a):
    with T.GradientTape() as t:
        t.watch(a)
        y = T.reduce_sum(T.nn.softmax(a) * T.sin(a))
    return t.gradient(y, a)


def _traced(c):
    """The same math inside ``T.function``: a traced cuflow graph must give TF's numbers."""
    x = arr("traced_x", (3, 4), "float32", 0.2, 2.0)
    y = arr("traced_y", (4,), "float32", 0.5, 2.0)
    i = arr("traced_i", (3, 4), "int32", -5, 5)

    def fn1(T, f, a=x):
        return T.function(f)(T.constant(a))
    for op in ("exp", "log", "sqrt", "tanh", "sigmoid", "abs", "square", "floor", "round",
               "erf", "softplus", "reciprocal", "rsqrt", "sign", "negative"):
        c.add(f"traced/unary/{op}", lambda T, op=op: fn1(T, getattr(T.math, op)))
    for op in ("add", "subtract", "multiply", "divide", "pow", "maximum", "minimum",
               "floordiv", "floormod", "squared_difference", "atan2", "greater", "equal"):
        c.add(f"traced/binary/{op}", lambda T, op=op: T.function(getattr(T.math, op))(
            T.constant(x), T.constant(y)))
    for op in ("reduce_sum", "reduce_mean", "reduce_max", "reduce_prod", "reduce_logsumexp",
               "reduce_std", "argmax"):
        c.add(f"traced/reduce/{op}", lambda T, op=op: fn1(
            T, lambda a: (getattr(T.math, op)(a, axis=1), getattr(T.math, op)(a, axis=0))))
    c.add("traced/int_ops", lambda T: fn1(
        T, lambda a: (a // 3, a % 3, a * 2 + 1, a / 2, T.abs(a), -a), i))
    c.add("traced/scalars", lambda T: fn1(
        T, lambda a: (a + 1, 2.0 * a, a ** 2, 1.0 / a, a > 1.0)))
    c.add("traced/array", lambda T: fn1(T, lambda a: _traced_array(T, a)))
    c.add("traced/matmul", lambda T: T.function(lambda a, b: (
        T.matmul(a, a, transpose_b=True), T.linalg.matvec(a, b), T.einsum("ij,j->i", a, b),
        T.tensordot(a, b, 1)))(T.constant(x), T.constant(y)))
    c.add("traced/nn", lambda T: fn1(T, lambda a: _traced_nn(T, a)))
    c.add("traced/grad", lambda T: fn1(T, lambda a: _traced_grad(T, a)))
    c.add("traced/cast", lambda T: fn1(T, lambda a: (
        T.cast(a, T.int32), T.cast(a > 1, T.float32), T.saturate_cast(a * 100, T.uint8))))


def _ta_loop(T, n):
    ta = T.TensorArray(T.float32, size=0, dynamic_size=True)
    for i in range(n):
        ta = ta.write(i, T.cast(i, T.float32) * 2.0)
    return ta.stack(), ta.size(), ta.read(1)


def _ta_function(T):
    @T.function
    def f(x):
        ta = T.TensorArray(T.float32, size=T.shape(x)[0])
        for i in T.range(T.shape(x)[0]):
            ta = ta.write(i, x[i] * x[i])
        return ta.stack()
    return f(T.constant([1.0, 2.0, 3.0]))


def more_cases():
    """TensorArray, RaggedTensor and string functions from the other areas."""
    c = CaseList()
    c.add("tensor_array/eager", lambda T: _ta_loop(T, 4))
    c.add("tensor_array/function", _ta_function)
    c.add("tensor_array/unstack", lambda T: T.TensorArray(T.int32, size=3).unstack(
        [4, 5, 6]).gather([2, 0]))
    c.add("tensor_array/concat", lambda T: T.TensorArray(T.float32, size=2, infer_shape=False)
          .write(0, [1.0, 2.0]).write(1, [3.0]).concat())
    c.add("tensor_array/read_oob", lambda T: T.TensorArray(T.float32, size=2).read(5))
    rt = [[1, 2], [], [3, 4, 5]]
    c.add("ragged/constant", lambda T: (T.ragged.constant(rt).to_tensor(),
                                        T.ragged.constant(rt).row_lengths(),
                                        T.ragged.constant(rt).flat_values))
    c.add("ragged/to_tensor_default", lambda T: T.ragged.constant(rt).to_tensor(default_value=-1))
    c.add("ragged/reduce_sum", lambda T: T.reduce_sum(T.ragged.constant(rt), axis=1))
    c.add("ragged/reduce_mean", lambda T: T.reduce_mean(T.ragged.constant([[1.0, 2.0], [3.0]]),
                                                        axis=1))
    c.add("ragged/shape", lambda T: T.ragged.constant(rt).shape)
    c.add("ragged/from_row_lengths", lambda T: T.RaggedTensor.from_row_lengths(
        [1, 2, 3, 4], [1, 3]).to_tensor())
    c.add("ragged/map_flat", lambda T: T.ragged.map_flat_values(
        T.math.square, T.ragged.constant(rt)).to_tensor())
    c.add("ragged/bounding_shape", lambda T: T.ragged.constant(rt).bounding_shape())
    c.add("strings/split_ragged", lambda T: T.strings.split(["a b", "c"]).to_tensor())
    c.add("strings/format", lambda T: T.strings.format("x={} y={}", [T.constant(3),
                                                                      T.constant([1.5, 2.0])]))
    c.add("strings/to_hash_bucket_fast", lambda T: T.strings.to_hash_bucket_fast(
        ["hello", "world", ""], 1000))
    c.add("strings/unicode_decode", lambda T: T.strings.unicode_decode(["été"], "UTF-8")
          .to_tensor())
    c.add("strings/ngrams", lambda T: T.strings.ngrams(["a", "b", "c"], 2))
    c.add("strings/bytes_split", lambda T: T.strings.bytes_split("abc"))
    return c.items


def _second_order(T, f, x):
    x = T.constant(x)
    with T.GradientTape() as t2:
        t2.watch(x)
        with T.GradientTape() as t1:
            t1.watch(x)
            y = T.reduce_sum(f(x))
        g = t1.gradient(y, x)
    return g, t2.gradient(g, x)


def grad_sweep_cases():
    """Gradients in half precision and second derivatives of common functions."""
    c = CaseList()
    x = arr("gs_x", (2, 3), "float32", 0.2, 2.0)
    fns = {
        "tanh": lambda T, a: T.tanh(a), "sigmoid": lambda T, a: T.sigmoid(a),
        "exp": lambda T, a: T.exp(a), "log": lambda T, a: T.math.log(a),
        "softplus": lambda T, a: T.nn.softplus(a), "relu": lambda T, a: T.nn.relu(a - 1),
        "elu": lambda T, a: T.nn.elu(a - 1), "gelu": lambda T, a: T.nn.gelu(a - 1),
        "sqrt": lambda T, a: T.sqrt(a), "pow3": lambda T, a: a ** 3,
        "softmax": lambda T, a: T.nn.softmax(a) * T.range(3.0),
        "logsumexp": lambda T, a: T.reduce_logsumexp(a, 1),
        "div": lambda T, a: 1.0 / (a + 1.0), "sin": lambda T, a: T.sin(a),
        "erf": lambda T, a: T.math.erf(a), "square_mean": lambda T, a: T.reduce_mean(a * a),
        "matmul": lambda T, a: T.matmul(a, a, transpose_b=True),
        "l2norm": lambda T, a: T.nn.l2_normalize(a, 1),
        "atan": lambda T, a: T.atan(a), "selu": lambda T, a: T.nn.selu(a - 1),
    }
    for name, f in fns.items():
        c.add(f"grad2/{name}", lambda T, f=f: _second_order(T, lambda a: f(T, a), x),
              tol=(1e-4, 1e-4))
        for dt in ("float16", "bfloat16", "float64"):
            c.add(f"grad_dtype/{name}/{dt}", lambda T, f=f, dt=dt: _grad_in(T, f, x, dt),
                  tol=(2e-2, 2e-2) if dt == "bfloat16" else None)
    return c.items


def _grad_in(T, f, x, dt):
    a = T.cast(T.constant(x), getattr(T, dt))
    with T.GradientTape() as t:
        t.watch(a)
        y = T.reduce_sum(f(T, a))
    return t.gradient(y, a)
