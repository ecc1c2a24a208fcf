"""Sample inputs for every kernel function, shared by the CPU, simulator and GPU tests.

``CASES[name]`` is a list of ``(label, build)``; ``build(dtype, rng, xp)`` returns
``(args, kwargs)``. Shapes cover the edges: zero rows, one column, sizes that are not a
multiple of a warp (33), and one longer row. ``INT_FUNCS`` ignore the float dtype.
"""
import numpy as np

ROW_SHAPES = [(0, 5), (1, 1), (3, 33), (4, 7, 10), (2, 1000)]
FLOAT_DTYPES = ["float32", "float64", "float16", "bfloat16"]
TOLERANCE = {"float64": 1e-7, "float32": 2e-5, "float16": 1e-3, "bfloat16": 1e-2}
INT_FUNCS = {"matmul_int8", "philox_uniform"}
# Optimizer params and slots are float32/float64 (float16 models keep float32 masters).
OPTIM_FUNCS = {"sgd_momentum_update", "adam_update", "adamw_update", "adam_update_many"}


def dtypes_for(fname):
    if fname in INT_FUNCS:
        return ["-"]
    return ["float32", "float64"] if fname in OPTIM_FUNCS else FLOAT_DTYPES


def dtype_of(name):
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def randn(rng, shape, dtype, scale=1.0, xp=np):
    a = (rng.standard_normal(shape) * scale).astype(dtype_of(dtype))
    return xp.asarray(a)


def _rows(fn_scale=3.0):
    return [(f"{s}", (lambda s: lambda dt, rng, xp: (
        (randn(rng, s, dt, fn_scale, xp),), {}))(s)) for s in ROW_SHAPES]


def _layernorm():
    out = []
    for s in [(1, 1), (3, 33), (2, 5, 64), (2, 1000)]:
        def build(dt, rng, xp, s=s):
            x = randn(rng, s, dt, 2.0, xp) + xp.asarray(np.asarray(5.0, dtype_of(dt)))
            return (x, randn(rng, s[-1:], dt, 1, xp), randn(rng, s[-1:], dt, 1, xp)), {}
        out.append((f"{s}", build))
    out.append(("no-affine", lambda dt, rng, xp: ((randn(rng, (3, 9), dt, 1, xp),),
                                                  {"eps": 1e-3})))
    return out


def _layernorm_bwd():
    out = []
    for s in [(1, 1), (3, 33), (2, 5, 64), (17, 200)]:
        def build(dt, rng, xp, s=s):
            from cuflow_kernels.reference.layernorm import layernorm_rows
            x = randn(rng, s, dt, 2.0, np)
            g = randn(rng, s[-1:], dt, 1.0, np)
            _, mean, rstd = layernorm_rows(x, g, None)
            dy = randn(rng, s, dt, 1.0, np)
            return tuple(xp.asarray(a) for a in (dy, x, g, mean, rstd)), {}
        out.append((f"{s}", build))
    return out


POOL_GEOMS = [((2, 7, 6, 3), 3, 2, "SAME"), ((1, 5, 5, 33), 2, 2, "VALID"),
              ((2, 6, 7, 4), (3, 2), (1, 2), "SAME"), ((1, 4, 4, 1), 3, 1, "VALID"),
              ((0, 4, 4, 2), 2, 2, "VALID"),
              # windows tiling the input (max_pool_bwd_tiled), and tiling past its end
              ((2, 4, 6, 8), 2, 2, "VALID"), ((1, 5, 5, 3), 2, 2, "SAME")]


def _pool_fwd():
    return [(f"{g}", (lambda g: lambda dt, rng, xp: (
        (randn(rng, g[0], dt, 1, xp), g[1], g[2], g[3]), {}))(g)) for g in POOL_GEOMS]


def _pool_out(g):
    from cuflow_kernels.reference.im2col import conv_geometry
    geo = conv_geometry("t", g[0], g[1], g[2], g[3], 1)
    return (geo["n"], geo["oh"], geo["ow"], geo["c"])


def _maxpool_bwd():
    return [(f"{g}", (lambda g: lambda dt, rng, xp: (
        (randn(rng, g[0], dt, 1, xp), randn(rng, _pool_out(g), dt, 1, xp), g[1], g[2],
         g[3]), {}))(g)) for g in POOL_GEOMS]


def _avgpool_bwd():
    return [(f"{g}", (lambda g: lambda dt, rng, xp: (
        (g[0], randn(rng, _pool_out(g), dt, 1, xp), g[1], g[2], g[3]), {}))(g))
        for g in POOL_GEOMS]


CONV_GEOMS = [((2, 7, 6, 3), (3, 3), 1, "SAME", 1), ((1, 9, 8, 2), (3, 2), 2, "VALID", 1),
              ((1, 9, 9, 4), (3, 3), (2, 1), "SAME", 2), ((2, 5, 5, 1), (1, 1), 1, "VALID", 1),
              ((1, 6, 6, 2), (2, 2), 1, ((1, 0), (0, 2)), 1)]


def _im2col():
    return [(f"{g[1:]}", (lambda g: lambda dt, rng, xp: (
        (randn(rng, g[0], dt, 1, xp), g[1], g[2], g[3], g[4]), {}))(g)) for g in CONV_GEOMS]


def _col2im():
    def make(g):
        def build(dt, rng, xp):
            from cuflow_kernels.reference.im2col import im2col_nhwc
            shape = im2col_nhwc(np.zeros(g[0], np.float32), g[1], g[2], g[3], g[4]).shape
            return (randn(rng, shape, dt, 1, xp), g[0], g[1], g[2], g[3], g[4]), {}
        return build
    return [(f"{g[1:]}", make(g)) for g in CONV_GEOMS]


def _conv2d():
    return [(f"{g[1:]}", (lambda g: lambda dt, rng, xp: (
        (randn(rng, g[0], dt, 1, xp), randn(rng, g[1] + (g[0][3], 5), dt, 1, xp), g[2], g[3],
         g[4]), {}))(g)) for g in CONV_GEOMS]


def _optim(kind):
    def build(dt, rng, xp, shape=(3, 37)):
        arrays = [randn(rng, shape, dt, 1, xp) for _ in range(2)]
        if kind == "sgd":
            return (*arrays, randn(rng, shape, dt, 0.1, xp)), dict(
                lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
        m = randn(rng, shape, dt, 0.1, xp)
        v = xp.abs(randn(rng, shape, dt, 0.1, xp))
        return (*arrays, m, v), dict(lr=1e-2, step=3, weight_decay=0.004 if kind == "adamw"
                                     else 0.0)
    cases = [("3x37", build)]
    if kind == "sgd":
        cases.append(("plain", lambda dt, rng, xp: (
            (randn(rng, (5,), dt, 1, xp), randn(rng, (5,), dt, 1, xp), None), dict(lr=0.5))))
        cases.append(("momentum", lambda dt, rng, xp: (
            (randn(rng, (40,), dt, 1, xp), randn(rng, (40,), dt, 1, xp),
             randn(rng, (40,), dt, 1, xp)), dict(lr=0.5, momentum=0.5))))
    return cases


def _adam_many():
    def build(dt, rng, xp):
        shapes = [(3,), (2, 33), (1,), (4, 5, 6)]
        ps = [randn(rng, s, dt, 1, xp) for s in shapes]
        gs = [randn(rng, s, dt, 1, xp) for s in shapes]
        ms = [randn(rng, s, dt, 0.1, xp) for s in shapes]
        vs = [xp.abs(randn(rng, s, dt, 0.1, xp)) for s in shapes]
        return (ps, gs, ms, vs), dict(lr=1e-3, step=1, weight_decay=0.01, epsilon_hat=False)
    return [("4 tensors", build)]


def _xent():
    out = []
    for s in [(0, 4), (1, 1), (3, 33), (2, 3, 10), (2, 1000)]:
        def build(dt, rng, xp, s=s):
            from cuflow_kernels.reference.softmax import softmax_rows
            lab = softmax_rows(randn(rng, s, "float64", 2, np)).astype(dtype_of(dt))
            return (randn(rng, s, dt, 3, xp), xp.asarray(lab)), {}
        out.append((f"{s}", build))
    return out


def _sparse_xent():
    out = []
    for s in [(0, 4), (1, 1), (3, 33), (2, 3, 10), (2, 1000)]:
        def build(dt, rng, xp, s=s):
            lab = rng.integers(0, s[-1], size=s[:-1])
            return (randn(rng, s, dt, 3, xp), xp.asarray(lab)), {}
        out.append((f"{s}", build))
    return out


def _reduce(empty_ok):
    shapes = [(0, 5), (1, 1), (3, 33), (2, 1000), (300, 3)] if empty_ok else \
        [(1, 1), (3, 33), (2, 1000), (300, 3)]
    return [(f"{s}", (lambda s: lambda dt, rng, xp: ((randn(rng, s, dt, 1, xp),), {}))(s))
            for s in shapes]


def _int8():
    out = []
    for (m, k, n), z in [((0, 3, 2), (0, 0)), ((1, 1, 1), (0, 0)), ((5, 33, 7), (0, 0)),
                         ((17, 64, 9), (3, -5)), ((8, 300, 40), (0, 2))]:
        def build(dt, rng, xp, m=m, k=k, n=n, z=z):
            a = rng.integers(-128, 128, size=(m, k)).astype(np.int8)
            b = rng.integers(-128, 128, size=(k, n)).astype(np.int8)
            return (xp.asarray(a), xp.asarray(b), z[0], z[1]), {}
        out.append((f"{m}x{k}x{n} z{z}", build))
    return out


def _gather():
    def build(dt, rng, xp):
        table = randn(rng, (10, 33), dt, 1, xp)
        return (table, xp.asarray(rng.integers(0, 10, size=(4, 5)))), {}
    return [("4x5 ids", build), ("no ids", lambda dt, rng, xp: (
        (randn(rng, (3, 4), dt, 1, xp), xp.asarray(np.zeros((0,), np.int64))), {}))]


def _scatter():
    def build(dt, rng, xp):
        ids = rng.integers(0, 6, size=(7, 3))  # repeats: atomics / accumulation matter
        return (xp.asarray(ids), randn(rng, (7, 3, 33), dt, 1, xp), 6), {}
    return [("7x3 ids", build)]


def _dropout():
    return [(f"{s} rate {r}", (lambda s, r: lambda dt, rng, xp: (
        (randn(rng, s, dt, 1, xp), r, 1234567890123, 5), {}))(s, r))
        for s, r in [((0,), 0.5), ((3, 33), 0.5), ((1001,), 0.1), ((4, 4), 0.0)]]


CASES = {
    "softmax_rows": _rows(), "log_softmax_rows": _rows(), "logsumexp_rows": _rows(),
    "layernorm_rows": _layernorm(), "layernorm_rows_backward": _layernorm_bwd(),
    "max_pool2d_nhwc": _pool_fwd(), "avg_pool2d_nhwc": _pool_fwd(),
    "max_pool2d_nhwc_backward": _maxpool_bwd(), "avg_pool2d_nhwc_backward": _avgpool_bwd(),
    "im2col_nhwc": _im2col(), "col2im_nhwc": _col2im(), "conv2d_nhwc": _conv2d(),
    "sgd_momentum_update": _optim("sgd"), "adam_update": _optim("adam"),
    "adamw_update": _optim("adamw"), "adam_update_many": _adam_many(),
    "softmax_cross_entropy_with_logits": _xent(),
    "sparse_softmax_cross_entropy_with_logits": _sparse_xent(),
    "sum_rows": _reduce(True), "sum_cols": _reduce(True),
    "max_rows": _reduce(False), "max_cols": _reduce(False),
    "matmul_int8": _int8(), "gather_rows": _gather(), "scatter_add_rows": _scatter(),
    "dropout": _dropout(),
    "philox_uniform": [("1001", lambda dt, rng, xp: ((1001, 2 ** 40 + 3, 7), {})),
                       ("empty", lambda dt, rng, xp: ((0, 1, 0), {}))],
    "axpy": [("3x33", lambda dt, rng, xp: ((0.5, randn(rng, (3, 33), dt, 1, xp),
                                            randn(rng, (3, 33), dt, 1, xp)), {})),
             ("empty", lambda dt, rng, xp: ((2.0, randn(rng, (0,), dt, 1, xp),
                                             randn(rng, (0,), dt, 1, xp)), {}))],
    "relu_grad": [(f"{s}", (lambda s: lambda dt, rng, xp: (
        (randn(rng, s, dt, 1, xp), randn(rng, s, dt, 1, xp)), {}))(s))
        for s in ((3, 33), (0, 4), (2, 5, 7))],
    "select": [(f"{s}", (lambda s: lambda dt, rng, xp: (
        (randn(rng, s, "float32", 1, xp) > 0, randn(rng, s, dt, 1, xp),
         randn(rng, s, dt, 1, xp)), {}))(s)) for s in ((3, 33), (0, 4), (2, 5, 7))] + [
        ("0-d y", lambda dt, rng, xp: ((randn(rng, (4, 9), "float32", 1, xp) > 0,
                                        randn(rng, (4, 9), dt, 1, xp),
                                        randn(rng, (), dt, 1, xp)), {}))],
}


def copy_args(args, xp=np):
    """Deep-copy arrays (in-place kernels must not see each other's results)."""
    out = []
    for a in args:
        if isinstance(a, list):
            out.append([x.copy() for x in a])
        elif hasattr(a, "copy") and hasattr(a, "shape"):
            out.append(a.copy())
        else:
            out.append(a)
    return out


def flatten(result):
    """Every array in a (possibly nested) result, as float64/int64 NumPy arrays."""
    if result is None:
        return []
    if isinstance(result, (tuple, list)):
        return [a for r in result for a in flatten(r)]
    if hasattr(result, "get"):            # CuPy
        a = result.get()
    elif hasattr(result, "copy_to_host"):  # Numba device array
        a = result.copy_to_host()
    else:
        a = np.asarray(result)
    if a.dtype.kind == "f" or a.dtype.name == "bfloat16":
        return [a.astype(np.float64)]
    return [a]


def assert_close(got, want, dtype, label):
    g, w = flatten(got), flatten(want)
    assert len(g) == len(w), f"{label}: {len(g)} outputs vs {len(w)}"
    tol = TOLERANCE.get(dtype, 0)
    for i, (a, b) in enumerate(zip(g, w)):
        assert a.shape == b.shape, f"{label} output {i}: shape {a.shape} vs {b.shape}"
        if a.dtype.kind in "iub":
            np.testing.assert_array_equal(a, b, err_msg=f"{label} output {i}")
        else:
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol * 10,
                                       err_msg=f"{label} output {i}")
