"""More of ``tf.nn``: sparse embedding lookups, fractional pooling, isotonic regression,
``with_space_to_batch`` and the (here exact) approximate top-k.

Fractional pooling draws its pooling sequences the way TF's kernel does (Philox keyed by
``(87654321, seed)``, Fisher-Yates over the window sizes, or Graham's pseudo-random
sequence), so a given ``seed`` gives TF's sequences; the pooling itself is a composite
(gathers + a reduction), so it has gradients.

>>> import cuflow as cf
>>> y, segs = cf.nn.isotonic_regression([[1.0, 3.0, 2.0, 4.0]], decreasing=False)
>>> y.numpy().tolist(), segs.numpy().tolist()
([[1.0, 2.5, 2.5, 4.0]], [[0, 1, 1, 2]])
"""
from __future__ import annotations

import collections
import math

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import array_ops as _a
from . import math_ops as _m
from . import reduce_ops as _r
from ._nn_infer import dims
from .constant import convert_to_tensor
from .dispatch import apply as _apply
from .registry import OPAQUE, defop


# --- sparse embedding lookups ----------------------------------------------------------------
def _segment_rows(values, segment_ids, n):
    from .segment_ops import unsorted_segment_sum
    return unsorted_segment_sum(values, segment_ids, n)


def embedding_lookup_sparse(params, sp_ids, sp_weights, combiner=None, max_norm=None,
                            name=None, allow_fast_lookup=False):
    """Combines the embeddings of each row's ids in SparseTensor ``sp_ids`` (weighted by
    ``sp_weights``' values, or 1) with ``combiner`` "mean" (default), "sqrtn" or "sum";
    rows up to the last one with ids are returned (``tf.nn.embedding_lookup_sparse``)."""
    from ..sparse import SparseTensor
    from .nn_ops import embedding_lookup
    combiner = combiner or "mean"
    if combiner not in ("mean", "sqrtn", "sum"):
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner}")
    if not isinstance(sp_ids, SparseTensor):
        raise TypeError(f"sp_ids must be SparseTensor, got {type(sp_ids)}")
    if sp_weights is not None and not isinstance(sp_weights, SparseTensor):
        raise TypeError(f"sp_weights must be either None or SparseTensor,got "
                        f"{type(sp_weights)}")
    segment_ids = _m.cast(sp_ids.indices[:, 0], _dt.int32)
    n = int(_r.reduce_max(segment_ids).numpy()) + 1 if segment_ids.shape[0] else 0
    emb = embedding_lookup(params, sp_ids.values, max_norm=max_norm)
    dtype = emb.dtype
    if dtype in (_dt.float16, _dt.bfloat16):
        emb = _m.cast(emb, _dt.float32)
    if sp_weights is None:
        w = _a.ones(_a.shape(sp_ids.values), emb.dtype)
    else:
        w = _m.cast(sp_weights.values, emb.dtype)
    w = _a.reshape(w, [-1] + [1] * (len(emb.shape) - 1))
    out = _segment_rows(emb * w, segment_ids, n)
    if combiner == "mean":
        out = _m.div_no_nan(out, _segment_rows(w, segment_ids, n))
    elif combiner == "sqrtn":
        out = _m.div_no_nan(out, _m.sqrt(_segment_rows(w * w, segment_ids, n)))
    return _m.cast(out, dtype) if out.dtype != dtype else out


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None,
                                 combiner="mean", default_id=None, max_norm=None, name=None,
                                 allow_fast_lookup=False):
    """``embedding_lookup_sparse`` that drops ids < 0 (and weights <= 0 unless "sum"),
    gives empty rows ``default_id``'s embedding (or zeros), and keeps every row of
    ``sparse_ids``' dense shape (any rank >= 2)."""
    from .. import sparse as _sp
    if embedding_weights is None or (isinstance(embedding_weights, (list, tuple))
                                     and not embedding_weights):
        raise ValueError(f"Missing embedding_weights {embedding_weights}.")
    shape = [int(d) for d in np.asarray(sparse_ids.dense_shape.numpy()
                                        if hasattr(sparse_ids.dense_shape, "numpy")
                                        else sparse_ids.dense_shape).tolist()]
    rows = math.prod(shape[:-1])
    ids = _sp.reshape(sparse_ids, [rows, shape[-1]])
    weights = None
    if sparse_weights is not None:
        weights = _sp.SparseTensor(ids.indices, sparse_weights.values, ids.dense_shape)
    keep = _m.greater_equal(ids.values, _m.cast(0, ids.values.dtype))
    if weights is not None and combiner != "sum":
        keep = _m.logical_and(keep, _m.greater(weights.values,
                                                _m.cast(0, weights.values.dtype)))
    ids = _sp.retain(ids, keep)
    if weights is not None:
        weights = _sp.retain(weights, keep)
    ids, empty = _sp.fill_empty_rows(ids, default_id or 0)
    if weights is not None:
        weights, _ = _sp.fill_empty_rows(weights, 1.0)
    out = embedding_lookup_sparse(embedding_weights, ids, weights, combiner, max_norm)
    if default_id is None:
        out = _m.where_v(_a.reshape(empty, [-1, 1]), _a.zeros_like(out), out)
    return _a.reshape(out, shape[:-1] + out.shape.as_list()[1:])


# --- approximate top-k (exact here: TF's CPU contract allows it) -----------------------------
_TopK = collections.namedtuple("ApproxTopK", ["values", "indices"])


def _approx_k(operand, k, axis, largest):
    from .index_ops import gather
    from .sort_ops import argsort
    x = convert_to_tensor(operand)
    if x.dtype not in (_dt.float16, _dt.bfloat16, _dt.float32):
        raise InvalidArgumentError(None, "approx_top_k", "approx_top_k: operand must be "
                                   f"half, bfloat16 or float, got {x.dtype.name}")
    rank = len(x.shape)
    axis = axis % rank
    perm = [i for i in range(rank) if i != axis] + [axis]
    xt = _a.transpose(x, perm) if axis != rank - 1 else x
    # a stable sort: equal values keep the lower index first, as TF's top-k
    order = _m.cast(argsort(xt, axis=-1, direction="DESCENDING" if largest else "ASCENDING",
                            stable=True), _dt.int32)[..., :k]
    v = gather(xt, order, axis=rank - 1, batch_dims=rank - 1)
    if axis != rank - 1:
        inv = [int(i) for i in np.argsort(perm)]
        v, order = _a.transpose(v, inv), _a.transpose(order, inv)
    return _TopK(v, order)


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` largest values along ``reduction_dimension`` and their int32 indices
    (exact: TF's contract allows exact results off TPU)."""
    return _approx_k(operand, int(k), int(reduction_dimension), True)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95,
                 reduction_input_size_override=-1, aggregate_to_topk=True, name=None):
    """The ``k`` smallest values along ``reduction_dimension`` and their int32 indices."""
    return _approx_k(operand, int(k), int(reduction_dimension), False)


# --- isotonic regression ----------------------------------------------------------------------
def _pav_row(y, decreasing):
    """Pool-adjacent-violators: the best (least squares) monotone fit and block ids."""
    sums, counts = [], []
    for v in (y if decreasing else -y).tolist():
        sums.append(v)
        counts.append(1)
        while len(sums) > 1 and sums[-2] * counts[-1] < sums[-1] * counts[-2]:
            s, c = sums.pop(), counts.pop()
            sums[-1] += s
            counts[-1] += c
    fit = np.repeat([s / c for s, c in zip(sums, counts)], counts)
    return (fit if decreasing else -fit), np.repeat(np.arange(len(counts)), counts)


def _iso_dtype(dt):
    dt = np.dtype(getattr(dt, "np", dt))
    if dt.kind in "iu":
        return np.dtype(np.float32) if dt.itemsize <= 2 else np.dtype(np.float64)
    return dt


def _isotonic_impl(xp, x, decreasing):
    from ..backend import to_numpy
    h = np.asarray(to_numpy(x))
    out_dt = _iso_dtype(h.dtype)
    rows = h.reshape(-1, h.shape[-1]).astype(np.float64) if h.size else \
        np.zeros((0, h.shape[-1] if h.ndim else 0))
    fits, segs = np.empty_like(rows), np.empty(rows.shape, np.int32)
    for r in range(rows.shape[0]):
        fits[r], segs[r] = _pav_row(rows[r], decreasing)
    fit, seg = fits.reshape(h.shape).astype(out_dt), segs.reshape(h.shape)
    return (fit, seg) if xp is np else (xp.asarray(fit), xp.asarray(seg))


def _isotonic_vjp(g, out, x, decreasing):
    """Each output is its block's mean, so the gradient is the block mean of ``g``."""
    gy, seg = g[0], out[1]
    same = _m.cast(_m.equal(_a.expand_dims(seg, -1), _a.expand_dims(seg, -2)), gy.dtype)
    back = _r.reduce_sum(same * _a.expand_dims(gy, -2), -1) / _r.reduce_sum(same, -1)
    return (_m.cast(back, x.dtype),)


_ISOTONIC = defop("isotonic_regression", OPAQUE, dtypes=_dt.FLOATS | _dt.INTS, n_out=2,
                  vjp=_isotonic_vjp)(_isotonic_impl)
_ISOTONIC.def_infer(lambda x, decreasing: ((dims(x), _iso_dtype(x.dtype)),
                                           (dims(x), np.dtype(np.int32))))
_Iso = collections.namedtuple("IsotonicRegression", ["output", "segments"])


def isotonic_regression(inputs, decreasing=True, axis=-1, name=None):
    """The least-squares monotone (non-increasing by default) fit along ``axis`` and the
    segment id of each element (``tf.nn.isotonic_regression``)."""
    x = convert_to_tensor(inputs)
    if x.dtype.is_unsigned:
        raise InvalidArgumentError(None, "isotonic_regression", "isotonic_regression: "
                                   f"unsupported dtype {x.dtype.name}")
    rank = len(x.shape)
    axis = axis % max(rank, 1)
    if rank and axis != rank - 1:
        perm = [i for i in range(rank) if i != axis] + [axis]
        inv = list(np.argsort(perm))
        y, s = _apply(_ISOTONIC, (_a.transpose(x, perm),), {"decreasing": bool(decreasing)})
        return _Iso(_a.transpose(y, inv), _a.transpose(s, inv))
    return _Iso(*_apply(_ISOTONIC, (x,), {"decreasing": bool(decreasing)}))


# --- tf.nn.experimental dropouts -----------------------------------------------------------------
def general_dropout(x, rate, uniform_sampler, noise_shape=None, name=None):
    """Dropout whose keep/drop draws come from ``uniform_sampler(shape=, dtype=)``: keeps
    where the draw >= ``rate`` and scales by 1 / (1 - rate)."""
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise ValueError(f"`x.dtype` must be a floating point tensor as `x` will be "
                         f"scaled. Received: x_dtype=<dtype: '{x.dtype.name}'>")
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        if not 0 <= rate < 1:
            raise ValueError(f"`rate` must be a scalar tensor or a float in the range "
                             f"[0, 1). Received: rate={rate}")
        if rate == 0:
            return x
        scaled = x * _m.cast(1.0 / (1.0 - rate), x.dtype)
    else:
        rate = _m.cast(rate, x.dtype)
        scaled = x / (_m.cast(1, x.dtype) - rate)
    shape = x.shape.as_list()
    if noise_shape is not None:
        ns = list(noise_shape)
        shape = [shape[i] if d is None else int(d) for i, d in enumerate(ns)] \
            if len(ns) == len(shape) else [int(d) for d in ns]
    draws = uniform_sampler(shape=shape, dtype=x.dtype)
    return _m.where_v(draws >= rate, scaled, _a.zeros_like(scaled))


def stateless_dropout(x, rate, seed, rng_alg=None, noise_shape=None, name=None):
    """Dropout determined by the [2] ``seed`` (TF's stateless uniform stream, so the same
    seed drops the same elements as TF)."""
    from .random_generator import stateless_uniform
    return general_dropout(x, rate, lambda shape, dtype: stateless_uniform(
        shape, seed, dtype=dtype, alg=rng_alg), noise_shape)


def approx_top_k(input, k, reduction_dimension=-1, recall_target=0.95,  # noqa: A002
                 is_max_k=True, reduction_input_size_override=-1, aggregate_to_topk=True,
                 name=None):
    """``tf.approx_top_k``, the raw op behind approx_max_k / approx_min_k (exact here)."""
    return _approx_k(input, int(k), int(reduction_dimension), bool(is_max_k))
