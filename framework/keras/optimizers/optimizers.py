"""Keras 3's optimizers: the update rules, each a few lines of cuflow ops."""
from __future__ import annotations

from ...ops import math_ops as _m
from .base import Optimizer


class SGD(Optimizer):
    _fused_kind = "sgd"
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kw):
        super().__init__(learning_rate=learning_rate, name=name, **kw)
        if not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum, self.nesterov = momentum, nesterov

    def build_slots(self, var):
        return {"m": self.add_variable_from_reference(var, "momentum")} if self.momentum else {}

    def update_step(self, g, v, lr, s):
        if not self.momentum:
            v.assign_sub(lr * g)
            return
        m = s["m"]
        m.assign(self.momentum * m - lr * g)
        if self.nesterov:
            v.assign_add(self.momentum * m - lr * g)
        else:
            v.assign_add(m)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    _fused_kind = "adam"
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name="adam", **kw):
        super().__init__(learning_rate=learning_rate, name=name, **kw)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build_slots(self, var):
        slots = {"m": self.add_variable_from_reference(var, "momentum"),
                 "v": self.add_variable_from_reference(var, "velocity")}
        if self.amsgrad:
            slots["vhat"] = self.add_variable_from_reference(var, "velocity_hat")
        return slots

    def _bias(self, dtype):
        t = _m.cast(self.iterations + 1, dtype)
        return _m.pow(_m.cast(self.beta_1, dtype), t), _m.pow(_m.cast(self.beta_2, dtype), t)

    def update_step(self, g, v, lr, s):
        b1p, b2p = self._bias(v.dtype)
        alpha = lr * _m.sqrt(1 - b2p) / (1 - b1p)
        m, vel = s["m"], s["v"]
        m.assign_add((g - m) * (1 - self.beta_1))
        vel.assign_add((g * g - vel) * (1 - self.beta_2))
        if self.amsgrad:
            s["vhat"].assign(_m.maximum(s["vhat"], vel))
            vel = s["vhat"]
        v.assign_sub(m * alpha / (_m.sqrt(vel) + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, name="adamw", **kw):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, name=name,
                         weight_decay=weight_decay, **kw)


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, name="rmsprop", **kw):
        super().__init__(learning_rate=learning_rate, name=name, **kw)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build_slots(self, var):
        slots = {"vel": self.add_variable_from_reference(var, "velocity")}
        if self.momentum:
            slots["mom"] = self.add_variable_from_reference(var, "momentum")
        if self.centered:
            slots["avg"] = self.add_variable_from_reference(var, "average_gradient")
        return slots

    def update_step(self, g, v, lr, s):
        vel = s["vel"]
        vel.assign(self.rho * vel + (1 - self.rho) * g * g)
        if self.centered:
            avg = s["avg"]
            avg.assign(self.rho * avg + (1 - self.rho) * g)
            denom = vel - avg * avg + self.epsilon
        else:
            denom = vel + self.epsilon
        inc = lr * g * _m.rsqrt(denom)
        if self.momentum:
            mom = s["mom"]
            mom.assign(self.momentum * mom + inc)
            v.assign_sub(mom)
        else:
            v.assign_sub(inc)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name="adagrad", **kw):
        super().__init__(learning_rate=learning_rate, name=name, **kw)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def build_slots(self, var):
        return {"acc": self.add_variable_from_reference(var, "accumulator",
                                                        self.initial_accumulator_value)}

    def update_step(self, g, v, lr, s):
        acc = s["acc"]
        acc.assign_add(g * g)
        v.assign_sub(lr * g / _m.sqrt(acc + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon,
                "initial_accumulator_value": self.initial_accumulator_value}


class Adadelta(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="adadelta", **kw):
        super().__init__(learning_rate=learning_rate, name=name, **kw)
        self.rho, self.epsilon = rho, epsilon

    def build_slots(self, var):
        return {"acc_g": self.add_variable_from_reference(var, "accumulated_grad"),
                "acc_d": self.add_variable_from_reference(var, "accumulated_delta_var")}

    def update_step(self, g, v, lr, s):
        ag, ad = s["acc_g"], s["acc_d"]
        ag.assign(self.rho * ag + (1 - self.rho) * g * g)
        delta = -_m.sqrt(ad + self.epsilon) / _m.sqrt(ag + self.epsilon) * g
        ad.assign(self.rho * ad + (1 - self.rho) * delta * delta)
        v.assign_add(lr * delta)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adamax(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="adamax", **kw):
        super().__init__(learning_rate=learning_rate, name=name, **kw)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build_slots(self, var):
        return {"m": self.add_variable_from_reference(var, "m"),
                "u": self.add_variable_from_reference(var, "norm")}

    def update_step(self, g, v, lr, s):
        t = _m.cast(self.iterations + 1, v.dtype)
        b1p = _m.pow(_m.cast(self.beta_1, v.dtype), t)
        m, u = s["m"], s["u"]
        m.assign_add((g - m) * (1 - self.beta_1))
        u.assign(_m.maximum(self.beta_2 * u, _m.abs(g)))
        v.assign_sub(lr * m / ((1 - b1p) * (u + self.epsilon)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Nadam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="nadam", **kw):
        super().__init__(learning_rate=learning_rate, name=name, **kw)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        import numpy as np
        self._u_product = self._new_variable(np.float32(1.0), "u_product")
        self._variables.append(self._u_product)

    def build_slots(self, var):
        return {"m": self.add_variable_from_reference(var, "momentum"),
                "v": self.add_variable_from_reference(var, "velocity")}

    def apply(self, grads, trainable_variables=None):
        # u_product advances once per step, before the per-variable updates (Keras 3)
        t = _m.cast(self.iterations + 1, "float32")
        u_t = self.beta_1 * (1.0 - 0.5 * _m.pow(0.96, t))  # Keras 3: decay 0.96 ** step
        self._step_u = (u_t, self.beta_1 * (1.0 - 0.5 * _m.pow(0.96, t + 1)),
                        self._u_product * u_t)
        out = super().apply(grads, trainable_variables)
        self._u_product.assign(self._step_u[2])
        return out

    def update_step(self, g, v, lr, s):
        dt = v.dtype
        u_t, u_t1, u_prod = (_m.cast(x, dt) for x in self._step_u)
        u_prod_t1 = u_prod * u_t1
        t = _m.cast(self.iterations + 1, dt)
        b2p = _m.pow(_m.cast(self.beta_2, dt), t)
        m, vel = s["m"], s["v"]
        m.assign_add((g - m) * (1 - self.beta_1))
        vel.assign_add((g * g - vel) * (1 - self.beta_2))
        m_hat = u_t1 * m / (1 - u_prod_t1) + (1 - u_t) * g / (1 - u_prod)
        v_hat = vel / (1 - b2p)
        v.assign_sub(m_hat * lr / (_m.sqrt(v_hat) + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class Lion(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name="lion", **kw):
        super().__init__(learning_rate=learning_rate, name=name, **kw)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(f"Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def build_slots(self, var):
        return {"m": self.add_variable_from_reference(var, "momentum")}

    def update_step(self, g, v, lr, s):
        m = s["m"]
        v.assign_sub(lr * _m.sign(m * self.beta_1 + g * (1.0 - self.beta_1)))
        m.assign(m * self.beta_2 + g * (1.0 - self.beta_2))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
