"""Fused eager updates for CPU variables: one kernel call per parameter (cuflow_kernels'
C loops, bit-identical to the reference formulas; parallel Numba for big parameters; NumPy
in place when neither is available) instead of a dozen dispatched ops. Used only eagerly,
for plain optimizers (no EMA, loss_scale_factor, amsgrad or constraints; a learning-rate
schedule is evaluated and gradients are clipped eagerly each step); graph mode and
everything else take the cuflow-ops path, which stays the reference. Updates write into a
variable's own array only when no tensor, view or other reference can see it (reference
count), else into a copy that is swapped in (``Variable._set_tensor``): tensors read
earlier never change."""
from __future__ import annotations

import sys

import numpy as np

from cuflow_kernels.cpu.optim import PARALLEL_MIN as _NUMBA_MIN

from ...tensor import Tensor

# Below _NUMBA_MIN (cuflow_kernels' own C/Numba split) one C pass (csrc/optim.c: 61 us vs
# NumPy's 168 us for the seed MLP's 102k parameters) beats a parallel Numba loop, whose
# import also costs ~110 MiB of memory.
_kernels = None
_c = None
_FLOAT = (np.dtype(np.float32), np.dtype(np.float64))
_scratch_buf = np.empty(0, np.float32)


def _scratch(like):
    """A reusable scratch array shaped like ``like`` (one buffer, grown on demand)."""
    global _scratch_buf
    n = like.size * like.itemsize
    if _scratch_buf.nbytes < n:
        _scratch_buf = np.empty(n, np.uint8)
    return _scratch_buf[:n].view(like.dtype).reshape(like.shape)


def adam_numpy(param, grad, m, v, *, lr, beta1, beta2, eps, step, weight_decay=0.0):
    """``cuflow_kernels.reference.optim.adam_update`` with two scratch buffers instead of a
    temporary per operation (same formula, same rounding order)."""
    from cuflow_kernels.reference import optim as ref
    alpha, eps_eff = ref.adam_coefficients(lr, beta1, beta2, eps, step)
    g = grad.astype(param.dtype, copy=False)
    t = _scratch(param)
    if weight_decay:
        np.multiply(param, lr * weight_decay, out=t)
        param -= t
    np.subtract(g, m, out=t)
    t *= 1.0 - beta1
    m += t
    np.multiply(g, g, out=t)
    t -= v
    t *= 1.0 - beta2
    v += t
    np.sqrt(v, out=t)
    t += eps_eff
    u = np.multiply(m, alpha)
    np.divide(u, t, out=t)
    param -= t


def _native():
    """cuflow_kernels' C optimizer loops (module), or False when they cannot be built."""
    global _c
    if _c is None:
        from cuflow_kernels.cpu import _c_optim
        _c = _c_optim if _c_optim.library() is not None else False
    return _c


def _lib():
    global _kernels
    if _kernels is None:
        from cuflow_kernels.reference import optim as ref
        try:
            from cuflow_kernels.cpu import optim as cpu
            import numba  # noqa: F401
        except ImportError:
            cpu = ref
        _kernels = (ref, cpu)
    return _kernels


def static_ok(opt):
    """The optimizer's configuration allows fused updates (variables aside)."""
    from .base import Optimizer
    return isinstance(opt, Optimizer) and opt._use_fused and \
        getattr(opt, "_fused_kind", None) is not None and not opt.use_ema and \
        opt.loss_scale_factor is None and \
        not getattr(opt, "amsgrad", False) and not opt.gradient_accumulation_steps


def eligible(opt, grads, variables):
    """True when the fused path computes exactly what ``update_step`` would."""
    if not static_ok(opt):
        return False
    if type(opt.iterations._tensor) is not Tensor:
        return False
    for g, v in zip(grads, variables):
        t = v._tensor
        if type(g) is not Tensor or type(t) is not Tensor or v.constraint is not None or \
                t._device.device_type != "CPU" or \
                t._value.dtype not in _FLOAT or g._value.shape != t._value.shape:
            return False
    return True


def _writable(var):
    """The variable's own array when nothing else can see it (no other tensor, view or
    reference: every view of an owning array holds a reference to it), else a copy."""
    a = var._tensor._value
    # references: the tensor's _value, the local name ``a``, getrefcount's argument
    if a.base is None and sys.getrefcount(a) <= 3:
        f = a.flags
        if f.c_contiguous and f.writeable:
            return a
    return a.copy()


def _store(var, a):
    """Points ``var`` at ``a`` (updated in place when ``a`` is already its array)."""
    t = var._tensor
    if a is not t._value:
        var._set_tensor(Tensor(a, t._device))


def apply(opt, grads, variables):
    from cuflow_kernels.reference import optim as ref
    if opt.clipnorm is not None or opt.clipvalue is not None or \
            opt.global_clipnorm is not None:
        grads = opt._clip(grads)    # the ops path's clipping, eagerly (same values)
    step = int(opt.iterations._tensor._value) + 1
    # a schedule is evaluated at the count before this step, as Keras's learning_rate
    lr = float(opt._lr._tensor._value) if opt._schedule is None else \
        float(np.asarray(opt._schedule(opt.iterations).numpy(), np.float32))
    wd_names = getattr(opt, "_wd_exclude_names", [])
    adam = opt._fused_kind == "adam"
    if adam:
        alpha, eps_eff = ref.adam_coefficients(lr, opt.beta_1, opt.beta_2, opt.epsilon, step)
        c1, c2 = 1.0 - opt.beta_1, 1.0 - opt.beta_2
    wd0 = float(opt.weight_decay or 0.0)
    native = _native()
    for g, v in zip(grads, variables):
        p = _writable(v)
        ga = g._value
        if type(ga) is not np.ndarray:
            ga = np.asarray(ga)
        c = native if p.size < _NUMBA_MIN else False
        kern = ref if c else _lib()[1] if p.size >= _NUMBA_MIN else ref
        wd = wd0
        if wd and (id(v) in opt._exclude_from_wd or any(n in v.name for n in wd_names)):
            wd = 0.0
        slots = opt._slots[id(v)]
        if c and (ga.dtype != p.dtype or not ga.flags.c_contiguous):
            ga = np.ascontiguousarray(ga, p.dtype)
        if adam:
            m, vel = slots["m"], slots["v"]
            ma, va = _writable(m), _writable(vel)
            if c:
                c.adam(p, ga, ma, va, alpha, c1, c2, eps_eff, lr * wd)
            else:
                update = kern.adam_update if kern is not ref else adam_numpy
                update(p, ga, ma, va, lr=lr, beta1=opt.beta_1, beta2=opt.beta_2,
                       eps=opt.epsilon, step=step, weight_decay=wd)
            _store(m, ma)
            _store(vel, va)
        else:  # sgd
            m = slots.get("m")
            ma = None if m is None else _writable(m)
            if c:
                c.sgd(p, ga, ma, lr, opt.momentum, opt.nesterov, lr * wd)
            else:
                kern.sgd_momentum_update(p, ga, ma, lr=lr, momentum=opt.momentum,
                                         nesterov=opt.nesterov, weight_decay=wd)
            if m is not None:
                _store(m, ma)
        _store(v, p)
    it = opt.iterations
    it._set_tensor(Tensor(np.asarray(step, it._tensor._value.dtype), it._tensor._device))
