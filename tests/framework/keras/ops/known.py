"""Known differences from Keras 3.15 (TensorFlow backend), each with its reason.

Patterns are ``fnmatch`` patterns over case names. test_keras_ops.py fails on any
difference not listed here and on any entry that no longer differs. ``LENIENT`` classifies
one family: Keras-TF raises because TensorFlow has no kernel for the dtype (or a Keras
bug trips on a NumPy input) where cuflow computes the value by Keras's own dtype rules.
A Keras program that runs never hits these.
"""
from __future__ import annotations

import fnmatch
import re

LENIENT = re.compile(
    r"not in the list of allowed values|Could not find device for node|"
    r"Cannot convert .* to EagerTensor of dtype|must be a floating point tensor|"
    r"Expected numeric or variant tensor|TensorArray dtype is|Matrix size-incompatible|"
    r"'tuple' object has no attribute 'as_list'|'list' object has no attribute 'shape'|"
    r"unsupported operand type|Value for attr 'T' of|not supported between instances|"
    r"was expected to be a .* tensor but is a|has no attribute 'is_floating'")

KNOWN: dict = {
    "nn/vectorize": "Keras-TF refuses vectorize(); cuflow maps the function over the "
                    "broadcast elements (Keras's NumPy-backend behaviour)",
    "array/concatenate/none": "Keras-TF fails on axis=None; cuflow flattens (NumPy's rule, "
                              "as Keras's JAX/NumPy backends)",
    "array/pad/int": "Keras-TF fails on an int pad_width; cuflow broadcasts it (NumPy's rule)",
    "array/searchsorted": "Keras-TF's LowerBound fails on 2-D values; cuflow searches every "
                          "value in the 1-D sequence",
    "unary/softmax/special": "NaN and inf inputs: TF's softmax kernel leaves 0 at the finite "
                             "entries, cuflow's gives NaN for the whole row",
    "array/get_item": "Keras-TF indexes a NumPy input with NumPy (returns an ndarray); "
                      "cuflow returns a Tensor",
}

# keras.ops / random / config / tree names cuflow does not provide yet
MISSING_NAMES: set = set()


def known_reason(name, kind=None, want=None):
    for pattern, reason in KNOWN.items():
        if fnmatch.fnmatchcase(name, pattern):
            return reason
    if kind == "noraise" and want is not None and LENIENT.search(want.get("msg", "")):
        return "lenient dtypes: TF has no kernel for this dtype; cuflow computes"
    return None
