"""GPU benchmarks against the device's own ceilings and PyTorch on the same GPU.

Ceilings (same run): device-to-device copy bandwidth (bytes read + written) and the
cuBLAS SGEMM rate through CuPy. Workloads: a fused elementwise chain (cf.function),
softmax and layer norm kernels (GB/s vs the copy ceiling; results checked against
CuPy/NumPy first), and the seed MLP's Keras fit throughput vs PyTorch. Without a CUDA
GPU it prints why and exits 0.

    .venv/bin/python bench/gpu_bench.py            # on a machine with CuPy and a GPU
    .venv/bin/python bench/gpu_bench.py --quick    # smaller sizes
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np


def _cupy_or_none():
    try:
        import cupy as cp
    except ImportError:
        return None, "CuPy is not installed (pip install 'cuflow[gpu]')"
    try:
        if not cp.cuda.is_available():
            return None, "CuPy sees no CUDA GPU"
    except Exception as e:  # noqa: BLE001 - no driver
        return None, f"CUDA unavailable: {e}"
    return cp, None


def gpu_time(cp, fn, repeat=10, warmup=2):
    """Median seconds of ``fn`` on the current stream (CUDA events)."""
    for _ in range(warmup):
        fn()
    cp.cuda.Device().synchronize()
    times = []
    for _ in range(repeat):
        start, stop = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(cp.cuda.get_elapsed_time(start, stop) / 1e3)
    return statistics.median(times)


def ceilings(cp, quick):
    n = (256 if quick else 1024) << 20 >> 2
    a = cp.ones(n, cp.float32)
    b = cp.empty_like(a)
    bw = 2 * a.nbytes / gpu_time(cp, lambda: cp.copyto(b, a))
    m = 4096 if quick else 8192
    x = cp.random.standard_normal((m, m), dtype=cp.float32)
    y = cp.random.standard_normal((m, m), dtype=cp.float32)
    flops = 2 * m ** 3 / gpu_time(cp, lambda: x @ y, repeat=5)
    print(f"ceilings: D2D copy {bw / 1e9:8.1f} GB/s   cuBLAS SGEMM {flops / 1e12:6.1f} TFLOP/s "
          f"({m}^3)")
    return bw, flops


def _report(name, seconds, nbytes, bw, peer=None):
    line = (f"{name:44s} {seconds * 1e3:8.3f} ms  {nbytes / seconds / 1e9:8.1f} GB/s  "
            f"{nbytes / seconds / bw:6.1%} of copy ceiling")
    if peer is not None:
        line += f"   peer {peer * 1e3:8.3f} ms  (peer/cuflow {peer / seconds:5.2f}x)"
    print(line, flush=True)


def kernels(cp, bw, quick):
    import cuflow as cf
    from cuflow_kernels.cuda import layernorm, softmax
    rows, cols = (4096, 4096) if quick else (16384, 4096)
    x = cp.random.standard_normal((rows, cols), dtype=cp.float32)
    nbytes = 2 * x.nbytes

    def cupy_softmax():
        e = cp.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(cp.asnumpy(softmax.softmax_rows(x)),
                               cp.asnumpy(cupy_softmax()), rtol=1e-5, atol=1e-6)
    _report(f"softmax rows {rows}x{cols} f32 (kernel)",
            gpu_time(cp, lambda: softmax.softmax_rows(x)), nbytes, bw,
            gpu_time(cp, cupy_softmax))
    g = cp.ones(cols, cp.float32)
    b = cp.zeros(cols, cp.float32)

    def cupy_layernorm():
        mu = x.mean(axis=1, keepdims=True)
        return (x - mu) / cp.sqrt(x.var(axis=1, keepdims=True) + 1e-5) * g + b
    np.testing.assert_allclose(cp.asnumpy(layernorm.layernorm_rows(x, g, b)[0]),
                               cp.asnumpy(cupy_layernorm()), rtol=1e-4, atol=1e-4)
    _report(f"layernorm rows {rows}x{cols} f32 (kernel)",
            gpu_time(cp, lambda: layernorm.layernorm_rows(x, g, b)), nbytes, bw,
            gpu_time(cp, cupy_layernorm))
    n = (16 if quick else 64) << 20
    with cf.device("/GPU:0"):
        v = cf.constant(np.random.default_rng(0).standard_normal(n).astype(np.float32))

    @cf.function
    def gelu_chain(t):
        return 0.5 * t * (1.0 + cf.tanh(0.7978845608 * (t + 0.044715 * t * t * t)))
    eager = lambda: 0.5 * v * (1.0 + cf.tanh(0.7978845608 * (v + 0.044715 * v * v * v)))  # noqa
    np.testing.assert_allclose(gelu_chain(v).numpy()[:1000], eager().numpy()[:1000],
                               rtol=1e-5, atol=1e-6)
    _report(f"fused GELU chain {n} f32 (cf.function)", gpu_time(cp, lambda: gelu_chain(v)),
            8 * n, bw, gpu_time(cp, eager))


def mlp_fit(cp, quick):
    """The seed MLP (784-256-10, Adam, batch 128) fit throughput, cuflow vs PyTorch."""
    import cuflow as cf
    n = 12800 if quick else 60000
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 784)).astype(np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    with cf.device("/GPU:0"):
        model = cf.keras.Sequential([cf.keras.layers.Dense(256, activation="relu"),
                                     cf.keras.layers.Dense(10)])
        model.compile(optimizer="adam", loss=cf.keras.losses.SparseCategoricalCrossentropy(
            from_logits=True))
        model.fit(x[:1280], y[:1280], batch_size=128, epochs=1, verbose=0)  # trace, warm
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
        cp.cuda.Device().synchronize()
        ours = n / (time.perf_counter() - t0)
    line = f"MLP fit 784-256-10 b128 ({n} samples)            cuflow {ours:10.0f} samples/s"
    try:
        import torch
    except ImportError:
        print(line + "   (PyTorch not installed)")
        return
    if not torch.cuda.is_available():
        print(line + "   (PyTorch without CUDA)")
        return
    net = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(),
                              torch.nn.Linear(256, 10)).cuda()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda()

    def epoch(count):
        for i in range(0, count, 128):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(xt[i:i + 128]), yt[i:i + 128])
            loss.backward()
            opt.step()
        torch.cuda.synchronize()
    epoch(1280)
    t0 = time.perf_counter()
    epoch(n)
    theirs = n / (time.perf_counter() - t0)
    print(line + f"   PyTorch {theirs:10.0f} samples/s   cuflow/PyTorch {ours / theirs:5.2f}x")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    cp, why = _cupy_or_none()
    if cp is None:
        print(f"gpu_bench: skipped: {why}")
        return 0
    props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
    print(f"device: {props['name'].decode()}  CuPy {cp.__version__}")
    bw, _flops = ceilings(cp, args.quick)
    for name, fn in (("kernels", lambda: kernels(cp, bw, args.quick)),
                     ("mlp", lambda: mlp_fit(cp, args.quick))):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report and go on to the next workload
            print(f"{name}: FAILED: {type(e).__name__}: {e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
