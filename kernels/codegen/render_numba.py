"""Renders a Program as readable Numba CPU source: ``@njit(parallel=True)`` loop nests.

One loop per coalesced output dim (``prange`` on the outermost), each input indexed by
its broadcast pattern and loaded at the shallowest loop level that knows its index (a
row statistic is loaded once per row). Every intermediate is a local, written once to
the output buffers. float32 stays float32 (typed constants, explicit casts); tanh
uses a rational approximation LLVM can vectorize (Eigen's, max rel. error 4e-7) and exp
a range-reduced polynomial with 2**k built from bits (max rel. error 1e-7);
small integer powers were already rewritten as multiplies by the graph simplifier.
"""
from __future__ import annotations

import math

from .expr import Const, In, assignments

TARGET = "numba-cpu"

# name -> template over args {0} {1} {2}; {T} is the result dtype's constructor.
CODE_FOR_OP = {
    "add": "({0} + {1})", "subtract": "({0} - {1})", "multiply": "({0} * {1})",
    "truediv": "({0} / {1})", "negative": "(-{0})", "abs": "abs({0})",
    "square": "({0} * {0})", "sqrt": "math.sqrt({0})", "rsqrt": "({T}(1) / math.sqrt({0}))",
    "reciprocal": "({T}(1) / {0})", "exp": "math.exp({0})", "expm1": "math.expm1({0})",
    "log": "math.log({0})", "log1p": "math.log1p({0})", "sin": "math.sin({0})",
    "cos": "math.cos({0})", "tan": "math.tan({0})", "asin": "math.asin({0})",
    "acos": "math.acos({0})", "atan": "math.atan({0})", "sinh": "math.sinh({0})",
    "cosh": "math.cosh({0})", "tanh": "math.tanh({0})", "asinh": "math.asinh({0})",
    "acosh": "math.acosh({0})", "atanh": "math.atanh({0})",
    "sigmoid": "({T}(1) / ({T}(1) + math.exp(-{0})))",
    "floor": "np.floor({0})", "ceil": "np.ceil({0})", "rint": "np.rint({0})",
    "round": "np.rint({0})", "trunc": "np.trunc({0})", "erf": "math.erf({0})",
    "erfc": "math.erfc({0})", "lgamma": "math.lgamma({0})",
    "maximum": "_max({0}, {1})", "minimum": "_min({0}, {1})", "pow": "({0} ** {1})",
    "atan2": "math.atan2({0}, {1})", "sign": "_sign({0})",
    "equal": "({0} == {1})", "not_equal": "({0} != {1})", "less": "({0} < {1})",
    "less_equal": "({0} <= {1})", "greater": "({0} > {1})", "greater_equal": "({0} >= {1})",
    "logical_and": "({0} and {1})", "logical_or": "({0} or {1})",
    "logical_xor": "({0} != {1})", "logical_not": "(not {0})",
    "is_nan": "np.isnan({0})", "is_inf": "np.isinf({0})", "is_finite": "np.isfinite({0})",
    "select": "({1} if {0} else {2})", "identity": "{0}", "stop_gradient": "{0}",
    "floordiv": "np.floor({0} / {1})", "bitwise_and": "({0} & {1})",
    "bitwise_or": "({0} | {1})", "bitwise_xor": "({0} ^ {1})", "invert": "(~{0})",
    "left_shift": "({0} << {1})", "right_shift": "({0} >> {1})",
    "conj": "{0}", "real": "{0}", "cast": "{T}({0})",
    "relu": "_max({0}, {T}(0))", "relu6": "_min(_max({0}, {T}(0)), {T}(6))",
    "relu_grad": "({0} * {T}({1} > 0))",
    "relu6_grad": "({0} * {T}(({1} > 0) and ({1} < 6)))",
    "elu": "({0} if {0} > 0 else math.expm1({0}))",
    "softplus": "(_max({0}, {T}(0)) + math.log1p(math.exp(-abs({0}))))",
}
# Ops whose Numba result already has the (float) dtype of their same-typed inputs.
_CLOSED = {"add", "subtract", "multiply", "truediv", "negative", "abs", "square", "sqrt",
           "exp", "log", "sin", "cos", "tanh", "maximum", "minimum", "select", "identity",
           "stop_gradient", "sigmoid", "rsqrt", "reciprocal", "conj", "real", "expm1",
           "log1p", "tan", "relu", "relu6", "elu", "softplus", "relu_grad", "relu6_grad"}
_BOOL_OUT = {"equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
             "logical_and", "logical_or", "logical_xor", "logical_not", "is_nan", "is_inf",
             "is_finite"}
SUPPORTED_DTYPES = {"float32", "float64", "int8", "int16", "int32", "int64", "uint8",
                    "uint16", "uint32", "uint64", "bool"}

# Eigen's generic_fast_tanh_float: x * P(x^2) / Q(x^2), clamped at +-7.905.
_TANH_A = ("4.89352455891786e-03", "6.37261928875436e-04", "1.48572235717979e-05",
           "5.12229709037114e-08", "-8.60467152213735e-11", "2.00018790482477e-13",
           "-2.76076847742355e-16")
_TANH_B = ("4.89352518554385e-03", "2.26843463243900e-03", "1.18534705686654e-04",
           "1.19825839466702e-06")

PRELUDE = '''import math
import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

F32 = np.float32


@intrinsic
def _bits_to_f32(typingctx, x):
    """Reinterprets int32 bits as float32 (builds 2**k for exp)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.int32), codegen


@intrinsic
def _f32_bits(typingctx, x):
    """Reinterprets float32 bits as int32 (row max/min compare integer keys)."""
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(32))
    return types.int32(types.float32), codegen


@intrinsic
def _f64_bits(typingctx, x):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))
    return types.int64(types.float64), codegen


@intrinsic
def _bits_to_f64(typingctx, x):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@njit(inline="always", fastmath=True, cache=True)
def _exp_f32(x):
    """exp for float32: range reduction to [-ln2/2, ln2/2] and Cephes' polynomial, scaled
    by 2**k built from its bits (vectorizes; max rel. error 1e-7)."""
    c = min(max(x, F32(-87.33654)), F32(88.72284))
    k = np.floor(c * F32(1.44269504088896341) + F32(0.5))
    r = c - k * F32(0.693359375)
    r = r - k * F32(-2.12194440e-4)
    y = F32(1.9875691500E-4)
    y = y * r + F32(1.3981999507E-3)
    y = y * r + F32(8.3334519073E-3)
    y = y * r + F32(4.1665795894E-2)
    y = y * r + F32(1.6666665459E-1)
    y = y * r + F32(5.0000001201E-1)
    y = y * (r * r) + r + F32(1.0)
    e = (y + y) * _bits_to_f32((np.int32(k) + np.int32(126)) << np.int32(23))
    return e if x == x else x


@njit(inline="always", fastmath=True, cache=True)
def _tanh_f32(x):
    """tanh for float32 as a rational function (vectorizes; max rel. error 4e-7)."""
    c = min(max(x, F32(-7.90531110763549805)), F32(7.90531110763549805))
    x2 = c * c
    p = F32({a6})
    p = x2 * p + F32({a5})
    p = x2 * p + F32({a4})
    p = x2 * p + F32({a3})
    p = x2 * p + F32({a2})
    p = x2 * p + F32({a1})
    p = x2 * p + F32({a0})
    q = F32({b3})
    q = x2 * q + F32({b2})
    q = x2 * q + F32({b1})
    q = x2 * q + F32({b0})
    t = c * p / q
    return t if x == x else x


@njit(fastmath={{"reassoc", "contract", "arcp", "nsz", "afn"}}, cache=True)
def _radd(a, b):
    """a + b that LLVM may reassociate once inlined: a row sum vectorizes (one partial
    sum per lane) while the rest of a row kernel keeps its written order."""
    return a + b


@njit(inline="always", cache=True)
def _max(a, b):
    return a if (a >= b or a != a) else b


@njit(inline="always", cache=True)
def _min(a, b):
    return a if (a <= b or a != a) else b


@njit(inline="always", cache=True)
def _sign(a):
    return (a > 0) - (a < 0) if a == a else a
'''.format(**{f"a{i}": v for i, v in enumerate(_TANH_A)},
           **{f"b{i}": v for i, v in enumerate(_TANH_B)})


def _ctor(dtype):
    return "np.bool_" if dtype == "bool" else f"np.{dtype}"


def _literal(value):
    """A Python literal for a constant; inf and nan spelled through NumPy."""
    if isinstance(value, float) and not math.isfinite(value):
        return "np.nan" if math.isnan(value) else ("np.inf" if value > 0 else "-np.inf")
    return repr(value)


def _spell(e, names):
    if isinstance(e, In):
        return names[e.key()]
    if isinstance(e, Const):
        if e.dtype == "bool":
            return "True" if e.value else "False"
        return f"{_ctor(e.dtype)}({_literal(e.value)})"
    args = [names[a.key()] for a in e.args]
    name = e.name
    if name == "tanh" and e.dtype == "float32":
        return f"_tanh_f32({args[0]})"
    if name == "exp" and e.dtype == "float32":
        return f"_exp_f32({args[0]})"
    if name == "sigmoid" and e.dtype == "float32":
        return f"(F32(1) / (F32(1) + _exp_f32(-{args[0]})))"
    if name == "cast" and e.dtype == "bool":
        return f"({args[0]} != 0)"
    if name == "floordiv" and e.dtype not in ("float32", "float64"):
        text = f"({args[0]} // {args[1]})"
    else:
        text = CODE_FOR_OP[name].format(*args, T=_ctor(e.dtype))
    same = all(a.dtype == e.dtype for a in e.args)
    if name in _BOOL_OUT or e.dtype == "bool" or name == "cast" or \
            (name in _CLOSED and same and e.dtype in ("float32", "float64")):
        return text
    return f"{_ctor(e.dtype)}({text})"


def render(program, patterns, ndim, name, fastmath=True, parallel=True):
    """Source of ``name(out0.., in0.., n0..)``: outputs and inputs are flat C-order
    arrays; ``patterns[i]`` says which of the ``ndim`` loop dims input i really has."""
    n_in, n_out = len(program.in_dtypes), len(program.outputs)
    outs = [f"out{i}" for i in range(n_out)]
    ins = [f"in{i}" for i in range(n_in)]
    dims = [f"n{d}" for d in range(ndim)]
    fm = '{"contract", "arcp", "nsz", "afn"}' if fastmath else "False"
    lines = [f"@njit(parallel={parallel}, fastmath={fm}, error_model=\"numpy\", cache=True)",
             f"def {name}({', '.join(outs + ins + dims)}):",
             f'    """{program.text()}"""'.replace("\n", "; ")]
    for i, pat in enumerate(patterns):        # strides of each input over its own dims
        real = [d for d in range(ndim) if pat[d]]
        for d in real:
            later = [f"n{e}" for e in real if e > d]
            if later:
                lines.append(f"    s{i}_{d} = {' * '.join(later)}")
    for d in range(1, ndim):
        later = [f"n{e}" for e in range(d, ndim)]
        lines.append(f"    o_{d - 1} = {' * '.join(later)}")
    names = {}
    by_level = {lvl: [] for lvl in range(-1, ndim)}
    for i, pat in enumerate(patterns):
        real = [d for d in range(ndim) if pat[d]]
        level = real[-1] if real else -1
        idx = " + ".join(f"i{d} * s{i}_{d}" if any(e > d for e in real) else f"i{d}"
                         for d in real) or "0"
        if len(real) > 1:   # unsigned: no negative-index wraparound check (vectorizes)
            idx = f"np.uintp({idx})"
        by_level[level].append(f"x{i} = in{i}[{idx}]")
        names[f"in{i}"] = f"x{i}"
    indent = "    "
    for stmt in by_level[-1]:
        lines.append(indent + stmt)
    for d in range(ndim):
        rng = "prange" if d == 0 and parallel else "range"
        lines.append(f"{indent}for i{d} in {rng}(n{d}):")
        indent += "    "
        for stmt in by_level[d]:
            lines.append(indent + stmt)
    flat = " + ".join(f"i{d} * o_{d}" for d in range(ndim - 1)) + \
        (" + " if ndim > 1 else "") + f"i{ndim - 1}"
    if ndim > 1:
        flat = f"np.uintp({flat})"
    lines.append(f"{indent}k = {flat}")
    for tmp, _, text in assignments(program, names, _spell):
        lines.append(f"{indent}{tmp} = {text}")
    for j, e in enumerate(program.outputs):
        lines.append(f"{indent}out{j}[k] = {names[e.key()]}")
    return "\n".join(lines) + "\n"


def supports(op_name, dtypes):
    """True if this target can spell ``op_name`` on these dtypes."""
    return op_name in CODE_FOR_OP and all(d in SUPPORTED_DTYPES for d in dtypes)


# --- row kernels (reductions over the trailing axes; see rows.py) ------------------------
# Float max/min as an integer max/min over order-preserving keys of the float's bits:
# LLVM vectorizes integer min/max reductions but not NaN-aware float selects (a 4x
# difference here). NaN is tracked separately through the largest |bits| seen.
_KEY = {"float32": ("np.int32", "_f32_bits", "_bits_to_f32", 31, 0x7FFFFFFF, 0x7F800000),
        "float64": ("np.int64", "_f64_bits", "_bits_to_f64", 63, 0x7FFFFFFFFFFFFFFF,
                    0x7FF0000000000000)}
ROW_FASTMATH = '{"contract", "arcp", "nsz", "afn"}'   # as elementwise; sums use _radd


def _order_key(bits, dtype):
    """The int whose signed order matches the float order of ``bits`` (a Python int)."""
    width = 32 if dtype == "float32" else 64
    if bits >= 1 << (width - 1):
        bits -= 1 << width
    return bits ^ ((bits >> (width - 1)) & ((1 << (width - 1)) - 1))


def _float_bits(value, dtype):
    import numpy as np
    return int(np.array(value, dtype).view(np.int32 if dtype == "float32" else np.int64))


def _acc_lines(red, s, v):
    """(init, update, finish) statements of reduction ``s`` over the loop value ``v``."""
    dt, T = red.dtype, _ctor(red.dtype)
    if red.kind in ("sum", "mean"):
        done = f"r{s} = a{s}" if red.kind == "sum" else f"r{s} = a{s} / {T}(ncols)"
        return [f"a{s} = {T}(0)"], [f"a{s} = _radd(a{s}, {v})"], [done]
    if dt not in _KEY:
        raise ValueError(f"row {red.kind} on {dt} is not supported")
    I, tobits, frombits, sh, mask, inf = _KEY[dt]
    start = _order_key(_float_bits(-math.inf if red.kind == "max" else math.inf, dt), dt)
    pick = "max" if red.kind == "max" else "min"
    init = [f"a{s} = {I}({start})", f"z{s} = {I}(0)"]
    upd = [f"kb = {tobits}({v})", f"z{s} = max(z{s}, kb & {I}({mask}))",
           f"a{s} = {pick}(a{s}, kb ^ ((kb >> {I}({sh})) & {I}({mask})))"]
    done = [(f"r{s} = {T}(np.nan) if z{s} > {I}({inf}) else "
             f"{frombits}(a{s} ^ ((a{s} >> {I}({sh})) & {I}({mask})))")]
    return init, upd, done


def render_rows(program, name, parallel=True):
    """Source of ``name(out0.., in0.., nrows, ncols)`` for a RowProgram: ``prange`` over
    rows; per row one loop per reduction (accumulating in registers, recomputing the
    element expressions it needs) and a final loop writing the full outputs. A row of
    the inputs stays in cache between the loops."""
    from .expr import Op
    from .rows import row_loops, schedule
    loops, cached = row_loops(program)
    n_in, n_out = len(program.in_dtypes), len(program.outputs)
    params = [f"out{j}" for j in range(n_out)] + [f"in{i}" for i in range(n_in)]
    lines = [(f"@njit(parallel={parallel}, fastmath={ROW_FASTMATH}, "
              "error_model=\"numpy\", cache=True)"),
             f"def {name}({', '.join(params + ['nrows', 'ncols'])}):",
             '    """' + program.text().replace("\n", "; ") + '"""']
    names = {}
    for i, role in enumerate(program.in_roles):
        if role == "scalar":
            lines.append(f"    x{i} = in{i}[0]")
            names[f"in{i}"] = f"x{i}"
    lines.append(f"    for r in {'prange' if parallel else 'range'}(nrows):")
    ind = " " * 8
    lines.append(f"{ind}b = r * ncols")
    for i, role in enumerate(program.in_roles):
        if role == "full":
            lines.append(f"{ind}in{i}_r = in{i}[b:b + ncols]")
        elif role == "row":
            lines.append(f"{ind}x{i} = in{i}[r]")
            names[f"in{i}"] = f"x{i}"
    for j, per_row in enumerate(program.out_rows):
        if not per_row:
            lines.append(f"{ind}o{j} = out{j}[b:b + ncols]")
    counter = [0]
    stored = {}          # expression key -> output index, once a loop has stored it

    def emit_row(e, out_lines):
        """Row-level expression (and its row-level parts) at row scope."""
        for sub in schedule([e]):
            k = sub.key()
            if k in names:
                continue
            if isinstance(sub, Const):
                names[k] = _spell(sub, names)
            elif isinstance(sub, Op):
                names[k] = f"u{counter[0]}"
                counter[0] += 1
                out_lines.append(f"{ind}{names[k]} = {_spell(sub, names)}")
    for s, (red, roots) in enumerate(loops):
        pre, body, local = [], [], dict(names)
        for e in schedule(roots, stored):
            k = e.key()
            if k in local:
                continue
            if k in stored:
                local[k] = f"c{stored[k]}"
                body.append(f"c{stored[k]} = o{stored[k]}[c]")
            elif isinstance(e, In):
                src = f"in{e.index}_r[c]" if program.in_roles[e.index] == "full" \
                    else f"in{e.index}[c]"
                local[k] = f"x{e.index}"
                body.append(f"x{e.index} = {src}")
            elif isinstance(e, Const):
                local[k] = names[k] = _spell(e, names)
            elif program.level(e) == "row":
                emit_row(e, pre)
                local[k] = names[k]
            else:
                local[k] = f"t{counter[0]}"
                counter[0] += 1
                body.append(f"{local[k]} = {_spell(e, local)}")
        if red is not None:
            v = local[red.arg.key()]
            init, upd, done = _acc_lines(red, s, v)
            body += upd
            j = cached.get(red.arg.key())
            if j is not None and red.arg.key() not in stored:
                body.append(f"o{j}[c] = {v}")
        else:
            if not roots:
                continue
            init, done = [], []
            for j, (e, per_row) in enumerate(zip(program.outputs, program.out_rows)):
                if not per_row:
                    body.append(f"o{j}[c] = {local[e.key()]}")
        lines += pre + [ind + x for x in init] + [f"{ind}for c in range(ncols):"]
        lines += [ind + "    " + x for x in body] or [ind + "    pass"]
        lines += [ind + x for x in done]
        if red is not None:
            names[red.key()] = f"r{s}"
            j = cached.get(red.arg.key())
            if j is not None:
                stored.setdefault(red.arg.key(), j)
    for j, (e, per_row) in enumerate(zip(program.outputs, program.out_rows)):
        if per_row:
            row_lines = []
            emit_row(e, row_lines)
            lines += row_lines + [f"{ind}out{j}[r] = {names[e.key()]}"]
    return "\n".join(lines) + "\n"
