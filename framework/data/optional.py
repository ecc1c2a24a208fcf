"""``cf.experimental.Optional``: a value that may be absent (``get_next_as_optional``)."""
from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..tensor import Tensor
from . import structure as st


class Optional:
    """Holds an element or nothing.

    >>> import cuflow as cf
    >>> opt = iter(cf.data.Dataset.range(1)).get_next_as_optional()
    >>> bool(opt.has_value()), int(opt.get_value())
    (True, 0)
    """

    def __init__(self, value, spec, present):
        self._value, self._spec, self._present = value, spec, present

    @staticmethod
    def from_value(value):
        value = st.normalize(value)
        return Optional(value, st.spec_of(value), True)

    @staticmethod
    def empty(element_spec):
        return Optional(None, element_spec, False)

    def has_value(self, name=None):
        return Tensor(np.asarray(self._present), st._CPU)

    def get_value(self, name=None):
        if not self._present:
            raise InvalidArgumentError(None, "OptionalGetValue", "The optional has no value")
        return self._value

    @property
    def element_spec(self):
        return self._spec
