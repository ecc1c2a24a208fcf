"""Import time of cuflow vs NumPy (median of fresh interpreter processes).

    python -m bench.import_bench
"""
from __future__ import annotations

import statistics
import subprocess
import sys


def import_seconds(module, runs=7):
    code = f"import time; t=time.perf_counter(); import {module}; print(time.perf_counter()-t)"
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True)
        times.append(float(out.stdout.strip()))
    return statistics.median(times)


def main():
    for mod in ("numpy", "cuflow"):
        print(f"import {mod}: {import_seconds(mod) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
