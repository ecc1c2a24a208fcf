"""``cf.keras.Variable``: Keras 3's variable constructor on a cuflow Variable.

Keras takes ``initializer`` first (a value, or an initializer called with ``shape`` and
``dtype``), then ``shape``, ``dtype``, ``trainable``.

    >>> import cuflow as cf
    >>> v = cf.keras.Variable("zeros", shape=(2,))
    >>> v.numpy().tolist()
    [0.0, 0.0]
"""
from __future__ import annotations

from .layers.base import KerasVariable


class _AnyKerasVariable(type):
    """``isinstance(layer.kernel, keras.Variable)`` is True in Keras 3: every layer weight
    (a KerasVariable made by ``add_weight``) counts as a ``keras.Variable``."""

    def __instancecheck__(cls, obj):
        return isinstance(obj, KerasVariable)

    def __subclasscheck__(cls, sub):
        return issubclass(sub, KerasVariable)


class Variable(KerasVariable, metaclass=_AnyKerasVariable):
    """A cuflow Variable built with Keras 3's arguments; ``name`` (default 'variable'),
    ``path``, the str ``dtype`` and the repr are Keras 3's."""

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None, **kwargs):
        from . import initializers
        from .ops._base import floatx, standardize_dtype
        if isinstance(initializer, str) or (callable(initializer) and not hasattr(
                initializer, "shape")):
            if shape is None:
                raise ValueError("When creating a Variable from an initializer, the `shape` "
                                 "argument should be specified. Received: "
                                 f"initializer={initializer} and shape={shape}")
            init = initializers.get(initializer)
            dt = standardize_dtype(dtype) if dtype is not None else floatx()
            value = init(tuple(shape), dtype=dt)
        else:
            value = initializer
        if not name:   # Keras: auto_name("variable"), the counter unnamed weights share
            from .backend import unique_name
            name = unique_name("variable")
        super().__init__(value, trainable=trainable, name=name,
                         dtype=None if dtype is None else standardize_dtype(dtype))
        self._name = self.path = name
        self.autocast = autocast
