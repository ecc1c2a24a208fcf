"""Renders a Program as a C loop nest for the CPU (built by cuflow_kernels.cpu.native,
called through ctypes): the small-array target, where a Numba kernel's ~5 us dispatch
costs more than the loop.

One loop per coalesced output dim; each input is indexed by its broadcast pattern and
loaded at the shallowest loop level that knows its index (as render_numba). Every
intermediate is a typed local, so float32 stays float32 (tgmath.h picks expf, logf, ...);
operations are rounded as written (IEEE flags: no contraction, no reassociation), so
add/multiply chains equal NumPy's bit for bit; libm's transcendental functions may
differ from NumPy's by an ulp. One thread: big arrays go to the Numba target.
"""
from __future__ import annotations

import math

from . import render_cuda
from .expr import Const, In, assignments

TARGET = "c"

CTYPE = {"float32": "float", "float64": "double", "int8": "int8_t", "int16": "int16_t",
         "int32": "int32_t", "int64": "int64_t", "uint8": "uint8_t", "uint16": "uint16_t",
         "uint32": "uint32_t", "uint64": "uint64_t", "bool": "uint8_t"}
SUPPORTED_DTYPES = set(CTYPE)
_FLOATS = ("float32", "float64")

# name -> template over args {0} {1} {2}; {T} is the result's C type: the CUDA renderer's
# spellings (C syntax; its cf_* helpers are macros in PRELUDE here), without the ops C
# would spell differently from NumPy (shifts and pow on integers, lgamma), and with C's own
# rsqrt (no such function), true division (casts first: integer arguments) and logical
# xor (any non-zero is true). Arguments are locals or literals, so macros may repeat them.
CODE_FOR_OP = {k: v for k, v in render_cuda.CODE_FOR_OP.items()
               if k not in ("left_shift", "right_shift", "pow", "lgamma")}
CODE_FOR_OP.update({"rsqrt": "(({T})1 / sqrt({0}))", "truediv": "(({T}){0} / ({T}){1})",
                    "logical_xor": "(!{0} != !{1})"})
# float-only spellings (C's math on integers would round through double)
_FLOAT_ONLY = {"sqrt", "rsqrt", "exp", "expm1", "log", "log1p", "sin", "cos", "tan", "asin",
               "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid",
               "floor", "ceil", "rint", "round", "trunc", "erf", "erfc", "elu", "softplus",
               "atan2", "floordiv", "is_nan", "is_inf", "is_finite"}

PRELUDE = r"""#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <tgmath.h>
#define cf_max(a, b) (((a) >= (b) || (a) != (a)) ? (a) : (b))
#define cf_min(a, b) (((a) <= (b) || (a) != (a)) ? (a) : (b))
#define cf_abs(a) ((a) < 0 ? -(a) : (a))
#define cf_sign(a) ((a) != (a) ? (a) : ((a) > 0) - ((a) < 0))
"""


def _literal(value, dtype):
    if dtype == "bool":
        return "1" if value else "0"
    if dtype in _FLOATS:
        if not math.isfinite(value):
            text = "NAN" if math.isnan(value) else ("INFINITY" if value > 0 else "-INFINITY")
            return f"(({CTYPE[dtype]}){text})"
        return f"(({CTYPE[dtype]}){float(value)!r})"
    if dtype == "uint64":
        return f"((uint64_t){int(value)}ULL)"
    if dtype == "int64" and value == -2 ** 63:
        return "INT64_MIN"
    return f"(({CTYPE[dtype]}){int(value)}LL)"


def _spell(e, names):
    if isinstance(e, In):
        return names[e.key()]
    if isinstance(e, Const):
        return _literal(e.value, e.dtype)
    args = [names[a.key()] for a in e.args]
    if e.name == "floordiv" and e.dtype not in _FLOATS:
        return (f"({args[0]} / {args[1]} - (({args[0]} % {args[1]} != 0) && "
                f"(({args[0]} < 0) != ({args[1]} < 0))))")
    if e.name == "cast" and e.dtype == "bool":
        return f"({args[0]} != 0)"
    return CODE_FOR_OP[e.name].format(*args, T=CTYPE[e.dtype])


def supports(op_name, dtypes):
    """True if this target can spell ``op_name`` on these dtypes (result dtype last)."""
    if op_name not in CODE_FOR_OP or not all(d in SUPPORTED_DTYPES for d in dtypes):
        return False
    if op_name == "floordiv" and dtypes[-1] not in _FLOATS:
        return True     # integer floordiv has its own spelling (zero checked by NumPy)
    return op_name not in _FLOAT_ONLY or all(d in _FLOATS for d in dtypes[:1])


def render(program, patterns, ndim, name):
    """C source of ``void name(out0.., in0.., n0..)``: outputs and inputs are flat C-order
    arrays; ``patterns[i]`` says which of the ``ndim`` loop dims input i really has. Also
    ``name_entry``, the same call for cuflow_pycall (cpu/native.py's ``bind``)."""
    n_in, n_out = len(program.in_dtypes), len(program.outputs)
    params = [f"{CTYPE[e.dtype]} *restrict out{j}" for j, e in enumerate(program.outputs)]
    params += [f"const {CTYPE[d]} *restrict in{i}" for i, d in enumerate(program.in_dtypes)]
    params += [f"ptrdiff_t n{d}" for d in range(ndim)]
    lines = [PRELUDE, "/* " + program.text().replace("*/", "* /") + " */",
             f"void {name}({', '.join(params)}) {{"]
    # o{i}_{d}: input i's flat offset after fixing loop indices 0..d
    by_level = {lvl: [] for lvl in range(-1, ndim)}
    names = {}
    for i, pat in enumerate(patterns):
        real = [d for d in range(ndim) if pat[d]]
        level = real[-1] if real else -1
        prev = None
        for d in real:
            cur = f"o{i}_{d}"
            expr = f"{prev} * n{d} + i{d}" if prev else f"i{d}"
            by_level[d].append(f"ptrdiff_t {cur} = {expr};")
            prev = cur
        dt = CTYPE[program.in_dtypes[i]]
        by_level[level].append(f"{dt} x{i} = in{i}[{prev or '0'}];")
        names[f"in{i}"] = f"x{i}"
    ind = "    "
    lines.append(f"{ind}ptrdiff_t k = 0;")
    lines += [ind + s for s in by_level[-1]]
    for d in range(ndim):
        lines.append(f"{ind}for (ptrdiff_t i{d} = 0; i{d} < n{d}; i{d}++) {{")
        ind += "    "
        lines += [ind + s for s in by_level[d]]
    for tmp, e, text in assignments(program, names, _spell):
        lines.append(f"{ind}{CTYPE[e.dtype]} {tmp} = {text};")
    for j, e in enumerate(program.outputs):
        lines.append(f"{ind}out{j}[k] = {names[e.key()]};")
    lines.append(f"{ind}k++;")
    for d in range(ndim):
        ind = ind[:-4]
        lines.append(f"{ind}}}")
    lines.append("}")
    # the entry cuflow_pycall calls (cpu/csrc/entry.h's convention): arrays, then sizes
    casts = [f"({p.split(' *')[0]} *)a[{k}]" for k, p in enumerate(params[:n_out + n_in])]
    casts += [f"a[{n_out + n_in + d}]" for d in range(ndim)]
    lines += [f"intptr_t {name}_entry(const intptr_t *a, const double *d) {{",
              f"    (void)d;\n    {name}({', '.join(casts)});\n    return 0;\n}}"]
    return "\n".join(lines) + "\n"
