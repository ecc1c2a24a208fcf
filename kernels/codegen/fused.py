"""FusedKernel: runs a Program on arrays (NumPy via Numba, CuPy via CUDA C).

Per distinct tuple of input shapes it plans once (output shape, coalesced loop dims,
broadcast patterns, compiled kernel) and keeps the plan in a dict, so a call costs a
dict lookup, the output allocation (or a reused buffer) and the kernel launch.
"""
from __future__ import annotations

import os
import sys

import numpy as np

from . import cache, render_c
from .expr import Op, broadcast_plan

# Elements below which a fused loop runs on one thread (cpu/_threads.py's rule too). At
# 1M it went parallel, and on the 2-core machine a parallel loop right after a threaded
# GEMM waits for OpenBLAS's still-spinning helper: the convnet's 1.4M-element bias+relu
# took 3.7 ms on two threads and 0.36 ms on one.
PARALLEL_MIN = 16 << 20
# CPU target: "c" (render_c, one thread, ~1 us per call: small arrays), "numba" (~5 us
# dispatch, vectorized polynomial exp/tanh, parallel from PARALLEL_MIN), or "auto": C below
# PARALLEL_MIN when the program only has cheap ops, below C_MAX_TRANSCENDENTAL elements
# when it calls libm (scalar expf & co. lose to Numba's vectorized polynomials on big
# arrays), Numba otherwise or when no C compiler is there.
CPU_TARGET = os.environ.get("CUFLOW_CPU_CODEGEN", "auto").lower()
C_MAX_TRANSCENDENTAL = 1 << 15
C_NOGIL_MIN = 1 << 18     # elements from which a C kernel runs with the GIL released
CHEAP_OPS = {"add", "subtract", "multiply", "negative", "abs", "square", "relu", "relu6",
          "relu_grad", "relu6_grad", "maximum", "minimum", "sign", "equal", "not_equal", "less",
          "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
          "logical_xor", "logical_not", "select", "identity", "stop_gradient", "cast",
          "bitwise_and", "bitwise_or", "bitwise_xor", "invert", "conj", "real", "is_nan",
          "is_inf", "is_finite", "truediv", "reciprocal", "floor", "ceil", "rint", "round",
          "trunc", "sqrt", "rsqrt", "floordiv"}


def _c_suits(program, total):
    """The C target can spell the program and suits its size (see CPU_TARGET)."""
    if CPU_TARGET == "numba":
        return False
    ops = [e for e in program.schedule() if isinstance(e, Op)]
    if not all(render_c.supports(e.name, [a.dtype for a in e.args] + [e.dtype])
               for e in ops):
        return False
    if CPU_TARGET == "c":
        return True
    if total >= PARALLEL_MIN:
        return False
    return total < C_MAX_TRANSCENDENTAL or all(e.name in CHEAP_OPS for e in ops)


class FusedKernel:
    """``kernel(*arrays, out=None)`` -> one array or a tuple (one per program output)."""

    def __init__(self, program, fastmath=True):
        self.program = program
        self.fastmath = fastmath
        self.out_dtypes = [np.dtype(e.dtype) for e in program.outputs]
        self._plans: dict = {}
        self._pool: list = []     # earlier outputs, reused once nobody else holds them
        self.kernels: list = []
        self.name = f"fused_{program.key()[:12]}"

    @property
    def source(self):
        return "\n".join(k.source for k in self.kernels) or "(not compiled yet)"

    @property
    def compile_seconds(self):
        return sum(k.compile_seconds for k in self.kernels)

    def _plan(self, shapes, gpu):
        out_shape = tuple(np.broadcast_shapes(*shapes)) if shapes else ()
        dims, pats = broadcast_plan(shapes, out_shape)
        total = int(np.prod(dims))
        k = None
        if gpu:
            k = cache.get_cuda(self.program, pats, len(dims))
        elif _c_suits(self.program, total):
            k = cache.get_c(self.program, pats, len(dims))
        if k is None:
            k = cache.get_numba(self.program, pats, len(dims), self.fastmath,
                                parallel=total >= PARALLEL_MIN)
        if k not in self.kernels:
            self.kernels.append(k)
        # a C kernel reads any C-contiguous array through its data pointer: no reshapes;
        # a long one lets other threads run meanwhile (short ones keep the GIL: getting it
        # back could take the interpreter's 5 ms switch interval)
        c = not gpu and k.target == "c"
        fn = k.fn_nogil if c and total >= C_NOGIL_MIN else k.fn
        plan = (out_shape, dims, fn, total, c)
        self._plans[(shapes, gpu)] = plan
        return plan

    def __call__(self, *arrays, out=None):
        a0 = type(arrays[0]) if arrays else np.ndarray
        gpu = a0 is not np.ndarray and a0.__module__.startswith("cupy")
        shapes = tuple([a.shape for a in arrays])
        plan = self._plans.get((shapes, gpu))
        if plan is None:
            plan = self._plan(shapes, gpu)
        out_shape, dims, fn, total, direct = plan
        if direct:
            outs = self._outputs(out_shape, out)
            try:
                fn(*outs, *arrays, *dims)
            except (ValueError, TypeError):  # not C-contiguous arrays: copied below
                pass
            else:
                return outs[0] if len(outs) == 1 else tuple(outs)
        xp = np if not gpu else __import__("cupy")
        ins = [xp.ascontiguousarray(a).reshape(-1) for a in arrays]
        outs = self._outputs(out_shape, out, xp if gpu else None)
        if total:
            flat = [o.reshape(-1) for o in outs]
            if gpu:
                threads = 256
                blocks = min((total + threads - 1) // threads, 65535 * 4)
                fn((blocks,), (threads,), (*flat, *ins, *[np.int64(d) for d in dims]))
            else:
                fn(*flat, *ins, *dims)
        return outs[0] if len(outs) == 1 else tuple(outs)

    def _outputs(self, shape, out, gpu_xp=None):
        """Output buffers: ``out`` for the first when it fits, else pooled NumPy arrays
        (fresh CuPy ones with ``gpu_xp``)."""
        outs = []
        for i, dt in enumerate(self.out_dtypes):
            if i == 0 and out is not None and out.shape == shape and out.dtype == dt \
                    and out.flags.c_contiguous:
                outs.append(out)
            elif gpu_xp is not None:
                outs.append(gpu_xp.empty(shape, dt))
            else:
                outs.append(self._alloc(shape, dt, outs))
        return outs

    def _alloc(self, shape, dtype, taken):
        """A buffer from an earlier call that only the pool still references (saves the
        page faults of a fresh large allocation), else a new one kept in the pool."""
        pool = self._pool
        for j in range(len(pool)):
            a = pool[j]
            # references: the pool's slot, ``a`` and getrefcount's argument
            if sys.getrefcount(a) == 3 and a.shape == shape and a.dtype == dtype and \
                    not any(a is t for t in taken):
                return a
        a = np.empty(shape, dtype)
        if a.nbytes >= 1 << 16:
            if len(pool) >= 2 * len(self.out_dtypes) + 2:
                pool.pop(0)
            pool.append(a)
        return a


class FusedRowKernel:
    """Runs a RowProgram: ``kernel(*arrays, out=None)`` -> one array or a tuple.

    ``rank`` is the rank of the full shape and ``k`` the number of trailing axes reduced;
    ``in_forms[i]`` is ``"r"`` for an input aligned with the full rank, ``"l"`` for one
    aligned with the leading axes only (a keepdims=False statistic); ``out_forms[j]``
    likewise for each output (``"r"`` for full outputs). Inputs that only partly broadcast (a [B, 1, C] mask
    against [B, T, C] rows) are materialized to their role's shape first.
    """

    def __init__(self, program, rank, k, in_forms, out_forms):
        self.program, self.rank, self.k = program, rank, k
        self.in_forms, self.out_forms = list(in_forms), list(out_forms)
        if len(self.in_forms) != len(program.in_dtypes) or \
                len(self.out_forms) != len(program.outputs):
            raise ValueError("one form per input and per output")
        self.out_dtypes = [np.dtype(e.dtype) for e in program.outputs]
        from .rows import row_loops
        self.stores_in_output = bool(row_loops(program)[1])
        self._plans: dict = {}
        self._pool: list = []
        self.kernels: list = []
        self.name = f"fused_rows_{program.key()[:12]}"

    source = FusedKernel.source
    compile_seconds = FusedKernel.compile_seconds
    _alloc = FusedKernel._alloc

    def shapes(self, shapes):
        """(full shape, rows, cols, per-input target shapes, per-output shapes)."""
        r, k = self.rank, self.k
        padded = []
        for s, form in zip(shapes, self.in_forms):
            s = tuple(s)
            if form == "l":
                s = (1,) * (r - k - len(s)) + s + (1,) * k
            padded.append((1,) * (r - len(s)) + s)
        full = tuple(np.broadcast_shapes(*padded)) if padded else (1,) * r
        lead, cols = full[:r - k], full[r - k:]
        target = {"full": full, "row": lead + (1,) * k, "col": (1,) * (r - k) + cols,
                  "scalar": (1,) * r}
        ins = [(p, target[role]) for p, role in zip(padded, self.program.in_roles)]
        outs = []
        for per_row, form in zip(self.program.out_rows, self.out_forms):
            outs.append(full if not per_row else (lead + (1,) * k if form == "r" else lead))
        return full, int(np.prod(lead)), int(np.prod(cols)), ins, outs

    def _plan(self, shapes, gpu):
        from . import cache
        _, rows, cols, ins, outs = self.shapes(shapes)
        if gpu:
            kern = cache.get_cuda_rows(self.program)
        else:
            kern = cache.get_numba_rows(self.program,
                                        parallel=rows > 1 and rows * cols >= PARALLEL_MIN)
        if kern not in self.kernels:
            self.kernels.append(kern)
        plan = (rows, cols, ins, outs, kern.fn)
        self._plans[(shapes, gpu)] = plan
        return plan

    def __call__(self, *arrays, out=None):
        gpu = type(arrays[0]).__module__.startswith("cupy") if arrays else False
        shapes = tuple(a.shape for a in arrays)
        plan = self._plans.get((shapes, gpu)) or self._plan(shapes, gpu)
        rows, cols, ins, outs, fn = plan
        xp = np if not gpu else __import__("cupy")
        flat = []
        for a, (padded, target) in zip(arrays, ins):
            if a.shape != target:
                a = xp.broadcast_to(a.reshape(padded), target)
            flat.append(xp.ascontiguousarray(a).reshape(-1))
        res = []
        for i, (shape, dt) in enumerate(zip(outs, self.out_dtypes)):
            if i == 0 and out is not None and not self.stores_in_output and \
                    out.shape == shape and out.dtype == dt and out.flags.c_contiguous:
                res.append(out)
            elif gpu:
                res.append(xp.empty(shape, dt))
            else:
                res.append(self._alloc(shape, dt, res))
        if rows:
            ptrs = [o.reshape(-1) for o in res]
            if gpu:
                blocks = min(rows, 65535 * 16)
                fn((blocks,), (256,), (*ptrs, *flat, np.int64(rows), np.int64(cols)))
            else:
                fn(*ptrs, *flat, rows, cols)
        return res[0] if len(res) == 1 else tuple(res)
