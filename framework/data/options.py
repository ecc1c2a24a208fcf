"""``cf.data.Options`` and the constants (AUTOTUNE, cardinalities) with TF's values."""
from __future__ import annotations

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
INFINITE = INFINITE_CARDINALITY
UNKNOWN = UNKNOWN_CARDINALITY

_debug_mode = [False]


def enable_debug_mode():
    """Runs every pipeline eagerly in the caller's thread (``tf.data.experimental``'s name).

    Parallel maps, prefetching and interleaving become sequential and deterministic,
    and map functions run one element at a time (no lifting to batch maps), so
    breakpoints and prints inside them work.
    """
    _debug_mode[0] = True


def disable_debug_mode():
    _debug_mode[0] = False


class _OptionsGroup:
    _fields: dict = {}

    def __init__(self):
        for k, v in self._fields.items():
            object.__setattr__(self, k, v)

    def __setattr__(self, name, value):
        if name not in self._fields:
            raise AttributeError(f"{type(self).__name__} has no option {name!r}; known: "
                                 f"{sorted(self._fields)}")
        object.__setattr__(self, name, value)

    def _merge(self, other):
        for k in self._fields:
            v = getattr(other, k)
            if isinstance(v, _OptionsGroup):
                getattr(self, k)._merge(v)
            elif v is not None:
                object.__setattr__(self, k, v)

    def __eq__(self, other):
        return type(other) is type(self) and all(
            getattr(self, k) == getattr(other, k) for k in self._fields)

    def __repr__(self):
        inner = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._fields)
        return f"{type(self).__name__}({inner})"


class OptimizationOptions(_OptionsGroup):
    """Static optimizations. ``map_vectorization`` (TF's old name) lifts per-element maps
    followed by a batch into batch maps when a sample check shows they agree;
    ``map_and_batch_fusion`` fuses from_tensor_slices + shuffle + batch into index
    gathers. Both default to on (None means the default)."""

    _fields = {"apply_default_optimizations": None, "map_and_batch_fusion": None,
               "map_parallelization": None, "map_vectorization": None,
               "noop_elimination": None, "parallel_batch": None,
               "shuffle_and_repeat_fusion": None, "filter_fusion": None,
               "map_fusion": None, "inject_prefetch": None}


class ThreadingOptions(_OptionsGroup):
    _fields = {"max_intra_op_parallelism": None, "private_threadpool_size": None}


class AutotuneOptions(_OptionsGroup):
    _fields = {"enabled": None, "cpu_budget": None, "ram_budget": None,
               "autotune_algorithm": None}


class DistributeOptions(_OptionsGroup):
    _fields = {"auto_shard_policy": None, "num_devices": None}


class Options(_OptionsGroup):
    """Options for a dataset (``tf.data.Options``), set with ``ds.with_options``.

    >>> import cuflow as cf
    >>> opts = cf.data.Options()
    >>> opts.deterministic = False
    >>> cf.data.Dataset.range(3).with_options(opts).options().deterministic
    False
    """

    _fields = {"deterministic": None, "experimental_debug_mode": None,
               "experimental_deterministic": None, "experimental_external_state_policy": None,
               "experimental_slack": None, "experimental_symbolic_checkpoint": None,
               "experimental_warm_start": None, "framework_type": None,
               "experimental_optimization": None, "experimental_distribute": None,
               "threading": None, "autotune": None, "experimental_threading": None}

    def __init__(self):
        super().__init__()
        object.__setattr__(self, "experimental_optimization", OptimizationOptions())
        object.__setattr__(self, "experimental_distribute", DistributeOptions())
        object.__setattr__(self, "threading", ThreadingOptions())
        object.__setattr__(self, "experimental_threading", self.threading)
        object.__setattr__(self, "autotune", AutotuneOptions())

    def merge(self, options):
        out = Options()
        out._merge(self)
        out._merge(options)
        return out

    # What the pipeline reads --------------------------------------------------------
    def _is_deterministic(self):
        for v in (self.deterministic, self.experimental_deterministic):
            if v is not None:
                return bool(v)
        return True

    def _debug(self):
        return bool(self.experimental_debug_mode) or _debug_mode[0]

    def _opt(self, name, default=True):
        v = getattr(self.experimental_optimization, name)
        if v is None and self.experimental_optimization.apply_default_optimizations is False:
            return False
        return default if v is None else bool(v)

    def _autotune(self):
        return self.autotune.enabled is not False
