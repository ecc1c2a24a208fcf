"""Renders a Program as a CUDA C kernel (for CuPy RawKernel): one grid-stride loop.

The flat output index is split into loop coordinates (div/mod by the coalesced dims),
each input is indexed by its broadcast pattern. float16/bfloat16 load and store as
their storage type and compute in float, like XLA and PyTorch do.
"""
from __future__ import annotations

import math

from .expr import Const, In, assignments

TARGET = "cuda"

CTYPE = {"float32": "float", "float64": "double", "float16": "__half",
         "bfloat16": "__nv_bfloat16", "int8": "signed char", "int16": "short",
         "int32": "int", "int64": "long long", "uint8": "unsigned char",
         "uint16": "unsigned short", "uint32": "unsigned int",
         "uint64": "unsigned long long", "bool": "bool"}
_COMPUTE = {"float16": "float", "bfloat16": "float"}

CODE_FOR_OP = {
    "add": "({0} + {1})", "subtract": "({0} - {1})", "multiply": "({0} * {1})",
    "truediv": "({0} / {1})", "negative": "(-{0})", "abs": "cf_abs({0})",
    "square": "({0} * {0})", "sqrt": "sqrt({0})", "rsqrt": "rsqrt({0})",
    "reciprocal": "(({T})1 / {0})", "exp": "exp({0})", "expm1": "expm1({0})",
    "log": "log({0})", "log1p": "log1p({0})", "sin": "sin({0})", "cos": "cos({0})",
    "tan": "tan({0})", "asin": "asin({0})", "acos": "acos({0})", "atan": "atan({0})",
    "sinh": "sinh({0})", "cosh": "cosh({0})", "tanh": "tanh({0})", "asinh": "asinh({0})",
    "acosh": "acosh({0})", "atanh": "atanh({0})",
    "sigmoid": "(({T})1 / (({T})1 + exp(-{0})))", "floor": "floor({0})",
    "ceil": "ceil({0})", "rint": "rint({0})", "round": "rint({0})", "trunc": "trunc({0})",
    "erf": "erf({0})", "erfc": "erfc({0})", "lgamma": "lgamma({0})",
    "relu": "cf_max({0}, ({T})0)", "relu6": "cf_min(cf_max({0}, ({T})0), ({T})6)",
    "relu_grad": "({0} * ({T})({1} > ({T})0))",
    "relu6_grad": "({0} * ({T})(({1} > ({T})0) && ({1} < ({T})6)))",
    "elu": "({0} > ({T})0 ? {0} : expm1({0}))",
    "softplus": "(cf_max({0}, ({T})0) + log1p(exp(-cf_abs({0}))))",
    "maximum": "cf_max({0}, {1})", "minimum": "cf_min({0}, {1})", "pow": "pow({0}, {1})",
    "atan2": "atan2({0}, {1})", "sign": "cf_sign({0})",
    "equal": "({0} == {1})", "not_equal": "({0} != {1})", "less": "({0} < {1})",
    "less_equal": "({0} <= {1})", "greater": "({0} > {1})", "greater_equal": "({0} >= {1})",
    "logical_and": "({0} && {1})", "logical_or": "({0} || {1})",
    "logical_xor": "({0} != {1})", "logical_not": "(!{0})",
    "is_nan": "isnan({0})", "is_inf": "isinf({0})", "is_finite": "isfinite({0})",
    "select": "({0} ? {1} : {2})", "identity": "{0}", "stop_gradient": "{0}",
    "floordiv": "floor({0} / {1})", "bitwise_and": "({0} & {1})",
    "bitwise_or": "({0} | {1})", "bitwise_xor": "({0} ^ {1})", "invert": "(~{0})",
    "left_shift": "({0} << {1})", "right_shift": "({0} >> {1})",
    "conj": "{0}", "real": "{0}", "cast": "(({T})({0}))",
}
SUPPORTED_DTYPES = set(CTYPE)

PRELUDE = r"""#include <cuda_fp16.h>
#include <cuda_bf16.h>
template <typename T> __device__ __forceinline__ T cf_max(T a, T b) { return (a >= b || a != a) ? a : b; }
template <typename T> __device__ __forceinline__ T cf_min(T a, T b) { return (a <= b || a != a) ? a : b; }
template <typename T> __device__ __forceinline__ T cf_sign(T a) { return a != a ? a : (T)((a > (T)0) - (a < (T)0)); }
template <typename T> __device__ __forceinline__ T cf_abs(T a) { return a < (T)0 ? -a : a; }
__device__ __forceinline__ float cf_load(__half v) { return __half2float(v); }
__device__ __forceinline__ float cf_load(__nv_bfloat16 v) { return __bfloat162float(v); }
template <typename T> __device__ __forceinline__ T cf_load(T v) { return v; }
"""


def _ct(dtype):
    return _COMPUTE.get(dtype, CTYPE[dtype])


def _spell(e, names):
    if isinstance(e, In):
        return names[e.key()]
    if isinstance(e, Const):
        if e.dtype == "bool":
            return "true" if e.value else "false"
        if isinstance(e.value, float) and not math.isfinite(e.value):
            special = "NAN" if math.isnan(e.value) else (
                "INFINITY" if e.value > 0 else "(-INFINITY)")
            return f"(({_ct(e.dtype)}){special})"
        if e.dtype in ("float32", "float16", "bfloat16"):
            return f"{float(e.value)!r}f"
        return f"(({_ct(e.dtype)}){e.value!r})"
    args = [names[a.key()] for a in e.args]
    if e.name == "floordiv" and e.dtype not in ("float32", "float64", "float16", "bfloat16"):
        return f"({args[0]} / {args[1]} - (({args[0]} % {args[1]} != 0) && "\
               f"(({args[0]} < 0) != ({args[1]} < 0))))"
    return CODE_FOR_OP[e.name].format(*args, T=_ct(e.dtype))


def render(program, patterns, ndim, name):
    """CUDA C source of ``extern "C" __global__ void name(out0.., in0.., n0..)``."""
    params = [f"{CTYPE[e.dtype]}* __restrict__ out{i}" for i, e in enumerate(program.outputs)]
    params += [f"const {CTYPE[d]}* __restrict__ in{i}" for i, d in enumerate(program.in_dtypes)]
    params += [f"long long n{d}" for d in range(ndim)]
    lines = [PRELUDE, f"// {program.text()}".replace("\n", "\n// "),
             f'extern "C" __global__ void {name}({", ".join(params)}) {{',
             "  long long total = " + " * ".join(f"n{d}" for d in range(ndim)) + ";",
             ("  for (long long k = blockIdx.x * (long long)blockDim.x + threadIdx.x; "
              "k < total; k += (long long)blockDim.x * gridDim.x) {")]
    lines.append("    long long r = k;")
    for d in range(ndim - 1, -1, -1):
        if d > 0:
            lines.append(f"    long long i{d} = r % n{d}; r /= n{d};")
        else:
            lines.append(f"    long long i{d} = r;")
    names = {}
    for i, pat in enumerate(patterns):
        real = [d for d in range(ndim) if pat[d]]
        idx = "0"
        for d in real:
            idx = f"{idx} * n{d} + i{d}" if idx != "0" else f"i{d}"
        dt = program.in_dtypes[i]
        lines.append(f"    {_ct(dt)} x{i} = cf_load(in{i}[{idx}]);")
        names[f"in{i}"] = f"x{i}"
    for tmp, e, text in assignments(program, names, _spell):
        lines.append(f"    {_ct(e.dtype)} {tmp} = {text};")
    for j, e in enumerate(program.outputs):
        v = names[e.key()]
        if e.dtype == "float16":
            v = f"__float2half({v})"
        elif e.dtype == "bfloat16":
            v = f"__float2bfloat16({v})"
        lines.append(f"    out{j}[k] = {v};")
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


def supports(op_name, dtypes):
    return op_name in CODE_FOR_OP and all(d in SUPPORTED_DTYPES for d in dtypes)


# --- row kernels (reductions over the trailing axes; see rows.py) ------------------------
ROW_PRELUDE = r"""
struct CfSum { template <typename T> __device__ static T init() { return (T)0; }
  template <typename T> __device__ static T op(T a, T b) { return a + b; } };
struct CfMax { template <typename T> __device__ static T init() { return (T)(-INFINITY); }
  template <typename T> __device__ static T op(T a, T b) { return cf_max(a, b); } };
struct CfMin { template <typename T> __device__ static T init() { return (T)INFINITY; }
  template <typename T> __device__ static T op(T a, T b) { return cf_min(a, b); } };
// Block-wide reduction: warp shuffles, then one value per warp through shared memory;
// every thread gets the result. ``smem`` holds 32 values of T.
template <typename R, typename T> __device__ __forceinline__ T cf_block_reduce(T v, T* smem) {
  for (int o = 16; o > 0; o >>= 1) v = R::op(v, __shfl_xor_sync(0xffffffffu, v, o));
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int nwarps = (blockDim.x + 31) >> 5;
  __syncthreads();                      // smem may still be read by the last reduction
  if (lane == 0) smem[warp] = v;
  __syncthreads();
  v = lane < nwarps ? smem[lane] : R::template init<T>();
  for (int o = 16; o > 0; o >>= 1) v = R::op(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
"""
_RED = {"sum": "CfSum", "mean": "CfSum", "max": "CfMax", "min": "CfMin"}


def render_rows(program, name):
    """CUDA C of ``name(out0.., in0.., nrows, ncols)``: one block per row (grid-stride
    over rows); per reduction a strided loop over the row then a block reduction, and a
    final loop writing the full outputs. Launch with blockDim.x a multiple of 32."""
    from .expr import Op
    from .rows import row_loops, schedule
    loops, cached = row_loops(program)
    params = [f"{CTYPE[e.dtype]}* __restrict__ out{j}" for j, e in enumerate(program.outputs)]
    params += [f"const {CTYPE[d]}* __restrict__ in{i}" for i, d in enumerate(program.in_dtypes)]
    params += ["long long nrows", "long long ncols"]
    lines = [PRELUDE + ROW_PRELUDE, "// " + program.text().replace("\n", "\n// "),
             f'extern "C" __global__ void {name}({", ".join(params)}) {{',
             "  __shared__ double cf_smem[32];",
             "  for (long long r = blockIdx.x; r < nrows; r += gridDim.x) {",
             "    const long long b = r * ncols;"]
    names = {}
    ind = "    "
    for i, role in enumerate(program.in_roles):
        if role in ("row", "scalar"):
            idx = "r" if role == "row" else "0"
            lines.append(f"{ind}const {_ct(program.in_dtypes[i])} x{i} = cf_load(in{i}[{idx}]);")
            names[f"in{i}"] = f"x{i}"
    counter = [0]
    stored = {}

    def emit_row(e, out):
        for sub in schedule([e]):
            k = sub.key()
            if k in names:
                continue
            if isinstance(sub, Const):
                names[k] = _spell(sub, names)
            elif isinstance(sub, Op):
                names[k] = f"u{counter[0]}"
                counter[0] += 1
                out.append(f"{ind}const {_ct(sub.dtype)} {names[k]} = {_spell(sub, names)};")
    for s, (red, roots) in enumerate(loops):
        if red is None and not roots:
            continue
        pre, body, local = [], [], dict(names)
        for e in schedule(roots, stored):
            k = e.key()
            if k in local:
                continue
            if k in stored:
                j = stored[k]
                local[k] = f"c{j}"
                body.append(f"const {_ct(e.dtype)} c{j} = out{j}[b + c];")
            elif isinstance(e, In):
                idx = "b + c" if program.in_roles[e.index] == "full" else "c"
                local[k] = f"x{e.index}"
                body.append(f"const {_ct(e.dtype)} x{e.index} = cf_load(in{e.index}[{idx}]);")
            elif isinstance(e, Const):
                local[k] = names[k] = _spell(e, names)
            elif program.level(e) == "row":
                emit_row(e, pre)
                local[k] = names[k]
            else:
                local[k] = f"t{counter[0]}"
                counter[0] += 1
                body.append(f"const {_ct(e.dtype)} {local[k]} = {_spell(e, local)};")
        done = []
        if red is not None:
            T = _ct(red.dtype)
            v = local[red.arg.key()]
            init = [f"{T} a{s} = {_RED[red.kind]}::init<{T}>();"]
            body.append(f"a{s} = {_RED[red.kind]}::op(a{s}, {v});")
            j = cached.get(red.arg.key())
            if j is not None and red.arg.key() not in stored:
                body.append(f"out{j}[b + c] = {v};")
            done.append(f"a{s} = cf_block_reduce<{_RED[red.kind]}>(a{s}, "
                        f"reinterpret_cast<{T}*>(cf_smem));")
            div = f" / ({T})ncols" if red.kind == "mean" else ""
            done.append(f"const {T} r{s} = a{s}{div};")
        else:
            init = []
            for j, (e, per_row) in enumerate(zip(program.outputs, program.out_rows)):
                if not per_row:
                    body.append(f"out{j}[b + c] = {local[e.key()]};")
        lines += pre + [ind + x for x in init]
        lines.append(f"{ind}for (long long c = threadIdx.x; c < ncols; c += blockDim.x) {{")
        lines += [ind + "  " + x for x in body] + [ind + "}"] + [ind + x for x in done]
        if red is not None:
            names[red.key()] = f"r{s}"
            j = cached.get(red.arg.key())
            if j is not None:
                stored.setdefault(red.arg.key(), j)
                # the stored values are read back by other threads' columns only after
                # the block reduction's __syncthreads; each thread rereads its own anyway
    row_out = []
    for j, (e, per_row) in enumerate(zip(program.outputs, program.out_rows)):
        if per_row:
            emit_row(e, row_out)
            row_out.append(f"{ind}if (threadIdx.x == 0) out{j}[r] = {names[e.key()]};")
    lines += row_out + ["  }", "}"]
    return "\n".join(lines) + "\n"
