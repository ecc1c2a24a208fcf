"""Fused optimizer updates on the GPU (CuPy RawModule over optim.cu), in place.

Same API and Keras semantics as reference/optim.py with CuPy arrays. ``adam_update_many``
is a multi-tensor apply: one kernel launch for the whole parameter list. The table of
parameter/slot addresses and chunk owners is built once per list and cached; only the
gradient addresses are uploaded per step.
"""
import numpy as np

from ..reference.optim import _check, adam_coefficients
from ._loader import cupy, grid_for, kernel, ptr_or_null, suffix

CHUNK = 65536        # elements per block in the multi-tensor launch
_TABLES: dict = {}   # (dtype, addresses...) -> device tables; small, one per parameter list


def _contiguous(op, a):
    if not a.flags.c_contiguous:
        raise ValueError(f"{op}: arrays updated in place must be C-contiguous, got shape "
                         f"{a.shape} dtype {a.dtype}")
    return a


def sgd_momentum_update(param, grad, velocity, *, lr, momentum=0.0, nesterov=False,
                        weight_decay=0.0):
    """Keras SGD (momentum, nesterov, decoupled weight decay) in one pass."""
    op = "sgd_momentum_update"
    _check(op, param=param, grad=grad, velocity=velocity)
    if velocity is None and momentum:
        raise ValueError(f"{op}: momentum > 0 needs a velocity slot")
    cp = cupy()
    t = param.dtype.type
    g = cp.ascontiguousarray(grad, dtype=param.dtype)
    vel = ptr_or_null(None if velocity is None else _contiguous(op, velocity))
    if param.size:
        kernel("optim", f"sgd_momentum_{suffix(op, param)}")(
            grid_for(param.size), (256,),
            (_contiguous(op, param), g, vel, np.int64(param.size), t(lr), t(momentum),
             np.int32(bool(nesterov)), t(1.0 - lr * weight_decay)))
    return param, velocity


def adam_update(param, grad, m, v, *, lr, beta1=0.9, beta2=0.999, eps=1e-7, step,
                weight_decay=0.0, epsilon_hat=True):
    """Keras Adam / AdamW for one tensor (a one-element multi-tensor launch)."""
    adam_update_many([param], [grad], [m], [v], lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                     step=step, weight_decay=weight_decay, epsilon_hat=epsilon_hat)
    return param, m, v


def adamw_update(param, grad, m, v, *, lr, beta1=0.9, beta2=0.999, eps=1e-7, step,
                 weight_decay=0.004, epsilon_hat=True):
    """Keras AdamW: Adam with decoupled weight decay."""
    return adam_update(param, grad, m, v, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                       step=step, weight_decay=weight_decay, epsilon_hat=epsilon_hat)


def _table(cp, params, ms, vs):
    key = (params[0].dtype.str,) + tuple(
        (p.data.ptr, m.data.ptr, v.data.ptr, p.size) for p, m, v in zip(params, ms, vs))
    if key not in _TABLES:
        ptrs = [a.data.ptr for trio in zip(params, ms, vs) for a in trio]
        sizes = [p.size for p in params]
        owners = [(t, s) for t, n in enumerate(sizes) for s in range(0, n, CHUNK)]
        _TABLES[key] = (cp.asarray(np.array(ptrs, np.uint64)),
                        cp.asarray(np.array(sizes, np.int64)),
                        cp.asarray(np.array([o[0] for o in owners], np.int32)),
                        cp.asarray(np.array([o[1] for o in owners], np.int64)),
                        len(owners))
        if len(_TABLES) > 64:  # parameter lists come and go (e.g. tests): stay bounded
            _TABLES.pop(next(iter(_TABLES)))
    return _TABLES[key]


def adam_update_many(params, grads, ms, vs, *, lr, beta1=0.9, beta2=0.999, eps=1e-7, step,
                     weight_decay=0.0, epsilon_hat=True):
    """Keras Adam/AdamW over a list of tensors of one dtype, in a single launch."""
    op = "adam_update_many"
    if not len(params) == len(grads) == len(ms) == len(vs):
        raise ValueError(f"{op}: list lengths differ: {len(params)} params, "
                         f"{len(grads)} grads, {len(ms)} m, {len(vs)} v")
    if not params:
        return params, ms, vs
    cp = cupy()
    dtype = params[0].dtype
    gs = []
    for p, g, m, v in zip(params, grads, ms, vs):
        _check(op, param=p, grad=g, m=m, v=v)
        if p.dtype != dtype:
            raise ValueError(f"{op}: all params must share one dtype, got {dtype} and "
                             f"{p.dtype}")
        for a in (p, m, v):
            _contiguous(op, a)
        gs.append(cp.ascontiguousarray(g, dtype=dtype))
    ptrs, sizes, owners, starts, nblocks = _table(cp, params, ms, vs)
    if nblocks:
        grad_ptrs = cp.asarray(np.array([g.data.ptr for g in gs], np.uint64))
        alpha, eps_eff = adam_coefficients(lr, beta1, beta2, eps, step, epsilon_hat)
        t = dtype.type
        kernel("optim", f"adam_multi_{suffix(op, params[0])}")(
            (nblocks,), (256,),
            (ptrs, grad_ptrs, sizes, owners, starts, np.int32(CHUNK), t(alpha), t(beta1),
             t(beta2), t(eps_eff), t(1.0 - lr * weight_decay)))
    return params, ms, vs
