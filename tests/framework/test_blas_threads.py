"""The BLAS thread policy: measured choice per GEMM size class, results unchanged."""
import numpy as np

import cuflow as cf
from cuflow.backend import blas_threads as bt


def test_matmul_results_do_not_depend_on_the_thread_choice():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(300, 200)).astype("float32")
    b = rng.normal(size=(200, 100)).astype("float32")
    want = a.astype("float64") @ b.astype("float64")
    for _ in range(4):  # both thread counts get tried for this size class
        np.testing.assert_allclose(cf.matmul(a, b).numpy(), want, rtol=1e-4, atol=1e-3)


def test_each_size_class_times_both_counts_then_keeps_the_faster(monkeypatch):
    bt.run(lambda: None, 1)  # initialise
    if bt._state["max"] < 2 or not bt._state["libs"] or bt._setting != "auto":
        return  # one core, or the policy is off: there is nothing to choose
    top = bt._state["max"]
    chosen, now = [], {"t": 0.0}
    monkeypatch.setattr(bt, "_stats", {})
    monkeypatch.setattr(bt, "_set", chosen.append)
    monkeypatch.setattr(bt.time, "perf_counter", lambda: now["t"])
    cost = {1: 1e-6, top: 3e-6}  # one thread is faster in this fake machine

    def gemm():
        now["t"] += cost[chosen[-1]]
    for step in range(17):         # one GEMM every 0.5 s
        now["t"] = step * 0.5
        bt.run(gemm, 2 ** 20)
    # each count measured in a burst of TRIAL calls (the first, a thread wake-up, not
    # counted), then the faster one, and the other re-measured once REVISIT_S has passed
    n = bt.TRIAL
    assert chosen == [1] * n + [top] * n + [1] * 4 + [top] * n + [1]
    assert bt._stats[(2 ** 20).bit_length()][0] < bt._stats[(2 ** 20).bit_length()][1]


def test_parallel_branches_pin_blas_to_one_thread(monkeypatch):
    bt.run(lambda: None, 1)  # initialise
    if bt._state["max"] < 2 or not bt._state["libs"] or bt._setting != "auto":
        return  # one core, or the policy is off: nothing to pin
    counts = []
    monkeypatch.setattr(bt, "_set", counts.append)
    with bt.single_threaded():
        bt.run(lambda: None, 2 ** 24)     # a big GEMM inside a parallel region
        assert bt._state["pinned"]
    assert counts == [1] and not bt._state.get("pinned")
