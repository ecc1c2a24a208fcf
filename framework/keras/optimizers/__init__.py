"""Optimizers with Keras 3 update formulas, applied as vectorized array updates."""
from __future__ import annotations

import numpy as np

import cuflow as cf
from cuflow.tensor import Tensor

from . import schedules  # noqa: F401


def _arr(x):
    if isinstance(x, cf.Variable):
        x = x._tensor
    if isinstance(x, Tensor):
        return x._value
    return np.asarray(x)


def _xp(a):
    return np if type(a) is np.ndarray else __import__("cupy")


def _set(var, value):
    var._set_tensor(Tensor(value, var._tensor._device))


class Optimizer:
    """Base optimizer: ``apply_gradients(zip(grads, vars))``; None gradients skip."""

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 name=None, **kwargs):
        self.name = name or type(self).__name__.lower()
        self._learning_rate = learning_rate
        self.weight_decay, self.clipnorm, self.clipvalue = weight_decay, clipnorm, clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema, self.ema_momentum = use_ema, ema_momentum
        self.iterations = cf.Variable(np.int64(0), trainable=False, name="iteration")
        self._slots: dict = {}
        self._step = 0

    # --- learning rate ------------------------------------------------------------------
    @property
    def learning_rate(self):
        lr = self._learning_rate
        if callable(lr):
            return float(np.asarray(_arr(lr(self._step))))
        return float(np.asarray(_arr(lr)))

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(self._learning_rate, cf.Variable):
            self._learning_rate.assign(float(value))
        else:
            self._learning_rate = float(value)

    lr = learning_rate

    def _slot(self, var, name, init=0.0):
        key = (id(var), name)
        s = self._slots.get(key)
        if s is None:
            a = _arr(var)
            s = self._slots[key] = (var, name, a * 0 + np.asarray(init, a.dtype))
        return s[2]

    def _put_slot(self, var, name, value):
        self._slots[(id(var), name)] = (var, name, value)

    @property
    def variables(self):
        return [self.iterations] + [cf.Variable(s[2], trainable=False, name=s[1])
                                    for s in self._slots.values()]

    def build(self, var_list):
        pass

    # --- apply ----------------------------------------------------------------------------
    def apply_gradients(self, grads_and_vars, **kwargs):
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        if not pairs:
            return self.iterations
        grads = [_arr(g) for g, _ in pairs]
        if self.clipvalue is not None:
            grads = [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            out = []
            for g in grads:
                n = float(np.sqrt((g.astype(np.float64) ** 2).sum()))
                out.append(g * (self.clipnorm / n) if n > self.clipnorm else g)
            grads = out
        if self.global_clipnorm is not None:
            n = float(np.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads)))
            if n > self.global_clipnorm:
                grads = [g * (self.global_clipnorm / n) for g in grads]
        lr = self.learning_rate
        self._step += 1
        for g, (_, v) in zip(grads, pairs):
            w = _arr(v)
            if g.dtype != w.dtype:
                g = g.astype(w.dtype)
            if self.weight_decay and self._decays(v):
                w = w - w * np.asarray(lr * self.weight_decay, w.dtype)
            new = self._update(w, g, v, lr, self._step)
            if v.constraint is not None:
                new = _arr(v.constraint(cf.constant(new)))
            _set(v, new)
            if self.use_ema:
                ema = self._slot(v, "ema", 0.0)
                if self._step == 1:
                    ema = new.copy()
                else:
                    ema = self.ema_momentum * ema + (1 - self.ema_momentum) * new
                self._put_slot(v, "ema", ema)
        self.iterations._set_tensor(Tensor(np.asarray(self._step, np.int64),
                                           self.iterations._tensor._device))
        return self.iterations

    def _decays(self, var):
        return True

    def minimize(self, loss, var_list, tape=None):
        with (tape or cf.GradientTape()) as t:
            value = loss() if callable(loss) else loss
        grads = t.gradient(value, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def finalize_variable_values(self, var_list):
        if self.use_ema:
            for v in var_list:
                s = self._slots.get((id(v), "ema"))
                if s is not None:
                    _set(v, s[2].copy())

    def get_config(self):
        lr = self._learning_rate
        return {"name": self.name,
                "learning_rate": lr.get_config() | {"class_name": type(lr).__name__}
                if hasattr(lr, "get_config") else float(self.learning_rate),
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "clipvalue": self.clipvalue, "global_clipnorm": self.global_clipnorm,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            lr = dict(lr)
            config["learning_rate"] = getattr(schedules, lr.pop("class_name"))(**lr)
        return cls(**config)


class SGD(Optimizer):
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if not 0 <= momentum <= 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _update(self, w, g, v, lr, t):
        if not self.momentum:
            return w - np.asarray(lr, w.dtype) * g
        m = self._slot(v, "momentum")
        m = self.momentum * m - lr * g
        self._put_slot(v, "momentum", m.astype(w.dtype))
        if self.nesterov:
            return w + (self.momentum * m - lr * g).astype(w.dtype)
        return w + m.astype(w.dtype)

    def get_config(self):
        return super().get_config() | {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def _update(self, w, g, v, lr, t):
        b1, b2 = self.beta_1, self.beta_2
        alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        m = self._slot(v, "momentum")
        u = self._slot(v, "velocity")
        xp = _xp(w)
        tmp = xp.subtract(g, m)          # m += (g - m) * (1 - b1), in place
        tmp *= 1 - b1
        m += tmp
        xp.multiply(g, g, out=tmp)       # u += (g*g - u) * (1 - b2)
        tmp -= u
        tmp *= 1 - b2
        u += tmp
        if self.amsgrad:
            vh = xp.maximum(self._slot(v, "velocity_hat"), u)
            self._put_slot(v, "velocity_hat", vh)
            u = vh
        xp.sqrt(u, out=tmp)
        tmp += self.epsilon
        xp.divide(m, tmp, out=tmp)
        tmp *= -alpha
        tmp += w                         # a fresh array: the old value may be referenced
        return tmp

    def get_config(self):
        return super().get_config() | {"beta_1": self.beta_1, "beta_2": self.beta_2,
                                       "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad,
                         weight_decay=weight_decay, **kwargs)


class RMSprop(Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def _update(self, w, g, v, lr, t):
        vel = self._slot(v, "velocity")
        vel *= self.rho
        vel += (1 - self.rho) * g * g
        denom = vel
        if self.centered:
            ag = self._slot(v, "average_gradient")
            ag *= self.rho
            ag += (1 - self.rho) * g
            denom = vel - ag * ag
        inc = lr * g / np.sqrt(denom + self.epsilon)
        if self.momentum:
            m = self._slot(v, "momentum")
            m *= self.momentum
            m += inc
            inc = m
        return w - inc.astype(w.dtype)


class Adagrad(Optimizer):
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _update(self, w, g, v, lr, t):
        acc = self._slot(v, "accumulator", self.initial_accumulator_value)
        acc += g * g
        return w - (lr * g / np.sqrt(acc + self.epsilon)).astype(w.dtype)


_ALL = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad}


def get(identifier):
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _ALL:
        return _ALL[identifier.lower()]()
    if isinstance(identifier, dict):
        return _ALL[identifier["class_name"].lower()].from_config(identifier["config"])
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")


def serialize(opt):
    return {"class_name": type(opt).__name__, "config": opt.get_config()}
