"""Registry-driven: every OpInfo sample traced with cf.function equals eager execution."""
from __future__ import annotations

import cuflow as cf
import numpy as np
import pytest

from ..ops.opdb import all_infos

INFOS = all_infos()


def _outputs(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


@pytest.mark.filterwarnings("ignore::cuflow.graph.RetracingWarning")
@pytest.mark.parametrize("info", INFOS, ids=[i.name for i in INFOS])
def test_traced_matches_eager(info):
    rng = np.random.default_rng(0)
    dtype = "float32" if "float32" in info.dtypes else info.dtypes[0]
    for sample in info.samples(rng, dtype):
        args = tuple(cf.constant(a) if isinstance(a, np.ndarray) else a for a in sample.args)
        try:
            want = _outputs(info.fn(*args, **sample.kwargs))
        except Exception as e:  # noqa: BLE001 - eager rejects it: traced must reject too
            with pytest.raises(type(e)):
                cf.function(lambda *a, kw=sample.kwargs: info.fn(*a, **kw))(*args)
            continue
        try:
            got = _outputs(cf.function(lambda *a, kw=sample.kwargs: info.fn(*a, **kw))(*args))
        except cf.errors.InvalidArgumentError as e:
            if "static value is needed" not in str(e):
                raise
            # the op's output shape depends on input values (segment ids, counts):
            # those inputs must be known while tracing, so capture them as constants
            got = _outputs(cf.function(lambda kw=sample.kwargs: info.fn(*args, **kw))())
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.dtype == w.dtype, (info.name, sample)
            assert tuple(g.shape) == tuple(w.shape), (info.name, sample)
            np.testing.assert_allclose(np.asarray(g.numpy(), np.float64)
                                       if g.dtype.is_floating else g.numpy(),
                                       np.asarray(w.numpy(), np.float64)
                                       if w.dtype.is_floating else w.numpy(),
                                       rtol=1e-5, atol=1e-6, err_msg=info.name)
