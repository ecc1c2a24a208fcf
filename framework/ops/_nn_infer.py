"""Shape and dtype rules (``OpDef.infer``) for the nn, conv, pool, random and image ops,
so the tracer never has to probe them: probing a random op would draw numbers (and
advance its stream), probing a gather could hit an out-of-range dummy index."""
from __future__ import annotations


def dims(v):
    """A value's shape as a list (None for unknown sizes)."""
    s = v.shape
    return list(s.as_list()) if hasattr(s, "as_list") else list(s)


def conv_out(n, k, s, d, pad):
    if n is None:
        return None
    return (n + pad[0] + pad[1] - (k - 1) * d - 1) // s + 1


def broadcast(a, b):
    """NumPy broadcasting of two shape lists; an unknown size stays unknown."""
    n = max(len(a), len(b))
    a, b = [1] * (n - len(a)) + list(a), [1] * (n - len(b)) + list(b)
    return [x if y == 1 else y if x == 1 else (x if x is not None else y)
            for x, y in zip(a, b)]
