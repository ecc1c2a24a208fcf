"""``cf.AggregationMethod``: how TF's ``tf.gradients`` may sum a value's cotangents.

cuflow's reverse pass always adds cotangents as they arrive (``ADD_N``'s result; the
experimental methods only change TF's summation order and memory use).
"""
from __future__ import annotations


class AggregationMethod:
    """TF's constants: ``ADD_N`` (= ``DEFAULT``), ``EXPERIMENTAL_TREE``,
    ``EXPERIMENTAL_ACCUMULATE_N``.

    >>> import cuflow as cf
    >>> cf.AggregationMethod.DEFAULT == cf.AggregationMethod.ADD_N
    True
    """
    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


def _as_list(x):
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def gradients(ys, xs, grad_ys=None, name="gradients", gate_gradients=False,
              aggregation_method=None, stop_gradients=None,
              unconnected_gradients=None):
    """``tf.gradients``: d(sum of ys)/d(each x), built into the graph being traced by
    walking its nodes backwards through the registry's VJPs. Only inside ``cf.function``
    (eagerly it raises RuntimeError, as TF 2 does: use GradientTape).

    >>> import cuflow as cf
    >>> f = cf.function(lambda x: cf.gradients(cf.reduce_sum(x * x), x)[0])
    >>> f(cf.constant([1., 2.])).numpy().tolist()
    [2.0, 4.0]
    """
    from .autodiff import UnconnectedGradients
    from .ops.dispatch import _tls
    graph = _tls.graph
    if graph is None:
        raise RuntimeError("tf.gradients is not supported when eager execution is enabled. "
                           "Use tf.GradientTape instead.")
    zero = UnconnectedGradients(unconnected_gradients or "none") is UnconnectedGradients.ZERO
    ys, xs = _as_list(ys), _as_list(xs)
    grad_ys = _as_list(grad_ys) or [None] * len(ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    x_tensors = [_symbolic_source(graph, x) for x in xs]
    stop = {v.id for v in (_value(graph, s) for s in _as_list(stop_gradients)) if v is not None}
    grads = _reverse(graph, ys, grad_ys, x_tensors, stop)
    from .ops import array_ops
    out = []
    for x, t in zip(xs, x_tensors):
        g = None if t is None or t._sym is None else grads.get(t._sym.id)
        if g is None and zero:
            g = array_ops.zeros_like(t if t is not None else x)
        out.append(g)
    return out


def _symbolic_source(graph, x):
    """The symbolic tensor whose Value the graph's nodes consume for ``x``."""
    from .tensor import Tensor, Variable
    if isinstance(x, Variable):
        return graph.read_variable(x)
    if isinstance(x, Tensor) and x._sym is not None:
        return graph._sym(graph.value_of(x))
    return x if isinstance(x, Tensor) else None


def _value(graph, t):
    from .tensor import Tensor, Variable
    if isinstance(t, Variable):
        t = graph.read_variable(t)
    if isinstance(t, Tensor) and t._sym is not None:
        return graph.value_of(t)
    return None


class _NodeEntry:
    """A graph node seen as a tape entry (what backprop's VJP caller reads)."""

    __slots__ = ("op", "inputs", "outputs", "attrs")

    def __init__(self, graph, node):
        self.op, self.attrs = node.op, node.attrs or {}
        self.inputs = [graph._sym(v) for v in node.inputs]
        self.outputs = [graph._sym(v) for v in node.outputs]


def _reverse(graph, ys, grad_ys, sources, stop):
    """Cotangents (by Value id) of every value between ``sources`` and ``ys``."""
    from .autodiff.backprop import _call_vjp, sum_to_shape
    from .indexed_slices import IndexedSlices
    from .ops import array_ops, math_ops
    nodes = list(graph.nodes)
    live = {t._sym.id for t in sources if t is not None and t._sym is not None}
    for n in nodes:
        if any(v.id in live and v.id not in stop for v in n.inputs):
            live.update(v.id for v in n.outputs)
    grads: dict = {}
    for y, gy in zip(ys, grad_ys):
        v = _value(graph, y)
        if v is None or v.id not in live:
            continue
        y_t = graph._sym(v)
        g = array_ops.ones_like(y_t) if gy is None else math_ops.cast(gy, y_t.dtype)
        grads[v.id] = g if v.id not in grads else grads[v.id] + g
    for n in reversed(nodes):
        outs_g = [grads.get(v.id) for v in n.outputs]
        if all(g is None for g in outs_g) or not any(v.id in live for v in n.outputs):
            continue
        wanted = [v.id in live and v.id not in stop and v.dtype.is_floating | v.dtype.is_complex
                  for v in n.inputs]
        if not any(wanted) or not getattr(n.op, "differentiable", True):
            continue        # stop_gradient, comparisons, ...: no cotangent flows back
        if n.op.vjp_fn is None:
            raise LookupError(f"cf.gradients: no gradient for op '{n.op.name}' between ys and "
                              f"xs (at {n.source}); control flow and host calls inside "
                              "cf.function are differentiable with GradientTape only")
        entry = _NodeEntry(graph, n)
        for v, x, g, want in zip(n.inputs, entry.inputs, _call_vjp(entry, outs_g), wanted):
            if g is None or not want:
                continue
            if type(g) is IndexedSlices:
                g = g.__cuflow_tensor__()
            if tuple(g.shape) != tuple(x.shape):
                g = sum_to_shape(g, x)
            if g.dtype != x.dtype:
                g = math_ops.cast(g, x.dtype)
            grads[v.id] = g if v.id not in grads else grads[v.id] + g
    return grads


def hessians(ys, xs, gate_gradients=False, aggregation_method=None, name="hessians"):
    """``tf.hessians``: for each x, the Hessian of sum(ys) w.r.t. x, shaped
    ``x.shape + x.shape`` (inside ``cf.function``; one gradient per element of x, so x
    needs a static size).

    >>> import cuflow as cf
    >>> f = cf.function(lambda x: cf.hessians(cf.reduce_sum(x ** 3), x)[0])
    >>> f(cf.constant([1., 2.])).numpy().tolist()
    [[6.0, 0.0], [0.0, 12.0]]
    """
    from .ops import array_ops
    out = []
    for x in _as_list(xs):
        g = gradients(ys, x)[0]
        if g is None:
            out.append(None)
            continue
        shape = x.shape.as_list()
        if None in shape:
            raise ValueError(f"cf.hessians needs a static shape for x, got {shape}")
        flat = array_ops.reshape(g, [-1])
        rows = []
        for i in range(flat.shape[0]):
            r = gradients(flat[i], x, unconnected_gradients="zero")[0]
            rows.append(array_ops.reshape(r, [-1]))
        out.append(array_ops.reshape(array_ops.stack(rows), shape + shape))
    return out
