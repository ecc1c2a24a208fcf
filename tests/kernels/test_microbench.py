"""microbench: the dict it returns and the arithmetic of its ratios (no timing asserts)."""
import numpy as np
import pytest

from cuflow_kernels import microbench


def test_bench_reports_rates_against_given_ceilings():
    x = np.ones(1 << 12, np.float32)
    ceil = {"copy_gbps": 10.0, "matmul_gflops": 100.0}
    r = microbench.bench(lambda: x * 2, bytes_moved=2 * x.nbytes, flops=x.size, repeats=3,
                         warmup=1, ceilings=ceil)
    assert len(r["times"]) == 3 and r["time_s"] == sorted(r["times"])[1]
    assert r["gbps"] == pytest.approx(2 * x.nbytes / r["time_s"] / 1e9)
    assert r["fraction_of_copy"] == pytest.approx(r["gbps"] / 10.0)
    assert r["fraction_of_matmul"] == pytest.approx(r["gflops"] / 100.0)


def test_measured_cpu_ceilings_are_positive_and_cached():
    c = microbench.measure_ceilings("cpu", copy_bytes=1 << 20, matmul_n=64, repeats=2)
    assert c["copy_gbps"] > 0 and c["matmul_gflops"] > 0
    assert microbench.measure_ceilings("cpu", copy_bytes=1 << 20, matmul_n=64) is c


def test_time_only_without_sizes():
    r = microbench.bench(lambda: None, repeats=2, warmup=0)
    assert set(r) == {"time_s", "times", "device"}
