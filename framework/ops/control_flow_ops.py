"""Control flow: cond, while_loop, case, switch_case, scan, map_fn, foldl, foldr.

Eagerly they are Python control flow (the tape records whatever ran). While a
``cf.function`` traces, ``cond`` and ``while_loop`` on tensor conditions become graph
nodes holding traced subgraphs (see cuflow.graph.control_flow); Python-valued
conditions are decided at trace time. ``scan``/``map_fn``/``foldl``/``foldr`` unroll
over a static leading dimension, and become a ``while_loop`` gathering into TensorArrays
when it is only known at run time.
"""
from __future__ import annotations

from .. import nest
from ..tensor import Tensor, Variable
from .dispatch import _tls, strict_here


def _static_bool(pred):
    """pred as a Python bool when known now (Python value, eager or constant tensor)."""
    if isinstance(pred, Variable):
        pred = pred._tensor if _tls.graph is None else None
        if pred is None:
            return None
    if isinstance(pred, Tensor):
        if pred._sym is None:
            return bool(pred.numpy())
        const = pred._sym.const
        return None if const is None else bool(const)
    return bool(pred)


def cond(pred, true_fn=None, false_fn=None, name=None):
    """``true_fn()`` if pred else ``false_fn()`` (``tf.cond``).

    >>> import cuflow as cf
    >>> float(cf.cond(cf.constant(2.0) > 1.0, lambda: cf.constant(1.0), lambda: cf.constant(0.0)))
    1.0
    """
    if not callable(true_fn) or not callable(false_fn):
        raise TypeError("cf.cond: true_fn and false_fn must be callables")
    tracing = _tls.graph is not None
    if tracing and isinstance(pred, bool) and strict_here():
        raise TypeError("pred must not be a Python bool", pred)
    known = _static_bool(pred)
    if known is not None:
        if tracing and isinstance(pred, Tensor) and strict_here():
            # TF traces both branches of a graph cond: check the one not taken matches
            taken = true_fn() if known else false_fn()
            _check_branches(taken, false_fn if known else true_fn)
            return taken
        return true_fn() if known else false_fn()
    from ..graph.control_flow import build_cond
    from . import tensor_array as _ta
    templates, known = [], {}

    def parts_of(fn):       # branches returning TensorArrays hand back their parts
        def run():
            out = fn()
            if not _ta.has_arrays(out):
                return out
            mine = []
            res = _ta.to_parts(_ta.fill_pending(out, known), mine)
            if not templates:
                templates.extend(mine)
            return res
        return run
    composite = []

    def expanded(fn):       # RaggedTensor / SparseTensor results: their component tensors
        def run():
            out = fn()
            if not any(getattr(type(x), "_is_composite", False) for x in nest.flatten(out)):
                return out
            if not composite:
                composite.append(out)
            return nest.flatten(out, expand_composites=True)
        return run
    true_fn, false_fn = expanded(true_fn), expanded(false_fn)
    try:
        res = build_cond(pred, parts_of(true_fn), parts_of(false_fn))
    except _ta.PendingArray:
        if not known:
            raise
        templates.clear()   # the other branch showed the element shape: trace again
        res = build_cond(pred, parts_of(true_fn), parts_of(false_fn))
    res = _ta.from_parts(res, templates) if templates else res
    if composite:
        res = nest.pack_sequence_as(composite[0], res, expand_composites=True)
    return res


def _check_branches(taken, other_fn):
    """Traces ``other_fn`` on a throwaway graph; raises TF's TypeError when its outputs
    differ from ``taken``'s in structure or dtypes."""
    from ..graph.tracing import FuncGraph
    g = FuncGraph("cond_other_branch", outer=_tls.graph, device=_tls.graph.device)
    with g:
        other = other_fn()

    def kinds(out):
        return [getattr(x, "dtype", type(x).__name__) for x in nest.flatten(out)]
    try:
        nest.assert_same_structure(taken, other, check_types=False)
        same = kinds(taken) == kinds(other)
    except (TypeError, ValueError):
        same = False
    if not same:
        raise TypeError("true_fn and false_fn arguments to tf.cond must have the same "
                        "number, type, and overall structure of return values "
                        f"(one branch returned {taken!r:.120}, the other {other!r:.120})")


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeats ``body`` while ``cond`` holds (``tf.while_loop``); returns the loop vars.

    >>> import cuflow as cf
    >>> int(cf.while_loop(lambda i: i < 10, lambda i: (i + 3,), [cf.constant(0)])[0])
    12
    """
    if not callable(cond) or not callable(body):
        raise TypeError("cf.while_loop: cond and body must be callables")
    single = not isinstance(loop_vars, (list, tuple))
    structure = [loop_vars] if single else loop_vars
    if not single and strict_here():        # TF: body returns loop_vars' structure
        body = _strict_body(body, structure)
    if _tls.graph is not None:
        from ..graph.control_flow import build_while
        from . import tensor_array as _ta
        if _ta.has_arrays(structure):
            out = _while_with_arrays(cond, body, list(structure), shape_invariants,
                                     maximum_iterations)
            return out[0] if single else out

        def body_fn(*a):
            out = body(*a)
            return [out] if len(structure) == 1 and not isinstance(out, (list, tuple)) \
                else out
        if any(getattr(type(v), "_is_composite", False) for v in nest.flatten(structure)):
            out = _while_composites(cond, body_fn, list(structure), maximum_iterations)
            return out[0] if single else out
        out = build_while(cond, body_fn, list(structure), shape_invariants,
                          maximum_iterations)
        out = nest.pack_sequence_as(structure, nest.flatten(out))
        return out[0] if single else out
    from .constant import convert_to_tensor
    vs = nest.map_structure(
        lambda v: v if isinstance(v, (Tensor, Variable)) or getattr(
            type(v), "_is_composite", False) else convert_to_tensor(v), list(structure))
    i = 0
    returned = type(loop_vars)
    while maximum_iterations is None or i < int(maximum_iterations):
        if not bool(cond(*vs)):
            break
        out = body(*vs)
        returned = type(out)        # TF returns the body's last result as it is
        if len(structure) == 1 and not isinstance(out, (list, tuple)):
            out = [out]
        out = list(out) if isinstance(out, tuple) else out
        nest.assert_same_structure(vs, out, check_types=False)
        vs = out
        i += 1
    if returned is tuple and not single:
        vs = tuple(vs)
    return vs[0] if single else vs


def _while_composites(cond, body_fn, structure, maximum_iterations):
    """A traced while_loop carrying RaggedTensors / SparseTensors as their component
    tensors (rebuilt around each cond and body call)."""
    from ..graph.control_flow import build_while

    def pack(flat):
        return nest.pack_sequence_as(structure, list(flat), expand_composites=True)
    out = build_while(lambda *f: cond(*pack(f)),
                      lambda *f: nest.flatten(list(body_fn(*pack(f))), expand_composites=True),
                      nest.flatten(structure, expand_composites=True), None,
                      maximum_iterations)
    return pack(nest.flatten(out))


def _strict_body(body, structure):
    def checked(*args):
        out = body(*args)
        if isinstance(out, Tensor) and out.shape.rank == 0:
            raise TypeError("Cannot iterate over a scalar tensor.")
        flat_out = list(out) if isinstance(out, (list, tuple, dict)) else [out]
        try:
            nest.assert_same_structure(list(structure), flat_out, check_types=False)
        except (TypeError, ValueError):
            raise ValueError(
                "The two structures don't have the same nested structure: the while_loop "
                f"body returned {out!r:.200} for loop_vars {structure!r:.200}") from None
        return out
    return checked


def _while_with_arrays(cond, body, structure, shape_invariants, max_iter):
    """A traced while_loop whose loop variables include TensorArrays: each becomes its
    (buffer, size) parts, the buffer's first dimension free to grow."""
    from ..graph.control_flow import build_while
    from . import tensor_array as _ta
    structure = _discover_arrays(body, structure)
    templates = []
    parts = _ta.to_parts(structure, templates)
    inv = _ta.loop_invariants(parts)
    if shape_invariants is not None:
        user = list(shape_invariants) if isinstance(shape_invariants, (list, tuple)) \
            else [shape_invariants]
        inv = [u if not isinstance(x, _ta.TensorArray) else i
               for u, i, x in zip(user, inv, structure)]

    def call(fn, args):
        return fn(*_ta.from_parts(list(args), templates))

    def body_fn(*a):
        out = call(body, a)
        if len(structure) == 1 and not isinstance(out, (list, tuple)):
            out = [out]
        return _ta.to_parts(list(out))
    res = build_while(lambda *a: call(cond, a), body_fn, parts, inv, max_iter)
    return _ta.from_parts(list(nest.pack_sequence_as(parts, nest.flatten(res))), templates)


def _discover_arrays(body, structure):
    """Arrays with no element shape yet: trace the body once on a throwaway graph to see
    what it writes, then start them as zero buffers of that element shape."""
    from ..graph.tracing import FuncGraph
    from . import tensor_array as _ta
    flat = nest.flatten(structure)
    if not any(isinstance(x, _ta.TensorArray) and x._buf is None for x in flat):
        return structure
    g = FuncGraph("discover_arrays", outer=_tls.graph, device=_tls.graph.device)
    with g:
        args = [g.placeholder(x.shape, x.dtype) if isinstance(x, Tensor) else x
                for x in structure]
        out = body(*args)
    out = [out] if len(structure) == 1 and not isinstance(out, (list, tuple)) else out
    fixed = []
    for x, y in zip(structure, out):
        if isinstance(x, _ta.TensorArray) and x._buf is None:
            if not isinstance(y, _ta.TensorArray) or y._buf is None:
                raise ValueError("cf.while_loop: a TensorArray loop variable with an "
                                 "unknown element shape must be written in the loop body "
                                 "(or give element_shape)")
            elem = y._buf.shape.as_list()[1:]
            if None in elem:
                raise ValueError(f"cf.while_loop: TensorArray elements written in the loop "
                                 f"have an unknown shape {elem}; give element_shape")
            x = _ta.TensorArray._make(x, None, x._size)._with_shape(elem)
            x = _ta.TensorArray._make(x, x._zeros(x._size), x._size)
        fixed.append(x)
    return fixed


def switch_case(branch_index, branch_fns, default=None, name=None):
    """Runs ``branch_fns[branch_index]`` (or ``default`` when out of range)."""
    if isinstance(branch_fns, dict):
        items = sorted(branch_fns.items())
    else:
        items = list(enumerate(branch_fns))
    if default is None:
        default = items[-1][1]
    known = None
    if not (isinstance(branch_index, Tensor) and branch_index._sym is not None
            and branch_index._sym.const is None):
        known = int(branch_index.numpy() if isinstance(branch_index, Tensor) else
                    branch_index) if not isinstance(branch_index, Tensor) or \
            branch_index._sym is None else int(branch_index._sym.const)
    if known is not None:
        for k, fn in items:
            if k == known:
                return fn()
        return default()
    from .math_ops import equal

    def chain(j):
        if j == len(items):
            return default()
        k, fn = items[j]
        return cond(equal(branch_index, k), fn, lambda: chain(j + 1))
    return chain(0)


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the first ``fn`` whose ``pred`` holds (``tf.case``), else ``default``."""
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else \
        list(pred_fn_pairs)
    if default is None:
        if not pairs:
            raise ValueError("cf.case: no branches and no default")
        *pairs, (last_pred, last_fn) = pairs

        def default():      # TF: the last branch, asserting its predicate holds
            if _static_bool(last_pred) is False:
                from ..errors import InvalidArgumentError
                raise InvalidArgumentError(None, "case", "Input error: None of conditions "
                                           "evaluated as True")
            return last_fn()

    def chain(j):
        if j == len(pairs):
            return default()
        p, fn = pairs[j]
        return cond(p, fn, lambda: chain(j + 1))
    return chain(0)


def _leading(elems):
    flat = nest.flatten(elems)
    return flat, flat[0].shape[0]


def _element_specs(fn, args):
    """The structure and (shape, dtype) leaves ``fn`` returns for symbolic ``args``,
    found by tracing it once on a throwaway graph."""
    from ..graph.tracing import FuncGraph
    from .constant import convert_to_tensor
    g = FuncGraph("discover_fn", outer=_tls.graph, device=_tls.graph.device)
    with g:
        ph = nest.map_structure(lambda t: g.placeholder(t.shape, t.dtype), args)
        out = fn(*ph)
        leaves = [convert_to_tensor(o) for o in nest.flatten(out)]
        specs = [(o.shape, o.dtype) for o in leaves]
    return out, specs


def _loop_over(elems, flat, step, carry, out_specs, reverse):
    """A traced while_loop over axis 0 of ``elems`` (length only known at run time):
    ``step(x, *carry) -> (carry, outputs)``; outputs are gathered in TensorArrays."""
    from .array_ops import shape
    from .constant import convert_to_tensor
    from .tensor_array import TensorArray
    length = shape(flat[0])[0]
    tas = [TensorArray(dt, size=length, element_shape=sh) for sh, dt in out_specs]
    nc = len(carry)

    def body(i, *vs):
        k = length - 1 - i if reverse else i
        x = nest.pack_sequence_as(elems, [t[k] for t in flat])
        new_carry, outs = step(x, *vs[:nc])
        written = [ta.write(k, o) for ta, o in zip(vs[nc:], outs)]
        return [i + 1, *new_carry, *written]
    res = while_loop(lambda i, *vs: i < length, body,
                     [convert_to_tensor(0), *carry, *tas])
    return list(res[1:1 + nc]), [ta.stack() for ta in res[1 + nc:]]


def _slices(elems, flat, n, reverse=False):
    from .array_ops import unstack
    parts = [unstack(t, num=n) for t in flat]
    order = range(n - 1, -1, -1) if reverse else range(n)
    for i in order:
        yield i, nest.pack_sequence_as(elems, [p[i] for p in parts])


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True,
           swap_memory=False, infer_shape=True, name=None, fn_output_signature=None):
    """Applies ``fn`` to each slice along axis 0 and stacks the results."""
    from .array_ops import stack
    from .constant import convert_to_tensor
    if hasattr(type(elems), "_cf_dispatch"):    # a RaggedTensor: fn sees each row
        from ..ragged import stack as ragged_stack
        outs = [fn(row) for row in elems]
        shapes = {tuple(getattr(o, "shape", ())) for o in outs}
        ragged_out = type(fn_output_signature).__name__ == "RaggedTensorSpec"
        return ragged_stack(outs) if ragged_out or len(shapes) > 1 else stack(outs)
    if _has_ragged_spec(fn_output_signature):
        return _map_to_ragged(fn, elems, fn_output_signature)
    elems = nest.map_structure(convert_to_tensor, elems)
    flat, n = _leading(elems)
    if n is None:           # traced with an unknown length: a loop, fn traced once
        first = nest.pack_sequence_as(elems, [t[0] for t in flat])
        structure, specs = _element_specs(lambda x: fn(x), (first,))
        _, stacked = _loop_over(elems, flat, lambda x: ((), nest.flatten(fn(x))), (),
                                specs, False)
        return nest.pack_sequence_as(structure, stacked)
    outs = [fn(x) for _, x in _slices(elems, flat, n)]
    if not outs:
        return _empty_map_result(elems, fn_output_signature or dtype)
    return nest.pack_sequence_as(outs[0], [stack(list(col)) for col in
                                           zip(*[nest.flatten(o) for o in outs])])


def _has_ragged_spec(signature):
    return signature is not None and any(type(s).__name__ == "RaggedTensorSpec"
                                         for s in nest.flatten(signature))


def _map_to_ragged(fn, elems, signature):
    """map_fn whose fn_output_signature holds RaggedTensorSpecs: those outputs (rows of
    any length, or ragged) stack into RaggedTensors with one more ragged dimension."""
    from ..ragged.ragged_stack import stack_ragged
    from .array_ops import stack
    from .constant import convert_to_tensor
    elems = nest.map_structure(convert_to_tensor, elems)
    flat, n = _leading(elems)
    if n is None:
        raise ValueError("map_fn with a RaggedTensorSpec fn_output_signature needs elements "
                         "whose length is known when the function is traced")
    outs = [nest.flatten(fn(x)) for _, x in _slices(elems, flat, n)]
    specs = nest.flatten(signature)
    cols = list(zip(*outs)) if outs else [[] for _ in specs]
    made = [stack_ragged(list(c), s.ragged_rank, s.row_splits_dtype)
            if type(s).__name__ == "RaggedTensorSpec" else stack(list(c))
            for s, c in zip(specs, cols)]
    return nest.pack_sequence_as(signature, made)


def _empty_map_result(elems, signature):
    """TF's map_fn over no elements: zero-length tensors of the signature's shapes (or
    shape (0,) and the elements' dtypes when no signature is given)."""
    from .. import dtypes as _dt
    from .array_ops import zeros
    if signature is None:
        return nest.map_structure(lambda t: zeros([0], t.dtype), elems)

    def one(spec):
        if isinstance(spec, _dt.DType) or not hasattr(spec, "shape"):
            return zeros([0], _dt.as_dtype(spec))
        dims = spec.shape.as_list() if spec.shape.rank is not None else []
        return zeros([0] + [d or 0 for d in dims], spec.dtype)
    return nest.map_structure(one, signature)


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
         swap_memory=False, infer_shape=True, reverse=False, name=None):
    """Cumulative ``acc = fn(acc, x)`` over axis 0; returns every ``acc`` stacked."""
    from .array_ops import stack
    from .constant import convert_to_tensor
    elems = nest.map_structure(convert_to_tensor, elems)
    flat, n = _leading(elems)
    if n is None:
        return _scan_loop(fn, elems, flat, initializer, reverse)
    it = _slices(elems, flat, n, reverse)
    if initializer is None:
        _, acc = next(it)
        accs = [acc]
    else:
        acc, accs = initializer, []
    for _, x in it:
        acc = fn(acc, x)
        accs.append(acc)
    if reverse:
        accs = accs[::-1]
    return nest.pack_sequence_as(accs[0], [stack(list(col)) for col in
                                           zip(*[nest.flatten(a) for a in accs])])


def _scan_loop(fn, elems, flat, initializer, reverse, keep=True):
    """scan / fold over an unknown length: a while_loop carrying the accumulator."""
    from .constant import convert_to_tensor
    if initializer is None:
        raise ValueError("cf.scan/foldl/foldr over a length known only at run time need an "
                         "initializer")
    init = nest.map_structure(convert_to_tensor, initializer)
    acc_flat = nest.flatten(init)
    first = nest.pack_sequence_as(elems, [t[0] for t in flat])
    _, specs = _element_specs(lambda a, x: fn(a, x), (init, first))

    def step(x, *acc):
        new = nest.flatten(fn(nest.pack_sequence_as(init, list(acc)), x))
        new = [convert_to_tensor(v) for v in new]
        return new, (new if keep else [])
    carry, stacked = _loop_over(elems, flat, step, acc_flat, specs if keep else [],
                                reverse)
    if not keep:
        return nest.pack_sequence_as(init, carry)
    return nest.pack_sequence_as(init, stacked)


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """``fn(...fn(fn(init, e0), e1)..., en)`` over axis 0."""
    from .constant import convert_to_tensor
    elems = nest.map_structure(convert_to_tensor, elems)
    flat, n = _leading(elems)
    if n is None:
        return _scan_loop(fn, elems, flat, initializer, False, keep=False)
    it = _slices(elems, flat, n)
    acc = next(it)[1] if initializer is None else initializer
    for _, x in it:
        acc = fn(acc, x)
    return acc


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True,
          swap_memory=False, name=None):
    """Like foldl, from the last element to the first."""
    from .constant import convert_to_tensor
    elems = nest.map_structure(convert_to_tensor, elems)
    flat, n = _leading(elems)
    if n is None:
        return _scan_loop(fn, elems, flat, initializer, True, keep=False)
    it = _slices(elems, flat, n, reverse=True)
    acc = next(it)[1] if initializer is None else initializer
    for _, x in it:
        acc = fn(acc, x)
    return acc
