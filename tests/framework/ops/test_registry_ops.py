"""Generic, registry-driven op tests: every OpInfo x dtype x sample.

* values against a float64 NumPy reference, output dtype and shape;
* VJPs against central finite differences (float64);
* bad input: shape mismatches and unsupported dtypes raise InvalidArgumentError naming
  the op and the input shapes;
* completeness: every registry op has an OpInfo (or a reasoned exemption).
"""
from __future__ import annotations

import numpy as np
import pytest

import cuflow as cf
from cuflow.ops import registry

from .opdb import all_infos

INFOS = all_infos()
TOL = {"float16": (1e-3, 1e-3), "bfloat16": (1e-2, 1e-2), "float32": (2e-6, 1e-5),
       "float64": (1e-7, 1e-9), "complex64": (2e-6, 1e-5), "complex128": (1e-7, 1e-9)}

# Registry ops that need no OpInfo of their own, and why.
EXEMPT = {
    "strided_slice_grad": "the VJP of strided_slice; checked by strided_slice's gradient test",
    "constant_fill": "the primitive behind zeros/ones, covered by their OpInfos",

}


def _cases():
    for info in INFOS:
        for dtype in info.dtypes:
            yield pytest.param(info, dtype, id=f"{info.name}-{dtype}")


def _to64(a):
    a = np.asarray(a)
    if a.dtype.kind == "f" or a.dtype.name == "bfloat16":
        return a.astype(np.float64)
    if a.dtype.kind == "c":
        return a.astype(np.complex128)
    return a


def _convert(args):
    return tuple(cf.constant(a) if isinstance(a, np.ndarray) else a for a in args)


def _outputs(out):
    if isinstance(out, (list, tuple)):
        return list(out)
    return [out]


@pytest.mark.parametrize("info,dtype", list(_cases()))
def test_matches_reference(info, dtype):
    rng = np.random.default_rng(0)
    for sample in info.samples(rng, dtype):
        got = _outputs(info.fn(*_convert(sample.args), **sample.kwargs))
        want = info.ref(*[_to64(a) if isinstance(a, np.ndarray) else a for a in sample.args],
                        **sample.kwargs)
        want = _outputs(want)
        assert len(got) == len(want), info.name
        expect_dtype = info.out_dtype(dtype) if info.out_dtype else dtype
        for g, w in zip(got, want):
            w = np.asarray(w)
            if info.out_dtype_from_ref:
                expect_dtype = cf.as_dtype(w.dtype).name
            assert isinstance(g, cf.Tensor), f"{info.name} returned {type(g)}"
            assert g.dtype.name == expect_dtype, (info.name, dtype, g.dtype.name)
            assert tuple(g.shape) == w.shape, (info.name, dtype, tuple(g.shape), w.shape)
            gv = np.asarray(g.numpy())
            if gv.dtype.kind in "biu" or gv.dtype == object:
                np.testing.assert_array_equal(gv, w.astype(gv.dtype), err_msg=info.name)
            else:
                rtol, atol = TOL.get(expect_dtype, (1e-7, 1e-9))
                rtol = info.rtol if info.rtol is not None else rtol
                atol = info.atol if info.atol is not None else atol
                np.testing.assert_allclose(gv.astype(np.complex128 if gv.dtype.kind == "c"
                                                     else np.float64), w, rtol=rtol,
                                           atol=atol, err_msg=f"{info.name} {dtype}")


def _grad_cases():
    for info in INFOS:
        if info.grad and "float64" in info.dtypes:
            yield pytest.param(info, id=info.name)


def _loss(info, args, kwargs, cots):
    outs = _outputs(info.fn(*args, **kwargs))
    total = 0.0
    for o, c in zip(outs, cots):
        if c is not None:
            total = total + cf.reduce_sum(o * c)
    return total


@pytest.mark.parametrize("info", list(_grad_cases()))
def test_gradient_matches_finite_differences(info):
    rng = np.random.default_rng(1)
    checked = 0
    for sample in info.samples(rng, "float64"):
        if not sample.grad:
            continue
        arrays = [a for a in sample.args]
        probe = _outputs(info.fn(*_convert(arrays), **sample.kwargs))
        cots = [rng.normal(size=tuple(o.shape)) if o.dtype.is_floating else None
                for o in probe]
        idx = [i for i, a in enumerate(arrays) if isinstance(a, np.ndarray)
               and a.dtype.kind == "f"]
        tensors = list(_convert(arrays))
        with cf.GradientTape() as tape:
            for i in idx:
                tape.watch(tensors[i])
            loss = _loss(info, tensors, sample.kwargs, cots)
        grads = tape.gradient(loss, [tensors[i] for i in idx])
        for i, g in zip(idx, grads):
            num = _numeric_grad(info, arrays, i, sample.kwargs, cots)
            got = np.zeros_like(num) if g is None else np.asarray(
                cf.convert_to_tensor(g).numpy())   # gathers' gradients are IndexedSlices
            assert got.shape == num.shape, (info.name, got.shape, num.shape)
            np.testing.assert_allclose(got, num, rtol=info.grad_rtol, atol=info.grad_atol,
                                       err_msg=f"{info.name}: d/d(input {i})")
            checked += 1
    assert checked, f"{info.name}: no sample was gradient-checked"


def _numeric_grad(info, arrays, i, kwargs, cots, eps=1e-6):
    base = arrays[i]
    grad = np.zeros(base.shape, dtype=np.float64)
    flat = grad.reshape(-1)
    for j in range(base.size):
        vals = []
        for sgn in (1.0, -1.0):
            x = base.copy().reshape(-1)
            x[j] += sgn * eps
            args = list(arrays)
            args[i] = x.reshape(base.shape)
            vals.append(float(np.asarray(_loss(info, _convert(args), kwargs, cots))))
        flat[j] = (vals[0] - vals[1]) / (2 * eps)
    return grad


def _binary_elementwise():
    for info in INFOS:
        op = registry._REGISTRY.get(info.name)
        if op is not None and op.kind == "elementwise" and op.promote:
            yield pytest.param(info, id=info.name)


@pytest.mark.parametrize("info", list(_binary_elementwise()))
def test_shape_mismatch_names_op_and_shapes(info):
    dt = cf.as_dtype(info.dtypes[0])
    a = cf.constant(np.ones((2, 3), dt.np))
    b = cf.constant(np.ones((4,), dt.np))
    with pytest.raises(cf.errors.InvalidArgumentError) as e:
        info.fn(a, b)
    msg = str(e.value)
    assert info.name in msg and "(2, 3)" in msg and "(4,)" in msg, msg


def _dtype_rejecting():
    all_names = ("float32", "int32", "bool")
    for info in INFOS:
        op = registry._REGISTRY.get(info.name)
        if op is None or op.dtypes is None or op.kind != "elementwise":
            continue
        for name in all_names:
            if cf.as_dtype(name).np not in op.dtypes:
                yield pytest.param(info, name, id=f"{info.name}-{name}")
                break


@pytest.mark.parametrize("info,bad", list(_dtype_rejecting()))
def test_unsupported_dtype_is_rejected(info, bad):
    op = registry._REGISTRY[info.name]
    x = cf.constant(np.ones((2,), cf.as_dtype(bad).np))
    with pytest.raises(cf.errors.InvalidArgumentError) as e:
        cf.ops.apply(op, (x,) * _arity(op))
    assert info.name in str(e.value) and bad in str(e.value)


def _arity(op):
    return 2 if op.promote else 1


@pytest.mark.parametrize("info", [pytest.param(i, id=i.name) for i in INFOS if i.errors])
def test_declared_errors(info):
    for call, exc, pattern in info.errors:
        with pytest.raises(exc, match=pattern):
            call()


def test_every_registry_op_has_an_opinfo():
    covered = {i.name for i in INFOS} | {c for i in INFOS for c in i.covers}
    missing = sorted(n for n in registry.all_ops() if n not in covered and n not in EXEMPT)
    assert not missing, f"ops without an OpInfo in tests/framework/ops/opdb_*.py: {missing}"


def test_registry_has_at_least_the_promised_ops():
    public = [n for n in registry.all_ops() if n not in EXEMPT]
    assert len(public) >= 60


def _has_gpu():
    return bool(cf.config.list_physical_devices("GPU"))


@pytest.mark.gpu
@pytest.mark.parametrize("info", [pytest.param(i, id=i.name) for i in INFOS])
def test_gpu_matches_cpu(info):
    """The same array-namespace implementation under CuPy gives the CPU's values."""
    if not _has_gpu():
        pytest.skip("no CUDA GPU visible to CuPy")
    dtype = "float32" if "float32" in info.dtypes else info.dtypes[0]
    rng = np.random.default_rng(0)
    for sample in info.samples(rng, dtype):
        cpu = _outputs(info.fn(*_convert(sample.args), **sample.kwargs))
        with cf.device("/GPU:0"):
            gpu = _outputs(info.fn(*_convert(sample.args), **sample.kwargs))
        for c, g in zip(cpu, gpu):
            assert g.device.endswith("GPU:0"), (info.name, g.device)
            assert g.dtype == c.dtype and tuple(g.shape) == tuple(c.shape)
            rtol, atol = TOL.get(c.dtype.name, (1e-6, 1e-6))
            np.testing.assert_allclose(np.asarray(g.numpy(), np.float64) if
                                       c.dtype.is_floating else g.numpy(),
                                       np.asarray(c.numpy(), np.float64) if
                                       c.dtype.is_floating else c.numpy(),
                                       rtol=rtol * 10, atol=atol * 10, err_msg=info.name)
