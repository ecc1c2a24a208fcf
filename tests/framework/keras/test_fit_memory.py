"""fit's memory: no copy of the whole data set, and no Numba/LLVM for the seed MLP.

Each check runs in a fresh interpreter (what was imported and the allocations belong to
that fit alone). tracemalloc sees NumPy's buffers, so its peak during ``fit`` bounds every
array fit allocates: a per-epoch shuffle gathering x, a dtype conversion, the validation
split or a one-hot copy would each cost at least the 19 MB of x.
"""
import json
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, sys, tracemalloc
import numpy as np
import cuflow as cf
n = 6000
rng = np.random.default_rng(0)
x = rng.standard_normal((n, 784), dtype=np.float32)
labels = rng.integers(0, 10, n)
y = np.eye(10, dtype=np.float32)[labels]
model = cf.keras.Sequential([cf.keras.layers.Dense(128, activation='relu',
                                                   input_shape=(784,)),
                             cf.keras.layers.Dense(10, activation='softmax')])
model.compile(optimizer='adam', loss=LOSS, metrics=['accuracy'], run_eagerly=EAGER)
model.fit(x[:256], Y[:256], batch_size=128, verbose=0)   # trace, build slots
tracemalloc.start()
model.fit(x, Y, batch_size=128, epochs=1, verbose=0, validation_split=0.1)
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"peak": peak, "x": x.nbytes,
                  "numba": any(m.split('.')[0] in ('numba', 'llvmlite') for m in sys.modules)}))
"""


@pytest.mark.parametrize("eager,sparse", [(False, False), (True, True)])
def test_fit_allocates_no_copy_of_the_data(eager, sparse):
    code = SCRIPT.replace("EAGER", str(eager)).replace(
        "LOSS", repr("sparse_categorical_crossentropy" if sparse else
                     "categorical_crossentropy")).replace("Y", "labels" if sparse else "y")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=240)
    assert out.returncode == 0, out.stderr[-3000:]
    r = json.loads(out.stdout.strip().splitlines()[-1])
    assert r["peak"] < 0.25 * r["x"], r   # a few batches' worth, never a copy of x
    assert not r["numba"], "the seed MLP's fit imported Numba (~110 MiB resident)"


@pytest.mark.parametrize("wd", [0.0, 0.01])
def test_in_place_numpy_adam_matches_the_reference(wd):
    import numpy as np
    from cuflow.keras.optimizers import fused
    from cuflow_kernels.reference import optim as ref
    rng = np.random.default_rng(0)
    p, g, m, v = (rng.standard_normal((7, 5)).astype(np.float32) for _ in range(4))
    v = np.abs(v)
    a = [t.copy() for t in (p, g, m, v)]
    b = [t.copy() for t in (p, g, m, v)]
    hyper = dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-7, step=3, weight_decay=wd)
    ref.adam_update(*a, **hyper)
    fused.adam_numpy(*b, **hyper)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-7)
