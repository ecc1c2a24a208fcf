"""Optimizer updates with Keras 3 semantics, in place (NumPy truth).

Each function updates ``param`` and its slots in place and returns them, so a caller
can use either style. Hyper-parameters are Python floats; ``step`` is 1 for the first
update (Keras' ``iterations + 1``).

Adam's epsilon: Keras applies it as "epsilon hat" (Kingma & Ba, just before section
2.1): ``param -= alpha * m / (sqrt(v) + eps)`` with ``alpha = lr * sqrt(1 - b2^t) /
(1 - b1^t)``. ``epsilon_hat=False`` gives the Algorithm-1 / PyTorch form
``lr * m_hat / (sqrt(v_hat) + eps)``. They differ only through eps.
"""
import math

import numpy as np

from .._checks import check_float, check_same_shape


def _check(op, param, **arrays):
    """Params and slots are float32/float64 (mixed precision keeps float32 master weights)."""
    check_float(op, param=param, **arrays)
    check_same_shape(op, param=param, **arrays)
    if np.dtype(param.dtype) not in (np.float32, np.float64):
        raise ValueError(f"{op}: param must be float32 or float64 (keep float32 master "
                         f"weights for float16 models), got {param.dtype} {param.shape}")
    for name, a in arrays.items():
        if name != "grad" and a is not None and a.dtype != param.dtype:
            raise ValueError(f"{op}: slot {name} dtype {a.dtype} differs from param "
                             f"{param.dtype}")


def sgd_momentum_update(param, grad, velocity, *, lr, momentum=0.0, nesterov=False,
                        weight_decay=0.0):
    """Keras SGD: v = momentum*v - lr*g; param += v (nesterov: += momentum*v - lr*g).

    ``velocity`` may be None when momentum is 0. ``weight_decay`` is decoupled
    (``param -= lr * wd * param`` first), as Keras applies it.
    """
    _check("sgd_momentum_update", param=param, grad=grad, velocity=velocity)
    g = grad.astype(param.dtype, copy=False)
    if weight_decay:
        param -= param * (lr * weight_decay)
    if velocity is None:
        if momentum:
            raise ValueError("sgd_momentum_update: momentum > 0 needs a velocity slot")
        param -= lr * g
        return param, None
    velocity *= momentum
    velocity -= lr * g
    if nesterov:
        param += momentum * velocity - lr * g
    else:
        param += velocity
    return param, velocity


def adam_coefficients(lr, beta1, beta2, eps, step, epsilon_hat=True):
    """(alpha, eps_eff): the update is ``param -= alpha * m / (sqrt(v) + eps_eff)``."""
    if step < 1:
        raise ValueError(f"adam: step counts from 1, got {step}")
    c1 = 1.0 - beta1 ** step
    c2 = 1.0 - beta2 ** step
    if epsilon_hat:
        return lr * math.sqrt(c2) / c1, eps
    # lr*m_hat/(sqrt(v_hat)+eps) == lr*sqrt(c2)/c1 * m/(sqrt(v) + eps*sqrt(c2))
    return lr * math.sqrt(c2) / c1, eps * math.sqrt(c2)


def adam_update(param, grad, m, v, *, lr, beta1=0.9, beta2=0.999, eps=1e-7, step,
                weight_decay=0.0, epsilon_hat=True):
    """Keras Adam (AdamW when ``weight_decay`` > 0: decoupled, applied first)."""
    _check("adam_update", param=param, grad=grad, m=m, v=v)
    g = grad.astype(param.dtype, copy=False)
    if weight_decay:
        param -= param * (lr * weight_decay)
    alpha, eps_eff = adam_coefficients(lr, beta1, beta2, eps, step, epsilon_hat)
    m += (g - m) * (1.0 - beta1)
    v += (g * g - v) * (1.0 - beta2)
    param -= alpha * m / (np.sqrt(v) + eps_eff)
    return param, m, v


def adamw_update(param, grad, m, v, *, lr, beta1=0.9, beta2=0.999, eps=1e-7, step,
                 weight_decay=0.004, epsilon_hat=True):
    """Keras AdamW: Adam with decoupled weight decay (Keras' default 0.004)."""
    return adam_update(param, grad, m, v, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                       step=step, weight_decay=weight_decay, epsilon_hat=epsilon_hat)


def adam_update_many(params, grads, ms, vs, **hyper):
    """Multi-tensor Adam: the same update applied to every (param, grad, m, v)."""
    if not len(params) == len(grads) == len(ms) == len(vs):
        raise ValueError(f"adam_update_many: list lengths differ: {len(params)} params, "
                         f"{len(grads)} grads, {len(ms)} m, {len(vs)} v")
    for p, g, m, v in zip(params, grads, ms, vs):
        adam_update(p, g, m, v, **hyper)
    return params, ms, vs
