"""How many Numba threads one kernel call gets: all of them only for big inputs.

On the shared 2-core machine, waking Numba's second thread costs more than it saves
below a few million elements (a 0.25 ms loop: serial 0.26 ms median, two threads 0.30
ms median and 3.4 ms at the 90th percentile, passive OpenMP waiting), and a parallel
loop also takes the core OpenBLAS and the graph executor's threads are using. So a
kernel below ``PARALLEL_MIN`` elements runs on the calling thread alone.
"""
import numba

PARALLEL_MIN = 2 * 2**20


def run(kernel, size, *args):
    """``kernel(*args)`` with one thread when ``size`` (elements touched) is small."""
    if size >= PARALLEL_MIN:
        return kernel(*args)
    n = numba.get_num_threads()
    if n == 1:
        return kernel(*args)
    numba.set_num_threads(1)
    try:
        return kernel(*args)
    finally:
        numba.set_num_threads(n)
